/*
 * sync_task_repo.h - the SQL of the durable sync queue (internal).
 *
 * A worker claims the next due task under a lease (owner + expiry) and must
 * hold that lease to renew it, save resume state, complete or fail the task;
 * once a lease runs out another worker may reclaim the task, and the first
 * worker's later calls fail with VRP_ECONFLICT, telling it to stop. Owner
 * strings must therefore be unique per worker (host, pid, thread...).
 *
 * Every function that writes a time takes `now` as an ISO timestamp in the
 * library's format (core/clock.h), or NULL for the current time, so callers
 * and tests decide what time it is. A malformed timestamp gives VRP_EINVAL.
 */
#ifndef VRP_DB_SYNC_TASK_REPO_H
#define VRP_DB_SYNC_TASK_REPO_H

#include "core/clock.h"
#include "vrp/db.h"
#include "vrp/sync_task.h"

#include <stdbool.h>
#include <stdint.h>

/* What to enqueue. Strings are borrowed for the call. */
typedef struct vrp_sync_task_request {
	vrp_sync_op op;
	int64_t recording_id;        /* 0 for none (a remote delete after a purge) */
	const char *remote;          /* must name an existing remote */
	const char *idempotency_key; /* non-empty; the same work has the same key */
	int64_t priority;            /* higher is claimed first */
	const char *correlation_id;  /* may be NULL */
	const char *remote_id;       /* may be NULL */
	const char *remote_path;     /* may be NULL */
	vrp_upload_variant variant;  /* an upload's: the file it sends */
} vrp_sync_task_request;

/*
 * Queues a task, due at `now`. When a live (queued or running) task with the
 * same op, remote and idempotency key exists, nothing is added: `*out`
 * receives that task and `*created` false; otherwise the new task and true.
 * Both out-params may be NULL; the caller frees `*out` with
 * vrp_sync_task_free(). VRP_ENOTFOUND for an unknown remote or recording,
 * VRP_EINVAL for an invalid request.
 */
int vrp_sync_task_repo_enqueue(vrp_db *db, const vrp_sync_task_request *request, const char *now,
			       vrp_sync_task **out, bool *created);

/* The task with this id / uuid into `*out` (caller frees); VRP_ENOTFOUND when none. */
int vrp_sync_task_repo_get_by_id(vrp_db *db, int64_t id, vrp_sync_task **out);
int vrp_sync_task_repo_get_by_uuid(vrp_db *db, const char *uuid, vrp_sync_task **out);

/* Who takes a lease: the worker's unique owner name and the process it runs in. */
typedef struct vrp_sync_lease_holder {
	const char *owner; /* non-empty, unique per worker */
	const char *host;  /* NULL when unknown */
	int64_t pid;       /* 0 when unknown */
	int64_t pid_start; /* the process's start time (core/process.h) */
} vrp_sync_lease_holder;

/* A holder known by its owner name alone: its process is never taken for dead. */
#define VRP_SYNC_LEASE_OWNER(name) (&(vrp_sync_lease_holder){ .owner = (name) })

/*
 * Atomically takes the next due task for `remote` (NULL: any remote): a
 * queued task with next_attempt_at <= now, or a running one whose lease
 * expired before now (its worker died) unless that lease is held by
 * `holder`'s own process (known pid): a live process's thread is slow, not
 * dead. Highest priority first, then the earliest due, then the oldest. The
 * task becomes running, leased to `holder` until now + lease_ms, with one
 * more attempt; `*out` receives it (caller frees). VRP_ENOTFOUND when
 * nothing is due.
 */
int vrp_sync_task_repo_claim(vrp_db *db, const char *remote, const vrp_sync_lease_holder *holder,
			     int64_t lease_ms, const char *now, vrp_sync_task **out);

/* The processes holding unexpired leases, one row per remote and process. */
typedef struct vrp_sync_lease_process {
	char *remote;
	char *host;  /* NULL when the tasks were claimed without one */
	int64_t pid; /* 0 when unknown */
	int64_t pid_start;
	int64_t tasks;                      /* running tasks it holds */
	char lease_until[VRP_TIME_ISO_LEN]; /* the latest of their leases */
} vrp_sync_lease_process;

typedef struct vrp_sync_lease_process_list {
	vrp_sync_lease_process *items;
	size_t count;
} vrp_sync_lease_process_list;

void vrp_sync_lease_process_list_free(vrp_sync_lease_process_list *list);

/*
 * The processes holding leases of `remote`'s (NULL: any remote's) running
 * tasks that have not run out at `now`, into `*out` (caller frees).
 */
int vrp_sync_task_repo_lease_processes(vrp_db *db, const char *remote, const char *now,
				       vrp_sync_lease_process_list **out);

/*
 * Ends now every lease held by process (`host`, `pid`, `pid_start`), which
 * the caller proved dead, so the next claim takes its tasks over.
 * `*count` (may be NULL) receives how many.
 */
