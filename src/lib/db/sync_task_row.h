/*
 * sync_task_row.h - what the sync task repository's files share (internal):
 * reading a sync_tasks row and the repository's handling of `now`.
 */
#ifndef VRP_DB_SYNC_TASK_ROW_H
#define VRP_DB_SYNC_TASK_ROW_H

#include "core/clock.h"
#include "vrp/db.h"
#include "vrp/sync_task.h"

#include <sqlite3.h>
#include <stdint.h>

/* The columns the readers below expect, in its order. */
#define VRP_SYNC_TASK_COLUMNS                                                                      \
	"id, op, recording_id, state, priority, attempts, uuid, remote, next_attempt_at, "         \
	"lease_until, lease_owner, idempotency_key, remote_id, remote_path, resume_state, "        \
	"correlation_id, error_code, error_message, created_at, modified_at, finished_at, "        \
	"lease_host, lease_pid, lease_pid_start, variant"

/* Reads the row `stmt` is on into a new task (caller frees); 0 or a negative code. */
int vrp_sync_task_row_read(sqlite3_stmt *stmt, vrp_sync_task **out);

/*
 * Runs `stmt` (selecting VRP_SYNC_TASK_COLUMNS; RETURNING them is fine) to
 * completion and finalizes it. `*out` receives the first row, or stays NULL
 * when there was none; the caller frees it. A failure is recorded naming `what`.
 */
int vrp_sync_task_row_fetch(vrp_db *db, sqlite3_stmt *stmt, const char *what, vrp_sync_task **out);

/* The state of task `id`; VRP_ENOTFOUND when there is no such task. */
int vrp_sync_task_row_state(vrp_db *db, int64_t id, vrp_sync_task_state *out);

/*
 * Points `*out` at `given`, or, when it is NULL, at the current time written
 * into `buf`. VRP_EINVAL (naming `what`) when `given` is not in the library's
 * timestamp format.
 */
int vrp_sync_task_resolve_time(const char *given, char buf[VRP_TIME_ISO_LEN], const char **out,
			       const char *what);

#endif
