/* db.c - the SQLite connection: open, pragmas, transactions, helpers. */
#include "db/db_internal.h"
#include "core/durable.h"

#include "core/casefold.h"
#include "core/error_set.h"
#include "db/busy.h"
#include "db/read_only.h"
#include "db/stmt_cache.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct vrp_db {
	sqlite3 *handle;
	char *path;
	struct vrp_db_busy busy;
	int savepoint_depth;
	int unwritable; /* why the library is open read-only (EROFS, ENOSPC, EACCES), or 0 */
	struct vrp_stmt_cache cache;
};

sqlite3 *vrp_db_handle(vrp_db *db) { return db->handle; }

const char *vrp_db_path(const vrp_db *db) { return db->path; }

int64_t vrp_db_changes(vrp_db *db) { return sqlite3_changes64(db->handle); }

int64_t vrp_db_last_insert_id(vrp_db *db) { return sqlite3_last_insert_rowid(db->handle); }

int vrp_db_code_from_sqlite(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return VRP_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return VRP_EBUSY;
	case SQLITE_FULL:
		return VRP_ENOSPC;
	case SQLITE_READONLY:
		return VRP_EREADONLY;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return VRP_EPERM;
	case SQLITE_CORRUPT:
		return VRP_ECORRUPTDB;
	case SQLITE_NOTADB:
		return VRP_ENOTADB;
	case SQLITE_NOMEM:
		return VRP_ENOMEM;
	case SQLITE_IOERR:
	case SQLITE_CANTOPEN:
		return VRP_EIO;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
			return VRP_EEXISTS;
		return VRP_EDB;
	default:
		return VRP_EDB;
	}
}

static const char *advice(int code)
{
	switch (code) {
	case VRP_EBUSY:
		return " (another vrp process is writing; try again when it is done)";
	case VRP_EREADONLY:
		return " (the library is read-only: check the permissions of its directory and "
		       "library.db)";
	case VRP_ECORRUPTDB:
		return " (run `vrp db status` to check it; restore a copy from backups/)";
	case VRP_ENOTADB:
		return " (this file is not a vrp library database)";
	default:
		return "";
	}
}

int vrp_db_refuse_write(vrp_db *db)
{
	return db->unwritable ? vrp_db_refuse_write_because(db->unwritable, db->path) : 0;
}

int vrp_db_fail(vrp_db *db, int rc, const char *what)
{
	int code = vrp_db_code_from_sqlite(rc);
	if (code == VRP_OK)
		code = VRP_EDB;
	if (code == VRP_EREADONLY && db && db->unwritable) {
		vrp_db_refuse_write(db);
		return vrp_error_prefix("%s", what);
	}
	const char *msg = db && db->handle ? sqlite3_errmsg(db->handle) : sqlite3_errstr(rc);
	vrp_error_set(code, "%s: %s%s", what, msg, advice(code));
	if (db && db->path)
		vrp_error_set_context("%s", db->path);
	return code;
}

int vrp_db_prepare(vrp_db *db, sqlite3_stmt **out, const char *sql)
{
	int rc = sqlite3_prepare_v2(db->handle, sql, -1, out, NULL);
	if (rc != SQLITE_OK)
		return vrp_db_fail(db, rc, "cannot prepare a statement");
	return 0;
}

int vrp_db_prepare_cached(vrp_db *db, sqlite3_stmt **out, const char *sql)
{
	*out = vrp_stmt_cache_take(&db->cache, sql);
	return *out ? 0 : vrp_db_prepare(db, out, sql);
}

void vrp_db_release(vrp_db *db, sqlite3_stmt *stmt) { vrp_stmt_cache_put(&db->cache, stmt); }

int vrp_db_exec(vrp_db *db, const char *sql)
{
	int rc = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return vrp_db_fail(db, rc, "statement failed");
	return 0;
}

int vrp_db_step(vrp_db *db, sqlite3_stmt *stmt, const char *what)
{
	int rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return vrp_db_fail(db, rc, what);
}

int vrp_db_step_done(vrp_db *db, sqlite3_stmt *stmt, const char *what)
{
	int rc = vrp_db_step(db, stmt, what);
	if (rc == 1)
		return vrp_error_set(VRP_ERROR, "%s: statement returned rows", what);
	return rc;
}

