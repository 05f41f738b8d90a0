/*
 * sync_task_lease_repo.c - the sync queue's worker side: claiming due tasks
 * under a lease and what only the lease holder may do (declared in
 * sync_task_repo.h).
 */
#include "db/sync_task_repo.h"

#include "core/error_set.h"
#include "db/db_internal.h"
#include "db/sync_task_row.h"

#include <stdio.h>
#include <stdlib.h>

/* What every lease holder's update is guarded by: task ?1, running, leased to ?2. */
#define LEASED_BY_OWNER " WHERE id = ?1 AND state = 'running' AND lease_owner = ?2"

/* ?now + ?ms as a timestamp; exact to the millisecond, as SQLite keeps times in ms. */
#define LEASE_END(now, ms)                                                                         \
	"strftime('%Y-%m-%dT%H:%M:%fZ', " now ", printf('%+.3f seconds', " ms " / 1000.0))"

/*
 * A running task leased by the process (host, pid, pid start) at those
 * parameters, when its pid is known: that process is alive (it is asking),
 * so its expired leases are slow threads, not dead ones, and stealing them
 * would run the task twice at once.
 */
#define HELD_BY(host, pid, start)                                                                  \
	"(" pid " IS NOT NULL AND lease_pid IS " pid " AND lease_host IS " host                    \
	" AND lease_pid_start IS " start ")"

/*
 * The next due task, picked and leased in one statement (?1 now, ?2 owner,
 * ?3 ms, ?4 remote, ?5 host, ?6 pid, ?7 pid start).
 */
// clang-format off
#define CLAIM_SQL \
	"UPDATE sync_tasks SET state = 'running', lease_owner = ?2, " \
	"lease_host = ?5, lease_pid = ?6, lease_pid_start = ?7, " \
	"lease_until = " LEASE_END("?1", "?3") ", attempts = attempts + 1, modified_at = ?1 " \
	"WHERE id = (SELECT id FROM sync_tasks " \
	"WHERE ((state = 'queued' AND next_attempt_at <= ?1) " \
	"OR (state = 'running' AND lease_until < ?1 AND NOT " HELD_BY("?5", "?6", "?7") ")) " \
	"AND (?4 IS NULL OR remote = ?4) " \
	"ORDER BY priority DESC, next_attempt_at, id LIMIT 1) " \
	"RETURNING " VRP_SYNC_TASK_COLUMNS

/*
 * Ends the leases of process (?2 host, ?3 pid, ?4 start) a millisecond
 * before ?1: the claim takes leases that ended before its now.
 */
#define EXPIRE_PROCESS_SQL \
	"UPDATE sync_tasks SET lease_until = " LEASE_END("?1", "-1") ", modified_at = ?1 " \
	"WHERE state = 'running' AND lease_host = ?2 AND lease_pid = ?3 AND lease_pid_start = ?4"

/* Extends the lease of task ?1 held by ?2 to ?3 + ?4 ms. */
#define RENEW_SQL \
	"UPDATE sync_tasks SET lease_until = " LEASE_END("?3", "?4") ", modified_at = ?3" LEASED_BY_OWNER
// clang-format on

static int check_owner(const char *owner)
{
	if (!owner || !*owner)
		return vrp_error_set(VRP_EINVAL, "the lease owner must not be empty");
	return 0;
}

int vrp_sync_task_repo_claim(vrp_db *db, const char *remote, const vrp_sync_lease_holder *holder,
			     int64_t lease_ms, const char *now, vrp_sync_task **out)
{
	*out = NULL;
	char buf[VRP_TIME_ISO_LEN];
	if (!holder)
		return vrp_error_set(VRP_EINVAL, "no lease holder given");
	int rc = check_owner(holder->owner);
	if (rc == 0 && lease_ms <= 0)
		rc = vrp_error_set(VRP_EINVAL, "the lease must be positive, not %lld ms",
				   (long long)lease_ms);
	if (rc == 0)
		rc = vrp_sync_task_resolve_time(now, buf, &now, "the time");
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	/* One statement: SQLite takes the write lock before choosing the row, so
	 * two workers can never both pick the same task. */
	rc = vrp_db_prepare(db, &stmt, CLAIM_SQL);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, holder->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, lease_ms);
	vrp_db_bind_text_or_null(stmt, 4, remote);
	vrp_db_bind_text_or_null(stmt, 5, holder->host);
	if (holder->pid > 0) {
		sqlite3_bind_int64(stmt, 6, holder->pid);
		sqlite3_bind_int64(stmt, 7, holder->pid_start);
	}
	rc = vrp_sync_task_row_fetch(db, stmt, "cannot claim a sync task", out);
	if (rc == 0 && !*out)
		rc = vrp_error_set(VRP_ENOTFOUND, "no sync task is due%s%s",
				   remote ? " for remote " : "", remote ? remote : "");
	return rc;
}

