/* export.c - copy every recording out under its original name, plus metadata.json. */
#include "vrp/export.h"

#include "core/error_set.h"
#include "core/filecopy.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "db/recording_repo.h"
#include "model/recording_json.h"
#include "services/audit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE 500

struct export_run {
	vrp_library *lib;
	const char *dir;
	const vrp_export_options *options;
	json_t *metadata;
	int64_t exported;
};

/* The original name with "/" and control bytes replaced; never empty, never "." or "..". */
static char *safe_name(const vrp_recording *rec)
{
	const char *name = rec->original_filename;
	if (!name || !*name || !strcmp(name, ".") || !strcmp(name, ".."))
		name = rec->stored_filename;
	char *out = strdup(name);
	for (char *p = out; p && *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '_';
	return out;
}

/* "name.ext" -> "name (n).ext"; a name without an extension gets " (n)" at the end. */
static char *numbered(const char *name, int n)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	size_t len = strlen(name) + 16;
	char *out = malloc(len);
	if (out)
		snprintf(out, len, "%.*s (%d)%s", (int)stem, name, n, name + stem);
	return out;
}

/* Creates a new file in the export directory under a free name. */
static int create_unique(struct export_run *run, const char *name, char **chosen, int *fd)
{
	for (int n = 1; n < 10000; n++) {
		char *candidate = n == 1 ? strdup(name) : numbered(name, n);
		char *path = candidate ? vrp_path_join(run->dir, candidate) : NULL;
		if (!path) {
			free(candidate);
			return vrp_error_oom();
		}
		*fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		int err = errno;
		free(path);
		if (*fd >= 0) {
			*chosen = candidate;
			return 0;
		}
		free(candidate);
		if (err != EEXIST)
			return vrp_error_from_errno(err, "cannot create a file in %s", run->dir);
	}
	return vrp_error_set(VRP_EEXISTS, "too many files named like %s in %s", name, run->dir);
}

static int copy_out(struct export_run *run, const vrp_recording *rec, int dst, const char *name)
{
	char *src_path = vrp_library_path(run->lib, rec->local_path);
	if (!src_path)
		return vrp_error_oom();
	int src = open(src_path, O_RDONLY | O_CLOEXEC);
	int rc = src < 0 ? vrp_error_from_errno(errno, "cannot read %s", src_path) : 0;
	struct vrp_copy_result copy;
	if (rc == 0)
		rc = vrp_fd_copy_hashed(src, dst, name, &copy, NULL, NULL);
	if (rc == 0 && strcmp(copy.sha256, rec->checksum) != 0)
		rc = vrp_error_set(VRP_ECHECKSUM,
				   "%s does not match its checksum; run `vrp verify` (left out of "
				   "the export)",
				   src_path);
	if (rc == 0 && fsync(dst) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s", name);
	if (src >= 0)
		close(src);
	free(src_path);
	return rc;
}

static int export_one(struct export_run *run, const vrp_recording *rec)
{
	char *name = safe_name(rec), *chosen = NULL;
	int fd = -1;
	int rc = name ? create_unique(run, name, &chosen, &fd) : vrp_error_oom();
	if (rc == 0)
		rc = copy_out(run, rec, fd, chosen);
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = vrp_error_from_errno(errno, "cannot write %s", chosen);
	if (rc < 0 && chosen) {
		char *path = vrp_path_join(run->dir, chosen);
		if (path)
			unlink(path);
		free(path);
	}
	if (rc == 0) {
		json_t *o = vrp_recording_json(rec);
		json_object_set_new(o, "exported_as", json_string(chosen));
		json_array_append_new(run->metadata, o);
		run->exported++;
	}
	if (rc < 0)
		VRP_LOG_WARNING("export",
				json_pack("{s:I, s:s}", "recording_id", (json_int_t)rec->id,
					  "error", vrp_error_code_name(rc)),
				"recording %lld not exported: %s", (long long)rec->id,
				vrp_error_last()->message);
	if (run->options->on_each)
		run->options->on_each(run->options->ctx, rec, rc == 0 ? chosen : NULL, rc,
				      rc ? vrp_error_last()->message : NULL);
	free(name);
	free(chosen);
	/* A missing or damaged file is reported and skipped; the rest still goes out. */
	return rc == VRP_ENOTFOUND || rc == VRP_ECHECKSUM ? 0 : rc;
}

static int export_all(struct export_run *run)
{
	vrp_recording_filter filter = { .limit = PAGE };
	filter.statuses =
		VRP_STATUS_BIT(VRP_RECORDING_ACTIVE) | VRP_STATUS_BIT(VRP_RECORDING_ARCHIVED);
	if (run->options->include_deleted)
		filter.statuses |= VRP_STATUS_BIT(VRP_RECORDING_DELETED);
	int rc = 0;
	do {
		vrp_recording_list *page = NULL;
		rc = vrp_recording_repo_list(vrp_library_db(run->lib), &filter, &page);
		for (size_t i = 0; rc == 0 && i < page->count; i++)
			rc = export_one(run, page->items[i]);
		filter.cursor = rc == 0 ? page->next_cursor : 0;
		vrp_recording_list_free(page);
	} while (rc == 0 && filter.cursor);
	return rc;
}

static int write_metadata(struct export_run *run)
{
	char *path = vrp_path_join(run->dir, "metadata.json");
	char *tmp = vrp_path_join(run->dir, ".metadata.json.tmp");
	int rc = path && tmp ? 0 : vrp_error_oom();
	if (rc == 0 && json_dump_file(run->metadata, tmp, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
		rc = vrp_error_set(VRP_EIO, "cannot write %s", tmp);
	if (rc == 0)
		rc = vrp_fs_fsync_file(tmp);
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, path);
	if (rc < 0 && tmp)
		unlink(tmp);
	free(path);
	free(tmp);
	return rc;
}

static int audit_export(vrp_db *db, void *arg)
{
	struct export_run *run = arg;
	char meta[64];
	snprintf(meta, sizeof(meta), "{\"files\":%lld}", (long long)run->exported);
	return vrp_audit_record(db, "export", 0, NULL, true, meta);
}

int vrp_export(vrp_library *lib, const char *dir, const vrp_export_options *options,
	       int64_t *exported)
{
	vrp_export_options none = { 0 };
	struct export_run run = { lib, dir, options ? options : &none, json_array(), 0 };
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	VRP_LOG_INFO("export",
		     json_pack("{s:o, s:b}", "dir", vrp_log_string(dir), "include_deleted",
			       run.options->include_deleted),
		     "export started");
	int rc = run.metadata ? vrp_fs_mkdir_p(dir, 0755) : vrp_error_oom();
	if (rc == 0)
		rc = export_all(&run);
	if (rc == 0)
		rc = vrp_fs_fsync_dir(dir);
	if (rc == 0)
		rc = write_metadata(&run);
	/* A read-only library (mount, full disk) still exports; only the audit entry is lost. */
	if (rc == 0 && vrp_db_is_writable(vrp_library_db(lib)))
		rc = vrp_db_transaction(vrp_library_db(lib), audit_export, &run);
	if (exported)
		*exported = run.exported;
	if (rc == 0)
		VRP_LOG_INFO("export", json_pack("{s:I}", "files", (json_int_t)run.exported),
			     "export finished: %lld file(s)", (long long)run.exported);
	else
		VRP_LOG_ERROR("export", json_pack("{s:I}", "files", (json_int_t)run.exported),
			      "export failed: %s [%s]", vrp_error_last()->message,
			      vrp_error_code_name(rc));
	json_decref(run.metadata);
	vrp_correlation_leave(&scope);
	return rc;
}
