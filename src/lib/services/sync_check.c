/*
 * sync_check.c - vrp_sync_check(): the catalogue's synced rows against the
 * remote's listing, and the rows set to what was found.
 */
#include "vrp/reconcile.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"
#include "core/log.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "services/sync_mapped.h"
#include "vrp/remotes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_PAGE 500

static const char *const kind_names[] = { "missing",    "extra",    "size",     "checksum",
					  "unverified", "resolved", "duplicate" };

const char *vrp_sync_check_kind_to_string(vrp_sync_check_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(*kind_names))
		return NULL;
	return kind_names[kind];
}

struct check {
	vrp_db *db;
	const char *remote;
	vrp_provider *provider;
	struct sync_mapped mapped;
	vrp_sync_check_fn fn;
	void *ctx;
	vrp_sync_check_summary *summary;
	int64_t stats_left;
	char stat_error[256]; /* why the last failed stat failed */
};

/* Only these rows claim that the remote holds their content. */
static bool claims_object(vrp_sync_status status)
{
	return status == VRP_SYNC_SYNCED || status == VRP_SYNC_CONFLICT;
}

static void report(struct check *c, vrp_sync_check_item *item)
{
	item->remote = c->remote;
	VRP_LOG(item->code ? VRP_LOG_LEVEL_WARNING : VRP_LOG_LEVEL_INFO, "sync",
		json_pack("{s:s, s:s, s:o, s:I}", "remote", c->remote, "finding",
			  vrp_sync_check_kind_to_string(item->kind), "path",
			  vrp_log_string(item->remote_path), "recording_id",
			  (json_int_t)item->recording_id),
		"check: %s", item->message);
	if (c->fn)
		c->fn(c->ctx, item);
}

/* The object's sha256: from the listing, else from a stat while the budget lasts. */
static int remote_sha256(struct check *c, const vrp_remote_object *o, vrp_remote_object **stat,
			 const char **out)
{
	*out = NULL;
	if (o->checksum && o->checksum_kind == VRP_CHECKSUM_SHA256) {
		*out = o->checksum;
		return 0;
	}
	if (c->stats_left <= 0)
		return 0;
	c->stats_left--;
	c->summary->stats++;
	int rc = vrp_provider_stat(c->provider, o->path, VRP_STAT_CHECKSUM, stat);
	if (rc == VRP_EREMOTE_NOT_FOUND)
		return 0; /* gone since the listing: the next check reports it */
	if (rc == 0 && (*stat)->checksum && (*stat)->checksum_kind == VRP_CHECKSUM_SHA256)
		*out = (*stat)->checksum;
	return rc;
}

/* A stat that failed for this object alone leaves it without a sha256: `*failed` keeps the code. */
static int object_sha256(struct check *c, const vrp_remote_object *o, vrp_remote_object **stat,
			 const char **out, int *failed)
{
	*failed = 0;
	int rc = remote_sha256(c, o, stat, out);
	if (rc < 0 && !sync_run_failure(rc)) {
		snprintf(c->stat_error, sizeof(c->stat_error), "%s", vrp_error_last()->message);
		*failed = rc;
		rc = 0;
	}
	return rc;
}

/* A finding about object `o` and recording `rec` (NULL when none); kind and code are the caller's.
 */
static vrp_sync_check_item item_for(const vrp_remote_object *o, const vrp_recording *rec,
				    const char *sha256, const char *message)
{
	return (vrp_sync_check_item){
		.remote_path = o->path,
		.recording_id = rec ? rec->id : 0,
		.message = message,
		.local_size = rec ? rec->filesize_bytes : -1,
		.remote_size = o->size,
		.local_sha256 = rec ? rec->checksum : NULL,
		.remote_checksum = sha256 ? sha256 : o->checksum,
	};
}

/* An unmapped object named as a compressed copy: whose recording, if it is in the library. */
static int compressed_of(struct check *c, const vrp_remote_object *o, vrp_recording **rec)
{
	char short_uuid[9];
	*rec = NULL;
	if (!o->path || !vrp_remote_name_is_compressed(o->path, short_uuid))
		return 0;
	int rc = vrp_recording_repo_get_by_uuid_prefix(c->db, short_uuid, rec);
	return rc == VRP_ENOTFOUND ? 0 : rc;
}

/*
 * An unmapped object: a copy of a catalogued recording (say, one a pull
 * found) or of its compressed copy, or extra.
 */
