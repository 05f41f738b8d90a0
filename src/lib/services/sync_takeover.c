/*
 * sync_takeover.c - the leases other processes hold. A run killed with -9
 * leaves its tasks leased for up to lease_ms; when that process is on this
 * host and provably gone (no such pid, or the pid now belongs to a process
 * that started at another time) its tasks are taken over at once. A live
 * holder, or one on another host (which we cannot check), is waited for,
 * and the wait is said once instead of passing in silence.
 */
#include "services/sync_internal.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/process.h"
#include "db/sync_task_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_this_process(const struct sync_run *run, const vrp_sync_lease_process *p)
{
	return p->host && strcmp(p->host, run->host) == 0 && p->pid == run->pid &&
	       p->pid_start == run->pid_start;
}

/* Only a holder on this host can be proved dead; anything unclear counts as alive. */
static bool is_dead(const struct sync_run *run, const vrp_sync_lease_process *p)
{
	if (!p->host || strcmp(p->host, run->host) != 0 || p->pid <= 0)
		return false;
	int64_t start = 0;
	int rc = vrp_process_start_time((pid_t)p->pid, &start);
	return rc == VRP_ENOTFOUND || (rc == 0 && start != p->pid_start);
}

/* Whether `p` was not announced yet in this run; remembers it. */
static bool first_time(struct sync_run *run, const vrp_sync_lease_process *p)
{
	char key[512];
	snprintf(key, sizeof(key), "%s|%s|%lld|%lld", p->remote, p->host ? p->host : "",
		 (long long)p->pid, (long long)p->pid_start);
	pthread_mutex_lock(&run->lock);
	bool seen = false;
	for (size_t i = 0; !seen && i < run->announced_count; i++)
		seen = strcmp(run->announced[i], key) == 0;
	size_t n = run->announced_count + 1;
	char **grown = seen ? NULL : realloc(run->announced, n * sizeof(*grown));
	if (grown) {
		run->announced = grown;
		if ((run->announced[run->announced_count] = strdup(key)))
			run->announced_count++;
	}
	pthread_mutex_unlock(&run->lock);
	return !seen;
}

/* Says once per remote and holder that the run is waiting for it. */
static void announce(struct sync_worker *w, const vrp_sync_lease_process *p)
{
	if (!first_time(w->run, p))
		return;
	char who[320], message[512];
	if (p->host && p->pid > 0)
		snprintf(who, sizeof(who), "vrp pid %lld on %s, which holds", (long long)p->pid,
			 p->host);
	else
		snprintf(who, sizeof(who), "another worker, which holds");
	snprintf(message, sizeof(message),
		 "waiting for %s %lld task%s of remote %s, until it finishes them or its lease "
		 "ends at %s",
		 who, (long long)p->tasks, p->tasks == 1 ? "" : "s", p->remote, p->lease_until);
	vrp_sync_event e = { .kind = VRP_SYNC_EVENT_WAITING,
			     .remote = p->remote,
			     .message = message,
			     .retry_after_ms = -1,
			     .now_ms = sync_now_ms(w->run) };
	sync_emit(w->run, &e);
	VRP_LOG_INFO("sync", json_pack("{s:s}", "remote", p->remote), "%s", message);
}

static int take_over(struct sync_worker *w, const vrp_sync_lease_process *p, const char *now,
		     bool *took)
{
	int64_t count = 0;
	int rc = vrp_sync_task_repo_expire_process(vrp_library_db(w->lib), p->host, p->pid,
						   p->pid_start, now, &count);
	if (rc == 0 && count > 0) {
		*took = true;
		VRP_LOG_INFO("sync",
			     json_pack("{s:s, s:I, s:I}", "remote", p->remote, "pid",
				       (json_int_t)p->pid, "tasks", (json_int_t)count),
			     "taking over the tasks of vrp pid %lld, which is gone",
			     (long long)p->pid);
	}
	return rc;
}

int sync_take_over_dead(struct sync_worker *w, bool *took)
{
	*took = false;
	struct sync_run *run = w->run;
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(run, now);
	vrp_sync_lease_process_list *list = NULL;
	int rc = vrp_sync_task_repo_lease_processes(vrp_library_db(w->lib), run->opt.remote, now,
						    &list);
	for (size_t i = 0; rc == 0 && i < list->count; i++) {
		const vrp_sync_lease_process *p = &list->items[i];
		if (is_this_process(run, p))
			continue;
		if (is_dead(run, p))
			rc = take_over(w, p, now, took);
		else
			announce(w, p);
	}
	vrp_sync_lease_process_list_free(list);
	return rc;
}
