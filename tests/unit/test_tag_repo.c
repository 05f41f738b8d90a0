/* test_tag_repo.c - tags: naming rules, tagging, listing, renaming, clean-up, search index. */
#include "recording_fixture.h"

#include <stdlib.h>
#include <string.h>

#define OLD_TIME "2020-01-01T00:00:00.000Z"

static int64_t insert_old(vrp_db *db, int n, const char *title)
{
	vrp_recording *rec = fixture_recording(n, title, NULL);
	rec->created_at = strdup(OLD_TIME);
	rec->modified_at = strdup(OLD_TIME);
	assert_ok(vrp_recording_repo_insert(db, rec));
	int64_t id = rec->id;
	vrp_recording_free(rec);
	return id;
}

static int modified_is_old(vrp_db *db, int64_t id)
{
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	int old = strcmp(got->modified_at, OLD_TIME) == 0;
	vrp_recording_free(got);
	return old;
}

static void test_ensure_returns_one_id_per_name_ignoring_case_and_blanks(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t a = 0, b = 0, c = 0, other = 0;
	assert_ok(vrp_tag_repo_ensure(db, "Work", &a));
	assert_ok(vrp_tag_repo_ensure(db, "work", &b));
	assert_ok(vrp_tag_repo_ensure(db, "  WORK\t", &c));
	assert_ok(vrp_tag_repo_ensure(db, "home", &other));
	assert_true(a > 0);
	assert_int_equal(a, b);
	assert_int_equal(a, c);
	assert_int_not_equal(a, other);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 2);
}

static void test_case_is_folded_beyond_ascii(void **state)
{
	vrp_db *db = test_fixture_db(state);
	static const char *const pairs[][2] = {
		{ "Äpfel", "äpfel" },
		{ "ÉCOLE", "école" },
		{ "ΣΟΦΊΑ", "σοφία" },
		{ "Москва", "МОСКВА" },
	};
	for (size_t i = 0; i < sizeof(pairs) / sizeof(*pairs); i++) {
		int64_t a = 0, b = 0;
		assert_ok(vrp_tag_repo_ensure(db, pairs[i][0], &a));
		assert_ok(vrp_tag_repo_ensure(db, pairs[i][1], &b));
		assert_int_equal(a, b);
	}
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 4);
	/* Folding is of case only: accents still make another tag. */
	int64_t e = 0, plain = 0;
	assert_ok(vrp_tag_repo_ensure(db, "école", &e));
	assert_ok(vrp_tag_repo_ensure(db, "ecole", &plain));
	assert_int_not_equal(e, plain);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "ÄPFEL"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "äpfel"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 1);
	assert_ok(vrp_tag_repo_remove_from_recording(db, id, "äPFEL"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 0);
	assert_int_equal(vrp_tag_repo_rename(db, "ecole", "ÉCOLE"), VRP_EEXISTS);
}

static void test_ensure_keeps_the_first_spelling_trimmed(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = 0;
	assert_ok(vrp_tag_repo_ensure(db, "  Field Notes ", &id));
	assert_ok(vrp_tag_repo_ensure(db, "field notes", &id));
	vrp_tag_list *list = NULL;
	assert_ok(vrp_tag_repo_list_all(db, &list));
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0]->name, "Field Notes");
	vrp_tag_list_free(list);
}

static void test_ensure_rejects_empty_and_blank_names(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = 0;
	assert_int_equal(vrp_tag_repo_ensure(db, "", &id), VRP_EINVAL);
	assert_int_equal(vrp_tag_repo_ensure(db, " \t ", &id), VRP_EINVAL);
	assert_int_equal(vrp_tag_repo_ensure(db, NULL, &id), VRP_EINVAL);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 0);
}

static void test_adding_a_tag_twice_links_it_once(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "work"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, " Work "));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 1);
}

static void test_adding_a_tag_bumps_modified_at_only_when_it_changes_something(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_old(db, 1, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "work"));
	assert_false(modified_is_old(db, id));
	test_exec(db, "UPDATE recordings SET modified_at = '" OLD_TIME "'");
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "work"));
	assert_true(modified_is_old(db, id));
}

static void test_adding_to_an_unknown_recording_is_enotfound_and_creates_no_tag(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_tag_repo_add_to_recording(db, 77, "work"), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "77"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 0);
}

static void test_adding_a_blank_tag_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_int_equal(vrp_tag_repo_add_to_recording(db, id, "   "), VRP_EINVAL);
}

static void test_removing_a_tag_unlinks_it_but_keeps_the_tag(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_old(db, 1, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "work"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "home"));
	test_exec(db, "UPDATE recordings SET modified_at = '" OLD_TIME "'");
	assert_ok(vrp_tag_repo_remove_from_recording(db, id, "WORK"));
	assert_false(modified_is_old(db, id));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_int_equal(got->tag_count, 1);
	assert_string_equal(got->tags[0], "home");
	vrp_recording_free(got);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 2);
}

