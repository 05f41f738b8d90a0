/*
 * test_curl_missing.c - a system without libcurl: HTTP is refused as not
 * supported, saying what to install, and no URL passes the policy. Built
 * with cloud/curl_lib.c compiled to look for a libcurl that does not exist
 * (see meson.build).
 */
#include "test_support.h"

#include "cloud/http.h"

#include <string.h>

static void test_a_handle_is_not_supported_and_names_the_package(void **state)
{
	(void)state;
	for (int i = 0; i < 2; i++) { /* and every later attempt fails the same way */
		struct vrp_http *http = NULL;
		vrp_error_clear();
		assert_int_equal(vrp_http_new(&http, "drive"), VRP_ENOTSUP);
		assert_null(http);
		const char *message = vrp_error_last()->message;
		assert_non_null(strstr(message, "cannot load libcurl (libcurl-missing.so.4)"));
		assert_non_null(strstr(message, "; install libcurl4"));
	}
}

static void test_no_url_is_allowed_without_libcurl(void **state)
{
	(void)state;
	assert_false(vrp_http_url_allowed("https://www.googleapis.com/drive/v3/files"));
	assert_false(vrp_http_url_is_loopback("http://127.0.0.1:8080/"));
	assert_int_equal(vrp_http_retry_after_ms("Wed, 21 Oct 2015 07:28:00 GMT", 0), -1);
	assert_int_equal(vrp_http_retry_after_ms("120", 0), 120000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_handle_is_not_supported_and_names_the_package),
		cmocka_unit_test(test_no_url_is_allowed_without_libcurl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
