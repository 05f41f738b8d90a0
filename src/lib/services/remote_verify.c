/* remote_verify.c - proving the copies a remote holds against the catalogue's sha256. */
#include "services/remote_verify.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/retry.h"
#include "core/test_hook.h"
#include "db/recording_repo.h"
#include "db/remote_repo.h"
#include "db/verify_progress_repo.h"
#include "services/audit.h"
#include "vrp/remotes.h"
#include "vrp/sync.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 200

const char *vrp_remote_verify_finding_to_string(enum vrp_remote_verify_finding finding)
{
	static const char *const names[] = { "ok", "weak", "missing", "corrupt", "error" };
	return (unsigned)finding < sizeof(names) / sizeof(*names) ? names[finding] : NULL;
}

/* A failure that says nothing about this copy but about reaching the remote at all. */
static bool concerns_remote(int code)
{
	return code == VRP_EUNAVAILABLE || code == VRP_EAUTH_EXPIRED || code == VRP_EAUTH ||
	       code == VRP_ERATE_LIMIT || code == VRP_EDB || code == VRP_ENOMEM;
}

__attribute__((format(printf, 5, 6))) static void
set_finding(struct copy_check *out, enum vrp_remote_verify_finding finding, const char *method,
	    int error, const char *fmt, ...)
{
	out->finding = finding;
	out->method = method;
	out->error = error;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
}

/*
 * Hashes a download of the copy. One that arrives other than `expected`, or
 * that the provider saw damaged on the way, is downloaded again (a few
 * times in all): the same wrong sha256 twice is what the remote holds.
 */
static int download_sha256(vrp_provider *p, const vrp_recording_remote *row, const char *expected,
			   char sha256[VRP_SHA256_HEX_LEN])
{
	const char *id = row->remote_id ? row->remote_id : row->remote_path;
	char previous[VRP_SHA256_HEX_LEN] = "";
	int rc = 0;
	for (int attempt = 1; attempt <= VRP_RETRY_INTEGRITY_ATTEMPTS; attempt++) {
		int64_t bytes = 0;
		rc = vrp_provider_download_sha256(p, id, sha256, &bytes);
		if ((rc == 0 && (!strcmp(sha256, expected) || !strcmp(sha256, previous))) ||
		    (rc < 0 && rc != VRP_ECHECKSUM))
			break;
		VRP_LOG_WARNING("verify",
				json_pack("{s:s, s:I, s:i}", "remote", row->remote, "recording_id",
					  (json_int_t)row->recording_id, "attempt", attempt),
				"remote %s: a download of %s arrived other than the catalogue's "
				"bytes: %s",
				row->remote, row->remote_path,
				rc < 0 ? vrp_error_last()->message : sha256);
		if (rc == 0)
			memcpy(previous, sha256, sizeof(previous));
	}
	return rc;
}

/* The sha256 the copy has, by the strongest means there is; NULL `*method` when none. */
static int copy_sha256(vrp_provider *p, const vrp_recording_remote *row, const vrp_remote_object *o,
		       bool download, const char *expected, char sha256[VRP_SHA256_HEX_LEN],
		       const char **method)
{
	*method = NULL;
	if (!download && o->checksum && o->checksum_kind == VRP_CHECKSUM_SHA256) {
		snprintf(sha256, VRP_SHA256_HEX_LEN, "%s", o->checksum);
		*method = "provider-hash";
		return 0;
	}
	if (!download)
		return 0;
	int rc = download_sha256(p, row, expected, sha256);
	if (rc == 0)
		*method = "download";
	return rc;
}

/*
 * A hash other than sha256 (OneDrive's QuickXorHash) proves the copy when it
 * is the one recorded as the upload was checked against the recording's bytes.
 */
static bool same_as_uploaded(const vrp_recording_remote *row, const vrp_remote_object *o)
{
	return o->checksum && o->checksum_kind != VRP_CHECKSUM_SHA256 && row->remote_checksum &&
	       !strcmp(o->checksum, row->remote_checksum);
}