static void test_removing_a_tag_the_recording_lacks_is_a_no_op(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_old(db, 1, NULL);
	int64_t other = fixture_insert(db, 2, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, other, "work"));
	assert_ok(vrp_tag_repo_remove_from_recording(db, id, "work"));
	assert_ok(vrp_tag_repo_remove_from_recording(db, id, "no-such-tag"));
	assert_true(modified_is_old(db, id));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_tags"), 1);
}

static void test_removing_from_an_unknown_recording_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_tag_repo_remove_from_recording(db, 5, "work"), VRP_ENOTFOUND);
}

static void test_list_for_recording_is_sorted_ignoring_case(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	int64_t other = fixture_insert(db, 2, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "zoo"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "Beta"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "alpha"));
	assert_ok(vrp_tag_repo_add_to_recording(db, other, "alpha"));
	assert_ok(vrp_tag_repo_add_to_recording(db, other, "unrelated"));
	vrp_tag_list *list = NULL;
	assert_ok(vrp_tag_repo_list_for_recording(db, id, &list));
	assert_int_equal(list->count, 3);
	assert_string_equal(list->items[0]->name, "alpha");
	assert_int_equal(list->items[0]->recording_count, 2);
	assert_string_equal(list->items[1]->name, "Beta");
	assert_string_equal(list->items[2]->name, "zoo");
	assert_int_equal(list->items[2]->recording_count, 1);
	vrp_tag_list_free(list);
}

static void test_list_for_an_untagged_recording_is_empty(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	vrp_tag_list *list = NULL;
	assert_ok(vrp_tag_repo_list_for_recording(db, id, &list));
	assert_int_equal(list->count, 0);
	vrp_tag_list_free(list);
}

static void test_list_for_an_unknown_recording_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_tag_list *list = NULL;
	assert_int_equal(vrp_tag_repo_list_for_recording(db, 9, &list), VRP_ENOTFOUND);
	assert_null(list);
}

static void test_list_all_counts_every_carrier_including_deleted(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t a = fixture_insert(db, 1, NULL, NULL);
	int64_t b = fixture_insert(db, 2, NULL, NULL);
	int64_t id = 0;
	assert_ok(vrp_tag_repo_add_to_recording(db, a, "work"));
	assert_ok(vrp_tag_repo_add_to_recording(db, b, "work"));
	assert_ok(vrp_tag_repo_add_to_recording(db, b, "Home"));
	assert_ok(vrp_tag_repo_ensure(db, "idle", &id));
	assert_ok(vrp_recording_repo_set_status(db, b, VRP_RECORDING_DELETED));
	vrp_tag_list *list = NULL;
	assert_ok(vrp_tag_repo_list_all(db, &list));
	assert_int_equal(list->count, 3);
	assert_string_equal(list->items[0]->name, "Home");
	assert_int_equal(list->items[0]->recording_count, 1);
	assert_string_equal(list->items[1]->name, "idle");
	assert_int_equal(list->items[1]->recording_count, 0);
	assert_int_equal(list->items[1]->id, id);
	assert_string_equal(list->items[2]->name, "work");
	assert_int_equal(list->items[2]->recording_count, 2);
	vrp_tag_list_free(list);
}

static void test_rename_changes_the_name_everywhere(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "wrk"));
	assert_ok(vrp_tag_repo_rename(db, "WRK", " work "));
	vrp_recording *got = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db, id, &got));
	assert_int_equal(got->tag_count, 1);
	assert_string_equal(got->tags[0], "work");
	vrp_recording_free(got);
}

static void test_rename_may_change_only_the_case(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = 0;
	assert_ok(vrp_tag_repo_ensure(db, "work", &id));
	assert_ok(vrp_tag_repo_rename(db, "work", "Work"));
	vrp_tag_list *list = NULL;
	assert_ok(vrp_tag_repo_list_all(db, &list));
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0]->name, "Work");
	assert_int_equal(list->items[0]->id, id);
	vrp_tag_list_free(list);
}

static void test_rename_onto_another_tag_is_eexists(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = 0;
	assert_ok(vrp_tag_repo_ensure(db, "work", &id));
	assert_ok(vrp_tag_repo_ensure(db, "job", &id));
	assert_int_equal(vrp_tag_repo_rename(db, "job", "WORK"), VRP_EEXISTS);
	assert_non_null(strstr(vrp_error_last()->message, "WORK"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags WHERE name = 'job'"), 1);
}

static void test_rename_of_an_unknown_tag_is_enotfound_and_blank_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = 0;
	assert_int_equal(vrp_tag_repo_rename(db, "ghost", "spirit"), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "ghost"));
	assert_ok(vrp_tag_repo_ensure(db, "work", &id));
	assert_int_equal(vrp_tag_repo_rename(db, "work", "  "), VRP_EINVAL);
}

