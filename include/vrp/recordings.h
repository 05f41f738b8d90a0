/*
 * recordings.h - browsing and editing the recordings of a library: look up,
 * list, search, edit, and move between active, archived and deleted.
 *
 * These are the calls a GUI or the CLI makes; each is one transaction.
 * Records returned are owned by the caller (free with vrp_recording_free,
 * vrp_recording_list_free, vrp_search_results_free). Nothing here touches the
 * files on disk: soft delete keeps the file until vrp_recording_purge().
 */
#ifndef VRP_RECORDINGS_H
#define VRP_RECORDINGS_H

#include "vrp/library.h"
#include "vrp/recording.h"
#include "vrp/search.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Finds a recording by its numeric id ("42") or its uuid (36 characters,
 * any case). VRP_ENOTFOUND names what was looked for; text that is neither
 * an id nor a uuid is VRP_EINVAL.
 */
int vrp_recordings_find(vrp_library *lib, const char *id_or_uuid, vrp_recording **out);

/* One page of recordings; `filter` may be NULL (see vrp_recording_filter). */
int vrp_recordings_list(vrp_library *lib, const vrp_recording_filter *filter,
			vrp_recording_list **out);

/* How many recordings match `filter`, ignoring its paging. */
int vrp_recordings_count(vrp_library *lib, const vrp_recording_filter *filter, int64_t *out);

/* Full-text search over title, description and tags; see vrp_search_options. */
int vrp_recordings_search(vrp_library *lib, const char *query, const vrp_search_options *options,
			  vrp_search_results **out);

/* What vrp_recordings_edit() changes; NULL / 0 members change nothing. */
typedef struct vrp_recording_edit {
	const char *title;
	const char *description;
	const char *const *add_tags;
	size_t add_tag_count;
	const char *const *remove_tags;
	size_t remove_tag_count;
} vrp_recording_edit;

/*
 * Applies `edit` to recording `id` in one transaction (all or nothing),
 * bumping modified_at and keeping the search index in step. An edit that
 * changes nothing is VRP_EINVAL.
 */
int vrp_recordings_edit(vrp_library *lib, int64_t id, const vrp_recording_edit *edit);

/*
 * Moves recording `id` to `status`: VRP_RECORDING_DELETED is the soft delete
 * (`vrp rm`), ACTIVE restores, ARCHIVED archives (VRP_EINVAL for a deleted
 * recording: restore it first). Deleting and restoring are written to the
 * audit log. The file on disk is never touched.
 */
int vrp_recordings_set_status(vrp_library *lib, int64_t id, enum vrp_recording_status status);

#ifdef __cplusplus
}
#endif

#endif
