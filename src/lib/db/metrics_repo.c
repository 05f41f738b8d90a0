/* metrics_repo.c - the SQL of metrics, and the metric record type. */
#include "db/metrics_repo.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/ptrarray.h"
#include "db/db_internal.h"

#include <stdlib.h>
#include <string.h>

#define NAME_ALPHABET "abcdefghijklmnopqrstuvwxyz0123456789_."

void vrp_metric_free(vrp_metric *metric)
{
	if (!metric)
		return;
	free(metric->name);
	free(metric->updated_at);
	free(metric);
}

void vrp_metric_list_free(vrp_metric_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		vrp_metric_free(list->items[i]);
	free(list->items);
	free(list);
}

bool vrp_metric_name_valid(const char *name)
{
	if (!name)
		return false;
	size_t len = strlen(name);
	return len > 0 && len <= VRP_METRIC_NAME_MAX && strspn(name, NAME_ALPHABET) == len;
}

static int check_name(const char *name)
{
	if (vrp_metric_name_valid(name))
		return 0;
	return vrp_error_set(VRP_EINVAL,
			     "invalid metric name '%.80s': use 1 to %d characters of [a-z0-9_.]",
			     name ? name : "(null)", VRP_METRIC_NAME_MAX);
}

/*
 * SQLite turns an overflowing integer sum into a REAL; the CASE makes that a
 * NULL instead, which the NOT NULL constraint refuses, so the statement fails
 * as a whole and the stored value is never silently replaced by a float.
 */
static const char increment_sql[] =
	"INSERT INTO metrics (name, value, updated_at) VALUES (?1, ?2, ?3) "
	"ON CONFLICT (name) DO UPDATE SET "
	"value = CASE WHEN typeof(value + excluded.value) = 'integer' "
	"THEN value + excluded.value END, updated_at = excluded.updated_at "
	"RETURNING value";

int vrp_metrics_repo_increment(vrp_db *db, const char *name, int64_t delta, int64_t *value)
{
	int rc = check_name(name);
	if (rc)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt, increment_sql);
	if (rc)
		goto done;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, delta);
	sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
	rc = vrp_db_step(db, stmt, "incrementing a metric");
	if (rc < 0 && sqlite3_extended_errcode(vrp_db_handle(db)) == SQLITE_CONSTRAINT_NOTNULL) {
		rc = vrp_error_set(VRP_EINVAL, "metric %s would overflow adding %lld", name,
				   (long long)delta);
	} else if (rc == 0) {
		rc = vrp_error_set(VRP_ERROR, "incrementing metric %s returned no row", name);
	} else if (rc == 1) {
		if (value)
			*value = sqlite3_column_int64(stmt, 0);
		rc = vrp_db_step_done(db, stmt, "incrementing a metric");
	}
done:
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_metrics_repo_set(vrp_db *db, const char *name, int64_t value)
{
	int rc = check_name(name);
	if (rc)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "INSERT INTO metrics (name, value, updated_at) VALUES (?1, ?2, ?3) "
			    "ON CONFLICT (name) DO UPDATE SET value = excluded.value, "
			    "updated_at = excluded.updated_at");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, value);
		sqlite3_bind_text(stmt, 3, now, -1, SQLITE_STATIC);
		rc = vrp_db_step_done(db, stmt, "setting a metric");
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_metrics_repo_get(vrp_db *db, const char *name, int64_t *value)
{
	*value = 0;
	int rc = check_name(name);
	if (rc)
		return rc;
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt, "SELECT value FROM metrics WHERE name = ?");
	if (rc)
		goto done;
	sqlite3_bind_text(stmt, 1, name, -1, SQLITE_STATIC);
	rc = vrp_db_step(db, stmt, "reading a metric");
	if (rc == 1) {
		*value = sqlite3_column_int64(stmt, 0);
		rc = 0;
	} else if (rc == 0) {
		rc = vrp_error_set(VRP_ENOTFOUND, "metric %s has never been recorded", name);
	}
done:
	sqlite3_finalize(stmt);
	return rc;
}

static int read_metric(sqlite3_stmt *stmt, vrp_metric **out)
{
	*out = NULL;
	vrp_metric *m = calloc(1, sizeof(*m));
	if (!m)
		return vrp_error_oom();
	m->value = sqlite3_column_int64(stmt, 1);
	int rc = vrp_db_column_strdup(stmt, 0, &m->name);
	if (rc == 0)
		rc = vrp_db_column_strdup(stmt, 2, &m->updated_at);
	if (rc) {
		vrp_metric_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

static int collect_metrics(vrp_db *db, sqlite3_stmt *stmt, vrp_metric_list **out)
{
	vrp_metric_list *list = calloc(1, sizeof(*list));
	if (!list)
		return vrp_error_oom();
	size_t capacity = 0;
	int rc = 0;
	while (rc == 0 && (rc = vrp_db_step(db, stmt, "listing metrics")) == 1) {
		rc = vrp_ptr_array_reserve(&list->items, &capacity, list->count + 1);
		if (rc == 0)
			rc = read_metric(stmt, &list->items[list->count]);
		if (rc == 0)
			list->count++;
	}
	if (rc < 0) {
		vrp_metric_list_free(list);
		return rc;
	}
	*out = list;
	return 0;
}

int vrp_metrics_repo_list(vrp_db *db, const char *prefix, vrp_metric_list **out)
{
	if (prefix && strspn(prefix, NAME_ALPHABET) != strlen(prefix))
		return vrp_error_set(VRP_EINVAL, "invalid metric prefix '%.80s'", prefix);
	sqlite3_stmt *stmt = NULL;
	/* substr rather than LIKE: '_' is a LIKE wildcard and is common in metric names. */
	int rc = vrp_db_prepare(db, &stmt,
				"SELECT name, value, updated_at FROM metrics "
				"WHERE substr(name, 1, length(?1)) = ?1 ORDER BY name");
	if (rc == 0) {
		sqlite3_bind_text(stmt, 1, prefix ? prefix : "", -1, SQLITE_STATIC);
		rc = collect_metrics(db, stmt, out);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int vrp_metrics_repo_reset(vrp_db *db, const char *name)
{
	int rc = check_name(name);
	if (rc)
		return rc;
	char now[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(now);
	sqlite3_stmt *stmt = NULL;
	rc = vrp_db_prepare(db, &stmt,
			    "UPDATE metrics SET value = 0, updated_at = ? WHERE name = ?");
	if (rc)
		goto done;
	sqlite3_bind_text(stmt, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
	rc = vrp_db_step_done(db, stmt, "resetting a metric");
	if (rc == 0 && vrp_db_changes(db) == 0)
		rc = vrp_error_set(VRP_ENOTFOUND, "metric %s has never been recorded", name);
done:
	sqlite3_finalize(stmt);
	return rc;
}
