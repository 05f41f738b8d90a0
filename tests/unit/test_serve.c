/* test_serve.c - the HTTP server's route table, its OpenAPI document and its token. */
#include "test_support.h"

#include "serve/serve_internal.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Runs first: linking libvrp does not load libmicrohttpd; starting a server does. */
static void test_libmicrohttpd_is_loaded_by_the_first_server(void **state)
{
	(void)state;
	assert_false(test_library_is_loaded("libmicrohttpd"));
	assert_false(test_library_is_loaded("libgnutls"));
	char *root = test_tmpdir();
	vrp_library *lib = NULL;
	assert_ok(vrp_library_open(&lib, root, VRP_LIBRARY_CREATE, NULL));
	vrp_library_free(lib);
	vrp_server *server = NULL;
	assert_ok(vrp_server_start(root, &(vrp_serve_options){ .listen = "127.0.0.1:0" }, &server));
	assert_true(test_library_is_loaded("libmicrohttpd"));
	assert_true(vrp_server_port(server) > 0);
	vrp_server_free(server);
	test_rmtree(root);
}

static json_t *openapi_paths(void)
{
	const struct serve_asset *doc = serve_asset_find("openapi.json");
	assert_non_null(doc);
	json_error_t error;
	json_t *root = json_loadb((const char *)doc->data, doc->size, 0, &error);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "openapi")), "3.1.0");
	json_t *paths = json_incref(json_object_get(root, "paths"));
	json_decref(root);
	assert_true(json_is_object(paths));
	return paths;
}

static void lower(const char *in, char *out, size_t size)
{
	size_t i = 0;
	for (; in[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)in[i]);
	out[i] = '\0';
}

static void test_every_route_is_in_the_openapi_document(void **state)
{
	(void)state;
	json_t *paths = openapi_paths();
	for (const struct serve_route *r = serve_routes; r->method; r++) {
		char method[16];
		lower(r->method, method, sizeof(method));
		json_t *op = json_object_get(json_object_get(paths, r->pattern), method);
		if (!op)
			fail_msg("%s %s is not in web/openapi.json", r->method, r->pattern);
		assert_non_null(json_object_get(op, "responses"));
	}
	json_decref(paths);
}

static void test_the_openapi_document_describes_no_route_that_does_not_exist(void **state)
{
	(void)state;
	json_t *paths = openapi_paths();
	const char *pattern;
	json_t *item;
	json_object_foreach(paths, pattern, item)
	{
		const char *method;
		json_t *op;
		json_object_foreach(item, method, op)
		{
			bool found = false;
			for (const struct serve_route *r = serve_routes; r->method && !found; r++) {
				char m[16];
				lower(r->method, m, sizeof(m));
				found = !strcmp(r->pattern, pattern) && !strcmp(m, method);
			}
			if (!found)
				fail_msg("web/openapi.json describes %s %s, which no route serves",
					 method, pattern);
		}
	}
	json_decref(paths);
}

static void test_a_route_takes_the_id_segment(void **state)
{
	(void)state;
	char id[64];
	bool allowed;
	const struct serve_route *r =
		serve_route_find("GET", "/api/recordings/42/audio", id, sizeof(id), &allowed);
	assert_non_null(r);
	assert_string_equal(r->pattern, "/api/recordings/{id}/audio");
	assert_string_equal(id, "42");
	r = serve_route_find("PATCH", "/api/recordings/0b7c2a4e-1111-4222-8333-944445555666", id,
			     sizeof(id), &allowed);
	assert_non_null(r);
	assert_int_equal(r->body, SERVE_BODY_JSON);
	assert_string_equal(id, "0b7c2a4e-1111-4222-8333-944445555666");
}

static void test_an_empty_or_extra_segment_matches_no_route(void **state)
{
	(void)state;
	char id[64];
	bool allowed = true;
	assert_null(serve_route_find("GET", "/api/recordings//audio", id, sizeof(id), &allowed));
	assert_false(allowed);
	assert_null(serve_route_find("GET", "/api/recordings/1/audio/x", id, sizeof(id), &allowed));
	assert_false(allowed);
}

static void test_a_known_path_under_another_method_is_405_not_404(void **state)
{
	(void)state;
	char id[64];
	bool allowed = false;
	assert_null(serve_route_find("PUT", "/api/recordings/1", id, sizeof(id), &allowed));
	assert_true(allowed);
}

