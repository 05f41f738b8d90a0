/*
 * verify_progress_repo.h - the SQL of verify_progress: where an incremental
 * verification stopped (internal).
 *
 * A scope is "local" or "remote:<name>"; the cursor is the last recording
 * id a pass finished, 0 when the next pass starts from the beginning.
 */
#ifndef VRP_DB_VERIFY_PROGRESS_REPO_H
#define VRP_DB_VERIFY_PROGRESS_REPO_H

#include "core/clock.h"
#include "vrp/db.h"

#include <stdint.h>

/* The cursor of `scope` into `*cursor` (0 when none was kept). */
int vrp_verify_progress_repo_get(vrp_db *db, const char *scope, int64_t *cursor);

/* Keeps `cursor` (0: the pass is complete) for `scope`. */
int vrp_verify_progress_repo_set(vrp_db *db, const char *scope, int64_t cursor);

/* When a scheduled pass of `scope` last started, into `out` ("" when never). */
int vrp_verify_progress_repo_last_run(vrp_db *db, const char *scope, char out[VRP_TIME_ISO_LEN]);

/* Records that a scheduled pass of `scope` starts now. */
int vrp_verify_progress_repo_mark_run(vrp_db *db, const char *scope);

#endif
