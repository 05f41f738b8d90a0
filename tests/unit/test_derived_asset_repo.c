/* test_derived_asset_repo.c - derived assets: one per recording and kind, staleness, paths. */
#include "test_support.h"

#include "db/derived_asset_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECKSUM_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define CHECKSUM_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* Inserts a minimal valid recording whose checksum is `checksum`; returns its id. */
static int64_t insert_recording(vrp_db *db, int n, const char *checksum)
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, "
		 "mime_type, filesize_bytes, checksum, created_at, modified_at) VALUES "
		 "('00000000-0000-4000-8000-%012d', 'memo%d.wav', 'r%d.wav', "
		 "'recordings/raw/r%d.wav', "
		 "'audio/wav', 1000, '%s', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
		 n, n, n, n, checksum);
	test_exec(db, sql);
	snprintf(sql, sizeof(sql), "SELECT id FROM recordings WHERE checksum = '%s'", checksum);
	return test_query_int(db, sql);
}

static struct vrp_derived_asset_spec spec_for(int64_t recording_id, enum vrp_derived_kind kind,
					      const char *path)
{
	struct vrp_derived_asset_spec spec = {
		.recording_id = recording_id,
		.kind = kind,
		.path = path,
		.mime_type = "image/png",
		.size_bytes = 4096,
		.generator = "vrp-waveform",
		.generator_version = "1.0",
		.source_checksum = CHECKSUM_A,
	};
	return spec;
}

static void upsert_ok(vrp_db *db, int64_t recording_id, enum vrp_derived_kind kind,
		      const char *path)
{
	struct vrp_derived_asset_spec spec = spec_for(recording_id, kind, path);
	assert_ok(vrp_derived_asset_repo_upsert(db, &spec, NULL));
}

static void test_kind_strings_round_trip(void **state)
{
	(void)state;
	static const char *const names[] = { "waveform", "spectrogram", "transcript",
					     "compressed" };
	for (int k = VRP_DERIVED_WAVEFORM; k <= VRP_DERIVED_COMPRESSED; k++) {
		enum vrp_derived_kind parsed = VRP_DERIVED_WAVEFORM;
		assert_string_equal(vrp_derived_kind_to_string((enum vrp_derived_kind)k), names[k]);
		assert_ok(vrp_derived_kind_from_string(names[k], &parsed));
		assert_int_equal(parsed, k);
	}
}

static void test_kind_from_unknown_text_is_invalid(void **state)
{
	(void)state;
	enum vrp_derived_kind kind = VRP_DERIVED_TRANSCRIPT;
	assert_int_equal(vrp_derived_kind_from_string("Waveform", &kind), VRP_EINVAL);
	assert_int_equal(vrp_derived_kind_from_string("", &kind), VRP_EINVAL);
	assert_int_equal(vrp_derived_kind_from_string(NULL, &kind), VRP_EINVAL);
	assert_int_equal(kind, VRP_DERIVED_TRANSCRIPT);
}

static void test_kind_outside_the_enum_has_no_name(void **state)
{
	(void)state;
	assert_null(vrp_derived_kind_to_string((enum vrp_derived_kind)4));
	assert_null(vrp_derived_kind_to_string((enum vrp_derived_kind) - 1));
}

static void test_free_functions_accept_null(void **state)
{
	(void)state;
	vrp_derived_asset_free(NULL);
	vrp_derived_asset_list_free(NULL);
	vrp_derived_asset_repo_paths_free(NULL);
}

static void test_upsert_returns_and_stores_every_field(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	struct vrp_derived_asset_spec spec =
		spec_for(rec, VRP_DERIVED_SPECTROGRAM, "derived/1/spectrogram.png");
	vrp_derived_asset *made = NULL;
	vrp_derived_asset *read = NULL;
	assert_ok(vrp_derived_asset_repo_upsert(db, &spec, &made));
	assert_ok(vrp_derived_asset_repo_get(db, rec, VRP_DERIVED_SPECTROGRAM, &read));
	for (int i = 0; i < 2; i++) {
		vrp_derived_asset *a = i ? read : made;
		assert_true(a->id > 0);
		assert_int_equal(a->recording_id, rec);
		assert_int_equal(a->kind, VRP_DERIVED_SPECTROGRAM);
		assert_string_equal(a->path, "derived/1/spectrogram.png");
		assert_string_equal(a->mime_type, "image/png");
		assert_int_equal(a->size_bytes, 4096);
		assert_string_equal(a->generator, "vrp-waveform");
		assert_string_equal(a->generator_version, "1.0");
		assert_string_equal(a->source_checksum, CHECKSUM_A);
		assert_int_equal(strlen(a->created_at), 24);
	}
	assert_int_equal(made->id, read->id);
	assert_string_equal(made->created_at, read->created_at);
	vrp_derived_asset_free(made);
	vrp_derived_asset_free(read);
}

