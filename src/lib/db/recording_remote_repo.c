/* recording_remote_repo.c - the SQL of the recording_remote table (declared in remote_repo.h). */
#include "db/remote_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/db_internal.h"

#include <stdlib.h>

#define STATE_COLUMNS                                                                              \
	"id, recording_id, sync_status, attempts, remote, provider_key, remote_id, remote_path, "  \
	"remote_etag, remote_checksum, last_synced_at, error_code, error_message, failed_at, "     \
	"created_at, modified_at, verification, verified_at, verify_method, variant, content_sha256, "  \
	"content_size"

static int read_state(sqlite3_stmt *stmt, vrp_recording_remote **out)
{
	vrp_recording_remote *s = calloc(1, sizeof(*s));
	if (!s)
		return vrp_error_oom();
	s->id = sqlite3_column_int64(stmt, 0);
	s->recording_id = sqlite3_column_int64(stmt, 1);
	int rc = vrp_sync_status_from_string((const char *)sqlite3_column_text(stmt, 2),
					     &s->sync_status);
	s->attempts = sqlite3_column_int64(stmt, 3);
	char **const texts[] = { &s->remote,         &s->provider_key, &s->remote_id,
				 &s->remote_path,    &s->remote_etag,  &s->remote_checksum,
				 &s->last_synced_at, &s->error_code,   &s->error_message,
				 &s->failed_at,      &s->created_at,   &s->modified_at,
				 &s->verification,   &s->verified_at,  &s->verify_method };
	for (size_t i = 0; rc == 0 && i < sizeof(texts) / sizeof(*texts); i++)
		rc = vrp_db_column_strdup(stmt, (int)i + 4, texts[i]);
	if (rc == 0)
		rc = vrp_upload_variant_from_string((const char *)sqlite3_column_text(stmt, 19),
						    &s->variant);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 20, &s->content_sha256);
	s->content_size =
		sqlite3_column_type(stmt, 21) == SQLITE_NULL ? -1 : sqlite3_column_int64(stmt, 21);
	if (rc < 0) {
		vrp_recording_remote_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

static int check_key(int64_t recording_id, const char *remote, vrp_upload_variant variant)
{
	if (!vrp_upload_variant_to_string(variant))
		return vrp_error_set(VRP_EINVAL, "invalid upload variant %d", (int)variant);
	if (recording_id <= 0)
		return vrp_error_set(VRP_EINVAL, "invalid recording id %lld",
				     (long long)recording_id);
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "the remote name must not be empty");
	return 0;
}

static int no_row(int64_t recording_id, const char *remote, vrp_upload_variant variant)
{
	if (variant != VRP_VARIANT_ORIGINAL)
		return vrp_error_set(
			VRP_ENOTFOUND,
			"recording %lld has no sync state of its %s copy on remote '%s'",
			(long long)recording_id, vrp_upload_variant_to_string(variant), remote);
	return vrp_error_set(VRP_ENOTFOUND, "recording %lld has no sync state on remote '%s'",
			     (long long)recording_id, remote);
}

/* Binds the key: ?1 = recording_id, ?2 = remote, ?9 = variant (when the statement has it). */
static void bind_key(sqlite3_stmt *stmt, int64_t recording_id, const char *remote,
		     vrp_upload_variant variant)
{
	sqlite3_bind_int64(stmt, 1, recording_id);
	sqlite3_bind_text(stmt, 2, remote, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(stmt) >= 9)
		sqlite3_bind_text(stmt, 9, vrp_upload_variant_to_string(variant), -1,
				  SQLITE_STATIC);
}

static int prepare_keyed(vrp_db *db, sqlite3_stmt **stmt, const char *sql, int64_t recording_id,
			 const char *remote, vrp_upload_variant variant)
{
	int rc = vrp_db_prepare(db, stmt, sql);
	if (rc == 0)
		bind_key(*stmt, recording_id, remote, variant);
	return rc;
}

