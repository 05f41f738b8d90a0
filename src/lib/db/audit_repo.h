/*
 * audit_repo.h - the SQL of audit_log (internal).
 *
 * Append and read only: the schema's triggers refuse UPDATE and DELETE, so
 * there is deliberately no function that would try.
 */
#ifndef VRP_DB_AUDIT_REPO_H
#define VRP_DB_AUDIT_REPO_H

#include "vrp/audit.h"
#include "vrp/db.h"

#include <stdint.h>

/*
 * Appends `entry` (its id is ignored) and gives the new id in `*out_id` (may
 * be NULL). `at` NULL means now; otherwise it must be in the library's
 * timestamp format ("2026-11-24T21:07:00.123Z"), since ordering and the
 * since/until filters compare timestamps as text. `operation` is required.
 *
 * `meta`, when not NULL, must be valid JSON; it is stored re-encoded compactly
 * (so what is stored is exactly what was checked). It is REFUSED (VRP_EINVAL)
 * when it looks like it holds a credential: any object key, at any depth,
 * that after lower-casing and dropping '_', '-' and '.' is "authorization",
 * "apikey", "cookie", or ends in "token", "secret", "password" or "passwd"
 * (so "access_token", "clientSecret", "X-Auth-Token" all match), or any
 * string value beginning with "Bearer ". The audit log is append-only and
 * kept for as long as the library exists, is shown by `vrp audit` and ends up
 * in backups and bug reports; a secret written there could never be removed,
 * so the mistake is stopped at the door instead. Name such keys differently
 * (e.g. "token_present": true) if their presence matters.
 */
int vrp_audit_repo_append(vrp_db *db, const vrp_audit_entry *entry, int64_t *out_id);

/* Which entries to read. Zero/NULL fields do not filter. */
struct vrp_audit_filter {
	int64_t recording_id;  /* > 0: only this recording */
	const char *operation; /* only this operation */
	const char *remote;    /* only this remote */
	const char *since;     /* at >= since (timestamp text, a prefix such as "2026-11" works) */
	const char *until;     /* at < until */
	int success;           /* VRP_AUDIT_ANY, 0 (failures only) or 1 (successes only) */
};
#define VRP_AUDIT_ANY (-1)

/* Initialises a filter that matches every entry. */
#define VRP_AUDIT_FILTER_INIT                                                                      \
	{                                                                                          \
		.success = VRP_AUDIT_ANY                                                           \
	}

/*
 * Entries matching `filter` (NULL: all), newest (highest id) first. Keyset
 * pagination: only ids below `before_id` (0: from the newest); pass the last
 * entry's id to get the next page. At most `limit` entries (0: no limit).
 * VRP_EINVAL for a negative limit, cursor or recording id, or a `success`
 * other than VRP_AUDIT_ANY, 0 or 1. Caller frees `*out` with vrp_audit_list_free().
 */
int vrp_audit_repo_list(vrp_db *db, const struct vrp_audit_filter *filter, int64_t before_id,
			int limit, vrp_audit_list **out);

/* How many entries match `filter` (NULL: all) into `*out`. */
int vrp_audit_repo_count(vrp_db *db, const struct vrp_audit_filter *filter, int64_t *out);

#endif
