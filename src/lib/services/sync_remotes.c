/*
 * sync_remotes.c - what one run knows of each remote: whether it stopped
 * taking the remote's tasks (auth expired, full) and whether the remote can
 * be reached. Unreachability is decided once per remote: a one-shot run
 * then leaves the remote's tasks queued for the next run; a forever run
 * (`vrp worker`) looks again after a backoff that doubles each time.
 */
#include "services/sync_internal.h"

#include <stdlib.h>
#include <string.h>

/* The entry of `remote`, added on first use; NULL when out of memory. Call under run->lock. */
static struct sync_remote_state *entry(struct sync_run *run, const char *remote)
{
	for (size_t i = 0; i < run->remote_count; i++)
		if (strcmp(run->remotes[i].name, remote) == 0)
			return &run->remotes[i];
	struct sync_remote_state *grown =
		realloc(run->remotes, (run->remote_count + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	run->remotes = grown;
	struct sync_remote_state *e = &run->remotes[run->remote_count];
	*e = (struct sync_remote_state){ .name = strdup(remote) };
	if (!e->name)
		return NULL;
	run->remote_count++;
	return e;
}

void sync_remotes_free(struct sync_run *run)
{
	for (size_t i = 0; i < run->remote_count; i++)
		free(run->remotes[i].name);
	free(run->remotes);
	run->remotes = NULL;
	run->remote_count = 0;
}

bool sync_remote_stopped(struct sync_run *run, const char *remote)
{
	int64_t now = sync_now_ms(run);
	pthread_mutex_lock(&run->lock);
	const struct sync_remote_state *e = entry(run, remote);
	bool down = e && e->reach == SYNC_REACH_DOWN && (!run->opt.forever || now < e->probe_at_ms);
	bool stopped = e && (e->stopped || down);
	pthread_mutex_unlock(&run->lock);
	return stopped;
}

/* Out of memory only costs the stop: the remote's next failure stops it again. */
void sync_stop_remote(struct sync_run *run, const char *remote)
{
	pthread_mutex_lock(&run->lock);
	struct sync_remote_state *e = entry(run, remote);
	if (e)
		e->stopped = true;
	pthread_mutex_unlock(&run->lock);
}

bool sync_remote_reachable(struct sync_run *run, const char *remote)
{
	pthread_mutex_lock(&run->lock);
	const struct sync_remote_state *e = entry(run, remote);
	bool up = e && e->reach == SYNC_REACH_UP;
	pthread_mutex_unlock(&run->lock);
	return up;
}

bool sync_remote_reached(struct sync_run *run, const char *remote)
{
	pthread_mutex_lock(&run->lock);
	struct sync_remote_state *e = entry(run, remote);
	bool was_down = e && e->reach == SYNC_REACH_DOWN;
	if (e) {
		e->reach = SYNC_REACH_UP;
		e->downs = 0;
	}
	pthread_mutex_unlock(&run->lock);
	return was_down;
}

bool sync_remote_unreachable(struct sync_run *run, const char *remote)
{
	int64_t now = sync_now_ms(run);
	pthread_mutex_lock(&run->lock);
	struct sync_remote_state *e = entry(run, remote);
	bool newly = e && e->reach != SYNC_REACH_DOWN;
	if (e) {
		e->reach = SYNC_REACH_DOWN;
		int64_t delay = run->opt.base_delay_ms;
		for (int i = 0; i < e->downs && delay < run->opt.max_delay_ms; i++)
			delay *= 2;
		e->downs++;
		e->probe_at_ms =
			now + (delay < run->opt.max_delay_ms ? delay : run->opt.max_delay_ms);
	}
	pthread_mutex_unlock(&run->lock);
	return newly;
}
