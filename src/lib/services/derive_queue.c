/* derive_queue.c - the durable derive queue: what import asks for, made by the workers. */
#include "vrp/derive.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/log.h"
#include "core/process.h"
#include "db/derive_task_repo.h"
#include "vrp/settings.h"
#include "vrp/transcript.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The lease when the caller names none; it is renewed while the audio is decoded. */
#define LEASE_MS       (15 * 60 * 1000)
#define TRANSCRIPT     VRP_DERIVE_KIND(VRP_DERIVED_TRANSCRIPT)
#define MAX_ATTEMPTS   5
#define FIRST_RETRY_MS (30 * 1000)

/* The kinds a comma list names; unknown words were refused when the setting was read. */
static unsigned kinds_of(const char *list)
{
	unsigned kinds = 0;
	while (list && *list) {
		list += strspn(list, " \t");
		size_t len = strcspn(list, ","), word = len;
		while (word > 0 && (list[word - 1] == ' ' || list[word - 1] == '\t'))
			word--;
		for (int k = 0; vrp_derived_kind_to_string((enum vrp_derived_kind)k); k++) {
			const char *name = vrp_derived_kind_to_string((enum vrp_derived_kind)k);
			if (strlen(name) == word && strncmp(list, name, word) == 0)
				kinds |= VRP_DERIVE_KIND(k);
		}
		list += len + (list[len] == ',');
	}
	return kinds;
}

unsigned vrp_derive_kinds_queued(vrp_library *lib)
{
	/* As the setting's default: a transcript only costs time where an engine is installed. */
	unsigned fallback = vrp_derive_kinds_default() | TRANSCRIPT;
	char *value = NULL;
	/* A bad setting must not stop an import: it is reported, and the defaults apply. */
	if (vrp_settings_get(lib, "derive.kinds", &value, NULL) < 0) {
		VRP_LOG_WARNING("derive", NULL, "derive.kinds ignored: %s",
				vrp_error_last()->message);
		return fallback;
	}
	unsigned kinds = value ? kinds_of(value) : fallback;
	free(value);
	return kinds ? kinds : VRP_DERIVE_NONE;
}

int vrp_derive_enqueue(vrp_library *lib, int64_t recording_id, unsigned kinds)
{
	return vrp_derive_task_repo_enqueue(vrp_library_db(lib), recording_id, kinds);
}

int vrp_derive_queue_status_read(vrp_library *lib, vrp_derive_queue_status *out)
{
	struct vrp_derive_queue_counts c;
	int rc = vrp_derive_task_repo_counts(vrp_library_db(lib), &c);
	*out = (vrp_derive_queue_status){ c.queued, c.running, c.failed };
	return rc;
}

int vrp_derive_queue_retry(vrp_library *lib, int64_t *count)
{
	return vrp_derive_task_repo_retry_failed(vrp_library_db(lib), count);
}

/*
 * Whether trying again later can help: the local disk was full or busy,
 * or the process was told to stop. A missing or damaged file, or a kind
 * nothing makes, stays so until someone acts (`vrp derive` then works).
 */
static bool may_pass_later(int code)
{
	return code == VRP_ENOSPC || code == VRP_EBUSY || code == VRP_EIO || code == VRP_ENOMEM ||
	       code == VRP_EDB || code == VRP_ECANCELLED;
}

static int record_failure(vrp_library *lib, const struct vrp_derive_task *t, const char *owner,
			  int code)
{
	char retry_at[VRP_TIME_ISO_LEN];
	bool retry = may_pass_later(code) && t->attempts < MAX_ATTEMPTS;
	if (retry)
		vrp_time_format_iso(vrp_time_now_ms() + (FIRST_RETRY_MS << (t->attempts - 1)),
				    retry_at);
	const char *message = vrp_error_last()->message;
	VRP_LOG_WARNING("derive", NULL, "recording %lld: cannot make its assets (%s): %s%s",
			(long long)t->recording_id, vrp_error_code_name(code), message,
			retry ? "; trying again later" : "");
	return vrp_derive_task_repo_fail(vrp_library_db(lib), t->id, owner,
					 vrp_error_code_name(code), message,
					 retry ? retry_at : NULL);
}

/* The claimed task's lease, renewed as its audio is decoded. */
struct lease {
	vrp_library *lib;
	const struct vrp_derive_task *task;
	const char *owner;
	int64_t lease_ms, renewed_ms;
	bool lost; /* another worker took the task over: it is theirs now */
};

/* A third of the lease between renewals: two can be late before it ends. */
static int renew(void *ctx, double seconds)
{
	(void)seconds;
	struct lease *l = ctx;
	int64_t now = vrp_time_now_ms();
	if (now - l->renewed_ms < l->lease_ms / 3)
		return 0;
	l->renewed_ms = now;
	int rc = vrp_derive_task_repo_renew(vrp_library_db(l->lib), l->task->id, l->owner,
					    l->lease_ms);
	l->lost = rc == VRP_ENOTFOUND;
	return rc;
}

