/* import.c - the importer: walk the given paths, stage each file, batch commits. */
#include "vrp/import.h"

#include "vrp/derive.h"

#include "core/error_set.h"
#include "core/filecopy.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "core/ptrarray.h"
#include "core/clock.h"
#include "core/test_hook.h"
#include "core/uuid.h"
#include "db/recording_repo.h"
#include "media/probe.h"
#include "services/activity.h"
#include "services/audit.h"
#include "services/import_batch.h"
#include "services/import_stage.h"
#include "services/import_tmp.h"
#include "vrp/version.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BATCH_FILES 64
#define DEFAULT_BATCH_BYTES (256LL << 20)
/* How often progress is reported while waiting for a file being staged. */
#define PROGRESS_MS 100

struct vrp_importer {
	vrp_library *lib;
	vrp_import_options options;
	struct vrp_stager *stager;
	struct vrp_import_batch batch;
	int64_t total_bytes;        /* copied so far in this run */
	int64_t pending_duplicates; /* counted into metrics with the next commit */
	int64_t pending_rejects;
	int64_t imported, duplicates, rejected; /* this run's outcomes, for the log and the audit */
	int64_t started_ms;
	bool stopped; /* options.stop asked to stop: nothing more is staged */
	struct vrp_activity *activity; /* how far the run got, for other processes */
	char correlation_id[VRP_CORRELATION_ID_LEN]; /* every log line and audit entry of the run */
};

const char *vrp_import_status_to_string(enum vrp_import_status status)
{
	switch (status) {
	case VRP_IMPORT_IMPORTED:
		return "imported";
	case VRP_IMPORT_DUPLICATE:
		return "duplicate";
	case VRP_IMPORT_REJECTED:
		return "rejected";
	}
	return NULL;
}

/* What a killed import left in tmp/ goes now, not at the next `verify --fix`. */
int vrp_importer_new(vrp_importer **out, vrp_library *lib, const vrp_import_options *options)
{
	*out = NULL;
	vrp_importer *imp = calloc(1, sizeof(*imp));
	if (!imp)
		return vrp_error_oom();
	imp->lib = lib;
	if (options)
		imp->options = *options;
	if (!imp->options.batch_files)
		imp->options.batch_files = DEFAULT_BATCH_FILES;
	if (imp->options.batch_bytes <= 0)
		imp->options.batch_bytes = DEFAULT_BATCH_BYTES;
	if (!imp->options.ingest_source)
		imp->options.ingest_source = "import";
	if (!imp->options.derive_kinds)
		imp->options.derive_kinds = vrp_derive_kinds_queued(lib);
	imp->started_ms = vrp_time_now_ms();
	imp->activity = vrp_activity_begin(vrp_library_root(lib), "import");
	int rc = vrp_stager_new(&imp->stager, lib, imp->options.threads);
	if (rc < 0) {
		vrp_activity_end(imp->activity);
		free(imp);
		return rc;
	}
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	const char *id = vrp_correlation_current();
	snprintf(imp->correlation_id, sizeof(imp->correlation_id), "%s", id ? id : "");
	VRP_LOG_INFO("import",
		     json_pack("{s:b, s:I, s:s}", "recursive", imp->options.recursive, "tags",
			       (json_int_t)imp->options.tag_count, "ingest_source",
			       imp->options.ingest_source),
		     "import started");
	vrp_import_tmp_sweep(lib, "import");
	vrp_correlation_leave(&scope);
	*out = imp;
	return 0;
}

const char *vrp_importer_correlation_id(const vrp_importer *imp)
{
	return imp->correlation_id[0] ? imp->correlation_id : NULL;
}

/*
 * Paths go into the context only, where they are kept apart from the message.
 * A pulled file's temporary name is its remote name, which carries its title.
 */
