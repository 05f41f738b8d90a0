/* audit_repo.c - the SQL of audit_log, the refusal of secrets, and the entry record type. */
#include "db/audit_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "core/redact.h"
#include "db/db_internal.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void vrp_audit_entry_free(vrp_audit_entry *entry)
{
	if (!entry)
		return;
	free(entry->at);
	free(entry->operation);
	free(entry->remote);
	free(entry->actor);
	free(entry->correlation_id);
	free(entry->meta);
	free(entry);
}

void vrp_audit_list_free(vrp_audit_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		vrp_audit_entry_free(list->items[i]);
	free(list->items);
	free(list);
}

/* The first key (or "a Bearer value") that looks like a credential, or NULL. */
static const char *find_secret(json_t *value)
{
	const char *key;
	json_t *child;
	size_t index;
	if (json_is_string(value) && strncasecmp(json_string_value(value), "Bearer ", 7) == 0)
		return "a Bearer credential";
	json_object_foreach(value, key, child)
	{
		if (vrp_redact_is_secret_key(key))
			return key;
		const char *found = find_secret(child);
		if (found)
			return found;
	}
	json_array_foreach(value, index, child)
	{
		const char *found = find_secret(child);
		if (found)
			return found;
	}
	return NULL;
}

/* Checks `meta` and gives the compact encoding to store in `*out` (malloc'd). */
static int check_meta(const char *meta, char **out)
{
	json_error_t error;
	json_t *root = json_loads(meta, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &error);
	if (!root)
		return vrp_error_set(VRP_EINVAL, "audit meta is not valid JSON: %s (line %d)",
				     error.text, error.line);
	int rc = 0;
	const char *secret = find_secret(root);
	if (secret)
		rc = vrp_error_set(VRP_EINVAL,
				   "audit meta must not hold credentials: found '%s'; "
				   "the audit log is append-only and would keep it forever",
				   secret);
	if (rc == 0) {
		*out = json_dumps(root, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!*out)
			rc = vrp_error_oom();
	}
	json_decref(root);
	return rc;
}

/* "YYYY-MM-DDTHH:MM:SS.sssZ": the one format, so that text order is time order. */
static bool is_timestamp(const char *text)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	if (strlen(text) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++) {
		bool ok = shape[i] == 'd' ? isdigit((unsigned char)text[i]) : text[i] == shape[i];
		if (!ok)
			return false;
	}
	return true;
}

static int check_entry(const vrp_audit_entry *entry)
{
	if (!entry)
		return vrp_error_set(VRP_EINVAL, "no audit entry given");
	if (!entry->operation || !*entry->operation)
		return vrp_error_set(VRP_EINVAL, "an audit entry needs an operation");
	if (entry->recording_id < 0)
		return vrp_error_set(VRP_EINVAL, "invalid recording id %lld",
				     (long long)entry->recording_id);
	if (entry->at && !is_timestamp(entry->at))
		return vrp_error_set(VRP_EINVAL, "audit time '%s' is not YYYY-MM-DDTHH:MM:SS.sssZ",
				     entry->at);
	return 0;
}

int vrp_audit_repo_append(vrp_db *db, const vrp_audit_entry *entry, int64_t *out_id)
{
	int rc = check_entry(entry);
	if (rc)
		return rc;
	char *meta = NULL;
	if (entry->meta && (rc = check_meta(entry->meta, &meta)) != 0)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "INSERT INTO audit_log (at, operation, recording_id, remote, success, "
			    "actor, correlation_id, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (rc)
		goto done;
	sqlite3_bind_text(stmt, 1, entry->at ? entry->at : now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, entry->operation, -1, SQLITE_STATIC);
	if (entry->recording_id > 0)
		sqlite3_bind_int64(stmt, 3, entry->recording_id);
	vrp_db_bind_text_or_null(stmt, 4, entry->remote);
	sqlite3_bind_int(stmt, 5, entry->success ? 1 : 0);
	vrp_db_bind_text_or_null(stmt, 6, entry->actor);
	vrp_db_bind_text_or_null(stmt, 7, entry->correlation_id);
	vrp_db_bind_text_or_null(stmt, 8, meta);
	rc = vrp_db_step_done(db, stmt, "appending to the audit log");
	if (rc == 0 && out_id)
		*out_id = vrp_db_last_insert_id(db);
done:
	sqlite3_finalize(stmt);
	free(meta);
	return rc;
}

static int check_filter(const struct vrp_audit_filter *filter)
{
	if (!filter)
		return 0;
	if (filter->recording_id < 0)
		return vrp_error_set(VRP_EINVAL, "invalid recording id %lld",
				     (long long)filter->recording_id);
	if (filter->success != VRP_AUDIT_ANY && filter->success != 0 && filter->success != 1)
		return vrp_error_set(VRP_EINVAL, "success filter must be -1, 0 or 1, not %d",
				     filter->success);
	return 0;
}

/* The fragments are fixed and the buffer sized for all of them at once. */
static void append_sql(char *sql, size_t size, const char *fragment)
{
	strncat(sql, fragment, size - strlen(sql) - 1);
}