static void test_upsert_keeps_a_null_mime_type(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	struct vrp_derived_asset_spec spec = spec_for(rec, VRP_DERIVED_TRANSCRIPT, "t.txt");
	spec.mime_type = NULL;
	vrp_derived_asset *a = NULL;
	assert_ok(vrp_derived_asset_repo_upsert(db, &spec, &a));
	assert_null(a->mime_type);
	vrp_derived_asset_free(a);
}

static void test_upsert_twice_replaces_the_previous_asset(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	vrp_derived_asset *first = NULL;
	vrp_derived_asset *second = NULL;
	struct vrp_derived_asset_spec spec = spec_for(rec, VRP_DERIVED_WAVEFORM, "old.png");
	assert_ok(vrp_derived_asset_repo_upsert(db, &spec, &first));
	spec.path = "new.png";
	spec.generator_version = "2.0";
	spec.size_bytes = 7;
	spec.mime_type = NULL;
	assert_ok(vrp_derived_asset_repo_upsert(db, &spec, &second));

	assert_int_equal(second->id, first->id);
	assert_string_equal(second->path, "new.png");
	assert_string_equal(second->generator_version, "2.0");
	assert_int_equal(second->size_bytes, 7);
	assert_null(second->mime_type);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derived_assets"), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derived_assets "
					    "WHERE path = 'old.png'"),
			 0);
	vrp_derived_asset_free(first);
	vrp_derived_asset_free(second);
}

static void test_upsert_for_a_missing_recording_is_not_found(void **state)
{
	vrp_db *db = test_fixture_db(state);
	struct vrp_derived_asset_spec spec = spec_for(999, VRP_DERIVED_WAVEFORM, "w.png");
	vrp_derived_asset *a = NULL;
	assert_int_equal(vrp_derived_asset_repo_upsert(db, &spec, &a), VRP_ENOTFOUND);
	assert_null(a);
	assert_non_null(strstr(vrp_error_last()->message, "999"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derived_assets"), 0);
}

static void test_upsert_with_another_assets_path_already_exists(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "shared.png");
	struct vrp_derived_asset_spec spec = spec_for(rec, VRP_DERIVED_SPECTROGRAM, "shared.png");
	assert_int_equal(vrp_derived_asset_repo_upsert(db, &spec, NULL), VRP_EEXISTS);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derived_assets"), 1);
}

static void test_upsert_rejects_an_invalid_spec(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	struct vrp_derived_asset_spec bad[10];
	for (size_t i = 0; i < 10; i++)
		bad[i] = spec_for(rec, VRP_DERIVED_WAVEFORM, "w.png");
	bad[0].kind = (enum vrp_derived_kind)9;
	bad[1].path = NULL;
	bad[2].path = "";
	bad[3].size_bytes = -1;
	bad[4].generator = NULL;
	bad[5].generator_version = "";
	bad[6].source_checksum = "abc";
	bad[7].source_checksum = "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz";
	bad[8].source_checksum = NULL;
	bad[9].recording_id = 0;
	for (size_t i = 0; i < 10; i++)
		assert_int_equal(vrp_derived_asset_repo_upsert(db, &bad[i], NULL), VRP_EINVAL);
	assert_int_equal(vrp_derived_asset_repo_upsert(db, NULL, NULL), VRP_EINVAL);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derived_assets"), 0);
}

static void test_get_of_a_missing_asset_is_not_found(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "w.png");
	vrp_derived_asset *a = NULL;
	assert_int_equal(vrp_derived_asset_repo_get(db, rec, VRP_DERIVED_TRANSCRIPT, &a),
			 VRP_ENOTFOUND);
	assert_null(a);
	assert_non_null(strstr(vrp_error_last()->message, "transcript"));
	assert_int_equal(vrp_derived_asset_repo_get(db, rec + 1, VRP_DERIVED_WAVEFORM, &a),
			 VRP_ENOTFOUND);
}

static void test_get_of_an_unknown_kind_is_invalid(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_derived_asset *a = NULL;
	assert_int_equal(vrp_derived_asset_repo_get(db, 1, (enum vrp_derived_kind)7, &a),
			 VRP_EINVAL);
	assert_null(a);
}

