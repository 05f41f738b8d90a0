/* test_recording_repo.c - inserting, reading, editing and removing single recordings. */
#include "recording_fixture.h"

#include <stdlib.h>
#include <string.h>

#define OLD_TIME "2020-01-01T00:00:00.000Z"

static void test_insert_fills_id_and_defaults(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	assert_ok(vrp_recording_repo_insert(db, rec));
	assert_true(rec->id > 0);
	assert_int_equal(strlen(rec->uuid), 36);
	assert_non_null(rec->created_at);
	assert_int_equal(strlen(rec->created_at), 24);
	assert_string_equal(rec->created_at, rec->modified_at);
	assert_string_equal(rec->title, "");
	assert_string_equal(rec->description, "");
	assert_string_equal(rec->ingest_source, "local");
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 1);
	vrp_recording_free(rec);
}

static void test_insert_keeps_the_callers_timestamps_and_uuid(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, "t", NULL);
	rec->uuid = strdup("01234567-89ab-4def-8123-456789abcdef");
	rec->created_at = strdup(OLD_TIME);
	rec->modified_at = strdup("2021-01-01T00:00:00.000Z");
	assert_ok(vrp_recording_repo_insert(db, rec));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, rec->id, &got));
	assert_string_equal(got->uuid, "01234567-89ab-4def-8123-456789abcdef");
	assert_string_equal(got->created_at, OLD_TIME);
	assert_string_equal(got->modified_at, "2021-01-01T00:00:00.000Z");
	vrp_recording_free(got);
	vrp_recording_free(rec);
}

static vrp_recording *full_recording(void)
{
	vrp_recording *rec = fixture_recording(7, "Interview", "With the mayor");
	rec->duration = 125.25;
	rec->filesize_bytes = 5000000000LL;
	rec->codec = strdup("aac");
	rec->sample_rate = 48000;
	rec->channels = 2;
	rec->bit_depth = 24;
	rec->status = VRP_RECORDING_ARCHIVED;
	rec->retention_policy = strdup("keep-1y");
	rec->ingest_source = strdup("cloud:drive");
	rec->created_by_app_version = strdup("0.1.0");
	rec->integrity = VRP_INTEGRITY_CORRUPT;
	rec->verified_at = strdup("2026-02-02T02:02:02.002Z");
	return rec;
}

static void test_get_by_id_reads_back_every_field(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = full_recording();
	assert_ok(vrp_recording_repo_insert(db, rec));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, rec->id, &got));
	assert_int_equal(got->id, rec->id);
	assert_string_equal(got->uuid, rec->uuid);
	assert_string_equal(got->original_filename, "voice memo 7.m4a");
	assert_string_equal(got->stored_filename, "stored-7.m4a");
	assert_string_equal(got->local_path, "recordings/raw/stored-7.m4a");
	assert_string_equal(got->title, "Interview");
	assert_string_equal(got->description, "With the mayor");
	assert_true(got->duration == 125.25);
	assert_int_equal(got->filesize_bytes, 5000000000LL);
	assert_string_equal(got->mime_type, "audio/mp4");
	assert_string_equal(got->codec, "aac");
	assert_int_equal(got->sample_rate, 48000);
	assert_int_equal(got->channels, 2);
	assert_int_equal(got->bit_depth, 24);
	assert_string_equal(got->checksum, rec->checksum);
	assert_int_equal(got->status, VRP_RECORDING_ARCHIVED);
	assert_null(got->deleted_at);
	assert_string_equal(got->retention_policy, "keep-1y");
	assert_string_equal(got->ingest_source, "cloud:drive");
	assert_string_equal(got->created_by_app_version, "0.1.0");
	assert_string_equal(got->created_at, rec->created_at);
	assert_string_equal(got->modified_at, rec->modified_at);
	assert_int_equal(got->integrity, VRP_INTEGRITY_CORRUPT);
	assert_string_equal(got->verified_at, "2026-02-02T02:02:02.002Z");
	assert_int_equal(got->tag_count, 0);
	vrp_recording_free(got);
	vrp_recording_free(rec);
}

