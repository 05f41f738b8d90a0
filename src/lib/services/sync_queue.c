/* sync_queue.c - what a person does with the sync queue: status, list, retry, cancel. */
#include "vrp/sync.h"

#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"
#include "vrp/remotes.h"

#include <stdlib.h>
#include <string.h>

static void remote_report_free(vrp_sync_remote_report *r)
{
	if (!r)
		return;
	free(r->remote);
	free(r->provider_key);
	vrp_recording_remote_list_free(r->problems);
	free(r);
}

void vrp_sync_report_free(vrp_sync_report *report)
{
	if (!report)
		return;
	for (size_t i = 0; i < report->count; i++)
		remote_report_free(report->items[i]);
	free(report->items);
	free(report);
}

/* Appends the rows of `status` to `list`, a page at a time. */
static int collect_status(vrp_db *db, const char *remote, vrp_sync_status status,
			  vrp_recording_remote_list *list, size_t *capacity)
{
	int64_t after = 0;
	for (;;) {
		vrp_recording_remote_list *page = NULL;
		int rc = vrp_recording_remote_repo_list_by_status(db, remote, status, 200, after,
								  &page);
		if (rc == 0)
			rc = vrp_ptr_array_reserve(&list->items, capacity,
						   list->count + page->count);
		if (rc < 0) {
			vrp_recording_remote_list_free(page);
			return rc;
		}
		for (size_t i = 0; i < page->count; i++)
			list->items[list->count++] = page->items[i];
		size_t got = page->count;
		after = got ? page->items[got - 1]->id : after;
		page->count = 0;
		vrp_recording_remote_list_free(page);
		if (got < 200)
			return 0;
	}
}

/* A remote that takes compressed copies only is counted by them: its originals never go there. */
static vrp_upload_variant counted_variant(vrp_library *lib, const char *remote)
{
	unsigned variants = 0;
	if (vrp_remotes_upload_variants(lib, remote, &variants) == 0 &&
	    variants == VRP_VARIANT_BIT(VRP_VARIANT_COMPRESSED))
		return VRP_VARIANT_COMPRESSED;
	return VRP_VARIANT_ORIGINAL;
}

