/*
 * db.h - the library's SQLite database: connection, transactions, schema
 * version, integrity check and backups.
 *
 * A vrp_db is one connection; use it from one thread at a time. Several
 * processes may open the same database: writers are serialised by SQLite's
 * lock, and a writer waits up to the busy timeout before failing with
 * VRP_EBUSY.
 */
#ifndef VRP_DB_H
#define VRP_DB_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_db vrp_db;

enum vrp_db_flags {
	VRP_DB_CREATE = 1 << 0,   /* create the file when it does not exist */
	VRP_DB_READONLY = 1 << 1, /* open for reading only; never write to the file */
};

/* The busy timeout a new connection gets, in milliseconds. */
#define VRP_DB_DEFAULT_BUSY_TIMEOUT_MS 5000

/*
 * Opens the database at `path` into `*out`, with foreign keys enforced, the
 * default busy timeout, and WAL journaling (unless read-only). A library
 * that cannot be written (see vrp_db_is_writable) is opened read-only.
 *
 * The schema is neither created nor upgraded here; see vrp_db_migrate(). A
 * database whose schema version is newer than this program is refused with
 * VRP_ESCHEMA_TOO_NEW before anything is written to it. A file that is not
 * SQLite gives VRP_ENOTADB; a missing file without VRP_DB_CREATE gives
 * VRP_ENOTFOUND. The caller owns `*out` and releases it with vrp_db_close().
 */
int vrp_db_open(vrp_db **out, const char *path, unsigned flags);

/*
 * False when the library could only be opened for reading, because its file
 * system is mounted read-only, its disk is full or its files are not
 * writable by this user. Reading works as usual; every write transaction is
 * refused with VRP_EREADONLY (VRP_ENOSPC for a full disk) saying why.
 */
bool vrp_db_is_writable(const vrp_db *db);

/* Closes the connection; NULL is a no-op. */
void vrp_db_close(vrp_db *db);

/* The path the database was opened with; owned by `db`. */
const char *vrp_db_path(const vrp_db *db);

/*
 * Sets how long a writer waits for another connection's lock (of this
 * process or another) before VRP_EBUSY. A commit in this process wakes its
 * waiters at once; others are looked for every millisecond.
 */
int vrp_db_set_busy_timeout(vrp_db *db, int milliseconds);

/*
 * Whether each commit on this connection reaches the disk before it returns
 * (true, the default) or only with the next commit that does, or the next
 * checkpoint. Unflushed commits survive a crash of the process, not a power
 * loss. For bookkeeping that is redone when lost (a sync worker's claims and
 * status marks, each an fsync that cost more than the transfer of a small
 * file); what must survive is committed with flushing on, which also
 * flushes the commits before it.
 */
int vrp_db_set_flush_commits(vrp_db *db, bool flush);

/*
 * Runs `fn(db, ctx)` inside a write transaction (BEGIN IMMEDIATE, so the
 * write lock is taken up front and a busy database fails before any work).
 * When `fn` returns 0 the transaction commits; when it returns a negative
 * code, or the commit fails, everything `fn` did is rolled back and the code
 * is returned with the error `fn` (or the commit) recorded. Called inside
 * another transaction, it nests as a savepoint.
 */
typedef int (*vrp_db_txn_fn)(vrp_db *db, void *ctx);
int vrp_db_transaction(vrp_db *db, vrp_db_txn_fn fn, void *ctx);

/* The schema version stored in the database (PRAGMA user_version). */
int vrp_db_schema_version(vrp_db *db, int *out);

/* The newest schema version this program knows (the number of its migrations). */
int vrp_db_schema_latest(void);

/*
 * Runs PRAGMA quick_check. Returns 0 when the database is sound; otherwise
 * VRP_ECORRUPTDB with SQLite's findings in the error message. When `report`
 * is not NULL it receives a malloc'd copy of the findings ("ok" when sound),
 * which the caller frees.
 */
int vrp_db_quick_check(vrp_db *db, char **report);

/*
 * Copies the live database into `dest_path` with SQLite's online backup API:
 * written to a temporary file beside it, fsynced, then renamed into place, so
 * `dest_path` is either absent or a complete, consistent copy. The copy is
 * mode 0600 (it holds titles, descriptions and tags).
 */
int vrp_db_backup_to(vrp_db *db, const char *dest_path);

/*
 * Backs the database up into `dir` as library-v<N>-<timestamp>.db (N being the
 * current schema version) and keeps only the newest VRP_DB_BACKUPS_KEPT such
 * files there. `*out_path` (may be NULL) receives the malloc'd path written.
 */
#define VRP_DB_BACKUPS_KEPT 5
int vrp_db_backup(vrp_db *db, const char *dir, char **out_path);

/*
 * Removes the temporary files that backups into `dir` left behind when their
 * process was killed (vrp_db_backup does this first; opening a library does
 * it too). A backup still being written by a live process is left alone.
 */
int vrp_db_backup_remove_stale(const char *dir);

/* What vrp_db_migrate() did. */
typedef struct vrp_migrate_result {
	int from_version;
	int to_version;
	int applied;       /* how many migrations ran */
	char *backup_path; /* the backup taken first, or NULL when none was needed */
} vrp_migrate_result;

/* Frees the strings a result holds (not the struct); NULL is a no-op. */
void vrp_migrate_result_clear(vrp_migrate_result *result);

/*
 * Brings the schema up to `target` (0 means the newest). If anything is to be
 * applied to a database that already has a schema, a backup is first taken
 * into `backup_dir` (see vrp_db_backup). Each migration runs in its own
 * transaction together with the version bump; if one fails it is rolled back,
 * the database stays at the last good version, the backup is kept, and
 * VRP_EMIGRATION is returned naming the migration and SQLite's complaint.
 * Migrating to a version lower than the current one is refused (VRP_EINVAL).
 * `result` may be NULL; when given, the caller clears it.
 */
int vrp_db_migrate(vrp_db *db, const char *backup_dir, int target, vrp_migrate_result *result);

#ifdef __cplusplus
}
#endif

#endif
