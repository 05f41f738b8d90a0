/*
 * test_schema.c - what the schema itself guarantees, whatever code writes to
 * it: CHECK constraints, uniqueness, cascades, and the triggers that keep the
 * search index in step and the audit log append-only. Raw SQL throughout.
 */
#include "test_support.h"

#include "db/db_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NOW "'2026-01-01T00:00:00.000Z'"

/*
 * Inserts a recording numbered `n` with the given title and extra columns
 * (`extra_cols` / `extra_vals`, each starting with ", " or empty); returns
 * vrp_db_exec's code so constraint failures can be asserted.
 */
static int try_insert_recording(vrp_db *db, int n, const char *title, const char *extra_cols,
				const char *extra_vals)
{
	char sql[2048];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, "
		 "mime_type, filesize_bytes, checksum, created_at, modified_at, title%s) VALUES "
		 "('00000000-0000-4000-8000-%012d', 'memo%d.wav', 'r%d.wav', 'raw/r%d.wav', "
		 "'audio/wav', 1000, '%064d', " NOW ", " NOW ", '%s'%s)",
		 extra_cols, n, n, n, n, n, title, extra_vals);
	return vrp_db_exec(db, sql);
}

static int64_t insert_recording(vrp_db *db, int n, const char *title)
{
	assert_ok(try_insert_recording(db, n, title, "", ""));
	return vrp_db_last_insert_id(db);
}

/* The single integer a formatted query returns. */
__attribute__((format(printf, 2, 3))) static int64_t query_intf(vrp_db *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return test_query_int(db, sql);
}

/* Runs formatted SQL; returns vrp_db_exec's code so refusals can be asserted. */
__attribute__((format(printf, 2, 3))) static int execf(vrp_db *db, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return vrp_db_exec(db, sql);
}

static int64_t fts_matches(vrp_db *db, const char *query)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM recordings_fts WHERE recordings_fts MATCH '%s'", query);
	return test_query_int(db, sql);
}

static void add_remote(vrp_db *db, const char *name)
{
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO remotes (name, provider_key, created_at, modified_at) "
		 "VALUES ('%s', 'localdir', " NOW ", " NOW ")",
		 name);
	test_exec(db, sql);
}

static int try_add_task(vrp_db *db, int n, int64_t recording_id, const char *state, const char *key,
			const char *resume_state)
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO sync_tasks (uuid, op, recording_id, remote, state, next_attempt_at, "
		 "idempotency_key, resume_state, created_at, modified_at) VALUES "
		 "('10000000-0000-4000-8000-%012d', 'upload', %lld, 'nas', '%s', " NOW ", '%s', "
		 "%s, " NOW ", " NOW ")",
		 n, (long long)recording_id, state, key, resume_state);
	return vrp_db_exec(db, sql);
}

/* ---- recordings ---- */

static void test_a_minimal_recording_is_accepted_with_defaults(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "memo");
	assert_int_equal(query_intf(db,
				    "SELECT count(*) FROM recordings WHERE id = %lld AND "
				    "status = 'active' AND deleted_at IS NULL AND "
				    "integrity = 'unverified' AND ingest_source = 'local'",
				    (long long)id),
			 1);
}

static void test_status_must_be_one_of_three(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(try_insert_recording(db, 1, "x", ", status", ", 'lost'"), VRP_EDB);
	assert_ok(try_insert_recording(db, 2, "x", ", status", ", 'archived'"));
	assert_ok(try_insert_recording(db, 3, "x", ", status, deleted_at", ", 'deleted', " NOW));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 2);
}

static void test_deleted_status_goes_with_deleted_at(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(try_insert_recording(db, 1, "x", ", status", ", 'deleted'"), VRP_EDB);
	assert_int_equal(try_insert_recording(db, 2, "x", ", deleted_at", ", " NOW), VRP_EDB);
	int64_t id = insert_recording(db, 3, "x");
	assert_int_equal(execf(db, "UPDATE recordings SET status = 'deleted' WHERE id = %lld",
			       (long long)id),
			 VRP_EDB);
	assert_ok(execf(db,
			"UPDATE recordings SET status = 'deleted', deleted_at = " NOW
			" WHERE id = %lld",
			(long long)id));
}

static void test_checksum_must_be_64_characters(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	assert_int_equal(
		execf(db, "UPDATE recordings SET checksum = 'abc' WHERE id = %lld", (long long)id),
		VRP_EDB);
	assert_int_equal(execf(db, "UPDATE recordings SET checksum = '%065d' WHERE id = %lld", 1,
			       (long long)id),
			 VRP_EDB);
}

