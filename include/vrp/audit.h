/*
 * audit.h - the audit log: an append-only record of security-relevant
 * operations (imports, deletions, purges, sync transfers, remote
 * authorisation...).
 *
 * Entries are never changed or removed (the database refuses it), and they
 * outlive the recording they name. They never hold a secret: see
 * vrp_audit_entry.meta.
 */
#ifndef VRP_AUDIT_H
#define VRP_AUDIT_H

#include "vrp/library.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * One audit entry. Entries read back are allocated by the library and own
 * their strings; free them with vrp_audit_entry_free().
 */
typedef struct vrp_audit_entry {
	int64_t id;           /* increases with every append: newer entries have larger ids */
	char *at;             /* when it happened (UTC ISO-8601, milliseconds) */
	char *operation;      /* what was done: one of vrp_audit_operations() */
	int64_t recording_id; /* the recording concerned; 0 for none. Kept after a purge. */
	char *remote;         /* the remote concerned, or NULL */
	bool success;
	char *actor;          /* who or what asked (user name, "worker"...), or NULL */
	char *correlation_id; /* ties the entry to a sync task or a CLI run, or NULL */
	/*
	 * Details as JSON text, or NULL. Never contains credentials: an entry
	 * whose meta has a key such as "token", "password" or "authorization" is
	 * refused when appended.
	 */
	char *meta;
} vrp_audit_entry;

/* Frees an entry and its strings; NULL is a no-op. */
void vrp_audit_entry_free(vrp_audit_entry *entry);

/* A list of entries, allocated by the library. */
typedef struct vrp_audit_list {
	vrp_audit_entry **items;
	size_t count;
} vrp_audit_list;

/* Frees the list and every entry in it; NULL is a no-op. */
void vrp_audit_list_free(vrp_audit_list *list);

/* Which entries vrp_audit_read() gives. Zero/NULL members do not filter. */
typedef struct vrp_audit_query {
	const char *since; /* at >= since (the timestamp format, or a prefix such as "2026-11") */
	const char *until; /* at < until */
	const char *operation; /* e.g. "purge" */
	const char *remote;
	int64_t recording_id; /* > 0: only this recording (purged ones too) */
	int64_t before_id;    /* > 0: only entries older than this one (the next page) */
	int limit;            /* at most this many (0: all) */
} vrp_audit_query;

/* The operations vrp writes to the audit log, NULL-terminated ("import", "purge"...). */
const char *const *vrp_audit_operations(void);

/*
 * The entries `query` (may be NULL: all) selects, newest first. VRP_EINVAL
 * for a negative limit, cursor or recording id, and for an operation that is
 * neither one of vrp_audit_operations() nor found in the log. Caller frees `*out` with
 * vrp_audit_list_free().
 */
int vrp_audit_read(vrp_library *lib, const vrp_audit_query *query, vrp_audit_list **out);

#ifdef __cplusplus
}
#endif

#endif
