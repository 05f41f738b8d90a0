/*
 * offload.h - freeing local space once enough proven copies exist, and
 * bringing the audio back.
 *
 * A recording's local audio may go (`vrp offload`) when at least
 * `offload.numcopies` remote copies count: the remote is trusted (its
 * setting `trusted` is not "false"), the copy is synced there, and its
 * sha256 was proven by `vrp verify --remote` (by the remote's hash or a
 * download, not by size alone) within `verify.max_age`. Copies whose proof
 * is older, or missing, are verified first. Otherwise the recording is
 * refused with the reason ("only 1 of 2 required copies verified: nas
 * (2026-11-30)"). Metadata, tags, transcripts and derived assets stay.
 *
 * Crash safety: the row is marked offloaded (and audited) in a committed
 * transaction before the file is unlinked, so a crash leaves either the
 * file or the row's claim that the proven copies suffice, never neither. A
 * file still there under an offloaded row (a crash between the two) is
 * taken back as local by `vrp verify` or `vrp get`, once its sha256 matches.
 *
 * Fetching (`vrp get`, and every reader of audio through
 * vrp_recording_audio_path()) streams the copy from the best remote (trusted,
 * proven ones first, a folder before a server before a cloud, the first that
 * answers) into the library's tmp/, checks its sha256, fsyncs and renames it
 * into place, and only then marks the row local again.
 */
#ifndef VRP_OFFLOAD_H
#define VRP_OFFLOAD_H

#include "vrp/library.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_offload_outcome {
	VRP_OFFLOAD_FREED = 0,      /* the local file was removed */
	VRP_OFFLOAD_WOULD_FREE = 1, /* dry run: it would have been */
	VRP_OFFLOAD_REFUSED = 2,    /* too few proven copies, or another reason in `message` */
	VRP_OFFLOAD_ALREADY = 3,    /* it was offloaded before */
};

/* "freed", "would_free", "refused", "already"; NULL outside the enum. */
const char *vrp_offload_outcome_to_string(enum vrp_offload_outcome outcome);

/* One recording's outcome; valid only during the callback. */
typedef struct vrp_offload_item {
	int64_t recording_id;
	enum vrp_offload_outcome outcome;
	int64_t bytes;       /* the size of the local audio */
	const char *copies;  /* the copies that count: "nas (2026-11-30), usb (2026-12-01)" */
	int error;           /* the VRP_E* code of a refusal, else 0 */
	const char *message; /* why it was refused, else NULL */
} vrp_offload_item;

typedef void (*vrp_offload_fn)(void *ctx, const vrp_offload_item *item);

typedef struct vrp_offload_options {
	const int64_t *ids; /* these recordings; NULL: every active or archived one */
	size_t id_count;
	int64_t older_than_s; /* only recordings made more than this long ago; 0: any */
	const char *tag;      /* only recordings with this tag; NULL: any */
	bool dry_run;         /* judge (and verify stale proofs), remove nothing */
	vrp_offload_fn on_item;
	void *ctx;
} vrp_offload_options;

typedef struct vrp_offload_summary {
	int64_t freed, refused, already, bytes_freed;
} vrp_offload_summary;

/*
 * Offloads the chosen recordings. Returns 0 when it ran (refusals are
 * outcomes, counted in `summary`), VRP_ENOTFOUND for an id that names no
 * recording, or the error that stopped it.
 */
int vrp_offload(vrp_library *lib, const vrp_offload_options *options, vrp_offload_summary *summary);

/* vrp_fetch() flags. */
#define VRP_FETCH_REPAIR 1u /* also replace a local file that is missing or damaged */

/*
 * Makes recording `id`'s audio local again from a remote copy: for an
 * offloaded recording, or with VRP_FETCH_REPAIR for one whose file is
 * missing or does not match its sha256 (audited as "repair"). `*remote`
 * (may be NULL) receives the name of the remote it came from (caller frees;
 * NULL when the file was already whole and nothing was fetched). Errors:
 * VRP_ENOTFOUND for no such recording, VRP_EUNAVAILABLE when no trusted
 * remote holds a copy that could be fetched (the message says what each
 * one answered), VRP_ECHECKSUM when every copy fetched was wrong.
 */
int vrp_fetch(vrp_library *lib, int64_t id, unsigned flags, char **remote);

/*
 * The absolute path of recording `id`'s audio for a reader (export, derive,
 * the API), fetched first with vrp_fetch() when it is offloaded. Caller
 * frees `*path`.
 */
int vrp_recording_audio_path(vrp_library *lib, int64_t id, char **path);

#ifdef __cplusplus
}
#endif

#endif
