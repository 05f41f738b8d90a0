/* test_gdrive.c - the Drive provider's offline parts: settings, error mapping, paths, ranges. */
#include "test_support.h"

#include "cloud/providers/gdrive_upload.h"

#include <stdlib.h>
#include <string.h>

static int new_gdrive(vrp_provider **p, const vrp_kv *settings, size_t n)
{
	return vrp_provider_new(p, "gdrive", "gd", settings, n, NULL, NULL);
}

static void test_defaults_open_without_network_or_secrets(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	assert_ok(new_gdrive(&p, NULL, 0));
	bool authed = true;
	assert_ok(vrp_provider_is_authenticated(p, &authed));
	assert_false(authed);
	assert_int_equal(vrp_provider_authenticate(p), VRP_EAUTH_EXPIRED);
	assert_non_null(strstr(vrp_error_last()->message, "vrp remote auth gd"));
	vrp_provider_capabilities *caps = NULL;
	assert_ok(vrp_provider_capabilities_get(p, &caps));
	assert_true(caps->resumable);
	assert_true(caps->checksum_kinds & (1u << VRP_CHECKSUM_SHA256));
	vrp_provider_capabilities_free(caps);
	vrp_provider_free(p);
}

static void test_bad_settings_are_refused(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	const vrp_kv plain_http[] = { { "api_url", "http://www.googleapis.com/drive/v3" } };
	assert_int_equal(new_gdrive(&p, plain_http, 1), VRP_EINVAL);
	const vrp_kv odd_chunk[] = { { "chunk_size", "300000" } };
	assert_int_equal(new_gdrive(&p, odd_chunk, 1), VRP_EINVAL);
	const vrp_kv nested[] = { { "folder", "a/b" } };
	assert_int_equal(new_gdrive(&p, nested, 1), VRP_EINVAL);
	const vrp_kv secret[] = { { "client_secret", "x" } };
	assert_int_equal(new_gdrive(&p, secret, 1), VRP_EINVAL);
	const vrp_kv loopback[] = { { "api_url", "http://127.0.0.1:9/drive/v3/" },
				    { "chunk_size", "524288" },
				    { "folder", "Memos" } };
	assert_ok(new_gdrive(&p, loopback, 3));
	vrp_provider_free(p);
}

static void test_authorize_needs_a_credential_store(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	assert_ok(new_gdrive(&p, NULL, 0));
	vrp_authorize_request request = { .flow = VRP_AUTHORIZE_DEVICE };
	assert_int_equal(vrp_provider_authorize(p, &request), VRP_EINVAL);
	vrp_provider_free(p);
	assert_ok(vrp_provider_new(&p, "localdir", "nas", (vrp_kv[]){ { "path", "/tmp" } }, 1, NULL,
				   NULL));
	assert_int_equal(vrp_provider_authorize(p, &request), VRP_ENOTSUP);
	vrp_provider_free(p);
}

static void test_remote_ids_are_drive_ids(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	assert_ok(new_gdrive(&p, NULL, 0));
	char *id = NULL;
	assert_ok(vrp_provider_normalize_remote_id(p, "1AbC-d_9", &id));
	assert_string_equal(id, "1AbC-d_9");
	free(id);
	assert_int_equal(vrp_provider_normalize_remote_id(p, "../x", &id), VRP_EINVAL);
	assert_int_equal(vrp_provider_normalize_remote_id(p, "a b", &id), VRP_EINVAL);
	vrp_provider_free(p);
}

static int error_of(long status, const char *body, const char *retry_after)
{
	struct vrp_http_response r = { .status = status };
	r.body = body ? strdup(body) : NULL;
	r.retry_after = retry_after ? strdup(retry_after) : NULL;
	vrp_provider_set_retry_after_ms(-1);
	int rc = gdrive_error("gd", "uploading", &r);
	vrp_http_response_clear(&r);
	return rc;
}

