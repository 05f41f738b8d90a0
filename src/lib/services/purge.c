/* purge.c - remove a recording's row (audited), then its files. */
#include "vrp/purge.h"

#include "core/error_set.h"
#include "core/log.h"
#include "db/derived_asset_repo.h"
#include "db/purge_tombstone_repo.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"
#include "services/audit.h"
#include "services/copies.h"
#include "services/purge_files.h"
#include "vrp/remotes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct purge_ctx {
	vrp_library *lib;
	const vrp_recording *rec;
	char **derived; /* the assets' paths, NULL-terminated, listed by delete_row */
};

/* Whether the remote's provider deletes into a trash (opening it needs no network). */
static bool has_trash(vrp_library *lib, const char *remote)
{
	vrp_provider *p = NULL;
	vrp_provider_capabilities *caps = NULL;
	bool trash = vrp_remotes_open(lib, remote, &p) == 0 &&
		     vrp_provider_capabilities_get(p, &caps) == 0 && caps->trash;
	vrp_provider_capabilities_free(caps);
	vrp_provider_free(p);
	return trash;
}

/*
 * The remote's delete_policy: true for "purge", and for "trash" where the
 * provider has one (the provider then deletes into it). "keep" (the
 * default) and "trash" without a trash leave the object: keeping is the
 * choice that loses nothing. A config that cannot be read keeps too.
 */
static bool policy_purges(vrp_library *lib, const char *remote)
{
	char *policy = NULL;
	int rc = vrp_remotes_setting(lib, remote, "delete_policy", &policy);
	bool purge = rc == 0 && (strcmp(policy, "purge") == 0 ||
				 (strcmp(policy, "trash") == 0 && has_trash(lib, remote)));
	if (rc == 0 && strcmp(policy, "trash") == 0 && !purge)
		VRP_LOG_INFO("purge", json_pack("{s:s}", "remote", remote),
			     "remote %s: delete_policy trash is not supported by its provider; the "
			     "remote copy is kept",
			     remote);
	else if (rc < 0 && rc != VRP_ENOTFOUND)
		VRP_LOG_WARNING("purge", json_pack("{s:s}", "remote", remote),
				"remote %s: cannot read its delete_policy (%s); the remote copy is "
				"kept",
				remote, vrp_error_last()->message);
	free(policy);
	return purge;
}

/*
 * A delete task per remote whose policy says so. The task carries the
 * object's id and path: once the row is gone (the task's recording_id
 * becomes NULL with it) they are all that is left to find the object by.
 */
static int enqueue_remote_deletes(vrp_library *lib, vrp_db *db, const vrp_recording *rec)
{
	vrp_recording_remote_list *rows = NULL;
	int rc = vrp_recording_remote_repo_list_for_recording(db, rec->id, &rows);
	for (size_t i = 0; rc == 0 && i < rows->count; i++) {
		const vrp_recording_remote *row = rows->items[i];
		const char *id = row->remote_id ? row->remote_id : row->remote_path;
		if (!id || !policy_purges(lib, row->remote))
			continue;
		char key[600];
		snprintf(key, sizeof(key), "delete:%s", id);
		vrp_sync_task_request request = {
			.op = VRP_SYNC_OP_DELETE,
			.recording_id = rec->id,
			.remote = row->remote,
			.idempotency_key = key,
			.correlation_id = vrp_correlation_current(),
			.remote_id = id,
			.remote_path = row->remote_path,
		};
		rc = vrp_sync_task_repo_enqueue(db, &request, NULL, NULL, NULL);
	}
	vrp_recording_remote_list_free(rows);
	return rc;
}

/*
 * A queued upload of a purged recording can only fail: it is cancelled with
 * the purge. A running one is left to finish; it sees the purge when it
 * records its result, and queues a delete of what it wrote.
 */
