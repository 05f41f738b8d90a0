/*
 * sync_pull.c - vrp_sync_pull(): objects another device uploaded, downloaded
 * into tmp/ and imported through the importer, then mapped to the remote.
 */
#include "vrp/reconcile.h"
#include "core/durable.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"
#include "db/metrics_repo.h"
#include "vrp/metrics.h"
#include "services/audit.h"
#include "core/fsutil.h"
#include "core/ptrarray.h"
#include "core/log.h"
#include "core/clock.h"
#include "core/hash.h"
#include "core/uuid.h"
#include "db/purge_tombstone_repo.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "services/recording_meta.h"
#include "services/sync_mapped.h"
#include "services/sync_pull_fetch.h"
#include "services/sync_pull_name.h"
#include "vrp/import.h"
#include "vrp/remotes.h"
#include "vrp/utf8.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIST_PAGE     200
#define DEFAULT_JOBS  4
#define MAX_JOBS      16
#define PROGRESS_MS   200
#define SOURCE_PREFIX "cloud:"

static const char *const status_names[] = { "pulled", "duplicate", "rejected", "purged",
					    "compressed" };

const char *vrp_sync_pull_status_to_string(vrp_sync_pull_status status)
{
	if ((unsigned)status >= sizeof(status_names) / sizeof(*status_names))
		return NULL;
	return status_names[status];
}

struct pull {
	vrp_library *lib;
	vrp_db *db;
	const char *remote;
	vrp_provider *provider;
	struct sync_mapped mapped;
	vrp_importer *importer;
	vrp_import_options options;
	char source[96];                  /* the ingest_source: "cloud:<remote>" */
	char *tmpdir;                     /* <library>/tmp/pull-<uuid>.<pid>: downloads land here */
	const vrp_remote_object *current; /* the object being imported */
	const char *current_metadata;     /* its kept metadata (JSON), or NULL */
	struct pull_fetcher *fetcher;
	int jobs;
	vrp_sync_pull_progress_fn progress;
	vrp_sync_pull_progress counts;
	int64_t progress_at; /* when progress was last reported (ms) */
	bool failed;         /* a run-level failure: the downloads under way are given up */
	char *next_cursor;   /* where the change feed stood at the end of this pull's listing */
	int rc;              /* a failure inside the importer's callback */
	bool reported;       /* the importer reported the current object */
	vrp_sync_pull_fn fn;
	void *ctx;
	vrp_sync_pull_summary *summary;
	/* Compressed copies, seen after every original is in (see pull_compressed). */
	vrp_remote_object **deferred;
	size_t deferred_count, deferred_capacity;
};

static void report(struct pull *p, vrp_sync_pull_item *item)
{
	vrp_sync_pull_summary *s = p->summary;
	s->pulled += item->status == VRP_SYNC_PULL_PULLED;
	s->duplicates += item->status == VRP_SYNC_PULL_DUPLICATE;
	s->rejected += item->status == VRP_SYNC_PULL_REJECTED;
	s->purged += item->status == VRP_SYNC_PULL_PURGED;
	s->compressed += item->status == VRP_SYNC_PULL_COMPRESSED;
	item->remote = p->remote;
	p->counts.done++;
	VRP_LOG(item->code ? VRP_LOG_LEVEL_WARNING : VRP_LOG_LEVEL_INFO, "sync",
		json_pack("{s:s, s:s, s:o, s:I}", "remote", p->remote, "outcome",
			  vrp_sync_pull_status_to_string(item->status), "path",
			  vrp_log_titled_path(item->remote_path), "recording_id",
			  (json_int_t)item->recording_id),
		"pull: %s%s%s", vrp_sync_pull_status_to_string(item->status),
		item->message ? ": " : "", item->message ? item->message : "");
	if (p->fn)
		p->fn(p->ctx, item);
}