static void judge(const vrp_recording *rec, const vrp_recording_remote *row,
		  const vrp_remote_object *o, const char *sha256, const char *method,
		  struct copy_check *out)
{
	char detail[160];
	if (o->size != rec->filesize_bytes) {
		snprintf(detail, sizeof(detail), "%lld bytes there, %lld in the catalogue",
			 (long long)o->size, (long long)rec->filesize_bytes);
		set_finding(out, VRP_REMOTE_VERIFY_CORRUPT, NULL, VRP_ECHECKSUM, "%s: %s",
			    row->remote_path, detail);
	} else if (method && strcmp(sha256, rec->checksum)) {
		snprintf(detail, sizeof(detail),
			 "sha256 %.12s... there (%s), %.12s... in the catalogue", sha256, method,
			 rec->checksum);
		set_finding(out, VRP_REMOTE_VERIFY_CORRUPT, NULL, VRP_ECHECKSUM, "%s: %s",
			    row->remote_path, detail);
	} else if (method) {
		set_finding(out, VRP_REMOTE_VERIFY_OK, method, 0, "%s: sha256 matches (%s)",
			    row->remote_path, method);
	} else if (same_as_uploaded(row, o)) {
		set_finding(out, VRP_REMOTE_VERIFY_OK, "provider-hash", 0,
			    "%s: the remote's %s is the one checked at upload", row->remote_path,
			    vrp_checksum_kind_to_string(o->checksum_kind));
	} else if (o->checksum && row->remote_checksum && o->checksum_kind != VRP_CHECKSUM_SHA256) {
		set_finding(out, VRP_REMOTE_VERIFY_CORRUPT, NULL, VRP_ECHECKSUM,
			    "%s: the remote's %s changed since the upload was checked",
			    row->remote_path, vrp_checksum_kind_to_string(o->checksum_kind));
	} else {
		set_finding(out, VRP_REMOTE_VERIFY_WEAK, "size", 0,
			    "%s: same size, no hash to compare (weaker; --download proves it)",
			    row->remote_path);
	}
}

/* A copy that is not the recording's: forgotten, and sent again when the audio is here. */
static int requeue(vrp_library *lib, const vrp_recording *rec, const char *remote,
		   struct copy_check *out)
{
	vrp_db *db = vrp_library_db(lib);
	int rc = vrp_recording_remote_repo_clear_mapping(db, rec->id, remote);
	if (rc < 0)
		return rc;
	size_t used = strlen(out->message);
	if (rec->offloaded_at || rec->status == VRP_RECORDING_DELETED) {
		snprintf(out->message + used, sizeof(out->message) - used, "; not counted%s",
			 rec->offloaded_at ? " (the audio is offloaded: `vrp get` it, then "
					     "`vrp sync` sends it again)"
					   : "");
		return 0;
	}
	rc = vrp_sync_enqueue_upload(lib, rec->id, remote, NULL);
	out->requeued = rc == 0;
	snprintf(out->message + used, sizeof(out->message) - used,
		 out->requeued ? "; not counted, queued for upload again (`vrp sync`)"
			       : "; not counted");
	return rc == VRP_EINVAL ? 0 : rc;
}

static int record(vrp_library *lib, const vrp_recording *rec, const vrp_recording_remote *row,
		  struct copy_check *out)
{
	vrp_db *db = vrp_library_db(lib);
	if (out->finding == VRP_REMOTE_VERIFY_OK || out->finding == VRP_REMOTE_VERIFY_WEAK)
		return vrp_recording_remote_repo_set_proof(db, rec->id, row->remote, out->method);
	if (out->finding == VRP_REMOTE_VERIFY_ERROR)
		return 0;
	int rc = vrp_audit_record_json(db, "remote_copy_bad", rec->id, row->remote, false,
				       json_pack("{s:s, s:s}", "finding",
						 vrp_remote_verify_finding_to_string(out->finding),
						 "path", row->remote_path));
	return rc == 0 ? requeue(lib, rec, row->remote, out) : rc;
}

