/* purge_tombstone_repo.c - the SQL of purge_tombstones and of pending remote deletes. */
#include "db/purge_tombstone_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "db/db_internal.h"

#include <stddef.h>
#include <stdlib.h>

int vrp_purge_tombstone_repo_add(vrp_db *db, const char *sha256)
{
	if (!sha256 || !*sha256)
		return vrp_error_set(VRP_EINVAL, "a purge tombstone needs a sha256");
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt,
		"INSERT INTO purge_tombstones (checksum, purged_at) VALUES (?1, ?2) "
		"ON CONFLICT (checksum) DO UPDATE SET purged_at = excluded.purged_at");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot record a purge tombstone");
	sqlite3_finalize(stmt);
	return rc;
}

/* Steps a bound one-row "SELECT EXISTS (...)" into `*out` and finalizes it. */
static int exists(vrp_db *db, sqlite3_stmt *stmt, const char *what, bool *out)
{
	int rc = vrp_db_step(db, stmt, what);
	if (rc == 1) {
		*out = sqlite3_column_int(stmt, 0) != 0;
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_purge_tombstone_repo_exists(vrp_db *db, const char *sha256, bool *out)
{
	*out = false;
	if (!sha256)
		return 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt, "SELECT EXISTS (SELECT 1 FROM purge_tombstones WHERE checksum = ?1)");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, sha256, -1, SQLITE_TRANSIENT);
	return exists(db, stmt, "cannot look up a purge tombstone", out);
}

int vrp_purge_tombstone_repo_delete_pending(vrp_db *db, const char *remote, const char *remote_id,
					    const char *remote_path, bool *out)
{
	*out = false;
	if (!remote || (!remote_id && !remote_path))
		return 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT EXISTS (SELECT 1 FROM sync_tasks WHERE op = 'delete' AND "
				"remote = ?1 AND state IN ('queued', 'running') AND "
				"(remote_id = ?2 OR remote_path = ?3))");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, remote, -1, SQLITE_TRANSIENT);
	vrp_db_bind_text_or_null(stmt, 2, remote_id);
	vrp_db_bind_text_or_null(stmt, 3, remote_path);
	return exists(db, stmt, "cannot look up pending remote deletes", out);
}

int vrp_purge_tombstone_repo_add_file(vrp_db *db, const char *path)
{
	if (!path || !*path)
		return vrp_error_set(VRP_EINVAL, "a file to purge needs a path");
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"INSERT INTO purge_pending_files (path, queued_at) VALUES (?1, ?2) "
				"ON CONFLICT (path) DO NOTHING");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot note a file to purge");
	sqlite3_finalize(stmt);
	return rc;
}

void vrp_purge_tombstone_repo_files_free(char **paths)
{
	for (char **p = paths; p && *p; p++)
		free(*p);
	free(paths);
}

int vrp_purge_tombstone_repo_list_files(vrp_db *db, char ***out)
{
	*out = NULL;
	size_t n = 0;
	char **paths = calloc(1, sizeof(*paths));
	sqlite3_stmt *stmt = NULL;
	int rc = paths ? vrp_db_prepare(db, &stmt,
					"SELECT path FROM purge_pending_files ORDER BY path")
		       : vrp_error_oom();
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot list the files to purge")) == 1) {
		char **grown = realloc(paths, (n + 2) * sizeof(*grown));
		rc = grown ? 0 : vrp_error_oom();
		if (grown) {
			paths = grown;
			paths[n + 1] = NULL;
			rc = vrp_db_column_strdup(stmt, 0, &paths[n]);
			n += rc == 0;
		}
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_purge_tombstone_repo_files_free(paths);
		return rc;
	}
	*out = paths;
	return 0;
}

int vrp_purge_tombstone_repo_forget_file(vrp_db *db, const char *path)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "DELETE FROM purge_pending_files WHERE path = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, path, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot forget a purged file");
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_purge_tombstone_repo_file_pending(vrp_db *db, const char *path, bool *out)
{
	*out = false;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt, "SELECT EXISTS (SELECT 1 FROM purge_pending_files WHERE path = ?1)");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, path, -1, SQLITE_TRANSIENT);
	return exists(db, stmt, "cannot look up the files to purge", out);
}
