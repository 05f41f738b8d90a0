/*
 * export.c - copy every recording out under its original name, plus
 * metadata.json.
 *
 * Each file is written to a temporary name in the export folder
 * (".vrp-export-<pid>-<n>.part"), checked against the catalogue's sha256,
 * fsynced and only then renamed to its real name, so a run killed at any
 * instant leaves complete files under real names and, at worst, temporary
 * ones. A rerun into the same folder locks it, removes those leftovers,
 * keeps a file already there with the recording's sha256 (no "name (2)"
 * beside it), replaces one that holds only the start of the recording (a
 * truncated copy from an older vrp), and writes metadata.json last.
 */
#include "vrp/export.h"
#include "vrp/offload.h"
#include "core/durable.h"

#include "vrp/derive.h"

#include "core/error_set.h"
#include "core/filecopy.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "db/derived_asset_repo.h"
#include "db/recording_repo.h"
#include "model/recording_json.h"
#include "services/audit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define PAGE        500
#define TEMP_PREFIX ".vrp-export-"
#define COMPARE_BUF (1 << 20)

struct export_run {
	vrp_library *lib;
	const char *dir;
	int dir_fd;
	const vrp_export_options *options;
	json_t *metadata;
	json_t *used; /* names given to earlier recordings of this run */
	unsigned temp_serial;
	vrp_export_summary summary;
};

/* What a file already under a candidate name is to the recording. */
enum existing { EXISTING_NONE, EXISTING_SAME, EXISTING_PREFIX, EXISTING_OTHER };

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

/* Whether the first `len` bytes of `a` and `b` are equal; a short read is a difference. */
static int same_prefix(int a, int b, int64_t len, const char *shown, bool *same)
{
	unsigned char *x = malloc(COMPARE_BUF), *y = malloc(COMPARE_BUF);
	int rc = x && y ? 0 : vrp_error_oom();
	*same = true;
	for (int64_t at = 0; rc == 0 && *same && at < len;) {
		size_t want = len - at < COMPARE_BUF ? (size_t)(len - at) : COMPARE_BUF;
		ssize_t n = vrp_fs_pread_full(a, x, want, at);
		ssize_t m = vrp_fs_pread_full(b, y, want, at);
		if (n < 0 || m < 0)
			rc = vrp_error_from_errno(errno, "cannot read %s", shown);
		*same = n == (ssize_t)want && m == n && memcmp(x, y, want) == 0;
		at += (int64_t)want;
	}
	free(x);
	free(y);
	return rc;
}

/*
 * Classifies the file `name` in the export folder: the recording itself
 * (its sha256), a truncated copy of it (a strict prefix of `src`), or
 * something else, which is never touched.
 */
