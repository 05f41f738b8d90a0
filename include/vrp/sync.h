/*
 * sync.h - syncing recordings to remotes: the durable queue and its worker.
 *
 * Enqueueing records the wish to have a recording on a remote (a task in
 * the queue, the recording_remote row 'queued'); vrp_sync_run() does the
 * work. Tasks survive restarts; a worker holds each task under a lease it
 * renews while transferring, recording its host, pid and process start
 * time. A task whose worker was killed is taken over at once when that
 * process was on this host and is gone, else once the lease runs out; a
 * run waiting for a live holder says so (a WAITING event) once.
 *
 * Failure policy, by error class (vrp_error_is_transient and friends):
 *   remote unavailable (VRP_EUNAVAILABLE: an unplugged disk, a host that
 *                     does not answer; before its first task in a run each
 *                     remote is probed)
 *                     decided once per remote per run: the task goes back to
 *                     the queue without using up an attempt and the run
 *                     takes no more of that remote's tasks (one UNAVAILABLE
 *                     event); a forever run (`vrp worker`) probes it again
 *                     after a backoff that doubles up to max_delay_ms
 *   a damaged local file (its sha256 is not the catalogue's, or verify
 *                     marked it corrupt)
 *                     failed at once with VRP_ECORRUPT_MEDIA: sending it
 *                     again cannot help (`vrp verify`)
 *   transient, rate limit, checksum mismatch in transit
 *                     retried with exponential backoff and full jitter, never
 *                     sooner than the remote's Retry-After, up to
 *                     max_attempts; then the task is failed and the error kept
 *                     on the recording_remote row (error_code, error_message,
 *                     failed_at, attempts)
 *   auth expired      the task goes back to the queue without using up an
 *                     attempt, the row is 'failed' with ERR_AUTH_EXPIRED, and
 *                     the run stops taking that remote's tasks (re-authenticate,
 *                     then sync again)
 *   quota exceeded    the row is 'quota_exceeded', the task failed, and the
 *                     run stops uploading to that remote
 *   anything else     failed at once (permanent refusals, missing local files)
 *
 * Delete tasks (queued by `vrp purge` for remotes whose delete_policy is
 * "purge") remove the object by the id they carry; an object that is
 * already gone counts as deleted. Their failures follow the same policy.
 *
 * Idempotency: before uploading, the worker stats the recording's remote
 * path; an object with the same size and sha256 is taken as the upload
 * (a crash after the upload but before the database update never makes a
 * second copy). Remote paths are deterministic, so a retry replaces rather
 * than duplicates.
 */
#ifndef VRP_SYNC_H
#define VRP_SYNC_H

#include "vrp/library.h"
#include "vrp/remote.h"
#include "vrp/sync_task.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Queues an upload of recording `recording_id` to `remote` (idempotency key
 * "<sha256>:<size>") and marks the recording 'queued' there. When the same
 * upload is already queued or running, that task is returned instead.
 * `*task` (may be NULL) receives the task; free it with vrp_sync_task_free().
 * VRP_ENOTFOUND for an unknown recording or remote, VRP_EINVAL for a
 * deleted recording.
 */
int vrp_sync_enqueue_upload(vrp_library *lib, int64_t recording_id, const char *remote,
			    vrp_sync_task **task);

/*
 * vrp_sync_enqueue_upload() of the recording's `variant`: its original, or
 * its compressed (Opus) copy (idempotency key "compressed:<sha256>:<size>"
 * of the recording), which the task makes first when it is missing or stale.
 */
int vrp_sync_enqueue_upload_variant(vrp_library *lib, int64_t recording_id, const char *remote,
				    vrp_upload_variant variant, vrp_sync_task **task);

/*
 * Queues uploads to `remote` (NULL: every remote) of the recordings in `ids`
 * (NULL: every recording that is not deleted) that are not synced there
 * yet. `*enqueued` (may be NULL) receives how many uploads are queued for
 * them (new tasks and ones that were already waiting).
 */
int vrp_sync_enqueue_pending(vrp_library *lib, const char *remote, const int64_t *ids,
			     size_t id_count, int64_t *enqueued);

