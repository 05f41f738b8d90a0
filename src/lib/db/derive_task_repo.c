/* derive_task_repo.c - the SQL of the durable derive queue. */
#include "db/derive_task_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "db/db_internal.h"

#include <stdlib.h>
#include <string.h>

// clang-format off
/*
 * The partial unique index allows one live task per recording; the upsert
 * names it by its columns and WHERE so a second request joins the first.
 */
#define ENQUEUE_SQL \
	"INSERT INTO derive_tasks (recording_id, kinds, next_attempt_at, created_at, modified_at) " \
	"VALUES (?1, ?2, ?3, ?3, ?3) " \
	"ON CONFLICT (recording_id) WHERE state IN ('queued', 'running') " \
	"DO UPDATE SET kinds = kinds | excluded.kinds, modified_at = excluded.modified_at"

/* ?1 now, ?2 owner, ?3 lease end, ?4 host, ?5 pid, ?6 pid start. */
#define CLAIM_SQL \
	"UPDATE derive_tasks SET state = 'running', lease_owner = ?2, lease_until = ?3, " \
	"lease_host = ?4, lease_pid = ?5, lease_pid_start = ?6, " \
	"attempts = attempts + 1, modified_at = ?1 " \
	"WHERE id = (SELECT id FROM derive_tasks " \
	"WHERE (state = 'queued' AND next_attempt_at <= ?1) " \
	"OR (state = 'running' AND lease_until < ?1) " \
	"ORDER BY next_attempt_at, id LIMIT 1) " \
	"RETURNING id, recording_id, kinds, attempts"

#define HOLDERS_SQL \
	"SELECT DISTINCT lease_pid, lease_pid_start FROM derive_tasks WHERE state = 'running' " \
	"AND lease_host = ?1 AND lease_pid IS NOT NULL AND lease_pid_start IS NOT NULL"

/* A lease that ended long ago: the next claim takes the task. */
#define EXPIRE_SQL \
	"UPDATE derive_tasks SET lease_until = '1970-01-01T00:00:00.000Z' WHERE state = 'running' " \
	"AND lease_host = ?1 AND lease_pid = ?2 AND lease_pid_start = ?3"

#define LEASED " WHERE id = ?1 AND state = 'running' AND lease_owner = ?2"

/* ?3 the kinds made, ?4 now. A finished task leaves the table. */
#define DONE_SQL "DELETE FROM derive_tasks" LEASED " AND kinds & ~?3 = 0"
#define REQUEUE_SQL \
	"UPDATE derive_tasks SET kinds = kinds & ~?3, state = 'queued', lease_owner = NULL, " \
	"lease_until = NULL, error_code = NULL, error_message = NULL, " \
	"next_attempt_at = ?4, modified_at = ?4" LEASED

/* ?3 code, ?4 message, ?5 retry time or NULL, ?6 now. */
#define FAIL_SQL \
	"UPDATE derive_tasks SET state = CASE WHEN ?5 IS NULL THEN 'failed' ELSE 'queued' END, " \
	"next_attempt_at = coalesce(?5, next_attempt_at), error_code = ?3, error_message = ?4, " \
	"lease_owner = NULL, lease_until = NULL, modified_at = ?6" LEASED

/* ?3 the new lease end, ?4 now. */
#define RENEW_SQL "UPDATE derive_tasks SET lease_until = ?3, modified_at = ?4" LEASED

/* A failed task is not requeued beside a live one of the same recording. */
#define RETRY_SQL \
	"UPDATE OR IGNORE derive_tasks SET state = 'queued', attempts = 0, next_attempt_at = ?1, " \
	"modified_at = ?1 WHERE state = 'failed'"

#define COUNTS_SQL \
	"SELECT count(*) FILTER (WHERE state = 'queued'), count(*) FILTER (WHERE state = 'running'), " \
	"count(*) FILTER (WHERE state = 'failed') FROM derive_tasks"
// clang-format on

int vrp_derive_task_repo_enqueue(vrp_db *db, int64_t recording_id, unsigned kinds)
{
	if (kinds == 0)
		return vrp_error_set(VRP_EINVAL, "no kind of asset to queue");
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, ENQUEUE_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, recording_id);
	sqlite3_bind_int64(stmt, 2, kinds);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot queue a derivation");
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_derive_task_repo_claim(vrp_db *db, const char *owner, int64_t lease_ms,
			       struct vrp_derive_task *out)
{
	struct vrp_derive_lease_holder holder = { .owner = owner };
	return vrp_derive_task_repo_claim_held(db, &holder, lease_ms, out);
}

int vrp_derive_task_repo_claim_held(vrp_db *db, const struct vrp_derive_lease_holder *holder,
				    int64_t lease_ms, struct vrp_derive_task *out)
{
	memset(out, 0, sizeof(*out));
	char now[VRP_TIME_ISO_LEN], until[VRP_TIME_ISO_LEN];
	int64_t now_ms = vrp_time_now_ms();
	vrp_time_format_iso(now_ms, now);
	vrp_time_format_iso(now_ms + lease_ms, until);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, CLAIM_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, holder->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, until, -1, SQLITE_TRANSIENT);
	if (holder->host && holder->pid > 0) {
		sqlite3_bind_text(stmt, 4, holder->host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(stmt, 5, holder->pid);
		sqlite3_bind_int64(stmt, 6, holder->pid_start);
	}
	rc = vrp_db_step(db, stmt, "cannot claim a derivation");
	if (rc == 1) {
		out->id = sqlite3_column_int64(stmt, 0);
		out->recording_id = sqlite3_column_int64(stmt, 1);
		out->kinds = (unsigned)sqlite3_column_int64(stmt, 2);
		out->attempts = sqlite3_column_int64(stmt, 3);
		/* A RETURNING statement's write is only settled once it has run to the end. */
		rc = vrp_db_step(db, stmt, "cannot claim a derivation");
		if (rc == 0)
			rc = 1;
	}
	sqlite3_finalize(stmt);
	if (rc == 0)
		return vrp_error_set(VRP_ENOTFOUND, "no derivation is due");
	return rc < 0 ? rc : 0;
}

