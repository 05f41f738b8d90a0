/* sync_task_row.c - reading sync_tasks rows and checking times for the sync task repository. */
#include "db/sync_task_row.h"

#include "core/error_set.h"
#include "db/db_internal.h"

#include <stdlib.h>
#include <string.h>

int vrp_sync_task_row_read(sqlite3_stmt *stmt, vrp_sync_task **out)
{
	vrp_sync_task *t = calloc(1, sizeof(*t));
	if (!t)
		return vrp_error_oom();
	t->id = sqlite3_column_int64(stmt, 0);
	int rc = vrp_sync_op_from_string((const char *)sqlite3_column_text(stmt, 1), &t->op);
	t->recording_id = sqlite3_column_int64(stmt, 2);
	if (rc == 0)
		rc = vrp_sync_task_state_from_string((const char *)sqlite3_column_text(stmt, 3),
						     &t->state);
	t->priority = sqlite3_column_int64(stmt, 4);
	t->attempts = sqlite3_column_int64(stmt, 5);
	char **const texts[] = { &t->uuid,           &t->remote,      &t->next_attempt_at,
				 &t->lease_until,    &t->lease_owner, &t->idempotency_key,
				 &t->remote_id,      &t->remote_path, &t->resume_state,
				 &t->correlation_id, &t->error_code,  &t->error_message,
				 &t->created_at,     &t->modified_at, &t->finished_at };
	size_t n = sizeof(texts) / sizeof(*texts);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = vrp_db_column_strdup(stmt, (int)i + 6, texts[i]);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, (int)n + 6, &t->lease_host);
	t->lease_pid = sqlite3_column_int64(stmt, (int)n + 7);
	t->lease_pid_start = sqlite3_column_int64(stmt, (int)n + 8);
	if (rc == 0)
		rc = vrp_upload_variant_from_string(
			(const char *)sqlite3_column_text(stmt, (int)n + 9), &t->variant);
	if (rc < 0) {
		vrp_sync_task_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int vrp_sync_task_row_fetch(vrp_db *db, sqlite3_stmt *stmt, const char *what, vrp_sync_task **out)
{
	*out = NULL;
	int rc = vrp_db_step(db, stmt, what);
	if (rc == 1)
		rc = vrp_sync_task_row_read(stmt, out);
	/* A RETURNING statement's write is only settled once it has run to the end. */
	while (rc == 0 && (rc = vrp_db_step(db, stmt, what)) == 1)
		rc = 0;
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_sync_task_free(*out);
		*out = NULL;
	}
	return rc;
}

int vrp_sync_task_row_state(vrp_db *db, int64_t id, vrp_sync_task_state *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT state FROM sync_tasks WHERE id = ?1");
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, id);
		rc = vrp_db_step(db, stmt, "cannot read a sync task");
	}
	if (rc == 1)
		rc = vrp_sync_task_state_from_string((const char *)sqlite3_column_text(stmt, 0),
						     out);
	else if (rc == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "no sync task with id %lld", (long long)id);
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_resolve_time(const char *given, char buf[VRP_TIME_ISO_LEN], const char **out,
			       const char *what)
{
	if (!given) {
		vrp_time_now_iso(buf);
		*out = buf;
		return 0;
	}
	/* Times are compared as text, so anything but the one format would sort wrongly. */
	if (strlen(given) != VRP_TIME_ISO_LEN - 1 || given[4] != '-' || given[10] != 'T' ||
	    given[19] != '.' || given[23] != 'Z')
		return vrp_error_set(VRP_EINVAL,
				     "%s '%s' is not a timestamp like 2026-01-31T12:00:00.000Z",
				     what, given);
	*out = given;
	return 0;
}
