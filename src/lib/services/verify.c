/* verify.c - re-hash recordings, and find orphaned and abandoned files. */
#include "vrp/verify.h"
#include "core/durable.h"

#include "vrp/derive.h"
#include "vrp/offload.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/hash.h"
#include "core/log.h"
#include "db/derived_asset_repo.h"
#include "db/purge_tombstone_repo.h"
#include "db/recording_repo.h"
#include "db/verify_progress_repo.h"
#include "services/import_tmp.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE 500

const char *vrp_verify_finding_to_string(enum vrp_verify_finding finding)
{
	static const char *const names[] = {
		"ok",         "missing",       "corrupt",        "unreadable",   "orphan_file",
		"stale_temp", "asset_missing", "asset_mismatch", "orphan_asset", "offloaded"
	};
	return (unsigned)finding < sizeof(names) / sizeof(*names) ? names[finding] : NULL;
}

bool vrp_verify_summary_has_problems(const vrp_verify_summary *s)
{
	/* Only fixable findings are ever fixed, so the rest keep the sum above `fixed`. */
	return s->missing + s->corrupt + s->unreadable + s->orphan_files + s->stale_temps +
		       s->assets_missing + s->assets_mismatched + s->orphan_assets >
	       s->fixed;
}

struct run {
	vrp_library *lib;
	const vrp_verify_options *options;
	vrp_verify_summary *summary;
	int64_t deadline_ms; /* 0: no time limit */
};

static void emit(struct run *run, vrp_verify_item *item)
{
	vrp_verify_summary *s = run->summary;
	int64_t *counters[] = { &s->ok,
				&s->missing,
				&s->corrupt,
				&s->unreadable,
				&s->orphan_files,
				&s->stale_temps,
				&s->assets_missing,
				&s->assets_mismatched,
				&s->orphan_assets,
				&s->offloaded };
	(*counters[item->finding])++;
	s->fixed += item->fixed;
	if (item->finding != VRP_VERIFY_OK && item->finding != VRP_VERIFY_OFFLOADED)
		VRP_LOG_WARNING("verify",
				json_pack("{s:s, s:I, s:o, s:s, s:b}", "finding",
					  vrp_verify_finding_to_string(item->finding),
					  "recording_id", (json_int_t)item->recording_id, "path",
					  vrp_log_string(item->path), "error",
					  vrp_error_code_name(item->error), "fixed", item->fixed),
				"%s: %s", vrp_verify_finding_to_string(item->finding),
				item->message ? item->message : "");
	if (run->options->on_item)
		run->options->on_item(run->options->ctx, item);
}

static enum vrp_verify_finding hash_matches(const char *path, const char *checksum, int *error)
{
	char actual[VRP_SHA256_HEX_LEN];
	*error = vrp_sha256_file(path, actual);
	if (*error == VRP_ENOTFOUND)
		return VRP_VERIFY_MISSING;
	if (*error < 0)
		return VRP_VERIFY_UNREADABLE;
	if (strcmp(actual, checksum) != 0) {
		*error = vrp_error_set(VRP_ECHECKSUM,
				       "%s no longer matches its checksum (stored %.12s..., now "
				       "%.12s...)",
				       path, checksum, actual);
		return VRP_VERIFY_CORRUPT;
	}
	return VRP_VERIFY_OK;
}