/*
 * Said once per process, not once per recording: with no engine every
 * queued transcript would repeat it. The task goes on without it, so an
 * engine installed later transcribes only what `vrp transcribe --all` asks.
 */
static void note_no_engine(void)
{
	static atomic_flag said = ATOMIC_FLAG_INIT;
	if (atomic_flag_test_and_set(&said))
		return;
	VRP_LOG_WARNING("derive", NULL,
			"queued transcripts are left out: %s; once it is installed, vrp "
			"transcribe --all makes them",
			vrp_error_last()->message);
}

/* The transcript through vrp_transcribe(): indexed for search, titled, resumable. */
static int queued_transcript(struct lease *l)
{
	if (vrp_transcribe_available(NULL) < 0) {
		note_no_engine();
		vrp_error_clear();
		return 0;
	}
	vrp_transcribe_options o = { .on_progress = renew, .progress_ctx = l };
	return vrp_transcribe(l->lib, l->task->recording_id, &o, NULL);
}

/* The quick kinds first, so previews do not wait behind a transcript. */
static int run_task(struct lease *l)
{
	unsigned kinds = l->task->kinds & vrp_derive_kinds_supported();
	unsigned others = kinds & ~TRANSCRIPT;
	struct vrp_derive_options o = { .on_progress = renew, .progress_ctx = l };
	int rc = others ? vrp_derive_with(l->lib, l->task->recording_id, others, false, &o, NULL)
			: 0;
	if (rc == 0 && (kinds & TRANSCRIPT))
		rc = queued_transcript(l);
	return rc;
}

/* Only a process of this host can be proved gone; anything unclear counts as alive. */
static bool is_gone(const struct vrp_derive_lease_process *p)
{
	if (p->pid <= 0 || p->pid > INT32_MAX)
		return false;
	int64_t start = 0;
	int rc = vrp_process_start_time((pid_t)p->pid, &start);
	return rc == VRP_ENOTFOUND || (rc == 0 && start != p->pid_start);
}

/*
 * A vrp killed in a derivation holds its task's lease for LEASE_MS, and
 * whatever it renamed into place before its commit stays unrecorded as
 * long: the tasks of a process of this host that is gone are free at once.
 */
static int take_over_dead(vrp_db *db, const char *host)
{
	struct vrp_derive_lease_process *list = NULL;
	size_t count = 0;
	int rc = vrp_derive_task_repo_lease_processes(db, host, &list, &count);
	for (size_t i = 0; rc == 0 && i < count; i++) {
		int64_t taken = 0;
		if (is_gone(&list[i]))
			rc = vrp_derive_task_repo_expire_process(db, host, &list[i], &taken);
		if (rc == 0 && taken > 0)
			VRP_LOG_INFO("derive", json_pack("{s:I}", "pid", (json_int_t)list[i].pid),
				     "taking over the derivations of vrp pid %lld, which is gone",
				     (long long)list[i].pid);
	}
	free(list);
	return rc;
}

int vrp_derive_queue_run_one(vrp_library *lib, const char *owner, int64_t lease_ms, bool *ran,
			     int *outcome)
{
	struct vrp_derive_task t;
	*ran = false;
	*outcome = 0;
	if (lease_ms <= 0)
		lease_ms = LEASE_MS;
	char host[256];
	vrp_process_host(host, sizeof(host));
	struct vrp_derive_lease_holder holder = { .owner = owner, .host = host, .pid = getpid() };
	/* Unknown (no /proc): leases still end, they are only never taken over early. */
	if (vrp_process_start_time(getpid(), &holder.pid_start) < 0)
		holder.pid = 0;
	int rc = take_over_dead(vrp_library_db(lib), host);
	if (rc == 0)
		rc = vrp_derive_task_repo_claim_held(vrp_library_db(lib), &holder, lease_ms, &t);
	if (rc == VRP_ENOTFOUND)
		return 0;
	if (rc < 0)
		return rc;
	*ran = true;
	struct lease l = { lib, &t, owner, lease_ms, vrp_time_now_ms(), false };
	/* A kind this build cannot make is not a failure of the task. */
	rc = run_task(&l);
	*outcome = rc;
	if (l.lost) {
		VRP_LOG_WARNING("derive", NULL,
				"recording %lld: another worker took over its derivation",
				(long long)t.recording_id);
		return 0;
	}
	rc = rc == 0 ? vrp_derive_task_repo_finish(vrp_library_db(lib), t.id, owner, t.kinds)
		     : record_failure(lib, &t, owner, rc);
	/* The task is gone: its recording was purged meanwhile (the task went with
	 * it), or another worker took it over (a short lease, sync --lease 1, can
	 * end during the last write; that worker makes the same assets again,
	 * atomically). Nothing is left to record, and the worker goes on. */
	if (rc == VRP_ENOTFOUND) {
		VRP_LOG_INFO("derive", json_pack("{s:I}", "recording_id", (json_int_t)t.recording_id),
			     "recording %lld: its derivation task is gone (%s)",
			     (long long)t.recording_id, vrp_error_last()->message);
		rc = 0;
	}
	return rc;
}
