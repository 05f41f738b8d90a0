/*
 * busy.h - waiting for another connection's write lock (internal).
 *
 * SQLite's own busy handler sleeps 1, 2, 5, 10, ... 100 ms between tries,
 * whenever the lock is actually freed: the four sync workers of one
 * process, each committing a few times per upload, spent a quarter of
 * their time asleep on a lock held for a fraction of a millisecond.
 * Connections of this process instead wake each other as soon as a commit
 * has released the lock (SQLite's WAL hook runs right after), and look
 * again every millisecond for what no hook announces: writers in other
 * processes, and rollbacks.
 */
#ifndef VRP_DB_BUSY_H
#define VRP_DB_BUSY_H

#include <sqlite3.h>
#include <stdint.h>

struct vrp_db_busy {
	int timeout_ms;   /* give up (SQLITE_BUSY) after waiting this long; 0: never wait */
	int64_t since_ms; /* when the current wait began */
};

/*
 * Installs the busy handler and the WAL hook on `handle`; `busy` must
 * outlive the connection. The WAL hook also runs SQLite's automatic
 * checkpoint, which it replaces (at the same 1000-page threshold).
 */
void vrp_db_busy_install(sqlite3 *handle, struct vrp_db_busy *busy);

#endif
