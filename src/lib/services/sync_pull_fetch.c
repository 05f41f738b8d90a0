/*
 * sync_pull_fetch.c - a pull's downloads on threads of their own (see
 * sync_pull_fetch.h).
 *
 * Submitted jobs wait in one queue for the next free thread; finished ones
 * wait in another for the caller. The caller bounds the first (full()), so
 * memory and tmp/ space grow with the thread count, never with the remote.
 */
#include "services/sync_pull_fetch.h"

#include "core/durable.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "services/recording_meta.h"
#include "services/sync_mapped.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS 16

struct job {
	struct job *next;
	struct pull_fetched *fetched;
	char *name;
	char sha256[65]; /* "" when the listing gave none */
	unsigned long seq;
};

struct thread_slot {
	struct pull_fetcher *fetcher;
	vrp_provider *provider;
	pthread_t thread;
	bool started;
};

struct pull_fetcher {
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was queued, or stop */
	pthread_cond_t done; /* a job finished */
	struct job *queue, *queue_tail;
	struct job *finished, *finished_tail;
	size_t pending; /* submitted and not taken back */
	unsigned long seq;
	unsigned long next_out; /* the seq handed back next: results go out in submission order */
	bool stop;
	atomic_bool cancelled;
	int failure;           /* the first run-level failure, whose message is kept */
	char *failure_message; /* (the downloads cancelled after it say only that) */
	atomic_int_fast64_t bytes;
	char *tmpdir;
	struct thread_slot threads[MAX_THREADS];
	size_t count;
};

void pull_fetched_free(struct pull_fetched *f)
{
	if (!f)
		return;
	if (f->local)
		vrp_durable_unlink(f->local);
	if (f->dir)
		rmdir(f->dir);
	vrp_remote_object_free(f->object);
	free(f->local);
	free(f->metadata);
	free(f->message);
	free(f->dir);
	free(f);
}

static void job_free(struct job *job)
{
	if (!job)
		return;
	pull_fetched_free(job->fetched);
	free(job->name);
	free(job);
}

struct transfer {
	struct pull_fetcher *fetcher;
	int64_t last;
};

static int on_progress(void *ctx, int64_t done, int64_t total)
{
	(void)total;
	struct transfer *t = ctx;
	if (done > t->last) {
		atomic_fetch_add(&t->fetcher->bytes, done - t->last);
		t->last = done;
	}
	return atomic_load(&t->fetcher->cancelled) ? 1 : 0;
}

/*
 * The metadata kept with the object; a remote that has none for it (an
 * older vrp's upload, another tool's file) or a damaged one is no failure:
 * the recording is pulled with what the file itself says.
 */
static int read_metadata(vrp_provider *provider, struct pull_fetched *f)
{
	int rc = vrp_provider_read_metadata(provider, f->object, &f->metadata);
	if (rc == 0 || rc == VRP_EREMOTE_NOT_FOUND || !sync_run_failure(rc)) {
		if (rc < 0 && rc != VRP_EREMOTE_NOT_FOUND)
			VRP_LOG_WARNING("sync",
					json_pack("{s:o, s:s}", "path",
						  vrp_log_titled_path(f->object->path), "code",
						  vrp_error_code_name(rc)),
					"pull: cannot read the metadata kept with an object: %s",
					vrp_error_last()->message);
		return 0;
	}
	return rc;
}

static int download(struct pull_fetcher *fetcher, vrp_provider *provider, struct job *job)
{
	struct pull_fetched *f = job->fetched;
	char sub[32], meta_sha256[65];
	int rc = read_metadata(provider, f);
	const char *expected = job->sha256[0] ? job->sha256 : NULL;
	if (rc == 0 && !expected && f->metadata &&
	    recording_meta_sha256(f->metadata, meta_sha256) == 0)
		expected = meta_sha256;
	snprintf(sub, sizeof(sub), "%lu", job->seq);
	if (rc == 0 && !(f->dir = vrp_path_join(fetcher->tmpdir, sub)))
		rc = vrp_error_oom();
	if (rc == 0 && mkdir(f->dir, 0700) != 0)
		rc = vrp_error_from_errno(errno, "cannot create %s", f->dir);
	char *local = rc == 0 ? vrp_path_join(f->dir, job->name) : NULL;
	if (rc == 0 && !local)
		rc = vrp_error_oom();
	struct transfer t = { .fetcher = fetcher };
	vrp_download_request request = {
		.remote_id = f->object->remote_id,
		.local_path = local,
		.expected_sha256 = expected,
		.progress = on_progress,
		.progress_ctx = &t,
	};
	if (rc == 0)
		rc = vrp_provider_download(provider, &request);
	/*
	 * Only the metadata named that sha256: it describes other content (a
	 * file replaced by hand beside a stale sidecar). The file is the
	 * recording; it comes in as any unlisted one would, without the metadata.
	 */
	if (rc == VRP_ECHECKSUM && expected == meta_sha256) {
		VRP_LOG_WARNING(
			"sync", json_pack("{s:o}", "path", vrp_log_titled_path(f->object->path)),
			"pull: the metadata kept with an object is of other content; not used");
		free(f->metadata);
		f->metadata = NULL;
		request.expected_sha256 = expected = NULL;
		t.last = 0;
		rc = vrp_provider_download(provider, &request);
	}
	if (rc == 0) {
		f->local = local;
		f->listed = job->sha256[0] != '\0';
	} else {
		free(local);
	}
	return rc;
}

