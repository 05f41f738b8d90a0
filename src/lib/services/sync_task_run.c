/*
 * sync_task_run.c - one task from claim to outcome: for an upload the
 * idempotency check and the transfer with lease renewal and resume state;
 * for a delete the provider call. What a failure does is in sync_task_fail.c.
 */
#include "services/sync_task_ctx.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"
#include "core/hash.h"
#include "core/log.h"
#include "db/derived_asset_repo.h"
#include "db/metrics_repo.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"
#include "services/audit.h"
#include "services/recording_meta.h"
#include "vrp/derive.h"

#include <errno.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_compressed(const struct task_ctx *t)
{
	return t->task->variant == VRP_VARIANT_COMPRESSED;
}

void sync_task_event_init(const struct task_ctx *t, vrp_sync_event *e, vrp_sync_event_kind kind)
{
	*e = (vrp_sync_event){
		.kind = kind,
		.task_id = t->task->id,
		.recording_id = t->task->recording_id,
		.remote = t->task->remote,
		.remote_path = t->remote_path,
		.attempt = t->task->attempts,
		.bytes_done = t->bytes_done,
		.bytes_total = t->rec ? t->size : 0,
		.retry_after_ms = -1,
		.now_ms = sync_now_ms(t->w->run),
	};
}

/* ---- success ---- */

static int metric_add(vrp_db *db, const char *name, int64_t delta)
{
	return vrp_metrics_repo_increment(db, name, delta, NULL);
}

/* Bounds of the latency histogram's buckets, in ms: a second to a day. */
static const int64_t latency_bounds[] = { 1000, 10000, 60000, 600000, 3600000, 86400000 };

/* Cumulative buckets, as Prometheus has them: every bucket the latency fits in counts it. */
static int observe_latency(vrp_db *db, int64_t latency)
{
	char name[64];
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < sizeof(latency_bounds) / sizeof(*latency_bounds); i++) {
		if (latency > latency_bounds[i])
			continue;
		snprintf(name, sizeof(name), VRP_METRIC_SYNC_LATENCY_BUCKET_PREFIX "%lld",
			 (long long)latency_bounds[i]);
		rc = metric_add(db, name, 1);
	}
	if (rc == 0)
		rc = metric_add(db, VRP_METRIC_SYNC_LATENCY_BUCKET_PREFIX "inf", 1);
	return rc;
}

/*
 * The recording was purged while its upload ran (its row went with it): a
 * purge wins, so what the upload wrote is queued for deletion like any
 * purged copy, in the transaction that finishes the upload task.
 */
static int purged_txn(vrp_db *db, struct task_ctx *t, const char *now)
{
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(db, t->rec->id, &rec);
	vrp_recording_free(rec);
	/* Only the row is gone (not a purge): mark_synced's VRP_ENOTFOUND stands. */
	if (rc == 0)
		return VRP_ENOTFOUND;
	if (rc != VRP_ENOTFOUND)
		return rc;
	const char *id = t->object->remote_id ? t->object->remote_id : t->remote_path;
	char key[600];
	snprintf(key, sizeof(key), "delete:%s", id);
	vrp_sync_task_request request = {
		.op = VRP_SYNC_OP_DELETE,
		.remote = t->task->remote,
		.idempotency_key = key,
		.correlation_id = vrp_correlation_current(),
		.remote_id = id,
		.remote_path = t->remote_path,
	};
	rc = vrp_sync_task_repo_enqueue(db, &request, now, NULL, NULL);
	if (rc == 0)
		rc = vrp_sync_task_repo_complete(db, t->task->id, t->w->owner, now);
	t->purged = rc == 0;
	return rc;
}

