/*
 * tag_repo.h - the SQL of `tags` and `recording_tags` (internal).
 *
 * Names are trimmed of surrounding blanks before use; one that is empty
 * after trimming is VRP_EINVAL. Names match ignoring ASCII case. The schema's
 * triggers keep the search index's tags column in step with every change here.
 */
#ifndef VRP_DB_TAG_REPO_H
#define VRP_DB_TAG_REPO_H

#include "vrp/db.h"
#include "vrp/tag.h"

#include <stdint.h>

/* The id of the tag called `name`, created when there is none; an existing
 * tag keeps its spelling. */
int vrp_tag_repo_ensure(vrp_db *db, const char *name, int64_t *id);

/*
 * Gives recording `recording_id` the tag `name` (created if needed). Adding a
 * tag the recording already has changes nothing. Bumps the recording's
 * modified_at when its tags change. VRP_ENOTFOUND for an unknown recording.
 */
int vrp_tag_repo_add_to_recording(vrp_db *db, int64_t recording_id, const char *name);

/*
 * Takes the tag `name` off the recording. Like adding, this is idempotent:
 * removing a tag the recording lacks (or that does not exist) is not an
 * error, so a UI can apply "untag X" to any selection. The tag itself stays,
 * even unused, until vrp_tag_repo_delete_unused(). Bumps modified_at when
 * something was removed. VRP_ENOTFOUND for an unknown recording.
 */
int vrp_tag_repo_remove_from_recording(vrp_db *db, int64_t recording_id, const char *name);

/* The tags of one recording, sorted; VRP_ENOTFOUND for an unknown recording.
 * The caller frees `*out` with vrp_tag_list_free(). */
int vrp_tag_repo_list_for_recording(vrp_db *db, int64_t recording_id, vrp_tag_list **out);

/* Every tag with its usage count, sorted; the caller frees `*out` with vrp_tag_list_free(). */
int vrp_tag_repo_list_all(vrp_db *db, vrp_tag_list **out);

/*
 * Renames the tag `old_name` to `new_name` on every recording carrying it.
 * A change of case alone is allowed. VRP_ENOTFOUND when there is no tag
 * `old_name`; VRP_EEXISTS when another tag is already called `new_name`
 * (tags are not merged implicitly).
 */
int vrp_tag_repo_rename(vrp_db *db, const char *old_name, const char *new_name);

/* Deletes the tags no recording carries (soft-deleted ones count as carrying);
 * `*deleted` (may be NULL) receives how many went. */
int vrp_tag_repo_delete_unused(vrp_db *db, int64_t *deleted);

#endif