static void finish_job(struct pull_fetcher *fetcher, struct job *job, int rc)
{
	job->fetched->rc = rc;
	if (rc < 0 && !(job->fetched->message = strdup(vrp_error_last()->message)))
		job->fetched->rc = VRP_ENOMEM;
	pthread_mutex_lock(&fetcher->lock);
	/* One run-level failure is enough: the others would only fail the same way. */
	if (rc < 0 && rc != VRP_ECANCELLED && sync_run_failure(rc)) {
		atomic_store(&fetcher->cancelled, true);
		if (!fetcher->failure && job->fetched->message &&
		    (fetcher->failure_message = strdup(job->fetched->message)))
			fetcher->failure = rc;
	}
	job->next = NULL;
	if (fetcher->finished_tail)
		fetcher->finished_tail->next = job;
	else
		fetcher->finished = job;
	fetcher->finished_tail = job;
	pthread_cond_signal(&fetcher->done);
	pthread_mutex_unlock(&fetcher->lock);
}

static void *run(void *arg)
{
	struct thread_slot *slot = arg;
	struct pull_fetcher *fetcher = slot->fetcher;
	for (;;) {
		pthread_mutex_lock(&fetcher->lock);
		while (!fetcher->queue && !fetcher->stop)
			pthread_cond_wait(&fetcher->work, &fetcher->lock);
		struct job *job = fetcher->queue;
		if (job && !(fetcher->queue = job->next))
			fetcher->queue_tail = NULL;
		pthread_mutex_unlock(&fetcher->lock);
		if (!job)
			return NULL;
		int rc = atomic_load(&fetcher->cancelled)
				 ? vrp_error_set(VRP_ECANCELLED, "the pull stopped")
				 : download(fetcher, slot->provider, job);
		finish_job(fetcher, job, rc);
	}
}

