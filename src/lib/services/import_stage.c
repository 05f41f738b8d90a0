/* import_stage.c - staging files for the importer on worker threads. */
#include "services/import_stage.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "services/import_batch.h"
#include "services/import_tmp.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define THREADS_MAX 4
/* Jobs in flight per worker: enough that a worker never waits for the importer. */
#define JOBS_PER_THREAD 4

enum job_state { JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct vrp_stager {
	vrp_library *lib;
	pthread_mutex_t lock;
	pthread_cond_t work; /* a job was queued, or the stager stops */
	pthread_cond_t done; /* a job is done */
	struct vrp_stage_job *head, *tail;
	size_t pending;
	unsigned threads_max, threads;
	pthread_t thread[THREADS_MAX];
	bool stopping;
	atomic_bool cancelled; /* read by the workers without the lock */
};

struct copy_ctx {
	struct vrp_stage_job *job;
	const struct vrp_stager *stager;
};

void vrp_stage_job_free(struct vrp_stage_job *job)
{
	if (!job)
		return;
	vrp_staged_file_discard(job->file);
	free(job->error_message);
	free(job);
}

/* A cancelled copy stops at its next chunk: a 416 MiB file is not copied to its end first. */
static int on_copy_progress(void *arg, int64_t done)
{
	struct copy_ctx *ctx = arg;
	atomic_store(&ctx->job->copied, done);
	return atomic_load(&ctx->stager->cancelled);
}

static int check_cancelled(const struct vrp_stager *s)
{
	if (!atomic_load(&s->cancelled))
		return 0;
	return vrp_error_set(VRP_ECANCELLED, "the import was interrupted");
}

/* Copies and hashes the source into tmp/, then identifies it by its content. */
static int stage(struct vrp_stager *s, struct vrp_stage_job *job)
{
	struct vrp_staged_file *f = job->file;
	struct copy_ctx ctx = { job, s };
	struct stat st = { 0 };
	int src = -1;
	int rc = check_cancelled(s);
	if (rc == 0)
		rc = vrp_fs_open_regular(f->source, &src, &st);
	job->size = st.st_size;
	job->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	if (rc == 0 && st.st_size == 0)
		rc = vrp_error_set(VRP_EEMPTY, "%s is empty (0 bytes)", f->source);
	if (rc == 0)
		rc = vrp_uuid_v4(job->uuid);
	if (rc == 0)
		rc = vrp_import_tmp_create(s->lib, job->uuid, &f->tmp_path, &f->lock_fd);
	if (rc == 0)
		rc = vrp_fd_copy_hashed(src, f->lock_fd, f->tmp_path, &job->copy, on_copy_progress,
					&ctx);
	if (src >= 0)
		close(src);
	/* Copied whole: identified and committed even when cancelled meanwhile. */
	if (rc == 0)
		rc = vrp_probe_file(f->tmp_path, &job->media);
	return rc;
}

static struct vrp_stage_job *first_queued(const struct vrp_stager *s)
{
	for (struct vrp_stage_job *job = s->head; job; job = job->next)
		if (job->state == JOB_QUEUED)
			return job;
	return NULL;
}

static void *worker(void *arg)
{
	struct vrp_stager *s = arg;
	pthread_mutex_lock(&s->lock);
	while (!s->stopping) {
		struct vrp_stage_job *job = first_queued(s);
		if (!job) {
			pthread_cond_wait(&s->work, &s->lock);
			continue;
		}
		job->state = JOB_RUNNING;
		pthread_mutex_unlock(&s->lock);
		int rc = stage(s, job);
		if (rc == 0)
			atomic_store(&job->copied, job->copy.bytes);
		if (rc < 0) {
			job->rc = rc;
			job->error_message = strdup(vrp_error_last()->message);
		}
		pthread_mutex_lock(&s->lock);
		job->state = JOB_DONE;
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int vrp_stager_new(struct vrp_stager **out, vrp_library *lib, unsigned threads)
{
	*out = NULL;
	struct vrp_stager *s = calloc(1, sizeof(*s));
	if (!s)
		return vrp_error_oom();
	if (threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		threads = cores > 0 ? (unsigned)cores : 1;
	}
	s->lib = lib;
	s->threads_max = threads < THREADS_MAX ? threads : THREADS_MAX;
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	/* Waits are for a span of time, which the wall clock may jump across. */
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, &attr);
	pthread_condattr_destroy(&attr);
	*out = s;
	return 0;
}

void vrp_stager_free(struct vrp_stager *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_cond_broadcast(&s->work);
	pthread_mutex_unlock(&s->lock);
	for (unsigned i = 0; i < s->threads; i++)
		pthread_join(s->thread[i], NULL);
	while (s->head) {
		struct vrp_stage_job *job = s->head;
		s->head = job->next;
		vrp_stage_job_free(job);
	}
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->work);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

void vrp_stager_cancel(struct vrp_stager *s) { atomic_store(&s->cancelled, true); }

bool vrp_stager_full(const struct vrp_stager *s)
{
	return s->pending >= (size_t)s->threads_max * JOBS_PER_THREAD;
}

size_t vrp_stager_pending(const struct vrp_stager *s) { return s->pending; }

/* Another worker, while there are more files in flight than workers. Called locked. */
static int grow(struct vrp_stager *s)
{
	if (s->threads >= s->threads_max || s->threads >= s->pending)
		return 0;
	/* Signals are the caller's business: a worker must never run its handlers. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(&s->thread[s->threads], NULL, worker, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err == 0)
		s->threads++;
	/* Fewer workers only make the import slower; none would make it stall. */
	if (err != 0 && s->threads == 0)
		return vrp_error_from_errno(err, "cannot start an import thread");
	return 0;
}

int vrp_stager_submit(struct vrp_stager *s, const char *path)
{
	struct vrp_stage_job *job = calloc(1, sizeof(*job));
	struct vrp_staged_file *f = job ? calloc(1, sizeof(*f)) : NULL;
	if (!f || !(f->source = strdup(path))) {
		free(f);
		free(job);
		return vrp_error_oom();
	}
	f->lock_fd = -1;
	job->file = f;
	pthread_mutex_lock(&s->lock);
	if (s->tail)
		s->tail->next = job;
	else
		s->head = job;
	s->tail = job;
	s->pending++;
	int rc = grow(s);
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static struct timespec deadline_after(int ms)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

struct vrp_stage_job *vrp_stager_take(struct vrp_stager *s, int timeout_ms)
{
	struct timespec deadline = deadline_after(timeout_ms);
	pthread_mutex_lock(&s->lock);
	struct vrp_stage_job *job = s->head;
	while (job && job->state != JOB_DONE && timeout_ms > 0)
		if (pthread_cond_timedwait(&s->done, &s->lock, &deadline) == ETIMEDOUT)
			break;
	if (job && job->state == JOB_DONE) {
		s->head = job->next;
		if (!s->head)
			s->tail = NULL;
		s->pending--;
		job->next = NULL;
	} else {
		job = NULL;
	}
	pthread_mutex_unlock(&s->lock);
	return job;
}

const char *vrp_stager_progress(struct vrp_stager *s, int64_t *oldest_bytes, int64_t *all_bytes)
{
	*oldest_bytes = *all_bytes = 0;
	pthread_mutex_lock(&s->lock);
	const char *path = s->head ? s->head->file->source : NULL;
	for (struct vrp_stage_job *job = s->head; job; job = job->next) {
		int64_t copied = atomic_load(&job->copied);
		if (job == s->head)
			*oldest_bytes = copied;
		*all_bytes += copied;
	}
	pthread_mutex_unlock(&s->lock);
	return path;
}