/*
 * Steps an UPDATE guarded by "id = ?1 AND state = 'running' AND lease_owner = ?2"
 * and explains a miss: no such task, or the lease is no longer `owner`'s.
 */
static int update_leased(vrp_db *db, sqlite3_stmt *stmt, int64_t id, const char *owner)
{
	sqlite3_bind_int64(stmt, 1, id);
	sqlite3_bind_text(stmt, 2, owner, -1, SQLITE_TRANSIENT);
	int rc = vrp_db_step_done(db, stmt, "cannot update a sync task");
	if (rc < 0 || vrp_db_changes(db) > 0)
		return rc;
	vrp_sync_task_state state = VRP_SYNC_TASK_QUEUED;
	rc = vrp_sync_task_row_state(db, id, &state);
	if (rc < 0)
		return rc;
	return vrp_error_set(VRP_ECONFLICT,
			     "sync task %lld is no longer leased to '%s' (it is %s: its lease ran "
			     "out and another worker took it, or it was cancelled); stop working "
			     "on it",
			     (long long)id, owner, vrp_sync_task_state_to_string(state));
}

/* Checks the owner, resolves `now` and prepares `sql`; the shared start of leased updates. */
static int prepare_leased(vrp_db *db, const char *sql, const char *owner, const char **now,
			  char buf[VRP_TIME_ISO_LEN], sqlite3_stmt **stmt)
{
	int rc = check_owner(owner);
	if (rc == 0)
		rc = vrp_sync_task_resolve_time(*now, buf, now, "the time");
	if (rc == 0)
		rc = vrp_db_prepare(db, stmt, sql);
	return rc;
}