static int success_txn(vrp_db *db, void *arg)
{
	struct task_ctx *t = arg;
	const vrp_remote_object *o = t->object;
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(t->w->run, now);
	struct vrp_remote_mark mark = { o->remote_id,    t->remote_path,
					o->etag,         o->checksum,
					o->verification, is_compressed(t) ? t->sha256 : NULL,
					t->size };
	/* Found already there by its sha256: that comparison is the verification. */
	if (!t->uploaded || !mark.verification)
		mark.verification = o->checksum_kind == VRP_CHECKSUM_SHA256 ? "sha256" : NULL;
	int rc = vrp_recording_remote_repo_mark_synced_variant(db, t->rec->id, t->task->remote,
							       t->task->variant, &mark);
	if (rc == VRP_ENOTFOUND)
		return purged_txn(db, t, now);
	if (rc == 0)
		rc = vrp_sync_task_repo_complete(db, t->task->id, t->w->owner, now);
	if (rc == 0)
		rc = vrp_audit_record_json(
			db, "upload", t->rec->id, t->task->remote, true,
			json_pack("{s:I, s:b, s:s}", "bytes", (json_int_t)t->size, "uploaded",
				  t->uploaded, "variant",
				  vrp_upload_variant_to_string(t->task->variant)));
	int64_t created = vrp_time_parse_iso(t->task->created_at);
	if (rc == 0 && t->uploaded)
		rc = metric_add(db, VRP_METRIC_BYTES_UPLOADED, t->size);
	if (rc == 0 && t->uploaded)
		rc = metric_add(db, VRP_METRIC_UPLOADS_SUCCEEDED, 1);
	if (rc == 0 && created >= 0) {
		int64_t latency = sync_now_ms(t->w->run) - created;
		rc = metric_add(db, VRP_METRIC_SYNC_LATENCY_MS_TOTAL, latency > 0 ? latency : 0);
		if (rc == 0)
			rc = metric_add(db, VRP_METRIC_SYNC_LATENCY_COUNT, 1);
		if (rc == 0)
			rc = observe_latency(db, latency);
	}
	return rc;
}

/* Committed flushed, with the worker's unflushed bookkeeping before it (sync_worker.c). */
static int flushed_transaction(vrp_db *db, vrp_db_txn_fn fn, void *ctx)
{
	int rc = vrp_db_set_flush_commits(db, true);
	if (rc == 0)
		rc = vrp_db_transaction(db, fn, ctx);
	int unset = vrp_db_set_flush_commits(db, false);
	return rc < 0 ? rc : unset;
}

static int succeed(struct task_ctx *t)
{
	int rc = flushed_transaction(t->db, success_txn, t);
	if (rc == VRP_ECONFLICT) {
		/* Another worker took the task over; it will find the object and finish. */
		VRP_LOG_WARNING("sync", NULL, "lost the lease on task %lld",
				(long long)t->task->id);
		return 0;
	}
	if (rc < 0)
		return rc;
	if (t->purged) {
		VRP_LOG_INFO("sync",
			     json_pack("{s:I, s:s}", "recording_id", (json_int_t)t->rec->id,
				       "remote", t->task->remote),
			     "recording %lld was purged during its upload; the copy is queued "
			     "for deletion",
			     (long long)t->rec->id);
		return 0;
	}
	vrp_sync_event e;
	sync_task_event_init(t, &e, t->uploaded ? VRP_SYNC_EVENT_SYNCED : VRP_SYNC_EVENT_ALREADY);
	e.bytes_done = e.bytes_total;
	sync_emit(t->w->run, &e);
	VRP_LOG_INFO("sync",
		     json_pack("{s:I, s:s, s:o}", "recording_id", (json_int_t)t->rec->id, "remote",
			       t->task->remote, "path", vrp_log_titled_path(t->remote_path)),
		     "%s", t->uploaded ? "uploaded" : "already on the remote");
	return 0;
}

/* ---- the transfer ---- */

static const char *extension_of(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;
	return dot && dot[1] ? dot + 1 : NULL;
}

