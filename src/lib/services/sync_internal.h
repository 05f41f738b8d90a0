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

struct sync_run {
	const char *root;     /* the library's root: each thread opens its own connection */
	vrp_sync_options opt; /* defaults filled in */
	pthread_mutex_t lock;
	/* Remotes this run no longer takes tasks for (auth expired, full). */
	char **stopped;
	size_t stopped_count;
	vrp_sync_summary summary;
	int64_t files_done, files_total;
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
};

/* The run's clock in ms since the epoch, and the same time as a timestamp. */
int64_t sync_now_ms(const struct sync_run *run);
void sync_now_iso(const struct sync_run *run, char out[VRP_TIME_ISO_LEN]);

/* Whether the caller asked the run to stop. */
bool sync_stopping(const struct sync_run *run);

/* Whether the run stopped taking `remote`'s tasks; stopping it again is a no-op. */
bool sync_remote_stopped(struct sync_run *run, const char *remote);
void sync_stop_remote(struct sync_run *run, const char *remote);

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
