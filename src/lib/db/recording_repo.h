/*
 * recording_repo.h - the SQL of the `recordings` table (internal).
 *
 * Records come back fully loaded, tags included, owned by the caller (free
 * with vrp_recording_free / vrp_recording_list_free / vrp_search_results_free).
 * A missing recording is VRP_ENOTFOUND; a bad argument is VRP_EINVAL.
 */
#ifndef VRP_DB_RECORDING_REPO_H
#define VRP_DB_RECORDING_REPO_H

#include "vrp/db.h"
#include "vrp/recording.h"
#include "vrp/search.h"

#include <stddef.h>
#include <stdint.h>

/*
 * Inserts `rec` and sets rec->id. Fields the caller left NULL get their
 * defaults written back into `rec`: uuid (a new v4), created_at and
 * modified_at (now), title and description (""), ingest_source ("local"),
 * and deleted_at (now) when the status is deleted. original_filename,
 * stored_filename, local_path, mime_type and checksum are required. Zero
 * sample_rate, channels and bit_depth are stored as unknown (NULL).
 * rec->tags is ignored: tags are added with vrp_tag_repo_add_to_recording().
 * A recording with the same checksum (or uuid, stored name, path) already in
 * the catalogue gives VRP_EEXISTS.
 */
int vrp_recording_repo_insert(vrp_db *db, vrp_recording *rec);

/* Reads one recording with its tags into `*out`; VRP_ENOTFOUND when absent. */
int vrp_recording_repo_get_by_id(vrp_db *db, int64_t id, vrp_recording **out);
int vrp_recording_repo_get_by_uuid(vrp_db *db, const char *uuid, vrp_recording **out);
int vrp_recording_repo_get_by_checksum(vrp_db *db, const char *checksum, vrp_recording **out);
/* The one recording whose uuid starts with lower-case hex `prefix`; VRP_ENOTFOUND when none or
 * several do. */
int vrp_recording_repo_get_by_uuid_prefix(vrp_db *db, const char *prefix, vrp_recording **out);

/*
 * Replaces the title and/or the description; NULL leaves a field as it is
 * (both NULL is VRP_EINVAL). Bumps modified_at; the search index follows.
 */
int vrp_recording_repo_update_text(vrp_db *db, int64_t id, const char *title,
				   const char *description);

/*
 * Moves a recording to `status` and bumps modified_at. Deleting sets
 * deleted_at to now, except that an already deleted recording keeps its
 * first deleted_at (so re-deleting does not postpone a purge); any other
 * status clears it.
 */
int vrp_recording_repo_set_status(vrp_db *db, int64_t id, enum vrp_recording_status status);

/*
 * Records the outcome of a verification: `integrity` and `verified_at`
 * (NULL means now). modified_at is left alone: checking a file does not
 * change the recording.
 */
int vrp_recording_repo_set_integrity(vrp_db *db, int64_t id, enum vrp_integrity integrity,
				     const char *verified_at);

/*
 * Sets modified_at (ISO time) as it was elsewhere: for a recording pulled
 * from another device, whose tags were added after its row.
 */
int vrp_recording_repo_set_modified_at(vrp_db *db, int64_t id, const char *modified_at);

/*
 * Marks the local audio as let go (`offloaded_at`, ISO time) or, with NULL,
 * back in the library. modified_at is left alone: the recording is the same.
 */
int vrp_recording_repo_set_offloaded(vrp_db *db, int64_t id, const char *offloaded_at);

/*
 * Removes the row for good (for a purge, after its file is gone): its tags
 * links, remote states and derived assets go with it; sync tasks keep a NULL
 * recording_id. VRP_ENOTFOUND when absent.
 */
int vrp_recording_repo_delete(vrp_db *db, int64_t id);

/* One page of recordings matching `filter` (NULL: all defaults); see vrp_recording_filter. */
int vrp_recording_repo_list(vrp_db *db, const vrp_recording_filter *filter,
			    vrp_recording_list **out);

/* How many recordings match `filter`, ignoring its sort, limit and cursor. */
int vrp_recording_repo_count(vrp_db *db, const vrp_recording_filter *filter, int64_t *out);

/*
 * Soft-deleted recordings whose deleted_at is before `before` (ISO text),
 * oldest deletion first, all of them (next_cursor is 0): what a purge removes.
 */
int vrp_recording_repo_list_deleted_before(vrp_db *db, const char *before,
					   vrp_recording_list **out);

/*
 * The ids of the recordings in `integrity` state, ascending, into a malloc'd
 * array `*ids` (NULL when `*count` is 0) that the caller frees.
 */
int vrp_recording_repo_list_ids_by_integrity(vrp_db *db, enum vrp_integrity integrity,
					     int64_t **ids, size_t *count);

/*
 * Full-text search over title, description and tags (see search.h for the
 * query language). A query with no words is VRP_EINVAL; a query whose words
 * are all punctuation matches nothing. `options` may be NULL.
 */
int vrp_recording_repo_search(vrp_db *db, const char *query, const vrp_search_options *options,
			      vrp_search_results **out);

#endif