int vrp_recording_remote_repo_get_variant(vrp_db *db, int64_t recording_id, const char *remote,
					  vrp_upload_variant variant, vrp_recording_remote **out)
{
	*out = NULL;
	int rc = check_key(recording_id, remote, variant);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = prepare_keyed(db, &stmt,
			   "SELECT " STATE_COLUMNS " FROM recording_remote "
			   "WHERE recording_id = ?1 AND remote = ?2 AND variant = ?9",
			   recording_id, remote, variant);
	if (rc == 0)
		rc = vrp_db_step(db, stmt, "cannot read a recording's sync state");
	if (rc == 1)
		rc = read_state(stmt, out);
	else if (rc == 0)
		rc = no_row(recording_id, remote, variant);
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_recording_remote_repo_get(vrp_db *db, int64_t recording_id, const char *remote,
				  vrp_recording_remote **out)
{
	return vrp_recording_remote_repo_get_variant(db, recording_id, remote, VRP_VARIANT_ORIGINAL,
						     out);
}

/* Names the missing side, so "no such remote" is not reported as a database error. */
static int check_both_exist(vrp_db *db, int64_t recording_id, const char *remote)
{
	sqlite3_stmt *stmt = NULL;
	int rc = prepare_keyed(db, &stmt,
			       "SELECT EXISTS (SELECT 1 FROM recordings WHERE id = ?1), "
			       "EXISTS (SELECT 1 FROM remotes WHERE name = ?2)",
			       recording_id, remote, VRP_VARIANT_ORIGINAL);
	if (rc == 0)
		rc = vrp_db_step(db, stmt, "cannot look up a recording and a remote");
	if (rc == 1) {
		rc = 0;
		if (!sqlite3_column_int(stmt, 0))
			rc = vrp_error_set(VRP_ENOTFOUND, "no recording with id %lld",
					   (long long)recording_id);
		else if (!sqlite3_column_int(stmt, 1))
			rc = vrp_error_set(VRP_ENOTFOUND, "no remote named '%s'", remote);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_recording_remote_repo_ensure_variant(vrp_db *db, int64_t recording_id, const char *remote,
					     vrp_upload_variant variant, vrp_recording_remote **out)
{
	if (out)
		*out = NULL;
	int rc = check_key(recording_id, remote, variant);
	if (rc == 0)
		rc = check_both_exist(db, recording_id, remote);
	if (rc < 0)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	/* DO NOTHING keeps an existing row as it is: ensure must never reset a
	 * recording that is already synced back to 'unsynced'. */
	rc = prepare_keyed(
		db, &stmt,
		"INSERT INTO recording_remote (recording_id, remote, variant, provider_key, "
		"created_at, modified_at) "
		"SELECT ?1, name, ?9, provider_key, ?3, ?3 FROM remotes WHERE name = ?2 "
		"ON CONFLICT (recording_id, remote, variant) DO NOTHING",
		recording_id, remote, variant);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
		rc = vrp_db_step_done(db, stmt, "cannot record a recording's sync state");
	}
	sqlite3_finalize(stmt);
	if (rc == 0 && out)
		rc = vrp_recording_remote_repo_get_variant(db, recording_id, remote, variant, out);
	return rc;
}

int vrp_recording_remote_repo_ensure(vrp_db *db, int64_t recording_id, const char *remote,
				     vrp_recording_remote **out)
{
	return vrp_recording_remote_repo_ensure_variant(db, recording_id, remote,
							VRP_VARIANT_ORIGINAL, out);
}

/* Runs an UPDATE keyed by ?1/?2/?9 whose ?3 is the current time; VRP_ENOTFOUND when no row. */
static int update_keyed(vrp_db *db, sqlite3_stmt *stmt, int64_t recording_id, const char *remote,
			vrp_upload_variant variant)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	bind_key(stmt, recording_id, remote, variant);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
	int rc = vrp_db_step_done(db, stmt, "cannot update a recording's sync state");
	if (rc == 0 && vrp_db_changes(db) == 0)
		rc = no_row(recording_id, remote, variant);
	return rc;
}

int vrp_recording_remote_repo_set_status(vrp_db *db, int64_t recording_id, const char *remote,
					 vrp_sync_status status, const char *error_code,
					 const char *error_message)
{
	return vrp_recording_remote_repo_set_status_variant(
		db, recording_id, remote, VRP_VARIANT_ORIGINAL, status, error_code, error_message);
}

int vrp_recording_remote_repo_set_status_variant(vrp_db *db, int64_t recording_id,
						 const char *remote, vrp_upload_variant variant,
						 vrp_sync_status status, const char *error_code,
						 const char *error_message)
{
	int rc = check_key(recording_id, remote, variant);
	if (rc < 0)
		return rc;
	const char *name = vrp_sync_status_to_string(status);
	if (!name)
		return vrp_error_set(VRP_EINVAL, "invalid sync status %d", (int)status);
	int failure = status == VRP_SYNC_FAILED || status == VRP_SYNC_QUOTA_EXCEEDED;
	int synced = status == VRP_SYNC_SYNCED;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(
		db, &stmt,
		"UPDATE recording_remote SET sync_status = ?4, modified_at = ?3, "
		"error_code = CASE WHEN ?8 THEN NULL ELSE ?5 END, "
		"error_message = CASE WHEN ?8 THEN NULL ELSE ?6 END, "
		"failed_at = CASE WHEN ?7 THEN ?3 WHEN ?8 THEN NULL ELSE failed_at END, "
		"last_synced_at = CASE WHEN ?8 THEN ?3 ELSE last_synced_at END, "
		/* A copy being replaced or found wrong is no longer the one proven. */
		"verified_at = CASE WHEN ?8 THEN verified_at END, "
		"verify_method = CASE WHEN ?8 THEN verify_method END "
		"WHERE recording_id = ?1 AND remote = ?2 AND variant = ?9");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 4, name, -1, SQLITE_STATIC);
		vrp_db_bind_text_or_null(stmt, 5, error_code);
		vrp_db_bind_text_or_null(stmt, 6, error_message);
		sqlite3_bind_int(stmt, 7, failure);
		sqlite3_bind_int(stmt, 8, synced);
		rc = update_keyed(db, stmt, recording_id, remote, variant);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_recording_remote_repo_mark_synced(vrp_db *db, int64_t recording_id, const char *remote,
					  const struct vrp_remote_mark *mark)
{
	return vrp_recording_remote_repo_mark_synced_variant(db, recording_id, remote,
							     VRP_VARIANT_ORIGINAL, mark);
}

int vrp_recording_remote_repo_mark_synced_variant(vrp_db *db, int64_t recording_id,
						  const char *remote, vrp_upload_variant variant,
						  const struct vrp_remote_mark *mark)
{
	int rc = check_key(recording_id, remote, variant);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "UPDATE recording_remote SET sync_status = 'synced', "
			    "last_synced_at = ?3, modified_at = ?3, remote_id = ?4, "
			    "remote_path = ?5, remote_etag = ?6, remote_checksum = ?7, "
			    "verification = ?8, error_code = NULL, error_message = NULL, "
			    "failed_at = NULL, verified_at = NULL, verify_method = NULL, "
			    "content_sha256 = ?10, "
			    "content_size = CASE WHEN ?10 IS NULL THEN NULL ELSE ?11 END "
			    "WHERE recording_id = ?1 AND remote = ?2 AND variant = ?9");
	if (rc == 0) {
		vrp_db_bind_text_or_null(stmt, 4, mark->remote_id);
		vrp_db_bind_text_or_null(stmt, 5, mark->remote_path);
		vrp_db_bind_text_or_null(stmt, 6, mark->etag);
		vrp_db_bind_text_or_null(stmt, 7, mark->checksum);
		vrp_db_bind_text_or_null(stmt, 8, mark->verification);
		vrp_db_bind_text_or_null(stmt, 10, mark->content_sha256);
		sqlite3_bind_int64(stmt, 11, mark->content_size);
		rc = update_keyed(db, stmt, recording_id, remote, variant);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_recording_remote_repo_clear_mapping(vrp_db *db, int64_t recording_id, const char *remote)
{
	return vrp_recording_remote_repo_clear_mapping_variant(db, recording_id, remote,
							       VRP_VARIANT_ORIGINAL);
}

int vrp_recording_remote_repo_clear_mapping_variant(vrp_db *db, int64_t recording_id,
						    const char *remote, vrp_upload_variant variant)
{
	int rc = check_key(recording_id, remote, variant);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(
		db, &stmt,
		"UPDATE recording_remote SET sync_status = 'unsynced', modified_at = ?3, "
		"remote_id = NULL, remote_path = NULL, remote_etag = NULL, "
		"remote_checksum = NULL, verification = NULL, error_code = NULL, "
		"error_message = NULL, failed_at = NULL, verified_at = NULL, verify_method = NULL, "
		"content_sha256 = NULL, content_size = NULL "
		"WHERE recording_id = ?1 AND remote = ?2 AND variant = ?9");
	if (rc == 0)
		rc = update_keyed(db, stmt, recording_id, remote, variant);
	sqlite3_finalize(stmt);
	return rc;
}

static int append(vrp_recording_remote_list *list, size_t *capacity, vrp_recording_remote *item)
{
	int grow_rc = vrp_ptr_array_reserve(&list->items, capacity, list->count + 1);
	if (grow_rc < 0)
		return grow_rc;
	list->items[list->count++] = item;
	return 0;
}

/* Reads every row `stmt` returns into a new list; finalizes `stmt`. */
static int collect(vrp_db *db, sqlite3_stmt *stmt, vrp_recording_remote_list **out)
{
	vrp_recording_remote_list *list = calloc(1, sizeof(*list));
	if (!list) {
		sqlite3_finalize(stmt);
		return vrp_error_oom();
	}
	int rc = 0;
	size_t capacity = 0;
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot list sync states")) == 1) {
		vrp_recording_remote *item = NULL;
		rc = read_state(stmt, &item);
		if (rc == 0 && (rc = append(list, &capacity, item)) < 0)
			vrp_recording_remote_free(item);
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_recording_remote_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_recording_remote_repo_list_for_recording(vrp_db *db, int64_t recording_id,
						 vrp_recording_remote_list **out)
{
	*out = NULL;
	if (recording_id <= 0)
		return vrp_error_set(VRP_EINVAL, "invalid recording id %lld",
				     (long long)recording_id);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " STATE_COLUMNS " FROM recording_remote "
				"WHERE recording_id = ?1 ORDER BY remote, variant = 'compressed'");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, recording_id);
	return collect(db, stmt, out);
}

int vrp_recording_remote_repo_list_by_status(vrp_db *db, const char *remote, vrp_sync_status status,
					     int limit, int64_t after_id,
					     vrp_recording_remote_list **out)
{
	*out = NULL;
	const char *name = vrp_sync_status_to_string(status);
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "the remote name must not be empty");
	if (!name)
		return vrp_error_set(VRP_EINVAL, "invalid sync status %d", (int)status);
	if (limit <= 0)
		return vrp_error_set(VRP_EINVAL, "the limit must be positive, not %d", limit);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " STATE_COLUMNS " FROM recording_remote "
				"WHERE remote = ?1 AND sync_status = ?2 AND id > ?3 "
				"ORDER BY id LIMIT ?4");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, after_id);
	sqlite3_bind_int(stmt, 4, limit);
	return collect(db, stmt, out);
}

