/*
 * opus.h - the compressed copy of a recording: Opus in Ogg (internal).
 *
 * The channels are mixed to mono, resampled to 48 kHz (libswresample) and
 * encoded with libavcodec's libopus encoder as the decode streams in; the
 * Ogg pages go to an anonymous temporary file as they are made, so memory
 * does not grow with the recording's length, and save() copies that file.
 *
 * The copy lasts exactly as long as the source, to the 48 kHz sample: the
 * pre-skip is the encoder's delay and the final granule position trims the
 * last frame (RFC 7845, 4.4). A source with no samples gives a valid file
 * of one trimmed frame, whose playback length is zero.
 */
#ifndef VRP_DERIVE_OPUS_H
#define VRP_DERIVE_OPUS_H

#include "derive/generator.h"

#define VRP_OPUS_RATE        48000
#define VRP_OPUS_MIN_BITRATE 6000
#define VRP_OPUS_MAX_BITRATE 256000

struct vrp_opus_options {
	int bitrate;       /* bit/s, VRP_OPUS_MIN_BITRATE..VRP_OPUS_MAX_BITRATE */
	const char *title; /* the TITLE comment; NULL or "" for none; copied */
};

/* Kind VRP_DERIVED_COMPRESSED, audio/ogg, with the default options. */
extern const struct vrp_generator vrp_opus_generator;

/* 32 kbit/s (speech), no title; the generator table's create() takes both from its params. */
extern const struct vrp_opus_options vrp_opus_defaults;

/*
 * create() of the generator table with explicit options: fills `*sink` and
 * `*instance` (free with the table's destroy()). VRP_EINVAL for a bitrate
 * out of range; VRP_ENOTSUP when FFmpeg or its libopus encoder is missing.
 */
int vrp_opus_create_with(const struct vrp_opus_options *options, void **instance,
			 struct vrp_pcm_sink *sink);

#endif
