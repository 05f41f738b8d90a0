/* test_support.c - helpers shared by the unit tests. */
#include "test_support.h"

#include "db/db_internal.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *test_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *tmpl = test_path(base && *base ? base : "/tmp", "vrp-test-XXXXXX");
	assert_non_null(mkdtemp(tmpl));
	return tmpl;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void test_rmtree(char *path)
{
	if (!path)
		return;
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(path);
}

char *test_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *out = malloc(len);
	assert_non_null(out);
	snprintf(out, len, "%s/%s", dir, name);
	return out;
}

void test_assert_ok(int rc, const char *file, int line)
{
	if (rc == 0)
		return;
	const vrp_error *e = vrp_error_last();
	fail_msg("%s:%d: expected success, got %d %s: %s (%s)", file, line, rc, e->code_name,
		 e->message, e->context);
}

vrp_db *test_db_at_version(const char *dir, int version)
{
	char *path = test_path(dir, "library.db");
	char *backups = test_path(dir, "backups");
	vrp_db *db = NULL;
	assert_ok(vrp_db_open(&db, path, VRP_DB_CREATE));
	assert_ok(vrp_db_migrate(db, backups, version, NULL));
	free(path);
	free(backups);
	return db;
}

void test_exec(vrp_db *db, const char *sql) { assert_ok(vrp_db_exec(db, sql)); }

int64_t test_query_int(vrp_db *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	assert_ok(vrp_db_prepare(db, &stmt, sql));
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	int64_t value = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return value;
}

int test_db_setup(void **state)
{
	struct test_fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->dir = test_tmpdir();
	f->db = test_db_at_version(f->dir, 0);
	*state = f;
	return 0;
}

int test_db_teardown(void **state)
{
	struct test_fixture *f = *state;
	vrp_db_close(f->db);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

char *test_fixture_path(const char *name)
{
	const char *dir = getenv("VRP_TEST_FIXTURES");
	assert_non_null(dir);
	return test_path(dir, name);
}

bool test_library_is_loaded(const char *name)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	assert_non_null(maps);
	char line[1024];
	bool loaded = false;
	while (fgets(line, sizeof(line), maps))
		loaded = loaded || strstr(line, name);
	fclose(maps);
	return loaded;
}
