/* test_correlation.c - correlation ids: new, current per thread, nested scopes. */
#include "test_support.h"

#include "core/log.h"

#include <pthread.h>
#include <string.h>

static void test_new_ids_are_distinct_version_4_uuids(void **state)
{
	(void)state;
	char a[VRP_CORRELATION_ID_LEN], b[VRP_CORRELATION_ID_LEN];
	assert_ok(vrp_correlation_new(a));
	assert_ok(vrp_correlation_new(b));
	assert_int_equal(strlen(a), 36);
	assert_int_equal(a[14], '4');
	assert_true(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	assert_string_not_equal(a, b);
}

static void test_set_makes_an_id_current_and_null_clears_it(void **state)
{
	(void)state;
	assert_null(vrp_correlation_current());
	vrp_correlation_set("id-1");
	assert_string_equal(vrp_correlation_current(), "id-1");
	vrp_correlation_set(NULL);
	assert_null(vrp_correlation_current());
}

static void *read_current(void *arg)
{
	*(const char **)arg = vrp_correlation_current();
	return NULL;
}

static void test_the_current_id_belongs_to_its_thread(void **state)
{
	(void)state;
	vrp_correlation_set("main-thread");
	const char *seen = "unset";
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, read_current, &seen), 0);
	pthread_join(t, NULL);
	assert_null(seen);
	assert_string_equal(vrp_correlation_current(), "main-thread");
	vrp_correlation_set(NULL);
}

static void test_a_scope_starts_an_id_and_leaving_restores_none(void **state)
{
	(void)state;
	struct vrp_correlation_scope scope;
	vrp_correlation_enter(&scope, NULL);
	assert_non_null(vrp_correlation_current());
	assert_int_equal(strlen(vrp_correlation_current()), 36);
	vrp_correlation_leave(&scope);
	assert_null(vrp_correlation_current());
}

static void test_a_scope_inside_an_operation_keeps_its_id(void **state)
{
	(void)state;
	vrp_correlation_set("outer");
	struct vrp_correlation_scope inner, explicit_id;
	vrp_correlation_enter(&inner, NULL);
	assert_string_equal(vrp_correlation_current(), "outer");
	vrp_correlation_enter(&explicit_id, "task-7");
	assert_string_equal(vrp_correlation_current(), "task-7");
	vrp_correlation_leave(&explicit_id);
	assert_string_equal(vrp_correlation_current(), "outer");
	vrp_correlation_leave(&inner);
	assert_string_equal(vrp_correlation_current(), "outer");
	vrp_correlation_set(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_ids_are_distinct_version_4_uuids),
		cmocka_unit_test(test_set_makes_an_id_current_and_null_clears_it),
		cmocka_unit_test(test_the_current_id_belongs_to_its_thread),
		cmocka_unit_test(test_a_scope_starts_an_id_and_leaving_restores_none),
		cmocka_unit_test(test_a_scope_inside_an_operation_keeps_its_id),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
