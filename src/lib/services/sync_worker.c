/*
 * sync_worker.c - vrp_sync_run(): the worker threads, claiming and waiting.
 * What happens to one task is in sync_task_run.c.
 */
#include "services/activity.h"
#include "services/sync_event_json.h"
#include "services/sync_internal.h"
#include "services/import_tmp.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/process.h"
#include "core/retry.h"
#include "core/test_hook.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"
#include "vrp/derive.h"
#include "vrp/verify.h"
#include "vrp/remotes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CONCURRENCY 4
#define DEFAULT_LEASE_MS    60000
#define DEFAULT_POLL_MS     500
/* The real sleep wakes this often to notice a stop request. */
#define SLEEP_SLICE_MS 50

static const char *const event_names[] = { "started",  "progress", "synced",      "already",
					   "retry",    "failed",   "paused",      "quota",
					   "released", "deleted",  "unavailable", "waiting" };

const char *vrp_sync_event_kind_to_string(vrp_sync_event_kind kind)
{
	if ((unsigned)kind >= sizeof(event_names) / sizeof(*event_names))
		return NULL;
	return event_names[kind];
}

int64_t sync_now_ms(const struct sync_run *run)
{
	return run->opt.clock ? run->opt.clock(run->opt.env_ctx) : vrp_time_now_ms();
}

void sync_now_iso(const struct sync_run *run, char out[VRP_TIME_ISO_LEN])
{
	vrp_time_format_iso(sync_now_ms(run), out);
}

bool sync_stopping(const struct sync_run *run)
{
	return run->opt.stop && run->opt.stop(run->opt.stop_ctx);
}

/* Sleeps through the injected sleep, or for real in slices so a stop is noticed. */
static void sync_sleep(const struct sync_run *run, int64_t ms)
{
	if (run->opt.sleep) {
		run->opt.sleep(run->opt.env_ctx, ms);
		return;
	}
	while (ms > 0 && !sync_stopping(run)) {
		int64_t slice = ms < SLEEP_SLICE_MS ? ms : SLEEP_SLICE_MS;
		struct timespec ts = { (time_t)(slice / 1000), (long)(slice % 1000) * 1000000L };
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		ms -= slice;
	}
}

/*
 * How serious a final failure is, for the exit status: auth > quota >
 * unavailable > permanent > transient.
 */
static int severity(int code)
{
	if (code == VRP_EUNAVAILABLE)
		return 3;
	switch (vrp_retry_classify(code)) {
	case VRP_RETRY_CLASS_PAUSE_REMOTE:
		return 5;
	case VRP_RETRY_CLASS_STOP_UPLOADS:
		return 4;
	case VRP_RETRY_CLASS_RETRY:
		return 1;
	default:
		return 2;
	}
}

static void count_outcome(struct sync_run *run, const vrp_sync_event *e)
{
	vrp_sync_summary *s = &run->summary;
	switch (e->kind) {
	case VRP_SYNC_EVENT_SYNCED:
		s->synced++;
		run->files_done++;
		break;
	case VRP_SYNC_EVENT_ALREADY:
		s->already++;
		run->files_done++;
		break;
	case VRP_SYNC_EVENT_RETRY:
		s->retries++;
		break;
	case VRP_SYNC_EVENT_FAILED:
		s->failed++;
		run->files_done++;
		break;
	case VRP_SYNC_EVENT_PAUSED:
		s->paused++;
		break;
	case VRP_SYNC_EVENT_QUOTA:
		s->quota++;
		run->files_done++;
		break;
	case VRP_SYNC_EVENT_RELEASED:
		s->released++;
		break;
	case VRP_SYNC_EVENT_DELETED:
		s->deleted++;
		run->files_done++;
		break;
	case VRP_SYNC_EVENT_UNAVAILABLE:
		s->unavailable++;
		break;
	default:
		break;
	}
	/* A worker waits for an unreachable remote: only a one-shot run ends on it. */
	bool final = e->kind == VRP_SYNC_EVENT_FAILED || e->kind == VRP_SYNC_EVENT_PAUSED ||
		     e->kind == VRP_SYNC_EVENT_QUOTA ||
		     (e->kind == VRP_SYNC_EVENT_UNAVAILABLE && !run->opt.forever);
	if (final && (!s->worst_code || severity(e->code) > severity(s->worst_code)))
		s->worst_code = e->code;
	if (run->files_total < run->files_done)
		run->files_total = run->files_done;
}

/* Keeps the in-flight bytes of `e`'s task (none once it is past its transfer); returns their sum.
 */
