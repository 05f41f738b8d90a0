/*
 * refresh_lock.c - a process-wide mutex, then the credential store's lock.
 *
 * The mutex comes first so that threads of one process queue in memory and
 * only one of them at a time waits on the file lock.
 */
#include "cloud/refresh_lock.h"

#include "core/log.h"
#include "vrp/error.h"

#include <pthread.h>

static pthread_mutex_t threads = PTHREAD_MUTEX_INITIALIZER;

void vrp_refresh_lock_init(struct vrp_refresh_lock *l, const struct vrp_provider_config *config)
{
	l->lock = config->lock_secret;
	l->unlock = config->unlock_secret;
	l->ctx = config->secret_ctx;
}

void vrp_refresh_lock_take(const struct vrp_refresh_lock *l, const char *remote, int *handle)
{
	*handle = -1;
	pthread_mutex_lock(&threads);
	if (l->lock && l->lock(l->ctx, remote, handle) < 0) {
		*handle = -1;
		VRP_LOG_WARNING("oauth", json_pack("{s:s}", "remote", remote),
				"remote %s: refreshing without the cross-process lock: %s", remote,
				vrp_error_last()->message);
	}
}

void vrp_refresh_lock_give(const struct vrp_refresh_lock *l, int handle)
{
	if (l->unlock && handle >= 0)
		l->unlock(l->ctx, handle);
	pthread_mutex_unlock(&threads);
}