int remote_verify_copy(vrp_library *lib, vrp_provider *p, const vrp_recording *rec,
		       const vrp_recording_remote *row, bool download, struct copy_check *out)
{
	memset(out, 0, sizeof(*out));
	vrp_test_hook("verify.remote.copy");
	vrp_remote_object *o = NULL;
	char sha256[VRP_SHA256_HEX_LEN] = "";
	const char *method = NULL;
	int rc = vrp_provider_stat(p, row->remote_path, download ? 0 : VRP_STAT_CHECKSUM, &o);
	if (rc == 0 && o->size == rec->filesize_bytes)
		rc = copy_sha256(p, row, o, download, rec->checksum, sha256, &method);
	if (rc == VRP_EREMOTE_NOT_FOUND)
		set_finding(out, VRP_REMOTE_VERIFY_MISSING, NULL, rc, "%s: not on the remote",
			    row->remote_path);
	else if (rc == VRP_ECHECKSUM)
		set_finding(out, VRP_REMOTE_VERIFY_CORRUPT, NULL, rc, "%s: %s", row->remote_path,
			    vrp_error_last()->message);
	else if (rc < 0 && concerns_remote(rc)) {
		vrp_remote_object_free(o);
		return rc;
	} else if (rc < 0)
		set_finding(out, VRP_REMOTE_VERIFY_ERROR, NULL, rc, "%s: cannot check it: %s",
			    row->remote_path, vrp_error_last()->message);
	else
		judge(rec, row, o, sha256, method, out);
	vrp_remote_object_free(o);
	return record(lib, rec, row, out);
}

int remote_verify_one(vrp_library *lib, const char *remote, const vrp_recording *rec,
		      struct copy_check *out)
{
	vrp_provider *p = NULL;
	vrp_recording_remote *row = NULL;
	int rc = vrp_recording_remote_repo_get(vrp_library_db(lib), rec->id, remote, &row);
	if (rc == 0)
		rc = vrp_remotes_open(lib, remote, &p);
	if (rc == 0)
		rc = remote_verify_copy(lib, p, rec, row, false, out);
	vrp_provider_free(p);
	vrp_recording_remote_free(row);
	return rc;
}

/* ---- a pass over a remote ---- */

struct pass {
	vrp_library *lib;
	const char *remote;
	const vrp_remote_verify_options *options;
	vrp_remote_verify_summary *summary;
	vrp_provider *provider;
	char scope[128];
	int64_t deadline_ms;
};

static void count(struct pass *pass, const vrp_recording_remote *row, const struct copy_check *c,
		  int64_t recording_id)
{
	vrp_remote_verify_summary *s = pass->summary;
	int64_t *counters[] = { &s->ok, &s->weak, &s->missing, &s->corrupt, &s->errors };
	s->checked++;
	(*counters[c->finding])++;
	s->requeued += c->requeued;
	VRP_LOG(c->finding <= VRP_REMOTE_VERIFY_WEAK ? VRP_LOG_LEVEL_INFO : VRP_LOG_LEVEL_WARNING,
		"verify",
		json_pack("{s:s, s:I, s:s, s:s}", "remote", pass->remote, "recording_id",
			  (json_int_t)recording_id, "finding",
			  vrp_remote_verify_finding_to_string(c->finding), "method",
			  c->method ? c->method : ""),
		"remote %s: %s", pass->remote, c->message);
	if (pass->options->on_item) {
		vrp_remote_verify_item item = { c->finding,       recording_id, pass->remote,
						row->remote_path, c->method,    c->error,
						c->message,       c->requeued };
		pass->options->on_item(pass->options->ctx, &item);
	}
}

static int check_row(struct pass *pass, const vrp_recording_remote *row)
{
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(pass->lib), row->recording_id, &rec);
	struct copy_check c;
	if (rc == 0)
		rc = remote_verify_copy(pass->lib, pass->provider, rec, row,
					pass->options->download, &c);
	if (rc == 0)
		count(pass, row, &c, rec->id);
	vrp_recording_free(rec);
	return rc;
}

static bool out_of_time(const struct pass *pass)
{
	return pass->deadline_ms && vrp_time_now_ms() >= pass->deadline_ms;
}