/* The recording's row on the remote now points at the object it came from. */
static int map_to_object(struct pull *p, int64_t recording_id, const vrp_remote_object *o)
{
	int rc = vrp_recording_remote_repo_ensure(p->db, recording_id, p->remote, NULL);
	if (rc == 0)
		rc = vrp_recording_remote_repo_mark_synced(
			p->db, recording_id, p->remote,
			&(struct vrp_remote_mark){ o->remote_id, o->path, o->etag, o->checksum,
						   "download+sha256", NULL, 0 });
	return rc;
}

/* A recording fetched from a remote is a security-relevant transfer like an upload. */
static int audit_download(struct pull *p, int64_t recording_id, const vrp_remote_object *o)
{
	return vrp_audit_record_json(p->db, "download", recording_id, p->remote, true,
				     json_pack("{s:I}", "bytes", (json_int_t)o->size));
}

/* A duplicate's recording takes the object as its copy unless it has or is getting its own. */
static int adopt(struct pull *p, int64_t recording_id, const vrp_remote_object *o)
{
	vrp_recording_remote *row = NULL;
	int rc = vrp_recording_remote_repo_get(p->db, recording_id, p->remote, &row);
	bool free_slot = rc == VRP_ENOTFOUND || (rc == 0 && row->sync_status == VRP_SYNC_UNSYNCED);
	vrp_recording_remote_free(row);
	if (rc < 0 && rc != VRP_ENOTFOUND)
		return rc;
	return free_slot ? map_to_object(p, recording_id, o) : 0;
}

static void on_import(void *ctx, const vrp_import_result *r)
{
	struct pull *p = ctx;
	const vrp_remote_object *o = p->current;
	p->reported = true;
	vrp_sync_pull_item item = {
		.remote_path = o->path,
		.recording_id = r->id,
		.bytes = r->bytes,
	};
	if (r->status == VRP_IMPORT_IMPORTED) {
		item.status = VRP_SYNC_PULL_PULLED;
		item.uuid = r->uuid;
		p->rc = map_to_object(p, r->id, o);
		if (p->rc == 0)
			p->rc = audit_download(p, r->id, o);
	} else if (r->status == VRP_IMPORT_DUPLICATE) {
		item.status = VRP_SYNC_PULL_DUPLICATE;
		p->rc = adopt(p, r->id, o);
	} else {
		item.status = VRP_SYNC_PULL_REJECTED;
		item.code = r->error;
		item.message = r->error_message;
	}
	report(p, &item);
}

static void reject(struct pull *p, const vrp_remote_object *o, int code)
{
	vrp_sync_pull_item item = {
		.status = VRP_SYNC_PULL_REJECTED,
		.remote_path = o->path,
		.bytes = o->size,
		.code = code,
		.message = vrp_error_last()->message,
	};
	report(p, &item);
}

static void skip_purged(struct pull *p, const vrp_remote_object *o)
{
	vrp_sync_pull_item item = {
		.status = VRP_SYNC_PULL_PURGED,
		.remote_path = o->path,
		.bytes = o->size,
	};
	report(p, &item);
}

/*
 * Content purged here stays purged: the tombstone of a download's sha256
 * (the listing had none) skips it, unless the content was imported again
 * since (the importer then finds it a duplicate).
 */
static int purged_content(struct pull *p, const char *local, bool *out)
{
	char sha256[VRP_SHA256_HEX_LEN];
	vrp_recording *known = NULL;
	int rc = vrp_sha256_file(local, sha256);
	if (rc == 0)
		rc = vrp_recording_repo_get_by_checksum(p->db, sha256, &known);
	vrp_recording_free(known);
	if (rc == VRP_ENOTFOUND)
		return vrp_purge_tombstone_repo_exists(p->db, sha256, out);
	return rc;
}

