/*
 * sync_task_fail.c - what a failed sync task does next: retry later, hand
 * the task back, pause the remote, stop its uploads, or fail for good; and
 * how that is recorded on the task, the recording's row and the metrics,
 * in one transaction, then reported.
 */
#include "services/sync_task_ctx.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/retry.h"
#include "db/metrics_repo.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"

#include <stdio.h>
#include <stdlib.h>

static int count(vrp_db *db, const char *name)
{
	return vrp_metrics_repo_increment(db, name, 1, NULL);
}

/* "sync.failures.err_upload_rate_limit": one counter per error code. */
static int count_failure_code(vrp_db *db, const char *code_name)
{
	char name[VRP_METRIC_NAME_MAX + 1];
	int n = snprintf(name, sizeof(name), VRP_METRIC_FAILURES_PREFIX "%s", code_name);
	if (n < 0 || (size_t)n >= sizeof(name))
		return 0;
	for (char *c = name; *c; c++)
		*c = (char)(*c >= 'A' && *c <= 'Z' ? *c - 'A' + 'a' : *c);
	return vrp_metrics_repo_increment(db, name, 1, NULL);
}

struct failure {
	struct task_ctx *t;
	int code;
	const char *code_name;
	char message[512];
	char *resume_state;
	vrp_retry_decision decision;
	vrp_sync_event_kind kind;
	int64_t retry_after_ms;
};

static int64_t env_clock(void *ctx) { return sync_now_ms(ctx); }

static uint64_t env_random(void *ctx)
{
	const struct sync_run *run = ctx;
	return run->opt.random(run->opt.env_ctx);
}

/* What happens next, from the class of the failure and the attempts used. */
static void decide(struct failure *f)
{
	struct sync_run *run = f->t->w->run;
	vrp_retry_policy policy = { run->opt.base_delay_ms, run->opt.max_delay_ms,
				    run->opt.max_attempts };
	vrp_retry_env env = { env_clock, run->opt.random ? env_random : NULL, NULL, run };
	vrp_retry_decide(&policy, &env, f->code, (int)f->t->task->attempts, f->retry_after_ms,
			 &f->decision);
	if (f->code == VRP_ECANCELLED && sync_stopping(run))
		f->kind = VRP_SYNC_EVENT_RELEASED;
	else if (f->code == VRP_EUNAVAILABLE)
		f->kind = VRP_SYNC_EVENT_UNAVAILABLE;
	else if (f->decision.retry)
		f->kind = VRP_SYNC_EVENT_RETRY;
	else if (f->decision.cls == VRP_RETRY_CLASS_PAUSE_REMOTE)
		f->kind = VRP_SYNC_EVENT_PAUSED;
	else if (f->decision.cls == VRP_RETRY_CLASS_STOP_UPLOADS)
		f->kind = VRP_SYNC_EVENT_QUOTA;
	else
		f->kind = VRP_SYNC_EVENT_FAILED;
}

/* The task's next state, per outcome. */
static int record_task(vrp_db *db, const struct failure *f, const char *now)
{
	int64_t id = f->t->task->id;
	const char *owner = f->t->w->owner;
	char retry_at[VRP_TIME_ISO_LEN];
	switch (f->kind) {
	case VRP_SYNC_EVENT_RELEASED:
		return vrp_sync_task_repo_release(db, id, owner, NULL, NULL, NULL, now);
	case VRP_SYNC_EVENT_PAUSED:
	case VRP_SYNC_EVENT_UNAVAILABLE:
		/* Not the task's fault: the claim is given back, not counted. */
		return vrp_sync_task_repo_release(db, id, owner, f->code_name, f->message, NULL,
						  now);
	case VRP_SYNC_EVENT_RETRY:
		vrp_time_format_iso(f->decision.not_before_ms, retry_at);
		return vrp_sync_task_repo_fail(db, id, owner, f->code_name, f->message, retry_at,
					       now);
	default:
		return vrp_sync_task_repo_fail(db, id, owner, f->code_name, f->message, NULL, now);
	}
}

/* The recording's row on the remote, per outcome; a retry keeps the error visible. */
static int record_row(vrp_db *db, const struct failure *f)
{
	vrp_sync_status status = VRP_SYNC_FAILED;
	const char *code = f->code_name, *message = f->message;
	if (f->kind == VRP_SYNC_EVENT_RELEASED) {
		status = VRP_SYNC_QUEUED;
		code = message = NULL;
	} else if (f->kind == VRP_SYNC_EVENT_RETRY || f->kind == VRP_SYNC_EVENT_UNAVAILABLE) {
		status = VRP_SYNC_QUEUED;
	} else if (f->kind == VRP_SYNC_EVENT_QUOTA) {
		status = VRP_SYNC_QUOTA_EXCEEDED;
	}
	/* A delete task outlives its purged recording, and so does an upload whose
	 * recording was purged while it ran: the task alone keeps the error. */
	if (f->t->task->recording_id == 0)
		return 0;
	int rc = vrp_recording_remote_repo_set_status_variant(
		db, f->t->task->recording_id, f->t->task->remote, f->t->task->variant, status, code,
		message);
	return rc == VRP_ENOTFOUND ? 0 : rc;
}

