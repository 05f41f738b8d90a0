/* test_metrics_repo.c - local counters and gauges. */
#include "test_support.h"

#include "db/metrics_repo.h"

#include <stdint.h>
#include <string.h>

static int64_t value_of(vrp_db *db, const char *name)
{
	int64_t value = -12345;
	assert_ok(vrp_metrics_repo_get(db, name, &value));
	return value;
}

/* 65 characters: one over the limit. */
#define NAME_65 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const char *const invalid_names[] = {
	"", "Uploads", "has space", "dash-name", "sync/x", "caf\xc3\xa9", NAME_65,
};
#define INVALID_COUNT (sizeof(invalid_names) / sizeof(*invalid_names))

static void test_free_functions_accept_null(void **state)
{
	(void)state;
	vrp_metric_free(NULL);
	vrp_metric_list_free(NULL);
}

static void test_name_validation_follows_the_alphabet_and_length(void **state)
{
	(void)state;
	assert_true(vrp_metric_name_valid("sync.uploads_attempted"));
	assert_true(vrp_metric_name_valid("a"));
	assert_true(vrp_metric_name_valid("0.9_"));
	assert_true(vrp_metric_name_valid(NAME_65 + 1));
	assert_false(vrp_metric_name_valid(NULL));
	for (size_t i = 0; i < INVALID_COUNT; i++)
		assert_false(vrp_metric_name_valid(invalid_names[i]));
}

static void test_project_metric_names_are_valid(void **state)
{
	(void)state;
	static const char *const names[] = {
		VRP_METRIC_UPLOADS_ATTEMPTED,
		VRP_METRIC_UPLOADS_FAILED,
		VRP_METRIC_AUTH_FAILURES,
		VRP_METRIC_RETRY_ATTEMPTS,
		VRP_METRIC_SYNC_LATENCY_MS_TOTAL,
		VRP_METRIC_SYNC_LATENCY_COUNT,
		VRP_METRIC_IMPORTS,
		VRP_METRIC_DUPLICATES,
		VRP_METRIC_REJECTS,
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		assert_true(vrp_metric_name_valid(names[i]));
		for (size_t j = i + 1; j < sizeof(names) / sizeof(*names); j++)
			assert_string_not_equal(names[i], names[j]);
	}
}

static void test_increment_creates_a_counter_at_delta(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t value = 0;
	assert_ok(vrp_metrics_repo_increment(db, VRP_METRIC_IMPORTS, 3, &value));
	assert_int_equal(value, 3);
	assert_int_equal(value_of(db, VRP_METRIC_IMPORTS), 3);
}

static void test_increment_adds_and_returns_the_new_value(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t value = 0;
	assert_ok(vrp_metrics_repo_increment(db, "a.b", 1, NULL));
	assert_ok(vrp_metrics_repo_increment(db, "a.b", 41, &value));
	assert_int_equal(value, 42);
	assert_ok(vrp_metrics_repo_increment(db, "a.b", -2, &value));
	assert_int_equal(value, 40);
	assert_int_equal(value_of(db, "a.b"), 40);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM metrics"), 1);
}

static void test_increment_that_would_overflow_changes_nothing(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_metrics_repo_set(db, "big", INT64_MAX - 1));
	int64_t value = 7;
	assert_int_equal(vrp_metrics_repo_increment(db, "big", 2, &value), VRP_EINVAL);
	assert_int_equal(value, 7);
	assert_non_null(strstr(vrp_error_last()->message, "overflow"));
	assert_int_equal(value_of(db, "big"), INT64_MAX - 1);
	assert_int_equal(test_query_int(db, "SELECT typeof(value) = 'integer' FROM metrics"), 1);
	assert_ok(vrp_metrics_repo_increment(db, "big", 1, &value));
	assert_int_equal(value, INT64_MAX);
}

static void test_set_creates_and_overwrites_a_gauge(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_metrics_repo_set(db, "queue.depth", 12));
	assert_int_equal(value_of(db, "queue.depth"), 12);
	assert_ok(vrp_metrics_repo_set(db, "queue.depth", -4));
	assert_int_equal(value_of(db, "queue.depth"), -4);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM metrics"), 1);
}

static void test_get_of_an_unrecorded_metric_is_not_found_and_zero(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t value = 99;
	assert_int_equal(vrp_metrics_repo_get(db, VRP_METRIC_REJECTS, &value), VRP_ENOTFOUND);
	assert_int_equal(value, 0);
	assert_non_null(strstr(vrp_error_last()->message, VRP_METRIC_REJECTS));
}

static void test_every_function_rejects_an_invalid_name(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_metric_list *list = NULL;
	int64_t value = 5;
	for (size_t i = 0; i < INVALID_COUNT; i++) {
		const char *name = invalid_names[i];
		assert_int_equal(vrp_metrics_repo_increment(db, name, 1, &value), VRP_EINVAL);
		assert_int_equal(vrp_metrics_repo_set(db, name, 1), VRP_EINVAL);
		assert_int_equal(vrp_metrics_repo_get(db, name, &value), VRP_EINVAL);
		assert_int_equal(vrp_metrics_repo_reset(db, name), VRP_EINVAL);
	}
	assert_int_equal(vrp_metrics_repo_increment(db, NULL, 1, &value), VRP_EINVAL);
	assert_int_equal(vrp_metrics_repo_list(db, "Sync.", &list), VRP_EINVAL);
	assert_null(list);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM metrics"), 0);
}

