/* test_migrate.c - schema migrations: upgrade paths, backups, refusals, failures. */
#include "test_support.h"

#include "db/db_internal.h"
#include "db/migrate.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t count_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_fresh_database_migrates_to_latest_without_backup(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "library.db");
	char *backups = test_path(dir, "backups");
	vrp_db *db = NULL;
	assert_ok(vrp_db_open(&db, path, VRP_DB_CREATE));
	vrp_migrate_result r;
	assert_ok(vrp_db_migrate(db, backups, 0, &r));
	assert_int_equal(r.from_version, 0);
	assert_int_equal(r.to_version, vrp_db_schema_latest());
	assert_int_equal(r.applied, vrp_db_schema_latest());
	assert_null(r.backup_path);
	assert_int_equal(count_files(backups), 0);
	int version = 0;
	assert_ok(vrp_db_schema_version(db, &version));
	assert_int_equal(version, vrp_db_schema_latest());
	vrp_migrate_result_clear(&r);
	vrp_db_close(db);
	free(backups);
	free(path);
	test_rmtree(dir);
}

static void test_there_are_at_least_two_migrations(void **state)
{
	(void)state;
	assert_true(vrp_db_schema_latest() >= 2);
	for (size_t i = 0; i < vrp_migrations_count; i++)
		assert_int_equal(vrp_migrations[i].version, (int)i + 1);
}

static void test_migrating_an_up_to_date_database_does_nothing(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_migrate_result r;
	assert_ok(vrp_db_migrate(db, "/nonexistent/backups", 0, &r));
	assert_int_equal(r.applied, 0);
	assert_null(r.backup_path);
	vrp_migrate_result_clear(&r);
}

/* Rows a version-1 user would have: a tagged recording, a remote, queue, audit. */
static void populate_v1(vrp_db *db)
{
	test_exec(db,
		  "INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, "
		  "title, description, duration, filesize_bytes, mime_type, codec, sample_rate, "
		  "channels, checksum, created_at, modified_at) VALUES "
		  "('0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11', X'ff66e9652e776176', "
		  "'0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11.wav', "
		  "'recordings/raw/0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11.wav', 'Board meeting', "
		  "'quarterly budget review', 61.5, 123456, 'audio/wav', 'pcm_s16le', 48000, 2, "
		  "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', "
		  "'2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z');"
		  "INSERT INTO tags (name) VALUES ('work');"
		  "INSERT INTO recording_tags VALUES (1, 1);"
		  "INSERT INTO remotes (name, provider_key, created_at, modified_at) VALUES "
		  "('drive', 'gdrive', '2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z');"
		  "INSERT INTO recording_remote (recording_id, remote, provider_key, remote_id, "
		  "sync_status, created_at, modified_at) VALUES (1, 'drive', 'gdrive', 'FILE1', "
		  "'synced', '2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z');"
		  "INSERT INTO sync_tasks (uuid, op, recording_id, remote, next_attempt_at, "
		  "idempotency_key, resume_state, created_at, modified_at) VALUES "
		  "('1b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11', 'upload', 1, 'drive', "
		  "'2026-01-02T03:04:05.000Z', 'aaaa:123456', '{\"bytes\":1024}', "
		  "'2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z');"
		  "INSERT INTO audit_log (at, operation, recording_id, success) VALUES "
		  "('2026-01-02T03:04:05.000Z', 'import', 1, 1);");
}

static void assert_v1_rows_intact(vrp_db *db)
{
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings WHERE title = "
					    "'Board meeting' AND duration = 61.5 AND "
					    "original_filename = X'ff66e9652e776176' AND "
					    "sample_rate = 48000 AND filesize_bytes = 123456"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote WHERE "
					    "remote_id = 'FILE1' AND sync_status = 'synced'"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT json_extract(resume_state, '$.bytes') FROM "
					    "sync_tasks"),
			 1024);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log"), 1);
	assert_int_equal(test_query_int(db, "SELECT rowid FROM recordings_fts WHERE "
					    "recordings_fts MATCH 'budget'"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT rowid FROM recordings_fts WHERE "
					    "recordings_fts MATCH 'tags:work'"),
			 1);
}

