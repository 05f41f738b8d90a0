/*
 * decode_internal.h - what the two readers of media/decode.c share (internal).
 */
#ifndef VRP_MEDIA_DECODE_INTERNAL_H
#define VRP_MEDIA_DECODE_INTERNAL_H

#include "media/decode.h"

#include <stdint.h>

/* The sinks one decode feeds, and the chunk they are fed from. */
struct vrp_decode_fanout {
	const struct vrp_pcm_sink *sinks;
	size_t count;
	float *chunk; /* VRP_DECODE_CHUNK_FRAMES frames of `channels` samples */
	int channels;
};

/* Allocates the chunk and calls every sink's begin(). */
int vrp_decode_begin(struct vrp_decode_fanout *out, const struct vrp_pcm_format *format);

/* Hands the first `frames` frames of the chunk to every sink. */
int vrp_decode_write(struct vrp_decode_fanout *out, size_t frames);

/* Calls every sink's end(). */
int vrp_decode_end(struct vrp_decode_fanout *out);

/* Frees the chunk; safe on a zeroed struct. */
void vrp_decode_fanout_free(struct vrp_decode_fanout *out);

/* Decodes the open regular file `fd` of `size` bytes with FFmpeg. */
int vrp_decode_ffmpeg(int fd, int64_t size, const char *path, struct vrp_decode_fanout *out);

#endif
