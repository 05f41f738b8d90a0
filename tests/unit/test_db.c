/* test_db.c - the connection: open, pragmas, transactions, faults, backups. */
#include "test_support.h"

#include "core/error_set.h"
#include "db/db_internal.h"
#include "db/read_only.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static void test_open_without_create_reports_missing_file(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "library.db");
	vrp_db *db = NULL;
	assert_int_equal(vrp_db_open(&db, path, 0), VRP_ENOTFOUND);
	assert_null(db);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
	test_rmtree(dir);
}

static void test_open_sets_wal_foreign_keys_and_busy_timeout(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "library.db");
	vrp_db *db = NULL;
	assert_ok(vrp_db_open(&db, path, VRP_DB_CREATE));
	assert_int_equal(test_query_int(db, "PRAGMA foreign_keys"), 1);
	assert_int_equal(test_query_int(db, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"),
			 1);
	assert_int_equal(test_query_int(db, "PRAGMA synchronous"), 2 /* FULL */);
	assert_int_equal(vrp_db_busy_timeout(db), VRP_DB_DEFAULT_BUSY_TIMEOUT_MS);
	assert_string_equal(vrp_db_path(db), path);
	vrp_db_close(db);
	vrp_db_close(NULL);
	free(path);
	test_rmtree(dir);
}

static void test_open_refuses_a_file_that_is_not_sqlite_and_leaves_it(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "library.db");
	static const char text[] = "these are my meeting notes, not a database\n"
				   "0123456789012345678901234567890123456789012345678901234567890";
	write_file(path, text, sizeof(text) - 1);
	vrp_db *db = NULL;
	assert_int_equal(vrp_db_open(&db, path, 0), VRP_ENOTADB);
	assert_string_equal(vrp_error_last()->code_name, "ERR_NOT_A_DATABASE");
	assert_string_equal(vrp_error_last()->context, path);
	char buf[sizeof(text)] = { 0 };
	FILE *f = fopen(path, "rb");
	assert_int_equal(fread(buf, 1, sizeof(buf), f), sizeof(text) - 1);
	fclose(f);
	assert_memory_equal(buf, text, sizeof(text) - 1);
	free(path);
	test_rmtree(dir);
}

static void test_open_refuses_a_directory(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db *db = NULL;
	assert_int_equal(vrp_db_open(&db, dir, 0), VRP_EINVAL);
	test_rmtree(dir);
}

static int insert_then(vrp_db *db, void *ctx)
{
	test_exec(db, "INSERT INTO t VALUES (1)");
	return *(int *)ctx;
}

static void test_transaction_commits_on_success(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE t (x)");
	int result = 0;
	assert_ok(vrp_db_transaction(db, insert_then, &result));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t"), 1);
	assert_int_equal(sqlite3_get_autocommit(vrp_db_handle(db)), 1);
}

static int insert_then_fail(vrp_db *db, void *ctx)
{
	(void)ctx;
	test_exec(db, "INSERT INTO t VALUES (1)");
	return vrp_error_set(VRP_ECHECKSUM, "the copy does not match");
}

static void test_transaction_rolls_back_and_keeps_the_callers_error(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE t (x)");
	assert_int_equal(vrp_db_transaction(db, insert_then_fail, NULL), VRP_ECHECKSUM);
	assert_string_equal(vrp_error_last()->message, "the copy does not match");
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t"), 0);
	assert_int_equal(sqlite3_get_autocommit(vrp_db_handle(db)), 1);
}

static int outer_with_failing_inner(vrp_db *db, void *ctx)
{
	(void)ctx;
	test_exec(db, "INSERT INTO t VALUES ('outer')");
	assert_int_equal(vrp_db_transaction(db, insert_then_fail, NULL), VRP_ECHECKSUM);
	int ok = 0;
	return vrp_db_transaction(db, insert_then, &ok);
}

static void test_nested_transaction_rolls_back_only_the_inner_part(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE t (x)");
	assert_ok(vrp_db_transaction(db, outer_with_failing_inner, NULL));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t WHERE x = 'outer'"), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t WHERE x = 1"), 1);
}

