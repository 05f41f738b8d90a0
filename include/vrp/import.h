/*
 * import.h - bringing audio files into a library.
 *
 * A file is copied into the library's tmp/ while its SHA-256 is computed in
 * the same pass, identified by its content (never its extension), fsynced,
 * renamed to recordings/raw/<uuid>.<ext>, and only then described by a row.
 * A crash at any point leaves either nothing or a complete recording (at
 * worst a complete file without its row, which `vrp verify` reports); the
 * partial copies a killed import leaves in tmp/ are removed by the next one.
 *
 * An importer batches files so that many small imports share one filesystem
 * sync and one transaction: each file is still durable before its row
 * commits. Results arrive through a callback, file by file, when their batch
 * commits (or at once for duplicates and rejections).
 */
#ifndef VRP_IMPORT_H
#define VRP_IMPORT_H

#include "vrp/library.h"
#include "vrp/recording.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_import_status {
	VRP_IMPORT_IMPORTED = 0,  /* a new recording */
	VRP_IMPORT_DUPLICATE = 1, /* same content as recording `id`; nothing stored */
	VRP_IMPORT_REJECTED = 2,  /* not stored; `error` says why */
};

/* "imported", "duplicate", "rejected". */
const char *vrp_import_status_to_string(enum vrp_import_status status);

/* The outcome for one file; valid only during the callback. */
typedef struct vrp_import_result {
	const char *path; /* as it was given (or found under a directory) */
	enum vrp_import_status status;
	int64_t id;                /* the new or existing recording; 0 when rejected */
	const char *uuid;          /* NULL when rejected */
	int64_t bytes;             /* the file's size when known */
	int error;                 /* a VRP_E* code when rejected, else 0 */
	const char *error_message; /* NULL unless rejected */
} vrp_import_result;

typedef void (*vrp_import_result_fn)(void *ctx, const vrp_import_result *result);

/* Bytes copied so far of the current file, and of the whole run. */
typedef void (*vrp_import_progress_fn)(void *ctx, const char *path, int64_t file_bytes,
				       int64_t total_bytes);

/* Polled on the importer's thread (see `stop` below); true: stop the import. */
typedef bool (*vrp_import_stop_fn)(void *ctx);

typedef struct vrp_import_options {
	const char *title;       /* NULL: the file name without its extension */
	const char *description; /* NULL: none */
	const char *const *tags; /* tag names given to every imported recording */
	size_t tag_count;
	const char *ingest_source; /* NULL: "import" */
	bool recursive;            /* descend into directories (skipping dot-files) */
	vrp_import_result_fn on_result;
	vrp_import_progress_fn on_progress;
	void *ctx; /* passed to every callback */
	/* A batch commits when it holds this many files or bytes (0: 64 files, 256 MiB). */
	size_t batch_files;
	int64_t batch_bytes;
	/*
	 * Files copied, hashed and identified at once, each on a thread of its
	 * own (0: one per core, at most 4). Callbacks still run only on the
	 * thread that calls the importer.
	 */
	unsigned threads;
	/*
	 * Polled between files and at least every 100 ms while waiting for one
	 * (NULL: never stop). Once it returns true (e.g. after SIGINT), no more
	 * files are staged, copies under way are given up and their partial
	 * files removed, and files staged whole still commit; see
	 * vrp_importer_finish(). Files not imported are not reported. Gets `ctx`.
	 */
	vrp_import_stop_fn stop;
	/*
	 * The derived assets (VRP_DERIVE_KIND bits, vrp/derive.h) queued for
	 * each imported recording, in the same transaction as its row, for
	 * `vrp worker` or `vrp sync` to make: 0 queues the default set
	 * (vrp_derive_kinds_queued()); VRP_DERIVE_NONE queues nothing.
	 */
	unsigned derive_kinds;
	/*
	 * May be NULL. Called on the importer's thread for each new recording
	 * (not for duplicates), its fields filled from the file and the options,
	 * before its row is written: it may change them, and tags it puts in
	 * rec->tags are added with the options' (a pulled recording keeps the
	 * title, dates and tags another device gave it, in the same transaction
	 * as its row). Gets `ctx` and the path as given. A negative return
	 * rejects the file with that code.
	 */
	int (*describe)(void *ctx, const char *path, vrp_recording *rec);
} vrp_import_options;

typedef struct vrp_importer vrp_importer;

/*
 * Starts an import into `lib`. `options` (may be NULL) and the strings it
 * points to must outlive the importer. Free with vrp_importer_free().
 */
int vrp_importer_new(vrp_importer **out, vrp_library *lib, const vrp_import_options *options);

/*
 * Adds one path: a file, or with options->recursive a directory tree. A file
 * that cannot be imported is reported as rejected through on_result and is
 * not an error of this call (so is a row the catalogue refuses: that file
 * alone is rejected); a negative return means the import as a whole
 * cannot go on (e.g. the library's database failed while committing a batch,
 * in which case that batch's files are reported rejected and nothing of them
 * is left on disk).
 *
 * Files are staged in the background: a file's result may be reported by a
 * later call (add, flush or finish), and the file must stay in place until
 * it has been.
 *
 * Once options->stop has asked to stop, returns VRP_ECANCELLED (and adds
 * nothing more); call vrp_importer_finish() to commit what was staged.
 */
int vrp_importer_add(vrp_importer *importer, const char *path);

/*
 * Waits for every file added so far, commits them and reports their results
 * (the import goes on). Returns 0, or an error (VRP_ECANCELLED once stopped)
 * as vrp_importer_add() does.
 */
int vrp_importer_flush(vrp_importer *importer);

/*
 * The correlation id of this import run: the caller's current one when the
 * importer was made, else a new one. Every log line of the run and its audit
 * entry carry it; NULL only when no random id could be made. Owned by `importer`.
 */
const char *vrp_importer_correlation_id(const vrp_importer *importer);

/*
 * Flushes (see above), then appends an "import" entry with the
 * run's counts to the audit log. Call it before vrp_importer_free().
 * Returns VRP_ECANCELLED, once that is done, when options->stop stopped the
 * run: what was reported imported is in the library, the rest is not.
 */
int vrp_importer_finish(vrp_importer *importer);

/* Discards anything batched and not finished (its temporary files are removed). */
void vrp_importer_free(vrp_importer *importer);

/*
 * Imports one file and returns its recording in `*out` (caller frees). Same
 * content already in the library gives VRP_EEXISTS with `*out` set to the
 * existing recording; a rejected file gives its error code and `*out` NULL.
 */
int vrp_recording_create_from_file(vrp_library *lib, const char *path,
				   const vrp_import_options *options, vrp_recording **out);

#ifdef __cplusplus
}
#endif

#endif
