/*
 * remote_repo.h - the SQL of the remotes and recording_remote tables (internal).
 *
 * Timestamps written here are the current time (vrp_time_now_iso). Renaming
 * or deleting a remote reaches its recording_remote rows and sync tasks
 * through the schema's ON UPDATE / ON DELETE CASCADE.
 */
#ifndef VRP_DB_REMOTE_REPO_H
#define VRP_DB_REMOTE_REPO_H

#include "vrp/db.h"
#include "vrp/remote.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Adds a remote. VRP_EEXISTS when the name is taken, VRP_EINVAL for an empty
 * name or provider. `*out` (may be NULL) receives the new row; the caller
 * frees it with vrp_remote_free().
 */
int vrp_remote_repo_insert(vrp_db *db, const char *name, const char *provider_key,
			   vrp_remote **out);

/* The remote called `name` into `*out` (caller frees); VRP_ENOTFOUND when none. */
int vrp_remote_repo_get_by_name(vrp_db *db, const char *name, vrp_remote **out);

/* Every remote, by name, into `*out` (caller frees with vrp_remote_list_free). */
int vrp_remote_repo_list(vrp_db *db, vrp_remote_list **out);

/*
 * Renames a remote; its recording_remote rows and sync tasks follow.
 * VRP_ENOTFOUND when `old_name` does not exist, VRP_EEXISTS when `new_name` does.
 */
int vrp_remote_repo_rename(vrp_db *db, const char *old_name, const char *new_name);

/*
 * Deletes a remote together with its recording_remote rows and sync tasks
 * (the schema cascades). VRP_ENOTFOUND when there is no such remote.
 */
int vrp_remote_repo_delete(vrp_db *db, const char *name);

/*
 * Pauses remote `name` with `reason` (kept with the time it was first
 * paused), or resumes it when `reason` is NULL. VRP_ENOTFOUND when absent.
 */
int vrp_remote_repo_set_paused(vrp_db *db, const char *name, const char *reason);

/*
 * The cursor of remote `name`'s change feed (malloc'd into `*out`, NULL when
 * none is kept), and setting it (NULL forgets it). VRP_ENOTFOUND when there
 * is no such remote.
 */
int vrp_remote_repo_get_change_cursor(vrp_db *db, const char *name, char **out);
int vrp_remote_repo_set_change_cursor(vrp_db *db, const char *name, const char *cursor);

/*
 * The state of a recording on a remote, creating it as 'unsynced' (with the
 * remote's provider_key) when there is none yet; calling it again returns the
 * existing row unchanged. VRP_ENOTFOUND when the recording or the remote does
 * not exist. `*out` (may be NULL) receives the row; the caller frees it.
 */
int vrp_recording_remote_repo_ensure(vrp_db *db, int64_t recording_id, const char *remote,
				     vrp_recording_remote **out);

/* The state of a recording on a remote into `*out` (caller frees); VRP_ENOTFOUND when none. */
int vrp_recording_remote_repo_get(vrp_db *db, int64_t recording_id, const char *remote,
				  vrp_recording_remote **out);

/*
 * Sets the sync status of an existing row (see ensure). `error_code` and
 * `error_message` are stored as given (NULL clears them), except that
 * VRP_SYNC_SYNCED always clears them and failed_at. VRP_SYNC_FAILED and
 * VRP_SYNC_QUOTA_EXCEEDED also set failed_at and count an attempt.
 * VRP_ENOTFOUND when there is no row, VRP_EINVAL for a status outside the enum.
 */
int vrp_recording_remote_repo_set_status(vrp_db *db, int64_t recording_id, const char *remote,
					 vrp_sync_status status, const char *error_code,
					 const char *error_message);

/* What a successful transfer left on the remote; each field may be NULL. */
struct vrp_remote_mark {
	const char *remote_id;
	const char *remote_path;
	const char *etag;
	const char *checksum;
	const char *verification; /* how the copy was checked (vrp_remote_object.verification) */
	/* A compressed object's bytes: their sha256 (NULL for an original) and size. */
	const char *content_sha256;
	int64_t content_size;
};

/*
 * Records a successful transfer: status 'synced', last_synced_at now, the
 * remote object's id, path, etag, checksum and verification, and no error.
 * VRP_ENOTFOUND when there is no row.
 */
int vrp_recording_remote_repo_mark_synced(vrp_db *db, int64_t recording_id, const char *remote,
					  const struct vrp_remote_mark *mark);

/*
 * Forgets the remote object after it was deleted there: status 'unsynced',
 * no remote id/path/etag/checksum, no error. last_synced_at and attempts are
 * kept as history. VRP_ENOTFOUND when there is no row.
 */
int vrp_recording_remote_repo_clear_mapping(vrp_db *db, int64_t recording_id, const char *remote);

/* The recording's state on every remote that has a row, by remote name (caller frees). */
int vrp_recording_remote_repo_list_for_recording(vrp_db *db, int64_t recording_id,
						 vrp_recording_remote_list **out);

