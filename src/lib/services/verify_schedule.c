/*
 * verify_schedule.c - vrp_verify_scheduled(): the periodic incremental
 * verification passes `vrp worker` runs when they are due.
 */
#include "vrp/verify.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/log.h"
#include "db/remote_repo.h"
#include "db/verify_progress_repo.h"
#include "vrp/duration.h"
#include "vrp/remote_verify.h"
#include "vrp/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A duration setting in ms; 0 when it is unset. */
static int setting_ms(vrp_library *lib, const char *key, int64_t *ms)
{
	char *value = NULL;
	int64_t seconds = 0;
	*ms = 0;
	int rc = vrp_settings_get(lib, key, &value, NULL);
	if (rc == 0 && value)
		rc = vrp_duration_parse(value, &seconds);
	free(value);
	*ms = seconds * 1000;
	return rc;
}

/* Whether `scope`'s last scheduled pass started `interval_ms` ago or more (or never). */
static int is_due(vrp_db *db, const char *scope, int64_t interval_ms, bool *due)
{
	char last[VRP_TIME_ISO_LEN];
	*due = false;
	int rc = vrp_verify_progress_repo_last_run(db, scope, last);
	if (rc == 0)
		*due = !*last || vrp_time_now_ms() - vrp_time_parse_iso(last) >= interval_ms;
	if (rc == 0 && *due)
		rc = vrp_verify_progress_repo_mark_run(db, scope);
	return rc;
}

static int run_local(vrp_library *lib, int64_t budget_ms)
{
	vrp_verify_options o = { .incremental = true, .time_limit_ms = budget_ms };
	vrp_verify_summary s;
	int rc = vrp_verify(lib, &o, &s);
	if (rc == 0)
		VRP_LOG_INFO("verify",
			     json_pack("{s:s, s:I, s:b}", "schedule", "local", "checked",
				       (json_int_t)s.checked, "stopped", s.stopped),
			     "scheduled verification: %lld recordings checked%s",
			     (long long)s.checked, s.stopped ? " (continues next time)" : "");
	return rc;
}

/* A remote that cannot be reached now is tried at the next interval: no error for the worker. */
static int run_remote(vrp_library *lib, const char *remote, int64_t budget_ms)
{
	vrp_remote_verify_options o = { .incremental = true, .time_limit_ms = budget_ms };
	vrp_remote_verify_summary s;
	int rc = vrp_verify_remote(lib, remote, &o, &s);
	if (rc < 0 && rc != VRP_EDB && rc != VRP_ENOMEM) {
		VRP_LOG_WARNING("verify", json_pack("{s:s}", "remote", remote),
				"scheduled verification of %s: %s", remote,
				vrp_error_last()->message);
		rc = 0;
	}
	return rc;
}

static int run_remotes(vrp_library *lib, int64_t interval_ms, int64_t budget_ms, bool *ran)
{
	vrp_db *db = vrp_library_db(lib);
	vrp_remote_list *remotes = NULL;
	int rc = vrp_remote_repo_list(db, &remotes);
	for (size_t i = 0; rc == 0 && i < remotes->count; i++) {
		char scope[128];
		bool due = false;
		snprintf(scope, sizeof(scope), "remote:%s", remotes->items[i]->name);
		rc = is_due(db, scope, interval_ms, &due);
		if (rc == 0 && due) {
			rc = run_remote(lib, remotes->items[i]->name, budget_ms);
			*ran = true;
		}
	}
	vrp_remote_list_free(remotes);
	return rc;
}

int vrp_verify_scheduled(vrp_library *lib, bool *ran)
{
	bool any = false;
	int64_t local_ms = 0, remote_ms = 0, budget_ms = 0;
	int rc = setting_ms(lib, "verify.local_interval", &local_ms);
	if (rc == 0)
		rc = setting_ms(lib, "verify.remote_interval", &remote_ms);
	if (rc == 0)
		rc = setting_ms(lib, "verify.time_budget", &budget_ms);
	bool due = false;
	if (rc == 0 && local_ms > 0)
		rc = is_due(vrp_library_db(lib), "local", local_ms, &due);
	if (rc == 0 && due) {
		rc = run_local(lib, budget_ms);
		any = true;
	}
	if (rc == 0 && remote_ms > 0)
		rc = run_remotes(lib, remote_ms, budget_ms, &any);
	if (ran)
		*ran = any;
	return rc;
}
