/* sync_task_repo.c - the SQL of the durable sync queue. */
#include "db/sync_task_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "core/uuid.h"
#include "db/db_internal.h"
#include "db/sync_task_row.h"

#include <stdlib.h>
#include <string.h>

#define LIVE_STATES "('queued', 'running')"

int vrp_sync_task_repo_get_by_id(vrp_db *db, int64_t id, vrp_sync_task **out)
{
	*out = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " VRP_SYNC_TASK_COLUMNS " FROM sync_tasks WHERE id = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_int64(stmt, 1, id);
	rc = vrp_sync_task_row_fetch(db, stmt, "cannot read a sync task", out);
	if (rc == 0 && !*out)
		rc = vrp_error_set(VRP_ENOTFOUND, "no sync task with id %lld", (long long)id);
	return rc;
}

int vrp_sync_task_repo_get_by_uuid(vrp_db *db, const char *uuid, vrp_sync_task **out)
{
	*out = NULL;
	if (!uuid)
		return vrp_error_set(VRP_EINVAL, "no task uuid given");
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT " VRP_SYNC_TASK_COLUMNS " FROM sync_tasks WHERE uuid = ?1");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_TRANSIENT);
	rc = vrp_sync_task_row_fetch(db, stmt, "cannot read a sync task", out);
	if (rc == 0 && !*out)
		rc = vrp_error_set(VRP_ENOTFOUND, "no sync task with uuid '%s'", uuid);
	return rc;
}

/* ---- enqueue ---- */

struct enqueue_ctx {
	const vrp_sync_task_request *request;
	const char *now;
	vrp_sync_task *task;
	bool created;
};

static int check_request(const vrp_sync_task_request *r)
{
	if (!r)
		return vrp_error_set(VRP_EINVAL, "no sync task request given");
	if (!vrp_sync_op_to_string(r->op))
		return vrp_error_set(VRP_EINVAL, "invalid sync operation %d", (int)r->op);
	if (!r->remote || !*r->remote)
		return vrp_error_set(VRP_EINVAL, "the remote name must not be empty");
	if (!r->idempotency_key || !*r->idempotency_key)
		return vrp_error_set(VRP_EINVAL, "the idempotency key must not be empty");
	if (r->recording_id < 0)
		return vrp_error_set(VRP_EINVAL, "invalid recording id %lld",
				     (long long)r->recording_id);
	if (!vrp_upload_variant_to_string(r->variant))
		return vrp_error_set(VRP_EINVAL, "invalid upload variant %d", (int)r->variant);
	return 0;
}

/* Names the missing remote or recording instead of a bare foreign key failure. */
static int check_references(vrp_db *db, const vrp_sync_task_request *r)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT EXISTS (SELECT 1 FROM remotes WHERE name = ?1), "
				"?2 = 0 OR EXISTS (SELECT 1 FROM recordings WHERE id = ?2)");
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, r->remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, r->recording_id);
	rc = vrp_db_step(db, stmt, "cannot look up a remote and a recording");
	if (rc == 1) {
		rc = 0;
		if (!sqlite3_column_int(stmt, 0))
			rc = vrp_error_set(VRP_ENOTFOUND, "no remote named '%s'", r->remote);
		else if (!sqlite3_column_int(stmt, 1))
			rc = vrp_error_set(VRP_ENOTFOUND, "no recording with id %lld",
					   (long long)r->recording_id);
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int insert_task(vrp_db *db, struct enqueue_ctx *c)
{
	const vrp_sync_task_request *r = c->request;
	char uuid[VRP_UUID_LEN];
	int rc = vrp_uuid_v4(uuid);
	if (rc < 0)
		return rc;
	sqlite3_stmt *stmt = NULL;
	/* The conflict target is the partial index sync_tasks_live: only a live
	 * task absorbs the insert; finished ones never block new work. */
	rc = vrp_db_prepare(
		db, &stmt,
		"INSERT INTO sync_tasks (uuid, op, recording_id, remote, priority, "
		"next_attempt_at, idempotency_key, remote_id, remote_path, "
		"correlation_id, created_at, modified_at, variant) "
		"VALUES (?1, ?2, nullif(?3, 0), ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?6, ?6, ?11) "
		"ON CONFLICT (op, remote, idempotency_key) WHERE state IN " LIVE_STATES
		" DO NOTHING RETURNING " VRP_SYNC_TASK_COLUMNS);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, uuid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, vrp_sync_op_to_string(r->op), -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, r->recording_id);
	sqlite3_bind_text(stmt, 4, r->remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 5, r->priority);
	sqlite3_bind_text(stmt, 6, c->now, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 7, r->idempotency_key, -1, SQLITE_TRANSIENT);
	vrp_db_bind_text_or_null(stmt, 8, r->remote_id);
	vrp_db_bind_text_or_null(stmt, 9, r->remote_path);
	vrp_db_bind_text_or_null(stmt, 10, r->correlation_id);
	sqlite3_bind_text(stmt, 11, vrp_upload_variant_to_string(r->variant), -1, SQLITE_STATIC);
	rc = vrp_sync_task_row_fetch(db, stmt, "cannot queue a sync task", &c->task);
	c->created = c->task != NULL;
	return rc;
}