static void test_upgrade_from_v1_keeps_every_row_and_backs_up_first(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db *db = test_db_at_version(dir, 1);
	populate_v1(db);
	char *backups = test_path(dir, "backups");
	vrp_migrate_result r;
	assert_ok(vrp_db_migrate(db, backups, 0, &r));
	assert_int_equal(r.from_version, 1);
	assert_int_equal(r.to_version, vrp_db_schema_latest());
	assert_non_null(r.backup_path);
	assert_non_null(strstr(r.backup_path, "/library-v1-"));
	assert_v1_rows_intact(db);
	/* What 002 added has sensible values for old rows and works. */
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings WHERE integrity = "
					    "'unverified' AND verified_at IS NULL"),
			 1);
	test_exec(db, "INSERT INTO metrics (name, value, updated_at) VALUES ('x', 1, 'now')");
	/* 011: old rows and tasks are the originals', and the rebuilt table's
	 * triggers still tie a task's attempts to its row. */
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote WHERE "
					    "variant = 'original' AND content_sha256 IS NULL"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE "
					    "variant = 'original'"),
			 1);
	test_exec(db, "UPDATE sync_tasks SET attempts = 3");
	assert_int_equal(test_query_int(db, "SELECT attempts FROM recording_remote"), 3);
	test_exec(db, "INSERT INTO recording_remote (recording_id, remote, variant, provider_key, "
		      "created_at, modified_at) VALUES (1, 'drive', 'compressed', 'gdrive', "
		      "'2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z')");
	assert_int_equal(test_query_int(db, "SELECT attempts FROM recording_remote WHERE "
					    "variant = 'compressed'"),
			 0);
	/* The backup is the database as it was before: version 1, same rows. */
	vrp_db *old = NULL;
	assert_ok(vrp_db_open(&old, r.backup_path, 0));
	assert_int_equal(test_query_int(old, "PRAGMA user_version"), 1);
	assert_v1_rows_intact(old);
	vrp_db_close(old);
	vrp_migrate_result_clear(&r);
	vrp_db_close(db);
	free(backups);
	test_rmtree(dir);
}

/* Inserts recording number `n` (its uuid and checksum derive from n); returns its id. */
static int64_t insert_recording(vrp_db *db, int n)
{
	char sql[1024];
	snprintf(
		sql, sizeof(sql),
		"INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, "
		"filesize_bytes, mime_type, checksum, created_at, modified_at) VALUES "
		"('00000000-0000-4000-8000-%012d', 'r%d.wav', 'r%d.wav', 'recordings/raw/r%d.wav', "
		"1, 'audio/wav', printf('%%064d', %d), '2026-01-02T03:04:05.000Z', "
		"'2026-01-02T03:04:05.000Z')",
		n, n, n, n, n);
	test_exec(db, sql);
	return vrp_db_last_insert_id(db);
}

static void test_a_purged_recordings_id_is_never_given_again(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(insert_recording(db, 1), 1);
	assert_int_equal(insert_recording(db, 2), 2);
	test_exec(db, "DELETE FROM recordings WHERE id = 2");
	assert_int_equal(insert_recording(db, 3), 3);
}

