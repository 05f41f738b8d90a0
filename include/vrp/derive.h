/*
 * derive.h - making a recording's derived assets and keeping them fresh.
 *
 * An asset is fresh when the file its row names exists and the row's source
 * checksum and generator version are the recording's checksum and the
 * current generator's version; otherwise it is stale and vrp_derive() makes
 * it again. Every asset is written to a temporary file, fsynced and renamed
 * into derived/<kind>/<uuid>.<ext> before its row commits, so a crash
 * leaves no half-written file under an asset's name and no row without its
 * file.
 */
#ifndef VRP_DERIVE_H
#define VRP_DERIVE_H

#include "vrp/derived_asset.h"
#include "vrp/library.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The bit of `kind` in a set of kinds. */
#define VRP_DERIVE_KIND(kind) (1u << (unsigned)(kind))

/*
 * Makes the assets of `kinds` (a set of VRP_DERIVE_KIND bits) for recording
 * `recording_id` that are missing or stale (all of them with `force`),
 * decoding its audio once for all of them. `*made` (may be NULL) receives
 * the set actually made. Returns 0, or: VRP_ENOTFOUND (no such recording,
 * or its file is missing), VRP_ECORRUPT_MEDIA (its audio no longer
 * decodes), VRP_ENOTSUP (a kind no generator makes yet), VRP_EINVAL (an
 * empty set), or an I/O or database code. On failure no row is written for
 * the assets the call was making; assets finished before it stay.
 */
int vrp_derive(vrp_library *lib, int64_t recording_id, unsigned kinds, bool force, unsigned *made);

/*
 * What became of one recording in vrp_derive_many(): `rc` and `message`
 * as vrp_derive() returned and recorded them (message NULL on success).
 */
typedef void (*vrp_derive_result_fn)(void *ctx, int64_t recording_id, unsigned made, int rc,
				     const char *message);

/*
 * vrp_derive() of each of `ids` on `jobs` threads at once (0: one per
 * core), each with its own connection to the library. `on_result` (may
 * be NULL) is called once per recording, never on two threads at once, in
 * the order they finish, on the thread that derived it (so vrp_error_last()
 * there is the failure's). A recording's failure does not stop the others.
 * Returns 0, or the code of what kept the run from starting.
 */
int vrp_derive_many(vrp_library *lib, const int64_t *ids, size_t count, unsigned kinds, bool force,
		    unsigned jobs, vrp_derive_result_fn on_result, void *ctx);

/*
 * Called as the audio is decoded with the seconds of it done so far, on the
 * deriving thread, between two blocks of samples (no transaction is open).
 * A non-zero return (a VRP_E* code with the last error set) stops the
 * derivation with that code.
 */
typedef int (*vrp_derive_progress_fn)(void *ctx, double seconds);

/* What vrp_derive_with() may ask of the generators; NULL members mean defaults. */
struct vrp_derive_options {
	const char *language; /* a transcript's language ("en-us", the default) */
	/* Where a transcript keeps its finished utterances while it is made (see
	 * vrp_transcribe()), and whose they are; NULL for none. */
	const char *journal;
	const char *journal_key;
	vrp_derive_progress_fn on_progress; /* NULL for none */
	void *progress_ctx;
};

/* vrp_derive() with options for the generators (NULL: the defaults). */
int vrp_derive_with(vrp_library *lib, int64_t recording_id, unsigned kinds, bool force,
		    const struct vrp_derive_options *options, unsigned *made);

/* The set of kinds a generator exists for. */
unsigned vrp_derive_kinds_supported(void);

/* A set of kinds that asks for nothing (import: queue no derivation). */
#define VRP_DERIVE_NONE (1u << 31)

/*
 * The kinds import queues for every recording: the setting derive.kinds of
 * `lib` (default waveform, spectrogram, compressed, transcript), or
 * VRP_DERIVE_NONE when it is set empty. A bad value is logged and the
 * default applies.
 */
unsigned vrp_derive_kinds_queued(vrp_library *lib);

/*
 * Queues `kinds` of recording `recording_id` in the durable derive queue,
 * for vrp_derive_queue_run_one() (`vrp worker`, `vrp sync`). Kinds asked
 * for while the recording's task waits or runs join that task.
 */
int vrp_derive_enqueue(vrp_library *lib, int64_t recording_id, unsigned kinds);

/*
 * Claims the next due derivation, makes it and records the outcome:
 * `*ran` is false when none was due; otherwise `*outcome` gets what
 * vrp_derive() (and, for a transcript, vrp_transcribe()) returned. A
 * failure of the derivation itself is the task's (retried later when it
 * may pass, else kept as failed with its error) and returns 0; only a
 * failure to use the queue is returned. `owner` names the caller in the
 * task's lease, which lasts `lease_ms` (<= 0: 15 minutes) and is renewed
 * while the audio is decoded, so a killed worker's task is taken up again
 * that long after its last renewal. A transcript resumes from its journal.
 * A transcript asked for where no speech engine is installed is left out
 * (not a failure); the first time in a process, a warning in the log says
 * which packages to install. Other kinds are made as ever.
 */
int vrp_derive_queue_run_one(vrp_library *lib, const char *owner, int64_t lease_ms, bool *ran,
			     int *outcome);

typedef struct vrp_derive_queue_status {
	int64_t queued, running, failed;
} vrp_derive_queue_status;

int vrp_derive_queue_status_read(vrp_library *lib, vrp_derive_queue_status *out);

/* Queues every failed derivation again; `*count` (may be NULL) gets how many. */
int vrp_derive_queue_retry(vrp_library *lib, int64_t *count);

/* The kinds made when none are named: all but those made only on request
 * (a transcript decodes at a third of real time). */
unsigned vrp_derive_kinds_default(void);

/*
 * Whether `asset` of a recording whose checksum is `recording_checksum`
 * must be made again: the checksum or the generator (name or version)
 * differs from the current one, or the kind has no generator any more.
 * The file's presence is not checked here (vrp_derive() checks it).
 */
bool vrp_derived_asset_is_stale(const vrp_derived_asset *asset, const char *recording_checksum);

/*
 * vrp_derived_asset_is_stale() against `lib`'s settings as well: an Opus
 * copy made at another derive.opus_bitrate than the one set now is stale.
 * (The former takes every setting at its default; a transcript is stale
 * in a language other than the default en-us, or the one vrp_derive_with()
 * is asked for.)
 */
bool vrp_derived_asset_is_stale_in(vrp_library *lib, const vrp_derived_asset *asset,
				   const char *recording_checksum);

/* Every asset of a recording, in kind order. Caller frees `*out` with
 * vrp_derived_asset_list_free(). */
int vrp_derived_assets_list(vrp_library *lib, int64_t recording_id, vrp_derived_asset_list **out);

#ifdef __cplusplus
}
#endif

#endif
