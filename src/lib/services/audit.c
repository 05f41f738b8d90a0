/* audit.c - appending audit entries for services, and reading the log for applications. */
#include "services/audit.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/redact.h"
#include "db/audit_repo.h"
#include "vrp/audit.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

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
	return vrp_audit_repo_list(vrp_library_db(lib), &filter, query->before_id, query->limit,
				   out);
}
