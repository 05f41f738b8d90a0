/*
 * test_mhd_missing.c - a system without libmicrohttpd: `vrp serve` is
 * refused as not supported, saying what to install, and the library
 * (everything else vrp does) still works. Built with serve/mhd_lib.c
 * compiled to look for a libmicrohttpd that does not exist (see meson.build).
 */
#include "test_support.h"

#include "vrp/serve.h"

#include <string.h>

static void test_the_server_is_not_supported_and_names_the_package(void **state)
{
	(void)state;
	char *root = test_tmpdir();
	for (int i = 0; i < 2; i++) { /* and every later attempt fails the same way */
		vrp_server *server = NULL;
		vrp_error_clear();
		assert_int_equal(vrp_server_start(root, NULL, &server), VRP_ENOTSUP);
		assert_null(server);
		const char *message = vrp_error_last()->message;
		assert_non_null(strstr(message,
				       "cannot load libmicrohttpd (libmicrohttpd-missing.so.12)"));
		assert_non_null(strstr(message, "; install libmicrohttpd12"));
	}
	test_rmtree(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_server_is_not_supported_and_names_the_package),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