/* Whether the asset's file is there with its row's size; a problem is a finding. */
static void check_asset(struct run *run, const vrp_derived_asset *a)
{
	char *path = vrp_library_path(run->lib, a->path);
	struct stat st;
	enum vrp_verify_finding finding = VRP_VERIFY_ASSET_MISSING;
	if (path && stat(path, &st) == 0)
		finding = st.st_size == a->size_bytes ? VRP_VERIFY_OK : VRP_VERIFY_ASSET_MISMATCH;
	free(path);
	run->summary->assets_checked++;
	if (finding == VRP_VERIFY_OK)
		return;
	const char *kind = vrp_derived_kind_to_string(a->kind);
	bool fixed = run->options->fix && vrp_derive(run->lib, a->recording_id,
						     VRP_DERIVE_KIND(a->kind), true, NULL) == 0;
	int code = finding == VRP_VERIFY_ASSET_MISSING ? VRP_ENOTFOUND : VRP_ECHECKSUM;
	vrp_error_set(code, "the %s of recording %lld %s%s", kind, (long long)a->recording_id,
		      finding == VRP_VERIFY_ASSET_MISSING ? "is missing"
							  : "is not the size its row records",
		      fixed               ? " (made again)"
		      : run->options->fix ? " (could not be made again)"
					  : "; `vrp verify --fix` makes it again");
	vrp_verify_item item = { finding, a->recording_id,           a->path,
				 code,    vrp_error_last()->message, fixed };
	emit(run, &item);
}

static int check_assets(struct run *run, int64_t recording_id)
{
	vrp_derived_asset_list *assets = NULL;
	int rc = vrp_derived_asset_repo_list_for_recording(vrp_library_db(run->lib), recording_id,
							   &assets);
	for (size_t i = 0; rc == 0 && i < assets->count; i++)
		check_asset(run, assets->items[i]);
	vrp_derived_asset_list_free(assets);
	return rc;
}

/*
 * An offloaded recording: fine without a file. A whole file under its row
 * is the trace of a crash (an offload's unlink or a fetch's commit not
 * done): the fetch path takes it back as local, the safe way round.
 */
static int check_offloaded(struct run *run, const vrp_recording *rec, const char *path)
{
	int error = 0;
	bool there = hash_matches(path, rec->checksum, &error) == VRP_VERIFY_OK;
	int rc = there ? vrp_fetch(run->lib, rec->id, 0, NULL) : 0;
	vrp_verify_item item = {
		there ? VRP_VERIFY_OK : VRP_VERIFY_OFFLOADED,           rec->id, rec->local_path, 0,
		there ? "the file was still there: local again" : NULL, there
	};
	run->summary->checked++;
	if (rc == 0)
		emit(run, &item);
	return rc;
}

/* --fix of a missing or damaged file: a verified remote copy, through the fetch path. */
static void repair(struct run *run, const vrp_recording *rec, vrp_verify_item *item, char *message,
		   size_t len)
{
	char *remote = NULL;
	int rc = vrp_fetch(run->lib, rec->id, VRP_FETCH_REPAIR, &remote);
	if (rc == 0 && remote)
		snprintf(message, len, "%s (restored from %s)", item->message, remote);
	else
		snprintf(message, len, "%s (not restored: %s)", item->message,
			 vrp_error_last()->message);
	item->fixed = rc == 0 && remote;
	item->message = message;
	free(remote);
}

/* Whether recording `id` was purged since the walk read it: its file went with its row. */
static bool is_purged(struct run *run, int64_t id)
{
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_id(vrp_library_db(run->lib), id, &rec);
	vrp_recording_free(rec);
	return rc == VRP_ENOTFOUND;
}