static void test_list_for_recording_gives_its_assets_in_kind_order(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	int64_t other = insert_recording(db, 2, CHECKSUM_B);
	upsert_ok(db, rec, VRP_DERIVED_COMPRESSED, "c.opus");
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "w.png");
	upsert_ok(db, other, VRP_DERIVED_SPECTROGRAM, "other.png");
	upsert_ok(db, rec, VRP_DERIVED_TRANSCRIPT, "t.txt");

	vrp_derived_asset_list *list = NULL;
	assert_ok(vrp_derived_asset_repo_list_for_recording(db, rec, &list));
	assert_int_equal(list->count, 3);
	assert_int_equal(list->items[0]->kind, VRP_DERIVED_WAVEFORM);
	assert_int_equal(list->items[1]->kind, VRP_DERIVED_TRANSCRIPT);
	assert_int_equal(list->items[2]->kind, VRP_DERIVED_COMPRESSED);
	for (size_t i = 0; i < list->count; i++)
		assert_int_equal(list->items[i]->recording_id, rec);
	vrp_derived_asset_list_free(list);
}

static void test_list_for_recording_without_assets_is_empty(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_derived_asset_list *list = NULL;
	assert_ok(vrp_derived_asset_repo_list_for_recording(db, 42, &list));
	assert_int_equal(list->count, 0);
	vrp_derived_asset_list_free(list);
}

static void test_delete_removes_only_that_kind(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "w.png");
	upsert_ok(db, rec, VRP_DERIVED_TRANSCRIPT, "t.txt");
	assert_ok(vrp_derived_asset_repo_delete(db, rec, VRP_DERIVED_WAVEFORM));

	vrp_derived_asset *a = NULL;
	assert_int_equal(vrp_derived_asset_repo_get(db, rec, VRP_DERIVED_WAVEFORM, &a),
			 VRP_ENOTFOUND);
	assert_ok(vrp_derived_asset_repo_get(db, rec, VRP_DERIVED_TRANSCRIPT, &a));
	vrp_derived_asset_free(a);
}

static void test_delete_of_a_missing_asset_is_not_found(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	assert_int_equal(vrp_derived_asset_repo_delete(db, rec, VRP_DERIVED_WAVEFORM),
			 VRP_ENOTFOUND);
	assert_int_equal(vrp_derived_asset_repo_delete(db, rec, (enum vrp_derived_kind)5),
			 VRP_EINVAL);
}

static void test_delete_for_recording_removes_all_of_its_assets(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	int64_t other = insert_recording(db, 2, CHECKSUM_B);
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "w.png");
	upsert_ok(db, rec, VRP_DERIVED_TRANSCRIPT, "t.txt");
	upsert_ok(db, other, VRP_DERIVED_WAVEFORM, "other.png");

	int64_t deleted = -1;
	assert_ok(vrp_derived_asset_repo_delete_for_recording(db, rec, &deleted));
	assert_int_equal(deleted, 2);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derived_assets"), 1);
	assert_ok(vrp_derived_asset_repo_delete_for_recording(db, rec, &deleted));
	assert_int_equal(deleted, 0);
	assert_ok(vrp_derived_asset_repo_delete_for_recording(db, other, NULL));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derived_assets"), 0);
}

static void test_list_stale_finds_assets_of_changed_audio(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "w.png");
	vrp_derived_asset_list *list = NULL;
	assert_ok(vrp_derived_asset_repo_list_stale(db, "vrp-waveform", "1.0", 0, 0, &list));
	assert_int_equal(list->count, 0);
	vrp_derived_asset_list_free(list);

	test_exec(db, "UPDATE recordings SET checksum = '" CHECKSUM_B "'");
	assert_ok(vrp_derived_asset_repo_list_stale(db, "vrp-waveform", "1.0", 0, 0, &list));
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0]->path, "w.png");
	vrp_derived_asset_list_free(list);
}

static void test_list_stale_finds_assets_of_an_older_generator_version(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "w.png");
	vrp_derived_asset_list *list = NULL;
	assert_ok(vrp_derived_asset_repo_list_stale(db, "vrp-waveform", "1.1", 0, 0, &list));
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0]->generator_version, "1.0");
	vrp_derived_asset_list_free(list);
}

static void test_list_stale_ignores_other_generators(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	struct vrp_derived_asset_spec spec = spec_for(rec, VRP_DERIVED_TRANSCRIPT, "t.txt");
	spec.generator = "whisper";
	assert_ok(vrp_derived_asset_repo_upsert(db, &spec, NULL));
	vrp_derived_asset_list *list = NULL;
	assert_ok(vrp_derived_asset_repo_list_stale(db, "vrp-waveform", "9", 0, 0, &list));
	assert_int_equal(list->count, 0);
	vrp_derived_asset_list_free(list);
}

