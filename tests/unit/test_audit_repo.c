/* test_audit_repo.c - the audit log: append-only, filtered reads, and no secrets. */
#include "test_support.h"

#include "db/audit_repo.h"
#include "db/db_internal.h"

#include <stdio.h>
#include <string.h>

/* Inserts a minimal valid recording; returns its id. */
static int64_t insert_recording(vrp_db *db, int n)
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, "
		 "mime_type, filesize_bytes, checksum, created_at, modified_at) VALUES "
		 "('00000000-0000-4000-8000-%012d', 'memo%d.wav', 'r%d.wav', "
		 "'recordings/raw/r%d.wav', "
		 "'audio/wav', 1000, '%064d', '2026-01-01T00:00:00.000Z', "
		 "'2026-01-01T00:00:00.000Z')",
		 n, n, n, n, n);
	test_exec(db, sql);
	return vrp_db_last_insert_id(db);
}

static vrp_audit_entry entry_for(const char *operation)
{
	vrp_audit_entry e = { .operation = (char *)operation, .success = true };
	return e;
}

static int64_t append_ok(vrp_db *db, const vrp_audit_entry *entry)
{
	int64_t id = 0;
	assert_ok(vrp_audit_repo_append(db, entry, &id));
	return id;
}

/* Appends an entry with the given fields and returns its id. */
static int64_t append_at(vrp_db *db, const char *at, const char *operation, int64_t recording_id,
			 const char *remote, bool success)
{
	vrp_audit_entry e = entry_for(operation);
	e.at = (char *)at;
	e.recording_id = recording_id;
	e.remote = (char *)remote;
	e.success = success;
	return append_ok(db, &e);
}

static vrp_audit_list *list_all(vrp_db *db, const struct vrp_audit_filter *filter)
{
	vrp_audit_list *list = NULL;
	assert_ok(vrp_audit_repo_list(db, filter, 0, 0, &list));
	return list;
}

static void test_free_functions_accept_null(void **state)
{
	(void)state;
	vrp_audit_entry_free(NULL);
	vrp_audit_list_free(NULL);
}

static void test_append_stores_every_field(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_audit_entry e = {
		.at = "2026-03-04T05:06:07.089Z",
		.operation = "sync.upload",
		.recording_id = 17,
		.remote = "drive",
		.success = false,
		.actor = "worker",
		.correlation_id = "task-1",
		.meta = "{\"bytes\": 1024, \"error\": \"ERR_QUOTA_EXCEEDED\"}",
	};
	int64_t id = append_ok(db, &e);
	vrp_audit_list *list = list_all(db, NULL);
	assert_int_equal(list->count, 1);
	vrp_audit_entry *got = list->items[0];
	assert_int_equal(got->id, id);
	assert_string_equal(got->at, "2026-03-04T05:06:07.089Z");
	assert_string_equal(got->operation, "sync.upload");
	assert_int_equal(got->recording_id, 17);
	assert_string_equal(got->remote, "drive");
	assert_false(got->success);
	assert_string_equal(got->actor, "worker");
	assert_string_equal(got->correlation_id, "task-1");
	assert_string_equal(got->meta, "{\"bytes\":1024,\"error\":\"ERR_QUOTA_EXCEEDED\"}");
	vrp_audit_list_free(list);
}

static void test_append_leaves_optional_fields_null(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_audit_entry e = entry_for("import");
	int64_t id = append_ok(db, &e);
	assert_int_equal(test_query_int(db, "SELECT recording_id IS NULL AND remote IS NULL AND "
					    "actor IS NULL AND meta IS NULL FROM audit_log"),
			 1);
	vrp_audit_list *list = list_all(db, NULL);
	assert_int_equal(list->items[0]->id, id);
	assert_int_equal(list->items[0]->recording_id, 0);
	assert_true(list->items[0]->success);
	assert_null(list->items[0]->remote);
	assert_null(list->items[0]->actor);
	assert_null(list->items[0]->correlation_id);
	assert_null(list->items[0]->meta);
	vrp_audit_list_free(list);
}

