/*
 * test_onedrive.c - the OneDrive provider's offline parts: QuickXorHash
 * against published vectors, settings, item URLs, Graph error mapping and
 * upload session ranges.
 */
#include "test_support.h"

#include "cloud/providers/onedrive_upload.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

/* Input (base64) and QuickXorHash (base64), as published with rclone's implementation. */
static const char *const vectors[][2] = {
	{ "", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=" },
	{ "Sg==", "SgAAAAAAAAAAAAAAAQAAAAAAAAA=" },
	{ "tbQ=", "taAFAAAAAAAAAAAAAgAAAAAAAAA=" },
	{ "0pZP", "0rDEEwAAAAAAAAAAAwAAAAAAAAA=" },
	{ "jRRDVA==", "jaDAEKgAAAAAAAAABAAAAAAAAAA=" },
	{ "eAV52qE=", "eChAHrQRCgAAAAAABQAAAAAAAAA=" },
	{ "luBZlaT6", "lgBHFipBCn0AAAAABgAAAAAAAAA=" },
	{ "qaApEj66lw==", "qQBFCiTgA11cAgAABwAAAAAAAAA=" },
	{ "/aNzzCFPS/A=", "/RjFHJgRgicsAR4ACAAAAAAAAAA=" },
	{ "n6Neh7p6fFgm", "nxiFFw6hCz3wAQsmCQAAAAAAAAA=" },
	{ "J9iPGCbfZSTNyw==", "J8DGIzBggm+UgQTNUgYAAAAAAAA=" },
	{ "i+UZyUGJKh+ISbk=", "iyhHBpIRhESo4AOIQ0IuAAAAAAA=" },
	{ "h490d57Pqz5q2rtT", "h3gEHe7giWeswgdq3MYupgAAAAA=" },
	{ "vPgoDjOfO6fm71RxLw==", "vMAHChwwg0/s4BTmdQcV4vACAAA=" },
	{ "XoJ1AsoR4fDYJrDqYs4=", "XhBEHQSgjAiEAx7YPgEs1CEGZwA=" },
	{ "gQaybEqS/4UlDc8e4IJm", "gDCALNigBEn8oxAlZ8AzPAAOQZg=" },
	{ "2fuxhBJXtpWFe8dOfdGeHw==", "O9tHLAghgSvYohKFyMMxnNCHaHg=" },
	{ "XBV6YKU9V7yMakZnFIxIkuU=", "HbplHsBQih5cgReMQYMRzkABRiA=" },
	{ "XJZSOiNO2bmfKnTKD7fztcQX", "/6ZArHQwAidkIxefQgEdlPGAW8w=" },
	{ "g8VtAh+2Kf4k0kY5tzji2i2zmA==", "wDNrgwHWAVukwB8kg4YRcnALHIg=" },
	{ "T6LYJIfDh81JrAK309H2JMJTXis=", "zBTHrspn3mEcohlJdIUAbjGNaNg=" },
	{ "DWAAX5/CIfrmErgZa8ot6ZraeSbu", "LR2Z0PjuRYGKQB/mhQAuMrAGZbQ=" },
	{ "N9abi3qy/mC1THZuVLHPpx7SgwtLOA==", "1KTYttCBEen8Hwy1doId3ECFWDw=" },
	{ "LlUe7wHerLqEtbSZLZgZa9u0m7hbiFs=", "TqVZpxs3cN61BnuFvwUtMtECTGQ=" },
};

static void test_quickxor_matches_the_published_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		unsigned char data[64];
		int n = EVP_DecodeBlock(data, (const unsigned char *)vectors[i][0],
					(int)strlen(vectors[i][0]));
		size_t pad = strlen(vectors[i][0]) >= 2
				     ? (vectors[i][0][strlen(vectors[i][0]) - 1] == '=') +
					       (vectors[i][0][strlen(vectors[i][0]) - 2] == '=')
				     : 0;
		struct vrp_quickxor q;
		vrp_quickxor_init(&q);
		vrp_quickxor_update(&q, data, (size_t)n - pad);
		char out[VRP_QUICKXOR_BASE64];
		vrp_quickxor_final(&q, out);
		assert_string_equal(out, vectors[i][1]);
	}
}

