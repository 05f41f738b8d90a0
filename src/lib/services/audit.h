/*
 * audit.h - how services append to the audit log (internal).
 *
 * Every entry gets the masked name of the OS user running vrp as its actor
 * ("j***"), and the calling thread's correlation id, so `vrp log
 * --correlation ID` and `vrp audit` tell the same operation's story.
 */
#ifndef VRP_SERVICES_AUDIT_H
#define VRP_SERVICES_AUDIT_H

#include "vrp/db.h"

#include <stdbool.h>
#include <jansson.h>
#include <stdint.h>

/*
 * Appends an entry (see vrp_audit_repo_append for `meta`, which may be
 * NULL); `remote` names the remote concerned, or NULL. Call it inside the
 * transaction of the change it records.
 */
int vrp_audit_record(vrp_db *db, const char *operation, int64_t recording_id, const char *remote,
		     bool success, const char *meta);

/* The same with `meta` a JSON object, which it takes over (NULL: none). */
int vrp_audit_record_json(vrp_db *db, const char *operation, int64_t recording_id,
			  const char *remote, bool success, json_t *meta);

#endif
