/* verify_progress_repo.c - the SQL of verify_progress. */
#include "db/verify_progress_repo.h"

#include "core/clock.h"
#include "db/db_internal.h"

#include <stddef.h>
#include <stdio.h>

int vrp_verify_progress_repo_get(vrp_db *db, const char *scope, int64_t *cursor)
{
	*cursor = 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT cursor FROM verify_progress WHERE scope = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, scope, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step(db, stmt, "cannot read where verification stopped");
	if (rc == 1) {
		*cursor = sqlite3_column_int64(stmt, 0);
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_verify_progress_repo_set(vrp_db *db, const char *scope, int64_t cursor)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"INSERT INTO verify_progress (scope, cursor, updated_at) "
				"VALUES (?1, ?2, ?3) ON CONFLICT (scope) DO UPDATE SET "
				"cursor = excluded.cursor, updated_at = excluded.updated_at");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, scope, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, cursor);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot keep where verification stopped");
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_verify_progress_repo_last_run(vrp_db *db, const char *scope, char out[VRP_TIME_ISO_LEN])
{
	out[0] = '\0';
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt,
		"SELECT coalesce(last_run_at, '') FROM verify_progress WHERE scope = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, scope, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step(db, stmt, "cannot read when verification last ran");
	if (rc == 1) {
		snprintf(out, VRP_TIME_ISO_LEN, "%s", (const char *)sqlite3_column_text(stmt, 0));
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_verify_progress_repo_mark_run(vrp_db *db, const char *scope)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt,
		"INSERT INTO verify_progress (scope, cursor, updated_at, last_run_at) "
		"VALUES (?1, 0, ?2, ?2) ON CONFLICT (scope) DO UPDATE SET "
		"last_run_at = excluded.last_run_at");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, scope, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot record when verification ran");
	sqlite3_finalize(stmt);
	return rc;
}