static int build_path(struct task_ctx *t)
{
	if (t->task->remote_path)
		return (t->remote_path = strdup(t->task->remote_path)) ? 0 : vrp_error_oom();
	const vrp_recording *r = t->rec;
	/* The Opus copy sits beside the original as "<its name>.opus" ("memo
	 * 6256b0cd.wav.opus"): never the original's name, even for an Opus
	 * recording, and `sync pull` can tell it from a recording. */
	struct vrp_remote_name_parts parts = {
		.created_at = r->created_at,
		.title = r->title,
		.original_filename = r->original_filename,
		.uuid = r->uuid,
		.extension = extension_of(r->stored_filename),
		.suffix = is_compressed(t) ? VRP_REMOTE_COMPRESSED_EXTENSION : NULL,
	};
	return vrp_remote_name_build(&parts, &t->remote_path);
}

/*
 * The idempotency check: an object at our path with the recording's size and
 * sha256 is the upload a crash kept us from recording. An object we cannot
 * vouch for (no sha256, other size) is replaced by the upload.
 */
static int already_there(struct task_ctx *t, vrp_provider *p, bool *found)
{
	*found = false;
	vrp_remote_object *o = NULL;
	int rc = vrp_provider_stat(p, t->remote_path, VRP_STAT_CHECKSUM, &o);
	if (rc == VRP_EREMOTE_NOT_FOUND)
		return 0;
	if (rc < 0)
		return rc;
	*found = o->size == t->size && o->checksum_kind == VRP_CHECKSUM_SHA256 && o->checksum &&
		 strcmp(o->checksum, t->sha256) == 0;
	if (*found)
		t->object = o;
	else
		vrp_remote_object_free(o);
	return 0;
}

/*
 * A copy that was synced once and lost its mapping since was found missing
 * or other than the recording (verify --remote, sync check): the remote's
 * word about what sits at the path is what failed, so it is replaced.
 */
static int replacing_bad_copy(struct task_ctx *t, bool *replacing)
{
	vrp_recording_remote *row = NULL;
	int rc = vrp_recording_remote_repo_get_variant(t->db, t->rec->id, t->task->remote,
						       t->task->variant, &row);
	*replacing = rc == 0 && row->last_synced_at && !row->remote_path;
	vrp_recording_remote_free(row);
	return rc;
}

/* Renews the lease as bytes flow, and stops the transfer when asked to or when the lease is gone.
 */
static int on_progress(void *ctx, int64_t done, int64_t total)
{
	struct task_ctx *t = ctx;
	struct sync_run *run = t->w->run;
	(void)total;
	t->bytes_done = done;
	int64_t now = sync_now_ms(run);
	if (now - t->last_renew_ms >= run->opt.lease_ms / 3) {
		char iso[VRP_TIME_ISO_LEN];
		vrp_time_format_iso(now, iso);
		int rc = vrp_sync_task_repo_renew_lease(t->db, t->task->id, t->w->owner,
							run->opt.lease_ms, iso);
		if (rc == VRP_ECONFLICT)
			t->lease_lost = true;
		if (rc == 0)
			t->last_renew_ms = now;
	}
	vrp_sync_event e;
	sync_task_event_init(t, &e, VRP_SYNC_EVENT_PROGRESS);
	sync_emit(run, &e);
	return t->lease_lost || sync_stopping(run);
}

/* Persists a provider's resume state while the upload runs, so a killed worker resumes. */
static int on_checkpoint(void *ctx, const char *resume_state)
{
	struct task_ctx *t = ctx;
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(t->w->run, now);
	int rc = vrp_sync_task_repo_save_resume_state(t->db, t->task->id, t->w->owner, resume_state,
						      now);
	if (rc < 0)
		VRP_LOG(VRP_LOG_LEVEL_WARNING, "sync",
			json_pack("{s:I, s:s}", "task", (json_int_t)t->task->id, "code",
				  vrp_error_code_name(rc)),
			"cannot keep the upload's resume state: %s", vrp_error_last()->message);
	return rc;
}

