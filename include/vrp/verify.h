/*
 * verify.h - checking that the library's files are whole and accounted for.
 *
 * Every recording's file is re-hashed and compared with its stored sha256;
 * the result is recorded on the recording (integrity, verified_at). A full
 * check also looks for files in recordings/raw/ that no recording owns (a
 * crash between placing a file and committing its row leaves one) and for
 * temporary files in tmp/ that no running import holds (debris of a crash).
 * Each recording's derived assets are checked too: the file a row names
 * must exist with the row's size, and a file under derived/ must have a
 * row; `fix` makes a missing or damaged asset again from the audio and
 * removes an asset file no row names (both can be remade, nothing is lost).
 * An offloaded recording has no local file by design and is fine; a file
 * found under an offloaded row (a crash between the offload's commit and
 * its unlink, or a fetch's rename and its commit) is taken back as local
 * when its sha256 matches. With `fix`, a missing or damaged recording is
 * restored from a verified remote copy (vrp_fetch() with VRP_FETCH_REPAIR)
 * and the message names the remote.
 */
#ifndef VRP_VERIFY_H
#define VRP_VERIFY_H

#include "vrp/library.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_verify_finding {
	VRP_VERIFY_OK = 0,             /* the file matches its checksum */
	VRP_VERIFY_MISSING = 1,        /* the recording's file is gone (ERR_NOT_FOUND) */
	VRP_VERIFY_CORRUPT = 2,        /* the file no longer matches (ERR_CHECKSUM_MISMATCH) */
	VRP_VERIFY_UNREADABLE = 3,     /* the file could not be read (its I/O error) */
	VRP_VERIFY_ORPHAN_FILE = 4,    /* a file in recordings/raw/ with no recording */
	VRP_VERIFY_STALE_TEMP = 5,     /* an abandoned file in tmp/; removed with `fix` */
	VRP_VERIFY_ASSET_MISSING = 6,  /* a derived asset's file is gone; made again with `fix` */
	VRP_VERIFY_ASSET_MISMATCH = 7, /* its size is not its row's; made again with `fix` */
	VRP_VERIFY_ORPHAN_ASSET = 8,   /* a file under derived/ with no row; removed with `fix` */
	VRP_VERIFY_OFFLOADED = 9,      /* no local file by design: its audio is on remotes */
};

/*
 * "ok", "missing", "corrupt", "unreadable", "orphan_file", "stale_temp",
 * "asset_missing", "asset_mismatch", "orphan_asset", "offloaded".
 */
const char *vrp_verify_finding_to_string(enum vrp_verify_finding finding);

/* One finding; valid only during the callback. */
typedef struct vrp_verify_item {
	enum vrp_verify_finding finding;
	int64_t recording_id; /* 0 for orphan and temporary files */
	const char *path;     /* relative to the library root */
	int error;            /* the VRP_E* code of a problem, 0 when ok */
	const char *message;  /* what is wrong; NULL when ok */
	bool fixed;           /* `fix` removed it (stale temporary files), or restored it */
} vrp_verify_item;

typedef void (*vrp_verify_fn)(void *ctx, const vrp_verify_item *item);

typedef struct vrp_verify_options {
	const int64_t *ids; /* recordings to check; NULL: all, plus the orphan scans */
	size_t id_count;
	/* remove stale temporary files and orphan assets, remake damaged assets, and
	 * restore a missing or damaged recording from a verified remote copy */
	bool fix;
	vrp_verify_fn on_item;
	void *ctx;
	/*
	 * Without ids: continue after the recording where the last pass
	 * stopped (from the start once a pass completed). The orphan and temp
	 * scans run when a pass reaches the end.
	 */
	bool incremental;
	int64_t time_limit_ms; /* stop between two recordings after this long; 0: no limit */
} vrp_verify_options;

typedef struct vrp_verify_summary {
	int64_t checked, ok, missing, corrupt, unreadable, orphan_files, stale_temps, fixed;
	int64_t assets_checked, assets_missing, assets_mismatched, orphan_assets;
	int64_t offloaded; /* recordings whose audio is on remotes only (not a problem) */
	bool stopped;      /* the time limit ended the pass before its end */
} vrp_verify_summary;

/*
 * Runs the check. Returns 0 when it ran (problems are findings, counted in
 * `summary`), or an error that stopped it (e.g. VRP_ENOTFOUND for an id
 * that names no recording, or a database failure).
 */
int vrp_verify(vrp_library *lib, const vrp_verify_options *options, vrp_verify_summary *summary);

/*
 * Runs the scheduled verification that is due: with verify.local_interval
 * set, an incremental pass over the library when the last one started that
 * long ago; with verify.remote_interval, the same for each remote
 * (vrp_verify_remote()); each pass stopped after verify.time_budget. What
 * they find is logged (and, for remote copies, recorded as usual). `*ran`
 * (may be NULL) says whether any pass ran. `vrp worker` calls it when idle.
 */
int vrp_verify_scheduled(vrp_library *lib, bool *ran);

/* True when a summary holds anything wrong that was not fixed. */
bool vrp_verify_summary_has_problems(const vrp_verify_summary *summary);

#ifdef __cplusplus
}
#endif

#endif
