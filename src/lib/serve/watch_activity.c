/*
 * watch_activity.c - progress events for the runs of other processes.
 *
 * The change log says what another process changed, not how far its run
 * has got. Each run keeps its latest state in a file (services/activity.h);
 * the watcher reads them at every poll and publishes a state it has not
 * published yet as an event of the run's kind ("sync", "import") with the
 * writer's "pid", so the page's progress bars move for a `vrp sync` in a
 * terminal as for this server's own worker. A run's last state comes with
 * "finished": true, and so does a run whose file went away without one (its
 * process was killed), so bars do not hang.
 */
#include "serve/serve_internal.h"

#include "services/activity.h"

#include <stdlib.h>
#include <string.h>

#define MAX_RUNS 32

struct run_seen {
	char name[64];
	char kind[16];
	int64_t pid;
	int64_t seq;
	json_t *last;  /* the state published last: "finished" repeats it */
	bool finished; /* published as finished */
	bool present;  /* found by the current scan */
};

struct serve_activity {
	struct serve_events *events;
	struct run_seen runs[MAX_RUNS];
	size_t count;
	bool primed; /* the first scan only learns what is there, as the change log's does */
};

static void publish(struct serve_events *events, const char *kind, int64_t pid,
		    const json_t *state, bool finished)
{
	json_t *o = state ? json_deep_copy(state) : json_object();
	if (!o)
		return;
	json_object_set_new(o, "pid", json_integer((json_int_t)pid));
	json_object_set_new(o, "finished", json_boolean(finished));
	serve_events_publish(events, kind, o);
}

static struct run_seen *find(struct serve_activity *a, const char *name)
{
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->runs[i].name, name) == 0)
			return &a->runs[i];
	if (a->count == MAX_RUNS || strlen(name) >= sizeof(a->runs[0].name))
		return NULL;
	struct run_seen *r = &a->runs[a->count++];
	*r = (struct run_seen){ .seq = -1 };
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

static void on_entry(void *ctx, const struct vrp_activity_entry *e)
{
	struct serve_activity *a = ctx;
	struct run_seen *r = find(a, e->name);
	if (!r)
		return;
	r->present = true;
	if (r->seq == e->seq)
		return;
	r->seq = e->seq;
	r->pid = e->pid;
	snprintf(r->kind, sizeof(r->kind), "%s", e->kind);
	json_decref(r->last);
	r->last = json_deep_copy(e->state);
	r->finished = e->finished;
	if (a->primed)
		publish(a->events, r->kind, r->pid, r->last, r->finished);
}

struct serve_activity *serve_activity_new(struct serve_events *events)
{
	struct serve_activity *a = calloc(1, sizeof(*a));
	if (a)
		a->events = events;
	return a;
}

void serve_activity_free(struct serve_activity *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->count; i++)
		json_decref(a->runs[i].last);
	free(a);
}

void serve_activity_follow(struct serve_activity *a, const char *root)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->count; i++)
		a->runs[i].present = false;
	vrp_activity_scan(root, on_entry, a);
	size_t kept = 0;
	for (size_t i = 0; i < a->count; i++) {
		struct run_seen *r = &a->runs[i];
		if (r->present) {
			a->runs[kept++] = *r;
			continue;
		}
		if (!r->finished && a->primed) /* it died mid-run: its bars must not hang */
			publish(a->events, r->kind, r->pid, r->last, true);
		json_decref(r->last);
	}
	a->count = kept;
	a->primed = true;
}