static void test_append_without_a_time_stamps_now(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_audit_entry e = entry_for("import");
	append_ok(db, &e);
	/* Now, in the library's format: within a minute of SQLite's clock, ending in Z. */
	assert_int_equal(test_query_int(db, "SELECT length(at) = 24 AND at LIKE '%Z' AND "
					    "abs(julianday(substr(at, 1, 23)) - julianday('now')) "
					    "< 1.0 / 1440 FROM audit_log"),
			 1);
}

static void test_append_gives_increasing_ids(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_audit_entry e = entry_for("import");
	int64_t first = append_ok(db, &e);
	int64_t second = append_ok(db, &e);
	assert_true(second > first);
	assert_ok(vrp_audit_repo_append(db, &e, NULL));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log"), 3);
}

static void test_append_rejects_an_invalid_entry(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_audit_entry no_op = entry_for(NULL);
	vrp_audit_entry empty_op = entry_for("");
	vrp_audit_entry negative = entry_for("import");
	negative.recording_id = -1;
	vrp_audit_entry bad_time = entry_for("import");
	bad_time.at = "2026-03-04 05:06:07";
	assert_int_equal(vrp_audit_repo_append(db, NULL, NULL), VRP_EINVAL);
	assert_int_equal(vrp_audit_repo_append(db, &no_op, NULL), VRP_EINVAL);
	assert_int_equal(vrp_audit_repo_append(db, &empty_op, NULL), VRP_EINVAL);
	assert_int_equal(vrp_audit_repo_append(db, &negative, NULL), VRP_EINVAL);
	assert_int_equal(vrp_audit_repo_append(db, &bad_time, NULL), VRP_EINVAL);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log"), 0);
}

static void test_append_rejects_meta_that_is_not_json(void **state)
{
	vrp_db *db = test_fixture_db(state);
	static const char *const bad[] = { "",         "{",
					   "{'a': 1}", "{\"a\": 1,}",
					   "not json", "{\"a\":1,\"a\":2}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		vrp_audit_entry e = entry_for("import");
		e.meta = (char *)bad[i];
		assert_int_equal(vrp_audit_repo_append(db, &e, NULL), VRP_EINVAL);
	}
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log"), 0);
}

