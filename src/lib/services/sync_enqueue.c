/* sync_enqueue.c - putting uploads on the sync queue. */
#include "vrp/sync.h"

#include "core/error_set.h"
#include "core/log.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"
#include "vrp/log.h"
#include "vrp/remotes.h"

#include <stdio.h>
#include <stdlib.h>

struct enqueue_ctx {
	int64_t recording_id;
	const char *remote;
	vrp_upload_variant variant;
	vrp_sync_task *task;
};

/* The task and the row's 'queued' are one change: a reader never sees one without the other. */
static int enqueue_txn(vrp_db *db, void *arg)
{
	struct enqueue_ctx *c = arg;
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(db, c->recording_id, &rec);
	if (rc == 0 && rec->status == VRP_RECORDING_DELETED)
		rc = vrp_error_set(VRP_EINVAL,
				   "recording %lld is deleted: restore it before syncing it",
				   (long long)c->recording_id);
	if (rc == 0 && rec->offloaded_at)
		rc = vrp_error_set(
			VRP_EINVAL,
			"recording %lld is offloaded: `vrp get %lld` brings its audio back "
			"before it can be uploaded",
			(long long)c->recording_id, (long long)c->recording_id);
	char key[128];
	if (rc == 0) {
		snprintf(key, sizeof(key), "%s%s:%lld",
			 c->variant == VRP_VARIANT_COMPRESSED ? "compressed:" : "", rec->checksum,
			 (long long)rec->filesize_bytes);
		rc = vrp_recording_remote_repo_ensure_variant(db, c->recording_id, c->remote,
							      c->variant, NULL);
	}
	if (rc == 0) {
		vrp_sync_task_request request = {
			.op = VRP_SYNC_OP_UPLOAD,
			.recording_id = c->recording_id,
			.remote = c->remote,
			.idempotency_key = key,
			.correlation_id = vrp_correlation_current(),
			.variant = c->variant,
		};
		rc = vrp_sync_task_repo_enqueue(db, &request, NULL, &c->task, NULL);
	}
	if (rc == 0)
		rc = vrp_recording_remote_repo_set_status_variant(
			db, c->recording_id, c->remote, c->variant, VRP_SYNC_QUEUED, NULL, NULL);
	vrp_recording_free(rec);
	return rc;
}

int vrp_sync_enqueue_upload(vrp_library *lib, int64_t recording_id, const char *remote,
			    vrp_sync_task **task)
{
	return vrp_sync_enqueue_upload_variant(lib, recording_id, remote, VRP_VARIANT_ORIGINAL,
					       task);
}

int vrp_sync_enqueue_upload_variant(vrp_library *lib, int64_t recording_id, const char *remote,
				    vrp_upload_variant variant, vrp_sync_task **task)
{
	if (task)
		*task = NULL;
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "no remote given");
	if (!vrp_upload_variant_to_string(variant))
		return vrp_error_set(VRP_EINVAL, "invalid upload variant %d", (int)variant);
	struct enqueue_ctx c = { .recording_id = recording_id,
				 .remote = remote,
				 .variant = variant };
	int rc = vrp_db_transaction(vrp_library_db(lib), enqueue_txn, &c);
	if (rc < 0 || !task)
		vrp_sync_task_free(c.task);
	else
		*task = c.task;
	return rc;
}

struct pending_ctx {
	vrp_library *lib;
	const char *remote; /* NULL: every remote */
	const int64_t *ids;
	size_t id_count;
	int64_t enqueued;
};

static int enqueue_one(struct pending_ctx *p, int64_t id, const char *remote,
		       vrp_upload_variant variant)
{
	int rc = vrp_sync_enqueue_upload_variant(p->lib, id, remote, variant, NULL);
	if (rc == 0)
		p->enqueued++;
	return rc;
}

/* The chosen ids that `remote` does not hold as `variant`. An unknown or
 * deleted id is queued all the same: the enqueue then says why it cannot be. */
static int enqueue_chosen(struct pending_ctx *p, vrp_db *db, const char *remote,
			  vrp_upload_variant variant)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < p->id_count; i++) {
		vrp_recording *rec = NULL;
		bool needs = true;
		rc = vrp_recording_repo_get_by_id(db, p->ids[i], &rec);
		bool deleted = rc == 0 && rec->status == VRP_RECORDING_DELETED;
		vrp_recording_free(rec);
		if (rc == 0 && !deleted)
			rc = vrp_recording_remote_repo_needs_upload(db, p->ids[i], remote, variant,
								    &needs);
		rc = rc == VRP_ENOTFOUND ? 0 : rc;
		if (rc == 0 && needs)
			rc = enqueue_one(p, p->ids[i], remote, variant);
	}
	return rc;
}

static int enqueue_variant(struct pending_ctx *p, vrp_db *db, const char *remote,
			   vrp_upload_variant variant)
{
	if (p->ids)
		return enqueue_chosen(p, db, remote, variant);
	int64_t *ids = NULL;
	size_t count = 0;
	int rc = vrp_recording_remote_repo_list_needing_upload(db, remote, variant, &ids, &count);
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = enqueue_one(p, ids[i], remote, variant);
	free(ids);
	return rc;
}

/* What the remote's upload setting names: its original, its compressed copy, or both. */
static int enqueue_for_remote(struct pending_ctx *p, vrp_db *db, const char *remote)
{
	unsigned variants = 0;
	int rc = vrp_remotes_upload_variants(p->lib, remote, &variants);
	if (rc == 0 && (variants & VRP_VARIANT_BIT(VRP_VARIANT_ORIGINAL)))
		rc = enqueue_variant(p, db, remote, VRP_VARIANT_ORIGINAL);
	if (rc == 0 && (variants & VRP_VARIANT_BIT(VRP_VARIANT_COMPRESSED)))
		rc = enqueue_variant(p, db, remote, VRP_VARIANT_COMPRESSED);
	return rc;
}

/* One transaction: a few hundred enqueues commit (and fsync) once. */
static int pending_txn(vrp_db *db, void *arg)
{
	struct pending_ctx *p = arg;
	if (p->remote)
		return enqueue_for_remote(p, db, p->remote);
	vrp_remote_list *remotes = NULL;
	int rc = vrp_remote_repo_list(db, &remotes);
	for (size_t i = 0; rc == 0 && i < remotes->count; i++)
		rc = enqueue_for_remote(p, db, remotes->items[i]->name);
	vrp_remote_list_free(remotes);
	return rc;
}

int vrp_sync_enqueue_pending(vrp_library *lib, const char *remote, const int64_t *ids,
			     size_t id_count, int64_t *enqueued)
{
	if (enqueued)
		*enqueued = 0;
	struct pending_ctx p = { lib, remote, ids, id_count, 0 };
	vrp_db *db = vrp_library_db(lib);
	int rc = 0;
	if (remote) {
		vrp_remote *found = NULL;
		rc = vrp_remote_repo_get_by_name(db, remote, &found);
		vrp_remote_free(found);
	}
	/* One correlation id for the whole enqueue (kept if the caller has one):
	 * each task carries it to the worker, so `vrp log --correlation` shows a
	 * sync from enqueue to synced. */
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	if (rc == 0)
		rc = vrp_db_transaction(db, pending_txn, &p);
	vrp_correlation_leave(&scope);
	if (rc == 0 && enqueued)
		*enqueued = p.enqueued;
	return rc;
}