static void test_list_gives_every_metric_by_name(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_metrics_repo_increment(db, VRP_METRIC_UPLOADS_FAILED, 2, NULL));
	assert_ok(vrp_metrics_repo_increment(db, VRP_METRIC_IMPORTS, 5, NULL));
	assert_ok(vrp_metrics_repo_set(db, "a.gauge", 9));
	for (int round = 0; round < 2; round++) {
		vrp_metric_list *list = NULL;
		assert_ok(vrp_metrics_repo_list(db, round ? "" : NULL, &list));
		assert_int_equal(list->count, 3);
		assert_string_equal(list->items[0]->name, "a.gauge");
		assert_int_equal(list->items[0]->value, 9);
		assert_string_equal(list->items[1]->name, VRP_METRIC_IMPORTS);
		assert_int_equal(list->items[1]->value, 5);
		assert_string_equal(list->items[2]->name, VRP_METRIC_UPLOADS_FAILED);
		assert_int_equal(list->items[2]->value, 2);
		assert_int_equal(strlen(list->items[2]->updated_at), 24);
		vrp_metric_list_free(list);
	}
}

static void test_list_by_prefix_treats_underscore_literally(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_metrics_repo_set(db, "sync_x", 1));
	assert_ok(vrp_metrics_repo_set(db, "syncax", 1));
	assert_ok(vrp_metrics_repo_set(db, "sync.a", 1));
	assert_ok(vrp_metrics_repo_set(db, "sync.b", 1));
	vrp_metric_list *list = NULL;
	assert_ok(vrp_metrics_repo_list(db, "sync_", &list));
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0]->name, "sync_x");
	vrp_metric_list_free(list);
	assert_ok(vrp_metrics_repo_list(db, "sync.", &list));
	assert_int_equal(list->count, 2);
	assert_string_equal(list->items[0]->name, "sync.a");
	assert_string_equal(list->items[1]->name, "sync.b");
	vrp_metric_list_free(list);
	assert_ok(vrp_metrics_repo_list(db, "import.", &list));
	assert_int_equal(list->count, 0);
	vrp_metric_list_free(list);
}

static void test_reset_sets_zero_and_keeps_the_metric(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_metrics_repo_increment(db, VRP_METRIC_RETRY_ATTEMPTS, 8, NULL));
	assert_ok(vrp_metrics_repo_increment(db, VRP_METRIC_AUTH_FAILURES, 2, NULL));
	assert_ok(vrp_metrics_repo_reset(db, VRP_METRIC_RETRY_ATTEMPTS));
	assert_int_equal(value_of(db, VRP_METRIC_RETRY_ATTEMPTS), 0);
	assert_int_equal(value_of(db, VRP_METRIC_AUTH_FAILURES), 2);
	int64_t value = 0;
	assert_ok(vrp_metrics_repo_increment(db, VRP_METRIC_RETRY_ATTEMPTS, 1, &value));
	assert_int_equal(value, 1);
}

static void test_reset_of_an_unrecorded_metric_is_not_found(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_metrics_repo_reset(db, "never.seen"), VRP_ENOTFOUND);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM metrics"), 0);
}

static void test_updates_move_updated_at_forward(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_metrics_repo_set(db, "g", 1));
	test_exec(db, "UPDATE metrics SET updated_at = '2000-01-01T00:00:00.000Z'");
	assert_ok(vrp_metrics_repo_increment(db, "g", 1, NULL));
	assert_int_equal(test_query_int(db, "SELECT updated_at > '2020' FROM metrics"), 1);
	test_exec(db, "UPDATE metrics SET updated_at = '2000-01-01T00:00:00.000Z'");
	assert_ok(vrp_metrics_repo_reset(db, "g"));
	assert_int_equal(test_query_int(db, "SELECT updated_at > '2020' FROM metrics"), 1);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_free_functions_accept_null),
		cmocka_unit_test(test_name_validation_follows_the_alphabet_and_length),
		cmocka_unit_test(test_project_metric_names_are_valid),
		DB_TEST(test_increment_creates_a_counter_at_delta),
		DB_TEST(test_increment_adds_and_returns_the_new_value),
		DB_TEST(test_increment_that_would_overflow_changes_nothing),
		DB_TEST(test_set_creates_and_overwrites_a_gauge),
		DB_TEST(test_get_of_an_unrecorded_metric_is_not_found_and_zero),
		DB_TEST(test_every_function_rejects_an_invalid_name),
		DB_TEST(test_list_gives_every_metric_by_name),
		DB_TEST(test_list_by_prefix_treats_underscore_literally),
		DB_TEST(test_reset_sets_zero_and_keeps_the_metric),
		DB_TEST(test_reset_of_an_unrecorded_metric_is_not_found),
		DB_TEST(test_updates_move_updated_at_forward),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