static void test_append_refuses_meta_holding_credentials(void **state)
{
	vrp_db *db = test_fixture_db(state);
	static const char *const secret[] = {
		"{\"token\": \"abc\"}",
		"{\"access_token\": \"abc\"}",
		"{\"Refresh_Token\": \"abc\"}",
		"{\"PASSWORD\": \"hunter2\"}",
		"{\"secret\": 1}",
		"{\"oauth\": {\"client_secret\": \"s\"}}",
		"{\"clientSecret\": \"s\"}",
		"{\"headers\": [{\"Authorization\": \"x\"}]}",
		"{\"a\": [1, {\"b\": {\"X-Auth-Token\": null}}]}",
		"{\"api_key\": \"k\"}",
		"{\"header\": \"Bearer ya29.secret\"}",
		"[\"bearer abc\"]",
	};
	for (size_t i = 0; i < sizeof(secret) / sizeof(*secret); i++) {
		vrp_audit_entry e = entry_for("remote.auth");
		e.meta = (char *)secret[i];
		assert_int_equal(vrp_audit_repo_append(db, &e, NULL), VRP_EINVAL);
	}
	assert_non_null(strstr(vrp_error_last()->message, "credential"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log"), 0);
}

static void test_append_accepts_harmless_keys_near_secret_names(void **state)
{
	vrp_db *db = test_fixture_db(state);
	static const char *const fine[] = {
		"{\"token_present\": true}",
		"{\"tokens_used\": 3}",
		"{\"secretary\": \"no\"}",
		"{\"path\": \"recordings/raw/x.wav\", \"bytes\": 10}",
		"[1, 2, \"token\"]",
		"\"just text\"",
		"null",
	};
	for (size_t i = 0; i < sizeof(fine) / sizeof(*fine); i++) {
		vrp_audit_entry e = entry_for("import");
		e.meta = (char *)fine[i];
		assert_ok(vrp_audit_repo_append(db, &e, NULL));
	}
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log"), 7);
}

static void test_list_gives_newest_first(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t a = append_at(db, NULL, "import", 0, NULL, true);
	int64_t b = append_at(db, NULL, "edit", 0, NULL, true);
	int64_t c = append_at(db, NULL, "purge", 0, NULL, true);
	vrp_audit_list *list = list_all(db, NULL);
	assert_int_equal(list->count, 3);
	assert_int_equal(list->items[0]->id, c);
	assert_int_equal(list->items[1]->id, b);
	assert_int_equal(list->items[2]->id, a);
	assert_string_equal(list->items[0]->operation, "purge");
	vrp_audit_list_free(list);
}

/* Six entries varied along every filter. */
static void seed_filter_entries(vrp_db *db)
{
	append_at(db, "2026-01-01T10:00:00.000Z", "import", 1, NULL, true);
	append_at(db, "2026-01-02T10:00:00.000Z", "sync.upload", 1, "drive", false);
	append_at(db, "2026-01-03T10:00:00.000Z", "sync.upload", 1, "drive", true);
	append_at(db, "2026-01-04T10:00:00.000Z", "sync.upload", 2, "nas", true);
	append_at(db, "2026-02-01T10:00:00.000Z", "purge", 2, NULL, true);
	append_at(db, "2026-02-02T10:00:00.000Z", "remote.auth", 0, "drive", false);
}

static int64_t count_of(vrp_db *db, const struct vrp_audit_filter *filter)
{
	int64_t n = -1;
	assert_ok(vrp_audit_repo_count(db, filter, &n));
	vrp_audit_list *list = list_all(db, filter);
	assert_int_equal(list->count, n);
	vrp_audit_list_free(list);
	return n;
}

static void test_filters_select_by_each_field(void **state)
{
	vrp_db *db = test_fixture_db(state);
	seed_filter_entries(db);
	struct vrp_audit_filter f = VRP_AUDIT_FILTER_INIT;
	assert_int_equal(count_of(db, &f), 6);
	assert_int_equal(count_of(db, NULL), 6);
	f.recording_id = 1;
	assert_int_equal(count_of(db, &f), 3);
	f = (struct vrp_audit_filter)VRP_AUDIT_FILTER_INIT;
	f.operation = "sync.upload";
	assert_int_equal(count_of(db, &f), 3);
	f = (struct vrp_audit_filter)VRP_AUDIT_FILTER_INIT;
	f.remote = "drive";
	assert_int_equal(count_of(db, &f), 3);
	f = (struct vrp_audit_filter)VRP_AUDIT_FILTER_INIT;
	f.success = 0;
	assert_int_equal(count_of(db, &f), 2);
	f.success = 1;
	assert_int_equal(count_of(db, &f), 4);
}

static void test_since_is_inclusive_and_until_exclusive(void **state)
{
	vrp_db *db = test_fixture_db(state);
	seed_filter_entries(db);
	struct vrp_audit_filter f = VRP_AUDIT_FILTER_INIT;
	f.since = "2026-01-02T10:00:00.000Z";
	f.until = "2026-01-04T10:00:00.000Z";
	vrp_audit_list *list = list_all(db, &f);
	assert_int_equal(list->count, 2);
	assert_string_equal(list->items[0]->at, "2026-01-03T10:00:00.000Z");
	assert_string_equal(list->items[1]->at, "2026-01-02T10:00:00.000Z");
	vrp_audit_list_free(list);
	f.since = "2026-02";
	f.until = NULL;
	assert_int_equal(count_of(db, &f), 2);
}

static void test_filters_combine(void **state)
{
	vrp_db *db = test_fixture_db(state);
	seed_filter_entries(db);
	struct vrp_audit_filter f = VRP_AUDIT_FILTER_INIT;
	f.operation = "sync.upload";
	f.remote = "drive";
	f.success = 1;
	f.recording_id = 1;
	vrp_audit_list *list = list_all(db, &f);
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0]->at, "2026-01-03T10:00:00.000Z");
	vrp_audit_list_free(list);
}