/* The chunking bug: the position of a byte must not depend on how updates split the input. */
static void test_quickxor_is_independent_of_update_sizes_over_64_kib(void **state)
{
	(void)state;
	size_t len = 3 * 65536 + 12345; /* odd, past several 64 KiB buffers */
	unsigned char *data = malloc(len);
	assert_non_null(data);
	uint32_t x = 12345;
	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		data[i] = (unsigned char)(x >> 16);
	}
	struct vrp_quickxor whole, pieces;
	vrp_quickxor_init(&whole);
	vrp_quickxor_update(&whole, data, len);
	vrp_quickxor_init(&pieces);
	const size_t sizes[] = { 1, 159, 160, 161, 65536, 7, 65535, 100000 };
	size_t at = 0;
	for (size_t i = 0; at < len; i = (i + 1) % (sizeof(sizes) / sizeof(*sizes))) {
		size_t n = sizes[i] < len - at ? sizes[i] : len - at;
		vrp_quickxor_update(&pieces, data + at, n);
		at += n;
	}
	char a[VRP_QUICKXOR_BASE64], b[VRP_QUICKXOR_BASE64];
	vrp_quickxor_final(&whole, a);
	vrp_quickxor_final(&pieces, b);
	assert_string_equal(a, b);
	assert_string_not_equal(a, "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	free(data);
}

static int new_onedrive(vrp_provider **p, const vrp_kv *settings, size_t n)
{
	return vrp_provider_new(p, "onedrive", "od", settings, n, NULL, NULL);
}

static void test_defaults_open_without_network_or_secrets(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	assert_ok(new_onedrive(&p, NULL, 0));
	bool authed = true;
	assert_ok(vrp_provider_is_authenticated(p, &authed));
	assert_false(authed);
	assert_int_equal(vrp_provider_authenticate(p), VRP_EAUTH_EXPIRED);
	assert_non_null(strstr(vrp_error_last()->message, "vrp remote auth od"));
	vrp_provider_capabilities *caps = NULL;
	assert_ok(vrp_provider_capabilities_get(p, &caps));
	assert_true(caps->resumable);
	assert_true(caps->checksum_kinds & (1u << VRP_CHECKSUM_QUICKXOR));
	vrp_provider_capabilities_free(caps);
	assert_string_equal(vrp_checksum_kind_to_string(VRP_CHECKSUM_QUICKXOR), "quickxor");
	vrp_provider_free(p);
}

static void test_bad_settings_are_refused(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	const vrp_kv plain_http[] = { { "api_url", "http://graph.microsoft.com/v1.0" } };
	assert_int_equal(new_onedrive(&p, plain_http, 1), VRP_EINVAL);
	const vrp_kv odd_chunk[] = { { "chunk_size", "262144" } };
	assert_int_equal(new_onedrive(&p, odd_chunk, 1), VRP_EINVAL);
	const vrp_kv huge_chunk[] = { { "chunk_size", "65536000" } };
	assert_int_equal(new_onedrive(&p, huge_chunk, 1), VRP_EINVAL);
	const vrp_kv scope[] = { { "scope", "everything" } };
	assert_int_equal(new_onedrive(&p, scope, 1), VRP_EINVAL);
	const vrp_kv folder_without_files[] = { { "folder", "Memos" } };
	assert_int_equal(new_onedrive(&p, folder_without_files, 1), VRP_EINVAL);
	const vrp_kv tenant[] = { { "tenant", "a/b" } };
	assert_int_equal(new_onedrive(&p, tenant, 1), VRP_EINVAL);
	const vrp_kv secret[] = { { "client_secret", "x" } };
	assert_int_equal(new_onedrive(&p, secret, 1), VRP_EINVAL);
	const vrp_kv ok[] = { { "api_url", "http://127.0.0.1:9/v1.0/" },
			      { "chunk_size", "655360" },
			      { "scope", "files" },
			      { "folder", "Memos" },
			      { "tenant", "consumers" } };
	assert_ok(new_onedrive(&p, ok, 5));
	vrp_provider_free(p);
}

static struct onedrive *state_of(vrp_provider *p)
{
	return vrp_provider_state_of(p, &vrp_provider_onedrive_ops);
}