/*
 * Appends the WHERE clause for `filter` and `before_id` to `sql`: fixed
 * fragments with named placeholders, so only the filters in use constrain
 * the plan and no value is ever spliced into the text.
 */
static void append_where(char *sql, size_t size, const struct vrp_audit_filter *filter,
			 int64_t before_id)
{
	append_sql(sql, size, " WHERE 1");
	if (before_id > 0)
		append_sql(sql, size, " AND id < :before");
	if (!filter)
		return;
	if (filter->recording_id > 0)
		append_sql(sql, size, " AND recording_id = :recording");
	if (filter->operation)
		append_sql(sql, size, " AND operation = :operation");
	if (filter->remote)
		append_sql(sql, size, " AND remote = :remote");
	if (filter->since)
		append_sql(sql, size, " AND at >= :since");
	if (filter->until)
		append_sql(sql, size, " AND at < :until");
	if (filter->success != VRP_AUDIT_ANY)
		append_sql(sql, size, " AND success = :success");
}

static void bind_named_text(sqlite3_stmt *stmt, const char *name, const char *value)
{
	int index = sqlite3_bind_parameter_index(stmt, name);
	if (index > 0)
		sqlite3_bind_text(stmt, index, value, -1, SQLITE_STATIC);
}

static void bind_named_int(sqlite3_stmt *stmt, const char *name, int64_t value)
{
	int index = sqlite3_bind_parameter_index(stmt, name);
	if (index > 0)
		sqlite3_bind_int64(stmt, index, value);
}

static void bind_filter(sqlite3_stmt *stmt, const struct vrp_audit_filter *filter,
			int64_t before_id, int limit)
{
	bind_named_int(stmt, ":before", before_id);
	bind_named_int(stmt, ":limit", limit ? limit : -1);
	if (!filter)
		return;
	bind_named_int(stmt, ":recording", filter->recording_id);
	bind_named_text(stmt, ":operation", filter->operation);
	bind_named_text(stmt, ":remote", filter->remote);
	bind_named_text(stmt, ":since", filter->since);
	bind_named_text(stmt, ":until", filter->until);
	bind_named_int(stmt, ":success", filter->success);
}

static int read_entry(sqlite3_stmt *stmt, vrp_audit_entry **out)
{
	*out = NULL;
	vrp_audit_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return vrp_error_oom();
	e->id = sqlite3_column_int64(stmt, 0);
	e->recording_id = sqlite3_column_int64(stmt, 3); /* NULL reads as 0: "none" */
	e->success = sqlite3_column_int(stmt, 5) != 0;
	int rc = vrp_db_column_strdup(stmt, 1, &e->at);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 2, &e->operation);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 4, &e->remote);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 6, &e->actor);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 7, &e->correlation_id);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 8, &e->meta);
	if (rc) {
		vrp_audit_entry_free(e);
		return rc;
	}
	*out = e;
	return 0;
}

static int collect_entries(vrp_db *db, sqlite3_stmt *stmt, vrp_audit_list **out)
{
	vrp_audit_list *list = calloc(1, sizeof(*list));
	if (!list)
		return vrp_error_oom();
	size_t capacity = 0;
	int rc = 0;
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "reading the audit log")) == 1) {
		rc = vrp_ptr_array_reserve(&list->items, &capacity, list->count + 1);
		if (rc == 0)
			rc = read_entry(stmt, &list->items[list->count]);
		if (rc == 0)
			list->count++;
	}
	if (rc < 0) {
		vrp_audit_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_audit_repo_list(vrp_db *db, const struct vrp_audit_filter *filter, int64_t before_id,
			int limit, vrp_audit_list **out)
{
	int rc = check_filter(filter);
	if (rc)
		return rc;
	if (before_id < 0 || limit < 0)
		return vrp_error_set(VRP_EINVAL, "negative limit or cursor");
	char sql[512] = "SELECT id, at, operation, recording_id, remote, success, actor, "
			"correlation_id, meta FROM audit_log";
	append_where(sql, sizeof(sql), filter, before_id);
	append_sql(sql, sizeof(sql), " ORDER BY id DESC LIMIT :limit");
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt, sql);
	if (rc == 0) {
		bind_filter(stmt, filter, before_id, limit);
		rc = collect_entries(db, stmt, out);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_audit_repo_count(vrp_db *db, const struct vrp_audit_filter *filter, int64_t *out)
{
	int rc = check_filter(filter);
	if (rc)
		return rc;
	char sql[512] = "SELECT count(*) FROM audit_log";
	append_where(sql, sizeof(sql), filter, 0);
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt, sql);
	if (rc)
		goto done;
	bind_filter(stmt, filter, 0, 0);
	rc = vrp_db_step(db, stmt, "counting audit entries");
	if (rc == 1) {
		*out = sqlite3_column_int64(stmt, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = vrp_error_set(VRP_ERROR, "counting audit entries returned no row");
	}
done:
	sqlite3_finalize(stmt);
	return rc;
}
