/* transcribe_many.c - transcribing many recordings on every core, one decoder per thread. */
#include "vrp/transcript.h"

#include "core/error_set.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* ~100 MB of model and lattice per decoder: past this, memory, not cores, is the limit. */
#define MAX_JOBS 32

struct many {
	const char *root;
	const int64_t *ids;
	size_t count, next;
	const vrp_transcribe_options *options;
	vrp_transcribe_result_fn on_result;
	void *ctx;
	double seconds_done; /* of the recordings finished and in progress */
	pthread_mutex_t lock;
};

/* One thread's recording in progress. */
struct thread_progress {
	struct many *many;
	double seconds; /* of its current recording, already in many->seconds_done */
};

static bool take(struct many *m, int64_t *id)
{
	pthread_mutex_lock(&m->lock);
	bool more = m->next < m->count;
	if (more)
		*id = m->ids[m->next++];
	pthread_mutex_unlock(&m->lock);
	return more;
}

/* The caller's callback sees the sum over the threads, one call at a time. */
static int on_progress(void *ctx, double seconds)
{
	struct thread_progress *t = ctx;
	struct many *m = t->many;
	pthread_mutex_lock(&m->lock);
	m->seconds_done += seconds - t->seconds;
	t->seconds = seconds;
	int rc = m->options->on_progress(m->options->progress_ctx, m->seconds_done);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static void report(struct many *m, int64_t id, int rc, const vrp_transcribe_result *r)
{
	if (!m->on_result)
		return;
	pthread_mutex_lock(&m->lock);
	m->on_result(m->ctx, id, rc, rc == 0 ? r : NULL);
	pthread_mutex_unlock(&m->lock);
}

static void *worker(void *arg)
{
	struct many *m = arg;
	vrp_library *lib = NULL;
	int rc = vrp_library_open(&lib, m->root, 0, NULL);
	struct thread_progress progress = { m, 0 };
	vrp_transcribe_options options = *m->options;
	if (options.on_progress) {
		options.on_progress = on_progress;
		options.progress_ctx = &progress;
	}
	int64_t id;
	while (take(m, &id)) {
		vrp_transcribe_result r = { 0 };
		/* Without a connection every recording fails the same way, and says so. */
		int one = rc ? rc : vrp_transcribe(lib, id, &options, &r);
		/* A fresh transcript decodes nothing: its seconds come from the caller's total. */
		progress.seconds = 0;
		report(m, id, one, &r);
	}
	vrp_library_free(lib);
	return NULL;
}

static unsigned thread_count(unsigned jobs, size_t count)
{
	if (jobs == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		jobs = cores > 0 ? (unsigned)cores : 1;
	}
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	return count < jobs ? (unsigned)count : jobs;
}

int vrp_transcribe_many(vrp_library *lib, const int64_t *ids, size_t count,
			const vrp_transcribe_options *options, unsigned jobs,
			vrp_transcribe_result_fn on_result, void *ctx)
{
	static const vrp_transcribe_options defaults;
	struct many m = { .root = vrp_library_root(lib),
			  .ids = ids,
			  .count = count,
			  .options = options ? options : &defaults,
			  .on_result = on_result,
			  .ctx = ctx };
	unsigned n = thread_count(jobs, count);
	pthread_t threads[MAX_JOBS];
	unsigned started = 0;
	pthread_mutex_init(&m.lock, NULL);
	while (started < n && pthread_create(&threads[started], NULL, worker, &m) == 0)
		started++;
	/* Fewer threads is slower, not wrong; with none, this thread does the work. */
	if (started == 0 && count > 0)
		worker(&m);
	for (unsigned i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&m.lock);
	return 0;
}