static int fill_until_full(vrp_db *db, void *ctx)
{
	(void)ctx;
	for (int i = 0; i < 10000; i++) {
		int rc = vrp_db_exec(db, "INSERT INTO t VALUES (randomblob(4000))");
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void test_full_database_maps_to_no_space_and_rolls_back(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE t (x)");
	int64_t pages = test_query_int(db, "PRAGMA page_count");
	char sql[64];
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", (long long)pages + 8);
	test_exec(db, sql);
	assert_int_equal(vrp_db_transaction(db, fill_until_full, NULL), VRP_ENOSPC);
	assert_string_equal(vrp_error_last()->code_name, "ERR_NO_SPACE");
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t"), 0);
}

static void test_readonly_connection_refuses_writes(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db_close(test_db_at_version(dir, 0));
	char *path = test_path(dir, "library.db");
	vrp_db *db = NULL;
	assert_ok(vrp_db_open(&db, path, VRP_DB_READONLY));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 0);
	assert_int_equal(vrp_db_exec(db, "DELETE FROM tags"), VRP_EREADONLY);
	assert_non_null(strstr(vrp_error_last()->message, "read-only"));
	vrp_db_close(db);
	free(path);
	test_rmtree(dir);
}

/* A child process takes the write lock and holds it until we close the pipe. */
static pid_t hold_write_lock(const char *path, int *release_fd)
{
	int ready[2], release[2];
	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(release), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(ready[0]);
		close(release[1]);
		vrp_db *db = NULL;
		if (vrp_db_open(&db, path, 0) != 0 || vrp_db_exec(db, "BEGIN IMMEDIATE") != 0)
			_exit(1);
		char c = 'x';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		(void)!read(release[0], &c, 1);
		vrp_db_exec(db, "ROLLBACK");
		vrp_db_close(db);
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	char c;
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	*release_fd = release[1];
	return pid;
}

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_writer_waits_busy_timeout_then_reports_busy(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE t (x)");
	int release = -1;
	pid_t child = hold_write_lock(vrp_db_path(db), &release);
	assert_ok(vrp_db_set_busy_timeout(db, 300));
	int result = 0;
	double start = now_seconds();
	assert_int_equal(vrp_db_transaction(db, insert_then, &result), VRP_EBUSY);
	double waited = now_seconds() - start;
	assert_true(waited >= 0.25);
	assert_string_equal(vrp_error_last()->code_name, "ERR_BUSY");
	/* Readers are not blocked by the writer (WAL). */
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t"), 0);
	close(release);
	int status = 0;
	waitpid(child, &status, 0);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_ok(vrp_db_transaction(db, insert_then, &result));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t"), 1);
}

/* Another connection of this process, holding the write lock for a while. */
struct holder {
	vrp_db *db;
	int hold_ms;
	bool roll_back;
	int rc;
};

static void *hold_then_end(void *arg)
{
	struct holder *h = arg;
	struct timespec pause = { 0, (long)h->hold_ms * 1000000L };
	nanosleep(&pause, NULL);
	h->rc = vrp_db_exec(h->db, h->roll_back ? "ROLLBACK" : "COMMIT");
	return NULL;
}

static void wait_for_holder(vrp_db *db, bool roll_back)
{
	struct holder h = { .hold_ms = 150, .roll_back = roll_back };
	assert_ok(vrp_db_open(&h.db, vrp_db_path(db), 0));
	assert_ok(vrp_db_exec(h.db, "BEGIN IMMEDIATE; INSERT INTO t VALUES (2)"));
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, hold_then_end, &h), 0);
	int result = 0;
	double start = now_seconds();
	assert_ok(vrp_db_transaction(db, insert_then, &result));
	assert_true(now_seconds() - start >= 0.1);
	pthread_join(thread, NULL);
	assert_ok(h.rc);
	vrp_db_close(h.db);
}

/* A writer behind another connection of this process goes on when that one ends, either way. */
static void test_writer_waits_for_a_connection_of_this_process(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE t (x)");
	wait_for_holder(db, false);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t WHERE x = 2"), 1);
	wait_for_holder(db, true);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t WHERE x = 2"), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM t WHERE x = 1"), 2);
}

/* Replacing SQLite's WAL hook must not stop its automatic checkpoints. */
/*
 * A cached statement comes back reset with no bindings, a second user of the
 * same SQL while the first holds it gets its own, and many distinct
 * statements evict without leaking (ASan) or losing correctness.
 */