static int check_recording(struct run *run, const vrp_recording *rec)
{
	char *path = vrp_library_path(run->lib, rec->local_path);
	if (!path)
		return vrp_error_oom();
	if (rec->offloaded_at) {
		int rc = check_offloaded(run, rec, path);
		free(path);
		return rc == 0 ? check_assets(run, rec->id) : rc;
	}
	int error = 0;
	enum vrp_verify_finding finding = hash_matches(path, rec->checksum, &error);
	if (finding == VRP_VERIFY_MISSING && is_purged(run, rec->id)) {
		free(path);
		return 0;
	}
	if (finding == VRP_VERIFY_MISSING)
		vrp_error_set(VRP_ENOTFOUND, "the file of recording %lld is missing: %s",
			      (long long)rec->id, path);
	char first[600], message[1200];
	snprintf(first, sizeof(first), "%s", error ? vrp_error_last()->message : "");
	vrp_verify_item item = { finding, rec->id, rec->local_path, error, error ? first : NULL,
				 false };
	free(path);
	static const enum vrp_integrity marks[] = { VRP_INTEGRITY_OK, VRP_INTEGRITY_MISSING,
						    VRP_INTEGRITY_CORRUPT };
	int rc = 0;
	if (finding <= VRP_VERIFY_CORRUPT)
		rc = vrp_recording_repo_set_integrity(vrp_library_db(run->lib), rec->id,
						      marks[finding], NULL);
	/* Purged while it was read: nothing of it is left to judge. */
	if (rc == VRP_ENOTFOUND)
		return 0;
	if (rc == 0 && run->options->fix &&
	    (finding == VRP_VERIFY_MISSING || finding == VRP_VERIFY_CORRUPT))
		repair(run, rec, &item, message, sizeof(message));
	run->summary->checked++;
	emit(run, &item);
	return rc == 0 ? check_assets(run, rec->id) : rc;
}

static int check_ids(struct run *run)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < run->options->id_count; i++) {
		vrp_recording *rec = NULL;
		rc = vrp_recording_repo_get_by_id(vrp_library_db(run->lib), run->options->ids[i],
						  &rec);
		if (rc == 0)
			rc = check_recording(run, rec);
		vrp_recording_free(rec);
	}
	return rc;
}

static bool out_of_time(const struct run *run)
{
	return run->deadline_ms && vrp_time_now_ms() >= run->deadline_ms;
}

/* One page of the walk; `*last` is the id of the last recording checked. */
static int check_page(struct run *run, const vrp_recording_list *page, int64_t *last)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < page->count; i++) {
		if (out_of_time(run)) {
			run->summary->stopped = true;
			break;
		}
		rc = check_recording(run, page->items[i]);
		*last = page->items[i]->id;
	}
	return rc;
}

/* Every recording after `cursor`; the cursor is kept as it goes (0 once the walk is done). */
static int check_all(struct run *run, int64_t cursor)
{
	vrp_recording_filter filter = {
		.statuses = VRP_STATUS_BIT(VRP_RECORDING_ACTIVE) |
			    VRP_STATUS_BIT(VRP_RECORDING_ARCHIVED) |
			    VRP_STATUS_BIT(VRP_RECORDING_DELETED),
		.limit = PAGE,
		.cursor = cursor,
	};
	vrp_db *db = vrp_library_db(run->lib);
	int rc = 0;
	do {
		vrp_recording_list *page = NULL;
		rc = vrp_recording_repo_list(db, &filter, &page);
		if (rc == VRP_ENOTFOUND && filter.cursor) {
			/* The recording the last pass stopped at was purged: start over. */
			filter.cursor = 0;
			rc = vrp_recording_repo_list(db, &filter, &page);
		}
		int64_t last = filter.cursor;
		if (rc == 0)
			rc = check_page(run, page, &last);
		filter.cursor = rc == 0 && !run->summary->stopped ? page->next_cursor : 0;
		if (rc == 0)
			rc = vrp_verify_progress_repo_set(
				db, "local", run->summary->stopped ? last : filter.cursor);
		vrp_recording_list_free(page);
	} while (rc == 0 && filter.cursor);
	return rc;
}

/* A file in raw/ is owned when the recording named by its uuid stores it. */
static int is_owned(vrp_db *db, const char *name, bool *owned)
{
	char uuid[37];
	*owned = false;
	if (strlen(name) < 36)
		return 0;
	memcpy(uuid, name, 36);
	uuid[36] = '\0';
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_uuid(db, uuid, &rec);
	if (rc == 0)
		*owned = !strcmp(rec->stored_filename, name);
	vrp_recording_free(rec);
	return rc == VRP_ENOTFOUND || rc == VRP_EINVAL ? 0 : rc;
}