static void test_non_utf8_original_filename_round_trips_byte_for_byte(void **state)
{
	vrp_db *db = test_fixture_db(state);
	static const char name[] = "\xff\xfe name\x80\xc3(.wav";
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	free(rec->original_filename);
	rec->original_filename = strdup(name);
	assert_ok(vrp_recording_repo_insert(db, rec));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, rec->id, &got));
	assert_int_equal(strlen(got->original_filename), sizeof(name) - 1);
	assert_memory_equal(got->original_filename, name, sizeof(name));
	assert_int_equal(test_query_int(db, "SELECT typeof(original_filename) = 'blob' FROM "
					    "recordings"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT length(original_filename) FROM recordings"),
			 sizeof(name) - 1);
	vrp_recording_free(got);
	vrp_recording_free(rec);
}

static void test_unknown_audio_properties_are_stored_as_null_and_read_as_zero(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_int_equal(test_query_int(db, "SELECT sample_rate IS NULL AND channels IS NULL AND "
					    "bit_depth IS NULL AND codec IS NULL FROM recordings"),
			 1);
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_int_equal(got->sample_rate, 0);
	assert_int_equal(got->channels, 0);
	assert_int_equal(got->bit_depth, 0);
	assert_null(got->codec);
	vrp_recording_free(got);
}

static void test_insert_with_a_known_checksum_is_eexists(void **state)
{
	vrp_db *db = test_fixture_db(state);
	fixture_insert(db, 1, NULL, NULL);
	vrp_recording *first = fixture_recording(1, NULL, NULL);
	vrp_recording *dup = fixture_recording(2, NULL, NULL);
	free(dup->checksum);
	dup->checksum = strdup(first->checksum);
	vrp_recording_free(first);
	assert_int_equal(vrp_recording_repo_insert(db, dup), VRP_EEXISTS);
	assert_non_null(strstr(vrp_error_last()->message, "checksum"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 1);
	vrp_recording_free(dup);
}

static void test_insert_without_a_required_field_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	free(rec->mime_type);
	rec->mime_type = NULL;
	assert_int_equal(vrp_recording_repo_insert(db, rec), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "mime_type"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 0);
	vrp_recording_free(rec);
}

static void test_insert_with_an_unknown_status_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	rec->status = (enum vrp_recording_status)9;
	assert_int_equal(vrp_recording_repo_insert(db, rec), VRP_EINVAL);
	vrp_recording_free(rec);
}

static void test_insert_with_a_negative_size_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	rec->filesize_bytes = -1;
	assert_int_equal(vrp_recording_repo_insert(db, rec), VRP_EINVAL);
	vrp_recording_free(rec);
}

static void test_insert_deleted_sets_deleted_at(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	rec->status = VRP_RECORDING_DELETED;
	assert_ok(vrp_recording_repo_insert(db, rec));
	assert_non_null(rec->deleted_at);
	assert_int_equal(test_query_int(db, "SELECT deleted_at IS NOT NULL FROM recordings"), 1);
	vrp_recording_free(rec);
}

static void test_insert_active_with_deleted_at_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	rec->deleted_at = strdup(OLD_TIME);
	assert_int_equal(vrp_recording_repo_insert(db, rec), VRP_EINVAL);
	vrp_recording_free(rec);
}

static void test_get_by_uuid_and_checksum_find_the_recording(void **state)
{
	vrp_db *db = test_fixture_db(state);
	fixture_insert(db, 1, "one", NULL);
	vrp_recording *rec = fixture_recording(2, "two", NULL);
	assert_ok(vrp_recording_repo_insert(db, rec));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_uuid(db, rec->uuid, &got));
	assert_int_equal(got->id, rec->id);
	vrp_recording_free(got);
	assert_ok(vrp_recording_repo_get_by_checksum(db, rec->checksum, &got));
	assert_int_equal(got->id, rec->id);
	assert_string_equal(got->title, "two");
	vrp_recording_free(got);
	vrp_recording_free(rec);
}

static void test_get_of_a_missing_recording_is_enotfound_naming_the_key(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *got = (vrp_recording *)1;
	assert_int_equal(vrp_recording_repo_get_by_id(db, 42, &got), VRP_ENOTFOUND);
	assert_null(got);
	assert_non_null(strstr(vrp_error_last()->message, "42"));
	assert_int_equal(vrp_recording_repo_get_by_uuid(db, "no-such-uuid", &got), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "no-such-uuid"));
	assert_int_equal(vrp_recording_repo_get_by_checksum(db, "abc", &got), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "checksum abc"));
	assert_null(got);
}