/* Imports the downloaded file; a failure only this object's is reported as its rejection. */
static int import_object(struct pull *p, const vrp_remote_object *o, const char *local,
			 const char *metadata)
{
	p->summary->bytes += o->size;
	p->current = o;
	p->current_metadata = metadata;
	p->rc = 0;
	p->reported = false;
	int rc = vrp_importer_add(p->importer, local);
	if (rc == 0)
		rc = vrp_importer_flush(p->importer);
	if (rc == 0)
		rc = p->rc;
	p->current = NULL;
	p->current_metadata = NULL;
	if (rc < 0 && !sync_run_failure(rc)) {
		if (!p->reported)
			reject(p, o, rc);
		rc = 0;
	}
	return rc;
}

/*
 * What another device gave the recording, kept with the object: applied to
 * the new row before it is written. Metadata of other content (a stale
 * sidecar) is left out, never fatal: the file is the recording.
 */
static int describe(void *ctx, const char *path, vrp_recording *rec)
{
	(void)path;
	struct pull *p = ctx;
	if (!p->current_metadata)
		return 0;
	int rc = recording_meta_apply(p->current_metadata, rec);
	if (rc == VRP_EINVAL) {
		VRP_LOG_WARNING("sync",
				json_pack("{s:s, s:o}", "remote", p->remote, "path",
					  vrp_log_titled_path(p->current->path)),
				"pull: the metadata kept with an object is not used: %s",
				vrp_error_last()->message);
		rc = 0;
	}
	return rc;
}

/* A finished download: imported, or skipped as purged, or reported as rejected. */
static int settle(struct pull *p, struct pull_fetched *f)
{
	const vrp_remote_object *o = f->object;
	p->counts.in_flight--;
	if (f->rc == VRP_ECANCELLED && p->failed)
		return 0; /* given up after another's run-level failure */
	/* Cancelled because a later download failed for the run: that failure stops it. */
	int why = f->rc == VRP_ECANCELLED ? pull_fetcher_failure(p->fetcher) : 0;
	if (why < 0)
		return why;
	if (f->rc < 0 && sync_run_failure(f->rc))
		return vrp_error_set(f->rc, "%s", f->message ? f->message : "");
	if (f->rc < 0) {
		vrp_error_set(f->rc, "%s", f->message ? f->message : "");
		reject(p, o, f->rc);
		return 0;
	}
	bool purged = false;
	int rc = vrp_metrics_repo_increment(p->db, VRP_METRIC_BYTES_DOWNLOADED, o->size, NULL);
	/* A listed sha256 was looked up before the download; any other only now. */
	if (rc == 0 && !f->listed)
		rc = purged_content(p, f->local, &purged);
	if (rc == 0 && purged)
		skip_purged(p, o);
	else if (rc == 0)
		rc = import_object(p, o, f->local, f->metadata);
	return rc;
}

static void report_progress(struct pull *p, bool force)
{
	int64_t now = vrp_time_now_ms();
	if (!p->progress || (!force && now - p->progress_at < PROGRESS_MS))
		return;
	p->progress_at = now;
	p->counts.bytes = p->fetcher ? pull_fetcher_bytes(p->fetcher) : 0;
	p->progress(p->ctx, &p->counts);
}

/* Settles finished downloads: all of them with `all`, else while the queue is full. */
static int drain(struct pull *p, bool all)
{
	int rc = 0;
	while (rc == 0 && pull_fetcher_pending(p->fetcher) &&
	       (all || pull_fetcher_full(p->fetcher))) {
		struct pull_fetched *f = pull_fetcher_take(p->fetcher, PROGRESS_MS);
		if (f)
			rc = settle(p, f);
		pull_fetched_free(f);
		report_progress(p, false);
	}
	/* What finished meanwhile, without waiting: imports keep pace with downloads. */
	struct pull_fetched *f = NULL;
	while (rc == 0 && (f = pull_fetcher_take(p->fetcher, 0))) {
		rc = settle(p, f);
		pull_fetched_free(f);
	}
	if (rc < 0) {
		p->failed = true;
		pull_fetcher_cancel(p->fetcher);
	}
	return rc;
}

