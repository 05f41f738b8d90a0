/* recording_repo.c - writing and fetching single recordings. */
#include "db/recording_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/uuid.h"
#include "db/recording_row.h"

#include <stdlib.h>
#include <string.h>

static int set_default(char **field, const char *value)
{
	if (*field)
		return 0;
	*field = strdup(value);
	return *field ? 0 : vrp_error_oom();
}

static int validate_new(const vrp_recording *rec)
{
	const struct {
		const char *value;
		const char *name;
	} required[] = {
		{ rec->original_filename, "original_filename" },
		{ rec->stored_filename, "stored_filename" },
		{ rec->local_path, "local_path" },
		{ rec->mime_type, "mime_type" },
		{ rec->checksum, "checksum" },
	};
	for (size_t i = 0; i < sizeof(required) / sizeof(*required); i++)
		if (!required[i].value)
			return vrp_error_set(VRP_EINVAL, "a new recording needs a %s",
					     required[i].name);
	if (!vrp_recording_status_to_string(rec->status) ||
	    !vrp_integrity_to_string(rec->integrity))
		return vrp_error_set(VRP_EINVAL,
				     "a new recording has an unknown status or integrity");
	if (rec->sample_rate < 0 || rec->channels < 0 || rec->bit_depth < 0 || rec->duration < 0 ||
	    rec->filesize_bytes < 0)
		return vrp_error_set(VRP_EINVAL,
				     "a recording's size, duration and audio properties "
				     "cannot be negative");
	if (rec->deleted_at && rec->status != VRP_RECORDING_DELETED)
		return vrp_error_set(VRP_EINVAL, "only a deleted recording has a deleted_at");
	return 0;
}

static int fill_defaults(vrp_recording *rec)
{
	char now[VRP_TIME_ISO_LEN];
	char uuid[VRP_UUID_LEN];
	vrp_time_now_iso(now);
	int rc = rec->uuid ? 0 : vrp_uuid_v4(uuid);
	if (rc == 0)
		rc = set_default(&rec->uuid, uuid);
	if (rc == 0)
		rc = set_default(&rec->created_at, now);
	if (rc == 0)
		rc = set_default(&rec->modified_at, now);
	/* Nothing better known: the recording was made when it came in. */
	if (rc == 0 && !rec->recorded_at) {
		free(rec->recorded_at_source);
		rec->recorded_at_source = NULL;
	}
	if (rc == 0)
		rc = set_default(&rec->recorded_at, rec->created_at);
	if (rc == 0)
		rc = set_default(&rec->recorded_at_source, "import");
	if (rc == 0)
		rc = set_default(&rec->title, "");
	if (rc == 0)
		rc = set_default(&rec->description, "");
	if (rc == 0)
		rc = set_default(&rec->ingest_source, "local");
	if (rc == 0 && rec->status == VRP_RECORDING_DELETED)
		rc = set_default(&rec->deleted_at, now);
	return rc;
}

static void bind_int_or_null(sqlite3_stmt *stmt, int idx, int value)
{
	if (value > 0)
		sqlite3_bind_int(stmt, idx, value);
	else
		sqlite3_bind_null(stmt, idx);
}