static void test_head_is_answered_as_get(void **state)
{
	(void)state;
	char id[64];
	bool allowed;
	const struct serve_route *r =
		serve_route_find("HEAD", "/api/recordings/7/audio", id, sizeof(id), &allowed);
	assert_non_null(r);
	assert_string_equal(r->method, "GET");
}

static void test_every_state_change_needs_a_body_check(void **state)
{
	(void)state;
	for (const struct serve_route *r = serve_routes; r->method; r++)
		if (strcmp(r->method, "GET") != 0 && r->body == SERVE_BODY_NONE)
			fail_msg("%s %s changes state without the Origin/Content-Type check",
				 r->method, r->pattern);
}

static void test_tokens_are_256_random_bits_in_hex(void **state)
{
	(void)state;
	char a[SERVE_TOKEN_HEX + 1], b[SERVE_TOKEN_HEX + 1];
	assert_int_equal(serve_token_generate(a), 0);
	assert_int_equal(serve_token_generate(b), 0);
	assert_int_equal(strlen(a), 64);
	assert_int_equal(strspn(a, "0123456789abcdef"), 64);
	assert_string_not_equal(a, b);
	assert_true(serve_token_equal(a, a));
	assert_false(serve_token_equal(a, b));
}

static void test_a_range_is_read_as_rfc_9110_spells_it(void **state)
{
	(void)state;
	uint64_t first = 0, last = 0;
	assert_int_equal(serve_parse_range("bytes=0-99", 1000, &first, &last), 1);
	assert_true(first == 0 && last == 99);
	assert_int_equal(serve_parse_range("bytes=900-", 1000, &first, &last), 1);
	assert_true(first == 900 && last == 999);
	assert_int_equal(serve_parse_range("bytes=-100", 1000, &first, &last), 1);
	assert_true(first == 900 && last == 999);
	assert_int_equal(serve_parse_range("bytes=0-5000", 1000, &first, &last), 1);
	assert_true(last == 999);
	assert_int_equal(serve_parse_range("bytes=1000-", 1000, &first, &last), -1);
}

/* Found by fuzz_serve_request: "0--1023" was read as 0 to a wrapped -1023, a 416. */
static void test_a_malformed_range_is_ignored_not_refused(void **state)
{
	(void)state;
	uint64_t first = 0, last = 0;
	const char *bad[] = { "bytes=0--1023", "bytes=-+5", "bytes= 5-", "bytes=+5-9",
			      "bytes=5-+9",   "bytes=0-1,5-9", "bytes=-",   "bytes=9-5",
			      "bytes=99999999999999999999-", "items=0-5" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(serve_parse_range(bad[i], 0, &first, &last), 0);
}

static void test_a_token_of_another_length_never_matches(void **state)
{
	(void)state;
	char a[SERVE_TOKEN_HEX + 1];
	assert_int_equal(serve_token_generate(a), 0);
	char prefix[SERVE_TOKEN_HEX];
	memcpy(prefix, a, SERVE_TOKEN_HEX - 1);
	prefix[SERVE_TOKEN_HEX - 1] = '\0';
	assert_false(serve_token_equal(prefix, a));
	assert_false(serve_token_equal("", a));
	assert_false(serve_token_equal(NULL, a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libmicrohttpd_is_loaded_by_the_first_server),
		cmocka_unit_test(test_every_route_is_in_the_openapi_document),
		cmocka_unit_test(test_the_openapi_document_describes_no_route_that_does_not_exist),
		cmocka_unit_test(test_a_route_takes_the_id_segment),
		cmocka_unit_test(test_an_empty_or_extra_segment_matches_no_route),
		cmocka_unit_test(test_a_known_path_under_another_method_is_405_not_404),
		cmocka_unit_test(test_head_is_answered_as_get),
		cmocka_unit_test(test_every_state_change_needs_a_body_check),
		cmocka_unit_test(test_tokens_are_256_random_bits_in_hex),
		cmocka_unit_test(test_a_token_of_another_length_never_matches),
		cmocka_unit_test(test_a_range_is_read_as_rfc_9110_spells_it),
		cmocka_unit_test(test_a_malformed_range_is_ignored_not_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