static int report_remote(vrp_library *lib, vrp_db *db, const vrp_remote *remote,
			 vrp_sync_remote_report **out)
{
	vrp_sync_remote_report *r = calloc(1, sizeof(*r));
	int rc = r ? 0 : vrp_error_oom();
	if (rc == 0 && (!(r->remote = strdup(remote->name)) ||
			!(r->provider_key = strdup(remote->provider_key)) ||
			!(r->problems = calloc(1, sizeof(*r->problems)))))
		rc = vrp_error_oom();
	if (rc == 0)
		rc = vrp_recording_remote_repo_count_by_status_variant(
			db, remote->name, counted_variant(lib, remote->name), &r->counts);
	if (rc == 0)
		rc = vrp_sync_task_repo_count_by_state(db, remote->name, &r->tasks);
	size_t capacity = 0;
	if (rc == 0)
		rc = collect_status(db, remote->name, VRP_SYNC_FAILED, r->problems, &capacity);
	if (rc == 0)
		rc = collect_status(db, remote->name, VRP_SYNC_QUOTA_EXCEEDED, r->problems,
				    &capacity);
	if (rc == 0)
		rc = collect_status(db, remote->name, VRP_SYNC_CONFLICT, r->problems, &capacity);
	if (rc < 0) {
		remote_report_free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static int remotes_of(vrp_db *db, const char *name, vrp_remote_list **out)
{
	if (!name)
		return vrp_remote_repo_list(db, out);
	vrp_remote *one = NULL;
	int rc = vrp_remote_repo_get_by_name(db, name, &one);
	if (rc < 0)
		return rc;
	vrp_remote_list *list = calloc(1, sizeof(*list));
	vrp_remote **items = calloc(1, sizeof(*items));
	if (!list || !items) {
		vrp_remote_free(one);
		free(list);
		free(items);
		return vrp_error_oom();
	}
	items[0] = one;
	list->items = items;
	list->count = 1;
	*out = list;
	return 0;
}

int vrp_sync_status_read(vrp_library *lib, const char *remote, vrp_sync_report **out)
{
	*out = NULL;
	vrp_db *db = vrp_library_db(lib);
	vrp_remote_list *remotes = NULL;
	vrp_sync_report *report = calloc(1, sizeof(*report));
	int rc = report ? remotes_of(db, remote, &remotes) : vrp_error_oom();
	if (rc == 0 && remotes->count &&
	    !(report->items = calloc(remotes->count, sizeof(*report->items))))
		rc = vrp_error_oom();
	for (size_t i = 0; rc == 0 && i < remotes->count; i++) {
		rc = report_remote(lib, db, remotes->items[i], &report->items[i]);
		if (rc == 0)
			report->count++;
	}
	vrp_remote_list_free(remotes);
	if (rc < 0) {
		vrp_sync_report_free(report);
		return rc;
	}
	*out = report;
	return 0;
}

int vrp_sync_recording_state(vrp_library *lib, int64_t recording_id,
			     vrp_recording_remote_list **out)
{
	return vrp_recording_remote_repo_list_for_recording(vrp_library_db(lib), recording_id, out);
}

int vrp_sync_queue_list(vrp_library *lib, unsigned states, const char *remote, int64_t after_id,
			int limit, vrp_sync_task_list **out)
{
	vrp_sync_task_filter filter = {
		.states = states, .remote = remote, .after_id = after_id, .limit = limit
	};
	return vrp_sync_task_repo_list(vrp_library_db(lib), &filter, out);
}

/* Sets the recording's row for the task's remote, unless it is synced there. */
static int set_row(vrp_db *db, const vrp_sync_task *task, vrp_sync_status status)
{
	vrp_recording_remote *state = NULL;
	if (task->recording_id == 0)
		return 0;
	int rc = vrp_recording_remote_repo_get_variant(db, task->recording_id, task->remote,
						       task->variant, &state);
	if (rc == 0 && state->sync_status != VRP_SYNC_SYNCED)
		rc = vrp_recording_remote_repo_set_status_variant(
			db, task->recording_id, task->remote, task->variant, status, NULL, NULL);
	vrp_recording_remote_free(state);
	return rc == VRP_ENOTFOUND ? 0 : rc;
}

struct change {
	int64_t id;
	bool cancel;
};

static int change_txn(vrp_db *db, void *arg)
{
	const struct change *c = arg;
	vrp_sync_task *task = NULL;
	int rc = c->cancel ? vrp_sync_task_repo_cancel(db, c->id, NULL)
			   : vrp_sync_task_repo_retry(db, c->id, NULL);
	if (rc == 0)
		rc = vrp_sync_task_repo_get_by_id(db, c->id, &task);
	if (rc == 0)
		rc = set_row(db, task, c->cancel ? VRP_SYNC_UNSYNCED : VRP_SYNC_QUEUED);
	vrp_sync_task_free(task);
	return rc;
}

int vrp_sync_queue_retry(vrp_library *lib, int64_t id)
{
	struct change c = { id, false };
	return vrp_db_transaction(vrp_library_db(lib), change_txn, &c);
}

int vrp_sync_queue_cancel(vrp_library *lib, int64_t id)
{
	struct change c = { id, true };
	return vrp_db_transaction(vrp_library_db(lib), change_txn, &c);
}

int vrp_sync_queue_retry_failed(vrp_library *lib, const char *remote, int64_t *count)
{
	if (count)
		*count = 0;
	vrp_sync_task_list *failed = NULL;
	int rc = vrp_sync_queue_list(lib, 1u << VRP_SYNC_TASK_FAILED, remote, 0, 1 << 30, &failed);
	for (size_t i = 0; rc == 0 && i < failed->count; i++) {
		rc = vrp_sync_queue_retry(lib, failed->items[i]->id);
		/* A newer live task already does this work: nothing to requeue. */
		if (rc == VRP_EEXISTS)
			rc = 0;
		else if (rc == 0 && count)
			(*count)++;
	}
	vrp_sync_task_list_free(failed);
	return rc;
}

/* The tasks of one recording in `states`, one page of the queue at a time. */
static int change_recording(vrp_library *lib, int64_t recording_id, const char *remote, bool cancel,
			    int64_t *count)
{
	unsigned states = cancel ? 1u << VRP_SYNC_TASK_QUEUED | 1u << VRP_SYNC_TASK_RUNNING
				 : 1u << VRP_SYNC_TASK_FAILED | 1u << VRP_SYNC_TASK_CANCELLED;
	int64_t changed = 0, after = 0;
	int rc = 0;
	for (bool more = true; rc == 0 && more;) {
		vrp_sync_task_list *page = NULL;
		rc = vrp_sync_queue_list(lib, states, remote, after, 500, &page);
		more = rc == 0 && page->count == 500;
		for (size_t i = 0; rc == 0 && i < page->count; i++) {
			const vrp_sync_task *t = page->items[i];
			after = t->id;
			if (t->recording_id != recording_id)
				continue;
			rc = cancel ? vrp_sync_queue_cancel(lib, t->id)
				    : vrp_sync_queue_retry(lib, t->id);
			/* A newer live task already does this work: nothing to requeue. */
			if (rc == VRP_EEXISTS)
				rc = 0;
			else if (rc == 0)
				changed++;
		}
		vrp_sync_task_list_free(page);
	}
	if (count)
		*count = changed;
	if (rc == 0 && changed == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "recording %lld has no %s task%s%s%s",
				   (long long)recording_id,
				   cancel ? "queued or running" : "failed or cancelled",
				   remote ? " on remote \"" : "", remote ? remote : "",
				   remote ? "\"" : "");
	return rc;
}

int vrp_sync_queue_retry_recording(vrp_library *lib, int64_t recording_id, const char *remote,
				   int64_t *count)
{
	return change_recording(lib, recording_id, remote, false, count);
}

int vrp_sync_queue_cancel_recording(vrp_library *lib, int64_t recording_id, const char *remote,
				    int64_t *count)
{
	return change_recording(lib, recording_id, remote, true, count);
}
