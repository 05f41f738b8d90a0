/*
 * sync_mapped.h - what the reconciliation commands (check, pull) share: the
 * objects a library's rows point at on one remote, as sorted tables to look
 * listed objects up in, the walk over the remote's listing, and which
 * failures end a run rather than one object (internal).
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
	char *remote_id;       /* NULL for a row mapped by path alone */
	char *remote_checksum; /* the provider's checksum recorded when the copy was verified */
	int64_t recording_id;
	vrp_sync_status status;
	bool seen; /* the listing had an object at this path */
	vrp_upload_variant variant;
	char *content_sha256; /* a compressed object's bytes: their sha256 and size */
	int64_t content_size;
};

struct sync_mapped {
	struct sync_mapped_row *rows; /* sorted by remote_path */
	size_t count;
	struct sync_mapped_row **by_id; /* the rows with a remote_id, sorted by it */
	size_t id_count;
};

/* Loads every row of `remote` with a remote_path, page by page. Free with sync_mapped_clear(). */
int sync_mapped_load(vrp_db *db, const char *remote, struct sync_mapped *out);

/*
 * The row mapped to the listed object, or NULL. By remote id wherever the
 * row and the object have one: a provider such as Drive can hold two
 * objects under one path, and each is its own row's. By path only for a row
 * without an id, or an object the provider gives no id.
 */
struct sync_mapped_row *sync_mapped_find(const struct sync_mapped *mapped,
					 const vrp_remote_object *object);

void sync_mapped_clear(struct sync_mapped *mapped);

/*
 * Calls `fn` with every object in the remote's app folder, page by page of
 * `page_size`; stops at the first non-zero return (listing or `fn`) and returns it.
 */
int sync_each_remote_object(vrp_provider *provider, size_t page_size,
			    int (*fn)(void *ctx, const vrp_remote_object *object), void *ctx);

/*
 * Whether `code` ends a whole pull or check (the remote or the library is
 * unusable: auth, unreachable, full disk, database, memory, cancelled).
 * Anything else one object's download, import or comparison returns is
 * that object's failure: it is reported and the run goes on.
 */
bool sync_run_failure(int code);

#endif