static void test_list_stale_pages_by_id_with_a_limit(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "w.png");
	upsert_ok(db, rec, VRP_DERIVED_SPECTROGRAM, "s.png");
	upsert_ok(db, rec, VRP_DERIVED_COMPRESSED, "c.opus");

	vrp_derived_asset_list *page = NULL;
	assert_ok(vrp_derived_asset_repo_list_stale(db, "vrp-waveform", "2", 0, 2, &page));
	assert_int_equal(page->count, 2);
	assert_string_equal(page->items[0]->path, "w.png");
	assert_string_equal(page->items[1]->path, "s.png");
	int64_t cursor = page->items[1]->id;
	vrp_derived_asset_list_free(page);

	assert_ok(vrp_derived_asset_repo_list_stale(db, "vrp-waveform", "2", cursor, 2, &page));
	assert_int_equal(page->count, 1);
	assert_string_equal(page->items[0]->path, "c.opus");
	vrp_derived_asset_list_free(page);
}

static void test_list_stale_rejects_invalid_arguments(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_derived_asset_list *list = NULL;
	assert_int_equal(vrp_derived_asset_repo_list_stale(db, NULL, "1", 0, 0, &list), VRP_EINVAL);
	assert_int_equal(vrp_derived_asset_repo_list_stale(db, "g", "", 0, 0, &list), VRP_EINVAL);
	assert_int_equal(vrp_derived_asset_repo_list_stale(db, "g", "1", 0, -1, &list), VRP_EINVAL);
	assert_int_equal(vrp_derived_asset_repo_list_stale(db, "g", "1", -5, 0, &list), VRP_EINVAL);
	assert_null(list);
}

static void test_list_paths_gives_the_files_to_delete(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = insert_recording(db, 1, CHECKSUM_A);
	int64_t other = insert_recording(db, 2, CHECKSUM_B);
	upsert_ok(db, rec, VRP_DERIVED_TRANSCRIPT, "derived/1/t.txt");
	upsert_ok(db, rec, VRP_DERIVED_WAVEFORM, "derived/1/w.png");
	upsert_ok(db, other, VRP_DERIVED_WAVEFORM, "derived/2/w.png");

	char **paths = NULL;
	size_t count = 0;
	assert_ok(vrp_derived_asset_repo_list_paths_for_recording(db, rec, &paths, &count));
	assert_int_equal(count, 2);
	assert_string_equal(paths[0], "derived/1/w.png");
	assert_string_equal(paths[1], "derived/1/t.txt");
	assert_null(paths[2]);
	vrp_derived_asset_repo_paths_free(paths);
}

static void test_list_paths_without_assets_is_an_empty_array(void **state)
{
	vrp_db *db = test_fixture_db(state);
	char **paths = NULL;
	assert_ok(vrp_derived_asset_repo_list_paths_for_recording(db, 3, &paths, NULL));
	assert_non_null(paths);
	assert_null(paths[0]);
	vrp_derived_asset_repo_paths_free(paths);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_strings_round_trip),
		cmocka_unit_test(test_kind_from_unknown_text_is_invalid),
		cmocka_unit_test(test_kind_outside_the_enum_has_no_name),
		cmocka_unit_test(test_free_functions_accept_null),
		DB_TEST(test_upsert_returns_and_stores_every_field),
		DB_TEST(test_upsert_keeps_a_null_mime_type),
		DB_TEST(test_upsert_twice_replaces_the_previous_asset),
		DB_TEST(test_upsert_for_a_missing_recording_is_not_found),
		DB_TEST(test_upsert_with_another_assets_path_already_exists),
		DB_TEST(test_upsert_rejects_an_invalid_spec),
		DB_TEST(test_get_of_a_missing_asset_is_not_found),
		DB_TEST(test_get_of_an_unknown_kind_is_invalid),
		DB_TEST(test_list_for_recording_gives_its_assets_in_kind_order),
		DB_TEST(test_list_for_recording_without_assets_is_empty),
		DB_TEST(test_delete_removes_only_that_kind),
		DB_TEST(test_delete_of_a_missing_asset_is_not_found),
		DB_TEST(test_delete_for_recording_removes_all_of_its_assets),
		DB_TEST(test_list_stale_finds_assets_of_changed_audio),
		DB_TEST(test_list_stale_finds_assets_of_an_older_generator_version),
		DB_TEST(test_list_stale_ignores_other_generators),
		DB_TEST(test_list_stale_pages_by_id_with_a_limit),
		DB_TEST(test_list_stale_rejects_invalid_arguments),
		DB_TEST(test_list_paths_gives_the_files_to_delete),
		DB_TEST(test_list_paths_without_assets_is_an_empty_array),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
