/*
 * pool.c - library connections lent to request threads.
 *
 * A vrp_library holds one SQLite connection, which one thread uses at a
 * time. Requests run on threads of their own, so each borrows a connection
 * for the length of its handler; idle ones are kept (up to POOL_KEEP) so a
 * busy page (or 64 connections at once) does not pay for opening the database
 * on every request.
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

#define POOL_KEEP 64

struct serve_pool {
	pthread_mutex_t lock;
	char *root;
	vrp_library *idle[POOL_KEEP];
	size_t idle_count;
};

int serve_pool_new(struct serve_pool **out, const char *root)
{
	struct serve_pool *pool = calloc(1, sizeof(*pool));
	if (!pool || !(pool->root = strdup(root))) {
		free(pool);
		return vrp_error_oom();
	}
	pthread_mutex_init(&pool->lock, NULL);
	*out = pool;
	return 0;
}

int serve_pool_acquire(struct serve_pool *pool, vrp_library **out)
{
	pthread_mutex_lock(&pool->lock);
	vrp_library *lib = pool->idle_count ? pool->idle[--pool->idle_count] : NULL;
	pthread_mutex_unlock(&pool->lock);
	if (lib) {
		*out = lib;
		return 0;
	}
	/* Migrations ran when `vrp serve` opened the library first. */
	return vrp_library_open(out, pool->root, VRP_LIBRARY_NO_MIGRATE, NULL);
}

void serve_pool_release(struct serve_pool *pool, vrp_library *lib)
{
	if (!lib)
		return;
	pthread_mutex_lock(&pool->lock);
	if (pool->idle_count < POOL_KEEP) {
		pool->idle[pool->idle_count++] = lib;
		lib = NULL;
	}
	pthread_mutex_unlock(&pool->lock);
	vrp_library_free(lib);
}

void serve_pool_free(struct serve_pool *pool)
{
	if (!pool)
		return;
	for (size_t i = 0; i < pool->idle_count; i++)
		vrp_library_free(pool->idle[i]);
	pthread_mutex_destroy(&pool->lock);
	free(pool->root);
	free(pool);
}