static int find_live(vrp_db *db, struct enqueue_ctx *c)
{
	const vrp_sync_task_request *r = c->request;
	sqlite3_stmt *stmt = NULL;
	int rc =
		vrp_db_prepare(db, &stmt,
			       "SELECT " VRP_SYNC_TASK_COLUMNS " FROM sync_tasks WHERE op = ?1 AND "
			       "remote = ?2 AND idempotency_key = ?3 AND state IN " LIVE_STATES);
	if (rc < 0)
		return rc;
	sqlite3_bind_text(stmt, 1, vrp_sync_op_to_string(r->op), -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, r->remote, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, r->idempotency_key, -1, SQLITE_TRANSIENT);
	rc = vrp_sync_task_row_fetch(db, stmt, "cannot look up the live sync task", &c->task);
	if (rc == 0 && !c->task)
		rc = vrp_error_set(VRP_ERROR, "a live sync task blocked the insert but is gone");
	return rc;
}

/* One transaction, so the live task found after a no-op insert is the one that blocked it. */
static int enqueue_txn(vrp_db *db, void *ctx)
{
	struct enqueue_ctx *c = ctx;
	int rc = check_references(db, c->request);
	if (rc == 0)
		rc = insert_task(db, c);
	if (rc == 0 && !c->task)
		rc = find_live(db, c);
	return rc;
}

int vrp_sync_task_repo_enqueue(vrp_db *db, const vrp_sync_task_request *request, const char *now,
			       vrp_sync_task **out, bool *created)
{
	if (out)
		*out = NULL;
	if (created)
		*created = false;
	char buf[VRP_TIME_ISO_LEN];
	struct enqueue_ctx c = { .request = request };
	int rc = check_request(request);
	if (rc == 0)
		rc = vrp_sync_task_resolve_time(now, buf, &c.now, "the time");
	if (rc == 0)
		rc = vrp_db_transaction(db, enqueue_txn, &c);
	if (rc < 0) {
		vrp_sync_task_free(c.task);
		return rc;
	}
	if (created)
		*created = c.created;
	if (out)
		*out = c.task;
	else
		vrp_sync_task_free(c.task);
	return 0;
}

/* ---- transitions by a person (`vrp queue cancel|retry`) ---- */

/* Runs an UPDATE on task ?1 with ?2 = now; `*changed` tells whether the row matched. */
static int update_task(vrp_db *db, const char *sql, int64_t id, const char *now, int *changed,
		       const char *what)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, sql);
	if (rc == 0) {
		sqlite3_bind_int64(stmt, 1, id);
		sqlite3_bind_text(stmt, 2, now, -1, SQLITE_TRANSIENT);
		rc = vrp_db_step_done(db, stmt, what);
	}
	sqlite3_finalize(stmt);
	*changed = rc == 0 && vrp_db_changes(db) > 0;
	return rc;
}