static void test_upgrade_keeps_ids_and_starts_above_every_id_ever_used(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db *db = test_db_at_version(dir, 1);
	populate_v1(db);
	/* Purged before the upgrade: 2 left a hole at the top, 7 only an audit entry. */
	assert_int_equal(insert_recording(db, 2), 2);
	test_exec(db, "DELETE FROM recordings WHERE id = 2;"
		      "INSERT INTO audit_log (at, operation, recording_id, success) VALUES "
		      "('2026-01-02T03:04:05.000Z', 'purge', 7, 1)");
	char *backups = test_path(dir, "backups");
	assert_ok(vrp_db_migrate(db, backups, 0, NULL));
	/* (test_upgrade_from_v1_keeps_every_row_and_backs_up_first checks the rows.) */
	assert_int_equal(test_query_int(db, "SELECT rowid FROM recordings_fts WHERE "
					    "recordings_fts MATCH 'budget'"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	assert_int_equal(insert_recording(db, 3), 8);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings_fts WHERE rowid = 8"),
			 1);
	/* The foreign keys still act on the rebuilt table. */
	test_exec(db, "DELETE FROM recordings WHERE id = 1");
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote"), 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE "
					    "recording_id IS NULL"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings_fts"), 1);
	free(backups);
	vrp_db_close(db);
	test_rmtree(dir);
}

static char *schema_of(vrp_db *db)
{
	sqlite3_stmt *stmt = NULL;
	assert_ok(vrp_db_prepare(db, &stmt,
				 "SELECT group_concat(type || ' ' || name || ': ' || "
				 "coalesce(sql, ''), char(10)) FROM (SELECT * FROM sqlite_schema "
				 "ORDER BY type, name)"));
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	char *text = strdup((const char *)sqlite3_column_text(stmt, 0));
	sqlite3_finalize(stmt);
	return text;
}

static void test_step_by_step_upgrade_equals_fresh_schema(void **state)
{
	(void)state;
	char *a = test_tmpdir(), *b = test_tmpdir();
	vrp_db *fresh = test_db_at_version(a, 0);
	vrp_db *stepped = test_db_at_version(b, 1);
	char *backups = test_path(b, "backups");
	for (int v = 2; v <= vrp_db_schema_latest(); v++)
		assert_ok(vrp_db_migrate(stepped, backups, v, NULL));
	char *s1 = schema_of(fresh), *s2 = schema_of(stepped);
	assert_string_equal(s1, s2);
	free(s1);
	free(s2);
	free(backups);
	vrp_db_close(fresh);
	vrp_db_close(stepped);
	test_rmtree(a);
	test_rmtree(b);
}

static void test_migrating_backwards_is_refused(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_db_migrate(db, "/tmp", 1, NULL), VRP_EINVAL);
	assert_int_equal(test_query_int(db, "PRAGMA user_version"), vrp_db_schema_latest());
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)n + 1);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void test_newer_database_is_refused_and_left_untouched(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db *db = test_db_at_version(dir, 0);
	test_exec(db, "PRAGMA user_version = 99; PRAGMA journal_mode = DELETE");
	vrp_db_close(db);
	char *path = test_path(dir, "library.db");
	size_t before_len, after_len;
	char *before = read_all(path, &before_len);
	struct stat st_before, st_after;
	assert_int_equal(stat(path, &st_before), 0);
	db = NULL;
	assert_int_equal(vrp_db_open(&db, path, 0), VRP_ESCHEMA_TOO_NEW);
	assert_null(db);
	assert_non_null(strstr(vrp_error_last()->message, "99"));
	assert_non_null(strstr(vrp_error_last()->message, "not modified"));
	char *after = read_all(path, &after_len);
	assert_int_equal(before_len, after_len);
	assert_memory_equal(before, after, before_len);
	assert_int_equal(stat(path, &st_after), 0);
	assert_int_equal(st_before.st_mtime, st_after.st_mtime);
	char *wal = test_path(dir, "library.db-wal");
	assert_int_equal(access(wal, F_OK), -1);
	free(wal);
	free(before);
	free(after);
	free(path);
	test_rmtree(dir);
}

static void test_migrate_refuses_a_newer_database(void **state)
{
	vrp_db *db = test_fixture_db(state);
	/* Pretend the program knows one migration fewer than the database has. */
	assert_int_equal(
		vrp_db_migrate_with(db, vrp_migrations, vrp_migrations_count - 1, "/tmp", 0, NULL),
		VRP_ESCHEMA_TOO_NEW);
	assert_int_equal(test_query_int(db, "PRAGMA user_version"), vrp_db_schema_latest());
}