static void test_items_are_addressed_by_path_under_the_root(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	const vrp_kv app[] = { { "api_url", "https://g.example/v1.0" } };
	assert_ok(new_onedrive(&p, app, 1));
	char *url = onedrive_item_url(state_of(p), "2026/11/memo 1#.wav", "/content");
	assert_string_equal(
		url, "https://g.example/v1.0/me/drive/special/approot:/2026/11/memo%201%23.wav:"
		     "/content");
	free(url);
	url = onedrive_item_url(state_of(p), "", "/children");
	assert_string_equal(url, "https://g.example/v1.0/me/drive/special/approot/children");
	free(url);
	vrp_provider_free(p);
	const vrp_kv files[] = { { "api_url", "https://g.example/v1.0" }, { "scope", "files" } };
	assert_ok(new_onedrive(&p, files, 2));
	url = onedrive_item_url(state_of(p), "2026/a.wav", "");
	assert_string_equal(url,
			    "https://g.example/v1.0/me/drive/root:/VoiceRecorderPro/2026/a.wav:");
	free(url);
	url = onedrive_item_url(state_of(p), "", "/children");
	assert_string_equal(url,
			    "https://g.example/v1.0/me/drive/root:/VoiceRecorderPro:/children");
	free(url);
	vrp_provider_free(p);
	char *rel = onedrive_relative("VoiceRecorderPro/2026/11/a.wav");
	assert_string_equal(rel, "2026/11/a.wav");
	free(rel);
}

static int error_of(long status, const char *body, const char *retry_after)
{
	struct vrp_http_response r = { .status = status };
	r.body = body ? strdup(body) : NULL;
	r.retry_after = retry_after ? strdup(retry_after) : NULL;
	int rc = onedrive_error("od", "uploading", &r);
	vrp_http_response_clear(&r);
	return rc;
}

static void test_graph_errors_map_to_codes(void **state)
{
	(void)state;
	assert_int_equal(
		error_of(401, "{\"error\":{\"code\":\"InvalidAuthenticationToken\"}}", NULL),
		VRP_EAUTH_EXPIRED);
	assert_int_equal(error_of(429, "{\"error\":{\"code\":\"activityLimitReached\"}}", "7"),
			 VRP_ERATE_LIMIT);
	assert_int_equal(vrp_provider_retry_after_ms(), 7000);
	assert_int_equal(error_of(503, NULL, "3"), VRP_ETRANSIENT);
	assert_int_equal(vrp_provider_retry_after_ms(), 3000);
	assert_int_equal(error_of(507, "{\"error\":{\"code\":\"quotaLimitReached\"}}", NULL),
			 VRP_EQUOTA);
	assert_non_null(strstr(vrp_error_last()->message, "quotaLimitReached"));
	assert_int_equal(error_of(404, "{\"error\":{\"code\":\"itemNotFound\"}}", NULL),
			 VRP_EREMOTE_NOT_FOUND);
	assert_int_equal(error_of(500, "not json", NULL), VRP_ETRANSIENT);
	assert_int_equal(error_of(400, "{\"error\":\"x\"}", NULL), VRP_EPERMANENT);
	assert_int_equal(error_of(403, "{\"error\":{\"code\":\"accessDenied\"}}", NULL),
			 VRP_EPERMANENT);
	assert_non_null(strstr(vrp_error_last()->message, "scope=files"));
}

static int64_t next_of(const char *json)
{
	json_t *ranges = json_loads(json, 0, NULL);
	int64_t v = onedrive_next_expected(ranges);
	json_decref(ranges);
	return v;
}

static void test_next_expected_ranges_are_read_strictly(void **state)
{
	(void)state;
	assert_int_equal(next_of("[\"0-\"]"), 0);
	assert_int_equal(next_of("[\"327680-\"]"), 327680);
	assert_int_equal(next_of("[\"12345-55232\", \"77829-99375\"]"), 12345);
	assert_int_equal(next_of("[]"), -1);
	assert_int_equal(next_of("[\"-5\"]"), -1);
	assert_int_equal(next_of("[\"5-2\"]"), -1);
	assert_int_equal(next_of("[\"5x-\"]"), -1);
	assert_int_equal(next_of("[7]"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quickxor_matches_the_published_vectors),
		cmocka_unit_test(test_quickxor_is_independent_of_update_sizes_over_64_kib),
		cmocka_unit_test(test_defaults_open_without_network_or_secrets),
		cmocka_unit_test(test_bad_settings_are_refused),
		cmocka_unit_test(test_items_are_addressed_by_path_under_the_root),
		cmocka_unit_test(test_graph_errors_map_to_codes),
		cmocka_unit_test(test_next_expected_ranges_are_read_strictly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
