/*
 * sync_fixture.h - a library with a mock remote and real recording files,
 * and a fake clock/sleep/random, for the sync engine tests. Header-only.
 */
#ifndef VRP_TEST_SYNC_FIXTURE_H
#define VRP_TEST_SYNC_FIXTURE_H

#include "provider_test_util.h"
#include "recording_fixture.h"

#include "cloud/providers/mock.h"
#include "core/clock.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"

#include <pthread.h>
#include <unistd.h>

struct fake_env {
	pthread_mutex_t lock;
	int64_t now;
	uint64_t seed;
	int64_t sleeps, slept_ms;
};

static inline int64_t fake_clock(void *ctx)
{
	struct fake_env *f = ctx;
	pthread_mutex_lock(&f->lock);
	int64_t now = f->now;
	pthread_mutex_unlock(&f->lock);
	return now;
}

/* Time passes only when someone sleeps; a real microsecond lets other threads run. */
static inline int fake_sleep(void *ctx, int64_t ms)
{
	struct fake_env *f = ctx;
	pthread_mutex_lock(&f->lock);
	f->now += ms;
	f->sleeps++;
	f->slept_ms += ms;
	pthread_mutex_unlock(&f->lock);
	usleep(50);
	return 0;
}

static inline uint64_t fake_random(void *ctx)
{
	struct fake_env *f = ctx;
	pthread_mutex_lock(&f->lock);
	f->seed ^= f->seed << 13;
	f->seed ^= f->seed >> 7;
	f->seed ^= f->seed << 17;
	uint64_t v = f->seed;
	pthread_mutex_unlock(&f->lock);
	return v;
}

struct sync_fixture {
	char *dir;
	vrp_library *lib;
	vrp_provider *mock; /* an instance on the remote's store: for faults and counts */
	struct fake_env env;
	vrp_sync_options opt;
};

/* A library at <tmp>/lib, its config at <tmp>/config.ini, and remote "m" of type mock. */
static inline struct sync_fixture *sync_fixture_new(const char *extra_key, const char *extra_value)
{
	static int stores;
	struct sync_fixture *fx = calloc(1, sizeof(*fx));
	assert_non_null(fx);
	fx->dir = test_tmpdir();
	char *config = test_path(fx->dir, "config.ini");
	setenv("VRP_CONFIG", config, 1);
	free(config);
	char *root = test_path(fx->dir, "lib");
	assert_ok(vrp_library_open(&fx->lib, root, VRP_LIBRARY_CREATE, NULL));
	free(root);
	char store[32];
	snprintf(store, sizeof(store), "sync-test-%d", ++stores);
	vrp_kv kv[] = { { "store", store }, { "chunk_size", "64" }, { extra_key, extra_value } };
	assert_ok(vrp_remotes_add(fx->lib, "m", "mock", kv, extra_key ? 3 : 2));
	assert_ok(vrp_remotes_open(fx->lib, "m", &fx->mock));
	pthread_mutex_init(&fx->env.lock, NULL);
	fx->env.seed = 0x9e3779b97f4a7c15ull;
	fx->opt = (vrp_sync_options){
		.concurrency = 1,
		.lease_ms = 600000,
		.clock = fake_clock,
		.sleep = fake_sleep,
		.random = fake_random,
		.env_ctx = &fx->env,
	};
	return fx;
}

/* Starts the fake clock now: tasks enqueued before are due. */
static inline void sync_fixture_start_clock(struct sync_fixture *fx)
{
	fx->env.now = vrp_time_now_ms() + 1000;
}

static inline void sync_fixture_free(struct sync_fixture *fx)
{
	vrp_provider_free(fx->mock);
	vrp_library_free(fx->lib);
	pthread_mutex_destroy(&fx->env.lock);
	test_rmtree(fx->dir);
	free(fx);
	unsetenv("VRP_CONFIG");
}

/* cmocka setup and teardown: a fixture with no extra setting, around empty mock stores. */
static inline int sync_fixture_setup(void **state)
{
	vrp_mock_stores_reset();
	*state = sync_fixture_new(NULL, NULL);
	return 0;
}

static inline int sync_fixture_teardown(void **state)
{
	sync_fixture_free(*state);
	vrp_mock_stores_reset();
	return 0;
}

/* A recording n with a real file of `size` bytes under the library; returns its id. */
static inline int64_t sync_fixture_recording(struct sync_fixture *fx, int n, size_t size)
{
	char name[64], hex[VRP_SHA256_HEX_LEN];
	snprintf(name, sizeof(name), "recordings/raw/stored-%d.m4a", n);
	char *path = make_file(vrp_library_root(fx->lib), name, size, (unsigned)n);
	sha256_of(path, hex);
	free(path);
	vrp_recording *rec = fixture_recording(n, NULL, NULL);
	free(rec->checksum);
	rec->checksum = strdup(hex);
	rec->filesize_bytes = (int64_t)size;
	assert_ok(vrp_recording_repo_insert(vrp_library_db(fx->lib), rec));
	int64_t id = rec->id;
	vrp_recording_free(rec);
	return id;
}

/* A localdir remote `name` at <tmp>/<name>; returns its root (caller frees). */
static inline char *sync_fixture_localdir(struct sync_fixture *fx, const char *name)
{
	char *root = test_path(fx->dir, name);
	assert_int_equal(mkdir(root, 0700), 0);
	vrp_kv kv[] = { { "path", root } };
	assert_ok(vrp_remotes_add(fx->lib, name, "localdir", kv, 1));
	return root;
}

static inline int64_t sync_fixture_count(struct sync_fixture *fx, vrp_sync_status status)
{
	vrp_sync_status_counts counts;
	assert_ok(vrp_recording_remote_repo_count_by_status(vrp_library_db(fx->lib), "m", &counts));
	return counts.by_status[status];
}

#endif
