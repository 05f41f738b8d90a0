/*
 * purge.h - removing recordings for good: the file, its derived assets and
 * its row, with an audit entry. Nothing else in vrp deletes a recording's
 * file; `vrp rm` only marks it deleted.
 */
#ifndef VRP_PURGE_H
#define VRP_PURGE_H

#include "vrp/library.h"
#include "vrp/recording.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Purges recording `id`, whatever its status. The row and the audit entry
 * commit first, naming the files still to remove; then the files are
 * removed. If a file cannot be removed the error is returned (the recording
 * is gone from the catalogue) and the next open of the library tries again,
 * as it does after a purge killed between its commit and its removals.
 */
int vrp_purge_recording(vrp_library *lib, int64_t id);

/* Called after each recording a bulk purge handles: `error` is 0 when it was purged. */
typedef void (*vrp_purge_fn)(void *ctx, const vrp_recording *rec, int error, const char *message);

/*
 * The recordings vrp_purge_deleted_before() with the same arguments would
 * purge now, for a confirmation prompt; caller frees `*out` with
 * vrp_recording_list_free().
 */
int vrp_purge_candidates(vrp_library *lib, const char *before, bool by_policy,
			 vrp_recording_list **out);

/*
 * Purges every soft-deleted recording whose deleted_at is before `before`
 * (ISO-8601 UTC text; a date like "2026-01-01" works). With `by_policy`,
 * recordings whose retention_policy is "keep" are left alone, as a retention
 * sweep must. `*purged` (may be NULL) receives how many were purged.
 */
int vrp_purge_deleted_before(vrp_library *lib, const char *before, bool by_policy,
			     vrp_purge_fn on_each, void *ctx, int64_t *purged);

#ifdef __cplusplus
}
#endif

#endif