static void test_list_pages_with_a_limit_and_an_id_cursor(void **state)
{
	vrp_db *db = test_fixture_db(state);
	seed_filter_entries(db);
	vrp_audit_list *page = NULL;
	int64_t seen = 0;
	int64_t cursor = 0;
	int pages = 0;
	do {
		assert_ok(vrp_audit_repo_list(db, NULL, cursor, 4, &page));
		for (size_t i = 0; i < page->count; i++) {
			if (cursor)
				assert_true(page->items[i]->id < cursor);
			seen++;
		}
		cursor = page->count ? page->items[page->count - 1]->id : 0;
		pages++;
		size_t count = page->count;
		vrp_audit_list_free(page);
		if (count < 4)
			break;
	} while (1);
	assert_int_equal(seen, 6);
	assert_int_equal(pages, 2);
}

static void test_list_and_count_reject_invalid_arguments(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_audit_list *list = NULL;
	int64_t n = 0;
	struct vrp_audit_filter f = VRP_AUDIT_FILTER_INIT;
	assert_int_equal(vrp_audit_repo_list(db, NULL, 0, -1, &list), VRP_EINVAL);
	assert_int_equal(vrp_audit_repo_list(db, NULL, -1, 0, &list), VRP_EINVAL);
	f.success = 2;
	assert_int_equal(vrp_audit_repo_list(db, &f, 0, 0, &list), VRP_EINVAL);
	assert_int_equal(vrp_audit_repo_count(db, &f, &n), VRP_EINVAL);
	f.success = VRP_AUDIT_ANY;
	f.recording_id = -3;
	assert_int_equal(vrp_audit_repo_count(db, &f, &n), VRP_EINVAL);
	assert_null(list);
}

static void test_raw_update_and_delete_are_refused(void **state)
{
	vrp_db *db = test_fixture_db(state);
	append_at(db, "2026-01-01T10:00:00.000Z", "import", 1, NULL, true);
	assert_int_not_equal(vrp_db_exec(db, "UPDATE audit_log SET success = 0"), 0);
	assert_non_null(strstr(vrp_error_last()->message, "append-only"));
	assert_int_not_equal(vrp_db_exec(db, "DELETE FROM audit_log"), 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log WHERE success = 1 "
					    "AND operation = 'import'"),
			 1);
}

static void test_entries_outlive_their_recording(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1);
	append_at(db, NULL, "import", rec, NULL, true);
	append_at(db, NULL, "purge", rec, NULL, true);
	test_exec(db, "DELETE FROM recordings");
	struct vrp_audit_filter f = VRP_AUDIT_FILTER_INIT;
	f.recording_id = rec;
	assert_int_equal(count_of(db, &f), 2);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_functions_accept_null),
		DB_TEST(test_append_stores_every_field),
		DB_TEST(test_append_leaves_optional_fields_null),
		DB_TEST(test_append_without_a_time_stamps_now),
		DB_TEST(test_append_gives_increasing_ids),
		DB_TEST(test_append_rejects_an_invalid_entry),
		DB_TEST(test_append_rejects_meta_that_is_not_json),
		DB_TEST(test_append_refuses_meta_holding_credentials),
		DB_TEST(test_append_accepts_harmless_keys_near_secret_names),
		DB_TEST(test_list_gives_newest_first),
		DB_TEST(test_filters_select_by_each_field),
		DB_TEST(test_since_is_inclusive_and_until_exclusive),
		DB_TEST(test_filters_combine),
		DB_TEST(test_list_pages_with_a_limit_and_an_id_cursor),
		DB_TEST(test_list_and_count_reject_invalid_arguments),
		DB_TEST(test_raw_update_and_delete_are_refused),
		DB_TEST(test_entries_outlive_their_recording),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