#define GOOGLE_ERROR(code, reason, message)                                                        \
	"{\"error\":{\"code\":" #code ",\"message\":\"" message                                    \
	"\",\"errors\":[{\"reason\":\"" reason                                                     \
	"\",\"domain\":\"usageLimits\",\"message\":\"" message "\"}]}}"

static void test_drive_errors_map_to_vrp_codes(void **state)
{
	(void)state;
	assert_int_equal(error_of(401, GOOGLE_ERROR(401, "authError", "Invalid Credentials"), NULL),
			 VRP_EAUTH_EXPIRED);
	assert_int_equal(error_of(429, GOOGLE_ERROR(429, "rateLimitExceeded", "Slow down"), "7"),
			 VRP_ERATE_LIMIT);
	assert_int_equal(vrp_provider_retry_after_ms(), 7000);
	assert_int_equal(error_of(403, GOOGLE_ERROR(403, "userRateLimitExceeded", "Slow"), NULL),
			 VRP_ERATE_LIMIT);
	assert_int_equal(vrp_provider_retry_after_ms(), -1);
	assert_int_equal(error_of(403, GOOGLE_ERROR(403, "rateLimitExceeded", "Slow"), "1"),
			 VRP_ERATE_LIMIT);
	assert_int_equal(error_of(403, GOOGLE_ERROR(403, "storageQuotaExceeded", "Full"), NULL),
			 VRP_EQUOTA);
	assert_int_equal(
		error_of(403, GOOGLE_ERROR(403, "insufficientFilePermissions", "No"), NULL),
		VRP_EPERMANENT);
	assert_int_equal(error_of(404, GOOGLE_ERROR(404, "notFound", "File not found: x."), NULL),
			 VRP_EREMOTE_NOT_FOUND);
	assert_int_equal(error_of(500, GOOGLE_ERROR(500, "backendError", "Oops"), NULL),
			 VRP_ETRANSIENT);
	assert_int_equal(error_of(503, "<html>busy</html>", "3"), VRP_ETRANSIENT);
	assert_int_equal(vrp_provider_retry_after_ms(), 3000);
	assert_int_equal(
		error_of(400, GOOGLE_ERROR(400, "invalid", "Invalid field selection"), NULL),
		VRP_EPERMANENT);
	const char *message = vrp_error_last()->message;
	assert_non_null(strstr(message, "remote gd"));
	assert_non_null(strstr(message, "HTTP 400"));
	assert_non_null(strstr(message, "Invalid field selection"));
}

static void test_308_ranges_give_the_next_offset(void **state)
{
	(void)state;
	assert_int_equal(gdrive_parse_range(NULL), 0);
	assert_int_equal(gdrive_parse_range(""), 0);
	assert_int_equal(gdrive_parse_range("bytes=0-262143"), 262144);
	assert_int_equal(gdrive_parse_range("bytes=0-0"), 1);
	assert_int_equal(gdrive_parse_range("bytes=5-10"), -1);
	assert_int_equal(gdrive_parse_range("bytes=0-"), -1);
	assert_int_equal(gdrive_parse_range("bytes=0-9x"), -1);
	assert_int_equal(gdrive_parse_range("items=0-9"), -1);
}

static void test_paths_drop_the_app_folder_component(void **state)
{
	(void)state;
	char *dir = NULL, *name = NULL;
	assert_ok(gdrive_split_path("VoiceRecorderPro/2026/11/memo 1a2b3c4d.m4a", &dir, &name));
	assert_string_equal(dir, "2026/11");
	assert_string_equal(name, "memo 1a2b3c4d.m4a");
	free(dir);
	free(name);
	assert_ok(gdrive_split_path(".vrp-probe-x", &dir, &name));
	assert_string_equal(dir, "");
	assert_string_equal(name, ".vrp-probe-x");
	free(dir);
	free(name);
	char *path = gdrive_vrp_path("2026/11/a.wav");
	assert_string_equal(path, "VoiceRecorderPro/2026/11/a.wav");
	free(path);
}

static void test_query_values_are_quoted(void **state)
{
	(void)state;
	char *q = gdrive_quote("it's a \\ test");
	assert_string_equal(q, "'it\\'s a \\\\ test'");
	free(q);
}

