/* audit.c - appending audit entries for services, and reading the log for applications. */
#include "services/audit.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/redact.h"
#include "db/audit_repo.h"
#include "vrp/audit.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const operations[] = {
	"import",   "delete",        "restore",    "purge",           "export",      "upload",
	"download", "remote_delete", "remote.add", "remote.remove",   "remote.auth", "remote.set",
	"offload",  "fetch",         "repair",     "remote_copy_bad", NULL,
};

const char *const *vrp_audit_operations(void) { return operations; }

/*
 * An operation vrp never writes is a typo, not an empty log: refused with the
 * names that exist. One found in the log (a newer vrp wrote it) is fine.
 */
static int check_operation(vrp_db *db, const char *operation)
{
	for (size_t i = 0; operations[i]; i++)
		if (!strcmp(operations[i], operation))
			return 0;
	struct vrp_audit_filter filter = VRP_AUDIT_FILTER_INIT;
	filter.operation = operation;
	int64_t count = 0;
	int rc = vrp_audit_repo_count(db, &filter, &count);
	if (rc < 0 || count > 0)
		return rc;
	char names[256];
	size_t used = 0;
	for (size_t i = 0; operations[i]; i++)
		used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s", i ? ", " : "",
					 operations[i]);
	return vrp_error_set(VRP_EINVAL, "unknown audit operation '%s' (operations: %s)", operation,
			     names);
}

/* The masked name of the user running vrp, or "" when the system does not know it. */
static void masked_user(char *out, size_t size)
{
	struct passwd pw, *found = NULL;
	char buf[1024];
	if (getpwuid_r(geteuid(), &pw, buf, sizeof(buf), &found) != 0 || !found) {
		out[0] = '\0';
		return;
	}
	vrp_redact_user(found->pw_name, out, size);
}

int vrp_audit_record(vrp_db *db, const char *operation, int64_t recording_id, const char *remote,
		     bool success, const char *meta)
{
	char actor[64];
	masked_user(actor, sizeof(actor));
	vrp_audit_entry entry = {
		.operation = (char *)operation,
		.recording_id = recording_id,
		.remote = (char *)remote,
		.success = success,
		.actor = actor[0] ? actor : NULL,
		.correlation_id = (char *)vrp_correlation_current(),
		.meta = (char *)meta,
	};
	return vrp_audit_repo_append(db, &entry, NULL);
}

int vrp_audit_record_json(vrp_db *db, const char *operation, int64_t recording_id,
			  const char *remote, bool success, json_t *meta)
{
	char *text = meta ? json_dumps(meta, JSON_COMPACT) : NULL;
	int rc = meta && !text
			 ? vrp_error_oom()
			 : vrp_audit_record(db, operation, recording_id, remote, success, text);
	free(text);
	json_decref(meta);
	return rc;
}

int vrp_audit_read(vrp_library *lib, const vrp_audit_query *query, vrp_audit_list **out)
{
	*out = NULL;
	vrp_audit_query none = { 0 };
	if (!query)
		query = &none;
	struct vrp_audit_filter filter = VRP_AUDIT_FILTER_INIT;
	filter.recording_id = query->recording_id;
	filter.operation = query->operation;
	filter.remote = query->remote;
	filter.since = query->since;
	filter.until = query->until;
	int rc = query->operation ? check_operation(vrp_library_db(lib), query->operation) : 0;
	if (rc < 0)
		return rc;
	return vrp_audit_repo_list(vrp_library_db(lib), &filter, query->before_id, query->limit,
				   out);
}