static void log_result(const vrp_importer *imp, const vrp_import_result *r)
{
	bool pulled = strncmp(imp->options.ingest_source, "cloud:", 6) == 0;
	bool rejected = r->status == VRP_IMPORT_REJECTED;
	if (!vrp_log_enabled(rejected ? VRP_LOG_LEVEL_WARNING : VRP_LOG_LEVEL_INFO))
		return;
	json_t *context =
		json_pack("{s:o, s:s, s:I, s:I}", "path",
			  pulled ? vrp_log_titled_path(r->path) : vrp_log_string(r->path), "status",
			  vrp_import_status_to_string(r->status), "recording_id", (json_int_t)r->id,
			  "bytes", (json_int_t)r->bytes);
	if (r->status == VRP_IMPORT_REJECTED) {
		json_object_set_new(context, "error", json_string(vrp_error_code_name(r->error)));
		VRP_LOG_WARNING("import", context, "rejected: %s [%s]",
				r->error_message ? r->error_message : "",
				vrp_error_code_name(r->error));
	} else if (r->status == VRP_IMPORT_DUPLICATE) {
		VRP_LOG_INFO("import", context, "duplicate of recording %lld", (long long)r->id);
	} else {
		VRP_LOG_INFO("import", context, "imported as recording %lld", (long long)r->id);
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The run so far, and the file it is at, for another process's page. */
static void tell_activity(vrp_importer *imp, const char *path, int64_t bytes_done)
{
	if (!imp->activity)
		return;
	vrp_activity_update(imp->activity,
			    json_pack("{s:I, s:I, s:I, s:I, s:s?}", "imported",
				      (json_int_t)imp->imported, "duplicates",
				      (json_int_t)imp->duplicates, "rejected",
				      (json_int_t)imp->rejected, "bytes_done", (json_int_t)bytes_done,
				      "file", path ? base_name(path) : NULL),
			    true);
}

static void report(vrp_importer *imp, const vrp_import_result *result)
{
	imp->imported += result->status == VRP_IMPORT_IMPORTED;
	imp->duplicates += result->status == VRP_IMPORT_DUPLICATE;
	imp->rejected += result->status == VRP_IMPORT_REJECTED;
	log_result(imp, result);
	tell_activity(imp, result->path, imp->total_bytes);
	vrp_test_hook("import.result"); /* a slow run, for tests of the progress seen outside */
	if (imp->options.on_result)
		imp->options.on_result(imp->options.ctx, result);
}

static void report_rejected(vrp_importer *imp, const char *path, int code, const char *message,
			    int64_t bytes)
{
	vrp_import_result r = { .path = path,
				.status = VRP_IMPORT_REJECTED,
				.bytes = bytes,
				.error = code,
				.error_message = message };
	imp->pending_rejects++;
	report(imp, &r);
}

static void report_staged(vrp_importer *imp, const struct vrp_staged_file *f)
{
	vrp_import_result r = { .path = f->source,
				.status = f->status,
				.bytes = f->rec->filesize_bytes };
	if (f->status == VRP_IMPORT_REJECTED) {
		r.error = f->error;
		r.error_message = f->error_message ? f->error_message : "";
	} else {
		r.id = f->id;
		r.uuid = f->status == VRP_IMPORT_IMPORTED ? f->rec->uuid : NULL;
	}
	report(imp, &r);
}

static int flush(vrp_importer *imp)
{
	struct vrp_import_batch *b = &imp->batch;
	int rc = vrp_import_batch_commit(imp->lib, b, &imp->options, imp->pending_duplicates,
					 imp->pending_rejects);
	if (rc == 0)
		imp->pending_duplicates = imp->pending_rejects = 0;
	else /* the batch's files are rejected: counted with the next commit that works */
		imp->pending_rejects += (int64_t)b->count;
	if (b->count)
		VRP_LOG_DEBUG("import",
			      json_pack("{s:I, s:I}", "files", (json_int_t)b->count, "bytes",
					(json_int_t)b->bytes),
			      "batch of %zu file(s) %s", b->count,
			      rc == 0 ? "committed" : "failed");
	for (size_t i = 0; i < b->count; i++) {
		report_staged(imp, b->files[i]);
		vrp_staged_file_discard(b->files[i]);
	}
	b->count = 0;
	b->bytes = 0;
	return rc;
}

static char *default_title(const char *path)
{
	const char *name = base_name(path);
	const char *dot = strrchr(name, '.');
	size_t len = dot && dot != name ? (size_t)(dot - name) : strlen(name);
	return strndup(name, len);
}

/*
 * When it was recorded: what the container says, else the file's mtime
 * (phones and recorders keep it through a copy). A pulled file's mtime is
 * the download's, so it is left to the import time.
 */
static int fill_recorded_at(vrp_recording *r, const struct vrp_media_info *media, int64_t mtime_ms,
			    const char *ingest_source)
{
	char mtime[VRP_TIME_ISO_LEN];
	const char *at = media->recorded_at[0] ? media->recorded_at : NULL;
	const char *source = at ? media->recorded_at_source : NULL;
	if (!at && mtime_ms > 0 && strncmp(ingest_source, "cloud:", 6) != 0) {
		vrp_time_format_iso(mtime_ms, mtime);
		at = mtime;
		source = "mtime";
	}
	if (!at)
		return 0;
	r->recorded_at = strdup(at);
	r->recorded_at_source = strdup(source);
	return r->recorded_at && r->recorded_at_source ? 0 : vrp_error_oom();
}

static int fill_record(vrp_importer *imp, struct vrp_staged_file *f, const char *uuid,
		       const struct vrp_copy_result *copy, const struct vrp_media_info *media,
		       int64_t mtime_ms)
{
	vrp_recording *r = f->rec;
	char stored[64], local[96];
	snprintf(stored, sizeof(stored), "%s.%s", uuid, media->extension);
	snprintf(local, sizeof(local), "recordings/raw/%s", stored);
	const vrp_import_options *o = &imp->options;
	r->uuid = strdup(uuid);
	r->original_filename = strdup(base_name(f->source));
	r->stored_filename = strdup(stored);
	r->local_path = strdup(local);
	/* A title given wins; else the file's own title tag; else its name. */
	r->title = o->title          ? strdup(o->title)
		   : media->title[0] ? strdup(media->title)
				     : default_title(f->source);
	r->description = strdup(o->description ? o->description : "");
	r->duration = media->duration;
	r->filesize_bytes = copy->bytes;
	r->mime_type = strdup(media->mime_type);
	r->codec = strdup(media->codec);
	r->sample_rate = media->sample_rate;
	r->channels = media->channels;
	r->bit_depth = media->bit_depth;
	r->checksum = strdup(copy->sha256);
	r->ingest_source = strdup(o->ingest_source);
	r->created_by_app_version = strdup(vrp_version());
	f->final_path = vrp_library_path(imp->lib, local);
	if (fill_recorded_at(r, media, mtime_ms, o->ingest_source) < 0)
		return vrp_error_oom();
	bool ok = r->uuid && r->original_filename && r->stored_filename && r->local_path &&
		  r->title && r->description && r->mime_type && r->codec && r->checksum &&
		  r->ingest_source && r->created_by_app_version && f->final_path;
	return ok ? 0 : vrp_error_oom();
}

static void report_duplicate(vrp_importer *imp, const char *path, const vrp_recording *existing,
			     int64_t bytes)
{
	vrp_import_result r = { .path = path,
				.status = VRP_IMPORT_DUPLICATE,
				.bytes = bytes,
				.id = existing->id,
				.uuid = existing->uuid };
	imp->pending_duplicates++;
	report(imp, &r);
}

/*
 * Progress of the file being staged longest (or of `done`, just taken back,
 * when none is); the total counts what every staging file has copied so far.
 */
static void report_progress(vrp_importer *imp, const struct vrp_stage_job *done)
{
	if (!imp->options.on_progress && !imp->activity)
		return;
	int64_t oldest = 0, copying = 0;
	const char *path = vrp_stager_progress(imp->stager, &oldest, &copying);
	if (!path && done) {
		path = done->file->source;
		oldest = done->copy.bytes;
	}
	if (path && imp->options.on_progress)
		imp->options.on_progress(imp->options.ctx, path, oldest,
					 imp->total_bytes + copying);
	if (path)
		tell_activity(imp, path, imp->total_bytes + copying);
}

/* Whether the caller asked to stop; from then on nothing more is staged. */
static bool stop_requested(vrp_importer *imp)
{
	if (!imp->stopped && imp->options.stop && imp->options.stop(imp->options.ctx)) {
		imp->stopped = true;
		vrp_stager_cancel(imp->stager);
		VRP_LOG_INFO("import", NULL, "import interrupted: committing what is staged whole");
	}
	return imp->stopped;
}

static int interrupted(void) { return vrp_error_set(VRP_ECANCELLED, "the import was interrupted"); }

/* Batches a staged file, unless it is a duplicate; the job's staged file moves to the batch. */
static int batch_staged(vrp_importer *imp, struct vrp_stage_job *job)
{
	struct vrp_staged_file *f = job->file;
	vrp_db *db = vrp_library_db(imp->lib);
	int rc = 0;
	/* A twin still in this batch has no id to report yet: commit the batch first. */
	if (vrp_import_batch_find(&imp->batch, job->copy.sha256))
		rc = flush(imp);
	if (rc == 0 && vrp_recording_repo_get_by_checksum(db, job->copy.sha256, &f->rec) == 0) {
		report_duplicate(imp, f->source, f->rec, job->copy.bytes);
		return 0;
	}
	if (rc == 0)
		rc = vrp_recording_new(&f->rec);
	if (rc == 0)
		rc = fill_record(imp, f, job->uuid, &job->copy, &job->media, job->mtime_ms);
	if (rc == 0 && imp->options.describe)
		rc = imp->options.describe(imp->options.ctx, f->source, f->rec);
	if (rc == 0)
		rc = vrp_ptr_array_reserve(&imp->batch.files, &imp->batch.capacity,
					   imp->batch.count + 1);
	if (rc < 0) {
		report_rejected(imp, f->source, rc, vrp_error_last()->message, job->size);
		return rc == VRP_ENOMEM ? rc : 0;
	}
	imp->batch.files[imp->batch.count++] = f;
	imp->batch.bytes += job->copy.bytes;
	job->file = NULL;
	if (imp->batch.count >= imp->options.batch_files ||
	    imp->batch.bytes >= imp->options.batch_bytes)
		return flush(imp);
	return 0;
}

/* Takes back one staged file: reports it if it was refused, else batches it. */
static int take_back(vrp_importer *imp, struct vrp_stage_job *job)
{
	int rc = 0;
	/* Copied, even if it is then refused: the progress total must never go back. */
	imp->total_bytes += atomic_load(&job->copied);
	if (job->rc == VRP_ECANCELLED && imp->stopped) {
		/* Given up, not rejected: one of "the rest". */
	} else if (job->rc < 0) {
		report_rejected(imp, job->file->source, job->rc,
				job->error_message ? job->error_message : "", job->size);
	} else {
		report_progress(imp, job);
		rc = batch_staged(imp, job);
	}
	vrp_stage_job_free(job);
	return rc;
}

/*
 * Takes back every file staged so far, in the order they were added; with
 * `wait`, also those still being staged (reporting progress meanwhile), and
 * otherwise waits only while the stager is full. Once stopped, it waits for
 * every file: those given up end at once.
 */
static int take_staged(vrp_importer *imp, bool wait)
{
	while (vrp_stager_pending(imp->stager)) {
		bool must = wait || vrp_stager_full(imp->stager) || stop_requested(imp);
		struct vrp_stage_job *job = vrp_stager_take(imp->stager, must ? PROGRESS_MS : 0);
		if (!job && !must)
			return 0;
		if (!job) {
			stop_requested(imp);
			report_progress(imp, NULL);
			continue;
		}
		int rc = take_back(imp, job);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int add_file(vrp_importer *imp, const char *path)
{
	int rc = vrp_stager_submit(imp->stager, path);
	return rc < 0 ? rc : take_staged(imp, false);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The visible entries of `dir`, sorted, so imports run in a stable order. */
static int list_dir(const char *dir, char ***names, size_t *count)
{
	*names = NULL;
	*count = 0;
	DIR *d = opendir(dir);
	if (!d)
		return vrp_error_from_errno(errno, "cannot read the directory %s", dir);
	size_t capacity = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		rc = vrp_ptr_array_reserve(names, &capacity, *count + 1);
		if (rc == 0 && !((*names)[*count] = strdup(e->d_name)))
			rc = vrp_error_oom();
		if (rc == 0)
			(*count)++;
	}
	closedir(d);
	if (rc == 0 && *count)
		qsort(*names, *count, sizeof(**names), by_name);
	return rc;
}

static int add_path(vrp_importer *imp, const char *path, bool top);

static int add_tree(vrp_importer *imp, const char *dir)
{
	char **names = NULL;
	size_t count = 0;
	int rc = list_dir(dir, &names, &count);
	if (rc < 0)
		report_rejected(imp, dir, rc, vrp_error_last()->message, 0);
	for (size_t i = 0; rc == 0 && i < count && !stop_requested(imp); i++) {
		char *child = vrp_path_join(dir, names[i]);
		rc = child ? add_path(imp, child, false) : vrp_error_oom();
		free(child);
	}
	for (size_t i = 0; i < count; i++)
		free(names[i]);
	free(names);
	return rc < 0 && rc != VRP_ENOMEM ? 0 : rc;
}

/* Directories found while walking are entered only if they are real ones:
 * following a symlinked directory could loop. */
static int add_path(vrp_importer *imp, const char *path, bool top)
{
	struct stat st;
	int found = top ? stat(path, &st) : lstat(path, &st);
	if (found == 0 && S_ISDIR(st.st_mode)) {
		if (imp->options.recursive)
			return add_tree(imp, path);
		int code = vrp_error_set(
			VRP_ENOTFILE, "%s is a directory (use -r to import what it holds)", path);
		report_rejected(imp, path, code, vrp_error_last()->message, 0);
		return 0;
	}
	return add_file(imp, path);
}

int vrp_importer_add(vrp_importer *imp, const char *path)
{
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, vrp_importer_correlation_id(imp));
	int rc = stop_requested(imp) ? 0 : add_path(imp, path, true);
	if (rc == 0 && imp->stopped)
		rc = interrupted();
	vrp_correlation_leave(&scope);
	return rc;
}

static int audit_import(vrp_db *db, void *arg)
{
	const vrp_importer *imp = arg;
	char meta[160];
	snprintf(meta, sizeof(meta), "{\"imported\":%lld,\"duplicates\":%lld,\"rejected\":%lld%s}",
		 (long long)imp->imported, (long long)imp->duplicates, (long long)imp->rejected,
		 imp->stopped ? ",\"interrupted\":true" : "");
	return vrp_audit_record(db, "import", 0, NULL, true, meta);
}

static void log_finish(const vrp_importer *imp, int rc)
{
	bool failed = rc < 0 && rc != VRP_ECANCELLED;
	if (!vrp_log_enabled(failed ? VRP_LOG_LEVEL_ERROR : VRP_LOG_LEVEL_INFO))
		return;
	json_t *context =
		json_pack("{s:I, s:I, s:I, s:I, s:I}", "imported", (json_int_t)imp->imported,
			  "duplicates", (json_int_t)imp->duplicates, "rejected",
			  (json_int_t)imp->rejected, "bytes", (json_int_t)imp->total_bytes,
			  "elapsed_ms", (json_int_t)(vrp_time_now_ms() - imp->started_ms));
	if (failed)
		VRP_LOG_ERROR("import", context, "import failed: %s [%s]",
			      vrp_error_last()->message, vrp_error_code_name(rc));
	else
		VRP_LOG_INFO("import", context,
			     "import %s: %lld imported, %lld duplicate, %lld rejected",
			     rc < 0 ? "interrupted" : "finished", (long long)imp->imported,
			     (long long)imp->duplicates, (long long)imp->rejected);
}

static int take_and_commit_all(vrp_importer *imp)
{
	int rc = take_staged(imp, true);
	return rc < 0 ? rc : flush(imp);
}

int vrp_importer_flush(vrp_importer *imp)
{
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, vrp_importer_correlation_id(imp));
	int rc = take_and_commit_all(imp);
	if (rc == 0 && imp->stopped)
		rc = interrupted();
	vrp_correlation_leave(&scope);
	return rc;
}

int vrp_importer_finish(vrp_importer *imp)
{
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, vrp_importer_correlation_id(imp));
	int rc = take_and_commit_all(imp);
	if (rc == 0 && (imp->imported || imp->duplicates || imp->rejected || imp->stopped))
		rc = vrp_db_transaction(vrp_library_db(imp->lib), audit_import, imp);
	if (rc == 0 && imp->stopped)
		rc = interrupted();
	log_finish(imp, rc);
	vrp_correlation_leave(&scope);
	return rc;
}

void vrp_importer_free(vrp_importer *imp)
{
	if (!imp)
		return;
	vrp_stager_free(imp->stager);
	vrp_activity_end(imp->activity);
	for (size_t i = 0; i < imp->batch.count; i++)
		vrp_staged_file_discard(imp->batch.files[i]);
	free(imp->batch.files);
	free(imp);
}

struct single {
	vrp_library *lib;
	vrp_recording **out;
	int rc;
};

static void on_single_result(void *arg, const vrp_import_result *r)
{
	struct single *s = arg;
	if (r->status == VRP_IMPORT_REJECTED) {
		s->rc = r->error;
		return;
	}
	vrp_db *db = vrp_library_db(s->lib);
	s->rc = r->id ? vrp_recording_repo_get_by_id(db, r->id, s->out)
		      : vrp_recording_repo_get_by_uuid(db, r->uuid, s->out);
	if (s->rc == 0 && r->status == VRP_IMPORT_DUPLICATE)
		s->rc = vrp_error_set(VRP_EEXISTS, "%s has the same content as recording %lld",
				      r->path, (long long)(*s->out)->id);
}

int vrp_recording_create_from_file(vrp_library *lib, const char *path,
				   const vrp_import_options *options, vrp_recording **out)
{
	*out = NULL;
	struct single s = { lib, out, 0 };
	vrp_import_options o = options ? *options : (vrp_import_options){ 0 };
	o.on_result = on_single_result;
	o.ctx = &s;
	o.recursive = false;
	vrp_importer *imp = NULL;
	int rc = vrp_importer_new(&imp, lib, &o);
	if (rc == 0)
		rc = vrp_importer_add(imp, path);
	if (rc == 0)
		rc = vrp_importer_finish(imp);
	vrp_importer_free(imp);
	if (rc == 0)
		rc = s.rc;
	if (rc < 0 && rc != VRP_EEXISTS) {
		vrp_recording_free(*out);
		*out = NULL;
	}
	return rc;
}