int vrp_recording_remote_repo_list_mapped(vrp_db *db, const char *remote, int limit,
					  int64_t after_id, vrp_recording_remote_list **out)
{
	*out = NULL;
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "the remote name must not be empty");
	if (limit <= 0)
		return vrp_error_set(VRP_EINVAL, "the limit must be positive, not %d", limit);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " STATE_COLUMNS " FROM recording_remote "
				"WHERE remote = ?1 AND remote_path IS NOT NULL AND id > ?2 "
				"ORDER BY id LIMIT ?3");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, after_id);
	sqlite3_bind_int(stmt, 3, limit);
	return collect(db, stmt, out);
}

static int remote_exists(vrp_db *db, const char *remote)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT 1 FROM remotes WHERE name = ?1");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, remote, -1, SQLITE_TRANSIENT);
		rc = vrp_db_step(db, stmt, "cannot look up a remote");
	}
	sqlite3_finalize(stmt);
	if (rc == 0)
		return vrp_error_set(VRP_ENOTFOUND, "no remote named '%s'", remote);
	return rc < 0 ? rc : 0;
}

int vrp_recording_remote_repo_count_by_status(vrp_db *db, const char *remote,
					      vrp_sync_status_counts *out)
{
	return vrp_recording_remote_repo_count_by_status_variant(db, remote, VRP_VARIANT_ORIGINAL,
								 out);
}

