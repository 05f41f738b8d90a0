/*
 * stmt_cache.h - a connection's prepared statements kept for reuse (internal).
 *
 * Preparing the listing's statements was a sixth of a `GET /api/recordings`
 * request. A statement is taken out while in use, so two users of the same
 * SQL at once (a nested query) each get their own, and put back reset with
 * its bindings cleared, so nothing bound SQLITE_STATIC outlives its caller.
 */
#ifndef VRP_DB_STMT_CACHE_H
#define VRP_DB_STMT_CACHE_H

#include <sqlite3.h>
#include <stdint.h>

#define VRP_STMT_CACHE_SIZE 16

struct vrp_stmt_cache {
	sqlite3_stmt *stmt[VRP_STMT_CACHE_SIZE];
	uint64_t hash[VRP_STMT_CACHE_SIZE];
	unsigned next; /* the slot the next put evicts when none is free */
};

/* The cached statement for `sql`, now the caller's, or NULL. */
sqlite3_stmt *vrp_stmt_cache_take(struct vrp_stmt_cache *c, const char *sql);

/* Resets `stmt` and keeps it, finalizing the one it displaces. NULL is ignored. */
void vrp_stmt_cache_put(struct vrp_stmt_cache *c, sqlite3_stmt *stmt);

/* Finalizes every kept statement, as closing the connection needs. */
void vrp_stmt_cache_clear(struct vrp_stmt_cache *c);

#endif
