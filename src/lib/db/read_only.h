/*
 * read_only.h - reading a library that cannot be written (internal).
 *
 * A library on a read-only mount, on a full disk or without write permission
 * is still opened, read-only, so that every reading command works (a user at
 * 100 % must see what to purge). SQLite reads a WAL database read-only when
 * library.db-wal and -shm exist; when even they cannot be created, the file
 * is opened immutable, which is exact only while no WAL holds changes.
 */
#ifndef VRP_DB_READ_ONLY_H
#define VRP_DB_READ_ONLY_H

#include <stdbool.h>

/*
 * Why the database at `path` cannot be written: EROFS (read-only file
 * system), EACCES (no write permission on it or its folder), ENOSPC (its
 * disk is full), or 0 when none of these holds.
 */
int vrp_db_unwritable_reason(const char *path);

/* True when `path`-wal exists with frames in it (or cannot be looked at). */
bool vrp_db_wal_has_content(const char *path);

/* A malloc'd SQLite URI for `path` with `query` ("mode=ro"); NULL when out of memory. */
char *vrp_db_uri(const char *path, const char *query);

/*
 * Records why a write to the database at `path` is refused, for `reason`
 * as vrp_db_unwritable_reason() gives it: VRP_ENOSPC with a hint to free
 * space, else VRP_EREADONLY. Returns the code.
 */
int vrp_db_refuse_write_because(int reason, const char *path);

#endif