static void test_delete_unused_removes_only_tags_nobody_carries(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t a = fixture_insert(db, 1, NULL, NULL);
	int64_t b = fixture_insert(db, 2, NULL, NULL);
	int64_t id = 0;
	assert_ok(vrp_tag_repo_add_to_recording(db, a, "kept"));
	assert_ok(vrp_tag_repo_add_to_recording(db, b, "on-deleted"));
	assert_ok(vrp_recording_repo_set_status(db, b, VRP_RECORDING_DELETED));
	assert_ok(vrp_tag_repo_add_to_recording(db, a, "removed"));
	assert_ok(vrp_tag_repo_remove_from_recording(db, a, "removed"));
	assert_ok(vrp_tag_repo_ensure(db, "never-used", &id));
	int64_t deleted = -1;
	assert_ok(vrp_tag_repo_delete_unused(db, &deleted));
	assert_int_equal(deleted, 2);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM tags"), 2);
	assert_ok(vrp_tag_repo_delete_unused(db, &deleted));
	assert_int_equal(deleted, 0);
	assert_ok(vrp_tag_repo_delete_unused(db, NULL));
}

static void test_purging_a_recording_frees_its_tags_for_collection(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t a = fixture_insert(db, 1, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, a, "solo"));
	assert_ok(vrp_recording_repo_delete(db, a));
	int64_t deleted = 0;
	assert_ok(vrp_tag_repo_delete_unused(db, &deleted));
	assert_int_equal(deleted, 1);
}

static void test_search_finds_a_recording_by_a_tag_once_added(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Untitled", NULL);
	assert_false(fixture_search_finds(db, "interview", id));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "Interview"));
	assert_true(fixture_search_finds(db, "interview", id));
}

static void test_search_no_longer_finds_a_removed_tag(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Untitled", NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "interview"));
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "press"));
	assert_ok(vrp_tag_repo_remove_from_recording(db, id, "interview"));
	assert_false(fixture_search_finds(db, "interview", id));
	assert_true(fixture_search_finds(db, "press", id));
}

static void test_search_follows_a_renamed_tag(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Untitled", NULL);
	int64_t other = fixture_insert(db, 2, "Other", NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db, id, "intrview"));
	assert_ok(vrp_tag_repo_add_to_recording(db, other, "intrview"));
	assert_ok(vrp_tag_repo_rename(db, "intrview", "interview"));
	assert_true(fixture_search_finds(db, "interview", id));
	assert_true(fixture_search_finds(db, "interview", other));
	assert_false(fixture_search_finds(db, "intrview", id));
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_ensure_returns_one_id_per_name_ignoring_case_and_blanks),
		DB_TEST(test_case_is_folded_beyond_ascii),
		DB_TEST(test_ensure_keeps_the_first_spelling_trimmed),
		DB_TEST(test_ensure_rejects_empty_and_blank_names),
		DB_TEST(test_adding_a_tag_twice_links_it_once),
		DB_TEST(test_adding_a_tag_bumps_modified_at_only_when_it_changes_something),
		DB_TEST(test_adding_to_an_unknown_recording_is_enotfound_and_creates_no_tag),
		DB_TEST(test_adding_a_blank_tag_is_einval),
		DB_TEST(test_removing_a_tag_unlinks_it_but_keeps_the_tag),
		DB_TEST(test_removing_a_tag_the_recording_lacks_is_a_no_op),
		DB_TEST(test_removing_from_an_unknown_recording_is_enotfound),
		DB_TEST(test_list_for_recording_is_sorted_ignoring_case),
		DB_TEST(test_list_for_an_untagged_recording_is_empty),
		DB_TEST(test_list_for_an_unknown_recording_is_enotfound),
		DB_TEST(test_list_all_counts_every_carrier_including_deleted),
		DB_TEST(test_rename_changes_the_name_everywhere),
		DB_TEST(test_rename_may_change_only_the_case),
		DB_TEST(test_rename_onto_another_tag_is_eexists),
		DB_TEST(test_rename_of_an_unknown_tag_is_enotfound_and_blank_is_einval),
		DB_TEST(test_delete_unused_removes_only_tags_nobody_carries),
		DB_TEST(test_purging_a_recording_frees_its_tags_for_collection),
		DB_TEST(test_search_finds_a_recording_by_a_tag_once_added),
		DB_TEST(test_search_no_longer_finds_a_removed_tag),
		DB_TEST(test_search_follows_a_renamed_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
