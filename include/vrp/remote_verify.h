/*
 * remote_verify.h - proving the copies a remote holds.
 *
 * Each copy a remote claims (its recording_remote row is synced) is checked
 * against the catalogue's sha256, by the strongest means the remote offers:
 *   "provider-hash"  the remote's own hash: Drive's and SFTP's (sha256sum
 *                    over exec) sha256, a folder's file hashed in place, or a
 *                    OneDrive QuickXorHash equal to the one recorded when the
 *                    upload was verified against the recording's bytes
 *   "download"       the object streamed here and hashed (nothing is kept),
 *                    with `download` (whatever the remote reports)
 *   "size"           only the length could be compared: recorded, but weaker
 *                    (it does not count towards offload.numcopies)
 * The proof (verified_at, method) is kept per (recording, remote). A copy
 * that is missing or whose bytes differ is reported, loses its proof (so it
 * is not counted), and is queued for upload again when the local audio is
 * there (the next `vrp sync` sends it).
 *
 * A pass walks the remote's copies by recording id and remembers where it
 * stopped; `incremental` starts there (and from the beginning once a pass
 * completed); `time_limit_ms` stops cleanly between two copies.
 */
#ifndef VRP_REMOTE_VERIFY_H
#define VRP_REMOTE_VERIFY_H

#include "vrp/library.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_remote_verify_finding {
	VRP_REMOTE_VERIFY_OK = 0,      /* proven by hash */
	VRP_REMOTE_VERIFY_WEAK = 1,    /* only the size matched (no hash to compare) */
	VRP_REMOTE_VERIFY_MISSING = 2, /* the object is gone (ERR_REMOTE_NOT_FOUND) */
	VRP_REMOTE_VERIFY_CORRUPT =
		3,                   /* other bytes than the recording's (ERR_CHECKSUM_MISMATCH) */
	VRP_REMOTE_VERIFY_ERROR = 4, /* could not be checked now (its error); proof unchanged */
};

/* "ok", "weak", "missing", "corrupt", "error"; NULL outside the enum. */
const char *vrp_remote_verify_finding_to_string(enum vrp_remote_verify_finding finding);

/* One copy checked; valid only during the callback. */
typedef struct vrp_remote_verify_item {
	enum vrp_remote_verify_finding finding;
	int64_t recording_id;
	const char *remote;
	const char *remote_path;
	const char *method; /* "provider-hash", "download", "size"; NULL when not proven */
	int error;          /* VRP_E* of a problem, 0 when ok or weak */
	const char *message;
	bool requeued; /* a missing or corrupt copy was queued for upload again */
} vrp_remote_verify_item;

typedef void (*vrp_remote_verify_fn)(void *ctx, const vrp_remote_verify_item *item);

typedef struct vrp_remote_verify_options {
	const int64_t *ids; /* only these recordings; NULL: every copy on the remote */
	size_t id_count;
	bool incremental;      /* continue where the last pass stopped */
	int64_t time_limit_ms; /* stop after this long; 0: no limit */
	bool download;         /* hash a download even when the remote reports a hash */
	vrp_remote_verify_fn on_item;
	void *ctx;
} vrp_remote_verify_options;

typedef struct vrp_remote_verify_summary {
	int64_t checked, ok, weak, missing, corrupt, errors, requeued;
	bool stopped; /* the time limit stopped the pass before its end */
	bool resumed; /* an incremental pass started after recording `resumed_after` */
	int64_t resumed_after;
} vrp_remote_verify_summary;

/*
 * Verifies the copies on remote `remote`. Returns 0 when it ran (problems
 * are findings, counted in `summary`), VRP_ENOTFOUND for an unknown remote,
 * or the error that stopped it (the remote unreachable, the database).
 */
int vrp_verify_remote(vrp_library *lib, const char *remote,
		      const vrp_remote_verify_options *options, vrp_remote_verify_summary *summary);

#ifdef __cplusplus
}
#endif

#endif