int vrp_sync_task_repo_cancel(vrp_db *db, int64_t id, const char *now)
{
	char buf[VRP_TIME_ISO_LEN];
	int changed = 0;
	int rc = vrp_sync_task_resolve_time(now, buf, &now, "the time");
	if (rc == 0)
		rc = update_task(db,
				 "UPDATE sync_tasks SET state = 'cancelled', finished_at = ?2, "
				 "modified_at = ?2, lease_until = NULL "
				 "WHERE id = ?1 AND state IN " LIVE_STATES,
				 id, now, &changed, "cannot cancel a sync task");
	if (rc < 0 || changed)
		return rc;
	vrp_sync_task_state state = VRP_SYNC_TASK_QUEUED;
	rc = vrp_sync_task_row_state(db, id, &state);
	if (rc < 0 || state == VRP_SYNC_TASK_CANCELLED)
		return rc;
	return vrp_error_set(VRP_EINVAL, "sync task %lld is %s: there is nothing to cancel",
			     (long long)id, vrp_sync_task_state_to_string(state));
}

int vrp_sync_task_repo_retry(vrp_db *db, int64_t id, const char *now)
{
	char buf[VRP_TIME_ISO_LEN];
	int changed = 0;
	int rc = vrp_sync_task_resolve_time(now, buf, &now, "the time");
	if (rc == 0)
		rc = update_task(db,
				 "UPDATE sync_tasks SET state = 'queued', next_attempt_at = ?2, "
				 "modified_at = ?2, finished_at = NULL, lease_until = NULL "
				 "WHERE id = ?1 AND state IN ('failed', 'cancelled')",
				 id, now, &changed, "cannot requeue a sync task");
	if (rc == VRP_EEXISTS)
		return vrp_error_set(VRP_EEXISTS,
				     "sync task %lld cannot be retried: another "
				     "queued or running task already does the same work",
				     (long long)id);
	if (rc < 0 || changed)
		return rc;
	vrp_sync_task_state state = VRP_SYNC_TASK_QUEUED;
	rc = vrp_sync_task_row_state(db, id, &state);
	if (rc < 0)
		return rc;
	return vrp_error_set(VRP_EINVAL,
			     "sync task %lld is %s: only failed or cancelled tasks "
			     "can be retried",
			     (long long)id, vrp_sync_task_state_to_string(state));
}

/* ---- listing and housekeeping ---- */

static int append(vrp_sync_task_list *list, size_t *capacity, vrp_sync_task *item)
{
	int grow_rc = vrp_ptr_array_reserve(&list->items, capacity, list->count + 1);
	if (grow_rc < 0)
		return grow_rc;
	list->items[list->count++] = item;
	return 0;
}

static int check_filter(const vrp_sync_task_filter *f)
{
	if (f->limit <= 0)
		return vrp_error_set(VRP_EINVAL, "the limit must be positive, not %d", f->limit);
	if (f->states >> VRP_SYNC_TASK_STATE_COUNT)
		return vrp_error_set(VRP_EINVAL, "unknown task states in the filter (0x%x)",
				     f->states);
	if (f->recording_id < 0)
		return vrp_error_set(VRP_EINVAL, "invalid recording id %lld",
				     (long long)f->recording_id);
	return 0;
}

/* Binds the wanted states to ?6..?10; an unwanted state's slot stays NULL and matches nothing. */
static void bind_states(sqlite3_stmt *stmt, unsigned states)
{
	for (int s = 0; s < VRP_SYNC_TASK_STATE_COUNT; s++) {
		if (!states || (states & VRP_SYNC_TASK_STATE_BIT(s)))
			sqlite3_bind_text(stmt, 6 + s,
					  vrp_sync_task_state_to_string((vrp_sync_task_state)s), -1,
					  SQLITE_STATIC);
	}
}