static int fetch(struct pull *p, const vrp_remote_object *o, const char *sha256)
{
	char *name = sync_pull_local_name(o->path);
	int rc = name ? pull_fetcher_submit(p->fetcher, o, sha256, name) : vrp_error_oom();
	free(name);
	if (rc == 0)
		p->counts.in_flight++;
	return rc == 0 ? drain(p, false) : rc;
}

static int report_duplicate(struct pull *p, const vrp_remote_object *o, int64_t recording_id)
{
	int rc = adopt(p, recording_id, o);
	if (rc == 0)
		report(p, &(vrp_sync_pull_item){ .status = VRP_SYNC_PULL_DUPLICATE,
						 .remote_path = o->path,
						 .recording_id = recording_id,
						 .bytes = o->size });
	return rc;
}

/* The row of recording `id`'s compressed copy now points at `o`, unless it has its own. */
static int map_compressed(struct pull *p, int64_t id, const vrp_remote_object *o, bool *mapped)
{
	vrp_recording_remote *row = NULL;
	int rc = vrp_recording_remote_repo_ensure_variant(p->db, id, p->remote,
							  VRP_VARIANT_COMPRESSED, &row);
	*mapped = rc == 0 && row->sync_status == VRP_SYNC_UNSYNCED;
	vrp_recording_remote_free(row);
	const char *sha256 =
		o->checksum_kind == VRP_CHECKSUM_SHA256 && o->checksum ? o->checksum : NULL;
	/* Only a listed sha256 says what the object holds; without one the next
	 * sync sends the library's own copy over it. */
	if (rc == 0 && *mapped)
		rc = vrp_recording_remote_repo_mark_synced_variant(
			p->db, id, p->remote, VRP_VARIANT_COMPRESSED,
			&(struct vrp_remote_mark){ o->remote_id, o->path, o->etag, o->checksum,
						   NULL, sha256, o->size });
	return rc;
}

/*
 * The recording a compressed copy belongs to: the one whose original this
 * library maps to the copy's name without ".opus" (a recording pulled from
 * another device has a uuid of its own here), else the one whose uuid the
 * name carries. VRP_ENOTFOUND when neither is here.
 */
static int owner_of(struct pull *p, const vrp_remote_object *o, int64_t *id)
{
	char short_uuid[9];
	vrp_remote_name_is_compressed(o->path, short_uuid);
	size_t len = strlen(o->path) - strlen("." VRP_REMOTE_COMPRESSED_EXTENSION);
	char *original = strndup(o->path, len);
	if (!original)
		return vrp_error_oom();
	const struct sync_mapped_row *row =
		sync_mapped_find(&p->mapped, &(vrp_remote_object){ .path = original });
	free(original);
	if (row && row->variant == VRP_VARIANT_ORIGINAL) {
		*id = row->recording_id;
		return 0;
	}
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_uuid_prefix(p->db, short_uuid, &rec);
	if (rc == 0)
		*id = rec->id;
	vrp_recording_free(rec);
	return rc;
}

/*
 * An object named as a compressed copy ("... 6256b0cd.wav.opus") is never
 * imported: a lossy copy is not a recording, and its original is what a
 * library keeps. It is mapped back to its recording when that is here.
 */
static int pull_compressed(struct pull *p, const vrp_remote_object *o)
{
	int64_t id = 0;
	bool mapped = false;
	int rc = owner_of(p, o, &id);
	if (rc == 0)
		rc = map_compressed(p, id, o, &mapped);
	char message[200];
	if (rc == VRP_ENOTFOUND) {
		rc = 0;
		snprintf(message, sizeof(message),
			 "skipped: the compressed copy of a recording that is not in this "
			 "library (pull imports originals only)");
	} else if (rc == 0) {
		snprintf(message, sizeof(message),
			 mapped ? "the compressed copy of recording %lld: mapped to it"
				: "skipped: recording %lld has its own compressed copy there",
			 (long long)id);
	}
	if (rc == 0)
		report(p, &(vrp_sync_pull_item){ .status = VRP_SYNC_PULL_COMPRESSED,
						 .remote_path = o->path,
						 .recording_id = id,
						 .bytes = o->size,
						 .message = message });
	return rc;
}

