/* test_http.c - the libcurl wrapper's pure parts: the URL policy and encodings. */
#include "test_support.h"

#include "cloud/http.h"

#include <stdlib.h>
#include <string.h>

/* Runs first: linking libvrp does not load libcurl; the first handle does. */
static void test_libcurl_is_loaded_by_the_first_handle(void **state)
{
	(void)state;
	assert_false(test_library_is_loaded("libcurl"));
	struct vrp_http *http = NULL;
	assert_ok(vrp_http_new(&http, "test"));
	assert_true(test_library_is_loaded("libcurl"));
	vrp_http_free(http);
}

static void test_https_is_allowed_anywhere(void **state)
{
	(void)state;
	assert_true(vrp_http_url_allowed("https://www.googleapis.com/drive/v3"));
	assert_true(vrp_http_url_allowed("https://example.com:8443/x?y=z"));
}

static void test_plain_http_only_to_loopback(void **state)
{
	(void)state;
	assert_true(vrp_http_url_allowed("http://127.0.0.1:8080/token"));
	assert_true(vrp_http_url_allowed("http://127.1.2.3/"));
	assert_true(vrp_http_url_allowed("http://localhost:1/"));
	assert_true(vrp_http_url_allowed("http://[::1]:9/x"));
	assert_false(vrp_http_url_allowed("http://example.com/"));
	assert_false(vrp_http_url_allowed("http://128.0.0.1/"));
	assert_false(vrp_http_url_allowed("http://127.0.0.1.evil.com/"));
	assert_false(vrp_http_url_allowed("http://localhost.evil.com/"));
	assert_false(vrp_http_url_allowed("http://10.0.0.1/"));
}

static void test_other_schemes_and_garbage_are_refused(void **state)
{
	(void)state;
	assert_false(vrp_http_url_allowed("ftp://127.0.0.1/"));
	assert_false(vrp_http_url_allowed("file:///etc/passwd"));
	assert_false(vrp_http_url_allowed("not a url"));
	assert_false(vrp_http_url_allowed(NULL));
	assert_true(vrp_http_url_is_loopback("https://127.0.0.1/"));
	assert_false(vrp_http_url_is_loopback("https://www.googleapis.com/"));
}

static void test_escape_keeps_unreserved_only(void **state)
{
	(void)state;
	char *e = vrp_http_escape("a-b_c.d~e f/g?h=i&j+k'é");
	assert_string_equal(e, "a-b_c.d~e%20f%2Fg%3Fh%3Di%26j%2Bk%27%C3%A9");
	free(e);
}

static void test_unescape_decodes_and_refuses_bad_escapes(void **state)
{
	(void)state;
	char *u = vrp_http_unescape("4%2F0Ab+c%3d", 12);
	assert_string_equal(u, "4/0Ab c=");
	free(u);
	assert_null(vrp_http_unescape("bad%2", 5));
	assert_null(vrp_http_unescape("bad%zz", 6));
	assert_null(vrp_http_unescape("nul%00", 6));
}

static void test_form_add_joins_escaped_pairs(void **state)
{
	(void)state;
	char *form = NULL;
	assert_ok(vrp_http_form_add(&form, "grant_type", "refresh_token"));
	assert_ok(vrp_http_form_add(&form, "refresh_token", "1//x y&z"));
	assert_string_equal(form, "grant_type=refresh_token&refresh_token=1%2F%2Fx%20y%26z");
	free(form);
}

static void test_retry_after_seconds_and_dates(void **state)
{
	(void)state;
	assert_int_equal(vrp_http_retry_after_ms("2", 1000), 2000);
	assert_int_equal(vrp_http_retry_after_ms("0", 1000), 0);
	assert_int_equal(vrp_http_retry_after_ms(NULL, 1000), -1);
	assert_int_equal(vrp_http_retry_after_ms("soon", 1000), -1);
	/* 1994-11-06 08:49:37 GMT is 784111777; ten seconds before it: */
	assert_int_equal(vrp_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111767),
			 10000);
	assert_int_equal(vrp_http_retry_after_ms("Sun, 06 Nov 1994 08:49:37 GMT", 784111800), 0);
}

