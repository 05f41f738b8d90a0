/*
 * spectrogram.h - a recording's spectrogram as a PNG image.
 *
 * Time runs to the right across the whole recording, frequency upward from
 * 0 Hz to half the sample rate, colour is power from -100 dBFS (the floor)
 * to 0 dBFS (a full-scale sine) on a perceptual map; the channels are mixed
 * to mono. The stored asset (kind "spectrogram") has the default options;
 * other options are computed from a fresh decode of the audio.
 */
#ifndef VRP_SPECTROGRAM_H
#define VRP_SPECTROGRAM_H

#include "vrp/library.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* How rows map to frequencies between 0 Hz and half the sample rate. */
enum vrp_spectrogram_scale {
	VRP_SPECTROGRAM_LINEAR, /* equal Hz per row */
	VRP_SPECTROGRAM_LOG,    /* equal ratio per row, from one FFT bin up */
	VRP_SPECTROGRAM_MEL,    /* equal mel per row: pitch as heard */
};

#define VRP_SPECTROGRAM_MAX_SIDE 4096

typedef struct vrp_spectrogram_options {
	int width;  /* pixels, 1..VRP_SPECTROGRAM_MAX_SIDE */
	int height; /* pixels, 1..VRP_SPECTROGRAM_MAX_SIDE */
	enum vrp_spectrogram_scale scale;
} vrp_spectrogram_options;

/* The stored asset's options: 1024 x 256, mel. */
void vrp_spectrogram_options_default(vrp_spectrogram_options *out);

/* "linear", "log", "mel" into `*out`; VRP_EINVAL for anything else. */
int vrp_spectrogram_scale_from_string(const char *text, enum vrp_spectrogram_scale *out);

/* "linear", "log", "mel"; NULL for a value outside the enum. */
const char *vrp_spectrogram_scale_to_string(enum vrp_spectrogram_scale scale);

/*
 * Writes the spectrogram of recording `recording_id` to `fd` as a PNG.
 * With the default options it is the stored asset, made first when missing
 * or stale; other options decode the audio again. Returns 0, or VRP_EINVAL
 * for a side outside 1..VRP_SPECTROGRAM_MAX_SIDE or an unknown scale, or
 * what vrp_derive() returns (VRP_ENOTFOUND, VRP_ECORRUPT_MEDIA, ...), or
 * an I/O code for `fd`.
 */
int vrp_spectrogram_write(vrp_library *lib, int64_t recording_id,
			  const vrp_spectrogram_options *options, int fd);

/*
 * The same into the file `path`, written beside it under a temporary name,
 * fsynced and renamed over it: on failure `path` is as it was.
 */
int vrp_spectrogram_write_file(vrp_library *lib, int64_t recording_id,
			       const vrp_spectrogram_options *options, const char *path);

#ifdef __cplusplus
}
#endif

#endif