static void test_get_loads_tags_sorted_ignoring_case(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "zeta"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "Alpha"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "beta"));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_int_equal(got->tag_count, 3);
	assert_string_equal(got->tags[0], "Alpha");
	assert_string_equal(got->tags[1], "beta");
	assert_string_equal(got->tags[2], "zeta");
	vrp_recording_free(got);
}

static int64_t insert_old(vrp_db *db, int n, const char *title, const char *description)
{
	vrp_recording *rec = fixture_recording(n, title, description);
	rec->created_at = strdup(OLD_TIME);
	rec->modified_at = strdup(OLD_TIME);
	assert_ok(vrp_recording_repo_insert(db, rec));
	int64_t id = rec->id;
	vrp_recording_free(rec);
	return id;
}

static void test_update_text_changes_only_the_given_field_and_bumps_modified_at(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_old(db, 1, "old title", "kept description");
	assert_ok(vrp_recording_repo_update_text(db, id, "new title", NULL));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_string_equal(got->title, "new title");
	assert_string_equal(got->description, "kept description");
	assert_true(strcmp(got->modified_at, OLD_TIME) > 0);
	assert_string_equal(got->created_at, OLD_TIME);
	vrp_recording_free(got);
	assert_ok(vrp_recording_repo_update_text(db, id, NULL, ""));
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_string_equal(got->title, "new title");
	assert_string_equal(got->description, "");
	vrp_recording_free(got);
}

static void test_update_text_with_nothing_to_change_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_int_equal(vrp_recording_repo_update_text(db, id, NULL, NULL), VRP_EINVAL);
}

static void test_update_text_of_a_missing_recording_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_recording_repo_update_text(db, 99, "t", NULL), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "99"));
}

static char *deleted_at_of(vrp_db *db, int64_t id)
{
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	char *value = got->deleted_at ? strdup(got->deleted_at) : NULL;
	vrp_recording_free(got);
	return value;
}

static void test_set_status_deleted_sets_deleted_at_and_restore_clears_it(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_old(db, 1, NULL, NULL);
	assert_ok(vrp_recording_repo_set_status(db, id, VRP_RECORDING_DELETED));
	char *deleted_at = deleted_at_of(db, id);
	assert_non_null(deleted_at);
	assert_true(strcmp(deleted_at, OLD_TIME) > 0);
	free(deleted_at);
	assert_int_equal(test_query_int(db, "SELECT status = 'deleted' AND modified_at > "
					    "'2020-01-01T00:00:00.000Z' FROM recordings"),
			 1);
	assert_ok(vrp_recording_repo_set_status(db, id, VRP_RECORDING_ACTIVE));
	assert_null(deleted_at_of(db, id));
	assert_ok(vrp_recording_repo_set_status(db, id, VRP_RECORDING_ARCHIVED));
	assert_int_equal(test_query_int(db, "SELECT status = 'archived' AND deleted_at IS NULL "
					    "FROM recordings"),
			 1);
}

static void test_deleting_again_keeps_the_first_deleted_at(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording *rec = fixture_recording(1, NULL, NULL);
	rec->status = VRP_RECORDING_DELETED;
	rec->deleted_at = strdup(OLD_TIME);
	assert_ok(vrp_recording_repo_insert(db, rec));
	assert_ok(vrp_recording_repo_set_status(db, rec->id, VRP_RECORDING_DELETED));
	char *deleted_at = deleted_at_of(db, rec->id);
	assert_string_equal(deleted_at, OLD_TIME);
	free(deleted_at);
	vrp_recording_free(rec);
}

static void test_set_status_rejects_unknown_status_and_missing_recording(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_int_equal(vrp_recording_repo_set_status(db, id, (enum vrp_recording_status)3),
			 VRP_EINVAL);
	assert_int_equal(vrp_recording_repo_set_status(db, id + 1, VRP_RECORDING_ARCHIVED),
			 VRP_ENOTFOUND);
}

