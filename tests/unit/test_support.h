/*
 * test_support.h - helpers shared by the unit tests: temporary directories
 * and freshly migrated databases. Each test gets its own directory, removed
 * when the test ends.
 */
#ifndef VRP_TEST_SUPPORT_H
#define VRP_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "vrp/vrp.h"

/* Makes a new empty directory under $TMPDIR (or /tmp); malloc'd path. */
char *test_tmpdir(void);

/* The path of media fixture `name` in $VRP_TEST_FIXTURES (tests/data/make-fixtures.sh); caller
 * frees. */
char *test_fixture_path(const char *name);

/* Whether a shared library whose file name contains `name` is mapped into this process. */
bool test_library_is_loaded(const char *name);

/* Removes a directory tree; NULL is a no-op. Frees `path`. */
void test_rmtree(char *path);

/* "<dir>/<name>", malloc'd. */
char *test_path(const char *dir, const char *name);

/* A database at <dir>/library.db migrated to `version` (0: the newest). */
vrp_db *test_db_at_version(const char *dir, int version);

/* Runs SQL that must succeed (test set-up). */
void test_exec(vrp_db *db, const char *sql);

/* The single integer a query returns (asserts it returns one row). */
int64_t test_query_int(vrp_db *db, const char *sql);

/* Fails the test with the last libvrp error when `rc` is not 0. */
#define assert_ok(rc) test_assert_ok((rc), __FILE__, __LINE__)
void test_assert_ok(int rc, const char *file, int line);

/*
 * A fixture for tests that need a fresh, fully migrated database:
 * use cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)
 * and get it with test_fixture_db(state).
 */
struct test_fixture {
	char *dir;
	vrp_db *db;
};
int test_db_setup(void **state);
int test_db_teardown(void **state);
#define test_fixture_db(state) (((struct test_fixture *)*(state))->db)

#endif
