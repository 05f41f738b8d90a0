/* import_batch.c - commit staged files: sync, rename into place, insert rows. */
#include "services/import_batch.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "db/derive_task_repo.h"
#include "db/metrics_repo.h"
#include "db/recording_repo.h"
#include "db/tag_repo.h"
#include "vrp/derive.h"
#include "vrp/metrics.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void vrp_staged_file_discard(struct vrp_staged_file *file)
{
	if (!file)
		return;
	if (file->tmp_path)
		vrp_durable_unlink(file->tmp_path);
	if (file->lock_fd >= 0)
		close(file->lock_fd);
	free(file->source);
	free(file->tmp_path);
	free(file->final_path);
	free(file->error_message);
	vrp_recording_free(file->rec);
	free(file);
}

struct vrp_staged_file *vrp_import_batch_find(const struct vrp_import_batch *batch,
					      const char *checksum)
{
	for (size_t i = 0; i < batch->count; i++)
		if (!strcmp(batch->files[i]->rec->checksum, checksum))
			return batch->files[i];
	return NULL;
}

/* One syncfs makes every staged file durable at once; a lone file gets its
 * own fsync, which is cheaper than flushing the whole filesystem. */
static int sync_files(struct vrp_import_batch *batch)
{
	if (batch->count == 1 || syncfs(batch->files[0]->lock_fd) != 0) {
		for (size_t i = 0; i < batch->count; i++)
			if (vrp_durable_fsync(batch->files[i]->lock_fd) != 0)
				return vrp_error_from_errno(errno, "cannot sync %s",
							    batch->files[i]->tmp_path);
	}
	return 0;
}

static char *parent_dir(const char *path)
{
	char *dir = strdup(path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash)
		*slash = '\0';
	return dir;
}

static void unplace(struct vrp_import_batch *batch, size_t placed)
{
	for (size_t i = 0; i < placed; i++)
		vrp_durable_unlink(batch->files[i]->final_path);
}

/*
 * A hard link, not a rename: the staging name stays until the row has
 * committed, so a death in between leaves tmp/<uuid>.<pid>.part beside the
 * raw file, and the next sweep (import_tmp.c) knows the raw file is an
 * uncommitted import's and takes it out. A filesystem without hard links
 * gets the rename (and an orphan `vrp verify` reports after such a death).
 */
static int place_one(struct vrp_staged_file *f)
{
	vrp_crashpoint("link");
	if (link(f->tmp_path, f->final_path) == 0)
		return 0;
	if (errno != EPERM && errno != ENOTSUP && errno != EMLINK)
		return -1;
	if (vrp_durable_rename(f->tmp_path, f->final_path) != 0)
		return -1;
	free(f->tmp_path);
	f->tmp_path = NULL;
	return 0;
}

/* Places every file in recordings/raw/, then syncs that directory once. */
static int place_files(struct vrp_import_batch *batch)
{
	size_t placed = 0;
	int rc = 0;
	for (; placed < batch->count; placed++) {
		struct vrp_staged_file *f = batch->files[placed];
		if (place_one(f) != 0) {
			rc = vrp_error_from_errno(errno, "cannot move %s into the library",
						  f->tmp_path);
			break;
		}
	}
	char *raw = parent_dir(batch->files[0]->final_path);
	if (rc == 0)
		rc = raw ? vrp_fs_fsync_dir(raw) : vrp_error_oom();
	free(raw);
	if (rc < 0)
		unplace(batch, placed);
	return rc;
}

/* The rows are in: the staging names are no longer needed to undo anything. */
static void drop_staging_names(struct vrp_import_batch *batch)
{
	for (size_t i = 0; i < batch->count; i++) {
		struct vrp_staged_file *f = batch->files[i];
		if (f->tmp_path)
			vrp_durable_unlink(f->tmp_path);
		free(f->tmp_path);
		f->tmp_path = NULL;
	}
}

struct insert_ctx {
	struct vrp_staged_file *file;
	const vrp_import_options *options;
};

static int insert_one(vrp_db *db, void *arg)
{
	struct insert_ctx *ctx = arg;
	int rc = vrp_recording_repo_insert(db, ctx->file->rec);
	for (size_t i = 0; rc == 0 && i < ctx->options->tag_count; i++)
		rc = vrp_tag_repo_add_to_recording(db, ctx->file->rec->id, ctx->options->tags[i]);
	/* The describe callback's (a pulled recording's own): a name the catalogue
	 * refuses is dropped, and tagging does not count as a change. */
	const vrp_recording *rec = ctx->file->rec;
	for (size_t i = 0; rc == 0 && i < rec->tag_count; i++)
		if ((rc = vrp_tag_repo_add_to_recording(db, rec->id, rec->tags[i])) == VRP_EINVAL)
			rc = 0;
	if (rc == 0 && rec->tag_count)
		rc = vrp_recording_repo_set_modified_at(db, rec->id, rec->modified_at);
	unsigned kinds = ctx->options->derive_kinds & ~VRP_DERIVE_NONE;
	if (rc == 0 && kinds)
		rc = vrp_derive_task_repo_enqueue(db, ctx->file->rec->id, kinds);
	return rc;
}

