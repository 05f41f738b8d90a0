/* purge_tombstone_repo.c - the SQL of purge_tombstones and of pending remote deletes. */
#include "db/purge_tombstone_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "db/db_internal.h"

#include <stddef.h>

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