static void bind_new(sqlite3_stmt *s, const vrp_recording *rec)
{
	vrp_db_bind_text_or_null(s, 1, rec->uuid);
	sqlite3_bind_blob(s, 2, rec->original_filename, (int)strlen(rec->original_filename),
			  SQLITE_TRANSIENT);
	vrp_db_bind_text_or_null(s, 3, rec->stored_filename);
	vrp_db_bind_text_or_null(s, 4, rec->local_path);
	vrp_db_bind_text_or_null(s, 5, rec->title);
	vrp_db_bind_text_or_null(s, 6, rec->description);
	sqlite3_bind_double(s, 7, rec->duration);
	sqlite3_bind_int64(s, 8, rec->filesize_bytes);
	vrp_db_bind_text_or_null(s, 9, rec->mime_type);
	vrp_db_bind_text_or_null(s, 10, rec->codec);
	bind_int_or_null(s, 11, rec->sample_rate);
	bind_int_or_null(s, 12, rec->channels);
	bind_int_or_null(s, 13, rec->bit_depth);
	vrp_db_bind_text_or_null(s, 14, rec->checksum);
	vrp_db_bind_text_or_null(s, 15, vrp_recording_status_to_string(rec->status));
	vrp_db_bind_text_or_null(s, 16, rec->deleted_at);
	vrp_db_bind_text_or_null(s, 17, rec->retention_policy);
	vrp_db_bind_text_or_null(s, 18, rec->ingest_source);
	vrp_db_bind_text_or_null(s, 19, rec->created_by_app_version);
	vrp_db_bind_text_or_null(s, 20, rec->created_at);
	vrp_db_bind_text_or_null(s, 21, rec->modified_at);
	vrp_db_bind_text_or_null(s, 22, vrp_integrity_to_string(rec->integrity));
	vrp_db_bind_text_or_null(s, 23, rec->verified_at);
	vrp_db_bind_text_or_null(s, 24, rec->recorded_at);
	vrp_db_bind_text_or_null(s, 25, rec->recorded_at_source);
}

int vrp_recording_repo_insert(vrp_db *db, vrp_recording *rec)
{
	sqlite3_stmt *stmt = NULL;
	int rc = validate_new(rec);
	if (rc == 0)
		rc = fill_defaults(rec);
	if (rc == 0)
		rc = vrp_db_prepare(
			db, &stmt,
			"INSERT INTO recordings (uuid, original_filename, stored_filename, "
			"local_path, title, description, duration, filesize_bytes, mime_type, "
			"codec, sample_rate, channels, bit_depth, checksum, status, deleted_at, "
			"retention_policy, ingest_source, created_by_app_version, created_at, "
			"modified_at, integrity, verified_at, recorded_at, recorded_at_source) "
			"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
			"?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)");
	if (rc < 0)
		goto done;
	bind_new(stmt, rec);
	rc = vrp_db_step_done(db, stmt, "cannot add the recording to the catalogue");
	if (rc == 0)
		rec->id = vrp_db_last_insert_id(db);
done:
	sqlite3_finalize(stmt);
	return rc;
}

#define SELECT_RECORDING "SELECT " VRP_RECORDING_COLUMNS " FROM recordings r "

/* Reads the recording a one-parameter select finds: `key` is bound as text, or
 * `id` when `key` is NULL; `what` names the key for the not-found message. */
static int get_one(vrp_db *db, const char *sql, const char *what, int64_t id, const char *key,
		   vrp_recording **out)
{
	*out = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, sql);
	if (rc < 0)
		goto done;
	if (key)
		sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(stmt, 1, id);
	rc = vrp_db_step(db, stmt, "cannot read a recording");
	if (rc == 1)
		rc = vrp_recording_from_row(stmt, out);
	else if (rc == 0 && key)
		rc = vrp_error_set(VRP_ENOTFOUND, "no recording with %s %s", what, key);
	else if (rc == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "no recording with %s %lld", what, (long long)id);
	if (rc == 0)
		rc = vrp_recording_load_tags(db, out, 1);
done:
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_recording_free(*out);
		*out = NULL;
	}
	return rc;
}

int vrp_recording_repo_get_by_id(vrp_db *db, int64_t id, vrp_recording **out)
{
	return get_one(db, SELECT_RECORDING "WHERE r.id = ?1", "id", id, NULL, out);
}

int vrp_recording_repo_get_by_uuid(vrp_db *db, const char *uuid, vrp_recording **out)
{
	*out = NULL;
	if (!uuid)
		return vrp_error_set(VRP_EINVAL, "no uuid given");
	return get_one(db, SELECT_RECORDING "WHERE r.uuid = ?1", "uuid", 0, uuid, out);
}