/* Before the run's first operation on a remote: is it there at all (an unplugged disk)? */
static int reach_remote(struct task_ctx *t, vrp_provider *p)
{
	struct sync_run *run = t->w->run;
	if (sync_remote_reachable(run, t->task->remote))
		return 0;
	int rc = vrp_provider_probe(p);
	if (rc == 0 && sync_remote_reached(run, t->task->remote))
		VRP_LOG_INFO("sync", json_pack("{s:s}", "remote", t->task->remote),
			     "the remote can be reached again");
	return rc;
}

/*
 * Whether the local file fails its own checksum. Sending it again cannot
 * help, so the caller fails the upload for good instead of retrying what
 * looked like damage in transit; the file is marked corrupt as verify would.
 */
static int check_local_file(struct task_ctx *t, const char *local, int rc)
{
	char sha256[VRP_SHA256_HEX_LEN];
	if (vrp_sha256_file(local, sha256) < 0 || strcmp(sha256, t->rec->checksum) == 0)
		return rc;
	int marked =
		vrp_recording_repo_set_integrity(t->db, t->rec->id, VRP_INTEGRITY_CORRUPT, NULL);
	if (marked < 0)
		VRP_LOG_WARNING("sync", NULL, "cannot mark recording %lld corrupt: %s",
				(long long)t->rec->id, vrp_error_last()->message);
	return vrp_error_set(
		VRP_ECORRUPT_MEDIA,
		"the local file of recording %lld is damaged (its sha256 is %s, the "
		"catalogue says %s): `vrp verify --fix` restores it from a verified remote copy",
		(long long)t->rec->id, sha256, t->rec->checksum);
}

static int upload(struct task_ctx *t, vrp_provider *p, bool replace, char **resume_state)
{
	char *local = vrp_library_path(t->w->lib, t->local_rel);
	if (!local)
		return vrp_error_oom();
	/* Only an original is ever pulled back as a recording: its copy needs none. */
	char *doc = is_compressed(t) ? NULL : recording_meta_json(t->rec);
	if (!is_compressed(t) && !doc) {
		free(local);
		return VRP_ENOMEM;
	}
	vrp_kv metadata[] = { { "uuid", t->rec->uuid },
			      { "sha256", t->sha256 },
			      { "variant", vrp_upload_variant_to_string(t->task->variant) } };
	vrp_upload_request request = {
		.local_path = local,
		.remote_path = t->remote_path,
		.sha256 = t->sha256,
		.metadata = metadata,
		.metadata_count = is_compressed(t) ? 3 : 2,
		.resume_state = t->task->resume_state,
		.progress = on_progress,
		.progress_ctx = t,
		.checkpoint = on_checkpoint,
		.replace = replace,
		.metadata_json = doc,
	};
	/* Marked corrupt by verify: refused unless the file was repaired since. (An
	 * Opus copy was hashed just now, and made from audio that decoded.) */
	int rc = t->rec->integrity == VRP_INTEGRITY_CORRUPT && !is_compressed(t)
			 ? check_local_file(t, local, 0)
			 : 0;
	if (rc == 0) {
		t->uploaded = true;
		rc = metric_add(t->db, VRP_METRIC_UPLOADS_ATTEMPTED, 1);
	}
	if (rc == 0)
		rc = vrp_provider_upload(p, &request, &t->object, resume_state);
	if (rc == VRP_ECHECKSUM && !is_compressed(t))
		rc = check_local_file(t, local, rc);
	free(doc);
	free(local);
	return rc;
}

