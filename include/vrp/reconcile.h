/*
 * reconcile.h - comparing the catalogue with what a remote really holds.
 *
 * Both commands look only at objects under the remote's app folder
 * ("VoiceRecorderPro/"), where vrp puts every upload; anything else on the
 * remote is not ours to judge. They read the remote through its paged
 * listing, so a large remote never has to fit in memory at once.
 *
 * `check` is `rclone check` for one library and one remote: it compares the
 * rows the catalogue believes are on the remote (sync_status 'synced', or
 * 'conflict' from an earlier check) with the objects listed there. `pull`
 * imports the objects another device uploaded.
 */
#ifndef VRP_RECONCILE_H
#define VRP_RECONCILE_H

#include "vrp/library.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a check found about one object or row. */
typedef enum vrp_sync_check_kind {
	VRP_SYNC_CHECK_MISSING = 0, /* a synced row whose object is gone (ERR_REMOTE_NOT_FOUND) */
	VRP_SYNC_CHECK_EXTRA,       /* an object no recording maps to (ERR_CONFLICT) */
	VRP_SYNC_CHECK_SIZE,        /* the object's size is not the recording's (ERR_CONFLICT) */
	VRP_SYNC_CHECK_CHECKSUM,    /* same size, other sha256 (ERR_CHECKSUM_MISMATCH) */
	VRP_SYNC_CHECK_UNVERIFIED,  /* same size, but no sha256 could be had (0) */
	VRP_SYNC_CHECK_RESOLVED,    /* a 'conflict' row whose object now matches again (0) */
	VRP_SYNC_CHECK_DUPLICATE,   /* unmapped, but a copy of recording `recording_id` (0) */
} vrp_sync_check_kind;

/*
 * "missing", "extra", "size", "checksum", "unverified", "resolved",
 * "duplicate"; NULL outside the enum.
 */
const char *vrp_sync_check_kind_to_string(vrp_sync_check_kind kind);

/* One finding; valid only during the callback. */
typedef struct vrp_sync_check_item {
	vrp_sync_check_kind kind;
	const char *remote;
	const char *remote_path;
	int64_t recording_id;        /* 0 for an extra object */
	int code;                    /* the stable VRP_E* code of the finding, 0 when none */
	const char *message;         /* one line for a person */
	int64_t local_size;          /* -1 when there is no recording */
	int64_t remote_size;         /* -1 when there is no object */
	const char *local_sha256;    /* NULL when there is no recording */
	const char *remote_checksum; /* NULL when not known */
} vrp_sync_check_item;

typedef void (*vrp_sync_check_fn)(void *ctx, const vrp_sync_check_item *item);

/* Totals of a check, over every remote it looked at. */
typedef struct vrp_sync_check_summary {
	int64_t remotes; /* remotes checked */
	int64_t objects; /* objects listed under the app folder */
	int64_t matched; /* rows whose object has the right size and sha256 */
	int64_t missing, extra, size_mismatch, checksum_mismatch;
	int64_t unverified; /* right size, sha256 not available (or stat budget spent) */
	int64_t stats;      /* stat calls made to obtain a checksum */
	int64_t duplicates; /* unmapped objects whose sha256 is a catalogued recording's */
} vrp_sync_check_summary;

/* How many objects one check may stat for a checksum the listing lacks, per remote. */
#define VRP_SYNC_CHECK_MAX_STATS 1000

/*
 * Checks `remote` (NULL: every remote, by name) and reports each finding
 * but a plain match through `fn` (may be NULL). The catalogue follows what
 * was found, so that the next `vrp sync` repairs the remote:
 *   missing          the row goes back to 'unsynced' with its mapping
 *                    cleared (the next sync uploads it again)
 *   size, checksum   the row becomes 'conflict' with ERR_CONFLICT or
 *                    ERR_CHECKSUM_MISMATCH and a message; the next sync
 *                    replaces the object from the local file (recordings are
 *                    immutable: the verified local copy is the truth)
 *   resolved         a 'conflict' row whose object matches is 'synced' again
 *   extra            nothing changes; the object is left where it is
 *   duplicate        an unmapped object with a catalogued recording's
 *                    sha256 (a second copy `sync pull` found): nothing
 *                    changes, and it is not counted as extra
 * Rows and objects are matched by the provider's object id where both have
 * one (Drive can hold two objects under one name), else by path. Objects
 * whose listing has no sha256 are stat'ed with VRP_STAT_CHECKSUM, at most
 * VRP_SYNC_CHECK_MAX_STATS per remote; past that they count as unverified,
 * as does one whose stat failed (its code is in the finding). Only a
 * run-level failure (the listing, auth, the remote unreachable, the
 * database) stops the check: returns 0 when the check ran (findings are in
 * `*summary`, which may be NULL), or that error (an unknown remote is
 * VRP_ENOTFOUND).
 */
int vrp_sync_check(vrp_library *lib, const char *remote, vrp_sync_check_fn fn, void *ctx,
		   vrp_sync_check_summary *summary);