int vrp_recording_repo_get_by_uuid_prefix(vrp_db *db, const char *prefix, vrp_recording **out)
{
	*out = NULL;
	if (!prefix || !*prefix)
		return vrp_error_set(VRP_EINVAL, "no uuid prefix given");
	/* A range, not LIKE: the uuid index serves it. A prefix two recordings
	 * share names neither. */
	return get_one(db,
		       SELECT_RECORDING "WHERE r.uuid >= ?1 AND r.uuid < ?1 || 'g' AND "
					"(SELECT count(*) FROM recordings WHERE uuid >= ?1 AND "
					"uuid < ?1 || 'g') = 1",
		       "uuid prefix", 0, prefix, out);
}

int vrp_recording_repo_get_by_checksum(vrp_db *db, const char *checksum, vrp_recording **out)
{
	*out = NULL;
	if (!checksum)
		return vrp_error_set(VRP_EINVAL, "no checksum given");
	return get_one(db, SELECT_RECORDING "WHERE r.checksum = ?1", "checksum", 0, checksum, out);
}

/* Runs an UPDATE or DELETE whose last step touched recording `id`, and turns
 * "no row changed" into VRP_ENOTFOUND. */
static int finish_write(vrp_db *db, sqlite3_stmt *stmt, int64_t id, const char *what)
{
	int rc = vrp_db_step_done(db, stmt, what);
	if (rc == 0 && vrp_db_changes(db) == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "%s: no recording with id %lld", what,
				   (long long)id);
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_recording_repo_update_text(vrp_db *db, int64_t id, const char *title,
				   const char *description)
{
	if (!title && !description)
		return vrp_error_set(VRP_EINVAL,
				     "nothing to change: give a title or a description");
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"UPDATE recordings SET title = coalesce(?1, title), "
				"description = coalesce(?2, description), modified_at = ?3 "
				"WHERE id = ?4");
	if (rc < 0)
		return rc;
	vrp_db_bind_text_or_null(stmt, 1, title);
	vrp_db_bind_text_or_null(stmt, 2, description);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, id);
	return finish_write(db, stmt, id, "cannot edit the recording");
}

int vrp_recording_repo_set_status(vrp_db *db, int64_t id, enum vrp_recording_status status)
{
	const char *name = vrp_recording_status_to_string(status);
	if (!name)
		return vrp_error_set(VRP_EINVAL, "unknown recording status %d", (int)status);
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt,
		"UPDATE recordings SET status = ?1, modified_at = ?2, "
		"deleted_at = CASE WHEN ?1 = 'deleted' THEN coalesce(deleted_at, ?2) "
		"END WHERE id = ?3");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, id);
	return finish_write(db, stmt, id, "cannot change the recording's status");
}

int vrp_recording_repo_set_integrity(vrp_db *db, int64_t id, enum vrp_integrity integrity,
				     const char *verified_at)
{
	const char *name = vrp_integrity_to_string(integrity);
	if (!name)
		return vrp_error_set(VRP_EINVAL, "unknown integrity state %d", (int)integrity);
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt, "UPDATE recordings SET integrity = ?1, verified_at = ?2 WHERE id = ?3");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, verified_at ? verified_at : now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, id);
	return finish_write(db, stmt, id, "cannot record the verification");
}

int vrp_recording_repo_set_modified_at(vrp_db *db, int64_t id, const char *modified_at)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "UPDATE recordings SET modified_at = ?1 WHERE id = ?2");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, modified_at, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, id);
	return finish_write(db, stmt, id, "cannot set the modification time");
}

int vrp_recording_repo_set_offloaded(vrp_db *db, int64_t id, const char *offloaded_at)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "UPDATE recordings SET offloaded_at = ?1 WHERE id = ?2");
	if (rc < 0)
		return rc;
	vrp_db_bind_text_or_null(stmt, 1, offloaded_at);
	sqlite3_bind_int64(stmt, 2, id);
	return finish_write(db, stmt, id, "cannot record where the recording's audio is");
}

int vrp_recording_repo_delete(vrp_db *db, int64_t id)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "DELETE FROM recordings WHERE id = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	return finish_write(db, stmt, id, "cannot remove the recording from the catalogue");
}