static int load_recording(struct task_ctx *t)
{
	if (t->task->op != VRP_SYNC_OP_UPLOAD)
		return vrp_error_set(VRP_ENOTSUP, "sync task %lld: %s tasks are not supported yet",
				     (long long)t->task->id, vrp_sync_op_to_string(t->task->op));
	if (t->task->recording_id == 0)
		return vrp_error_set(VRP_ENOTFOUND, "sync task %lld has no recording (purged)",
				     (long long)t->task->id);
	int rc = vrp_recording_repo_get_by_id(t->db, t->task->recording_id, &t->rec);
	if (rc == 0 && t->rec->status == VRP_RECORDING_DELETED)
		rc = vrp_error_set(VRP_EINVAL, "recording %lld was deleted after it was queued",
				   (long long)t->rec->id);
	if (rc == 0 && t->rec->offloaded_at)
		rc = vrp_error_set(
			VRP_EINVAL,
			"recording %lld was offloaded after it was queued: `vrp get %lld`, "
			"then sync again",
			(long long)t->rec->id, (long long)t->rec->id);
	if (rc == 0)
		rc = vrp_recording_remote_repo_ensure_variant(t->db, t->rec->id, t->task->remote,
							      t->task->variant, NULL);
	if (rc == 0)
		rc = vrp_recording_remote_repo_set_status_variant(t->db, t->rec->id,
								  t->task->remote, t->task->variant,
								  VRP_SYNC_SYNCING, NULL, NULL);
	return rc;
}

/*
 * The recording's Opus copy, made first when it is missing or stale (so
 * what goes up is what `vrp derive` would make now), and hashed: the upload
 * is verified against the copy's own sha256, which the row then keeps.
 */
static int load_compressed(struct task_ctx *t)
{
	vrp_derived_asset *asset = NULL;
	int rc = vrp_derive(t->w->lib, t->rec->id, VRP_DERIVE_KIND(VRP_DERIVED_COMPRESSED), false,
			    NULL);
	if (rc == 0)
		rc = vrp_derived_asset_repo_get(t->db, t->rec->id, VRP_DERIVED_COMPRESSED, &asset);
	char *path = rc == 0 ? vrp_library_path(t->w->lib, asset->path) : NULL;
	if (rc == 0 && !path)
		rc = vrp_error_oom();
	struct stat st;
	if (rc == 0)
		rc = vrp_sha256_file(path, t->sha256);
	if (rc == 0 && stat(path, &st) != 0)
		rc = vrp_error_from_errno(errno, "cannot read %s", path);
	if (rc == 0) {
		t->size = st.st_size;
		t->local_rel = asset->path;
		asset->path = NULL;
	}
	if (rc < 0)
		vrp_error_set_context("the compressed copy of recording %lld",
				      (long long)t->rec->id);
	free(path);
	vrp_derived_asset_free(asset);
	return rc;
}

static int load_payload(struct task_ctx *t)
{
	if (is_compressed(t))
		return load_compressed(t);
	if (!(t->local_rel = strdup(t->rec->local_path)))
		return vrp_error_oom();
	snprintf(t->sha256, sizeof(t->sha256), "%s", t->rec->checksum);
	t->size = t->rec->filesize_bytes;
	return 0;
}

/* Everything up to the outcome; `*resume_state` may receive the provider's. */
static int transfer(struct task_ctx *t, char **resume_state)
{
	vrp_provider *p = NULL;
	int rc = load_recording(t);
	if (rc < 0 || !t->rec)
		return rc < 0 ? rc : VRP_ERROR;
	rc = load_payload(t);
	if (rc == 0)
		rc = build_path(t);
	if (rc == 0) {
		vrp_sync_event e;
		sync_task_event_init(t, &e, VRP_SYNC_EVENT_STARTED);
		sync_emit(t->w->run, &e);
		rc = sync_worker_provider(t->w, t->task->remote, &p);
	}
	if (rc == 0)
		rc = reach_remote(t, p);
	bool found = false, replacing = false;
	if (rc == 0)
		rc = replacing_bad_copy(t, &replacing);
	if (rc == 0 && !replacing)
		rc = already_there(t, p, &found);
	if (rc == 0 && !found)
		rc = upload(t, p, replacing, resume_state);
	return rc;
}

/* ---- delete tasks ---- */