static int cancel_queued_uploads(vrp_db *db, int64_t recording_id)
{
	vrp_sync_task_filter filter = { .states = VRP_SYNC_TASK_STATE_BIT(VRP_SYNC_TASK_QUEUED),
					.recording_id = recording_id,
					.limit = 100 };
	int rc = 0;
	size_t got = 0;
	do {
		vrp_sync_task_list *tasks = NULL;
		rc = vrp_sync_task_repo_list(db, &filter, &tasks);
		got = rc == 0 ? tasks->count : 0;
		for (size_t i = 0; rc == 0 && i < got; i++)
			if (tasks->items[i]->op == VRP_SYNC_OP_UPLOAD)
				rc = vrp_sync_task_repo_cancel(db, tasks->items[i]->id, NULL);
		if (got)
			filter.after_id = tasks->items[got - 1]->id;
		vrp_sync_task_list_free(tasks);
	} while (rc == 0 && got == (size_t)filter.limit);
	return rc;
}

static int delete_row(vrp_db *db, void *arg)
{
	struct purge_ctx *ctx = arg;
	const vrp_recording *rec = ctx->rec;
	char meta[256];
	snprintf(meta, sizeof(meta), "{\"uuid\":\"%s\",\"checksum\":\"%s\",\"bytes\":%lld}",
		 rec->uuid, rec->checksum, (long long)rec->filesize_bytes);
	/* Queued in the purge's transaction: a purge never forgets a remote copy it must remove. */
	/* The assets are listed in the transaction, so one a derive records just
	 * before it is among the files to remove. */
	vrp_derived_asset_repo_paths_free(ctx->derived);
	ctx->derived = NULL;
	int rc = vrp_derived_asset_repo_list_paths_for_recording(db, rec->id, &ctx->derived, NULL);
	if (rc == 0)
		rc = enqueue_remote_deletes(ctx->lib, db, rec);
	/* A remote copy that outlives the row (still to delete, being uploaded, or
	 * kept by policy) must not come back with the next pull. */
	if (rc == 0)
		rc = vrp_purge_tombstone_repo_add(db, rec->checksum);
	if (rc == 0)
		rc = cancel_queued_uploads(db, rec->id);
	/* Noted with the row's end, so a purge killed before its files went still removes them. */
	if (rc == 0)
		rc = purge_files_note(db, rec->local_path, ctx->derived);
	if (rc == 0)
		rc = vrp_recording_repo_delete(db, rec->id);
	if (rc == 0)
		rc = vrp_audit_record(db, "purge", rec->id, NULL, true, meta);
	return rc;
}

static void log_purge(const vrp_recording *rec, int rc)
{
	enum vrp_log_level level = rc == 0 ? VRP_LOG_LEVEL_INFO : VRP_LOG_LEVEL_WARNING;
	if (!vrp_log_enabled(level))
		return;
	json_t *context = json_pack("{s:I, s:s, s:I}", "recording_id", (json_int_t)rec->id, "uuid",
				    rec->uuid, "bytes", (json_int_t)rec->filesize_bytes);
	if (rc == 0)
		VRP_LOG_INFO("purge", context, "purged recording %lld", (long long)rec->id);
	else
		VRP_LOG_WARNING("purge", context, "purging recording %lld failed: %s [%s]",
				(long long)rec->id, vrp_error_last()->message,
				vrp_error_code_name(rc));
}

/*
 * An offloaded recording lives on its remote copies only: a purge whose
 * delete_policy would remove them must leave offload.numcopies of them.
 */
static int check_offloaded_copies(vrp_library *lib, const vrp_recording *rec)
{
	if (!rec->offloaded_at)
		return 0;
	struct copy_policy policy;
	struct copy_tally tally;
	int rc = copy_policy_load(lib, &policy);
	if (rc == 0)
		rc = copy_tally_load(lib, &policy, rec->id, &tally);
	if (rc < 0)
		return rc;
	size_t kept = 0;
	char purged[256] = "";
	for (size_t i = 0; i < tally.rows->count; i++) {
		/* Any synced copy on a trusted remote, proven lately or not: it is the audio. */
		if (tally.standing[i] == COPY_UNTRUSTED || tally.standing[i] == COPY_NOT_SYNCED)
			continue;
		const char *remote = tally.rows->items[i]->remote;
		if (!policy_purges(lib, remote))
			kept++;
		else
			snprintf(purged + strlen(purged), sizeof(purged) - strlen(purged), "%s%s",
				 *purged ? ", " : "", remote);
	}
	if (kept < (size_t)policy.numcopies && *purged)
		rc = vrp_error_set(
			VRP_ECONFLICT,
			"recording %lld is offloaded: purging it would delete its copies "
			"on %s (delete_policy), leaving %zu of the %ld required by "
			"offload.numcopies; `vrp get %lld` first, or set delete_policy=keep",
			(long long)rec->id, purged, kept, policy.numcopies, (long long)rec->id);
	copy_tally_clear(&tally);
	return rc;
}