int vrp_sync_task_repo_expire_process(vrp_db *db, const char *host, int64_t pid, int64_t pid_start,
				      const char *now, int64_t *count);

/* Extends the lease to now + lease_ms. VRP_ECONFLICT when `owner` no longer holds it. */
int vrp_sync_task_repo_renew_lease(vrp_db *db, int64_t id, const char *owner, int64_t lease_ms,
				   const char *now);

/*
 * Marks a leased task done (finished_at = now; error and resume state
 * cleared). VRP_ECONFLICT when `owner` no longer holds the lease.
 */
int vrp_sync_task_repo_complete(vrp_db *db, int64_t id, const char *owner, const char *now);

/*
 * Records a failed attempt of a leased task. With `retry_at`, the task goes
 * back to queued, due at `retry_at`, keeping its resume state; without, it
 * becomes failed (finished_at = now). The error is kept either way.
 * VRP_ECONFLICT when `owner` no longer holds the lease.
 */
int vrp_sync_task_repo_fail(vrp_db *db, int64_t id, const char *owner, const char *error_code,
			    const char *error_message, const char *retry_at, const char *now);

/*
 * Cancels a queued or running task (finished_at = now). A running task's
 * worker learns of it at its next renew/complete/fail (VRP_ECONFLICT).
 * Cancelling a cancelled task does nothing and succeeds; a done or failed
 * task gives VRP_EINVAL (there is nothing left to cancel).
 */
int vrp_sync_task_repo_cancel(vrp_db *db, int64_t id, const char *now);

/*
 * Requeues a failed or cancelled task, due now; attempts and the last error
 * are kept. VRP_EINVAL for a task in another state, VRP_EEXISTS when another
 * live task already does the same work.
 */
int vrp_sync_task_repo_retry(vrp_db *db, int64_t id, const char *now);

/*
 * Gives a leased task back without counting the claim as an attempt: it
 * becomes queued, due at `retry_at` (NULL: now), keeping its resume state and
 * recording `error_code`/`error_message` (may be NULL) as its last error. For
 * failures that are not the task's (the remote's token expired, the worker is
 * stopping). VRP_ECONFLICT when `owner` no longer holds the lease.
 */
int vrp_sync_task_repo_release(vrp_db *db, int64_t id, const char *owner, const char *error_code,
			       const char *error_message, const char *retry_at, const char *now);

/*
 * When a worker waiting for `remote`'s (NULL: any remote's) queue should look
 * again: the earliest next_attempt_at of a queued task or lease_until of a
 * running one, into `out`; `*any` false (and `out` empty) when no task is
 * queued or running. Expired leases of process `self` (may be NULL) do not
 * count: the claim leaves them to their thread.
 */
int vrp_sync_task_repo_next_wakeup(vrp_db *db, const char *remote,
				   const vrp_sync_lease_holder *self, const char *now,
				   char out[VRP_TIME_ISO_LEN], bool *any);

/*
 * Saves what a worker needs to resume the transfer (`json`: a JSON text, or
 * NULL to forget it). VRP_EINVAL for invalid JSON, VRP_ECONFLICT when `owner`
 * no longer holds the lease.
 */
int vrp_sync_task_repo_save_resume_state(vrp_db *db, int64_t id, const char *owner,
					 const char *json, const char *now);

/* The bit of `state` in vrp_sync_task_filter.states. */
#define VRP_SYNC_TASK_STATE_BIT(state) (1u << (state))

typedef struct vrp_sync_task_filter {
	unsigned states;      /* VRP_SYNC_TASK_STATE_BIT()s of the wanted states; 0 for all */
	const char *remote;   /* NULL for any */
	int64_t recording_id; /* 0 for any */
	int64_t after_id;     /* keyset cursor: 0, or the last id of the previous page */
	int limit;            /* > 0 */
} vrp_sync_task_filter;

/* Tasks matching `filter`, by id, into `*out` (caller frees with vrp_sync_task_list_free). */
int vrp_sync_task_repo_list(vrp_db *db, const vrp_sync_task_filter *filter,
			    vrp_sync_task_list **out);

/* How many tasks of `remote` (NULL: all remotes) are in each state; all 0 for an unknown remote. */
int vrp_sync_task_repo_count_by_state(vrp_db *db, const char *remote, vrp_sync_task_counts *out);

/*
 * How many tasks of `remote` (NULL: all remotes) are queued or running, and
 * `*bytes` (may be NULL) the size of their recordings: read through the
 * state index, so its cost does not grow with the history of finished
 * tasks (count_by_state's does).
 */
int vrp_sync_task_repo_count_live(vrp_db *db, const char *remote, int64_t *out, int64_t *bytes);

/*
 * Deletes done and cancelled tasks that finished before `before`. Failed
 * tasks are kept: they wait for a person to retry or cancel them.
 * `*deleted` (may be NULL) receives how many went.
 */
int vrp_sync_task_repo_prune_finished(vrp_db *db, const char *before, int64_t *deleted);

#endif