static int report_unmapped(struct check *c, const vrp_remote_object *o)
{
	vrp_remote_object *stat = NULL;
	vrp_recording *copy = NULL;
	const char *sha256 = NULL;
	int failed = 0;
	int rc = compressed_of(c, o, &copy);
	bool compressed = copy != NULL;
	if (rc == 0 && !copy)
		rc = object_sha256(c, o, &stat, &sha256, &failed);
	if (rc == 0 && sha256) {
		rc = vrp_recording_repo_get_by_checksum(c->db, sha256, &copy);
		rc = rc == VRP_ENOTFOUND ? 0 : rc;
	}
	char message[512];
	if (compressed)
		snprintf(message, sizeof(message),
			 "%s: a compressed copy of recording %lld no row maps to", o->path,
			 (long long)copy->id);
	else if (copy)
		snprintf(message, sizeof(message), "%s: a copy of recording %lld no row maps to",
			 o->path, (long long)copy->id);
	else
		snprintf(message, sizeof(message), "%s: no recording maps to this object", o->path);
	vrp_sync_check_item item = item_for(o, copy, sha256, message);
	if (compressed) {
		item.local_size = -1;
		item.local_sha256 = NULL;
	}
	item.kind = copy ? VRP_SYNC_CHECK_DUPLICATE : VRP_SYNC_CHECK_EXTRA;
	item.code = copy ? 0 : VRP_ECONFLICT;
	if (rc == 0) {
		c->summary->duplicates += copy != NULL;
		c->summary->extra += copy == NULL;
		report(c, &item);
	}
	vrp_recording_free(copy);
	vrp_remote_object_free(stat);
	return rc;
}

/*
 * Counts the finding and sets the row to it; 1 when the row is simply in
 * step (nothing to report).
 */
static int record(struct check *c, const struct sync_mapped_row *row, const vrp_recording *rec,
		  const vrp_remote_object *o, vrp_sync_check_item *item)
{
	switch (item->kind) {
	case VRP_SYNC_CHECK_UNVERIFIED:
		c->summary->unverified++;
		return 0;
	case VRP_SYNC_CHECK_RESOLVED:
		c->summary->matched++;
		if (row->status != VRP_SYNC_CONFLICT)
			return 1;
		return vrp_recording_remote_repo_mark_synced_variant(
			c->db, rec->id, c->remote, row->variant,
			&(struct vrp_remote_mark){ o->remote_id, o->path, o->etag,
						   item->remote_checksum, "check+sha256",
						   row->content_sha256, row->content_size });
	case VRP_SYNC_CHECK_SIZE:
		item->code = VRP_ECONFLICT;
		c->summary->size_mismatch++;
		break;
	default:
		item->code = VRP_ECHECKSUM;
		c->summary->checksum_mismatch++;
		break;
	}
	return vrp_recording_remote_repo_set_status_variant(
		c->db, rec->id, c->remote, row->variant, VRP_SYNC_CONFLICT,
		vrp_error_code_name(item->code), item->message);
}

/* `want_sha256` NULL: what the object should hold is not known (nothing to compare). */
static vrp_sync_check_kind kind_of(int64_t want_size, const char *want_sha256,
				   const vrp_remote_object *o, const char *sha256)
{
	if (o->size != want_size)
		return VRP_SYNC_CHECK_SIZE;
	if (!sha256 || !want_sha256)
		return VRP_SYNC_CHECK_UNVERIFIED;
	return strcmp(sha256, want_sha256) ? VRP_SYNC_CHECK_CHECKSUM : VRP_SYNC_CHECK_RESOLVED;
}

/* `stat_error`: why a stat failed, so that the sha256 could not be had; NULL when none did. */
static void describe(vrp_sync_check_item *item, char *message, size_t len, const char *stat_error)
{
	const char *path = item->remote_path;
	if (item->kind == VRP_SYNC_CHECK_SIZE)
		snprintf(message, len, "%s: %lld bytes on the remote, %lld in the library", path,
			 (long long)item->remote_size, (long long)item->local_size);
	else if (item->kind == VRP_SYNC_CHECK_CHECKSUM)
		snprintf(message, len, "%s: sha256 %.12s... on the remote, %.12s... in the library",
			 path, item->remote_checksum, item->local_sha256);
	else if (item->kind == VRP_SYNC_CHECK_UNVERIFIED && stat_error)
		snprintf(message, len, "%s: same size, its sha256 could not be had: %s", path,
			 stat_error);
	else if (item->kind == VRP_SYNC_CHECK_UNVERIFIED)
		snprintf(message, len, "%s: same size, no sha256 available to compare", path);
	else
		snprintf(message, len, "%s: matches the library again", path);
}

/*
 * A remote that reports no sha256 (OneDrive's QuickXorHash, an md5 only):
 * its checksum equal to the one recorded when the upload was verified
 * against this recording's bytes says the copy is unchanged since.
 */
static bool same_as_verified(const struct sync_mapped_row *row, const vrp_remote_object *o)
{
	return o->checksum && o->checksum_kind != VRP_CHECKSUM_SHA256 && row->remote_checksum &&
	       !strcmp(o->checksum, row->remote_checksum);
}

