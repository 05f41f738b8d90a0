/*
 * waveform.h - a recording's waveform peaks at any zoom, in BBC
 * audiowaveform's formats (what peaks.js and wavesurfer.js read).
 *
 * The stored waveform asset (256 samples per pixel, 16 bits, every channel
 * and the mixed one) serves every zoom that is a multiple of 256: a coarser
 * pixel's min and max are those of the fine pixels it covers. Other zooms
 * are computed from a fresh decode of the audio.
 */
#ifndef VRP_WAVEFORM_H
#define VRP_WAVEFORM_H

#include "vrp/library.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_waveform_channels {
	VRP_WAVEFORM_CHANNELS_MIXED, /* one channel: per frame, the channels' average */
	VRP_WAVEFORM_CHANNELS_ALL,   /* each channel, interleaved per pixel */
};

enum vrp_waveform_format {
	VRP_WAVEFORM_FORMAT_JSON, /* {"version":2,"channels",...,"data":[min,max,...]} */
	VRP_WAVEFORM_FORMAT_DAT,  /* the binary .dat, version 2 */
};

/*
 * At most one of samples_per_pixel, pixels_per_second and width may be set
 * (non-zero); with none, the zoom is 256 samples per pixel. width gives
 * ceil(frames / width) samples per pixel, the frames being the catalogue's
 * duration times its rate. Every zoom must come to at least 2 samples per pixel.
 */
typedef struct vrp_waveform_options {
	int samples_per_pixel;
	int pixels_per_second; /* samples per pixel = sample rate / this, truncated */
	int width;             /* pixels across the whole recording */
	int bits;              /* 8 or 16; 0 for 16 */
	enum vrp_waveform_channels channels;
	enum vrp_waveform_format format;
} vrp_waveform_options;

/*
 * Writes the waveform of recording `recording_id` to `fd`, first making the
 * stored asset when it is missing or stale. Returns 0, or VRP_EINVAL for
 * options outside the above (bits 12, two zooms, a zoom below 2), or what
 * vrp_derive() returns.
 */
int vrp_waveform_write(vrp_library *lib, int64_t recording_id, const vrp_waveform_options *options,
		       int fd);

/*
 * Writes the same to the file at `path`, replacing it atomically (written
 * beside it, fsynced, renamed): a failure leaves what was there.
 */
int vrp_waveform_save(vrp_library *lib, int64_t recording_id, const vrp_waveform_options *options,
		      const char *path);

/* Peaks in memory, allocated by the library; free with vrp_waveform_peaks_free(). */
typedef struct vrp_waveform_peaks {
	int sample_rate;
	int samples_per_pixel;
	int channels;
	size_t length; /* pixels */
	int16_t *data; /* length * channels * 2: per pixel, per channel, min then max (16-bit) */
} vrp_waveform_peaks;

/* The same peaks as vrp_waveform_write() (at 16 bits whatever `options->bits`), in memory. */
int vrp_waveform_get(vrp_library *lib, int64_t recording_id, const vrp_waveform_options *options,
		     vrp_waveform_peaks **out);

/* Frees peaks; NULL is a no-op. */
void vrp_waveform_peaks_free(vrp_waveform_peaks *peaks);

#ifdef __cplusplus
}
#endif

#endif
