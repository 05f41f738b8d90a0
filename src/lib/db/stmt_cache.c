/*
 * stmt_cache.c - a few prepared statements per connection, found by their SQL.
 */
#include "db/stmt_cache.h"

#include <string.h>

/* FNV-1a: the listing's statements share a long column list, so strcmp alone would crawl. */
static uint64_t sql_hash(const char *sql)
{
	uint64_t h = 1469598103934665603ULL;
	for (const unsigned char *p = (const unsigned char *)sql; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h;
}

sqlite3_stmt *vrp_stmt_cache_take(struct vrp_stmt_cache *c, const char *sql)
{
	uint64_t h = sql_hash(sql);
	for (unsigned i = 0; i < VRP_STMT_CACHE_SIZE; i++) {
		sqlite3_stmt *s = c->stmt[i];
		if (s && c->hash[i] == h && strcmp(sqlite3_sql(s), sql) == 0) {
			c->stmt[i] = NULL;
			return s;
		}
	}
	return NULL;
}

void vrp_stmt_cache_put(struct vrp_stmt_cache *c, sqlite3_stmt *stmt)
{
	if (!stmt)
		return;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
	unsigned slot = VRP_STMT_CACHE_SIZE;
	for (unsigned i = 0; i < VRP_STMT_CACHE_SIZE && slot == VRP_STMT_CACHE_SIZE; i++)
		if (!c->stmt[i])
			slot = i;
	if (slot == VRP_STMT_CACHE_SIZE) {
		slot = c->next;
		c->next = (c->next + 1) % VRP_STMT_CACHE_SIZE;
		sqlite3_finalize(c->stmt[slot]);
	}
	c->stmt[slot] = stmt;
	c->hash[slot] = sql_hash(sqlite3_sql(stmt));
}

void vrp_stmt_cache_clear(struct vrp_stmt_cache *c)
{
	for (unsigned i = 0; i < VRP_STMT_CACHE_SIZE; i++)
		sqlite3_finalize(c->stmt[i]);
	memset(c, 0, sizeof(*c));
}