static void test_uploads_are_verified_by_sha256_else_md5(void **state)
{
	(void)state;
	char message[256];
	const char *sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
	const char *md5 = "098f6bcd4621d373cade4e832627b4f6";
	json_t *both = json_pack("{s:s, s:s, s:s}", "size", "4", "sha256Checksum", sha,
				 "md5Checksum", md5);
	assert_string_equal(gdrive_verify(both, 4, sha, md5, message, sizeof(message)), "sha256");
	assert_null(gdrive_verify(both, 5, sha, md5, message, sizeof(message)));
	assert_non_null(strstr(message, "4 bytes"));
	json_t *md5_only = json_pack("{s:s, s:s}", "size", "4", "md5Checksum", md5);
	assert_string_equal(gdrive_verify(md5_only, 4, sha, md5, message, sizeof(message)), "md5");
	assert_null(gdrive_verify(md5_only, 4, sha, "00000000000000000000000000000000", message,
				  sizeof(message)));
	json_decref(both);
	json_decref(md5_only);
}

/* gdrive_take_files on `answer` (JSON text): its rc, the entries kept in `*kept`, `*next`. */
static int take(const char *answer, struct gdrive_tokens *seen, json_t **kept, char **next)
{
	struct gdrive gd = { .name = "gd" };
	json_t *parsed = json_loads(answer, JSON_DECODE_ANY, NULL);
	*kept = json_array();
	int rc = gdrive_take_files(&gd, parsed, "listing files", seen, *kept, next);
	json_decref(parsed);
	return rc;
}

static void test_a_listing_without_a_file_array_is_an_error(void **state)
{
	(void)state;
	const char *broken[] = { "{}",
				 "{\"kind\":\"drive#fileList\"}",
				 "{\"files\":{}}",
				 "{\"files\":\"x\"}",
				 "[]",
				 "null",
				 "{\"files\":[],\"nextPageToken\":7}" };
	for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++) {
		struct gdrive_tokens seen = { 0 };
		json_t *kept = NULL;
		char *next = NULL;
		assert_int_equal(take(broken[i], &seen, &kept, &next), VRP_ETRANSIENT);
		assert_non_null(strstr(vrp_error_last()->message, "no file list"));
		json_decref(kept);
		gdrive_tokens_clear(&seen);
	}
}

static void test_garbage_entries_are_left_out_and_the_rest_kept(void **state)
{
	(void)state;
	struct gdrive_tokens seen = { 0 };
	json_t *kept = NULL;
	char *next = NULL;
	assert_ok(take("{\"files\":[5, \"x\", null, {\"name\":\"noid.wav\"},"
		       "{\"id\":\"../x\",\"name\":\"a.wav\"}, {\"id\":7,\"name\":\"b.wav\"},"
		       "{\"id\":\"d1\",\"name\":\"..\"}, {\"id\":\"d2\",\"name\":\".\"},"
		       "{\"id\":\"d3\",\"name\":\"a/b.wav\"}, {\"id\":\"d4\",\"name\":\"\"},"
		       "{\"id\":\"s1\",\"name\":\"c.wav\",\"size\":\"lots\"},"
		       "{\"id\":\"s2\",\"name\":\"c.wav\",\"size\":-4},"
		       "{\"id\":\"p1\",\"name\":\"c.wav\",\"parents\":[5]},"
		       "{\"id\":\"good-1\",\"name\":\"memo.wav\",\"size\":\"12\"},"
		       "{\"id\":\"good_2\",\"name\":\"folder\"}]}",
		       &seen, &kept, &next));
	assert_int_equal(json_array_size(kept), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(kept, 0), "id")),
			    "good-1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(kept, 1), "id")),
			    "good_2");
	assert_null(next);
	json_decref(kept);
	gdrive_tokens_clear(&seen);
}

