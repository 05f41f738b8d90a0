/*
 * derive_task_repo.h - the SQL of the durable derive queue (internal).
 *
 * A task asks for a set of kinds of asset (VRP_DERIVE_KIND bits) of one
 * recording. A worker claims a due task under a lease; a lease that ran out
 * (its worker was killed) lets another worker claim it again, and since
 * every asset is written atomically, making one twice is only slower.
 */
#ifndef VRP_DB_DERIVE_TASK_REPO_H
#define VRP_DB_DERIVE_TASK_REPO_H

#include "vrp/db.h"

#include <stddef.h>
#include <stdint.h>

struct vrp_derive_task {
	int64_t id;
	int64_t recording_id;
	unsigned kinds;
	int64_t attempts; /* claims so far, this one included */
};

/* Who claims: the lease owner, and the process (host, pid, start time) it runs in. */
struct vrp_derive_lease_holder {
	const char *owner;
	const char *host; /* NULL: the process is not known */
	int64_t pid, pid_start;
};

/* A process holding derive leases on one host. */
struct vrp_derive_lease_process {
	int64_t pid, pid_start;
};

struct vrp_derive_queue_counts {
	int64_t queued, running, failed;
};

/*
 * Queues `kinds` of recording `recording_id`: added to its live task, else
 * a new task due now. A failed task of the recording stays as it is (the
 * record of what went wrong) and a new one is queued beside it.
 */
int vrp_derive_task_repo_enqueue(vrp_db *db, int64_t recording_id, unsigned kinds);

/*
 * Claims the next due task for `owner` for `lease_ms`: a queued one whose
 * time has come, or a running one whose lease ended. VRP_ENOTFOUND when
 * there is none.
 */
int vrp_derive_task_repo_claim(vrp_db *db, const char *owner, int64_t lease_ms,
			       struct vrp_derive_task *out);

/* vrp_derive_task_repo_claim() recording the holder's process with the lease. */
int vrp_derive_task_repo_claim_held(vrp_db *db, const struct vrp_derive_lease_holder *holder,
				    int64_t lease_ms, struct vrp_derive_task *out);

/*
 * The processes on `host` that hold the lease of a running task: a malloc'd
 * array of `*count` (NULL when none), for telling the dead ones.
 */
int vrp_derive_task_repo_lease_processes(vrp_db *db, const char *host,
					 struct vrp_derive_lease_process **out, size_t *count);

/* Ends now the leases of process (host, pid, pid_start); `*count` (may be NULL) gets how many. */
int vrp_derive_task_repo_expire_process(vrp_db *db, const char *host,
					const struct vrp_derive_lease_process *p, int64_t *count);

/*
 * The lease holder made `made` of the task's kinds: they leave the task;
 * the task is done when none is left, else queued again for the rest
 * (kinds added while it ran).
 */
int vrp_derive_task_repo_finish(vrp_db *db, int64_t id, const char *owner, unsigned made);

/*
 * The task failed with `code` and `message`: queued again at `retry_at`
 * (an ISO time), or failed for good when `retry_at` is NULL.
 */
int vrp_derive_task_repo_fail(vrp_db *db, int64_t id, const char *owner, const char *code,
			      const char *message, const char *retry_at);

/*
 * The lease holder is still at work: its lease ends `lease_ms` from now.
 * VRP_ENOTFOUND when the lease was taken over (the holder must stop).
 */
int vrp_derive_task_repo_renew(vrp_db *db, int64_t id, const char *owner, int64_t lease_ms);

/* The recording's assets were made after all: its failed tasks are no longer true. */
int vrp_derive_task_repo_forget_failed(vrp_db *db, int64_t recording_id);

/* Failed tasks are queued again, due now; `*count` (may be NULL) gets how many. */
int vrp_derive_task_repo_retry_failed(vrp_db *db, int64_t *count);

int vrp_derive_task_repo_counts(vrp_db *db, struct vrp_derive_queue_counts *out);

#endif
