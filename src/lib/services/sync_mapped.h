/*
 * sync_mapped.h - what the reconciliation commands (check, pull) share: the
 * remote paths a library's rows point at on one remote, as a sorted table to
 * look objects up in, and the walk over the remote's listing (internal).
 */
#ifndef VRP_SERVICES_SYNC_MAPPED_H
#define VRP_SERVICES_SYNC_MAPPED_H

#include "vrp/db.h"
#include "vrp/provider.h"
#include "vrp/remote.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sync_mapped_row {
	char *remote_path;
	int64_t recording_id;
	vrp_sync_status status;
	bool seen; /* the listing had an object at this path */
};

struct sync_mapped {
	struct sync_mapped_row *rows; /* sorted by remote_path */
	size_t count;
};

/* Loads every row of `remote` with a remote_path, page by page. Free with sync_mapped_clear(). */
int sync_mapped_load(vrp_db *db, const char *remote, struct sync_mapped *out);

/* The row mapped to `path`, or NULL. */
struct sync_mapped_row *sync_mapped_find(const struct sync_mapped *mapped, const char *path);

void sync_mapped_clear(struct sync_mapped *mapped);

/*
 * Calls `fn` with every object in the remote's app folder, page by page of
 * `page_size`; stops at the first non-zero return (listing or `fn`) and returns it.
 */
int sync_each_remote_object(vrp_provider *provider, size_t page_size,
			    int (*fn)(void *ctx, const vrp_remote_object *object), void *ctx);

#endif
