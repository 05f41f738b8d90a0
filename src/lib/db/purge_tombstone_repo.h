/*
 * purge_tombstone_repo.h - what the catalogue remembers of purged content
 * (internal): the sha256 of every purged recording, and the remote deletes a
 * purge queued. `sync pull` asks both before it brings an object in.
 */
#ifndef VRP_DB_PURGE_TOMBSTONE_REPO_H
#define VRP_DB_PURGE_TOMBSTONE_REPO_H

#include "vrp/db.h"

#include <stdbool.h>

/* Remembers that content `sha256` was purged (again: the time moves on). */
int vrp_purge_tombstone_repo_add(vrp_db *db, const char *sha256);

/* Whether content `sha256` was purged; `*out` false for a NULL sha256. */
int vrp_purge_tombstone_repo_exists(vrp_db *db, const char *sha256, bool *out);

/*
 * Whether a queued or running delete task on `remote` names the object by
 * `remote_id` or `remote_path` (either may be NULL): a purge that has not
 * reached the remote yet.
 */
int vrp_purge_tombstone_repo_delete_pending(vrp_db *db, const char *remote, const char *remote_id,
					    const char *remote_path, bool *out);

/* Notes that file `path` (relative to the library root) is to be removed; in the purge's transaction. */
int vrp_purge_tombstone_repo_add_file(vrp_db *db, const char *path);

/*
 * The files still to remove, as a NULL-terminated array of malloc'd paths
 * (free with vrp_purge_tombstone_repo_files_free); an empty array when none.
 */
int vrp_purge_tombstone_repo_list_files(vrp_db *db, char ***out);
void vrp_purge_tombstone_repo_files_free(char **paths);

/* Whether file `path` is on the list: a purge is removing it. */
int vrp_purge_tombstone_repo_file_pending(vrp_db *db, const char *path, bool *out);

/* File `path` is gone: it leaves the list (no error when it was not on it). */
int vrp_purge_tombstone_repo_forget_file(vrp_db *db, const char *path);

#endif