int vrp_db_column_strdup(sqlite3_stmt *stmt, int col, char **out)
{
	*out = NULL;
	const unsigned char *text = sqlite3_column_text(stmt, col);
	if (!text)
		return 0;
	size_t len = (size_t)sqlite3_column_bytes(stmt, col);
	char *copy = malloc(len + 1);
	if (!copy)
		return vrp_error_oom();
	memcpy(copy, text, len + 1);
	*out = copy;
	return 0;
}

int vrp_db_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *value)
{
	if (!value)
		return sqlite3_bind_null(stmt, idx);
	return sqlite3_bind_text(stmt, idx, value, -1, SQLITE_TRANSIENT);
}

static int read_int_pragma(vrp_db *db, const char *sql, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, sql);
	if (rc == 0) {
		rc = vrp_db_step(db, stmt, "cannot open the database");
		*out = rc == 1 ? sqlite3_column_int(stmt, 0) : 0;
		rc = rc < 0 ? rc : 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_db_schema_version(vrp_db *db, int *out)
{
	return read_int_pragma(db, "PRAGMA user_version", out);
}

int vrp_db_set_busy_timeout(vrp_db *db, int milliseconds)
{
	db->busy.timeout_ms = milliseconds;
	vrp_db_busy_install(db->handle, &db->busy);
	return 0;
}

int vrp_db_busy_timeout(const vrp_db *db) { return db->busy.timeout_ms; }

int vrp_db_set_flush_commits(vrp_db *db, bool flush)
{
	/* In WAL mode NORMAL syncs the log only at checkpoints; FULL at every commit. */
	return vrp_db_exec(db, flush ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL");
}

static int check_not_too_new(vrp_db *db)
{
	int version = 0;
	int rc = vrp_db_schema_version(db, &version);
	if (rc < 0)
		return rc;
	if (version > vrp_db_schema_latest()) {
		vrp_error_set(VRP_ESCHEMA_TOO_NEW,
			      "the library database is at schema version %d, but this vrp "
			      "knows versions up to %d: upgrade vrp (the database was not "
			      "modified)",
			      version, vrp_db_schema_latest());
		return vrp_error_set_context("%s", db->path);
	}
	return 0;
}

/* WAL lets readers (a GUI listing) run while the sync worker writes; FULL
 * sync makes a commit durable before it returns, which the "file before row"
 * rule relies on. */
static int configure(vrp_db *db, unsigned flags)
{
	int rc = vrp_db_set_busy_timeout(db, VRP_DB_DEFAULT_BUSY_TIMEOUT_MS);
	if (rc == 0 && vrp_casefold_register(db->handle) != SQLITE_OK)
		rc = vrp_db_fail(db, sqlite3_errcode(db->handle), "cannot register vrp_fold()");
	if (rc == 0)
		rc = vrp_db_exec(db, "PRAGMA foreign_keys = ON");
	/*
	 * Statement and savepoint journals (a savepoint per imported row, FTS5's
	 * own) hold a batch's original pages; in files they cost a write per
	 * page touched, half the time of a many-file import. They stay small.
	 */
	if (rc == 0)
		rc = vrp_db_exec(db, "PRAGMA temp_store = MEMORY");
	if (rc == 0)
		rc = check_not_too_new(db);
	if (rc == 0 && !(flags & VRP_DB_READONLY))
		rc = vrp_db_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL");
	return rc;
}

static int open_error(const char *path, unsigned flags)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		if (errno == ENOENT && !(flags & VRP_DB_CREATE))
			return vrp_error_set(VRP_ENOTFOUND, "no database at %s", path);
		return vrp_error_from_errno(errno, "cannot open the database %s", path);
	}
	if (S_ISDIR(st.st_mode))
		return vrp_error_set(VRP_EINVAL, "%s is a directory, not a database", path);
	if (access(path, (flags & VRP_DB_READONLY) ? R_OK : R_OK | W_OK) != 0)
		return vrp_error_from_errno(errno, "cannot open the database %s", path);
	return 0;
}

enum open_mode { OPEN_AS_ASKED, OPEN_READ_ONLY, OPEN_IMMUTABLE };