int pull_fetcher_new(struct pull_fetcher **out, vrp_provider **providers, size_t count,
		     const char *tmpdir)
{
	*out = NULL;
	struct pull_fetcher *f = calloc(1, sizeof(*f));
	if (!f || !(f->tmpdir = strdup(tmpdir)) || count == 0 || count > MAX_THREADS) {
		for (size_t i = 0; i < count; i++)
			vrp_provider_free(providers[i]);
		if (f)
			free(f->tmpdir);
		free(f);
		return count && count <= MAX_THREADS
			       ? vrp_error_oom()
			       : vrp_error_set(VRP_EINVAL, "bad thread count");
	}
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->work, NULL);
	pthread_cond_init(&f->done, NULL);
	f->count = count;
	f->next_out = 1;
	int rc = 0;
	for (size_t i = 0; i < count; i++) {
		struct thread_slot *slot = &f->threads[i];
		slot->fetcher = f;
		slot->provider = providers[i];
		if (rc == 0 && pthread_create(&slot->thread, NULL, run, slot) != 0)
			rc = vrp_error_set(VRP_ENOMEM, "cannot start a download thread");
		slot->started = rc == 0;
	}
	if (rc < 0) {
		pull_fetcher_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int pull_fetcher_submit(struct pull_fetcher *fetcher, const vrp_remote_object *object,
			const char *sha256, const char *name)
{
	struct job *job = calloc(1, sizeof(*job));
	struct pull_fetched *f = job ? calloc(1, sizeof(*f)) : NULL;
	if (job)
		job->fetched = f;
	if (f && !(f->object = calloc(1, sizeof(*f->object))))
		f = NULL;
	int rc = f && (job->name = strdup(name)) ? 0 : vrp_error_oom();
	const vrp_remote_object *o = object;
	vrp_remote_object *c = f ? f->object : NULL;
	if (rc == 0) {
		c->size = o->size;
		c->checksum_kind = o->checksum_kind;
		char *const *from[] = { &o->remote_id, &o->path, &o->etag, &o->checksum,
					&o->metadata_json };
		char **to[] = { &c->remote_id, &c->path, &c->etag, &c->checksum,
				&c->metadata_json };
		for (size_t i = 0; rc == 0 && i < sizeof(to) / sizeof(*to); i++)
			if (*from[i] && !(*to[i] = strdup(*from[i])))
				rc = vrp_error_oom();
	}
	if (rc < 0) {
		job_free(job);
		return rc;
	}
	if (sha256)
		snprintf(job->sha256, sizeof(job->sha256), "%s", sha256);
	pthread_mutex_lock(&fetcher->lock);
	job->seq = ++fetcher->seq;
	if (fetcher->queue_tail)
		fetcher->queue_tail->next = job;
	else
		fetcher->queue = job;
	fetcher->queue_tail = job;
	fetcher->pending++;
	pthread_cond_signal(&fetcher->work);
	pthread_mutex_unlock(&fetcher->lock);
	return 0;
}

size_t pull_fetcher_pending(const struct pull_fetcher *fetcher) { return fetcher->pending; }

bool pull_fetcher_full(const struct pull_fetcher *fetcher)
{
	/* One waiting per thread keeps every thread busy while the caller imports. */
	return fetcher->pending >= 2 * fetcher->count;
}

static void deadline_in(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_REALTIME, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Unlinks and returns the finished job that is next in submission order, or NULL. */
static struct job *take_next(struct pull_fetcher *fetcher)
{
	struct job *prev = NULL;
	for (struct job *job = fetcher->finished; job; prev = job, job = job->next) {
		if (job->seq != fetcher->next_out)
			continue;
		if (prev)
			prev->next = job->next;
		else
			fetcher->finished = job->next;
		if (fetcher->finished_tail == job)
			fetcher->finished_tail = prev;
		fetcher->next_out++;
		fetcher->pending--;
		return job;
	}
	return NULL;
}

/*
 * In submission order, so a pull reports and imports in listing order
 * whatever order the downloads finish in (the next ones keep downloading).
 */
struct pull_fetched *pull_fetcher_take(struct pull_fetcher *fetcher, int64_t wait_ms)
{
	if (!fetcher->pending)
		return NULL;
	struct timespec until;
	deadline_in(&until, wait_ms);
	pthread_mutex_lock(&fetcher->lock);
	struct job *job = take_next(fetcher);
	while (!job && wait_ms > 0) {
		if (pthread_cond_timedwait(&fetcher->done, &fetcher->lock, &until) == ETIMEDOUT)
			break;
		job = take_next(fetcher);
	}
	pthread_mutex_unlock(&fetcher->lock);
	if (!job)
		return NULL;
	struct pull_fetched *f = job->fetched;
	job->fetched = NULL;
	job_free(job);
	return f;
}

int pull_fetcher_failure(struct pull_fetcher *fetcher)
{
	pthread_mutex_lock(&fetcher->lock);
	int rc = fetcher->failure;
	if (rc < 0)
		vrp_error_set(rc, "%s", fetcher->failure_message);
	pthread_mutex_unlock(&fetcher->lock);
	return rc;
}

int64_t pull_fetcher_bytes(const struct pull_fetcher *fetcher)
{
	return atomic_load(&((struct pull_fetcher *)fetcher)->bytes);
}

void pull_fetcher_cancel(struct pull_fetcher *fetcher) { atomic_store(&fetcher->cancelled, true); }

static void free_list(struct job *job)
{
	while (job) {
		struct job *next = job->next;
		job_free(job);
		job = next;
	}
}

void pull_fetcher_free(struct pull_fetcher *fetcher)
{
	if (!fetcher)
		return;
	pull_fetcher_cancel(fetcher);
	pthread_mutex_lock(&fetcher->lock);
	fetcher->stop = true;
	pthread_cond_broadcast(&fetcher->work);
	pthread_mutex_unlock(&fetcher->lock);
	for (size_t i = 0; i < fetcher->count; i++) {
		if (fetcher->threads[i].started)
			pthread_join(fetcher->threads[i].thread, NULL);
		vrp_provider_free(fetcher->threads[i].provider);
	}
	free_list(fetcher->queue);
	free_list(fetcher->finished);
	pthread_mutex_destroy(&fetcher->lock);
	pthread_cond_destroy(&fetcher->work);
	pthread_cond_destroy(&fetcher->done);
	free(fetcher->failure_message);
	free(fetcher->tmpdir);
	free(fetcher);
}
