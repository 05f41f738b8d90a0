/*
 * decode.h - one streaming decode of a recording for every consumer (internal).
 *
 * The derived assets of a recording (waveform, spectrogram, ...) are all
 * made from one pass over its audio: the decode hands each chunk of samples
 * to every sink in turn, so adding a consumer never adds a decode, and
 * memory is a chunk's worth whatever the length of the file.
 */
#ifndef VRP_MEDIA_DECODE_H
#define VRP_MEDIA_DECODE_H

#include "derive/generator.h"

#include <stddef.h>

/* Frames per write(): bounded memory, yet few enough calls to cost nothing. */
#define VRP_DECODE_CHUNK_FRAMES 4096

/*
 * Decodes the audio file at `path` and feeds it to the `count` sinks: each
 * gets begin(), then every chunk as interleaved floats through write() (at
 * most VRP_DECODE_CHUNK_FRAMES frames each), then end(). A plain PCM WAV
 * (media/wav.h: 8/16/24/32-bit integer, 32/64-bit float) is read directly;
 * anything else is decoded with FFmpeg, loaded on first use. Audio with no
 * samples is begin() and end() with no write.
 *
 * Returns 0, or: VRP_ENOTFOUND when the file does not exist;
 * VRP_ECORRUPT_MEDIA when it cannot be decoded (damaged, truncated inside a
 * header, or no longer audio); VRP_ENOTSUP when FFmpeg cannot be loaded;
 * VRP_EIO and friends for read failures; or the first non-zero code a sink
 * returned (end() is then not called on any sink).
 */
int vrp_decode_file(const char *path, const struct vrp_pcm_sink *sinks, size_t count);

#endif