static int64_t track_inflight(struct sync_run *run, const vrp_sync_event *e)
{
	struct sync_inflight *slot = NULL, *free_slot = NULL;
	int64_t sum = 0;
	for (int i = 0; i < SYNC_MAX_CONCURRENCY; i++) {
		struct sync_inflight *f = &run->inflight[i];
		if (e->task_id && f->task_id == e->task_id)
			slot = f;
		else if (!f->task_id && !free_slot)
			free_slot = f;
	}
	if (!slot && e->kind == VRP_SYNC_EVENT_PROGRESS)
		slot = free_slot;
	if (slot && e->kind == VRP_SYNC_EVENT_PROGRESS)
		*slot = (struct sync_inflight){ e->task_id, e->bytes_done };
	else if (slot)
		*slot = (struct sync_inflight){ 0 };
	for (int i = 0; i < SYNC_MAX_CONCURRENCY; i++)
		sum += run->inflight[i].bytes;
	return sum;
}

static void fill_byte_totals(struct sync_run *run, vrp_sync_event *e)
{
	bool settled = e->kind == VRP_SYNC_EVENT_SYNCED || e->kind == VRP_SYNC_EVENT_ALREADY ||
		       e->kind == VRP_SYNC_EVENT_FAILED || e->kind == VRP_SYNC_EVENT_QUOTA;
	if (settled) {
		run->bytes_settled += e->bytes_total;
		/* Until the next count of the queue, the task is still counted live too. */
		run->bytes_live =
			run->bytes_live > e->bytes_total ? run->bytes_live - e->bytes_total : 0;
	}
	int64_t inflight = track_inflight(run, e);
	e->run_bytes_sent = run->summary.bytes_uploaded + inflight;
	e->run_bytes_done = run->bytes_settled + inflight;
	e->run_bytes_total = run->bytes_settled + run->bytes_live;
	if (e->run_bytes_total < e->run_bytes_done)
		e->run_bytes_total = e->run_bytes_done;
}

void sync_emit(struct sync_run *run, vrp_sync_event *event)
{
	pthread_mutex_lock(&run->lock);
	count_outcome(run, event);
	if (event->kind == VRP_SYNC_EVENT_SYNCED)
		run->summary.bytes_uploaded += event->bytes_total;
	event->files_done = run->files_done;
	event->files_total = run->files_total;
	event->bytes_uploaded = run->summary.bytes_uploaded;
	fill_byte_totals(run, event);
	if (run->opt.progress)
		run->opt.progress(run->opt.progress_ctx, event);
	if (run->activity)
		vrp_activity_update(run->activity, vrp_sync_event_json(event),
				    event->kind == VRP_SYNC_EVENT_PROGRESS);
	pthread_mutex_unlock(&run->lock);
	vrp_test_hook("sync.event"); /* a slow run, for tests of the progress seen outside */
}

int sync_worker_provider(struct sync_worker *w, const char *remote, vrp_provider **out)
{
	for (size_t i = 0; i < w->provider_count; i++)
		if (strcmp(w->provider_names[i], remote) == 0) {
			*out = w->providers[i];
			return 0;
		}
	size_t n = w->provider_count + 1;
	char **names = realloc(w->provider_names, n * sizeof(*names));
	if (names)
		w->provider_names = names;
	vrp_provider **providers = realloc(w->providers, n * sizeof(*providers));
	if (providers)
		w->providers = providers;
	char *name = names && providers ? strdup(remote) : NULL;
	if (!name)
		return vrp_error_oom();
	vrp_provider *p = NULL;
	int rc = vrp_remotes_open(w->lib, remote, &p);
	if (rc < 0) {
		free(name);
		return rc;
	}
	w->provider_names[w->provider_count] = name;
	w->providers[w->provider_count++] = p;
	*out = p;
	return 0;
}

/* The remotes this thread may take tasks for now, into a list (caller frees). */
static int active_remotes(struct sync_worker *w, vrp_remote_list **out)
{
	vrp_db *db = vrp_library_db(w->lib);
	vrp_remote_list *all = NULL;
	int rc = vrp_remote_repo_list(db, &all);
	if (rc < 0)
		return rc;
	size_t kept = 0;
	for (size_t i = 0; i < all->count; i++) {
		vrp_remote *r = all->items[i];
		bool wanted = !w->run->opt.remote || strcmp(w->run->opt.remote, r->name) == 0;
		if (wanted && !r->paused_reason && !sync_remote_stopped(w->run, r->name))
			all->items[kept++] = r;
		else
			vrp_remote_free(r);
	}
	all->count = kept;
	*out = all;
	return 0;
}

/* This thread as its leases name it. */
static vrp_sync_lease_holder holder_of(const struct sync_worker *w)
{
	return (vrp_sync_lease_holder){ w->owner, w->run->host, w->run->pid, w->run->pid_start };
}