/* Keeps what pull_compressed needs of a listed object for after the listing. */
static int defer(struct pull *p, const vrp_remote_object *o)
{
	int rc = vrp_ptr_array_reserve(&p->deferred, &p->deferred_capacity, p->deferred_count + 1);
	vrp_remote_object *copy = rc == 0 ? calloc(1, sizeof(*copy)) : NULL;
	if (rc == 0 && !copy)
		rc = vrp_error_oom();
	if (rc < 0)
		return rc;
	p->deferred[p->deferred_count++] = copy;
	copy->size = o->size;
	copy->checksum_kind = o->checksum_kind;
	char *const *from[] = { &o->path, &o->remote_id, &o->etag, &o->checksum };
	char **to[] = { &copy->path, &copy->remote_id, &copy->etag, &copy->checksum };
	for (size_t i = 0; i < sizeof(to) / sizeof(*to); i++)
		if (*from[i] && !(*to[i] = strdup(*from[i])))
			return vrp_error_oom();
	return 0;
}

/* The copies, once every original the listing had is pulled and mapped. */
static int pull_deferred(struct pull *p)
{
	sync_mapped_clear(&p->mapped);
	int rc = sync_mapped_load(p->db, p->remote, &p->mapped);
	for (size_t i = 0; rc == 0 && i < p->deferred_count; i++)
		rc = pull_compressed(p, p->deferred[i]);
	return rc;
}

/*
 * A purge wins over a remote copy: an object a queued delete names is
 * skipped before anything else (even if the same content was imported
 * again since, the object is on its way out), then known content is a
 * duplicate, then a tombstone skips purged content.
 */
static int pull_object(void *ctx, const vrp_remote_object *o)
{
	struct pull *p = ctx;
	p->counts.listed++;
	if (sync_mapped_find(&p->mapped, o)) {
		p->summary->skipped++;
		p->counts.done++;
		return 0;
	}
	char short_uuid[9];
	if (o->path && vrp_remote_name_is_compressed(o->path, short_uuid))
		return defer(p, o);
	const char *sha256 =
		o->checksum_kind == VRP_CHECKSUM_SHA256 && o->checksum ? o->checksum : NULL;
	vrp_recording *known = NULL;
	bool purged = false;
	int rc = vrp_purge_tombstone_repo_delete_pending(p->db, p->remote, o->remote_id, o->path,
							 &purged);
	if (rc == 0 && !purged && sha256) {
		rc = vrp_recording_repo_get_by_checksum(p->db, sha256, &known);
		if (rc == VRP_ENOTFOUND)
			rc = vrp_purge_tombstone_repo_exists(p->db, sha256, &purged);
	}
	if (rc == 0 && purged)
		skip_purged(p, o);
	else if (rc == 0 && known)
		rc = report_duplicate(p, o, known->id);
	else if (rc == 0)
		rc = fetch(p, o, sha256);
	vrp_recording_free(known);
	report_progress(p, false);
	return rc;
}

/* The pid in "pull-<uuid>.<pid>", or 0 (an older vrp's folder, which has none). */
static pid_t pull_dir_owner(const char *name)
{
	const char *dot = strrchr(name, '.');
	char *end = NULL;
	long pid = dot ? strtol(dot + 1, &end, 10) : 0;
	return pid > 0 && pid <= INT32_MAX && end && *end == '\0' ? (pid_t)pid : 0;
}

/* `depth` 1: the pull's folder holds one folder per download (see sync_pull_fetch.c). */
static void remove_pull_dir(int tmp_fd, const char *name, int depth)
{
	int fd = openat(tmp_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		struct stat st;
		bool dir = e->d_type == DT_DIR ||
			   (e->d_type == DT_UNKNOWN &&
			    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISDIR(st.st_mode));
		if (dir && depth > 0)
			remove_pull_dir(dirfd(d), e->d_name, depth - 1);
		else
			vrp_durable_unlinkat(dirfd(d), e->d_name, 0);
	}
	if (d)
		closedir(d);
	else if (fd >= 0)
		close(fd);
	unlinkat(tmp_fd, name, AT_REMOVEDIR);
}