/* What a task is doing, as the progress callback reports it. */
typedef enum vrp_sync_event_kind {
	VRP_SYNC_EVENT_STARTED = 0, /* claimed; the transfer begins */
	VRP_SYNC_EVENT_PROGRESS,    /* bytes moved */
	VRP_SYNC_EVENT_SYNCED,      /* uploaded and verified */
	VRP_SYNC_EVENT_ALREADY,     /* the remote already held it: nothing uploaded */
	VRP_SYNC_EVENT_RETRY,       /* failed; queued again after delay_ms */
	VRP_SYNC_EVENT_FAILED,      /* failed for good (see code) */
	VRP_SYNC_EVENT_PAUSED,      /* auth expired: requeued, the remote paused */
	VRP_SYNC_EVENT_QUOTA,       /* the remote is full: the remote stopped */
	VRP_SYNC_EVENT_RELEASED,    /* the worker is stopping: requeued for later */
	VRP_SYNC_EVENT_DELETED,     /* a delete task removed the object (or it was gone already) */
	VRP_SYNC_EVENT_UNAVAILABLE, /* the remote cannot be reached: its tasks stay queued */
	VRP_SYNC_EVENT_WAITING,     /* another live process holds tasks: message says who */
} vrp_sync_event_kind;

/*
 * "started", "progress", "synced", "already", "retry", "failed", "paused", "quota", "released",
 * "deleted", "unavailable", "waiting".
 */
const char *vrp_sync_event_kind_to_string(vrp_sync_event_kind kind);

/* One progress report. Valid only during the callback. */
typedef struct vrp_sync_event {
	vrp_sync_event_kind kind;
	int64_t task_id;
	int64_t recording_id;
	const char *remote;
	const char *remote_path; /* NULL before it is known */
	int64_t attempt;         /* the task's attempt number, the current one included */
	int64_t bytes_done, bytes_total;
	int code;               /* the failure's VRP_E* code; 0 for success */
	const char *message;    /* the failure's message, or NULL */
	int64_t delay_ms;       /* RETRY: the backoff chosen */
	int64_t retry_after_ms; /* RETRY: the remote's hint, -1 when none */
	int64_t now_ms;         /* the run's clock when this happened */
	/* Totals of the run so far. */
	int64_t files_done, files_total;
	int64_t bytes_uploaded;
	/* The run's bytes: what transfers sent (finished and in flight, for a
	 * rate), what is done whatever the outcome (finished tasks, already
	 * there ones included, plus the bytes in flight), and done plus what is
	 * still to do. */
	int64_t run_bytes_sent, run_bytes_done, run_bytes_total;
} vrp_sync_event;

/* Called from worker threads, one call at a time (the engine serialises them). */
typedef void (*vrp_sync_progress_fn)(void *ctx, const vrp_sync_event *event);

/* The outside world of a run; tests replace it so nothing sleeps for real. */
typedef int64_t (*vrp_sync_clock_fn)(void *ctx);   /* milliseconds since the Unix epoch */
typedef uint64_t (*vrp_sync_random_fn)(void *ctx); /* uniform 64-bit values */
typedef int (*vrp_sync_sleep_fn)(void *ctx, int64_t ms);
typedef bool (*vrp_sync_stop_fn)(void *ctx); /* true: finish up and return */

/* How to run. Zero-initialise; zero members take the defaults. */
typedef struct vrp_sync_options {
	const char *remote;    /* only this remote's tasks; NULL: all */
	int concurrency;       /* transfers at once, each on its own connection; default 4 */
	int max_attempts;      /* attempts per task before it fails; default 8 */
	int64_t base_delay_ms; /* the first backoff's ceiling; default 1000 */
	int64_t max_delay_ms;  /* the backoff cap (Retry-After may exceed it); default 300000 */
	int64_t lease_ms;      /* how long a claim lasts unless renewed; default 60000 */
	int64_t poll_ms;       /* the longest idle wait before looking again; default 1000 */
	bool forever; /* keep waiting for new work (`vrp worker`); else return once drained */
	vrp_sync_progress_fn progress;
	void *progress_ctx;
	vrp_sync_stop_fn stop; /* polled between tasks and during transfers */
	void *stop_ctx;
	vrp_sync_clock_fn clock; /* NULL: the real clock, sleep and random source */
	vrp_sync_sleep_fn sleep;
	vrp_sync_random_fn random;
	void *env_ctx;
} vrp_sync_options;

