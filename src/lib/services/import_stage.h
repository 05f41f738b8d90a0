/*
 * import_stage.h - staging files for the importer on worker threads (internal).
 *
 * Staging a file - copying it into the library's tmp/ while hashing it,
 * then identifying it by its content - is most of an import's work, and it
 * needs nothing from the catalogue. So a stager runs it for several files at
 * once, on up to one thread per core, and hands the results back in the
 * order the files were submitted; the importer does everything that reads
 * or writes the database on its own thread. On two cores this brings an
 * import of a thousand short memos from about 0.9 s to about 0.5 s.
 */
#ifndef VRP_SERVICES_IMPORT_STAGE_H
#define VRP_SERVICES_IMPORT_STAGE_H

#include "core/filecopy.h"
#include "core/uuid.h"
#include "media/probe.h"
#include "vrp/library.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vrp_staged_file;

/* One submitted file; the fields below `size` are set by the worker before the job is done. */
struct vrp_stage_job {
	struct vrp_stage_job *next;
	struct vrp_staged_file
		*file;       /* source set at submission; tmp_path and lock_fd when staged */
	int64_t size;        /* the source's size, 0 if it could not be read */
	int64_t mtime_ms;    /* the source's modification time (Unix ms), 0 if unknown */
	int rc;              /* 0, or the VRP_E* code that rejected the file */
	char *error_message; /* set when rc < 0 */
	char uuid[VRP_UUID_LEN];
	struct vrp_copy_result copy;
	struct vrp_media_info media;
	_Atomic int64_t copied; /* bytes copied so far, for progress */
	int state;              /* the stager's, under its lock */
};

struct vrp_stager;

/*
 * Makes a stager for `lib` running at most `threads` workers (0: one per
 * online core, at most 4), started as submissions need them. Returns 0 or
 * VRP_ENOMEM.
 */
int vrp_stager_new(struct vrp_stager **out, vrp_library *lib, unsigned threads);

/* Stops the workers after their current file and discards every job not taken. NULL is a no-op. */
void vrp_stager_free(struct vrp_stager *stager);

/*
 * Gives up every file not staged yet: a copy under way stops at its next
 * chunk, and each such job (and every one submitted later) ends with
 * VRP_ECANCELLED, its partial copy removed when the job is freed. Jobs
 * already staged stay as they are. Safe to call from any thread.
 */
void vrp_stager_cancel(struct vrp_stager *stager);

/* Whether as many files are in flight as the stager holds; take one before submitting more. */
bool vrp_stager_full(const struct vrp_stager *stager);

/* Files submitted and not yet taken. */
size_t vrp_stager_pending(const struct vrp_stager *stager);

/* Queues `path` (copied) for staging. Returns 0, VRP_ENOMEM, or the error starting a thread. */
int vrp_stager_submit(struct vrp_stager *stager, const char *path);

/*
 * The oldest submitted job once it is done, waiting at most `timeout_ms`
 * for it (0: not at all); NULL when it is not done yet or nothing is
 * pending. The caller owns the job: vrp_stage_job_free().
 */
struct vrp_stage_job *vrp_stager_take(struct vrp_stager *stager, int timeout_ms);

/* The oldest pending job's path and bytes copied, and the bytes copied by all pending jobs. */
const char *vrp_stager_progress(struct vrp_stager *stager, int64_t *oldest_bytes,
				int64_t *all_bytes);

/* Frees a job and its staged file (removing the temporary file). NULL is a no-op. */
void vrp_stage_job_free(struct vrp_stage_job *job);

#endif