static void test_cached_statements_are_reset_and_never_shared(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1), (2), (3)");
	const char *sql = "SELECT count(*) FROM t WHERE v >= ?1";
	sqlite3_stmt *a = NULL, *b = NULL;
	assert_ok(vrp_db_prepare_cached(db, &a, sql));
	sqlite3_bind_int(a, 1, 2);
	assert_int_equal(vrp_db_step(db, a, "step"), 1);
	assert_int_equal(sqlite3_column_int(a, 0), 2);
	assert_ok(vrp_db_prepare_cached(db, &b, sql));
	assert_ptr_not_equal(a, b);
	vrp_db_release(db, a);
	vrp_db_release(db, b);
	/* One of the two comes back, mid-result no more and unbound: NULL matches nothing. */
	sqlite3_stmt *c = NULL;
	assert_ok(vrp_db_prepare_cached(db, &c, sql));
	assert_true(c == a || c == b);
	assert_int_equal(vrp_db_step(db, c, "step"), 1);
	assert_int_equal(sqlite3_column_int(c, 0), 0);
	vrp_db_release(db, c);
	for (int i = 0; i < 40; i++) {
		char q[64];
		snprintf(q, sizeof(q), "SELECT %d + count(*) FROM t", i);
		sqlite3_stmt *s = NULL;
		assert_ok(vrp_db_prepare_cached(db, &s, q));
		assert_int_equal(vrp_db_step(db, s, "step"), 1);
		assert_int_equal(sqlite3_column_int(s, 0), i + 3);
		vrp_db_release(db, s);
	}
	vrp_db_release(db, NULL);
	/* A schema change under a kept statement: SQLite prepares it again. */
	assert_ok(vrp_db_prepare_cached(db, &a, "SELECT count(*) FROM t"));
	vrp_db_release(db, a);
	test_exec(db, "ALTER TABLE t ADD COLUMN w TEXT; INSERT INTO t (v) VALUES (4)");
	assert_ok(vrp_db_prepare_cached(db, &a, "SELECT count(*) FROM t"));
	assert_int_equal(vrp_db_step(db, a, "step"), 1);
	assert_int_equal(sqlite3_column_int(a, 0), 4);
	vrp_db_release(db, a);
}

static void test_the_wal_is_still_checkpointed(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "CREATE TABLE big (b BLOB)");
	for (int i = 0; i < 300; i++)
		test_exec(db, "INSERT INTO big VALUES (zeroblob(16384))");
	char *wal = NULL;
	assert_true(asprintf(&wal, "%s-wal", vrp_db_path(db)) > 0);
	struct stat st;
	assert_int_equal(stat(wal, &st), 0);
	/* 300 commits of 4+ pages: without checkpoints the WAL would pass 1,200 pages. */
	assert_true(st.st_size < 1100 * 4096 + 4096);
	free(wal);
}

static void test_sqlite_codes_map_to_stable_codes(void **state)
{
	(void)state;
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_BUSY), VRP_EBUSY);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_BUSY_SNAPSHOT), VRP_EBUSY);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_FULL), VRP_ENOSPC);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_READONLY_DBMOVED), VRP_EREADONLY);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_CORRUPT), VRP_ECORRUPTDB);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_NOTADB), VRP_ENOTADB);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_IOERR_FSYNC), VRP_EIO);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_CONSTRAINT_UNIQUE), VRP_EEXISTS);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_CONSTRAINT_CHECK), VRP_EDB);
	assert_int_equal(vrp_db_code_from_sqlite(SQLITE_ERROR), VRP_EDB);
}

static void test_quick_check_passes_a_sound_database(void **state)
{
	vrp_db *db = test_fixture_db(state);
	char *report = NULL;
	assert_ok(vrp_db_quick_check(db, &report));
	assert_string_equal(report, "ok");
	free(report);
}

/* Overwrites the middle of the file, where the table's b-tree pages are. */
static void damage(const char *path)
{
	int fd = open(path, O_WRONLY);
	assert_true(fd >= 0);
	char junk[4096];
	memset(junk, 0x5a, sizeof(junk));
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	for (off_t off = 4096 * 3; off + 4096 < st.st_size; off += 4096 * 4)
		assert_int_equal(pwrite(fd, junk, sizeof(junk), off), (ssize_t)sizeof(junk));
	close(fd);
}

static void test_corrupt_database_is_reported_by_quick_check(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db *db = test_db_at_version(dir, 0);
	test_exec(db, "CREATE TABLE filler (x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
		      "SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO filler SELECT "
		      "printf('%0200d', i) FROM n; PRAGMA wal_checkpoint(TRUNCATE)");
	vrp_db_close(db);
	char *path = test_path(dir, "library.db");
	damage(path);
	db = NULL;
	int rc = vrp_db_open(&db, path, 0);
	if (rc == 0) {
		char *report = NULL;
		rc = vrp_db_quick_check(db, &report);
		assert_non_null(report);
		assert_string_not_equal(report, "ok");
		free(report);
	}
	assert_true(rc == VRP_ECORRUPTDB || rc == VRP_ENOTADB);
	assert_non_null(strstr(vrp_error_last()->message, "backups/"));
	vrp_db_close(db);
	free(path);
	test_rmtree(dir);
}

static void test_backup_to_writes_a_complete_copy(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "INSERT INTO tags (name) VALUES ('lecture'), ('interview')");
	char *dir = test_tmpdir();
	char *dest = test_path(dir, "copy.db");
	assert_ok(vrp_db_backup_to(db, dest));
	vrp_db *copy = NULL;
	assert_ok(vrp_db_open(&copy, dest, 0));
	assert_int_equal(test_query_int(copy, "SELECT count(*) FROM tags"), 2);
	assert_int_equal(test_query_int(copy, "PRAGMA user_version"), vrp_db_schema_latest());
	vrp_db_close(copy);
	char *tmp = test_path(dir, "copy.db.tmp");
	assert_int_equal(access(tmp, F_OK), -1);
	free(tmp);
	free(dest);
	test_rmtree(dir);
}