/* Claims the next due task of an active remote, round-robin; VRP_ENOTFOUND when none. */
static int claim_next(struct sync_worker *w, vrp_sync_task **task)
{
	vrp_remote_list *remotes = NULL;
	int rc = active_remotes(w, &remotes);
	if (rc < 0)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(w->run, now);
	rc = VRP_ENOTFOUND;
	for (size_t k = 0; rc == VRP_ENOTFOUND && k < remotes->count; k++) {
		const char *name = remotes->items[(w->next_remote + k) % remotes->count]->name;
		vrp_sync_lease_holder holder = holder_of(w);
		rc = vrp_sync_task_repo_claim(vrp_library_db(w->lib), name, &holder,
					      w->run->opt.lease_ms, now, task);
	}
	w->next_remote++;
	vrp_remote_list_free(remotes);
	return rc;
}

/*
 * Nothing is due: sleeps until the earliest queued task is due or a
 * running one's lease ends (at most poll_ms, since another process may add
 * work). Returns false when the run is over: drained (not forever) or stopping.
 */
static int wait_for_work(struct sync_worker *w, bool *more)
{
	bool took = false;
	int rc = sync_take_over_dead(w, &took);
	*more = took;
	if (rc < 0 || took)
		return rc;
	vrp_remote_list *remotes = NULL;
	rc = active_remotes(w, &remotes);
	int64_t wake = -1;
	vrp_sync_lease_holder self = holder_of(w);
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(w->run, now);
	for (size_t i = 0; rc == 0 && i < remotes->count; i++) {
		char at[VRP_TIME_ISO_LEN];
		bool any = false;
		rc = vrp_sync_task_repo_next_wakeup(vrp_library_db(w->lib), remotes->items[i]->name,
						    &self, now, at, &any);
		int64_t ms = any ? vrp_time_parse_iso(at) : -1;
		if (ms >= 0 && (wake < 0 || ms < wake))
			wake = ms;
	}
	vrp_remote_list_free(remotes);
	if (rc < 0)
		return rc;
	const vrp_sync_options *opt = &w->run->opt;
	if (sync_stopping(w->run) || (wake < 0 && !opt->forever))
		return 0;
	int64_t delay = wake < 0 ? opt->poll_ms : wake - sync_now_ms(w->run);
	if (delay > opt->poll_ms)
		delay = opt->poll_ms;
	/* A due task another thread is about to take: look again shortly. */
	if (delay < 5)
		delay = 5;
	sync_sleep(w->run, delay);
	*more = !sync_stopping(w->run);
	return 0;
}

/*
 * The run's totals: what is done plus what is still queued or running on
 * the remotes it still serves (a stopped remote's tasks wait for another run).
 */
static void update_total(struct sync_worker *w)
{
	vrp_remote_list *remotes = NULL;
	int64_t live = 0, bytes = 0;
	int rc = active_remotes(w, &remotes);
	for (size_t i = 0; rc == 0 && i < remotes->count; i++) {
		int64_t n = 0, b = 0;
		rc = vrp_sync_task_repo_count_live(vrp_library_db(w->lib), remotes->items[i]->name,
						   &n, &b);
		live += n;
		bytes += b;
	}
	vrp_remote_list_free(remotes);
	if (rc < 0)
		return;
	pthread_mutex_lock(&w->run->lock);
	w->run->files_total = w->run->files_done + live;
	w->run->bytes_live = bytes;
	pthread_mutex_unlock(&w->run->lock);
}

static void count_derived(struct sync_run *run, int outcome)
{
	pthread_mutex_lock(&run->lock);
	if (outcome == 0)
		run->summary.derived++;
	else
		run->summary.derive_failed++;
	pthread_mutex_unlock(&run->lock);
}

static int work_loop(struct sync_worker *w)
{
	int rc = 0;
	bool more = true;
	update_total(w);
	while (rc == 0 && more && !sync_stopping(w->run)) {
		vrp_sync_task *task = NULL;
		bool derived = false;
		int outcome = 0;
		rc = claim_next(w, &task);
		if (rc == 0) {
			rc = sync_task_run(w, task);
			update_total(w);
		} else if (rc == VRP_ENOTFOUND || rc == VRP_EBUSY) {
			/* Uploads first: a copy elsewhere matters more than a preview. */
			rc = vrp_derive_queue_run_one(w->lib, w->owner, w->run->opt.lease_ms,
						      &derived, &outcome);
			bool verified = false;
			if (rc == 0 && derived)
				count_derived(w->run, outcome);
			/* Then, in a long-running worker, the verification that is due. */
			else if (rc == 0 && w->schedules && w->run->opt.forever)
				rc = vrp_verify_scheduled(w->lib, &verified);
			if (rc == 0 && !derived && !verified)
				rc = wait_for_work(w, &more);
		}
		vrp_sync_task_free(task);
	}
	return rc;
}

