/*
 * worker.c - the sync (and derive) worker, on a thread of the server.
 *
 * `vrp serve` is often the only vrp process running, so it does what `vrp
 * worker` does: it runs the durable queue until the server stops, and its
 * progress goes out as "sync" events. Stopping hands leased tasks back to
 * the queue, as `vrp worker` does on SIGINT.
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"
#include "core/log.h"
#include "services/sync_event_json.h"
#include "vrp/sync.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct serve_worker {
	pthread_t thread;
	char *root;
	struct serve_events *events;
	atomic_bool stop;
	atomic_bool running;
};

static bool should_stop(void *ctx)
{
	struct serve_worker *w = ctx;
	return atomic_load(&w->stop);
}

static void on_progress(void *ctx, const vrp_sync_event *ev)
{
	struct serve_worker *w = ctx;
	json_t *o = vrp_sync_event_json(ev);
	if (o)
		serve_events_publish(w->events, "sync", o);
}

static void *run(void *arg)
{
	struct serve_worker *w = arg;
	vrp_library *lib = NULL;
	int rc = vrp_library_open(&lib, w->root, VRP_LIBRARY_NO_MIGRATE, NULL);
	if (rc == 0) {
		vrp_sync_options options = {
			.forever = true,
			.poll_ms = 1000,
			.progress = on_progress,
			.progress_ctx = w,
			.stop = should_stop,
			.stop_ctx = w,
		};
		vrp_sync_summary summary = { 0 };
		rc = vrp_sync_run(lib, &options, &summary);
	}
	if (rc < 0)
		VRP_LOG_ERROR("serve", json_pack("{s:s}", "code", vrp_error_code_name(rc)),
			      "the in-process worker stopped: %s", vrp_error_last()->message);
	vrp_library_free(lib);
	atomic_store(&w->running, false);
	return NULL;
}

int serve_worker_start(struct serve_worker **out, const char *root, struct serve_events *events)
{
	struct serve_worker *w = calloc(1, sizeof(*w));
	if (!w || !(w->root = strdup(root))) {
		free(w);
		return vrp_error_oom();
	}
	w->events = events;
	atomic_store(&w->running, true);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		free(w->root);
		free(w);
		return vrp_error_set(VRP_ERROR, "cannot start the worker thread");
	}
	*out = w;
	return 0;
}

bool serve_worker_running(const struct serve_worker *worker)
{
	return worker && atomic_load(&worker->running);
}

void serve_worker_stop(struct serve_worker *worker)
{
	if (!worker)
		return;
	atomic_store(&worker->stop, true);
	pthread_join(worker->thread, NULL);
	free(worker->root);
	free(worker);
}