/*
 * A transcript a killed run left half made (services/transcript.c) is no
 * asset of the recording yet; a transcription still running removes its
 * own when it finds the recording gone. Not noted in the transaction: a
 * leftover is only an orphan, which `vrp verify --fix` removes.
 */
static void remove_transcript_journal(vrp_library *lib, const vrp_recording *rec)
{
	char relative[96];
	snprintf(relative, sizeof(relative), "derived/transcript/%s.journal", rec->uuid);
	char *path = vrp_library_path(lib, relative);
	if (path && unlink(path) != 0 && errno != ENOENT)
		VRP_LOG_WARNING("purge", json_pack("{s:I}", "recording_id", (json_int_t)rec->id),
				"cannot remove the transcript journal of recording %lld: %s",
				(long long)rec->id, strerror(errno));
	free(path);
}

static int purge_one(vrp_library *lib, const vrp_recording *rec)
{
	vrp_db *db = vrp_library_db(lib);
	int rc = check_offloaded_copies(lib, rec);
	if (rc < 0) {
		log_purge(rec, rc);
		return rc;
	}
	struct purge_ctx ctx = { lib, rec, NULL };
	rc = vrp_db_transaction(db, delete_row, &ctx);
	/* The catalogue no longer knows these files; removing them now cannot
	 * leave a row pointing at nothing. */
	if (rc == 0)
		rc = purge_files_remove(lib, rec->local_path, ctx.derived);
	if (rc == 0)
		remove_transcript_journal(lib, rec);
	vrp_derived_asset_repo_paths_free(ctx.derived);
	log_purge(rec, rc);
	return rc;
}

int vrp_purge_recording(vrp_library *lib, int64_t id)
{
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(lib), id, &rec);
	if (rc == 0)
		rc = purge_one(lib, rec);
	vrp_recording_free(rec);
	vrp_correlation_leave(&scope);
	return rc;
}

int vrp_purge_candidates(vrp_library *lib, const char *before, bool by_policy,
			 vrp_recording_list **out)
{
	int rc = vrp_recording_repo_list_deleted_before(vrp_library_db(lib), before, out);
	if (rc < 0 || !by_policy)
		return rc;
	vrp_recording_list *list = *out;
	size_t kept = 0;
	for (size_t i = 0; i < list->count; i++) {
		vrp_recording *rec = list->items[i];
		if (rec->retention_policy && !strcmp(rec->retention_policy, "keep"))
			vrp_recording_free(rec);
		else
			list->items[kept++] = rec;
	}
	list->count = kept;
	return 0;
}

int vrp_purge_deleted_before(vrp_library *lib, const char *before, bool by_policy,
			     vrp_purge_fn on_each, void *ctx, int64_t *purged)
{
	if (purged)
		*purged = 0;
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	VRP_LOG_INFO("purge",
		     json_pack("{s:s, s:b}", "deleted_before", before, "by_policy", by_policy),
		     "purge of recordings deleted before %s started", before);
	vrp_recording_list *list = NULL;
	int rc = vrp_purge_candidates(lib, before, by_policy, &list);
	for (size_t i = 0; rc == 0 && i < list->count; i++) {
		const vrp_recording *rec = list->items[i];
		int one = purge_one(lib, rec);
		if (one == 0 && purged)
			(*purged)++;
		if (on_each)
			on_each(ctx, rec, one, one ? vrp_error_last()->message : NULL);
		/* A file that would not go is reported; a database failure stops the sweep. */
		if (one < 0 && one != VRP_EPERM && one != VRP_EIO && one != VRP_EREADONLY)
			rc = one;
	}
	vrp_recording_list_free(list);
	vrp_correlation_leave(&scope);
	return rc;
}
