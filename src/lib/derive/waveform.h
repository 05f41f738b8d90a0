/*
 * waveform.h - waveform peaks in BBC audiowaveform's format (internal).
 *
 * A waveform is, per pixel of `samples_per_pixel` frames and per channel,
 * the minimum and maximum sample, as int16 values (a source sample x in
 * [-1, 1] is floor(x * 32768), clamped: 16-bit sources keep their values,
 * deeper ones drop their low bits as audiowaveform's libsndfile reader
 * does). The mixed channel is, per frame, the sum of the channels' int16
 * samples divided by the channel count (truncated), as audiowaveform mixes.
 * The last pixel covers what is left, however few frames.
 *
 * The stored asset (the generator below) is a .dat version 2 file at 256
 * samples per pixel, 16 bits, holding every view a request can ask for: a
 * mono recording's one channel; for N > 1 channels, N + 1 channels, the
 * mixed one first and then each channel as recorded.
 */
#ifndef VRP_DERIVE_WAVEFORM_H
#define VRP_DERIVE_WAVEFORM_H

#include "derive/generator.h"

#include <stddef.h>
#include <stdint.h>

#define VRP_WAVEFORM_STORED_SPP 256

extern const struct vrp_generator vrp_waveform_generator;

enum vrp_waveform_view {
	VRP_WAVEFORM_MIXED,  /* one channel, the average of all */
	VRP_WAVEFORM_ALL,    /* each channel as recorded */
	VRP_WAVEFORM_STORED, /* as the stored asset: mixed, then each channel when N > 1 */
};

/* Peaks in memory. */
struct vrp_waveform {
	int sample_rate;
	int samples_per_pixel;
	int channels;  /* of this waveform, not necessarily of the recording */
	size_t length; /* pixels */
	int16_t *data; /* length * channels * 2: per pixel, per channel, min then max */
};

/* Frees the peaks; the struct may then be reused. */
void vrp_waveform_clear(struct vrp_waveform *wf);

/*
 * A sink that computes the peaks of `view` at `samples_per_pixel` (>= 2)
 * from a decode. After the decode has ended it, vrp_waveform_builder_take()
 * moves the peaks out. Free with vrp_waveform_builder_free() (NULL is a no-op).
 */
struct vrp_waveform_builder;
int vrp_waveform_builder_new(int samples_per_pixel, enum vrp_waveform_view view,
			     struct vrp_waveform_builder **out, struct vrp_pcm_sink *sink);
void vrp_waveform_builder_take(struct vrp_waveform_builder *b, struct vrp_waveform *out);
void vrp_waveform_builder_free(struct vrp_waveform_builder *b);

/*
 * Picks `view` (MIXED or ALL) out of a stored waveform into `out`. `channels`
 * is the recording's channel count. VRP_ECORRUPT_MEDIA when the stored
 * channel count does not fit it.
 */
int vrp_waveform_select(const struct vrp_waveform *stored, int channels,
			enum vrp_waveform_view view, struct vrp_waveform *out);

/*
 * Coarsens `wf` in place to `factor` times its samples per pixel: each new
 * pixel's min and max are those of the `factor` pixels it covers (the last
 * covers what is left), which is exactly what computing it from the samples
 * gives.
 */
int vrp_waveform_rescale(struct vrp_waveform *wf, int factor);

/* Writes .dat version 2 (`bits` 8 or 16) to `fd`. */
int vrp_waveform_write_dat(const struct vrp_waveform *wf, int bits, int fd);

/* Writes audiowaveform's JSON (`bits` 8 or 16) to `fd`, followed by a newline. */
int vrp_waveform_write_json(const struct vrp_waveform *wf, int bits, int fd);

/* Reads a 16-bit .dat version 2 file, as the generator stores it; VRP_ECORRUPT_MEDIA if it is not
 * one. */
int vrp_waveform_read_dat(int fd, struct vrp_waveform *out);

#endif