int vrp_recording_remote_repo_count_by_status_variant(vrp_db *db, const char *remote,
						      vrp_upload_variant variant,
						      vrp_sync_status_counts *out)
{
	*out = (vrp_sync_status_counts){ 0 };
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "the remote name must not be empty");
	int rc = remote_exists(db, remote);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	/* The LEFT JOIN turns a recording that was never looked at for this remote
	 * into an 'unsynced' one: it still has to go there. */
	rc = vrp_db_prepare(db, &stmt,
			    "SELECT coalesce(rr.sync_status, 'unsynced'), count(*) "
			    "FROM recordings r LEFT JOIN recording_remote rr "
			    "ON rr.recording_id = r.id AND rr.remote = ?1 AND rr.variant = ?2 "
			    "WHERE r.status <> 'deleted' GROUP BY 1");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, remote, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, vrp_upload_variant_to_string(variant), -1,
				  SQLITE_STATIC);
	}
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot count sync states")) == 1) {
		vrp_sync_status status;
		rc = vrp_sync_status_from_string((const char *)sqlite3_column_text(stmt, 0),
						 &status);
		if (rc == 0)
			out->by_status[status] = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Steps `stmt` (selecting one id) to the end into a malloc'd array; finalizes it. */
static int collect_ids(vrp_db *db, sqlite3_stmt *stmt, int64_t **ids, size_t *count,
		       const char *what)
{
	int rc = 0;
	size_t capacity = 0;
	while ((rc = vrp_db_step(db, stmt, what)) == 1) {
		rc = 0;
		if (*count == capacity) {
			size_t grown = capacity ? capacity * 2 : 64;
			int64_t *bigger = realloc(*ids, grown * sizeof(**ids));
			if (!bigger) {
				rc = vrp_error_oom();
				break;
			}
			*ids = bigger;
			capacity = grown;
		}
		(*ids)[(*count)++] = sqlite3_column_int64(stmt, 0);
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*count = 0;
	}
	return rc < 0 ? rc : 0;
}