static int compare(struct check *c, const struct sync_mapped_row *row, const vrp_remote_object *o)
{
	vrp_recording *rec = NULL;
	vrp_remote_object *stat = NULL;
	const char *sha256 = NULL;
	int failed = 0;
	int rc = vrp_recording_repo_get_by_id(c->db, row->recording_id, &rec);
	/* A compressed object holds the Opus copy the row recorded, not the recording. */
	bool compressed = row->variant == VRP_VARIANT_COMPRESSED;
	int64_t want_size = rc < 0 ? -1 : compressed ? row->content_size : rec->filesize_bytes;
	const char *want_sha256 = rc < 0 ? NULL : compressed ? row->content_sha256 : rec->checksum;
	if (rc == 0 && o->size == want_size)
		rc = object_sha256(c, o, &stat, &sha256, &failed);
	char message[512] = "";
	vrp_sync_check_item item = item_for(o, rec, sha256, message);
	item.local_size = want_size;
	item.local_sha256 = want_sha256;
	/* The message is written first: a conflict row keeps it as its error_message. */
	if (rc == 0) {
		item.kind = kind_of(want_size, want_sha256, o, sha256);
		if (item.kind == VRP_SYNC_CHECK_UNVERIFIED && same_as_verified(row, o))
			item.kind = VRP_SYNC_CHECK_RESOLVED;
		describe(&item, message, sizeof(message), failed ? c->stat_error : NULL);
		rc = record(c, row, rec, o, &item);
		item.code = item.code ? item.code : failed;
	}
	if (rc == 0)
		report(c, &item);
	vrp_remote_object_free(stat);
	vrp_recording_free(rec);
	return rc < 0 ? rc : 0;
}

static int check_object(void *ctx, const vrp_remote_object *o)
{
	struct check *c = ctx;
	c->summary->objects++;
	struct sync_mapped_row *row = sync_mapped_find(&c->mapped, o);
	if (!row)
		return report_unmapped(c, o);
	row->seen = true;
	return claims_object(row->status) ? compare(c, row, o) : 0;
}

/* Rows that claim an object the listing did not have: unsynced, so the next sync uploads. */
static int report_missing(struct check *c)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < c->mapped.count; i++) {
		const struct sync_mapped_row *row = &c->mapped.rows[i];
		if (row->seen || !claims_object(row->status))
			continue;
		char message[512];
		snprintf(message, sizeof(message), "%s: not on the remote (recording %lld)",
			 row->remote_path, (long long)row->recording_id);
		vrp_sync_check_item item = {
			.kind = VRP_SYNC_CHECK_MISSING,
			.remote_path = row->remote_path,
			.recording_id = row->recording_id,
			.code = VRP_EREMOTE_NOT_FOUND,
			.message = message,
			.local_size = -1,
			.remote_size = -1,
		};
		c->summary->missing++;
		rc = vrp_recording_remote_repo_clear_mapping_variant(c->db, row->recording_id,
								     c->remote, row->variant);
		if (rc == 0)
			report(c, &item);
	}
	return rc;
}

static int check_remote(vrp_library *lib, const char *remote, struct check *c)
{
	c->remote = remote;
	c->stats_left = VRP_SYNC_CHECK_MAX_STATS;
	int rc = vrp_remotes_open(lib, remote, &c->provider);
	if (rc == 0)
		rc = sync_mapped_load(c->db, remote, &c->mapped);
	if (rc == 0)
		rc = sync_each_remote_object(c->provider, LIST_PAGE, check_object, c);
	if (rc == 0)
		rc = report_missing(c);
	if (rc == 0)
		c->summary->remotes++;
	sync_mapped_clear(&c->mapped);
	vrp_provider_free(c->provider);
	c->provider = NULL;
	return rc;
}

int vrp_sync_check(vrp_library *lib, const char *remote, vrp_sync_check_fn fn, void *ctx,
		   vrp_sync_check_summary *summary)
{
	vrp_sync_check_summary totals = { 0 };
	struct check c = { .db = vrp_library_db(lib), .fn = fn, .ctx = ctx, .summary = &totals };
	vrp_remote_list *remotes = NULL;
	int rc = 0;
	if (remote) {
		vrp_remote *one = NULL;
		rc = vrp_remote_repo_get_by_name(c.db, remote, &one);
		vrp_remote_free(one);
		if (rc == 0)
			rc = check_remote(lib, remote, &c);
	} else {
		rc = vrp_remote_repo_list(c.db, &remotes);
		for (size_t i = 0; rc == 0 && i < remotes->count; i++)
			rc = check_remote(lib, remotes->items[i]->name, &c);
	}
	vrp_remote_list_free(remotes);
	if (summary)
		*summary = totals;
	return rc;
}