int vrp_sync_task_repo_list(vrp_db *db, const vrp_sync_task_filter *filter,
			    vrp_sync_task_list **out)
{
	*out = NULL;
	int rc = check_filter(filter);
	if (rc < 0)
		return rc;
	vrp_sync_task_list *list = calloc(1, sizeof(*list));
	if (!list)
		return vrp_error_oom();
	size_t capacity = 0;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "SELECT " VRP_SYNC_TASK_COLUMNS " FROM sync_tasks "
			    "WHERE state IN (?6, ?7, ?8, ?9, ?10) AND (?1 IS NULL OR remote = ?1) "
			    "AND (?2 = 0 OR recording_id = ?2) AND id > ?3 ORDER BY id LIMIT ?4");
	if (rc == 0) {
		vrp_db_bind_text_or_null(stmt, 1, filter->remote);
		sqlite3_bind_int64(stmt, 2, filter->recording_id);
		sqlite3_bind_int64(stmt, 3, filter->after_id);
		sqlite3_bind_int(stmt, 4, filter->limit);
		bind_states(stmt, filter->states);
	}
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot list sync tasks")) == 1) {
		vrp_sync_task *item = NULL;
		rc = vrp_sync_task_row_read(stmt, &item);
		if (rc == 0 && (rc = append(list, &capacity, item)) < 0)
			vrp_sync_task_free(item);
	}
	sqlite3_finalize(stmt);
	if (rc < 0) {
		vrp_sync_task_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_sync_task_repo_count_by_state(vrp_db *db, const char *remote, vrp_sync_task_counts *out)
{
	*out = (vrp_sync_task_counts){ 0 };
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT state, count(*) FROM sync_tasks "
				"WHERE ?1 IS NULL OR remote = ?1 GROUP BY state");
	if (rc == 0)
		vrp_db_bind_text_or_null(stmt, 1, remote);
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot count sync tasks")) == 1) {
		vrp_sync_task_state state = VRP_SYNC_TASK_QUEUED;
		rc = vrp_sync_task_state_from_string((const char *)sqlite3_column_text(stmt, 0),
						     &state);
		if (rc == 0)
			out->by_state[state] = sqlite3_column_int64(stmt, 1);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_repo_count_live(vrp_db *db, const char *remote, int64_t *out, int64_t *bytes)
{
	*out = 0;
	if (bytes)
		*bytes = 0;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(
		db, &stmt,
		"SELECT count(*), coalesce(sum(r.filesize_bytes), 0) FROM sync_tasks t "
		"LEFT JOIN recordings r ON r.id = t.recording_id "
		"WHERE t.state IN ('queued', 'running') AND (?1 IS NULL OR t.remote = ?1)");
	if (rc == 0) {
		vrp_db_bind_text_or_null(stmt, 1, remote);
		rc = vrp_db_step(db, stmt, "cannot count live sync tasks");
	}
	if (rc == 1) {
		*out = sqlite3_column_int64(stmt, 0);
		if (bytes)
			*bytes = sqlite3_column_int64(stmt, 1);
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_sync_task_repo_prune_finished(vrp_db *db, const char *before, int64_t *deleted)
{
	if (deleted)
		*deleted = 0;
	char buf[VRP_TIME_ISO_LEN];
	if (!before)
		return vrp_error_set(VRP_EINVAL, "no cut-off time given for pruning");
	int rc = vrp_sync_task_resolve_time(before, buf, &before, "the cut-off time");
	sqlite3_stmt *stmt = NULL;
	if (rc == 0)
		rc = vrp_db_prepare(db, &stmt,
				    "DELETE FROM sync_tasks WHERE state IN ('done', 'cancelled') "
				    "AND finished_at < ?1");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, before, -1, SQLITE_TRANSIENT);
		rc = vrp_db_step_done(db, stmt, "cannot prune finished sync tasks");
	}
	sqlite3_finalize(stmt);
	if (rc == 0 && deleted)
		*deleted = vrp_db_changes(db);
	return rc;
}
