/* test_utf8.c - UTF-8 checks for file names and other byte strings. */
#include "test_support.h"

#include <stdlib.h>

static void test_well_formed_sequences_have_their_length(void **state)
{
	(void)state;
	assert_int_equal(vrp_utf8_sequence("a"), 1);
	assert_int_equal(vrp_utf8_sequence("\xc3\xa9"), 2);         /* é */
	assert_int_equal(vrp_utf8_sequence("\xe2\x82\xac"), 3);     /* € */
	assert_int_equal(vrp_utf8_sequence("\xf0\x9f\x8e\xa4"), 4); /* microphone */
	assert_true(vrp_utf8_valid("caf\xc3\xa9 memo.m4a"));
}

static void test_ill_formed_sequences_are_refused(void **state)
{
	(void)state;
	assert_int_equal(vrp_utf8_sequence("\xff"), 0);
	assert_int_equal(vrp_utf8_sequence("\xc0\xaf"), 0);         /* overlong "/" */
	assert_int_equal(vrp_utf8_sequence("\xed\xa0\x80"), 0);     /* a UTF-16 surrogate */
	assert_int_equal(vrp_utf8_sequence("\xf4\x90\x80\x80"), 0); /* above U+10FFFF */
	assert_int_equal(vrp_utf8_sequence("\xe2\x82"), 0);         /* cut short */
	assert_false(vrp_utf8_valid("caf\xe9 memo.wav"));
}

static void test_sanitize_replaces_each_bad_byte(void **state)
{
	(void)state;
	char *s = vrp_utf8_sanitize("a\xffz\xc3\xa9");
	assert_string_equal(s, "a\xef\xbf\xbdz\xc3\xa9");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed_sequences_have_their_length),
		cmocka_unit_test(test_ill_formed_sequences_are_refused),
		cmocka_unit_test(test_sanitize_replaces_each_bad_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
