/*
 * watch.c - events for what other processes do to the library: "changed"
 * from the change log here, progress from watch_activity.c.
 *
 * The server's own handlers publish "recording" events as they change
 * things, but a `vrp import` in a terminal, a `vrp worker`, or a second app
 * write the catalogue directly. A thread of the server follows the
 * catalogue's change_log (migration 011: one row per changed recording, in
 * commit order) twice a second and publishes what it finds, so every open
 * page stays current whoever made the change. Changes this server made
 * appear here too; a page that refreshes twice loses nothing.
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"
#include "core/log.h"
#include "db/change_log_repo.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 500
#define BATCH   256

struct serve_watch {
	pthread_t thread;
	char *root;
	struct serve_events *events;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
};

/* Sleeps POLL_MS or until stopped; true when stopped. */
static bool nap(struct serve_watch *w)
{
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += (long)POLL_MS * 1000000L;
	until.tv_sec += until.tv_nsec / 1000000000L;
	until.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&w->lock);
	while (!w->stop && pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0)
		;
	bool stop = w->stop;
	pthread_mutex_unlock(&w->lock);
	return stop;
}

static void publish(struct serve_watch *w, const struct vrp_change *c, size_t n, bool reload)
{
	json_t *items = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(items,
				      json_pack("{s:I, s:s}", "id", (json_int_t)c[i].recording_id,
						"action", c[i].action));
	serve_events_publish(w->events, "changed",
			     json_pack("{s:I, s:b, s:o}", "seq", (json_int_t)(n ? c[n - 1].seq : 0),
				       "reload", reload, "recordings", items));
}

/* Publishes what changed after *seen, moving *seen on. */
static int follow(struct serve_watch *w, vrp_db *db, int64_t *seen)
{
	struct vrp_change batch[BATCH];
	size_t n = BATCH;
	while (n == BATCH) {
		int64_t oldest = 0;
		int rc = vrp_change_log_repo_after(db, *seen, batch, BATCH, &n, &oldest);
		if (rc < 0)
			return rc;
		/* Rows this reader never saw were dropped: too much for a list of ids. */
		if (n && oldest > *seen + 1) {
			publish(w, NULL, 0, true);
			return vrp_change_log_repo_last(db, seen);
		}
		if (n)
			publish(w, batch, n, false), *seen = batch[n - 1].seq;
	}
	return 0;
}

static void *run(void *arg)
{
	struct serve_watch *w = arg;
	vrp_library *lib = NULL;
	int64_t seen = 0;
	struct serve_activity *runs = serve_activity_new(w->events);
	int rc = vrp_library_open(&lib, w->root, VRP_LIBRARY_NO_MIGRATE, NULL);
	if (rc == 0)
		rc = vrp_change_log_repo_last(vrp_library_db(lib), &seen);
	while (rc == 0 && !nap(w)) {
		serve_activity_follow(runs, w->root);
		if ((rc = follow(w, vrp_library_db(lib), &seen)) == VRP_EBUSY)
			rc = 0; /* a long writer: next time */
	}
	serve_activity_free(runs);
	if (rc < 0)
		VRP_LOG_ERROR("serve", json_pack("{s:s}", "code", vrp_error_code_name(rc)),
			      "no more change events from other processes: %s",
			      vrp_error_last()->message);
	vrp_library_free(lib);
	return NULL;
}

int serve_watch_start(struct serve_watch **out, const char *root, struct serve_events *events)
{
	struct serve_watch *w = calloc(1, sizeof(*w));
	if (!w || !(w->root = strdup(root))) {
		free(w);
		return vrp_error_oom();
	}
	w->events = events;
	pthread_mutex_init(&w->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&w->wake, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&w->thread, NULL, run, w) != 0) {
		serve_watch_stop(w);
		return vrp_error_set(VRP_ERROR, "cannot start the change watcher");
	}
	*out = w;
	return 0;
}

void serve_watch_stop(struct serve_watch *w)
{
	if (!w)
		return;
	if (w->thread) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_cond_signal(&w->wake);
		pthread_mutex_unlock(&w->lock);
		pthread_join(w->thread, NULL);
	}
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w->root);
	free(w);
}