static void test_uuid_must_be_36_characters(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	assert_int_equal(
		execf(db, "UPDATE recordings SET uuid = 'short' WHERE id = %lld", (long long)id),
		VRP_EDB);
}

static void test_the_same_checksum_cannot_be_stored_twice(void **state)
{
	vrp_db *db = test_fixture_db(state);
	insert_recording(db, 1, "x");
	insert_recording(db, 2, "y");
	assert_int_equal(vrp_db_exec(db, "UPDATE recordings SET checksum = (SELECT checksum FROM "
					 "recordings WHERE id = 1) WHERE id = 2"),
			 VRP_EEXISTS);
}

/* ---- full-text search ---- */

static void test_search_finds_a_new_recording_by_a_title_word(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "Dentist appointment");
	assert_int_equal(fts_matches(db, "dentist"), 1);
	assert_int_equal(test_query_int(db, "SELECT rowid FROM recordings_fts WHERE "
					    "recordings_fts MATCH 'appointment'"),
			 id);
	assert_int_equal(fts_matches(db, "plumber"), 0);
}

static void test_search_follows_a_title_change(void **state)
{
	vrp_db *db = test_fixture_db(state);
	insert_recording(db, 1, "Dentist appointment");
	test_exec(db, "UPDATE recordings SET title = 'Plumber visit'");
	assert_int_equal(fts_matches(db, "dentist"), 0);
	assert_int_equal(fts_matches(db, "plumber"), 1);
}

static void test_search_forgets_a_deleted_recording(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "Dentist appointment");
	insert_recording(db, 2, "Other note");
	assert_ok(execf(db, "DELETE FROM recordings WHERE id = %lld", (long long)id));
	assert_int_equal(fts_matches(db, "dentist"), 0);
	assert_int_equal(query_intf(db, "SELECT count(*) FROM recordings_fts WHERE rowid = %lld",
				    (long long)id),
			 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings_fts"), 1);
}

static void test_search_finds_a_recording_by_its_tag_until_untagged(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "Untitled");
	test_exec(db, "INSERT INTO tags (name) VALUES ('groceries')");
	assert_ok(execf(db,
			"INSERT INTO recording_tags (recording_id, tag_id) "
			"SELECT %lld, id FROM tags WHERE name = 'groceries'",
			(long long)id));
	assert_int_equal(fts_matches(db, "groceries"), 1);
	assert_int_equal(fts_matches(db, "tags:groceries"), 1);
	test_exec(db, "DELETE FROM recording_tags");
	assert_int_equal(fts_matches(db, "groceries"), 0);
}

/* ---- cascades ---- */

static void test_purging_a_recording_cascades_to_its_rows(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	int64_t keep = insert_recording(db, 2, "y");
	add_remote(db, "nas");
	test_exec(db, "INSERT INTO tags (name) VALUES ('t')");
	for (int i = 0; i < 2; i++) {
		long long rec = i ? keep : id;
		assert_ok(
			execf(db,
			      "INSERT INTO recording_tags (recording_id, tag_id) VALUES (%lld, 1);"
			      "INSERT INTO recording_remote (recording_id, remote, provider_key, "
			      "created_at, modified_at) VALUES (%lld, 'nas', 'localdir', " NOW
			      ", " NOW ");"
			      "INSERT INTO derived_assets (recording_id, kind, path, generator, "
			      "generator_version, source_checksum, created_at) VALUES (%lld, "
			      "'waveform', 'w%lld.png', 'g', '1', '%064d', " NOW ")",
			      rec, rec, rec, rec, 0));
	}
	assert_ok(execf(db, "DELETE FROM recordings WHERE id = %lld", (long long)id));
	static const char *const tables[] = { "recording_tags", "recording_remote",
					      "derived_assets" };
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(query_intf(db, "SELECT count(*) FROM %s WHERE recording_id = %lld",
					    tables[i], (long long)id),
				 0);
		assert_int_equal(query_intf(db, "SELECT count(*) FROM %s WHERE recording_id = %lld",
					    tables[i], (long long)keep),
				 1);
	}
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 1);
}

static void test_purging_a_recording_keeps_its_sync_tasks_unlinked(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	add_remote(db, "nas");
	assert_ok(try_add_task(db, 1, id, "queued", "k1", "NULL"));
	test_exec(db, "DELETE FROM recordings");
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE "
					    "recording_id IS NULL AND idempotency_key = 'k1'"),
			 1);
}