/* What a run did. */
typedef struct vrp_sync_summary {
	int64_t synced;   /* uploaded and verified */
	int64_t already;  /* found on the remote, nothing uploaded */
	int64_t retries;  /* failures that were scheduled to retry */
	int64_t failed;   /* tasks that failed for good */
	int64_t paused;   /* tasks requeued because their remote's auth expired */
	int64_t quota;    /* tasks stopped by a full remote */
	int64_t released; /* tasks handed back because the run was stopped */
	int64_t bytes_uploaded;
	int64_t deleted;       /* remote objects removed by delete tasks (after `vrp purge`) */
	int worst_code;        /* the VRP_E* code of the most serious failure; 0 when none */
	int64_t unavailable;   /* remotes found unreachable (their tasks stay queued) */
	int64_t derived;       /* queued derivations made while no upload was due */
	int64_t derive_failed; /* queued derivations that failed (kept in the queue) */
} vrp_sync_summary;

/*
 * Runs the queue (see the top of this file) with `options` (NULL: the
 * defaults) until it is drained, or with options->forever until stop()
 * says so; in-flight tasks are then finished or handed back. Each worker
 * thread opens its own connection to the library. Returns 0 when the run
 * itself worked (task failures are in `*summary`, which may be NULL), or the
 * code of what kept it from running.
 */
int vrp_sync_run(vrp_library *lib, const vrp_sync_options *options, vrp_sync_summary *summary);

/* Where one remote stands. */
typedef struct vrp_sync_remote_report {
	char *remote;
	char *provider_key;
	vrp_sync_status_counts counts; /* recordings per sync status */
	vrp_sync_task_counts tasks;    /* queue tasks per state */
	vrp_recording_remote_list
		*problems; /* failed, quota_exceeded and conflict rows, with reasons */
} vrp_sync_remote_report;

typedef struct vrp_sync_report {
	vrp_sync_remote_report **items;
	size_t count;
} vrp_sync_report;

/* Frees the report; NULL is a no-op. */
void vrp_sync_report_free(vrp_sync_report *report);

/*
 * The status of `remote` (NULL: every remote, by name) into `*out` (caller
 * frees with vrp_sync_report_free()). VRP_ENOTFOUND for an unknown remote.
 */
int vrp_sync_status_read(vrp_library *lib, const char *remote, vrp_sync_report **out);

/*
 * Recording `recording_id`'s state on each remote it has one on, by remote
 * name (where it is, when it was synced, how that copy was verified, the
 * last error), into `*out` (caller frees with vrp_recording_remote_list_free()).
 */
int vrp_sync_recording_state(vrp_library *lib, int64_t recording_id,
			     vrp_recording_remote_list **out);

/*
 * Up to `limit` queue tasks in `states` (bits 1u << vrp_sync_task_state; 0:
 * all) of `remote` (NULL: all) with an id above `after_id`, by id. Caller
 * frees `*out` with vrp_sync_task_list_free().
 */
int vrp_sync_queue_list(vrp_library *lib, unsigned states, const char *remote, int64_t after_id,
			int limit, vrp_sync_task_list **out);

/*
 * Requeues failed or cancelled task `id` (due now) and marks its recording
 * 'queued' on the remote. VRP_ENOTFOUND, or VRP_EINVAL for a task in
 * another state.
 */
int vrp_sync_queue_retry(vrp_library *lib, int64_t id);

/* Requeues every failed task of `remote` (NULL: all); `*count` (may be NULL) gets how many. */
int vrp_sync_queue_retry_failed(vrp_library *lib, const char *remote, int64_t *count);

/*
 * Cancels queued or running task `id`; its recording goes back to
 * 'unsynced' on the remote unless it is synced there. VRP_ENOTFOUND, or
 * VRP_EINVAL for a finished task.
 */
int vrp_sync_queue_cancel(vrp_library *lib, int64_t id);

/*
 * By recording rather than by task: requeues the failed or cancelled tasks
 * of recording `recording_id` on `remote` (NULL: every remote) as
 * vrp_sync_queue_retry() does (one that a newer live task already covers is
 * skipped), or cancels its queued and running ones as vrp_sync_queue_cancel()
 * does. `*count` (may be NULL) gets how many tasks changed; VRP_ENOTFOUND
 * naming the recording and remote when there was none to change.
 */
int vrp_sync_queue_retry_recording(vrp_library *lib, int64_t recording_id, const char *remote,
				   int64_t *count);
int vrp_sync_queue_cancel_recording(vrp_library *lib, int64_t recording_id, const char *remote,
				    int64_t *count);

#ifdef __cplusplus
}
#endif

#endif
