/*
 * import_tmp.h - an import's staging files, and telling whose they are (internal).
 *
 * A file being imported is written as tmp/<uuid>.<pid>.part by import
 * process <pid>, which holds an exclusive flock(2) on it from its creation
 * until its row has committed (or it was given up), also once it has been
 * renamed into recordings/raw/. So a file some process holds a lock on
 * belongs to a live import, whatever `vrp verify` or another import make of
 * it. A staging file nobody holds is debris of an import that died (kill -9,
 * a second Ctrl-C, a power cut) when the pid in its name is gone, or when it
 * has no pid in its name (an older vrp's, or not an import's at all). While
 * its pid lives (its owner, between creating the file and locking it, or
 * another process the pid was given to) it is debris only once it is
 * STALE_AFTER_SECONDS old.
 */
#ifndef VRP_SERVICES_IMPORT_TMP_H
#define VRP_SERVICES_IMPORT_TMP_H

#include "vrp/library.h"

#include <stdbool.h>
#include <stdint.h>

/*
 * Creates `lib`'s staging file for `uuid`, locked; sets `*path` (caller
 * frees) and `*fd` (the lock lasts as long as it is open). Returns 0 or a
 * negative code with the error set.
 */
int vrp_import_tmp_create(vrp_library *lib, const char *uuid, char **path, int *fd);

/* Whether a live import holds the file at `path` (false when it cannot be opened). */
bool vrp_import_file_is_live(const char *path);

/* Whether tmp/ entry `name`, at `path`, is a staging file left by an import that is gone. */
bool vrp_import_tmp_is_stale(const char *path, const char *name);

/*
 * Removes every stale staging file from `lib`'s tmp/ (see above), counting
 * them into `*removed`; files of live imports are left alone. Returns 0, or
 * a negative code when tmp/ cannot be read.
 */
int vrp_import_tmp_clean(vrp_library *lib, int64_t *removed);

/*
 * vrp_import_tmp_clean, logging what it did as `component`: every command that
 * stages files (import, pull, derive, sync) starts with it, so a killed run's
 * debris is gone after the next run of the same command.
 */
void vrp_import_tmp_sweep(vrp_library *lib, const char *component);

#endif