/* ---- sync ---- */

static void test_a_recording_has_one_state_per_remote(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	add_remote(db, "nas");
	add_remote(db, "drive");
#define INSERT_STATE                                                                               \
	"INSERT INTO recording_remote (recording_id, remote, provider_key, created_at, "           \
	"modified_at) VALUES (%lld, '%s', 'localdir', " NOW ", " NOW ")"
	assert_ok(execf(db, INSERT_STATE, (long long)id, "nas"));
	assert_int_equal(execf(db, INSERT_STATE, (long long)id, "nas"), VRP_EEXISTS);
	assert_ok(execf(db, INSERT_STATE, (long long)id, "drive"));
	assert_int_equal(query_intf(db,
				    "SELECT count(*) FROM recording_remote WHERE "
				    "recording_id = %lld",
				    (long long)id),
			 2);
}

static void test_only_one_live_task_per_operation_remote_and_key(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	add_remote(db, "nas");
	assert_ok(try_add_task(db, 1, id, "queued", "k", "NULL"));
	assert_int_equal(try_add_task(db, 2, id, "queued", "k", "NULL"), VRP_EEXISTS);
	assert_int_equal(try_add_task(db, 3, id, "running", "k", "NULL"), VRP_EEXISTS);
	assert_ok(try_add_task(db, 4, id, "queued", "other", "NULL"));
}

static void test_a_finished_task_does_not_block_a_new_one(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	add_remote(db, "nas");
	assert_ok(try_add_task(db, 1, id, "done", "k", "NULL"));
	assert_ok(try_add_task(db, 2, id, "failed", "k", "NULL"));
	assert_ok(try_add_task(db, 3, id, "queued", "k", "NULL"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE "
					    "idempotency_key = 'k'"),
			 3);
}

static void test_resume_state_must_be_json(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1, "x");
	add_remote(db, "nas");
	assert_int_equal(try_add_task(db, 1, id, "queued", "k1", "'{not json'"), VRP_EDB);
	assert_ok(try_add_task(db, 2, id, "queued", "k2", "'{\"bytes_confirmed\": 262144}'"));
	assert_int_equal(test_query_int(db, "SELECT json_extract(resume_state, "
					    "'$.bytes_confirmed') FROM sync_tasks"),
			 262144);
}

/* ---- audit ---- */

static void test_audit_log_refuses_update_and_delete(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "INSERT INTO audit_log (at, operation, success) VALUES (" NOW ", 'x', 1)");
	assert_int_equal(vrp_db_exec(db, "UPDATE audit_log SET operation = 'y'"), VRP_EDB);
	assert_int_equal(vrp_db_exec(db, "DELETE FROM audit_log"), VRP_EDB);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log WHERE operation = 'x'"),
			 1);
}

static void test_audit_meta_must_be_json(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_db_exec(db, "INSERT INTO audit_log (at, operation, success, meta) "
					 "VALUES (" NOW ", 'x', 1, '{oops')"),
			 VRP_EDB);
	assert_int_equal(vrp_db_exec(db, "INSERT INTO audit_log (at, operation, success) "
					 "VALUES (" NOW ", 'x', 2)"),
			 VRP_EDB);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_a_minimal_recording_is_accepted_with_defaults),
		DB_TEST(test_status_must_be_one_of_three),
		DB_TEST(test_deleted_status_goes_with_deleted_at),
		DB_TEST(test_checksum_must_be_64_characters),
		DB_TEST(test_uuid_must_be_36_characters),
		DB_TEST(test_the_same_checksum_cannot_be_stored_twice),
		DB_TEST(test_search_finds_a_new_recording_by_a_title_word),
		DB_TEST(test_search_follows_a_title_change),
		DB_TEST(test_search_forgets_a_deleted_recording),
		DB_TEST(test_search_finds_a_recording_by_its_tag_until_untagged),
		DB_TEST(test_purging_a_recording_cascades_to_its_rows),
		DB_TEST(test_purging_a_recording_keeps_its_sync_tasks_unlinked),
		DB_TEST(test_a_recording_has_one_state_per_remote),
		DB_TEST(test_only_one_live_task_per_operation_remote_and_key),
		DB_TEST(test_a_finished_task_does_not_block_a_new_one),
		DB_TEST(test_resume_state_must_be_json),
		DB_TEST(test_audit_log_refuses_update_and_delete),
		DB_TEST(test_audit_meta_must_be_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