static void test_set_integrity_records_state_and_time_without_touching_modified_at(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_old(db, 1, NULL, NULL);
	assert_ok(vrp_recording_repo_set_integrity(db, id, VRP_INTEGRITY_MISSING,
						   "2026-03-03T03:03:03.003Z"));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_int_equal(got->integrity, VRP_INTEGRITY_MISSING);
	assert_string_equal(got->verified_at, "2026-03-03T03:03:03.003Z");
	assert_string_equal(got->modified_at, OLD_TIME);
	vrp_recording_free(got);
	assert_ok(vrp_recording_repo_set_integrity(db, id, VRP_INTEGRITY_OK, NULL));
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_int_equal(got->integrity, VRP_INTEGRITY_OK);
	assert_true(strcmp(got->verified_at, "2026-03-03T03:03:03.003Z") != 0);
	vrp_recording_free(got);
}

static void test_set_integrity_rejects_unknown_state_and_missing_recording(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_int_equal(vrp_recording_repo_set_integrity(db, id, (enum vrp_integrity)4, NULL),
			 VRP_EINVAL);
	assert_int_equal(vrp_recording_repo_set_integrity(db, id + 1, VRP_INTEGRITY_OK, NULL),
			 VRP_ENOTFOUND);
}

static void test_delete_removes_the_row_and_its_tag_links(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	int64_t other = fixture_insert(db, 2, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "work"));
	assert_ok(vrp_recording_repo_delete(db, id));
	vrp_recording *got = NULL;
	assert_int_equal(vrp_recording_repo_get_by_id(db, id, &got), VRP_ENOTFOUND);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 0);
	assert_ok(vrp_recording_repo_get_by_id(db, other, &got));
	vrp_recording_free(got);
	assert_int_equal(vrp_recording_repo_delete(db, id), VRP_ENOTFOUND);
}

static void test_list_deleted_before_returns_only_older_deletions_oldest_first(void **state)
{
	vrp_db *db = test_fixture_db(state);
	const char *times[] = { "2026-01-05T00:00:00.000Z", "2026-01-01T00:00:00.000Z",
				"2026-02-01T00:00:00.000Z" };
	int64_t ids[3];
	for (int i = 0; i < 3; i++) {
		vrp_recording *rec = fixture_recording(i + 1, NULL, NULL);
		rec->status = VRP_RECORDING_DELETED;
		rec->deleted_at = strdup(times[i]);
		assert_ok(vrp_recording_repo_insert(db, rec));
		ids[i] = rec->id;
		vrp_recording_free(rec);
	}
	fixture_insert(db, 10, NULL, NULL);
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recording_repo_list_deleted_before(db, "2026-01-31T00:00:00.000Z", &list));
	assert_int_equal(list->count, 2);
	assert_int_equal(list->items[0]->id, ids[1]);
	assert_int_equal(list->items[1]->id, ids[0]);
	assert_int_equal(list->next_cursor, 0);
	vrp_recording_list_free(list);
	assert_int_equal(vrp_recording_repo_list_deleted_before(db, NULL, &list), VRP_EINVAL);
}

static void test_list_ids_by_integrity_returns_matching_ids_ascending(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t a = fixture_insert(db, 1, NULL, NULL);
	int64_t b = fixture_insert(db, 2, NULL, NULL);
	int64_t c = fixture_insert(db, 3, NULL, NULL);
	assert_ok(vrp_recording_repo_set_integrity(db, c, VRP_INTEGRITY_CORRUPT, NULL));
	assert_ok(vrp_recording_repo_set_integrity(db, a, VRP_INTEGRITY_CORRUPT, NULL));
	assert_ok(vrp_recording_repo_set_integrity(db, b, VRP_INTEGRITY_OK, NULL));
	int64_t *ids = NULL;
	size_t count = 0;
	assert_ok(
		vrp_recording_repo_list_ids_by_integrity(db, VRP_INTEGRITY_CORRUPT, &ids, &count));
	assert_int_equal(count, 2);
	assert_int_equal(ids[0], a);
	assert_int_equal(ids[1], c);
	free(ids);
	assert_ok(
		vrp_recording_repo_list_ids_by_integrity(db, VRP_INTEGRITY_MISSING, &ids, &count));
	assert_int_equal(count, 0);
	assert_null(ids);
	assert_int_equal(vrp_recording_repo_list_ids_by_integrity(db, (enum vrp_integrity) - 1,
								  &ids, &count),
			 VRP_EINVAL);
}

