/* derive_many.c - deriving many recordings on every core, one connection per thread. */
#include "vrp/derive.h"
#include "services/import_tmp.h"

#include "core/error_set.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

/* Each thread holds a decoder and its generators; past this the disk is the limit. */
#define MAX_JOBS 32

struct many {
	const char *root;
	const int64_t *ids;
	size_t count, next;
	unsigned kinds;
	bool force;
	vrp_derive_result_fn on_result;
	void *ctx;
	pthread_mutex_t lock;
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

static void report(struct many *m, int64_t id, unsigned made, int rc)
{
	if (!m->on_result)
		return;
	pthread_mutex_lock(&m->lock);
	m->on_result(m->ctx, id, made, rc, rc ? vrp_error_last()->message : NULL);
	pthread_mutex_unlock(&m->lock);
}

static void *worker(void *arg)
{
	struct many *m = arg;
	vrp_library *lib = NULL;
	int rc = vrp_library_open(&lib, m->root, 0, NULL);
	int64_t id;
	while (take(m, &id)) {
		unsigned made = 0;
		/* Without a connection every recording fails the same way, and says so. */
		int one = rc ? rc : vrp_derive(lib, id, m->kinds, m->force, &made);
		report(m, id, made, one);
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

int vrp_derive_many(vrp_library *lib, const int64_t *ids, size_t count, unsigned kinds, bool force,
		    unsigned jobs, vrp_derive_result_fn on_result, void *ctx)
{
	struct many m = { .root = vrp_library_root(lib),
			  .ids = ids,
			  .count = count,
			  .kinds = kinds,
			  .force = force,
			  .on_result = on_result,
			  .ctx = ctx };
	vrp_import_tmp_sweep(lib, "derive");
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