/*
 * Up to `limit` rows of `remote` in `status`, by id, starting after id
 * `after_id` (0 for the first page; pass the last item's id for the next).
 * Only existing rows: a recording with no row for the remote is not listed
 * even for VRP_SYNC_UNSYNCED. VRP_EINVAL for limit <= 0 or a bad status.
 */
int vrp_recording_remote_repo_list_by_status(vrp_db *db, const char *remote, vrp_sync_status status,
					     int limit, int64_t after_id,
					     vrp_recording_remote_list **out);

/*
 * Up to `limit` rows of `remote` that know where their object is (remote_path
 * set), whatever their status, by id after `after_id`. The reconciliation
 * commands use it to tell our objects from foreign ones. VRP_EINVAL for an
 * empty remote or limit <= 0.
 */
int vrp_recording_remote_repo_list_mapped(vrp_db *db, const char *remote, int limit,
					  int64_t after_id, vrp_recording_remote_list **out);

/*
 * How many recordings are in each status on `remote`. A recording with no row
 * for the remote counts as unsynced. Soft-deleted recordings are left out:
 * they are not meant to be on any remote. VRP_ENOTFOUND for an unknown remote.
 */
int vrp_recording_remote_repo_count_by_status(vrp_db *db, const char *remote,
					      vrp_sync_status_counts *out);

/*
 * The ids of the recordings that are not deleted, not offloaded (there is
 * no local file to send) and not synced on `remote` (no row counts as unsynced), ascending, into a
 * malloc'd `*ids` (caller frees; NULL when there are none). VRP_ENOTFOUND for an unknown remote.
 */
int vrp_recording_remote_repo_list_unsynced_ids(vrp_db *db, const char *remote, int64_t **ids,
						size_t *count);

/*
 * The ids of the offloaded recordings synced on `remote` (their audio lives
 * on remotes only), ascending, as list_unsynced_ids gives them.
 */
int vrp_recording_remote_repo_list_offloaded_ids(vrp_db *db, const char *remote, int64_t **ids,
						 size_t *count);

/*
 * Records that `vrp verify --remote` proved the copy now: `method` is
 * "provider-hash", "download" or "size". Cleared
 * again by any status but 'synced', by mark_synced and by clear_mapping.
 * VRP_ENOTFOUND when there is no row.
 */
int vrp_recording_remote_repo_set_proof(vrp_db *db, int64_t recording_id, const char *remote,
					const char *method);

/*
 * Forgets the proof of the copy (verified_at, verify_method), keeping the
 * mapping: a copy that may still be good but was not shown to be (its
 * downloads kept arriving damaged). VRP_ENOTFOUND when there is no row.
 */
int vrp_recording_remote_repo_clear_proof(vrp_db *db, int64_t recording_id, const char *remote);

/*
 * Up to `limit` rows of `remote` that claim an object there (synced or
 * conflict, with a remote_path), by recording id after `after_id`: what
 * remote verification walks. VRP_EINVAL for limit <= 0.
 */
int vrp_recording_remote_repo_list_synced_after(vrp_db *db, const char *remote, int64_t after_id,
						int limit, vrp_recording_remote_list **out);

/*
 * The functions above keyed by (recording, remote) act on the row of the
 * recording's original. These act on the row of `variant`; the same
 * contracts, and VRP_EINVAL for a variant outside the enum.
 */
int vrp_recording_remote_repo_get_variant(vrp_db *db, int64_t recording_id, const char *remote,
					  vrp_upload_variant variant, vrp_recording_remote **out);
int vrp_recording_remote_repo_ensure_variant(vrp_db *db, int64_t recording_id, const char *remote,
					     vrp_upload_variant variant,
					     vrp_recording_remote **out);
int vrp_recording_remote_repo_set_status_variant(vrp_db *db, int64_t recording_id,
						 const char *remote, vrp_upload_variant variant,
						 vrp_sync_status status, const char *error_code,
						 const char *error_message);
int vrp_recording_remote_repo_mark_synced_variant(vrp_db *db, int64_t recording_id,
						  const char *remote, vrp_upload_variant variant,
						  const struct vrp_remote_mark *mark);
int vrp_recording_remote_repo_clear_mapping_variant(vrp_db *db, int64_t recording_id,
						    const char *remote, vrp_upload_variant variant);
int vrp_recording_remote_repo_count_by_status_variant(vrp_db *db, const char *remote,
						      vrp_upload_variant variant,
						      vrp_sync_status_counts *out);

/*
 * Whether recording `recording_id` must go to `remote` as `variant`: it is
 * not deleted, and not synced there, or (compressed) synced with bytes
 * other than the library's current Opus copy (derived_assets.sha256).
 */
int vrp_recording_remote_repo_needs_upload(vrp_db *db, int64_t recording_id, const char *remote,
					   vrp_upload_variant variant, bool *needs);

/* list_unsynced_ids for `variant`, by needs_upload's rule. */
int vrp_recording_remote_repo_list_needing_upload(vrp_db *db, const char *remote,
						  vrp_upload_variant variant, int64_t **ids,
						  size_t *count);

#endif
