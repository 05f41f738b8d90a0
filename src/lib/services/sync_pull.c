/*
 * sync_pull.c - vrp_sync_pull(): objects another device uploaded, downloaded
 * into tmp/ and imported through the importer, then mapped to the remote.
 */
#include "vrp/reconcile.h"

#include "core/error_set.h"
#include "db/metrics_repo.h"
#include "vrp/metrics.h"
#include "services/audit.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/uuid.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "services/sync_mapped.h"
#include "vrp/import.h"
#include "vrp/remotes.h"

#include <errno.h>
#include <stdio.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LIST_PAGE     200
#define SHORT_UUID    8
#define SOURCE_PREFIX "cloud:"

static const char *const status_names[] = { "pulled", "duplicate", "rejected" };

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
	char *tmpdir;                     /* <library>/tmp/pull-<uuid>: downloads land here */
	const vrp_remote_object *current; /* the object being imported */
	int rc;                           /* a failure inside the importer's callback */
	vrp_sync_pull_fn fn;
	void *ctx;
	vrp_sync_pull_summary *summary;
};

static void report(struct pull *p, vrp_sync_pull_item *item)
{
	vrp_sync_pull_summary *s = p->summary;
	s->pulled += item->status == VRP_SYNC_PULL_PULLED;
	s->duplicates += item->status == VRP_SYNC_PULL_DUPLICATE;
	s->rejected += item->status == VRP_SYNC_PULL_REJECTED;
	item->remote = p->remote;
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
						   "download+sha256" });
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

/*
 * The local name of a pulled object: its remote name without the short uuid
 * vrp added ("memo 6256b0cd.flac" -> "memo.flac"), so the new recording's
 * title and original name are the ones the other device had.
 */
static char *local_name(const char *remote_path)
{
	const char *base = strrchr(remote_path, '/');
	base = base ? base + 1 : remote_path;
	const char *dot = strrchr(base, '.');
	size_t stem = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	bool tagged = stem > SHORT_UUID + 1 && base[stem - SHORT_UUID - 1] == ' ';
	for (size_t i = stem - SHORT_UUID; tagged && i < stem; i++)
		tagged = (base[i] >= '0' && base[i] <= '9') || (base[i] >= 'a' && base[i] <= 'f');
	if (!tagged)
		return strdup(base);
	size_t keep = stem - SHORT_UUID - 1;
	char *name = malloc(strlen(base) + 1);
	if (name)
		snprintf(name, strlen(base) + 1, "%.*s%s", (int)keep, base, base + stem);
	return name;
}

/* Remote failures of one object are that object's; anything else stops the pull. */
static bool object_failure(int code)
{
	return code == VRP_ECHECKSUM || code == VRP_EREMOTE_NOT_FOUND || code == VRP_EPERMANENT ||
	       code == VRP_ETRANSIENT || code == VRP_ERATE_LIMIT || code == VRP_ENOTFILE;
}

static int fetch_and_import(struct pull *p, const vrp_remote_object *o, const char *sha256)
{
	char *name = local_name(o->path);
	char *local = name ? vrp_path_join(p->tmpdir, name) : NULL;
	free(name);
	if (!local)
		return vrp_error_oom();
	vrp_download_request request = {
		.remote_id = o->remote_id,
		.local_path = local,
		.expected_sha256 = sha256,
	};
	int rc = vrp_provider_download(p->provider, &request);
	if (rc == 0)
		rc = vrp_metrics_repo_increment(p->db, VRP_METRIC_BYTES_DOWNLOADED, o->size, NULL);
	if (rc == 0) {
		p->summary->bytes += o->size;
		p->current = o;
		p->rc = 0;
		rc = vrp_importer_add(p->importer, local);
		if (rc == 0)
			rc = vrp_importer_flush(p->importer);
		if (rc == 0)
			rc = p->rc;
		p->current = NULL;
		unlink(local);
	} else if (object_failure(rc)) {
		reject(p, o, rc);
		rc = 0;
	}
	free(local);
	return rc;
}

static int pull_object(void *ctx, const vrp_remote_object *o)
{
	struct pull *p = ctx;
	if (sync_mapped_find(&p->mapped, o->path)) {
		p->summary->skipped++;
		return 0;
	}
	const char *sha256 =
		o->checksum_kind == VRP_CHECKSUM_SHA256 && o->checksum ? o->checksum : NULL;
	vrp_recording *known = NULL;
	int rc = sha256 ? vrp_recording_repo_get_by_checksum(p->db, sha256, &known) : VRP_ENOTFOUND;
	if (rc == VRP_ENOTFOUND)
		return fetch_and_import(p, o, sha256);
	if (rc == 0)
		rc = adopt(p, known->id, o);
	if (rc == 0) {
		vrp_sync_pull_item item = { .status = VRP_SYNC_PULL_DUPLICATE,
					    .remote_path = o->path,
					    .recording_id = known->id,
					    .bytes = o->size };
		report(p, &item);
	}
	vrp_recording_free(known);
	return rc;
}

static int make_tmpdir(struct pull *p)
{
	char uuid[VRP_UUID_LEN], rel[64];
	int rc = vrp_uuid_v4(uuid);
	if (rc < 0)
		return rc;
	snprintf(rel, sizeof(rel), "tmp/pull-%s", uuid);
	if (!(p->tmpdir = vrp_library_path(p->lib, rel)))
		return vrp_error_oom();
	if (mkdir(p->tmpdir, 0700) != 0) {
		rc = vrp_error_from_errno(errno, "cannot create %s", p->tmpdir);
		free(p->tmpdir);
		p->tmpdir = NULL;
	}
	return rc;
}

static int start(struct pull *p)
{
	snprintf(p->source, sizeof(p->source), SOURCE_PREFIX "%s", p->remote);
	p->options = (vrp_import_options){
		.ingest_source = p->source,
		.on_result = on_import,
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
		rc = vrp_importer_new(&p->importer, p->lib, &p->options);
	return rc;
}

int vrp_sync_pull(vrp_library *lib, const char *remote, vrp_sync_pull_fn fn, void *ctx,
		  vrp_sync_pull_summary *summary)
{
	vrp_sync_pull_summary totals = { 0 };
	if (summary)
		*summary = totals;
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "sync pull needs a remote");
	struct pull p = { .lib = lib, .db = vrp_library_db(lib), .remote = remote };
	p.fn = fn;
	p.ctx = ctx;
	p.summary = &totals;
	int rc = start(&p);
	if (rc == 0)
		rc = sync_each_remote_object(p.provider, LIST_PAGE, pull_object, &p);
	int finished = p.importer ? vrp_importer_finish(p.importer) : 0;
	if (rc == 0)
		rc = finished;
	vrp_importer_free(p.importer);
	if (p.tmpdir)
		rmdir(p.tmpdir);
	free(p.tmpdir);
	sync_mapped_clear(&p.mapped);
	vrp_provider_free(p.provider);
	if (summary)
		*summary = totals;
	return rc;
}