/* A concurrent import committed the same content first: ours is a duplicate. */
static int mark_duplicate(vrp_db *db, struct vrp_staged_file *file)
{
	vrp_recording *existing = NULL;
	int rc = vrp_recording_repo_get_by_checksum(db, file->rec->checksum, &existing);
	if (rc == 0) {
		file->status = VRP_IMPORT_DUPLICATE;
		file->id = existing->id;
	}
	vrp_recording_free(existing);
	return rc;
}

static void reject(struct vrp_staged_file *file, int code)
{
	file->status = VRP_IMPORT_REJECTED;
	file->error = code;
	free(file->error_message);
	file->error_message = strdup(vrp_error_last()->message);
}

/*
 * Failures of the database itself, which no other row would escape either.
 * Anything else (a row the repository or a constraint refuses) is that one
 * file's rejection: its savepoint is rolled back and the others commit.
 */
static bool fails_the_batch(int rc)
{
	switch (rc) {
	case VRP_ENOMEM:
	case VRP_EIO:
	case VRP_ENOSPC:
	case VRP_EPERM:
	case VRP_EREADONLY:
	case VRP_EBUSY:
	case VRP_ENOTADB:
	case VRP_ECORRUPTDB:
		return true;
	default:
		return false;
	}
}

/* Inserts one file's row in a savepoint of its own; 0 unless the whole batch must fail. */
static int commit_one(vrp_db *db, struct vrp_staged_file *f, const vrp_import_options *options)
{
	struct insert_ctx one = { f, options };
	int rc = vrp_db_transaction(db, insert_one, &one);
	if (rc == VRP_EEXISTS)
		rc = mark_duplicate(db, f);
	else if (rc == 0) {
		f->status = VRP_IMPORT_IMPORTED;
		f->id = f->rec->id;
	}
	if (rc < 0 && !fails_the_batch(rc)) {
		reject(f, rc);
		rc = 0;
	}
	return rc;
}

struct commit_ctx {
	struct vrp_import_batch *batch;
	const vrp_import_options *options;
	int64_t duplicates, rejects;
};

/* Every outcome is counted, also of a run that found only duplicates or rejections. */
static int count_outcomes(vrp_db *db, int64_t imported, int64_t duplicates, int64_t rejects)
{
	int rc = imported ? vrp_metrics_repo_increment(db, VRP_METRIC_IMPORTS, imported, NULL) : 0;
	if (rc == 0 && duplicates)
		rc = vrp_metrics_repo_increment(db, VRP_METRIC_DUPLICATES, duplicates, NULL);
	if (rc == 0 && rejects)
		rc = vrp_metrics_repo_increment(db, VRP_METRIC_REJECTS, rejects, NULL);
	return rc;
}

static int insert_rows(vrp_db *db, void *arg)
{
	struct commit_ctx *ctx = arg;
	int64_t imported = 0, duplicates = ctx->duplicates, rejects = ctx->rejects;
	for (size_t i = 0; i < ctx->batch->count; i++) {
		struct vrp_staged_file *f = ctx->batch->files[i];
		int rc = commit_one(db, f, ctx->options);
		if (rc < 0)
			return rc;
		imported += f->status == VRP_IMPORT_IMPORTED;
		duplicates += f->status == VRP_IMPORT_DUPLICATE;
		rejects += f->status == VRP_IMPORT_REJECTED;
	}
	return count_outcomes(db, imported, duplicates, rejects);
}

static void reject_all(struct vrp_import_batch *batch, int code)
{
	for (size_t i = 0; i < batch->count; i++)
		reject(batch->files[i], code);
}

/* Makes every staged file durable under its final name. */
static int place_batch(struct vrp_import_batch *batch)
{
	int rc = sync_files(batch);
	return rc < 0 ? rc : place_files(batch);
}

int vrp_import_batch_commit(vrp_library *lib, struct vrp_import_batch *batch,
			    const vrp_import_options *options, int64_t duplicates, int64_t rejects)
{
	if (batch->count == 0 && duplicates == 0 && rejects == 0)
		return 0;
	int rc = batch->count ? place_batch(batch) : 0;
	if (rc == 0) {
		struct commit_ctx ctx = { batch, options, duplicates, rejects };
		rc = vrp_db_transaction(vrp_library_db(lib), insert_rows, &ctx);
		if (rc < 0) {
			/* Nothing may point at these files now: take them back out. */
			unplace(batch, batch->count);
		}
	}
	if (rc < 0) {
		reject_all(batch, rc);
		return rc;
	}
	for (size_t i = 0; i < batch->count; i++)
		if (batch->files[i]->status != VRP_IMPORT_IMPORTED)
			vrp_durable_unlink(batch->files[i]->final_path);
	drop_staging_names(batch);
	return 0;
}
