/*
 * sync_internal.h - what the sync worker's files share (internal).
 *
 * One `sync_run` per vrp_sync_run() call, shared by its threads (the
 * mutable parts under `lock`); one `sync_worker` per thread, with its own
 * library connection and provider instances, used by that thread alone.
 */
#ifndef VRP_SERVICES_SYNC_INTERNAL_H
#define VRP_SERVICES_SYNC_INTERNAL_H

#include "core/clock.h"
#include "vrp/provider.h"
#include "vrp/sync.h"

#include <pthread.h>

enum sync_reach { SYNC_REACH_UNKNOWN = 0, SYNC_REACH_UP, SYNC_REACH_DOWN };

/* What the run knows of one remote (sync_remotes.c). */
struct sync_remote_state {
	char *name;
	bool stopped; /* auth expired or full: no more of its tasks in this run */
	enum sync_reach reach;
	int downs;           /* times in a row it was found unreachable */
	int64_t probe_at_ms; /* unreachable, in a forever run: when to look again */
};

/* Transfers at once, at most. */
#define SYNC_MAX_CONCURRENCY 64

/* A transfer in progress: how far it got, for the run's byte totals. */
struct sync_inflight {
	int64_t task_id; /* 0: a free slot */
	int64_t bytes;
};

struct sync_run {
	const char *root;     /* the library's root: each thread opens its own connection */
	vrp_sync_options opt; /* defaults filled in */
	pthread_mutex_t lock;
	struct sync_remote_state *remotes;
	size_t remote_count;
	vrp_sync_summary summary;
	int64_t files_done, files_total;
	int64_t bytes_settled; /* of the tasks this run finished, whatever the outcome */
	int64_t bytes_live;    /* of the tasks still to do on the remotes it serves */
	struct sync_inflight inflight[SYNC_MAX_CONCURRENCY];
	/* This process, as its leases name it (pid 0: unknown, never taken for dead). */
	char host[256];
	int64_t pid, pid_start;
	char **announced; /* the lease holders already said to be waited for */
	size_t announced_count;
	struct vrp_activity *activity; /* how far the run got, for other processes */
	int fatal; /* the first error that stopped a thread, or 0 */
	char fatal_message[512];
};

struct sync_worker {
	struct sync_run *run;
	vrp_library *lib;
	char owner[128]; /* unique per thread and process: the lease owner */
	char **provider_names;
	vrp_provider **providers;
	size_t provider_count;
	size_t next_remote; /* round-robin start among remotes */
	bool schedules;     /* this thread runs the scheduled verification when idle */
};

/* The run's clock in ms since the epoch, and the same time as a timestamp. */
int64_t sync_now_ms(const struct sync_run *run);
void sync_now_iso(const struct sync_run *run, char out[VRP_TIME_ISO_LEN]);

/* Whether the caller asked the run to stop. */
bool sync_stopping(const struct sync_run *run);

/*
 * Whether the run takes no tasks of `remote` now: it was stopped (stopping
 * it again is a no-op), or it is unreachable (for good in a one-shot run,
 * until its next probe in a forever run).
 */
bool sync_remote_stopped(struct sync_run *run, const char *remote);
void sync_stop_remote(struct sync_run *run, const char *remote);

/* Whether `remote` was found reachable in this run (no probe needed before using it). */
bool sync_remote_reachable(struct sync_run *run, const char *remote);

/* Records that `remote` answered; true when it had been unreachable. */
bool sync_remote_reached(struct sync_run *run, const char *remote);

/* Records that `remote` cannot be reached (backing off); true when that is news. */
bool sync_remote_unreachable(struct sync_run *run, const char *remote);

void sync_remotes_free(struct sync_run *run);

/*
 * Takes over the tasks of lease holders that are provably dead (`*took`
 * true when any were) and announces, once each, the live ones the run
 * waits for (sync_takeover.c).
 */
int sync_take_over_dead(struct sync_worker *w, bool *took);

/*
 * Reports `event` (its totals filled in) to the progress callback and adds
 * its outcome to the summary, under the run's lock.
 */
void sync_emit(struct sync_run *run, vrp_sync_event *event);

/* The thread's provider for `remote`, opened on first use (owned by the worker). */
int sync_worker_provider(struct sync_worker *w, const char *remote, vrp_provider **out);

/*
 * Does one claimed task to its end: synced, retried later, failed, paused
 * or released. Returns 0, or an error that should stop the thread (the
 * database is unusable); task failures are not errors here.
 */
int sync_task_run(struct sync_worker *w, vrp_sync_task *task);

#endif
