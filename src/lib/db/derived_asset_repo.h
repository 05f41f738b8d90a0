/*
 * derived_asset_repo.h - the SQL of derived_assets (internal).
 *
 * Rows only: making, moving and deleting the files is the services' job; this
 * repository tells them which paths a recording's assets occupy.
 */
#ifndef VRP_DB_DERIVED_ASSET_REPO_H
#define VRP_DB_DERIVED_ASSET_REPO_H

#include "vrp/db.h"
#include "vrp/derived_asset.h"

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

/* What an asset is made of; strings are borrowed for the duration of the call. */
struct vrp_derived_asset_spec {
	int64_t recording_id;
	enum vrp_derived_kind kind;
	const char *path;              /* required, unique across all assets */
	const char *mime_type;         /* may be NULL */
	int64_t size_bytes;            /* >= 0 */
	const char *generator;         /* required */
	const char *generator_version; /* required */
	const char *source_checksum;   /* 64 hex digits */
	const char *sha256;            /* the file's own, 64 hex digits; NULL when not known */
};

/*
 * Records the asset of `spec->kind` for `spec->recording_id`, replacing the
 * one there was (same id, every other column overwritten, created_at = now).
 * `*out` (may be NULL) receives the stored row; the caller frees it with
 * vrp_derived_asset_free(). VRP_EINVAL for a bad spec, VRP_ENOTFOUND when the
 * recording does not exist, VRP_EEXISTS when another asset already has `path`.
 */
int vrp_derived_asset_repo_upsert(vrp_db *db, const struct vrp_derived_asset_spec *spec,
				  vrp_derived_asset **out);

/* The asset of `kind` for a recording; VRP_ENOTFOUND when there is none. Caller frees `*out`. */
int vrp_derived_asset_repo_get(vrp_db *db, int64_t recording_id, enum vrp_derived_kind kind,
			       vrp_derived_asset **out);

/*
 * Every asset of a recording, in kind order (an empty list when none, or when
 * the recording does not exist). Caller frees `*out` with vrp_derived_asset_list_free().
 */
int vrp_derived_asset_repo_list_for_recording(vrp_db *db, int64_t recording_id,
					      vrp_derived_asset_list **out);

/* Forgets the asset of `kind` for a recording; VRP_ENOTFOUND when there was none. */
int vrp_derived_asset_repo_delete(vrp_db *db, int64_t recording_id, enum vrp_derived_kind kind);

/* Forgets every asset of a recording; `*deleted` (may be NULL) receives how many. */
int vrp_derived_asset_repo_delete_for_recording(vrp_db *db, int64_t recording_id, int64_t *deleted);

/*
 * The assets made by `generator` that must be made again: their source
 * checksum differs from their recording's checksum, or their generator
 * version differs from `current_version`. Recordings of every status count
 * (a trashed recording may be restored). Ordered by id; keyset pagination:
 * only ids greater than `after_id` (0 from the start), at most `limit` rows
 * (0 for no limit). VRP_EINVAL for an empty generator or version or a
 * negative limit or cursor. Caller frees `*out` with vrp_derived_asset_list_free().
 */
int vrp_derived_asset_repo_list_stale(vrp_db *db, const char *generator,
				      const char *current_version, int64_t after_id, int limit,
				      vrp_derived_asset_list **out);

/*
 * The paths of a recording's assets, in kind order, as a NULL-terminated
 * malloc'd array (just { NULL } when there are none); `*count` (may be NULL)
 * receives how many. Services read it before a purge so they can delete the
 * files once the rows are gone. Free with vrp_derived_asset_repo_paths_free().
 */
int vrp_derived_asset_repo_list_paths_for_recording(vrp_db *db, int64_t recording_id, char ***paths,
						    size_t *count);

/* Frees a NULL-terminated array of strings and the strings; NULL is a no-op. */
void vrp_derived_asset_repo_paths_free(char **paths);

/* Whether an asset row names `path` (relative to the library root). */
int vrp_derived_asset_repo_path_exists(vrp_db *db, const char *path, bool *out);

#endif