static int delete_done_txn(vrp_db *db, void *arg)
{
	struct task_ctx *t = arg;
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(t->w->run, now);
	int rc = vrp_sync_task_repo_complete(db, t->task->id, t->w->owner, now);
	if (rc == 0)
		rc = vrp_audit_record_json(db, "remote_delete", t->task->recording_id,
					   t->task->remote, true,
					   json_pack("{s:I}", "task", (json_int_t)t->task->id));
	return rc;
}

/* Removes the object the task names; one that is already gone is as good as removed. */
static int delete_object(struct task_ctx *t)
{
	const char *id = t->task->remote_id ? t->task->remote_id : t->task->remote_path;
	if (!id)
		return vrp_error_set(VRP_EINVAL, "delete task %lld names no remote object",
				     (long long)t->task->id);
	if (!(t->remote_path = strdup(t->task->remote_path ? t->task->remote_path : id)))
		return vrp_error_oom();
	vrp_sync_event e;
	sync_task_event_init(t, &e, VRP_SYNC_EVENT_STARTED);
	sync_emit(t->w->run, &e);
	vrp_provider *p = NULL;
	int rc = sync_worker_provider(t->w, t->task->remote, &p);
	if (rc == 0)
		rc = reach_remote(t, p);
	if (rc == 0)
		rc = vrp_provider_delete(p, id);
	return rc == VRP_EREMOTE_NOT_FOUND ? 0 : rc;
}

static int succeed_delete(struct task_ctx *t)
{
	int rc = flushed_transaction(t->db, delete_done_txn, t);
	if (rc == VRP_ECONFLICT)
		return 0;
	if (rc < 0)
		return rc;
	vrp_sync_event e;
	sync_task_event_init(t, &e, VRP_SYNC_EVENT_DELETED);
	sync_emit(t->w->run, &e);
	VRP_LOG_INFO("sync",
		     json_pack("{s:s, s:o}", "remote", t->task->remote, "path",
			       vrp_log_titled_path(t->remote_path)),
		     "deleted the remote copy of a purged recording");
	return 0;
}

/* A failure of the database itself stops the thread; any other is the task's. */
static bool is_database_failure(int code)
{
	return code == VRP_EDB || code == VRP_ECORRUPTDB || code == VRP_ENOTADB ||
	       code == VRP_EREADONLY || code == VRP_ENOMEM;
}

/*
 * An upload whose recording was purged after it was claimed once (a retry,
 * or a worker that died): nothing is left to upload, which is no failure.
 */
static int cancel_purged_upload(struct task_ctx *t)
{
	char now[VRP_TIME_ISO_LEN];
	sync_now_iso(t->w->run, now);
	int rc = vrp_sync_task_repo_cancel(t->db, t->task->id, now);
	if (rc == 0)
		VRP_LOG_INFO("sync",
			     json_pack("{s:I, s:s}", "task", (json_int_t)t->task->id, "remote",
				       t->task->remote),
			     "upload task %lld cancelled: its recording was purged",
			     (long long)t->task->id);
	return rc;
}

int sync_task_run(struct sync_worker *w, vrp_sync_task *task)
{
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, task->correlation_id);
	struct task_ctx t = { .w = w, .db = vrp_library_db(w->lib), .task = task };
	t.last_renew_ms = sync_now_ms(w->run);
	char *resume_state = NULL;
	bool deleting = task->op == VRP_SYNC_OP_DELETE;
	if (task->op == VRP_SYNC_OP_UPLOAD && task->recording_id == 0) {
		int rc = cancel_purged_upload(&t);
		vrp_correlation_leave(&scope);
		return rc;
	}
	int rc = deleting ? delete_object(&t) : transfer(&t, &resume_state);
	if (rc == 0)
		rc = deleting ? succeed_delete(&t) : succeed(&t);
	else if (!is_database_failure(rc) || t.uploaded)
		rc = sync_task_fail(&t, rc, resume_state);
	else
		free(resume_state);
	vrp_remote_object_free(t.object);
	vrp_recording_free(t.rec);
	free(t.remote_path);
	free(t.local_rel);
	vrp_correlation_leave(&scope);
	return rc;
}