/*
 * A pull killed mid-download leaves its folder (and a partial download) in
 * tmp/; the next pull removes those whose process is gone. A live pull's
 * folder is left alone: two pulls may run at once.
 */
static void sweep_pull_dirs(struct pull *p)
{
	char *tmp = vrp_library_path(p->lib, "tmp");
	DIR *d = tmp ? opendir(tmp) : NULL;
	struct dirent *e;
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, "pull-", 5) != 0)
			continue;
		pid_t owner = pull_dir_owner(e->d_name);
		if (owner == getpid() || (owner && (kill(owner, 0) == 0 || errno == EPERM)))
			continue;
		remove_pull_dir(dirfd(d), e->d_name, 1);
	}
	if (d)
		closedir(d);
	free(tmp);
}

static int make_tmpdir(struct pull *p)
{
	char uuid[VRP_UUID_LEN], rel[80];
	int rc = vrp_uuid_v4(uuid);
	if (rc < 0)
		return rc;
	sweep_pull_dirs(p);
	snprintf(rel, sizeof(rel), "tmp/pull-%s.%ld", uuid, (long)getpid());
	if (!(p->tmpdir = vrp_library_path(p->lib, rel)))
		return vrp_error_oom();
	if (mkdir(p->tmpdir, 0700) != 0) {
		rc = vrp_error_from_errno(errno, "cannot create %s", p->tmpdir);
		free(p->tmpdir);
		p->tmpdir = NULL;
	}
	return rc;
}

/* The change feed's pages from `cursor` on; `*feed` false when the remote has none. */
static int each_change(struct pull *p, const char *cursor, bool *feed)
{
	char *token = NULL;
	int rc = 0;
	do {
		vrp_remote_page *page = NULL;
		rc = vrp_provider_list_changes(p->provider, VRP_REMOTE_APP_FOLDER, cursor, token,
					       &page);
		*feed = !(rc == VRP_ENOTSUP && !token);
		free(token);
		token = NULL;
		if (rc == 0 && page->cursor_reset)
			VRP_LOG_INFO("sync", json_pack("{s:s}", "remote", p->remote),
				     "pull: the remote's change feed started over: every object "
				     "is looked at again");
		for (size_t i = 0; rc == 0 && i < page->count; i++)
			rc = pull_object(p, page->items[i]);
		if (rc == 0 && page->next_page_token && !(token = strdup(page->next_page_token)))
			rc = vrp_error_oom();
		if (rc == 0 && !page->next_page_token && page->cursor &&
		    !(p->next_cursor = strdup(page->cursor)))
			rc = vrp_error_oom();
		vrp_remote_page_free(page);
	} while (rc == 0 && token);
	free(token);
	return rc;
}

/*
 * What the remote holds that this library may not: only what changed since
 * the last pull where the remote has a change feed (OneDrive's delta), else
 * the whole listing. The cursor moves on only once a pull settled every
 * object it was shown (see finish_cursor), so a rejected one is seen again.
 */
static int each_object(struct pull *p)
{
	char *cursor = NULL;
	bool feed = true;
	int rc = vrp_remote_repo_get_change_cursor(p->db, p->remote, &cursor);
	if (rc == 0 || rc == VRP_ENOTFOUND)
		rc = each_change(p, cursor, &feed);
	free(cursor);
	if (!feed)
		rc = sync_each_remote_object(p->provider, LIST_PAGE, pull_object, p);
	return rc;
}

static int finish_cursor(struct pull *p)
{
	if (!p->next_cursor || p->summary->rejected)
		return 0;
	int rc = vrp_remote_repo_set_change_cursor(p->db, p->remote, p->next_cursor);
	return rc == VRP_ENOTFOUND ? 0 : rc;
}