/* What a pull did with one object. */
typedef enum vrp_sync_pull_status {
	VRP_SYNC_PULL_PULLED = 0, /* downloaded, verified and imported as a new recording */
	VRP_SYNC_PULL_DUPLICATE,  /* its content is already catalogued (recording `id`) */
	VRP_SYNC_PULL_REJECTED,   /* not imported; `code` says why */
	VRP_SYNC_PULL_PURGED,     /* skipped: its content was purged from this library */
	/* A recording's compressed copy (upload=compressed|both), never imported as a
	 * recording: mapped back to its recording (`id`), or skipped (`message` says why). */
	VRP_SYNC_PULL_COMPRESSED,
} vrp_sync_pull_status;

/* "pulled", "duplicate", "rejected", "purged", "compressed"; NULL outside the enum. */
const char *vrp_sync_pull_status_to_string(vrp_sync_pull_status status);

/* One pulled object; valid only during the callback. */
typedef struct vrp_sync_pull_item {
	vrp_sync_pull_status status;
	const char *remote;
	const char *remote_path;
	int64_t recording_id; /* the new or existing recording; 0 when rejected */
	const char *uuid;     /* the new recording's uuid, else NULL */
	int64_t bytes;
	int code;            /* a VRP_E* code when rejected, else 0 */
	const char *message; /* NULL unless rejected or compressed */
} vrp_sync_pull_item;

typedef void (*vrp_sync_pull_fn)(void *ctx, const vrp_sync_pull_item *item);

typedef struct vrp_sync_pull_summary {
	int64_t pulled, duplicates, rejected;
	int64_t skipped;    /* objects a row of this library already maps to: not downloaded */
	int64_t purged;     /* objects skipped because their content was purged here */
	int64_t bytes;      /* downloaded */
	int64_t compressed; /* compressed copies: mapped back or skipped, never imported */
} vrp_sync_pull_summary;

/*
 * Brings in the recordings another device put on `remote`: every object
 * under the app folder that no row of this library maps to. An object whose
 * listed sha256 is already catalogued is a duplicate without a download;
 * any other is downloaded into the library's tmp/ (verified against the
 * listed sha256 when there is one) and imported like `vrp import` with
 * ingest_source "cloud:<remote>": probed, deduplicated by content, durable.
 * A new recording, and a duplicate whose recording has no row on the remote
 * yet or an 'unsynced' one, gets a 'synced' row with the object's id and
 * path, so it is neither uploaded again nor reported extra by `sync check`.
 * Objects are matched to rows by the provider's object id where both have
 * one, else by path. A purge wins over a remote copy: an object a queued
 * delete names, or whose content was purged (a tombstone keeps the sha256
 * of every purged recording), is skipped as purged; `vrp import` of a local
 * copy is how content is deliberately brought back. Local names are made
 * from remote names made safe (no '/', control characters, "." or "..",
 * at most NAME_MAX bytes with room for a temporary name). Every failure of
 * one object (its download, verification or import) is reported as that
 * object's rejection and the pull goes on; only a run-level failure (of
 * the listing, auth, the remote unreachable, the disk full, the database)
 * stops it. Returns 0 when the pull ran (outcomes in `*summary`, which may
 * be NULL), or the error that stopped it.
 */
int vrp_sync_pull(vrp_library *lib, const char *remote, vrp_sync_pull_fn fn, void *ctx,
		  vrp_sync_pull_summary *summary);

/* Where a pull stands; valid only during the callback. */
typedef struct vrp_sync_pull_progress {
	int64_t listed;    /* objects listed so far */
	int64_t done;      /* objects settled (pulled, duplicate, rejected, skipped...) */
	int64_t in_flight; /* downloads under way or waiting for a thread */
	int64_t bytes;     /* bytes downloaded so far */
	bool listing_done; /* the whole listing is in: `listed` is the total */
} vrp_sync_pull_progress;

typedef void (*vrp_sync_pull_progress_fn)(void *ctx, const vrp_sync_pull_progress *progress);

/* How to pull. Zero-initialise; zero members take the defaults. */
typedef struct vrp_sync_pull_options {
	/* Downloads at once, each on its own connection; 0: 4; at most 16. */
	int jobs;
	vrp_sync_pull_fn on_item; /* each object's outcome, as vrp_sync_pull() reports it */
	/* About every 200 ms while objects are listed or downloaded, and once at the end. */
	vrp_sync_pull_progress_fn progress;
	void *ctx; /* passed to both */
} vrp_sync_pull_options;

/*
 * vrp_sync_pull() with options: `jobs` downloads run at once (the
 * recordings are still imported one at a time, each in its own
 * transaction, so a pull killed at any point leaves nothing half-done and
 * the next pull neither downloads nor imports anything twice). Each
 * download reads the metadata the upload kept with the object (see
 * vrp_provider_read_metadata()) and is verified against the listed sha256,
 * else the metadata's; the new recording keeps the metadata's title,
 * description, tags, original name, recorded_at, created_at and
 * modified_at. An object without metadata is pulled with what its file says.
 */
int vrp_sync_pull_with(vrp_library *lib, const char *remote, const vrp_sync_pull_options *options,
		       vrp_sync_pull_summary *summary);

#ifdef __cplusplus
}
#endif

#endif
