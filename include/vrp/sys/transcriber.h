/*
 * vrp/sys/transcriber.h - the speech-recognition engine vtable, for those
 * who implement an engine.
 *
 * The transcript generator resamples a recording to 16 kHz mono, cuts it
 * into chunks of VRP_TRANSCRIBER_CHUNK samples and feeds them to an engine
 * through this table; the engine hands back finished segments (utterances)
 * as it finds them. Each engine is one `struct vrp_transcriber_ops` in its
 * own file (src/lib/transcribe/<engine>.c), listed in the engine registry;
 * a second engine (whisper.cpp with a model file the user supplies, say) is
 * a new file and a registry line, not a change to the generator.
 *
 * `version` comes first so the table can grow, as the provider table does.
 *
 * Contracts every implementation keeps:
 * - Return 0 or a VRP_E* code with the last error set. An engine whose
 *   library or model is not installed fails open() with VRP_ENOTSUP and a
 *   message saying what to install; vrp runs without any engine.
 * - Times are seconds from the first sample fed to this instance.
 * - Segments come out in time order, each once, through the callback given
 *   to feed()/finish(); what a segment points to is valid only during the
 *   callback (copy what you keep).
 * - Audio with no speech gives no segment (or segments with no words), not
 *   an error.
 * - One instance is used by one thread at a time; instances on different
 *   threads must not disturb each other.
 */
#ifndef VRP_SYS_TRANSCRIBER_H
#define VRP_SYS_TRANSCRIBER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VRP_TRANSCRIBER_OPS_VERSION 1

/* The only format engines are fed: 16 kHz, mono, signed 16-bit. */
#define VRP_TRANSCRIBER_RATE 16000
/* Samples per feed() (0.128 s): results shift with the chunk size, so it is fixed. */
#define VRP_TRANSCRIBER_CHUNK 2048

/* What open() receives; valid only during the call. */
struct vrp_transcriber_settings {
	const char *language;  /* "en-us"; the engine maps it to its model */
	const char *model_dir; /* NULL: the engine's default location */
};

/* One recognised word. */
struct vrp_transcript_word {
	const char *word;  /* lower-case, no pronunciation-variant suffix */
	double start, end; /* seconds; end is where the word's last frame ends */
	double confidence; /* posterior probability, 0..1 */
};

/* A segment: one utterance with its best words and the lattice's alternatives. */
struct vrp_transcript_segment {
	double start, end;
	const struct vrp_transcript_word *words; /* the 1-best path */
	size_t word_count;
	/* Other words the lattice held for the same stretch, with their posteriors
	 * in `confidence`, for search; never a word of the 1-best path at that time. */
	const struct vrp_transcript_word *alternatives;
	size_t alternative_count;
	/* Every segment after this one begins at or after this sample, and a new
	 * decoder fed the stream from it finds them: where a killed transcription
	 * resumes. */
	int64_t resume_sample;
};

/* Receives each finished segment; a non-zero return stops feed()/finish() with it. */
typedef int (*vrp_transcript_segment_fn)(void *ctx, const struct vrp_transcript_segment *segment);

typedef struct vrp_transcriber vrp_transcriber;

struct vrp_transcriber_ops {
	unsigned version;         /* VRP_TRANSCRIBER_OPS_VERSION when the table was written */
	const char *name;         /* "pocketsphinx": the asset's generator names it */
	const char *version_text; /* the engine and model version: part of the generator version */
	/* Whether open() could work (library and model present) without loading the
	 * model, which takes a second: 0 or open()'s error. */
	int (*check)(const struct vrp_transcriber_settings *settings);
	/* Makes a decoder; VRP_ENOTSUP when the engine or the language's model is missing. */
	int (*open)(const struct vrp_transcriber_settings *settings, vrp_transcriber **out);
	/* Feeds `count` samples (VRP_TRANSCRIBER_CHUNK except for the last chunk). */
	int (*feed)(vrp_transcriber *t, const int16_t *samples, size_t count,
		    vrp_transcript_segment_fn on_segment, void *ctx);
	/* After the last feed(): the remaining segments. */
	int (*finish)(vrp_transcriber *t, vrp_transcript_segment_fn on_segment, void *ctx);
	/* Frees the decoder; NULL is a no-op. */
	void (*close)(vrp_transcriber *t);
};

/* The engine registered under `name` ("pocketsphinx"), or NULL. */
const struct vrp_transcriber_ops *vrp_transcriber_find(const char *name);

#ifdef __cplusplus
}
#endif

#endif