static void test_status_and_integrity_names_round_trip(void **state)
{
	(void)state;
	for (int s = VRP_RECORDING_ACTIVE; s <= VRP_RECORDING_DELETED; s++) {
		enum vrp_recording_status back = VRP_RECORDING_ACTIVE;
		assert_ok(vrp_recording_status_from_string(
			vrp_recording_status_to_string((enum vrp_recording_status)s), &back));
		assert_int_equal(back, s);
	}
	for (int i = VRP_INTEGRITY_UNVERIFIED; i <= VRP_INTEGRITY_CORRUPT; i++) {
		enum vrp_integrity back = VRP_INTEGRITY_UNVERIFIED;
		assert_ok(vrp_integrity_from_string(vrp_integrity_to_string((enum vrp_integrity)i),
						    &back));
		assert_int_equal(back, i);
	}
	assert_string_equal(vrp_recording_status_to_string(VRP_RECORDING_ARCHIVED), "archived");
	assert_string_equal(vrp_integrity_to_string(VRP_INTEGRITY_MISSING), "missing");
	assert_null(vrp_recording_status_to_string((enum vrp_recording_status)7));
	assert_null(vrp_integrity_to_string((enum vrp_integrity) - 1));
}

static void test_unknown_names_are_einval(void **state)
{
	(void)state;
	enum vrp_recording_status s = VRP_RECORDING_ACTIVE;
	enum vrp_integrity i = VRP_INTEGRITY_UNVERIFIED;
	assert_int_equal(vrp_recording_status_from_string("Active", &s), VRP_EINVAL);
	assert_int_equal(vrp_recording_status_from_string(NULL, &s), VRP_EINVAL);
	assert_int_equal(vrp_integrity_from_string("fine", &i), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "fine"));
}

static void test_free_functions_accept_null(void **state)
{
	(void)state;
	vrp_recording_free(NULL);
	vrp_recording_list_free(NULL);
	vrp_search_results_free(NULL);
	vrp_tag_list_free(NULL);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_insert_fills_id_and_defaults),
		DB_TEST(test_insert_keeps_the_callers_timestamps_and_uuid),
		DB_TEST(test_get_by_id_reads_back_every_field),
		DB_TEST(test_non_utf8_original_filename_round_trips_byte_for_byte),
		DB_TEST(test_unknown_audio_properties_are_stored_as_null_and_read_as_zero),
		DB_TEST(test_insert_with_a_known_checksum_is_eexists),
		DB_TEST(test_insert_without_a_required_field_is_einval),
		DB_TEST(test_insert_with_an_unknown_status_is_einval),
		DB_TEST(test_insert_with_a_negative_size_is_einval),
		DB_TEST(test_insert_deleted_sets_deleted_at),
		DB_TEST(test_insert_active_with_deleted_at_is_einval),
		DB_TEST(test_get_by_uuid_and_checksum_find_the_recording),
		DB_TEST(test_get_of_a_missing_recording_is_enotfound_naming_the_key),
		DB_TEST(test_get_loads_tags_sorted_ignoring_case),
		DB_TEST(test_update_text_changes_only_the_given_field_and_bumps_modified_at),
		DB_TEST(test_update_text_with_nothing_to_change_is_einval),
		DB_TEST(test_update_text_of_a_missing_recording_is_enotfound),
		DB_TEST(test_set_status_deleted_sets_deleted_at_and_restore_clears_it),
		DB_TEST(test_deleting_again_keeps_the_first_deleted_at),
		DB_TEST(test_set_status_rejects_unknown_status_and_missing_recording),
		DB_TEST(test_set_integrity_records_state_and_time_without_touching_modified_at),
		DB_TEST(test_set_integrity_rejects_unknown_state_and_missing_recording),
		DB_TEST(test_delete_removes_the_row_and_its_tag_links),
		DB_TEST(test_list_deleted_before_returns_only_older_deletions_oldest_first),
		DB_TEST(test_list_ids_by_integrity_returns_matching_ids_ascending),
		cmocka_unit_test(test_status_and_integrity_names_round_trip),
		cmocka_unit_test(test_unknown_names_are_einval),
		cmocka_unit_test(test_free_functions_accept_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
