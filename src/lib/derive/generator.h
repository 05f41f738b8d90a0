/*
 * generator.h - what a derived-asset generator is (internal).
 *
 * A recording is decoded once; the decode feeds every generator that is
 * making an asset of it through a vrp_pcm_sink, so adding a kind of asset
 * never adds a decode. A generator is a table of functions in its own file
 * (waveform.c, spectrogram.c, ...), as providers are; the derive service
 * calls through the table and owns the files, the temporary names, fsync,
 * rename and the catalogue rows.
 */
#ifndef VRP_DERIVE_GENERATOR_H
#define VRP_DERIVE_GENERATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vrp/derived_asset.h"

/* The decoded stream as the generators see it. */
struct vrp_pcm_format {
	int sample_rate;     /* Hz, > 0 */
	int channels;        /* >= 1 */
	int source_bits;     /* bit depth of the source samples; 0 when lossy/unknown */
	int64_t frames_hint; /* expected frames per channel, -1 when unknown: sizing only */
};

/*
 * A consumer of decoded audio. begin() once, write() any number of times
 * with interleaved float samples in [-1.0, 1.0] (int16 x is x / 32768.0f,
 * so 16- and 24-bit sources convert back exactly), end() once after the
 * last write. Any non-zero return (a VRP_E* code with the last error set)
 * stops the decode; end() is then not called.
 */
struct vrp_pcm_sink {
	void *ctx;
	int (*begin)(void *ctx, const struct vrp_pcm_format *format);
	int (*write)(void *ctx, const float *samples, size_t frames);
	int (*end)(void *ctx);
};

/*
 * What a generator may know of the recording and the library's settings
 * besides its audio. Strings are borrowed for the duration of create().
 */
struct vrp_derive_params {
	const char *title;    /* the recording's title, for tags; NULL for none */
	int opus_bitrate;     /* bit/s of the compressed copy; 0 for the default */
	const char *language; /* a transcript's language; NULL for "en-us" */
	/*
	 * A file where a generator that can resume (the transcript) keeps what
	 * it has finished, so a killed run continues from there; NULL for none.
	 * Its contents belong to `journal_key` (audio and settings): another
	 * key starts it afresh.
	 */
	const char *journal;
	const char *journal_key;
};

/*
 * One kind of asset. create() makes a generator instance for one recording
 * and fills `*sink`; after the decode has ended the sink, save() writes the
 * asset to `fd` (a temporary file the service fsyncs and renames); destroy()
 * frees the instance (NULL is a no-op). `version` changes whenever the
 * output for the same audio would change: a stored asset whose version
 * differs is stale.
 */
struct vrp_generator {
	enum vrp_derived_kind kind;
	const char *name;      /* "vrp-waveform" */
	const char *version;   /* "1" */
	const char *mime_type; /* "application/json", "image/png", "audio/ogg" */
	const char *extension; /* "json", "png", "opus" */
	int (*create)(void **instance, struct vrp_pcm_sink *sink,
		      const struct vrp_derive_params *params);
	int (*save)(void *instance, int fd);
	void (*destroy)(void *instance);
	/* Made only when its kind is asked for: too slow to make unasked (transcripts). */
	bool on_request;
	/*
	 * The settings its output depends on besides the audio (the Opus bit
	 * rate, a transcript's language) as "name=value", params' unset (0 or
	 * NULL) members taken as their defaults; NULL when only the audio
	 * matters. The stored version carries it ("1;bitrate=32000"), so a
	 * changed setting makes the stored asset stale.
	 */
	void (*settings_key)(const struct vrp_derive_params *params, char *out, size_t len);
};

#endif