static int classify(struct export_run *run, const vrp_recording *rec, int src, const char *name,
		    enum existing *out)
{
	struct stat st;
	*out = EXISTING_OTHER;
	if (fstatat(run->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		if (errno != ENOENT)
			return vrp_error_from_errno(errno, "cannot read %s/%s", run->dir, name);
		*out = EXISTING_NONE;
		return 0;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > rec->filesize_bytes)
		return 0;
	int fd = openat(run->dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return vrp_error_from_errno(errno, "cannot read %s/%s", run->dir, name);
	char sha256[VRP_SHA256_HEX_LEN];
	bool same = false;
	int rc = 0;
	if (st.st_size == rec->filesize_bytes) {
		rc = vrp_sha256_fd(fd, name, sha256);
		if (rc == 0 && strcmp(sha256, rec->checksum) == 0)
			*out = EXISTING_SAME;
	} else {
		rc = same_prefix(fd, src, st.st_size, name, &same);
		if (rc == 0 && same)
			*out = EXISTING_PREFIX;
	}
	close(fd);
	return rc;
}

/* The first name, plain or numbered, that is free, this recording, or its truncated copy. */
static int choose_name(struct export_run *run, const vrp_recording *rec, int src, char **chosen,
		       enum existing *found)
{
	char *name = safe_name(rec);
	if (!name)
		return vrp_error_oom();
	int rc = VRP_EEXISTS;
	for (int n = 1; n < 10000 && rc == VRP_EEXISTS; n++) {
		char *candidate = n == 1 ? strdup(name) : numbered(name, n);
		if (!candidate) {
			rc = vrp_error_oom();
			break;
		}
		if (json_object_get(run->used, candidate)) {
			free(candidate);
			continue;
		}
		rc = classify(run, rec, src, candidate, found);
		if (rc == 0 && *found == EXISTING_OTHER)
			rc = VRP_EEXISTS;
		if (rc == 0)
			*chosen = candidate;
		else
			free(candidate);
	}
	if (rc == VRP_EEXISTS)
		vrp_error_set(VRP_EEXISTS, "too many files named like %s in %s", name, run->dir);
	free(name);
	return rc;
}

/* A new temporary file in the export folder; its name goes to `temp`. */
static int create_temp(struct export_run *run, char temp[64], int *fd)
{
	for (int tries = 0; tries < 100; tries++) {
		snprintf(temp, 64, TEMP_PREFIX "%ld-%u.part", (long)getpid(), run->temp_serial++);
		*fd = openat(run->dir_fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (*fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	return vrp_error_from_errno(errno, "cannot create a file in %s", run->dir);
}

/*
 * Puts the temporary file under `name`: over the truncated copy when
 * `replace`, else only if the name is still free (another program may have
 * taken it since we looked).
 */
static int rename_into_place(struct export_run *run, const char *temp, const char *name,
			     bool replace)
{
	int r = replace ? vrp_durable_renameat(run->dir_fd, temp, run->dir_fd, name)
			: vrp_durable_renameat2(run->dir_fd, temp, run->dir_fd, name, RENAME_NOREPLACE);
	/* Filesystems without RENAME_NOREPLACE: the folder is locked against other exports. */
	if (r != 0 && !replace && (errno == EINVAL || errno == ENOSYS)) {
		struct stat st;
		if (fstatat(run->dir_fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			errno = EEXIST;
		else
			r = vrp_durable_renameat(run->dir_fd, temp, run->dir_fd, name);
	}
	if (r != 0)
		return vrp_error_from_errno(errno, "cannot rename a file into place as %s/%s",
					    run->dir, name);
	return 0;
}

static int copy_out(struct export_run *run, const vrp_recording *rec, int src, const char *name,
		    bool replace)
{
	char temp[64];
	int dst = -1;
	int rc = create_temp(run, temp, &dst);
	struct vrp_copy_result copy;
	if (rc == 0)
		rc = vrp_fd_copy_hashed(src, dst, name, &copy, NULL, NULL);
	if (rc == 0 && strcmp(copy.sha256, rec->checksum) != 0)
		rc = vrp_error_set(
			VRP_ECHECKSUM,
			"the file of recording %lld does not match its checksum; run `vrp "
			"verify` (left out of the export)",
			(long long)rec->id);
	if (rc == 0 && vrp_durable_fsync(dst) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s", name);
	if (dst >= 0 && close(dst) != 0 && rc == 0)
		rc = vrp_error_from_errno(errno, "cannot write %s", name);
	if (rc == 0)
		rc = rename_into_place(run, temp, name, replace);
	if (rc < 0 && dst >= 0)
		vrp_durable_unlinkat(run->dir_fd, temp, 0);
	return rc;
}

static int export_file(struct export_run *run, const vrp_recording *rec, char **chosen)
{
	/* An offloaded recording is fetched back first: an export holds every recording. */
	char *src_path = NULL;
	int fetched = vrp_recording_audio_path(run->lib, rec->id, &src_path);
	if (fetched < 0)
		return fetched;
	int src = open(src_path, O_RDONLY | O_CLOEXEC);
	int rc = src < 0 ? vrp_error_from_errno(errno, "cannot read %s", src_path) : 0;
	enum existing found = EXISTING_NONE;
	if (rc == 0)
		rc = choose_name(run, rec, src, chosen, &found);
	if (rc == 0 && found == EXISTING_SAME)
		run->summary.kept++;
	else if (rc == 0)
		rc = copy_out(run, rec, src, *chosen, found == EXISTING_PREFIX);
	if (rc < 0) {
		free(*chosen);
		*chosen = NULL;
	}
	if (src >= 0)
		close(src);
	free(src_path);
	return rc;
}

/* Copies one asset file to `name` under the folder, checked against its row's size. */
static int copy_asset(struct export_run *run, const vrp_derived_asset *a, const char *name)
{
	char *src_path = vrp_library_path(run->lib, a->path);
	int src = src_path ? open(src_path, O_RDONLY | O_CLOEXEC) : -1;
	char temp[64];
	int dst = -1;
	int rc = src < 0 ? vrp_error_from_errno(errno, "cannot read %s", a->path)
			 : create_temp(run, temp, &dst);
	struct vrp_copy_result copy;
	if (rc == 0)
		rc = vrp_fd_copy_hashed(src, dst, name, &copy, NULL, NULL);
	if (rc == 0 && copy.bytes != a->size_bytes)
		rc = vrp_error_set(VRP_ECHECKSUM, "%s is not the size its row records", a->path);
	if (rc == 0 && vrp_durable_fsync(dst) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s", name);
	if (dst >= 0 && close(dst) != 0 && rc == 0)
		rc = vrp_error_from_errno(errno, "cannot write %s", name);
	if (rc == 0)
		rc = rename_into_place(run, temp, name, true);
	if (rc < 0 && dst >= 0)
		vrp_durable_unlinkat(run->dir_fd, temp, 0);
	if (src >= 0)
		close(src);
	free(src_path);
	return rc;
}

/*
 * The recording's assets go to derived/<exported name>.<kind>.<ext>, named
 * after its file so they sort beside each other. An asset that cannot be
 * copied is left out with a warning: it can be made again from the audio.
 */
static int export_assets(struct export_run *run, const vrp_recording *rec, const char *exported_as,
			 json_t *record)
{
	vrp_derived_asset_list *assets = NULL;
	int rc = vrp_derived_asset_repo_list_for_recording(vrp_library_db(run->lib), rec->id,
							   &assets);
	json_t *list = json_array();
	if (rc == 0 && assets->count && mkdirat(run->dir_fd, "derived", 0755) != 0 &&
	    errno != EEXIST)
		rc = vrp_error_from_errno(errno, "cannot create %s/derived", run->dir);
	for (size_t i = 0; rc == 0 && i < assets->count; i++) {
		const vrp_derived_asset *a = assets->items[i];
		const char *ext = strrchr(a->path, '.');
		char *name = NULL;
		if (asprintf(&name, "derived/%s.%s%s", exported_as,
			     vrp_derived_kind_to_string(a->kind), ext ? ext : "") < 0) {
			rc = vrp_error_oom();
			break;
		}
		if (copy_asset(run, a, name) == 0) {
			json_t *o = vrp_derived_asset_json(
				a, vrp_derived_asset_is_stale_in(run->lib, a, rec->checksum));
			json_object_set_new(o, "exported_as", json_string(name));
			json_array_append_new(list, o);
			run->summary.assets++;
		} else {
			VRP_LOG_WARNING("export", NULL, "the %s of recording %lld left out: %s",
					vrp_derived_kind_to_string(a->kind), (long long)rec->id,
					vrp_error_last()->message);
		}
		free(name);
	}
	json_object_set_new(record, "derived", list);
	vrp_derived_asset_list_free(assets);
	return rc;
}

static int export_one(struct export_run *run, const vrp_recording *rec)
{
	char *chosen = NULL;
	int rc = export_file(run, rec, &chosen);
	json_t *o = NULL;
	if (rc == 0) {
		o = vrp_recording_json(rec);
		json_object_set_new(o, "exported_as", json_string(chosen));
		if (!run->options->no_assets)
			rc = export_assets(run, rec, chosen, o);
	}
	if (rc == 0) {
		json_array_append_new(run->metadata, o);
		json_object_set_new_nocheck(run->used, chosen, json_true());
		run->summary.exported++;
	} else {
		json_decref(o);
	}
	/* A missing or damaged file is reported and skipped; the rest still goes out. */
	bool left_out = rc == VRP_ENOTFOUND || rc == VRP_ECHECKSUM;
	run->summary.left_out += left_out;
	if (rc < 0)
		VRP_LOG_WARNING("export",
				json_pack("{s:I, s:s}", "recording_id", (json_int_t)rec->id,
					  "error", vrp_error_code_name(rc)),
				"recording %lld not exported: %s", (long long)rec->id,
				vrp_error_last()->message);
	if (run->options->on_each)
		run->options->on_each(run->options->ctx, rec, chosen, rc,
				      rc ? vrp_error_last()->message : NULL);
	free(chosen);
	return left_out ? 0 : rc;
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

/* metadata.json, last, the same way: a temporary file, fsync, rename, fsync the folder. */
static int write_metadata(struct export_run *run)
{
	char temp[64];
	int fd = -1;
	int rc = create_temp(run, temp, &fd);
	if (rc == 0 && json_dumpfd(run->metadata, fd, JSON_INDENT(2) | JSON_SORT_KEYS) != 0)
		rc = vrp_error_set(VRP_EIO, "cannot write %s/%s", run->dir, temp);
	if (rc == 0 && vrp_durable_fsync(fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s/%s", run->dir, temp);
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = vrp_error_from_errno(errno, "cannot write %s/%s", run->dir, temp);
	if (rc == 0)
		rc = rename_into_place(run, temp, "metadata.json", true);
	if (rc < 0 && fd >= 0)
		vrp_durable_unlinkat(run->dir_fd, temp, 0);
	if (rc == 0 && vrp_durable_fsync(run->dir_fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync the folder %s", run->dir);
	return rc;
}

/*
 * Opens and locks the export folder, then removes what a killed run left:
 * with the lock held no other export is writing there, so every temporary
 * file is a dead one's. ".metadata.json.tmp" is an older vrp's.
 */
static int open_folder(struct export_run *run)
{
	int rc = vrp_fs_mkdir_p(run->dir, 0755);
	if (rc < 0)
		return rc;
	run->dir_fd = open(run->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (run->dir_fd < 0)
		return vrp_error_from_errno(errno, "cannot open the folder %s", run->dir);
	/* A filesystem that cannot lock (some network mounts) still gets its export. */
	if (flock(run->dir_fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK)
		return vrp_error_set(VRP_EBUSY, "another export is writing into %s", run->dir);
	int fd = dup(run->dir_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return vrp_error_from_errno(errno, "cannot list the folder %s", run->dir);
	}
	for (const struct dirent *e; (e = readdir(d)) != NULL;)
		if (!strncmp(e->d_name, TEMP_PREFIX, strlen(TEMP_PREFIX)) ||
		    !strcmp(e->d_name, ".metadata.json.tmp"))
			vrp_durable_unlinkat(run->dir_fd, e->d_name, 0);
	closedir(d);
	return 0;
}

static int audit_export(vrp_db *db, void *arg)
{
	struct export_run *run = arg;
	char meta[64];
	snprintf(meta, sizeof(meta), "{\"files\":%lld}", (long long)run->summary.exported);
	return vrp_audit_record(db, "export", 0, NULL, true, meta);
}

int vrp_export(vrp_library *lib, const char *dir, const vrp_export_options *options,
	       vrp_export_summary *summary)
{
	vrp_export_options none = { 0 };
	struct export_run run = { .lib = lib,
				  .dir = dir,
				  .dir_fd = -1,
				  .options = options ? options : &none,
				  .metadata = json_array(),
				  .used = json_object() };
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	VRP_LOG_INFO("export",
		     json_pack("{s:o, s:b}", "dir", vrp_log_string(dir), "include_deleted",
			       run.options->include_deleted),
		     "export started");
	int rc = run.metadata && run.used ? open_folder(&run) : vrp_error_oom();
	if (rc == 0)
		rc = export_all(&run);
	if (rc == 0 && vrp_durable_fsync(run.dir_fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync the folder %s", dir);
	if (rc == 0)
		rc = write_metadata(&run);
	/* A read-only library (mount, full disk) still exports; only the audit entry is lost. */
	if (rc == 0 && vrp_db_is_writable(vrp_library_db(lib)))
		rc = vrp_db_transaction(vrp_library_db(lib), audit_export, &run);
	if (summary)
		*summary = run.summary;
	if (rc == 0)
		VRP_LOG_INFO("export",
			     json_pack("{s:I, s:I, s:I}", "files", (json_int_t)run.summary.exported,
				       "kept", (json_int_t)run.summary.kept, "left_out",
				       (json_int_t)run.summary.left_out),
			     "export finished: %lld file(s), %lld left out",
			     (long long)run.summary.exported, (long long)run.summary.left_out);
	else
		VRP_LOG_ERROR("export",
			      json_pack("{s:I}", "files", (json_int_t)run.summary.exported),
			      "export failed: %s [%s]", vrp_error_last()->message,
			      vrp_error_code_name(rc));
	if (run.dir_fd >= 0)
		close(run.dir_fd);
	json_decref(run.metadata);
	json_decref(run.used);
	vrp_correlation_leave(&scope);
	return rc;
}