/* Walks every copy after the cursor; `*done` once the end is reached. */
static int walk(struct pass *pass, int64_t after, bool *done)
{
	vrp_db *db = vrp_library_db(pass->lib);
	int rc = 0;
	*done = false;
	while (rc == 0 && !*done && !pass->summary->stopped) {
		vrp_recording_remote_list *page = NULL;
		rc = vrp_recording_remote_repo_list_synced_after(db, pass->remote, after, PAGE,
								 &page);
		for (size_t i = 0; rc == 0 && i < page->count; i++) {
			if (out_of_time(pass)) {
				pass->summary->stopped = true;
				break;
			}
			rc = check_row(pass, page->items[i]);
			after = page->items[i]->recording_id;
			if (rc == 0)
				rc = vrp_verify_progress_repo_set(db, pass->scope, after);
		}
		*done = rc == 0 && !pass->summary->stopped && page->count < PAGE;
		vrp_recording_remote_list_free(page);
	}
	return rc;
}

static int check_ids(struct pass *pass)
{
	vrp_db *db = vrp_library_db(pass->lib);
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < pass->options->id_count; i++) {
		vrp_recording_remote *row = NULL;
		rc = vrp_recording_remote_repo_get(db, pass->options->ids[i], pass->remote, &row);
		if (rc == VRP_ENOTFOUND || (rc == 0 && !row->remote_path))
			rc = vrp_error_set(VRP_ENOTFOUND, "recording %lld has no copy on %s",
					   (long long)pass->options->ids[i], pass->remote);
		if (rc == 0)
			rc = check_row(pass, row);
		vrp_recording_remote_free(row);
	}
	return rc;
}

static int run_pass(struct pass *pass)
{
	if (pass->options->ids)
		return check_ids(pass);
	vrp_db *db = vrp_library_db(pass->lib);
	int64_t after = 0;
	int rc = pass->options->incremental ? vrp_verify_progress_repo_get(db, pass->scope, &after)
					    : 0;
	pass->summary->resumed = after > 0;
	pass->summary->resumed_after = after;
	bool done = false;
	if (rc == 0)
		rc = walk(pass, after, &done);
	/* A pass that reached the end starts the next one from the beginning. */
	if (rc == 0 && done)
		rc = vrp_verify_progress_repo_set(db, pass->scope, 0);
	return rc;
}

int vrp_verify_remote(vrp_library *lib, const char *remote,
		      const vrp_remote_verify_options *options, vrp_remote_verify_summary *summary)
{
	vrp_remote_verify_options none = { 0 };
	memset(summary, 0, sizeof(*summary));
	struct pass pass = { lib, remote, options ? options : &none, summary, NULL, "", 0 };
	if (!remote || !*remote)
		return vrp_error_set(VRP_EINVAL, "verify --remote needs a remote's name");
	snprintf(pass.scope, sizeof(pass.scope), "remote:%s", remote);
	if (pass.options->time_limit_ms > 0)
		pass.deadline_ms = vrp_time_now_ms() + pass.options->time_limit_ms;
	vrp_remote *found = NULL;
	int rc = vrp_remote_repo_get_by_name(vrp_library_db(lib), remote, &found);
	vrp_remote_free(found);
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	if (rc == 0)
		rc = vrp_remotes_open(lib, remote, &pass.provider);
	if (rc == 0)
		rc = vrp_provider_probe(pass.provider);
	if (rc == 0)
		rc = run_pass(&pass);
	VRP_LOG(rc < 0 ? VRP_LOG_LEVEL_ERROR : VRP_LOG_LEVEL_INFO, "verify",
		json_pack("{s:s, s:I, s:I, s:I, s:I, s:b}", "remote", remote, "checked",
			  (json_int_t)summary->checked, "ok", (json_int_t)summary->ok, "missing",
			  (json_int_t)summary->missing, "corrupt", (json_int_t)summary->corrupt,
			  "stopped", summary->stopped),
		"remote verify of %s %s: %lld checked", remote, rc < 0 ? "failed" : "finished",
		(long long)summary->checked);
	vrp_provider_free(pass.provider);
	vrp_correlation_leave(&scope);
	return rc;
}
