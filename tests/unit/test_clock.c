/* test_clock.c - the library's one timestamp format, written and read back. */
#include "test_support.h"

#include "core/clock.h"

static void test_format_and_parse_round_trip(void **state)
{
	(void)state;
	char iso[VRP_TIME_ISO_LEN];
	vrp_time_format_iso(1795554420123LL, iso);
	assert_string_equal(iso, "2026-11-24T21:07:00.123Z");
	assert_int_equal(vrp_time_parse_iso(iso), 1795554420123LL);
	vrp_time_format_iso(0, iso);
	assert_int_equal(vrp_time_parse_iso(iso), 0);
}

static void test_other_text_is_not_a_timestamp(void **state)
{
	(void)state;
	assert_int_equal(vrp_time_parse_iso(NULL), -1);
	assert_int_equal(vrp_time_parse_iso("yesterday"), -1);
	assert_int_equal(vrp_time_parse_iso("2026-11-24"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_and_parse_round_trip),
		cmocka_unit_test(test_other_text_is_not_a_timestamp),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