int vrp_sync_task_repo_renew_lease(vrp_db *db, int64_t id, const char *owner, int64_t lease_ms,
				   const char *now)
{
	if (lease_ms <= 0)
		return vrp_error_set(VRP_EINVAL, "the lease must be positive, not %lld ms",
				     (long long)lease_ms);
	char buf[VRP_TIME_ISO_LEN];
	sqlite3_stmt *stmt = NULL;
	int rc = prepare_leased(db, RENEW_SQL, owner, &now, buf, &stmt);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(stmt, 4, lease_ms);
		rc = update_leased(db, stmt, id, owner);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_repo_complete(vrp_db *db, int64_t id, const char *owner, const char *now)
{
	char buf[VRP_TIME_ISO_LEN];
	sqlite3_stmt *stmt = NULL;
	int rc = prepare_leased(db,
				"UPDATE sync_tasks SET state = 'done', finished_at = ?3, "
				"modified_at = ?3, lease_until = NULL, resume_state = NULL, "
				"error_code = NULL, error_message = NULL" LEASED_BY_OWNER,
				owner, &now, buf, &stmt);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
		rc = update_leased(db, stmt, id, owner);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_repo_fail(vrp_db *db, int64_t id, const char *owner, const char *error_code,
			    const char *error_message, const char *retry_at, const char *now)
{
	char buf[VRP_TIME_ISO_LEN], retry_buf[VRP_TIME_ISO_LEN];
	if (retry_at) {
		int rc = vrp_sync_task_resolve_time(retry_at, retry_buf, &retry_at,
						    "the retry time");
		if (rc < 0)
			return rc;
	}
	sqlite3_stmt *stmt = NULL;
	int rc = prepare_leased(db,
				"UPDATE sync_tasks SET "
				"state = CASE WHEN ?6 IS NULL THEN 'failed' ELSE 'queued' END, "
				"next_attempt_at = coalesce(?6, next_attempt_at), "
				"finished_at = CASE WHEN ?6 IS NULL THEN ?3 END, "
				"lease_until = NULL, error_code = ?4, error_message = ?5, "
				"modified_at = ?3" LEASED_BY_OWNER,
				owner, &now, buf, &stmt);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
		vrp_db_bind_text_or_null(stmt, 4, error_code);
		vrp_db_bind_text_or_null(stmt, 5, error_message);
		vrp_db_bind_text_or_null(stmt, 6, retry_at);
		rc = update_leased(db, stmt, id, owner);
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int is_valid_json(vrp_db *db, const char *json, int *valid)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT json_valid(?1)");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, json, -1, SQLITE_TRANSIENT);
		rc = vrp_db_step(db, stmt, "cannot check JSON");
	}
	if (rc == 1) {
		*valid = sqlite3_column_int(stmt, 0);
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_repo_save_resume_state(vrp_db *db, int64_t id, const char *owner,
					 const char *json, const char *now)
{
	int valid = 1;
	int rc = json ? is_valid_json(db, json, &valid) : 0;
	if (rc < 0)
		return rc;
	if (!valid)
		return vrp_error_set(VRP_EINVAL,
				     "the resume state of sync task %lld is not "
				     "valid JSON",
				     (long long)id);
	char buf[VRP_TIME_ISO_LEN];
	sqlite3_stmt *stmt = NULL;
	rc = prepare_leased(
		db, "UPDATE sync_tasks SET resume_state = ?4, modified_at = ?3" LEASED_BY_OWNER,
		owner, &now, buf, &stmt);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
		vrp_db_bind_text_or_null(stmt, 4, json);
		rc = update_leased(db, stmt, id, owner);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_repo_release(vrp_db *db, int64_t id, const char *owner, const char *error_code,
			       const char *error_message, const char *retry_at, const char *now)
{
	char buf[VRP_TIME_ISO_LEN], retry_buf[VRP_TIME_ISO_LEN];
	int rc = vrp_sync_task_resolve_time(retry_at, retry_buf, &retry_at, "the retry time");
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	/* Every claim counted one attempt; max() only guards a row edited by hand. */
	rc = prepare_leased(db,
			    "UPDATE sync_tasks SET state = 'queued', next_attempt_at = ?6, "
			    "attempts = max(attempts - 1, 0), lease_until = NULL, "
			    "error_code = ?4, error_message = ?5, modified_at = ?3" LEASED_BY_OWNER,
			    owner, &now, buf, &stmt);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_TRANSIENT);
		vrp_db_bind_text_or_null(stmt, 4, error_code);
		vrp_db_bind_text_or_null(stmt, 5, error_message);
		sqlite3_bind_text(stmt, 6, retry_at, -1, SQLITE_TRANSIENT);
		rc = update_leased(db, stmt, id, owner);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_repo_next_wakeup(vrp_db *db, const char *remote,
				   const vrp_sync_lease_holder *self, const char *now,
				   char out[VRP_TIME_ISO_LEN], bool *any)
{
	out[0] = '\0';
	*any = false;
	char buf[VRP_TIME_ISO_LEN];
	int rc = vrp_sync_task_resolve_time(now, buf, &now, "the time");
	sqlite3_stmt *stmt = NULL;
	if (rc == 0)
		rc = vrp_db_prepare(
			db, &stmt,
			"SELECT min(CASE state WHEN 'queued' THEN next_attempt_at "
			"ELSE lease_until END) FROM sync_tasks "
			"WHERE state IN ('queued', 'running') AND (?1 IS NULL OR remote = ?1) "
			"AND NOT (state = 'running' AND lease_until < ?2 AND " HELD_BY("?3", "?4",
										       "?5") ")");
	if (rc == 0) {
		vrp_db_bind_text_or_null(stmt, 1, remote);
		sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
		vrp_db_bind_text_or_null(stmt, 3, self ? self->host : NULL);
		if (self && self->pid > 0) {
			sqlite3_bind_int64(stmt, 4, self->pid);
			sqlite3_bind_int64(stmt, 5, self->pid_start);
		}
		rc = vrp_db_step(db, stmt, "cannot read the sync queue");
	}
	if (rc == 1) {
		const unsigned char *at = sqlite3_column_text(stmt, 0);
		if (at) {
			snprintf(out, VRP_TIME_ISO_LEN, "%s", (const char *)at);
			*any = true;
		}
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

void vrp_sync_lease_process_list_free(vrp_sync_lease_process_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++) {
		free(list->items[i].host);
		free(list->items[i].remote);
	}
	free(list->items);
	free(list);
}

static int read_process(sqlite3_stmt *stmt, vrp_sync_lease_process_list *list, size_t *capacity)
{
	if (list->count == *capacity) {
		size_t grown = *capacity ? *capacity * 2 : 4;
		vrp_sync_lease_process *items = realloc(list->items, grown * sizeof(*items));
		if (!items)
			return vrp_error_oom();
		list->items = items;
		*capacity = grown;
	}
	vrp_sync_lease_process *p = &list->items[list->count];
	*p = (vrp_sync_lease_process){ .pid = sqlite3_column_int64(stmt, 1),
				       .pid_start = sqlite3_column_int64(stmt, 2),
				       .tasks = sqlite3_column_int64(stmt, 3) };
	const unsigned char *until = sqlite3_column_text(stmt, 4);
	snprintf(p->lease_until, sizeof(p->lease_until), "%s", until ? (const char *)until : "");
	int rc = vrp_db_column_strdup(stmt, 0, &p->host);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 5, &p->remote);
	/* Counted even when half-read, so the free sees what was allocated. */
	list->count++;
	return rc;
}

int vrp_sync_task_repo_lease_processes(vrp_db *db, const char *remote, const char *now,
				       vrp_sync_lease_process_list **out)
{
	*out = NULL;
	char buf[VRP_TIME_ISO_LEN];
	int rc = vrp_sync_task_resolve_time(now, buf, &now, "the time");
	vrp_sync_lease_process_list *list = rc == 0 ? calloc(1, sizeof(*list)) : NULL;
	if (rc == 0 && !list)
		rc = vrp_error_oom();
	sqlite3_stmt *stmt = NULL;
	if (rc == 0)
		rc = vrp_db_prepare(db, &stmt,
				    "SELECT lease_host, lease_pid, lease_pid_start, count(*), "
				    "max(lease_until), remote FROM sync_tasks "
				    "WHERE state = 'running' AND lease_until >= ?1 "
				    "AND (?2 IS NULL OR remote = ?2) "
				    "GROUP BY remote, lease_host, lease_pid, lease_pid_start");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
		vrp_db_bind_text_or_null(stmt, 2, remote);
	}
	size_t capacity = 0;
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot read the sync leases")) == 1)
		rc = read_process(stmt, list, &capacity);
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_sync_lease_process_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_sync_task_repo_expire_process(vrp_db *db, const char *host, int64_t pid, int64_t pid_start,
				      const char *now, int64_t *count)
{
	if (count)
		*count = 0;
	char buf[VRP_TIME_ISO_LEN];
	int rc = vrp_sync_task_resolve_time(now, buf, &now, "the time");
	if (rc == 0 && (!host || pid <= 0))
		rc = vrp_error_set(VRP_EINVAL, "a lease process needs a host and a pid");
	sqlite3_stmt *stmt = NULL;
	if (rc == 0)
		rc = vrp_db_prepare(db, &stmt, EXPIRE_PROCESS_SQL);
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(stmt, 2, host, -1, SQLITE_TRANSIENT);
		sqlite3_bind_int64(stmt, 3, pid);
		sqlite3_bind_int64(stmt, 4, pid_start);
		rc = vrp_db_step_done(db, stmt, "cannot take over a dead worker's sync tasks");
	}
	if (rc == 0 && count)
		*count = vrp_db_changes(db);
	sqlite3_finalize(stmt);
	return rc;
}
