/*
 * transcript.h - what was said in a recording, and when: making transcripts,
 * reading them, and the titles made from them.
 *
 * A transcript is a derived asset (kind "transcript", derived/transcript/
 * <uuid>.json) with the same life cycle as the others: made again when the
 * audio or the engine changes. Making one also indexes its words for
 * vrp_recordings_search() (1-best words, and lattice alternatives ranked
 * lower) and may give the recording an automatic title.
 *
 * The engine is pocketsphinx, loaded when the first transcript is made:
 * without it these calls fail with VRP_ENOTSUP and a message saying which
 * packages to install, and the rest of vrp works as before.
 */
#ifndef VRP_TRANSCRIPT_H
#define VRP_TRANSCRIPT_H

#include "vrp/library.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One word and when it was said, in seconds from the start of the recording. */
typedef struct vrp_spoken_word {
	char *word;
	double start, end;
	double confidence; /* the engine's posterior, 0..1 */
} vrp_spoken_word;

/* One utterance. */
typedef struct vrp_transcript_part {
	double start, end;
	char *text; /* the words, space-separated */
	vrp_spoken_word *words;
	size_t word_count;
	vrp_spoken_word *alternatives; /* lattice alternatives; confidence is the posterior */
	size_t alternative_count;
} vrp_transcript_part;

/* A transcript, allocated by the library; free with vrp_transcript_free(). */
typedef struct vrp_transcript {
	char *engine, *engine_version, *language;
	double duration;
	vrp_transcript_part *parts; /* in time order; none when nothing was said */
	size_t part_count;
	char *json; /* the asset as stored */
} vrp_transcript;

/* Frees a transcript; NULL is a no-op. */
void vrp_transcript_free(vrp_transcript *transcript);

/* How to transcribe. Zero-initialise it; NULL options mean all defaults. */
typedef struct vrp_transcribe_options {
	const char *language; /* NULL: "en-us" */
	bool force;           /* make it again even when fresh */
	/* Never give the recording an automatic title (neither does the setting
	 * transcribe.auto_title = false in the library's config). */
	bool no_auto_title;
	/* Called with the seconds of audio done as it goes (see
	 * vrp_derive_progress_fn in vrp/derive.h); NULL for none. */
	int (*on_progress)(void *ctx, double seconds);
	void *progress_ctx;
} vrp_transcribe_options;

/* What vrp_transcribe() did. */
typedef struct vrp_transcribe_result {
	bool made;    /* false: the transcript was fresh and kept */
	size_t words; /* 1-best words in the transcript */
	bool titled;  /* the recording got an automatic title */
} vrp_transcribe_result;

/*
 * Makes the transcript of a recording if it is missing or stale (always
 * with `force`), indexes its words for search and, when the recording's
 * title is still the name of the file it was imported from and it never
 * had an automatic title, gives it one from the first words said.
 * A recording with no speech gets an empty transcript. Returns 0, or
 * VRP_ENOTSUP (pocketsphinx or the language's model not installed),
 * VRP_EINVAL (a bad language name), VRP_ENOTFOUND, VRP_ECORRUPT_MEDIA, or
 * an I/O or database code. `result` may be NULL.
 */
int vrp_transcribe(vrp_library *lib, int64_t recording_id, const vrp_transcribe_options *options,
		   vrp_transcribe_result *result);

/*
 * What became of one recording in vrp_transcribe_many(): `rc` as
 * vrp_transcribe() returned it and, when 0, `result`.
 */
typedef void (*vrp_transcribe_result_fn)(void *ctx, int64_t recording_id, int rc,
					 const vrp_transcribe_result *result);

/*
 * vrp_transcribe() of each of `ids` on `jobs` threads at once (0: one per
 * core), each with its own connection and its own decoder (about 100 MB
 * each). `options->on_progress` (may be NULL) receives the seconds of
 * audio done in all the recordings together; it and `on_result` (may be
 * NULL) are called never on two threads at once, on the thread that did
 * the work (so vrp_error_last() there is the failure's), and
 * `on_result` once per recording in the order they finish. A recording's
 * failure does not stop the others. Returns 0, or the code of what kept
 * the run from starting.
 */
int vrp_transcribe_many(vrp_library *lib, const int64_t *ids, size_t count,
			const vrp_transcribe_options *options, unsigned jobs,
			vrp_transcribe_result_fn on_result, void *ctx);

/* Whether a transcript can be made here: 0, or VRP_ENOTSUP saying what to install. */
int vrp_transcribe_available(const char *language);

/* The stored transcript of a recording; VRP_ENOTFOUND when it has none (yet). */
int vrp_transcript_get(vrp_library *lib, int64_t recording_id, vrp_transcript **out);

/* Parses a transcript asset's JSON (as vrp_transcript_get() reads it). */
int vrp_transcript_parse(const char *json, vrp_transcript **out);

typedef enum vrp_transcript_format {
	VRP_TRANSCRIPT_TXT,  /* one line per utterance */
	VRP_TRANSCRIPT_SRT,  /* SubRip subtitles */
	VRP_TRANSCRIPT_VTT,  /* WebVTT subtitles */
	VRP_TRANSCRIPT_JSON, /* the asset itself */
} vrp_transcript_format;

/* "txt", "srt", "vtt", "json" into `*out`; VRP_EINVAL for anything else. */
int vrp_transcript_format_from_string(const char *text, vrp_transcript_format *out);

/* The transcript written out in `format`; the caller frees `*out` with free(). */
int vrp_transcript_render(const vrp_transcript *transcript, vrp_transcript_format format,
			  char **out);

/* Whether the recording's title is one vrp made from its transcript (and the user kept). */
int vrp_transcript_title_is_auto(vrp_library *lib, int64_t recording_id, bool *is_auto);

#ifdef __cplusplus
}
#endif

#endif