static void test_failed_migration_rolls_back_and_keeps_the_backup(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db *db = test_db_at_version(dir, 0);
	populate_v1(db);
	int latest = vrp_db_schema_latest();
	struct vrp_migration list[64];
	assert_true(vrp_migrations_count < 64);
	memcpy(list, vrp_migrations, vrp_migrations_count * sizeof(*list));
	/* Half-way: the first statements succeed, then one fails. */
	list[latest] = (struct vrp_migration){ latest + 1, "broken",
					       "CREATE TABLE half_done (x);"
					       "INSERT INTO half_done VALUES (1);"
					       "UPDATE recordings SET title = 'changed';"
					       "INSERT INTO no_such_table VALUES (1);" };
	char *backups = test_path(dir, "backups");
	vrp_migrate_result r;
	assert_int_equal(vrp_db_migrate_with(db, list, vrp_migrations_count + 1, backups, 0, &r),
			 VRP_EMIGRATION);
	const char *msg = vrp_error_last()->message;
	assert_non_null(strstr(msg, "broken"));
	assert_non_null(strstr(msg, "no_such_table"));
	assert_non_null(strstr(msg, "rolled back"));
	assert_non_null(r.backup_path);
	assert_non_null(strstr(msg, r.backup_path));
	assert_int_equal(access(r.backup_path, F_OK), 0);
	assert_int_equal(test_query_int(db, "PRAGMA user_version"), latest);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
					    "'half_done'"),
			 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings WHERE title = "
					    "'Board meeting'"),
			 1);
	vrp_migrate_result_clear(&r);
	vrp_db_close(db);
	free(backups);
	test_rmtree(dir);
}

static void test_migration_that_breaks_foreign_keys_is_rolled_back(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	vrp_db *db = test_db_at_version(dir, 0);
	populate_v1(db);
	int latest = vrp_db_schema_latest();
	struct vrp_migration list[64];
	assert_true(vrp_migrations_count < 64);
	memcpy(list, vrp_migrations, vrp_migrations_count * sizeof(*list));
	list[latest] = (struct vrp_migration){ latest + 1, "orphans",
					       "PRAGMA defer_foreign_keys = ON;"
					       "INSERT INTO recording_tags VALUES (999, 1);" };
	char *backups = test_path(dir, "backups");
	assert_int_equal(vrp_db_migrate_with(db, list, vrp_migrations_count + 1, backups, 0, NULL),
			 VRP_EMIGRATION);
	assert_non_null(strstr(vrp_error_last()->message, "foreign key"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 1);
	assert_int_equal(test_query_int(db, "PRAGMA user_version"), latest);
	vrp_db_close(db);
	free(backups);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fresh_database_migrates_to_latest_without_backup),
		cmocka_unit_test(test_there_are_at_least_two_migrations),
		cmocka_unit_test_setup_teardown(test_migrating_an_up_to_date_database_does_nothing,
						test_db_setup, test_db_teardown),
		cmocka_unit_test(test_upgrade_from_v1_keeps_every_row_and_backs_up_first),
		cmocka_unit_test(test_step_by_step_upgrade_equals_fresh_schema),
		cmocka_unit_test_setup_teardown(test_a_purged_recordings_id_is_never_given_again,
						test_db_setup, test_db_teardown),
		cmocka_unit_test(test_upgrade_keeps_ids_and_starts_above_every_id_ever_used),
		cmocka_unit_test_setup_teardown(test_migrating_backwards_is_refused, test_db_setup,
						test_db_teardown),
		cmocka_unit_test(test_newer_database_is_refused_and_left_untouched),
		cmocka_unit_test_setup_teardown(test_migrate_refuses_a_newer_database,
						test_db_setup, test_db_teardown),
		cmocka_unit_test(test_failed_migration_rolls_back_and_keeps_the_backup),
		cmocka_unit_test(test_migration_that_breaks_foreign_keys_is_rolled_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
