/* migrate.c - apply the embedded schema migrations, one transaction each. */
#include "db/migrate.h"

#include "core/error_set.h"
#include "db/db_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vrp_db_schema_latest(void) { return (int)vrp_migrations_count; }

void vrp_migrate_result_clear(vrp_migrate_result *result)
{
	if (!result)
		return;
	free(result->backup_path);
	result->backup_path = NULL;
}

/* A database with no tables has nothing worth a backup. */
static int has_schema(vrp_db *db, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "SELECT count(*) FROM sqlite_schema");
	if (rc == 0 && (rc = vrp_db_step(db, stmt, "cannot read the schema")) == 1) {
		*out = sqlite3_column_int(stmt, 0) > 0;
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

struct step {
	const struct vrp_migration *migration;
};

static int foreign_key_violations(vrp_db *db, int *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = vrp_db_prepare(db, &stmt, "PRAGMA foreign_key_check");
	*out = 0;
	if (rc == 0)
		rc = vrp_db_step(db, stmt, "cannot check foreign keys");
	if (rc == 1) {
		*out = 1;
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int apply_one(vrp_db *db, void *ctx)
{
	const struct vrp_migration *m = ((struct step *)ctx)->migration;
	int current = 0;
	int rc = vrp_db_schema_version(db, &current);
	if (rc < 0)
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	if (current >= m->version)
		return 0;
	if (current != m->version - 1)
		return vrp_error_set(VRP_EMIGRATION, "database is at version %d, cannot apply %03d",
				     current, m->version);
	int src = sqlite3_exec(vrp_db_handle(db), m->sql, NULL, NULL, NULL);
	if (src != SQLITE_OK)
		return vrp_db_fail(db, src, "statement failed");
	int violations = 0;
	rc = foreign_key_violations(db, &violations);
	if (rc == 0 && violations)
		rc = vrp_error_set(VRP_EMIGRATION, "it left rows breaking foreign keys");
	if (rc < 0)
		return rc;
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", m->version);
	return vrp_db_exec(db, sql);
}

static int run_migrations(vrp_db *db, const struct vrp_migration *list, int from, int target,
			  vrp_migrate_result *result)
{
	for (int v = from + 1; v <= target; v++) {
		struct step step = { &list[v - 1] };
		/*
		 * SQLite's way to rebuild a table: foreign keys off (only possible
		 * outside a transaction), so that dropping the old table cascades
		 * nothing; apply_one checks them all before the commit.
		 */
		int rc = vrp_db_exec(db, "PRAGMA foreign_keys = OFF");
		if (rc == 0)
			rc = vrp_db_transaction(db, apply_one, &step);
		int on = vrp_db_exec(db, "PRAGMA foreign_keys = ON");
		if (rc == 0)
			rc = on;
		if (rc == VRP_EBUSY)
			return rc;
		if (rc < 0) {
			char cause[512];
			snprintf(cause, sizeof(cause), "%s", vrp_error_last()->message);
			vrp_error_set(VRP_EMIGRATION,
				      "migration %03d_%s failed and was rolled back; the database "
				      "stays at version %d%s%s: %s",
				      step.migration->version, step.migration->name, v - 1,
				      result->backup_path ? ", backup kept at " : "",
				      result->backup_path ? result->backup_path : "", cause);
			return vrp_error_set_context("%s", vrp_db_path(db));
		}
		result->applied++;
		result->to_version = v;
	}
	return 0;
}

int vrp_db_migrate_with(vrp_db *db, const struct vrp_migration *list, size_t count,
			const char *backup_dir, int target, vrp_migrate_result *out)
{
	vrp_migrate_result local = { 0 };
	vrp_migrate_result *result = out ? out : &local;
	memset(result, 0, sizeof(*result));
	if (target == 0)
		target = (int)count;
	int current = 0;
	int rc = vrp_db_schema_version(db, &current);
	if (rc < 0)
		return rc;
	result->from_version = result->to_version = current;
	if (current > (int)count)
		return vrp_error_set(VRP_ESCHEMA_TOO_NEW,
				     "the database is at schema version %d, newer than this vrp "
				     "(%zu): upgrade vrp",
				     current, count);
	if (target < current || target > (int)count)
		return vrp_error_set(VRP_EINVAL, "cannot migrate from version %d to %d", current,
				     target);
	if (target == current)
		return 0;
	if ((rc = vrp_db_refuse_write(db)) < 0)
		return vrp_error_prefix("the library database must be upgraded from version %d to "
					"%d first",
					current, target);
	int populated = 0;
	rc = has_schema(db, &populated);
	if (rc == 0 && populated)
		rc = vrp_db_quick_check(db, NULL);
	if (rc == 0 && populated)
		rc = vrp_db_backup(db, backup_dir, &result->backup_path);
	if (rc == 0)
		rc = run_migrations(db, list, current, target, result);
	if (!out)
		vrp_migrate_result_clear(&local);
	return rc;
}

int vrp_db_migrate(vrp_db *db, const char *backup_dir, int target, vrp_migrate_result *result)
{
	return vrp_db_migrate_with(db, vrp_migrations, vrp_migrations_count, backup_dir, target,
				   result);
}