typedef int (*entry_fn)(struct run *run, const char *dir, const char *name);

static int scan_dir(struct run *run, const char *relative, entry_fn fn)
{
	char *dir = vrp_library_path(run->lib, relative);
	DIR *d = dir ? opendir(dir) : NULL;
	int rc = d ? 0 : dir ? vrp_error_from_errno(errno, "cannot read %s", dir) : vrp_error_oom();
	struct dirent *e;
	while (rc == 0 && d && (e = readdir(d)))
		if (e->d_name[0] != '.')
			rc = fn(run, relative, e->d_name);
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

/*
 * A file a live import holds is on its way in: its row commits after the
 * rename. Once the import lets go the row is there, so ownership is asked
 * again after the lock was found free.
 */
static int is_owned_or_importing(struct run *run, const char *rel, const char *name, bool *claimed)
{
	vrp_db *db = vrp_library_db(run->lib);
	int rc = is_owned(db, name, claimed);
	if (rc < 0 || *claimed)
		return rc;
	char *path = vrp_library_path(run->lib, rel);
	if (!path)
		return vrp_error_oom();
	*claimed = vrp_import_file_is_live(path);
	free(path);
	rc = *claimed ? 0 : is_owned(db, name, claimed);
	/* A purge that committed is removing it. */
	if (rc == 0 && !*claimed)
		rc = vrp_purge_tombstone_repo_file_pending(db, rel, claimed);
	return rc;
}

static int check_raw_entry(struct run *run, const char *dir, const char *name)
{
	char *rel = vrp_path_join(dir, name);
	if (!rel)
		return vrp_error_oom();
	bool claimed = false;
	int rc = is_owned_or_importing(run, rel, name, &claimed);
	if (rc < 0 || claimed) {
		free(rel);
		return rc;
	}
	vrp_error_set(VRP_ENOTFOUND,
		      "%s belongs to no recording (left by an interrupted import or purge; "
		      "the file was kept)",
		      rel);
	vrp_verify_item item = { VRP_VERIFY_ORPHAN_FILE,    0,    rel, VRP_ENOTFOUND,
				 vrp_error_last()->message, false };
	emit(run, &item);
	free(rel);
	return 0;
}

/* Whose a temporary file is, import_tmp.h tells: a live import's is left alone. */
static int check_tmp_entry(struct run *run, const char *dir, const char *name)
{
	char *rel = vrp_path_join(dir, name);
	char *path = rel ? vrp_library_path(run->lib, rel) : NULL;
	if (!path) {
		free(rel);
		return vrp_error_oom();
	}
	bool stale = vrp_import_tmp_is_stale(path, name);
	bool fixed = stale && run->options->fix && vrp_durable_unlink(path) == 0;
	if (stale) {
		vrp_error_set(VRP_EIO, "%s is left over from an interrupted import%s", rel,
			      fixed ? " (removed)" : "; `vrp verify --fix` removes it");
		vrp_verify_item item = { VRP_VERIFY_STALE_TEMP,     0,    rel, VRP_EIO,
					 vrp_error_last()->message, fixed };
		emit(run, &item);
	}
	free(path);
	free(rel);
	return 0;
}

/* A file under derived/<kind>/ is an asset's when a row names it. */
static int check_derived_entry(struct run *run, const char *dir, const char *name)
{
	char *rel = vrp_path_join(dir, name);
	if (!rel)
		return vrp_error_oom();
	bool owned = false;
	vrp_db *db = vrp_library_db(run->lib);
	int rc = vrp_derived_asset_repo_path_exists(db, rel, &owned);
	/* A derive that renamed it into place holds it locked until its row
	 * commits; a purge that committed is removing it. */
	char *live = rc == 0 && !owned ? vrp_library_path(run->lib, rel) : NULL;
	if (live && vrp_import_file_is_live(live))
		owned = true;
	else if (live)
		rc = vrp_derived_asset_repo_path_exists(db, rel, &owned);
	free(live);
	if (rc == 0 && !owned)
		rc = vrp_purge_tombstone_repo_file_pending(db, rel, &owned);
	if (rc == 0 && !owned) {
		char *path = vrp_library_path(run->lib, rel);
		bool fixed = path && run->options->fix && vrp_durable_unlink(path) == 0;
		free(path);
		vrp_error_set(VRP_ENOTFOUND, "%s is the asset of no recording%s", rel,
			      fixed ? " (removed)" : "; `vrp verify --fix` removes it");
		vrp_verify_item item = { VRP_VERIFY_ORPHAN_ASSET,   0,    rel, VRP_ENOTFOUND,
					 vrp_error_last()->message, fixed };
		emit(run, &item);
	}
	free(rel);
	return rc;
}

/* Each kind's folder that exists; a library that never derived a kind has none. */
static int scan_derived(struct run *run)
{
	int rc = 0;
	for (int k = 0; rc == 0 && vrp_derived_kind_to_string((enum vrp_derived_kind)k); k++) {
		char rel[64];
		snprintf(rel, sizeof(rel), "derived/%s", vrp_derived_kind_to_string(k));
		char *dir = vrp_library_path(run->lib, rel);
		struct stat st;
		bool exists = dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode);
		free(dir);
		if (exists)
			rc = scan_dir(run, rel, check_derived_entry);
	}
	return rc;
}

