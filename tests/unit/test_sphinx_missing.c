/*
 * test_sphinx_missing.c - a system without pocketsphinx: transcribing is
 * refused as not supported, saying what to install, and nothing else
 * changes. Built with transcribe/sphinx_lib.c compiled to look for a
 * libpocketsphinx that does not exist (see meson.build).
 */
#include "test_support.h"

#include "vrp/transcript.h"

#include <string.h>

static void test_transcribe_says_which_packages_to_install(void **state)
{
	(void)state;
	int rc = vrp_transcribe_available("en-us");

	const vrp_error *e = vrp_error_last();
	assert_int_equal(rc, VRP_ENOTSUP);
	assert_non_null(strstr(e->message, "libpocketsphinx-missing.so.3"));
	assert_non_null(strstr(e->message, "apt-get install libpocketsphinx3 pocketsphinx-en-us"));
}

static void test_every_later_attempt_fails_the_same_way(void **state)
{
	(void)state;
	vrp_transcribe_available("en-us");
	vrp_error_clear();
	int rc = vrp_transcribe_available("en-us");
	assert_int_equal(rc, VRP_ENOTSUP);
	assert_non_null(strstr(vrp_error_last()->message, "install libpocketsphinx3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcribe_says_which_packages_to_install),
		cmocka_unit_test(test_every_later_attempt_fails_the_same_way),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