static void test_a_refused_url_fails_before_any_network(void **state)
{
	(void)state;
	struct vrp_http *http = NULL;
	assert_ok(vrp_http_new(&http, "gd"));
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "GET";
	q.url = "http://example.com/";
	struct vrp_http_response r;
	assert_int_equal(vrp_http_perform(http, &q, &r), VRP_EPERMANENT);
	assert_non_null(strstr(vrp_error_last()->message, "loopback"));
	vrp_http_free(http);
	vrp_http_free(NULL);
}

static void test_connection_refused_is_transient(void **state)
{
	(void)state;
	struct vrp_http *http = NULL;
	assert_ok(vrp_http_new(&http, "gd"));
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "GET";
	q.url = "http://127.0.0.1:1/"; /* nothing listens on port 1 */
	struct vrp_http_response r;
	assert_int_equal(vrp_http_perform(http, &q, &r), VRP_ETRANSIENT);
	vrp_http_free(http);
}

static void test_same_origin_is_scheme_host_and_port(void **state)
{
	(void)state;
	const char *base = "https://www.googleapis.com/upload/drive/v3";
	assert_true(vrp_http_same_origin(
		"https://www.googleapis.com/upload/drive/v3/files?upload_id=x", base));
	assert_true(vrp_http_same_origin("https://WWW.googleapis.com:443/other", base));
	assert_false(vrp_http_same_origin("https://www.googleapis.com.evil.com/upload", base));
	assert_false(vrp_http_same_origin("https://evil.com/upload/drive/v3/files", base));
	assert_false(vrp_http_same_origin("http://www.googleapis.com/upload/drive/v3", base));
	assert_false(vrp_http_same_origin("https://www.googleapis.com:8443/upload", base));
	assert_false(vrp_http_same_origin("https://user@evil.com/", "https://evil.com@x.com/"));
	assert_false(vrp_http_same_origin("http://localhost:5/u", "http://127.0.0.1:5/u"));
	assert_false(vrp_http_same_origin("not a url", base));
	assert_false(vrp_http_same_origin(NULL, base));
}

static int discard(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return 0;
}

static void test_deadline_grows_with_the_bytes_a_request_moves(void **state)
{
	(void)state;
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.sink = discard; /* a download of unknown size: the timeout alone */
	assert_int_equal(vrp_http_deadline_ms(2, &q), 3000);
	q.expected_bytes = 10 * VRP_HTTP_MIN_RATE;
	assert_int_equal(vrp_http_deadline_ms(2, &q), 13000);
	q.body_fd = 0; /* an upload of 20 s worth, answered by a download */
	q.file_len = 20 * VRP_HTTP_MIN_RATE;
	assert_int_equal(vrp_http_deadline_ms(2, &q), 33000);
	/* A memory answer may be as large as VRP_HTTP_BODY_MAX. */
	struct vrp_http_request json = VRP_HTTP_REQUEST_INIT;
	assert_int_equal(vrp_http_deadline_ms(120, &json),
			 (120 + VRP_HTTP_BODY_MAX / VRP_HTTP_MIN_RATE + 1) * 1000);
	/* Absurd sizes give a long deadline, not an overflow. */
	q.expected_bytes = INT64_MAX;
	q.file_len = INT64_MAX;
	assert_true(vrp_http_deadline_ms(INT64_MAX, &q) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libcurl_is_loaded_by_the_first_handle),
		cmocka_unit_test(test_https_is_allowed_anywhere),
		cmocka_unit_test(test_plain_http_only_to_loopback),
		cmocka_unit_test(test_other_schemes_and_garbage_are_refused),
		cmocka_unit_test(test_escape_keeps_unreserved_only),
		cmocka_unit_test(test_unescape_decodes_and_refuses_bad_escapes),
		cmocka_unit_test(test_form_add_joins_escaped_pairs),
		cmocka_unit_test(test_retry_after_seconds_and_dates),
		cmocka_unit_test(test_a_refused_url_fails_before_any_network),
		cmocka_unit_test(test_connection_refused_is_transient),
		cmocka_unit_test(test_same_origin_is_scheme_host_and_port),
		cmocka_unit_test(test_deadline_grows_with_the_bytes_a_request_moves),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
