/* test_recording_meta.c - the metadata document an upload keeps with its object. */
#include "test_support.h"

#include "services/recording_meta.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define SHA_A "3a53146e4277c51530688f8771b6de76cf424f343730c52c2003401c663fc589"
#define SHA_B "ccda6eaa8dd58f636541bf4e9c083a96091aafb89f72a77b5f84a057fcc33307"

static vrp_recording *described(void)
{
	vrp_recording *r = NULL;
	assert_int_equal(vrp_recording_new(&r), 0);
	r->uuid = strdup("cbb82c81-1575-44b4-881e-4e15ae59dbea");
	r->checksum = strdup(SHA_A);
	r->title = strdup("Caf\xc3\xa9 notes");
	r->description = strdup("two\nlines");
	r->original_filename = strdup("memo\xff.wav"); /* not UTF-8 */
	r->recorded_at = strdup("2025-03-14T10:20:30.000Z");
	r->recorded_at_source = strdup("container");
	r->created_at = strdup("2026-01-02T03:04:05.678Z");
	r->modified_at = strdup("2026-01-03T03:04:05.678Z");
	r->status = VRP_RECORDING_ARCHIVED;
	r->tags = calloc(2, sizeof(*r->tags));
	r->tags[0] = strdup("big idea");
	r->tags[1] = strdup("work");
	r->tag_count = 2;
	r->filesize_bytes = 529244;
	r->duration = 3.0;
	return r;
}

/* What pull starts from: the file's own fields, the import time. */
static vrp_recording *pulled(const char *sha256)
{
	vrp_recording *r = NULL;
	assert_int_equal(vrp_recording_new(&r), 0);
	r->checksum = strdup(sha256);
	r->title = strdup("memo");
	r->description = strdup("");
	r->original_filename = strdup("memo.wav");
	return r;
}

static void test_every_kept_field_comes_back(void **state)
{
	(void)state;
	vrp_recording *a = described(), *b = pulled(SHA_A);
	char *json = recording_meta_json(a);
	assert_non_null(json);
	char sha256[65];
	assert_int_equal(recording_meta_sha256(json, sha256), 0);
	assert_string_equal(sha256, SHA_A);
	assert_int_equal(recording_meta_apply(json, b), 0);
	assert_string_equal(b->title, a->title);
	assert_string_equal(b->description, a->description);
	assert_string_equal(b->original_filename, a->original_filename);
	assert_string_equal(b->recorded_at, a->recorded_at);
	assert_string_equal(b->recorded_at_source, "container");
	assert_string_equal(b->created_at, a->created_at);
	assert_string_equal(b->modified_at, a->modified_at);
	assert_int_equal(b->status, VRP_RECORDING_ARCHIVED);
	assert_int_equal(b->tag_count, 2);
	assert_string_equal(b->tags[0], "big idea");
	assert_string_equal(b->tags[1], "work");
	free(json);
	vrp_recording_free(a);
	vrp_recording_free(b);
}

static void test_metadata_of_other_content_changes_nothing(void **state)
{
	(void)state;
	vrp_recording *a = described(), *b = pulled(SHA_B);
	char *json = recording_meta_json(a);
	assert_int_equal(recording_meta_apply(json, b), VRP_EINVAL);
	assert_string_equal(b->title, "memo");
	assert_null(b->created_at);
	assert_int_equal(b->tag_count, 0);
	free(json);
	vrp_recording_free(a);
	vrp_recording_free(b);
}

static void test_members_the_catalogue_refuses_are_dropped_one_by_one(void **state)
{
	(void)state;
	vrp_recording *b = pulled(SHA_A);
	const char *json = "{\"format\":\"vrp-recording\",\"version\":1,\"sha256\":\"" SHA_A
			   "\",\"title\":\"Kept\",\"created_at\":\"yesterday\","
			   "\"recorded_at\":\"2025-03-14T10:20:30.000Z\",\"recorded_at_source\":"
			   "\"guess\",\"tags\":[\"ok\", 7, \"\", null],\"description\":42}";
	assert_int_equal(recording_meta_apply(json, b), 0);
	assert_string_equal(b->title, "Kept");
	assert_null(b->created_at);  /* not a timestamp */
	assert_null(b->recorded_at); /* an unknown source */
	assert_string_equal(b->description, "");
	assert_int_equal(b->tag_count, 1);
	assert_string_equal(b->tags[0], "ok");
	vrp_recording_free(b);
}

static void test_text_that_is_not_the_document_is_refused(void **state)
{
	(void)state;
	char sha256[65];
	vrp_recording *b = pulled(SHA_A);
	const char *bad[] = { "", "{", "[]", "{\"title\":\"x\"}",
			      "{\"format\":\"other\",\"sha256\":\"" SHA_A "\"}" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(recording_meta_apply(bad[i], b), VRP_EINVAL);
		assert_int_equal(recording_meta_sha256(bad[i], sha256), VRP_EINVAL);
	}
	assert_int_equal(
		recording_meta_sha256("{\"format\":\"vrp-recording\",\"sha256\":\"ABC\"}", sha256),
		VRP_EINVAL);
	assert_string_equal(b->title, "memo");
	vrp_recording_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kept_field_comes_back),
		cmocka_unit_test(test_metadata_of_other_content_changes_nothing),
		cmocka_unit_test(test_members_the_catalogue_refuses_are_dropped_one_by_one),
		cmocka_unit_test(test_text_that_is_not_the_document_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
