/*
 * offload.c - vrp_offload(): letting a recording's local audio go once
 * enough proven remote copies exist.
 */
#include "vrp/offload.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/test_hook.h"
#include "db/recording_repo.h"
#include "services/audit.h"
#include "services/copies.h"
#include "services/remote_verify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 200

const char *vrp_offload_outcome_to_string(enum vrp_offload_outcome outcome)
{
	static const char *const names[] = { "freed", "would_free", "refused", "already" };
	return (unsigned)outcome < sizeof(names) / sizeof(*names) ? names[outcome] : NULL;
}

struct run {
	vrp_library *lib;
	const vrp_offload_options *options;
	vrp_offload_summary *summary;
	struct copy_policy policy;
	char made_before[VRP_TIME_ISO_LEN]; /* --older-than: recorded before this */
};

static void emit(struct run *run, vrp_offload_item *item)
{
	vrp_offload_summary *s = run->summary;
	s->freed += item->outcome == VRP_OFFLOAD_FREED || item->outcome == VRP_OFFLOAD_WOULD_FREE;
	s->bytes_freed +=
		item->outcome == VRP_OFFLOAD_FREED || item->outcome == VRP_OFFLOAD_WOULD_FREE
			? item->bytes
			: 0;
	s->refused += item->outcome == VRP_OFFLOAD_REFUSED;
	s->already += item->outcome == VRP_OFFLOAD_ALREADY;
	VRP_LOG(item->outcome == VRP_OFFLOAD_REFUSED ? VRP_LOG_LEVEL_WARNING : VRP_LOG_LEVEL_INFO,
		"offload",
		json_pack("{s:I, s:s, s:I}", "recording_id", (json_int_t)item->recording_id,
			  "outcome", vrp_offload_outcome_to_string(item->outcome), "bytes",
			  (json_int_t)item->bytes),
		"recording %lld: %s%s%s", (long long)item->recording_id,
		vrp_offload_outcome_to_string(item->outcome), item->message ? ": " : "",
		item->message ? item->message : "");
	if (run->options->on_item)
		run->options->on_item(run->options->ctx, item);
}

/*
 * Proves again the copies that would count but for a missing or stale
 * proof; what went wrong with a remote goes to `notes` (the refusal says it).
 */
static int prove_stale(struct run *run, const vrp_recording *rec, struct copy_tally *tally,
		       char *notes, size_t len)
{
	bool proved = false;
	size_t used = strlen(notes);
	for (size_t i = 0; i < tally->rows->count; i++) {
		if (tally->standing[i] != COPY_UNPROVEN && tally->standing[i] != COPY_STALE)
			continue;
		struct copy_check c;
		int rc = remote_verify_one(run->lib, tally->rows->items[i]->remote, rec, &c);
		if (rc == VRP_EDB || rc == VRP_ENOMEM)
			return rc;
		const char *why = rc < 0                              ? vrp_error_last()->message
				  : c.finding == VRP_REMOTE_VERIFY_OK ? NULL
								      : c.message;
		if (why && used < len)
			used += (size_t)snprintf(notes + used, len - used, "; %s: %s",
						 tally->rows->items[i]->remote, why);
		proved = true;
	}
	if (!proved)
		return 0;
	copy_tally_clear(tally);
	return copy_tally_load(run->lib, &run->policy, rec->id, tally);
}

static int mark_txn(vrp_db *db, void *arg)
{
	const vrp_offload_item *item = arg;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	int rc = vrp_recording_repo_set_offloaded(db, item->recording_id, now);
	if (rc == 0)
		rc = vrp_audit_record_json(db, "offload", item->recording_id, NULL, true,
					   json_pack("{s:s, s:I}", "copies", item->copies, "bytes",
						     (json_int_t)item->bytes));
	return rc;
}

/* The row first, committed; then the file. A crash between leaves a file verify takes back. */
static int let_go(struct run *run, const vrp_recording *rec, vrp_offload_item *item)
{
	int rc = vrp_db_transaction(vrp_library_db(run->lib), mark_txn, item);
	if (rc < 0)
		return rc;
	vrp_test_hook("offload.committed");
	char *path = vrp_library_path(run->lib, rec->local_path);
	if (!path)
		return vrp_error_oom();
	if (unlink(path) != 0 && errno != ENOENT)
		rc = vrp_error_from_errno(errno,
					  "cannot remove %s (the recording is marked "
					  "offloaded; `vrp verify` takes the file back)",
					  path);
	char *slash = strrchr(path, '/');
	if (rc == 0 && slash) {
		*slash = '\0';
		rc = vrp_fs_fsync_dir(path);
	}
	free(path);
	return rc;
}