/* One provider instance per download thread: an instance serves one thread at a time. */
static int start_fetcher(struct pull *p)
{
	vrp_provider *providers[MAX_JOBS] = { 0 };
	int rc = 0;
	for (int i = 0; rc == 0 && i < p->jobs; i++)
		rc = vrp_remotes_open(p->lib, p->remote, &providers[i]);
	if (rc < 0) {
		for (int i = 0; i < p->jobs; i++)
			vrp_provider_free(providers[i]);
		return rc;
	}
	return pull_fetcher_new(&p->fetcher, providers, (size_t)p->jobs, p->tmpdir);
}

static int start(struct pull *p)
{
	snprintf(p->source, sizeof(p->source), SOURCE_PREFIX "%s", p->remote);
	p->options = (vrp_import_options){
		.ingest_source = p->source,
		.on_result = on_import,
		.describe = describe,
		.ctx = p,
		/* One file per commit (see the flush after each add): its mapping is
		 * written right after its row. */
		.batch_files = 1,
	};
	int rc = vrp_remotes_open(p->lib, p->remote, &p->provider);
	if (rc == 0)
		rc = sync_mapped_load(p->db, p->remote, &p->mapped);
	if (rc == 0)
		rc = make_tmpdir(p);
	if (rc == 0)
		rc = start_fetcher(p);
	if (rc == 0)
		rc = vrp_importer_new(&p->importer, p->lib, &p->options);
	return rc;
}

static void finish(struct pull *p)
{
	pull_fetcher_free(p->fetcher);
	for (size_t i = 0; i < p->deferred_count; i++)
		vrp_remote_object_free(p->deferred[i]);
	free(p->deferred);
	vrp_importer_free(p->importer);
	if (p->tmpdir)
		rmdir(p->tmpdir);
	free(p->tmpdir);
	sync_mapped_clear(&p->mapped);
	vrp_provider_free(p->provider);
	free(p->next_cursor);
}

int vrp_sync_pull_with(vrp_library *lib, const char *remote, const vrp_sync_pull_options *options,
		       vrp_sync_pull_summary *summary)
{
	vrp_sync_pull_summary totals = { 0 };
	if (summary)
		*summary = totals;
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "sync pull needs a remote");
	const vrp_sync_pull_options none = { 0 };
	const vrp_sync_pull_options *o = options ? options : &none;
	if (o->jobs < 0 || o->jobs > MAX_JOBS)
		return vrp_error_set(VRP_EINVAL, "a pull runs 1 to %d downloads at once, not %d",
				     MAX_JOBS, o->jobs);
	struct pull p = { .lib = lib, .db = vrp_library_db(lib), .remote = remote };
	p.fn = o->on_item;
	p.progress = o->progress;
	p.ctx = o->ctx;
	p.jobs = o->jobs ? o->jobs : DEFAULT_JOBS;
	p.summary = &totals;
	int rc = start(&p);
	if (rc == 0)
		rc = each_object(&p);
	p.counts.listing_done = rc == 0;
	if (rc == 0)
		rc = drain(&p, true);
	if (rc < 0 && p.fetcher)
		pull_fetcher_cancel(p.fetcher);
	int finished = p.importer ? vrp_importer_finish(p.importer) : 0;
	if (rc == 0)
		rc = finished;
	if (rc == 0)
		rc = pull_deferred(&p);
	if (rc == 0)
		rc = finish_cursor(&p);
	report_progress(&p, true);
	finish(&p);
	if (summary)
		*summary = totals;
	return rc;
}

int vrp_sync_pull(vrp_library *lib, const char *remote, vrp_sync_pull_fn fn, void *ctx,
		  vrp_sync_pull_summary *summary)
{
	vrp_sync_pull_options options = { .on_item = fn, .ctx = ctx };
	return vrp_sync_pull_with(lib, remote, &options, summary);
}
