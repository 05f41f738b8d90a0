/*
 * change_log_repo.c - reading change_log; the triggers of migration 011 write it.
 */
#include "db/change_log_repo.h"

#include "db/db_internal.h"

#include <stdio.h>
#include <string.h>

static int read_int(vrp_db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *stmt = NULL;
	*out = 0;
	int rc = vrp_db_prepare_cached(db, &stmt, sql);
	if (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot read the change log")) == 1) {
		*out = sqlite3_column_int64(stmt, 0);
		rc = 0;
	}
	vrp_db_release(db, stmt);
	return rc;
}

int vrp_change_log_repo_last(vrp_db *db, int64_t *out)
{
	return read_int(db, "SELECT coalesce(max(seq), 0) FROM change_log", out);
}

int vrp_change_log_repo_after(vrp_db *db, int64_t after, struct vrp_change *out, size_t max,
			      size_t *count, int64_t *oldest)
{
	*count = 0;
	int rc = read_int(db, "SELECT coalesce(min(seq), 0) FROM change_log", oldest);
	sqlite3_stmt *stmt = NULL;
	if (rc == 0)
		rc = vrp_db_prepare_cached(db, &stmt,
					   "SELECT seq, recording_id, action FROM change_log "
					   "WHERE seq > ?1 ORDER BY seq LIMIT ?2");
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, after);
		sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
	}
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot read the change log")) == 1) {
		struct vrp_change *c = &out[(*count)++];
		c->seq = sqlite3_column_int64(stmt, 0);
		c->recording_id = sqlite3_column_int64(stmt, 1);
		const unsigned char *action = sqlite3_column_text(stmt, 2);
		snprintf(c->action, sizeof(c->action), "%s", action ? (const char *)action : "");
		rc = 0;
	}
	vrp_db_release(db, stmt);
	return rc;
}