static void test_a_page_token_seen_twice_is_an_error(void **state)
{
	(void)state;
	struct gdrive_tokens seen = { 0 };
	json_t *kept = NULL;
	char *next = NULL;
	assert_ok(take("{\"files\":[],\"nextPageToken\":\"A\"}", &seen, &kept, &next));
	assert_string_equal(next, "A");
	free(next);
	json_decref(kept);
	assert_ok(take("{\"files\":[],\"nextPageToken\":\"B\"}", &seen, &kept, &next));
	free(next);
	json_decref(kept);
	assert_int_equal(take("{\"files\":[],\"nextPageToken\":\"A\"}", &seen, &kept, &next),
			 VRP_ETRANSIENT);
	assert_null(next);
	assert_non_null(strstr(vrp_error_last()->message, "same page token twice"));
	json_decref(kept);
	gdrive_tokens_clear(&seen);
}

static void test_byte_counts_are_strict(void **state)
{
	(void)state;
	json_t *o = json_pack("{s:s, s:I, s:s, s:s, s:s, s:I, s:s}", "a", "12", "b", (json_int_t)7,
			      "c", "12x", "d", "-3", "e", "99999999999999999999", "f",
			      (json_int_t)-1, "g", "");
	assert_int_equal(gdrive_bytes(o, "a"), 12);
	assert_int_equal(gdrive_bytes(o, "b"), 7);
	assert_int_equal(gdrive_bytes(o, "c"), -1);
	assert_int_equal(gdrive_bytes(o, "d"), -1);
	assert_int_equal(gdrive_bytes(o, "e"), -1);
	assert_int_equal(gdrive_bytes(o, "f"), -1);
	assert_int_equal(gdrive_bytes(o, "g"), -1);
	assert_int_equal(gdrive_bytes(o, "missing"), -1);
	assert_int_equal(gdrive_bytes(NULL, "a"), -1);
	json_decref(o);
}

static int quota_of(const char *about, vrp_storage_info *out)
{
	json_t *parsed = json_loads(about, JSON_DECODE_ANY, NULL);
	int rc = gdrive_quota_of("gd", parsed, out);
	json_decref(parsed);
	return rc;
}

static void test_a_quota_answer_must_say_the_usage(void **state)
{
	(void)state;
	vrp_storage_info info;
	assert_ok(quota_of("{\"storageQuota\":{\"usage\":\"10\",\"limit\":\"100\"}}", &info));
	assert_int_equal(info.used, 10);
	assert_int_equal(info.total, 100);
	assert_int_equal(info.free, 90);
	assert_ok(quota_of("{\"storageQuota\":{\"usage\":\"10\"}}", &info));
	assert_int_equal(info.total, -1); /* unlimited */
	assert_int_equal(info.free, -1);
	const char *broken[] = { "{}", "{\"storageQuota\":\"x\"}",
				 "{\"storageQuota\":{\"usage\":\"lots\"}}",
				 "{\"storageQuota\":{\"usage\":\"1\",\"limit\":\"-1\"}}", "[]" };
	for (size_t i = 0; i < sizeof(broken) / sizeof(*broken); i++)
		assert_int_equal(quota_of(broken[i], &info), VRP_ETRANSIENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_open_without_network_or_secrets),
		cmocka_unit_test(test_bad_settings_are_refused),
		cmocka_unit_test(test_authorize_needs_a_credential_store),
		cmocka_unit_test(test_remote_ids_are_drive_ids),
		cmocka_unit_test(test_drive_errors_map_to_vrp_codes),
		cmocka_unit_test(test_308_ranges_give_the_next_offset),
		cmocka_unit_test(test_paths_drop_the_app_folder_component),
		cmocka_unit_test(test_query_values_are_quoted),
		cmocka_unit_test(test_uploads_are_verified_by_sha256_else_md5),
		cmocka_unit_test(test_a_listing_without_a_file_array_is_an_error),
		cmocka_unit_test(test_garbage_entries_are_left_out_and_the_rest_kept),
		cmocka_unit_test(test_a_page_token_seen_twice_is_an_error),
		cmocka_unit_test(test_byte_counts_are_strict),
		cmocka_unit_test(test_a_quota_answer_must_say_the_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