static int offload_one(struct run *run, const vrp_recording *rec)
{
	vrp_offload_item item = { .recording_id = rec->id, .bytes = rec->filesize_bytes };
	if (rec->offloaded_at) {
		item.outcome = VRP_OFFLOAD_ALREADY;
		emit(run, &item);
		return 0;
	}
	struct copy_tally tally;
	char notes[512] = "", counted[256] = "", message[1024];
	int rc = copy_tally_load(run->lib, &run->policy, rec->id, &tally);
	if (rc == 0 && tally.counted < (size_t)run->policy.numcopies)
		rc = prove_stale(run, rec, &tally, notes, sizeof(notes));
	if (rc < 0)
		return rc;
	copy_tally_counted(&tally, counted, sizeof(counted));
	item.copies = counted;
	if (tally.counted < (size_t)run->policy.numcopies) {
		size_t used = 0;
		copy_tally_refusal(&tally, &run->policy, message, sizeof(message));
		used = strlen(message);
		snprintf(message + used, sizeof(message) - used, "%s", notes);
		item.outcome = VRP_OFFLOAD_REFUSED;
		item.error = VRP_ECONFLICT;
		item.message = message;
	} else if (run->options->dry_run) {
		item.outcome = VRP_OFFLOAD_WOULD_FREE;
	} else {
		rc = let_go(run, rec, &item);
		item.outcome = VRP_OFFLOAD_FREED;
	}
	copy_tally_clear(&tally);
	if (rc == 0)
		emit(run, &item);
	return rc;
}

static bool chosen(const struct run *run, const vrp_recording *rec)
{
	return !run->options->older_than_s || strcmp(rec->recorded_at, run->made_before) < 0;
}

static int offload_ids(struct run *run)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < run->options->id_count; i++) {
		vrp_recording *rec = NULL;
		rc = vrp_recording_repo_get_by_id(vrp_library_db(run->lib), run->options->ids[i],
						  &rec);
		if (rc == 0 && rec->status == VRP_RECORDING_DELETED)
			rc = vrp_error_set(VRP_EINVAL,
					   "recording %lld is deleted: restore or purge it instead",
					   (long long)rec->id);
		if (rc == 0)
			rc = offload_one(run, rec);
		vrp_recording_free(rec);
	}
	return rc;
}

static int offload_all(struct run *run)
{
	vrp_recording_filter filter = { .tag = run->options->tag, .limit = PAGE };
	int rc = 0;
	do {
		vrp_recording_list *page = NULL;
		rc = vrp_recording_repo_list(vrp_library_db(run->lib), &filter, &page);
		for (size_t i = 0; rc == 0 && i < page->count; i++)
			if (chosen(run, page->items[i]) && !page->items[i]->offloaded_at)
				rc = offload_one(run, page->items[i]);
		filter.cursor = rc == 0 ? page->next_cursor : 0;
		vrp_recording_list_free(page);
	} while (rc == 0 && filter.cursor);
	return rc;
}

int vrp_offload(vrp_library *lib, const vrp_offload_options *options, vrp_offload_summary *summary)
{
	vrp_offload_options none = { 0 };
	memset(summary, 0, sizeof(*summary));
	struct run run = { .lib = lib, .options = options ? options : &none, .summary = summary };
	vrp_time_format_iso(vrp_time_now_ms() - run.options->older_than_s * 1000, run.made_before);
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	int rc = copy_policy_load(lib, &run.policy);
	if (rc == 0)
		rc = run.options->ids ? offload_ids(&run) : offload_all(&run);
	VRP_LOG(rc < 0 ? VRP_LOG_LEVEL_ERROR : VRP_LOG_LEVEL_INFO, "offload",
		json_pack("{s:I, s:I, s:I}", "freed", (json_int_t)summary->freed, "refused",
			  (json_int_t)summary->refused, "bytes_freed",
			  (json_int_t)summary->bytes_freed),
		"offload %s: %lld freed, %lld refused", rc < 0 ? "stopped" : "finished",
		(long long)summary->freed, (long long)summary->refused);
	vrp_correlation_leave(&scope);
	return rc;
}
