/*
 * refresh_lock.h - one token refresh at a time per remote (internal).
 *
 * When an access token expires, every worker thread and every vrp process
 * using the remote notices at about the same moment. Refreshing once is
 * enough, and with refresh tokens that rotate (Microsoft's) it is required:
 * a second refresh with the token the first one spent may be refused. The
 * holder of this lock refreshes and stores the result; the next holder
 * finds the fresh token in the store and uses it.
 */
#ifndef VRP_CLOUD_REFRESH_LOCK_H
#define VRP_CLOUD_REFRESH_LOCK_H

#include "vrp/sys/provider.h"

struct vrp_refresh_lock {
	vrp_secret_lock_fn lock; /* NULL: this process's threads only */
	vrp_secret_unlock_fn unlock;
	void *ctx;
};

/* The store's lock as the provider's config gives it. */
void vrp_refresh_lock_init(struct vrp_refresh_lock *l, const struct vrp_provider_config *config);

/*
 * Blocks until this thread may refresh `remote`'s tokens. Never fails: when
 * the store's lock cannot be taken (an unwritable library) it says so in
 * the log and serialises within this process only. Give it back with
 * vrp_refresh_lock_give(), passing `*handle`.
 */
void vrp_refresh_lock_take(const struct vrp_refresh_lock *l, const char *remote, int *handle);
void vrp_refresh_lock_give(const struct vrp_refresh_lock *l, int handle);

#endif
