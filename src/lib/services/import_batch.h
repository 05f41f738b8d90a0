/*
 * import_batch.h - files staged for import, and committing them (internal).
 *
 * A staged file sits complete in tmp/ under an exclusive lock (so `vrp verify
 * --fix` never mistakes it for debris of a crash) with its recording row
 * prepared. Committing a batch syncs the files, renames them into
 * recordings/raw/, syncs that directory, and inserts the rows in one
 * transaction, each in a savepoint of its own; if the transaction fails the
 * placed files are removed again, and so is the file of a row refused alone.
 */
#ifndef VRP_SERVICES_IMPORT_BATCH_H
#define VRP_SERVICES_IMPORT_BATCH_H

#include "vrp/import.h"

#include <stddef.h>
#include <stdint.h>

struct vrp_staged_file {
	char *source;     /* the path as given */
	char *tmp_path;   /* <root>/tmp/<uuid>.<pid>.part, locked by lock_fd (import_tmp.h) */
	char *final_path; /* <root>/recordings/raw/<uuid>.<ext> */
	int lock_fd;
	vrp_recording *rec;            /* the row to insert; local_path relative to the root */
	enum vrp_import_status status; /* set by the commit */
	int64_t id;
	int error;
	char *error_message;
};

struct vrp_import_batch {
	struct vrp_staged_file **files;
	size_t count;
	size_t capacity;
	int64_t bytes;
};

/* Removes a staged file's temporary file and frees it; NULL is a no-op. */
void vrp_staged_file_discard(struct vrp_staged_file *file);

/* The staged file holding `checksum`, or NULL. */
struct vrp_staged_file *vrp_import_batch_find(const struct vrp_import_batch *batch,
					      const char *checksum);

/*
 * Commits every staged file of `batch` into `lib` (see above), filling in
 * each file's status, id and error, and counts the run's outcomes into the
 * metrics: the batch's and the `duplicates` and `rejects` found before it
 * (an empty batch still counts those). A row the catalogue refuses rejects
 * that file alone, with the repository's code; the others commit. Returns 0
 * when the batch's transaction committed (some files may be duplicates
 * found by a concurrent import, or rejected), or the failure of the
 * database that made the whole batch fail.
 */
int vrp_import_batch_commit(vrp_library *lib, struct vrp_import_batch *batch,
			    const vrp_import_options *options, int64_t duplicates, int64_t rejects);

#endif