static const char *outcome_metric(vrp_sync_event_kind kind)
{
	if (kind == VRP_SYNC_EVENT_RETRY)
		return VRP_METRIC_RETRY_ATTEMPTS;
	if (kind == VRP_SYNC_EVENT_PAUSED)
		return VRP_METRIC_AUTH_FAILURES;
	return NULL;
}

/* The pause outlives this run: later runs and workers leave the remote alone
 * until re-authentication (vrp_remotes_resume) clears it. */
static int pause_remote(vrp_db *db, const struct failure *f)
{
	char reason[600];
	snprintf(reason, sizeof(reason), "%s: %.500s", f->code_name, f->message);
	return vrp_remote_repo_set_paused(db, f->t->task->remote, reason);
}

static int failure_txn(vrp_db *db, void *arg)
{
	struct failure *f = arg;
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(f->t->w->run, now);
	int rc = 0;
	if (f->resume_state)
		rc = vrp_sync_task_repo_save_resume_state(db, f->t->task->id, f->t->w->owner,
							  f->resume_state, now);
	if (rc == 0)
		rc = record_task(db, f, now);
	if (rc == 0)
		rc = record_row(db, f);
	if (rc == 0 && outcome_metric(f->kind))
		rc = count(db, outcome_metric(f->kind));
	if (rc == 0 && f->t->uploaded && f->kind != VRP_SYNC_EVENT_RELEASED)
		rc = count(db, VRP_METRIC_UPLOADS_FAILED);
	if (rc == 0 && f->kind != VRP_SYNC_EVENT_RELEASED)
		rc = count_failure_code(db, f->code_name);
	if (rc == 0 && f->kind == VRP_SYNC_EVENT_PAUSED)
		rc = pause_remote(db, f);
	return rc;
}

/*
 * The copy arrived damaged on every attempt the bound allows: the task fails
 * (no proof, the row failed with ERR_CHECKSUM_MISMATCH), and says so.
 */
static void say_damaged_for_good(struct failure *f)
{
	char detail[sizeof(f->message)];
	snprintf(detail, sizeof(detail), "%s", f->message);
	snprintf(f->message, sizeof(f->message),
		 "damaged in transit on %lld attempts, not retried: %.400s (check the network "
		 "and the remote, then `vrp queue retry`)",
		 (long long)f->t->task->attempts, detail);
}

int sync_task_fail(struct task_ctx *t, int code, char *resume_state)
{
	struct failure f = { .t = t, .code = code, .resume_state = resume_state };
	f.retry_after_ms = vrp_provider_retry_after_ms();
	f.code_name = vrp_error_code_name(code);
	const vrp_error *e = vrp_error_last();
	snprintf(f.message, sizeof(f.message), "%s",
		 e->code == code && *e->message ? e->message : vrp_strerror(code));
	if (t->lease_lost) {
		free(resume_state);
		return 0;
	}
	decide(&f);
	if (f.decision.cls == VRP_RETRY_CLASS_INTEGRITY && !f.decision.retry)
		say_damaged_for_good(&f);
	int rc = vrp_db_transaction(t->db, failure_txn, &f);
	free(resume_state);
	if (rc == VRP_ECONFLICT)
		return 0;
	if (rc < 0)
		return rc;
	if (f.kind == VRP_SYNC_EVENT_PAUSED || f.kind == VRP_SYNC_EVENT_QUOTA)
		sync_stop_remote(t->w->run, t->task->remote);
	/* One report per remote: the tasks in flight when it went away are handed back quietly. */
	if (f.kind == VRP_SYNC_EVENT_UNAVAILABLE &&
	    !sync_remote_unreachable(t->w->run, t->task->remote))
		return 0;
	vrp_sync_event ev;
	sync_task_event_init(t, &ev, f.kind);
	ev.code = code;
	ev.message = f.message;
	ev.delay_ms = f.decision.delay_ms;
	ev.retry_after_ms = f.retry_after_ms;
	/* "At now_ms, retry after delay_ms": the time of the decision, not of this
	 * report, which other threads' progress may have moved on since. */
	if (f.kind == VRP_SYNC_EVENT_RETRY)
		ev.now_ms = f.decision.not_before_ms - f.decision.delay_ms;
	sync_emit(t->w->run, &ev);
	/* Damage in transit is worth a warning even when a retry may mend it. */
	bool quiet = f.kind == VRP_SYNC_EVENT_RETRY && f.decision.cls != VRP_RETRY_CLASS_INTEGRITY;
	VRP_LOG(quiet ? VRP_LOG_LEVEL_INFO : VRP_LOG_LEVEL_WARNING, "sync",
		json_pack("{s:I, s:s, s:s, s:s, s:I}", "recording_id",
			  (json_int_t)t->task->recording_id, "remote", t->task->remote, "code",
			  f.code_name, "class", vrp_retry_class_name(f.decision.cls), "attempt",
			  (json_int_t)t->task->attempts),
		"upload %s: %s", vrp_sync_event_kind_to_string(f.kind), f.message);
	return 0;
}