/*
 * The recordings that must (again) go to remote ?1 as variant ?2: not
 * deleted, not offloaded (its audio is on remotes only), and not synced there, or, for a compressed copy, synced with
 * other bytes than the Opus copy the library now holds (it was made again).
 */
#define NEEDS_UPLOAD                                                                               \
	"FROM recordings r LEFT JOIN recording_remote rr "                                         \
	"ON rr.recording_id = r.id AND rr.remote = ?1 AND rr.variant = ?2 "                        \
	"LEFT JOIN derived_assets da ON da.recording_id = r.id AND da.kind = 'compressed' "        \
	"WHERE r.status <> 'deleted' AND r.offloaded_at IS NULL "                                  \
	"AND (coalesce(rr.sync_status, 'unsynced') <> 'synced' "                                   \
	"OR (?2 = 'compressed' AND da.sha256 IS NOT NULL AND "                                     \
	"rr.content_sha256 IS NOT da.sha256))"

static int prepare_needs(vrp_db *db, sqlite3_stmt **stmt, const char *sql, const char *remote,
			 vrp_upload_variant variant)
{
	const char *name = vrp_upload_variant_to_string(variant);
	if (!name)
		return vrp_error_set(VRP_EINVAL, "invalid upload variant %d", (int)variant);
	int rc = remote_exists(db, remote);
	if (rc == 0)
		rc = vrp_db_prepare(db, stmt, sql);
	if (rc == 0) {
		sqlite3_bind_text(*stmt, 1, remote, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(*stmt, 2, name, -1, SQLITE_STATIC);
	}
	return rc;
}

int vrp_recording_remote_repo_needs_upload(vrp_db *db, int64_t recording_id, const char *remote,
					   vrp_upload_variant variant, bool *needs)
{
	*needs = false;
	int rc = check_key(recording_id, remote, variant);
	sqlite3_stmt *stmt = NULL;
	if (rc == 0)
		rc = prepare_needs(db, &stmt, "SELECT 1 " NEEDS_UPLOAD " AND r.id = ?3", remote,
				   variant);
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 3, recording_id);
		rc = vrp_db_step(db, stmt, "cannot read a recording's sync state");
	}
	sqlite3_finalize(stmt);
	*needs = rc == 1;
	return rc < 0 ? rc : 0;
}

