/*
 * sync_pull_fetch.h - the downloads of a pull, several at once (internal).
 *
 * Each download runs on a thread of its own with a provider instance of its
 * own (an instance serves one thread at a time), reads the object's kept
 * metadata, and downloads into a folder of its own under the pull's tmp
 * folder, verified against the listed sha256 or else the metadata's. The
 * caller, on its one thread, submits objects, takes finished downloads
 * back in the order they were submitted and imports them; nothing here
 * touches the database.
 */
#ifndef VRP_SERVICES_SYNC_PULL_FETCH_H
#define VRP_SERVICES_SYNC_PULL_FETCH_H

#include "vrp/provider.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One finished download. Free with pull_fetched_free(). */
struct pull_fetched {
	vrp_remote_object *object; /* a copy of the object submitted */
	char *local;               /* the downloaded file; NULL when it failed */
	char *metadata;            /* the object's kept metadata (JSON), or NULL */
	bool listed;               /* the sha256 came with the listing (checked before) */
	int rc;                    /* 0 or why it failed */
	char *message;             /* the failure's message, else NULL */
	char *dir;                 /* the download's own folder (removed on free) */
};

/* Removes the download and its folder, then frees; NULL is a no-op. */
void pull_fetched_free(struct pull_fetched *fetched);

struct pull_fetcher;

/*
 * Starts one thread per provider in `providers` (`count` of them, taken
 * whatever the result), downloading into folders under `tmpdir` (copied).
 */
int pull_fetcher_new(struct pull_fetcher **out, vrp_provider **providers, size_t count,
		     const char *tmpdir);

/*
 * Queues a download of `object` (copied) as local file `name` (one safe path
 * component); `sha256` is the listed one, or NULL.
 */
int pull_fetcher_submit(struct pull_fetcher *fetcher, const vrp_remote_object *object,
			const char *sha256, const char *name);

/* Downloads submitted and not yet taken back. */
size_t pull_fetcher_pending(const struct pull_fetcher *fetcher);

/* Whether submitting more should wait until one is taken back. */
bool pull_fetcher_full(const struct pull_fetcher *fetcher);

/*
 * The next finished download in submission order, or NULL when it did not
 * finish within `wait_ms` (0: do not wait) or none is pending.
 */
struct pull_fetched *pull_fetcher_take(struct pull_fetcher *fetcher, int64_t wait_ms);

/*
 * The first run-level failure of a download (auth, the remote gone, the
 * disk full), recorded again as the calling thread's last error; 0 when
 * none. The downloads cancelled after it end with VRP_ECANCELLED.
 */
int pull_fetcher_failure(struct pull_fetcher *fetcher);

/* Bytes downloaded so far, over every download. */
int64_t pull_fetcher_bytes(const struct pull_fetcher *fetcher);

/* Ends the downloads under way (VRP_ECANCELLED) and starts no more. */
void pull_fetcher_cancel(struct pull_fetcher *fetcher);

/* Cancels, joins the threads, frees what was never taken back, and the providers. */
void pull_fetcher_free(struct pull_fetcher *fetcher);

#endif