static void worker_clear(struct sync_worker *w)
{
	for (size_t i = 0; i < w->provider_count; i++) {
		vrp_provider_free(w->providers[i]);
		free(w->provider_names[i]);
	}
	free(w->providers);
	free(w->provider_names);
	vrp_library_free(w->lib);
}

static void *worker_main(void *arg)
{
	struct sync_worker *w = arg;
	int rc = vrp_library_open(&w->lib, w->run->root, 0, NULL);
	/* Claims and marks are redone when a power loss undoes them; a task's end is flushed. */
	if (rc == 0)
		rc = vrp_db_set_flush_commits(vrp_library_db(w->lib), false);
	if (rc == 0)
		rc = work_loop(w);
	if (rc < 0) {
		VRP_LOG_ERROR("sync", NULL, "sync worker %s stopped: %s", w->owner,
			      vrp_error_last()->message);
		pthread_mutex_lock(&w->run->lock);
		if (!w->run->fatal) {
			w->run->fatal = rc;
			snprintf(w->run->fatal_message, sizeof(w->run->fatal_message), "%s",
				 vrp_error_last()->message);
		}
		pthread_mutex_unlock(&w->run->lock);
	}
	worker_clear(w);
	return NULL;
}

static void fill_defaults(vrp_sync_options *o)
{
	if (o->concurrency <= 0)
		o->concurrency = DEFAULT_CONCURRENCY;
	if (o->concurrency > SYNC_MAX_CONCURRENCY)
		o->concurrency = SYNC_MAX_CONCURRENCY;
	vrp_retry_policy policy = VRP_RETRY_POLICY_DEFAULT;
	if (o->max_attempts <= 0)
		o->max_attempts = policy.max_attempts;
	if (o->base_delay_ms <= 0)
		o->base_delay_ms = policy.base_ms;
	if (o->max_delay_ms <= 0)
		o->max_delay_ms = policy.cap_ms;
	if (o->lease_ms <= 0)
		o->lease_ms = DEFAULT_LEASE_MS;
	if (o->poll_ms <= 0)
		o->poll_ms = DEFAULT_POLL_MS;
}

static void run_threads(struct sync_run *run, struct sync_worker *workers, pthread_t *threads)
{
	int n = run->opt.concurrency;
	int started = 0;
	for (int i = 0; i < n; i++) {
		workers[i].run = run;
		workers[i].schedules = i == 0;
		snprintf(workers[i].owner, sizeof(workers[i].owner), "vrp-%ld-%lld-%d",
			 (long)getpid(), (long long)sync_now_ms(run), i);
		if (pthread_create(&threads[i], NULL, worker_main, &workers[i]) != 0)
			break;
		started++;
	}
	/* Fewer threads than asked for is slower, not wrong; none is an error. */
	if (started == 0)
		run->fatal = vrp_error_set(VRP_ENOMEM, "cannot start a sync worker thread");
	for (int i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}

int vrp_sync_run(vrp_library *lib, const vrp_sync_options *options, vrp_sync_summary *summary)
{
	if (summary)
		*summary = (vrp_sync_summary){ 0 };
	struct sync_run run = { .root = vrp_library_root(lib), .pid = getpid() };
	vrp_process_host(run.host, sizeof(run.host));
	/* Unknown (no /proc): leases still end, they are only never taken over early. */
	if (vrp_process_start_time(getpid(), &run.pid_start) < 0)
		run.pid = 0;
	if (options)
		run.opt = *options;
	fill_defaults(&run.opt);
	vrp_import_tmp_sweep(lib, "sync");
	if (run.opt.remote) {
		vrp_remote *found = NULL;
		int rc = vrp_remote_repo_get_by_name(vrp_library_db(lib), run.opt.remote, &found);
		vrp_remote_free(found);
		if (rc < 0)
			return rc;
	}
	struct sync_worker *workers = calloc((size_t)run.opt.concurrency, sizeof(*workers));
	pthread_t *threads = calloc((size_t)run.opt.concurrency, sizeof(*threads));
	if (!workers || !threads) {
		free(workers);
		free(threads);
		return vrp_error_oom();
	}
	pthread_mutex_init(&run.lock, NULL);
	run.activity = vrp_activity_begin(run.root, "sync");
	run_threads(&run, workers, threads);
	vrp_activity_end(run.activity);
	pthread_mutex_destroy(&run.lock);
	sync_remotes_free(&run);
	for (size_t i = 0; i < run.announced_count; i++)
		free(run.announced[i]);
	free(run.announced);
	free(workers);
	free(threads);
	if (summary)
		*summary = run.summary;
	return run.fatal ? vrp_error_set(run.fatal, "the sync run stopped early: %s",
					 run.fatal_message)
			 : 0;
}