static void log_summary(const vrp_verify_summary *s, int rc)
{
	if (!vrp_log_enabled(rc < 0 ? VRP_LOG_LEVEL_ERROR : VRP_LOG_LEVEL_INFO))
		return;
	json_t *context =
		json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "checked",
			  (json_int_t)s->checked, "ok", (json_int_t)s->ok, "missing",
			  (json_int_t)s->missing, "corrupt", (json_int_t)s->corrupt, "unreadable",
			  (json_int_t)s->unreadable, "orphan_files", (json_int_t)s->orphan_files,
			  "stale_temps", (json_int_t)s->stale_temps, "fixed", (json_int_t)s->fixed);
	if (rc < 0)
		VRP_LOG_ERROR("verify", context, "verify stopped: %s [%s]",
			      vrp_error_last()->message, vrp_error_code_name(rc));
	else
		VRP_LOG_INFO("verify", context, "verify finished: %lld checked, %lld ok",
			     (long long)s->checked, (long long)s->ok);
}

static int verify_run(struct run *run)
{
	if (run->options->ids)
		return check_ids(run);
	int64_t cursor = 0;
	int rc = run->options->incremental
			 ? vrp_verify_progress_repo_get(vrp_library_db(run->lib), "local", &cursor)
			 : 0;
	if (rc == 0)
		rc = check_all(run, cursor);
	if (rc < 0 || run->summary->stopped)
		return rc;
	if (rc == 0)
		rc = scan_dir(run, "recordings/raw", check_raw_entry);
	if (rc == 0)
		rc = scan_dir(run, "tmp", check_tmp_entry);
	if (rc == 0)
		rc = scan_derived(run);
	return rc;
}

int vrp_verify(vrp_library *lib, const vrp_verify_options *options, vrp_verify_summary *summary)
{
	vrp_verify_options none = { 0 };
	struct run run = { lib, options ? options : &none, summary, 0 };
	if (run.options->time_limit_ms > 0)
		run.deadline_ms = vrp_time_now_ms() + run.options->time_limit_ms;
	memset(summary, 0, sizeof(*summary));
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	VRP_LOG_INFO("verify",
		     json_pack("{s:I, s:b}", "recordings", (json_int_t)run.options->id_count, "fix",
			       run.options->fix),
		     "verify started (%s)", run.options->ids ? "chosen recordings" : "everything");
	int rc = verify_run(&run);
	log_summary(summary, rc);
	vrp_correlation_leave(&scope);
	return rc;
}