/* Steps an update of the lease holder's task; VRP_ENOTFOUND when the lease was lost. */
static int step_leased(vrp_db *db, sqlite3_stmt *stmt, const char *what)
{
	int rc = vrp_db_step_done(db, stmt, what);
	sqlite3_finalize(stmt);
	if (rc == 0 && sqlite3_changes(vrp_db_handle(db)) == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "%s: the task's lease was taken over", what);
	return rc;
}

/* Runs one of the finishing statements; `*changed` gets how many rows it touched. */
static int finish_step(vrp_db *db, const char *sql, int64_t id, const char *owner, unsigned made,
		       int *changed)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, sql);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, owner, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_count(stmt) >= 3)
		sqlite3_bind_int64(stmt, 3, made);
	if (sqlite3_bind_parameter_count(stmt) >= 4)
		sqlite3_bind_text(stmt, 4, now, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot finish a derivation");
	sqlite3_finalize(stmt);
	*changed = rc == 0 ? sqlite3_changes(vrp_db_handle(db)) : 0;
	return rc;
}

int vrp_derive_task_repo_finish(vrp_db *db, int64_t id, const char *owner, unsigned made)
{
	int changed = 0;
	int rc = finish_step(db, DONE_SQL, id, owner, made, &changed);
	if (rc == 0 && changed == 0)
		rc = finish_step(db, REQUEUE_SQL, id, owner, made, &changed);
	if (rc == 0 && changed == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "the derivation's lease was taken over");
	return rc;
}

int vrp_derive_task_repo_fail(vrp_db *db, int64_t id, const char *owner, const char *code,
			      const char *message, const char *retry_at)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, FAIL_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, owner, -1, SQLITE_TRANSIENT);
	vrp_db_bind_text_or_null(stmt, 3, code);
	vrp_db_bind_text_or_null(stmt, 4, message);
	vrp_db_bind_text_or_null(stmt, 5, retry_at);
	sqlite3_bind_text(stmt, 6, now, -1, SQLITE_TRANSIENT);
	return step_leased(db, stmt, "cannot record a failed derivation");
}

int vrp_derive_task_repo_renew(vrp_db *db, int64_t id, const char *owner, int64_t lease_ms)
{
	char now[VRP_TIME_ISO_LEN], until[VRP_TIME_ISO_LEN];
	int64_t now_ms = vrp_time_now_ms();
	vrp_time_format_iso(now_ms, now);
	vrp_time_format_iso(now_ms + lease_ms, until);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, RENEW_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, until, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 4, now, -1, SQLITE_TRANSIENT);
	return step_leased(db, stmt, "cannot renew a derivation's lease");
}

int vrp_derive_task_repo_forget_failed(vrp_db *db, int64_t recording_id)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt, "DELETE FROM derive_tasks WHERE state = 'failed' AND recording_id = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, recording_id);
	rc = vrp_db_step_done(db, stmt, "cannot forget failed derivations");
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_derive_task_repo_retry_failed(vrp_db *db, int64_t *count)
{
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, RETRY_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
	rc = vrp_db_step_done(db, stmt, "cannot queue failed derivations again");
	sqlite3_finalize(stmt);
	if (rc == 0 && count)
		*count = sqlite3_changes(vrp_db_handle(db));
	return rc;
}

int vrp_derive_task_repo_counts(vrp_db *db, struct vrp_derive_queue_counts *out)
{
	memset(out, 0, sizeof(*out));
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, COUNTS_SQL);
	if (rc < 0)
		return rc;
	rc = vrp_db_step(db, stmt, "cannot count derivations");
	if (rc == 1) {
		out->queued = sqlite3_column_int64(stmt, 0);
		out->running = sqlite3_column_int64(stmt, 1);
		out->failed = sqlite3_column_int64(stmt, 2);
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_derive_task_repo_lease_processes(vrp_db *db, const char *host,
					 struct vrp_derive_lease_process **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, HOLDERS_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, host, -1, SQLITE_TRANSIENT);
	while ((rc = vrp_db_step(db, stmt, "cannot list the derive lease holders")) == 1) {
		struct vrp_derive_lease_process *grown = realloc(*out, (*count + 1) * sizeof(*grown));
		if (!grown) {
			rc = vrp_error_oom();
			break;
		}
		*out = grown;
		grown[*count].pid = sqlite3_column_int64(stmt, 0);
		grown[(*count)++].pid_start = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		free(*out);
		*out = NULL;
		*count = 0;
	}
	return rc < 0 ? rc : 0;
}

int vrp_derive_task_repo_expire_process(vrp_db *db, const char *host,
					const struct vrp_derive_lease_process *p, int64_t *count)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, EXPIRE_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, host, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, p->pid);
	sqlite3_bind_int64(stmt, 3, p->pid_start);
	rc = vrp_db_step_done(db, stmt, "cannot end the leases of a dead process");
	sqlite3_finalize(stmt);
	if (rc == 0 && count)
		*count = sqlite3_changes(vrp_db_handle(db));
	return rc;
}