/*
 * SQLite's memory statistics take one process-wide mutex on every
 * allocation: with vrp serve's request threads each on its own connection
 * that lock was contended more than any of the work. vrp reads no
 * statistics. Too late (SQLITE_MISUSE) if the application started SQLite
 * itself, which is harmless.
 */
static void configure_sqlite(void) { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); }

/* Every commit, not only the transaction helper's, is a crash point of a test
 * build (a death here leaves the transaction uncommitted). */
static int on_commit(void *ctx)
{
	(void)ctx;
	vrp_crashpoint("commit");
	return 0;
}

static int connect(vrp_db *db, unsigned flags, enum open_mode mode)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, configure_sqlite);
	vrp_stmt_cache_clear(&db->cache);
	sqlite3_close_v2(db->handle);
	db->handle = NULL;
	char *uri = NULL;
	/* One thread at a time per connection (vrp/db.h): SQLite's own locking would be waste. */
	int oflags = SQLITE_OPEN_EXRESCODE | SQLITE_OPEN_NOMUTEX;
	if (mode != OPEN_AS_ASKED) {
		flags = (flags | VRP_DB_READONLY) & ~(unsigned)VRP_DB_CREATE;
		uri = vrp_db_uri(db->path, mode == OPEN_IMMUTABLE ? "immutable=1" : "mode=ro");
		if (!uri)
			return vrp_error_oom();
		oflags |= SQLITE_OPEN_URI;
	}
	if (flags & VRP_DB_READONLY)
		oflags |= SQLITE_OPEN_READONLY;
	else
		oflags |=
			SQLITE_OPEN_READWRITE | ((flags & VRP_DB_CREATE) ? SQLITE_OPEN_CREATE : 0);
	int rc = sqlite3_open_v2(uri ? uri : db->path, &db->handle, oflags, NULL);
	free(uri);
	if (rc != SQLITE_OK) {
		int code = open_error(db->path, flags);
		return code ? code : vrp_db_fail(db, rc, "cannot open the database");
	}
	sqlite3_extended_result_codes(db->handle, 1);
	sqlite3_commit_hook(db->handle, on_commit, NULL);
	return configure(db, flags);
}

/* Failures that a read-only open may get past: not a damaged or foreign file. */
static bool may_read_anyway(int code)
{
	return code == VRP_EIO || code == VRP_EREADONLY || code == VRP_ENOSPC || code == VRP_EPERM;
}

/*
 * The library cannot be written (read-only mount, full disk, no permission):
 * open it for reading so that browsing and export still work. Immutable is
 * the last resort, when SQLite cannot even create library.db-shm, and only
 * with no WAL whose changes it would ignore. Keeps the first failure when
 * neither works.
 */
static int open_for_reading(vrp_db *db, unsigned flags, int failure)
{
	int reason = vrp_db_unwritable_reason(db->path);
	if (!reason)
		return failure;
	char message[1024], context[1024];
	snprintf(message, sizeof(message), "%s", vrp_error_last()->message);
	snprintf(context, sizeof(context), "%s", vrp_error_last()->context);
	int rc = connect(db, flags, OPEN_READ_ONLY);
	bool wal = vrp_db_wal_has_content(db->path);
	if (rc < 0 && may_read_anyway(rc) && !wal)
		rc = connect(db, flags, OPEN_IMMUTABLE);
	if (rc == 0) {
		db->unwritable = reason;
		return 0;
	}
	if (!may_read_anyway(rc))
		return rc;
	if (wal) {
		vrp_error_set(reason == ENOSPC ? VRP_ENOSPC : VRP_EREADONLY,
			      "cannot read the library: library.db-wal holds changes that SQLite "
			      "reads only where it can create library.db-shm, which this %s does "
			      "not allow: open the library once where it is writable",
			      reason == ENOSPC ? "full disk" : "read-only place");
		return vrp_error_set_context("%s", db->path);
	}
	vrp_error_set(failure, "%s", message);
	vrp_error_set_context("%s", context);
	return failure;
}

