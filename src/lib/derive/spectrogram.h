/*
 * spectrogram.h - a spectrogram preview of a recording as a PNG (internal).
 *
 * Time runs to the right across a fixed width, frequency upward, power in
 * dBFS from -100 (the floor colour) to 0 (a full-scale sine) through a
 * perceptual colour map. The channels are mixed to mono. Memory does not
 * grow with the recording's length: columns are kept in a buffer of at most
 * 2 x width slots, adjacent slots merged by mean power when it fills.
 */
#ifndef VRP_DERIVE_SPECTROGRAM_H
#define VRP_DERIVE_SPECTROGRAM_H

#include <stddef.h>
#include <stdint.h>

#include "derive/generator.h"
#include "vrp/spectrogram.h"

/* Kind VRP_DERIVED_SPECTROGRAM, image/png, with the default options. */
extern const struct vrp_generator vrp_spectrogram_generator;

/* The stored asset's options: 1024 x 256, mel. */
extern const struct vrp_spectrogram_options vrp_spectrogram_defaults;

/* VRP_EINVAL, with a message naming the bad value, for options create_with() refuses. */
int vrp_spectrogram_options_check(const struct vrp_spectrogram_options *options);

/*
 * create() of the generator table with explicit options: fills `*sink` and
 * `*instance` (free with the table's destroy()). VRP_EINVAL for a width or
 * height outside 1..VRP_SPECTROGRAM_MAX_SIDE or an unknown scale.
 */
int vrp_spectrogram_create_with(const struct vrp_spectrogram_options *options, void **instance,
				struct vrp_pcm_sink *sink);

/* What an instance holds, for tests of its memory bound. */
struct vrp_spectrogram_stats {
	int64_t columns;      /* FFT windows analysed so far */
	size_t slots;         /* slots of the column buffer in use */
	size_t slot_capacity; /* its fixed size: 2 x width */
	size_t buffer_bytes;  /* bytes allocated for the slots */
};
void vrp_spectrogram_get_stats(const void *instance, struct vrp_spectrogram_stats *out);

/*
 * The colour map, t in [0, 1] (clamped) to sRGB: lightness rises evenly
 * from near-black to pale yellow through purple, red and orange.
 */
void vrp_spectrogram_colour(double t, uint8_t rgb[3]);

/* Writes an 8-bit RGB image (rows top first) to `fd` as PNG; VRP_EIO etc. on failure. */
int vrp_spectrogram_png_write(int fd, const uint8_t *rgb, int width, int height);

#endif