int vrp_recording_remote_repo_list_unsynced_ids(vrp_db *db, const char *remote, int64_t **ids,
						size_t *count)
{
	return vrp_recording_remote_repo_list_needing_upload(db, remote, VRP_VARIANT_ORIGINAL, ids,
							     count);
}

int vrp_recording_remote_repo_list_needing_upload(vrp_db *db, const char *remote,
						  vrp_upload_variant variant, int64_t **ids,
						  size_t *count)
{
	*ids = NULL;
	*count = 0;
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "the remote name must not be empty");
	sqlite3_stmt *stmt = NULL;
	int rc = prepare_needs(db, &stmt, "SELECT r.id " NEEDS_UPLOAD " ORDER BY r.id", remote,
			       variant);
	return rc < 0 ? rc : collect_ids(db, stmt, ids, count, "cannot list unsynced recordings");
}


static int list_ids(vrp_db *db, const char *remote, const char *sql, int64_t **ids, size_t *count,
		    const char *what)
{
	*ids = NULL;
	*count = 0;
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "the remote name must not be empty");
	int rc = remote_exists(db, remote);
	sqlite3_stmt *stmt = NULL;
	if (rc == 0)
		rc = vrp_db_prepare(db, &stmt, sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, remote, -1, SQLITE_TRANSIENT);
	return collect_ids(db, stmt, ids, count, what);
}


int vrp_recording_remote_repo_list_offloaded_ids(vrp_db *db, const char *remote, int64_t **ids,
						 size_t *count)
{
	return list_ids(db, remote,
			"SELECT r.id FROM recordings r JOIN recording_remote rr "
			"ON rr.recording_id = r.id AND rr.remote = ?1 AND rr.variant = 'original' "
			"WHERE r.offloaded_at IS NOT NULL AND rr.sync_status = 'synced' "
			"ORDER BY r.id",
			ids, count, "cannot list offloaded recordings");
}

int vrp_recording_remote_repo_set_proof(vrp_db *db, int64_t recording_id, const char *remote,
					const char *method)
{
	int rc = check_key(recording_id, remote, VRP_VARIANT_ORIGINAL);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "UPDATE recording_remote SET verified_at = ?3, verify_method = ?4 "
			    "WHERE recording_id = ?1 AND remote = ?2 AND variant = ?9");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 4, method, -1, SQLITE_TRANSIENT);
		rc = update_keyed(db, stmt, recording_id, remote, VRP_VARIANT_ORIGINAL);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_recording_remote_repo_clear_proof(vrp_db *db, int64_t recording_id, const char *remote)
{
	int rc = check_key(recording_id, remote, VRP_VARIANT_ORIGINAL);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(
		db, &stmt,
		"UPDATE recording_remote SET verified_at = NULL, verify_method = NULL, "
		"modified_at = ?3 WHERE recording_id = ?1 AND remote = ?2 AND variant = ?9");
	if (rc == 0)
		rc = update_keyed(db, stmt, recording_id, remote, VRP_VARIANT_ORIGINAL);
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_recording_remote_repo_list_synced_after(vrp_db *db, const char *remote, int64_t after_id,
						int limit, vrp_recording_remote_list **out)
{
	*out = NULL;
	if (limit <= 0)
		return vrp_error_set(VRP_EINVAL, "a page holds at least one row");
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " STATE_COLUMNS " FROM recording_remote "
				"WHERE remote = ?1 AND sync_status IN ('synced', 'conflict') "
				"AND variant = 'original' "
				"AND remote_path IS NOT NULL AND recording_id > ?2 "
				"ORDER BY recording_id LIMIT ?3");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, after_id);
	sqlite3_bind_int(stmt, 3, limit);
	return collect(db, stmt, out);
}
