/*
 * db_internal.h - what the db layer and the repositories share (internal).
 *
 * Repositories use the raw sqlite3 handle with prepared statements and report
 * SQLite failures through vrp_db_fail(), which maps the result code to a VRP_E*
 * code and records SQLite's message.
 */
#ifndef VRP_DB_INTERNAL_H
#define VRP_DB_INTERNAL_H

#include "vrp/db.h"

#include <sqlite3.h>
#include <stdint.h>

/* The connection handle; owned by `db`. */
sqlite3 *vrp_db_handle(vrp_db *db);

/* How long a writer waits for another connection's lock (vrp_db_set_busy_timeout), in ms. */
int vrp_db_busy_timeout(const vrp_db *db);

/*
 * 0 when the database can be written; otherwise records why not (a library
 * opened read-only because its disk is full, its mount read-only or its file
 * not writable: VRP_ENOSPC or VRP_EREADONLY) and returns that code.
 */
int vrp_db_refuse_write(vrp_db *db);

/* The VRP_E* code for a SQLite (extended) result code. */
int vrp_db_code_from_sqlite(int rc);

/*
 * Records a SQLite failure: the code mapped from `rc`, the message
 * "<what>: <sqlite's message>" and the database path as context. Returns the code.
 */
int vrp_db_fail(vrp_db *db, int rc, const char *what);

/* Prepares `sql` into `*out`; on failure records it and returns the code. */
int vrp_db_prepare(vrp_db *db, sqlite3_stmt **out, const char *sql);

/*
 * vrp_db_prepare() through the connection's statement cache, for the hot
 * queries. Give the statement back with vrp_db_release(), never
 * sqlite3_finalize(); it is reset and its bindings cleared there.
 */
int vrp_db_prepare_cached(vrp_db *db, sqlite3_stmt **out, const char *sql);
void vrp_db_release(vrp_db *db, sqlite3_stmt *stmt);

/* Runs one or more statements that return no rows. */
int vrp_db_exec(vrp_db *db, const char *sql);

/*
 * Steps `stmt`: returns 1 when a row is ready, 0 when done, or a negative
 * code (recorded, naming `what`) on failure.
 */
int vrp_db_step(vrp_db *db, sqlite3_stmt *stmt, const char *what);

/* Steps a statement that must finish without rows; 0 or a negative code. */
int vrp_db_step_done(vrp_db *db, sqlite3_stmt *stmt, const char *what);

/*
 * Copies a text column into `*out` (NULL for SQL NULL). Returns 0, or
 * VRP_ENOMEM. Any previous `*out` is not freed.
 */
int vrp_db_column_strdup(sqlite3_stmt *stmt, int col, char **out);

/* Binds `value` as text, or NULL when `value` is NULL; returns the SQLite code. */
int vrp_db_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *value);

/* The number of rows the last statement changed. */
int64_t vrp_db_changes(vrp_db *db);

/* The rowid of the last insert. */
int64_t vrp_db_last_insert_id(vrp_db *db);

#endif