static size_t count_backups(const char *dir, char *newest, size_t newest_len)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "library-v", 9)) {
			n++;
			if (newest && strcmp(e->d_name, newest) > 0)
				snprintf(newest, newest_len, "%s", e->d_name);
		}
	closedir(d);
	return n;
}

static void test_backup_rotation_keeps_the_newest_five(void **state)
{
	vrp_db *db = test_fixture_db(state);
	char *dir = test_tmpdir();
	char *last = NULL;
	for (int i = 0; i < VRP_DB_BACKUPS_KEPT + 3; i++) {
		free(last);
		assert_ok(vrp_db_backup(db, dir, &last));
	}
	char newest[256] = "";
	assert_int_equal(count_backups(dir, newest, sizeof(newest)), VRP_DB_BACKUPS_KEPT);
	assert_non_null(strstr(last, newest));
	char expect[32];
	snprintf(expect, sizeof(expect), "library-v%d-", vrp_db_schema_latest());
	assert_non_null(strstr(last, expect));
	free(last);
	test_rmtree(dir);
}

static void test_backup_into_unwritable_place_fails_cleanly(void **state)
{
	vrp_db *db = test_fixture_db(state);
	char *dir = test_tmpdir();
	char *file = test_path(dir, "plain-file");
	write_file(file, "x", 1);
	char *inside = test_path(file, "backups");
	char *out = NULL;
	int rc = vrp_db_backup(db, inside, &out);
	assert_true(rc < 0);
	assert_null(out);
	free(inside);
	free(file);
	test_rmtree(dir);
}

/* A path is never read as a URI's query or escape, whatever its bytes. */
static void test_read_only_uri_escapes_the_path(void **state)
{
	(void)state;
	char *uri = vrp_db_uri("/my lib?#%/library.db", "mode=ro");
	assert_string_equal(uri, "file:/my%20lib%3F%23%25/library.db?mode=ro");
	free(uri);
}

static void test_a_writable_database_is_writable(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_true(vrp_db_is_writable(db));
	assert_ok(vrp_db_refuse_write(db));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_only_uri_escapes_the_path),
		cmocka_unit_test_setup_teardown(test_a_writable_database_is_writable, test_db_setup,
						test_db_teardown),
		cmocka_unit_test(test_open_without_create_reports_missing_file),
		cmocka_unit_test(test_open_sets_wal_foreign_keys_and_busy_timeout),
		cmocka_unit_test(test_open_refuses_a_file_that_is_not_sqlite_and_leaves_it),
		cmocka_unit_test(test_open_refuses_a_directory),
		cmocka_unit_test_setup_teardown(test_transaction_commits_on_success, test_db_setup,
						test_db_teardown),
		cmocka_unit_test_setup_teardown(
			test_transaction_rolls_back_and_keeps_the_callers_error, test_db_setup,
			test_db_teardown),
		cmocka_unit_test_setup_teardown(
			test_nested_transaction_rolls_back_only_the_inner_part, test_db_setup,
			test_db_teardown),
		cmocka_unit_test_setup_teardown(test_full_database_maps_to_no_space_and_rolls_back,
						test_db_setup, test_db_teardown),
		cmocka_unit_test(test_readonly_connection_refuses_writes),
		cmocka_unit_test_setup_teardown(test_writer_waits_busy_timeout_then_reports_busy,
						test_db_setup, test_db_teardown),
		cmocka_unit_test_setup_teardown(test_writer_waits_for_a_connection_of_this_process,
						test_db_setup, test_db_teardown),
		cmocka_unit_test_setup_teardown(test_cached_statements_are_reset_and_never_shared,
						test_db_setup, test_db_teardown),
		cmocka_unit_test_setup_teardown(test_the_wal_is_still_checkpointed, test_db_setup,
						test_db_teardown),
		cmocka_unit_test(test_sqlite_codes_map_to_stable_codes),
		cmocka_unit_test_setup_teardown(test_quick_check_passes_a_sound_database,
						test_db_setup, test_db_teardown),
		cmocka_unit_test(test_corrupt_database_is_reported_by_quick_check),
		cmocka_unit_test_setup_teardown(test_backup_to_writes_a_complete_copy,
						test_db_setup, test_db_teardown),
		cmocka_unit_test_setup_teardown(test_backup_rotation_keeps_the_newest_five,
						test_db_setup, test_db_teardown),
		cmocka_unit_test_setup_teardown(test_backup_into_unwritable_place_fails_cleanly,
						test_db_setup, test_db_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
