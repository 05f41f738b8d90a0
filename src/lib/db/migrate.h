/*
 * migrate.h - the schema migrations (internal).
 *
 * Migrations are the numbered files in src/lib/db/migrations/, embedded at
 * build time: NNN_name.sql becomes version NNN. They only ever move forward.
 */
#ifndef VRP_DB_MIGRATE_H
#define VRP_DB_MIGRATE_H

#include "vrp/db.h"

#include <stddef.h>

struct vrp_migration {
	int version;
	const char *name;
	const char *sql;
};

/* The embedded migrations, in version order (generated at build time). */
extern const struct vrp_migration vrp_migrations[];
extern const size_t vrp_migrations_count;

/*
 * vrp_db_migrate() over an explicit list of migrations, versions 1..n in
 * order; tests use it to run a migration that fails half-way.
 */
int vrp_db_migrate_with(vrp_db *db, const struct vrp_migration *list, size_t count,
			const char *backup_dir, int target, vrp_migrate_result *result);

#endif