int vrp_db_open(vrp_db **out, const char *path, unsigned flags)
{
	*out = NULL;
	vrp_db *db = calloc(1, sizeof(*db));
	if (!db || !(db->path = strdup(path))) {
		free(db);
		return vrp_error_oom();
	}
	int rc = connect(db, flags, OPEN_AS_ASKED);
	if (rc < 0 && may_read_anyway(rc))
		rc = open_for_reading(db, flags, rc);
	/* SQLite itself falls back to reading a file it cannot open for writing. */
	if (rc == 0 && !(flags & VRP_DB_READONLY) && !db->unwritable &&
	    sqlite3_db_readonly(db->handle, "main") == 1) {
		int reason = vrp_db_unwritable_reason(path);
		db->unwritable = reason ? reason : EACCES;
	}
	if (rc < 0) {
		vrp_db_close(db);
		return rc;
	}
	*out = db;
	return 0;
}

bool vrp_db_is_writable(const vrp_db *db) { return db->unwritable == 0; }

void vrp_db_close(vrp_db *db)
{
	if (!db)
		return;
	/* sqlite3_close_v2 defers the close until stray statements are finalized,
	 * so a leaked statement cannot leave the file half-closed. */
	vrp_stmt_cache_clear(&db->cache);
	sqlite3_close_v2(db->handle);
	free(db->path);
	free(db);
}

static int finish_transaction(vrp_db *db, int rc, int depth)
{
	char sql[96];
	if (rc == 0) {
		if (depth == 0)
			snprintf(sql, sizeof(sql), "COMMIT");
		else
			snprintf(sql, sizeof(sql), "RELEASE vrp_sp%d", depth);
		int src = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);
		if (src == SQLITE_OK)
			return 0;
		rc = vrp_db_fail(db, src, "cannot commit the transaction");
	}
	/* The rollback must not overwrite the error that caused it. */
	if (depth == 0)
		snprintf(sql, sizeof(sql), "ROLLBACK");
	else
		snprintf(sql, sizeof(sql), "ROLLBACK TO vrp_sp%d; RELEASE vrp_sp%d", depth, depth);
	if (depth > 0 || !sqlite3_get_autocommit(db->handle))
		sqlite3_exec(db->handle, sql, NULL, NULL, NULL);
	return rc;
}

int vrp_db_transaction(vrp_db *db, vrp_db_txn_fn fn, void *ctx)
{
	/* Refused up front, before `fn` writes files that its rows would describe. */
	int refused = vrp_db_refuse_write(db);
	if (refused < 0)
		return refused;
	int nested = !sqlite3_get_autocommit(db->handle);
	int depth = nested ? ++db->savepoint_depth : 0;
	char sql[64];
	if (nested)
		snprintf(sql, sizeof(sql), "SAVEPOINT vrp_sp%d", depth);
	else
		snprintf(sql, sizeof(sql), "BEGIN IMMEDIATE");
	int src = sqlite3_exec(db->handle, sql, NULL, NULL, NULL);
	int rc;
	if (src != SQLITE_OK) {
		rc = vrp_db_fail(db, src, "cannot start a transaction");
		if (nested)
			db->savepoint_depth--;
		return rc;
	}
	rc = fn(db, ctx);
	rc = finish_transaction(db, rc, depth);
	if (nested)
		db->savepoint_depth--;
	return rc;
}

int vrp_db_quick_check(vrp_db *db, char **report)
{
	if (report)
		*report = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "PRAGMA quick_check(20)");
	size_t len = 0;
	char *text = NULL;
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "integrity check failed")) == 1) {
		const char *line = (const char *)sqlite3_column_text(stmt, 0);
		size_t add = line ? strlen(line) : 0;
		char *grown = realloc(text, len + add + 2);
		if (!grown) {
			rc = vrp_error_oom();
			break;
		}
		text = grown;
		if (len)
			text[len++] = '\n';
		memcpy(text + len, line ? line : "", add + 1);
		len += add;
		rc = 0;
	}
	sqlite3_finalize(stmt);
	if (rc == 0 && text && strcmp(text, "ok") != 0) {
		vrp_error_set(VRP_ECORRUPTDB,
			      "the database failed its integrity check (restore a copy from "
			      "backups/): %s",
			      text);
		rc = vrp_error_set_context("%s", db->path);
	}
	if (rc == VRP_ECORRUPTDB && !text)
		text = strdup(vrp_error_last()->message);
	if (report)
		*report = text;
	else
		free(text);
	return rc;
}
