/* test_recording_search.c - full-text search: ranking, snippets, query safety, visibility. */
#include "recording_fixture.h"

#include <stdlib.h>
#include <string.h>

static void test_a_title_match_ranks_above_a_description_only_match(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t in_description = fixture_insert(
		db, 1, "Weekly call", "we went through the budget line by line and agreed");
	int64_t in_title = fixture_insert(db, 2, "Budget review", "numbers");
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "budget", NULL, &r));
	assert_int_equal(r->count, 2);
	assert_int_equal(r->items[0]->recording_id, in_title);
	assert_int_equal(r->items[1]->recording_id, in_description);
	assert_true(r->items[0]->rank < r->items[1]->rank);
	vrp_search_results_free(r);
}

static void test_snippet_wraps_matches_in_the_callers_markers(void **state)
{
	vrp_db *db = test_fixture_db(state);
	fixture_insert(db, 1, "Budget review", NULL);
	vrp_search_options o = { .highlight_open = "<b>", .highlight_close = "</b>" };
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "budget", &o, &r));
	assert_int_equal(r->count, 1);
	assert_string_equal(r->items[0]->snippet, "<b>Budget</b> review");
	vrp_search_results_free(r);
}

static void test_default_markers_are_brackets(void **state)
{
	vrp_db *db = test_fixture_db(state);
	fixture_insert(db, 1, "Quarterly budget review", NULL);
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "budg", NULL, &r));
	assert_int_equal(r->count, 1);
	assert_string_equal(r->items[0]->snippet, "Quarterly [budget] review");
	vrp_search_results_free(r);
}

static void test_fts_syntax_in_the_query_is_taken_literally(void **state)
{
	vrp_db *db = test_fixture_db(state);
	fixture_insert(db, 1, "Budget review", "near the end and after");
	static const char *const queries[] = {
		"\"",
		"\"budget",
		"budget\"",
		"-budget",
		"budget*",
		"*",
		"NEAR(budget",
		"NEAR(",
		"AND",
		"budget AND",
		"OR NOT",
		"title:budget",
		"(",
		")",
		"^budget",
		"'",
		"budget -",
		"\"\" \"\" \"",
		"a\"b\"c",
		"{title}: x",
		"budget NOT x",
		"+",
		"NEAR(near end, 3)",
	};
	for (size_t i = 0; i < sizeof(queries) / sizeof(*queries); i++) {
		vrp_search_results *r = NULL;
		int rc = vrp_recording_repo_search(db, queries[i], NULL, &r);
		if (rc != 0)
			fail_msg("query '%s' failed: %s", queries[i], vrp_error_last()->message);
		assert_non_null(r);
		vrp_search_results_free(r);
	}
}

static void test_quoted_and_punctuated_words_still_find_their_text(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Budget review", "near the end and after");
	assert_true(fixture_search_finds(db, "\"budget\"", id));
	assert_true(fixture_search_finds(db, "-budget", id));
	assert_true(fixture_search_finds(db, "title:budget", id) == 0); /* "title budget" */
	assert_true(fixture_search_finds(db, "AND", id));               /* the word "and" */
	assert_true(fixture_search_finds(db, "NEAR(near", id) == 0);    /* "near near" */
	assert_true(fixture_search_finds(db, "near end", id));
}

static void test_operators_are_words_not_operators(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Budget review", NULL);
	/* As FTS5 syntax "budget NOT review" would exclude this row and "budget OR
	 * x" would include it; taken as words, both need a word the row lacks. */
	assert_false(fixture_search_finds(db, "budget OR xyz", id));
	assert_false(fixture_search_finds(db, "budget NOT review", id));
}

static void test_punctuation_only_query_matches_nothing_without_error(void **state)
{
	vrp_db *db = test_fixture_db(state);
	fixture_insert(db, 1, "Budget review", NULL);
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "\" - * (", NULL, &r));
	assert_int_equal(r->count, 0);
	vrp_search_results_free(r);
}

static void test_blank_query_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_search_results *r = NULL;
	assert_int_equal(vrp_recording_repo_search(db, "", NULL, &r), VRP_EINVAL);
	assert_int_equal(vrp_recording_repo_search(db, " \t\n", NULL, &r), VRP_EINVAL);
	assert_int_equal(vrp_recording_repo_search(db, NULL, NULL, &r), VRP_EINVAL);
	assert_null(r);
}

static void test_the_last_word_matches_as_a_prefix(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Budget meeting", NULL);
	assert_true(fixture_search_finds(db, "meet", id));
	assert_true(fixture_search_finds(db, "budget meet", id));
	assert_true(fixture_search_finds(db, "BUDG", id));
}

static void test_words_before_the_last_must_match_whole(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Budget meeting", NULL);
	assert_false(fixture_search_finds(db, "meet budget", id));
}

static void test_every_word_must_match(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t both = fixture_insert(db, 1, "Budget meeting", NULL);
	int64_t one = fixture_insert(db, 2, "Budget", NULL);
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "budget meeting", NULL, &r));
	assert_int_equal(r->count, 1);
	assert_int_equal(r->items[0]->recording_id, both);
	assert_false(fixture_hits_contain(r, one));
	vrp_search_results_free(r);
}

static void test_diacritics_are_ignored(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Caf\xc3\xa9 interview", NULL);
	assert_true(fixture_search_finds(db, "cafe", id));
	assert_true(fixture_search_finds(db, "caf\xc3\xa9", id));
}

static void test_deleted_recordings_are_found_only_when_asked(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Budget review", NULL);
	int64_t archived = fixture_insert(db, 2, "Budget archive", NULL);
	assert_ok(vrp_recording_repo_set_status(db, id, VRP_RECORDING_DELETED));
	assert_ok(vrp_recording_repo_set_status(db, archived, VRP_RECORDING_ARCHIVED));
	assert_false(fixture_search_finds(db, "budget", id));
	assert_true(fixture_search_finds(db, "budget", archived));
	vrp_search_options o = { .include_deleted = true };
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "budget", &o, &r));
	assert_int_equal(r->count, 2);
	assert_true(fixture_hits_contain(r, id));
	vrp_search_results_free(r);
}

static void test_purged_recordings_leave_the_index(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Budget review", NULL);
	assert_ok(vrp_recording_repo_delete(db, id));
	vrp_search_options o = { .include_deleted = true };
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "budget", &o, &r));
	assert_int_equal(r->count, 0);
	vrp_search_results_free(r);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings_fts"), 0);
}

static void test_edited_text_is_searched_not_the_old_text(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = fixture_insert(db, 1, "Budget review", "old words");
	assert_ok(vrp_recording_repo_update_text(db, id, "Planning", "fresh words"));
	assert_false(fixture_search_finds(db, "budget", id));
	assert_true(fixture_search_finds(db, "planning", id));
	assert_true(fixture_search_finds(db, "fresh", id));
	assert_false(fixture_search_finds(db, "old", id));
}

static void test_limit_and_offset_page_through_hits_in_rank_order(void **state)
{
	vrp_db *db = test_fixture_db(state);
	for (int i = 0; i < 5; i++)
		fixture_insert(db, i + 1, "common", NULL);
	vrp_search_results *all = NULL, *page = NULL;
	assert_ok(vrp_recording_repo_search(db, "common", NULL, &all));
	assert_int_equal(all->count, 5);
	vrp_search_options o = { .limit = 2, .offset = 2 };
	assert_ok(vrp_recording_repo_search(db, "common", &o, &page));
	assert_int_equal(page->count, 2);
	assert_int_equal(page->items[0]->recording_id, all->items[2]->recording_id);
	assert_int_equal(page->items[1]->recording_id, all->items[3]->recording_id);
	vrp_search_results_free(all);
	vrp_search_results_free(page);
}

static void test_a_very_common_word_ranks_only_the_newest_window(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t ids[6];
	for (int i = 0; i < 6; i++)
		ids[i] =
			fixture_insert(db, i + 1, i == 0 ? "common common common" : "common", NULL);
	vrp_search_options o = { .rank_window = 3 };
	vrp_search_results *r = NULL;
	assert_ok(vrp_recording_repo_search(db, "common", &o, &r));
	assert_int_equal(r->count, 3);
	for (int i = 3; i < 6; i++)
		assert_true(fixture_hits_contain(r, ids[i]));
	assert_false(fixture_hits_contain(r, ids[0]));
	for (size_t i = 0; i < r->count; i++)
		assert_non_null(strstr(r->items[i]->snippet, "[common]"));
	vrp_search_results_free(r);
	/* Under the window, everything is ranked: the best match comes first. */
	o.rank_window = 6;
	assert_ok(vrp_recording_repo_search(db, "common", &o, &r));
	assert_int_equal(r->count, 6);
	assert_int_equal(r->items[0]->recording_id, ids[0]);
	vrp_search_results_free(r);
}

static void test_negative_limit_or_offset_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_search_results *r = NULL;
	vrp_search_options o = { .limit = -1 };
	assert_int_equal(vrp_recording_repo_search(db, "x", &o, &r), VRP_EINVAL);
	o = (vrp_search_options){ .offset = -1 };
	assert_int_equal(vrp_recording_repo_search(db, "x", &o, &r), VRP_EINVAL);
	o = (vrp_search_options){ .rank_window = -1 };
	assert_int_equal(vrp_recording_repo_search(db, "x", &o, &r), VRP_EINVAL);
	assert_null(r);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_a_title_match_ranks_above_a_description_only_match),
		DB_TEST(test_snippet_wraps_matches_in_the_callers_markers),
		DB_TEST(test_default_markers_are_brackets),
		DB_TEST(test_fts_syntax_in_the_query_is_taken_literally),
		DB_TEST(test_quoted_and_punctuated_words_still_find_their_text),
		DB_TEST(test_operators_are_words_not_operators),
		DB_TEST(test_punctuation_only_query_matches_nothing_without_error),
		DB_TEST(test_blank_query_is_einval),
		DB_TEST(test_the_last_word_matches_as_a_prefix),
		DB_TEST(test_words_before_the_last_must_match_whole),
		DB_TEST(test_every_word_must_match),
		DB_TEST(test_diacritics_are_ignored),
		DB_TEST(test_deleted_recordings_are_found_only_when_asked),
		DB_TEST(test_purged_recordings_leave_the_index),
		DB_TEST(test_edited_text_is_searched_not_the_old_text),
		DB_TEST(test_limit_and_offset_page_through_hits_in_rank_order),
		DB_TEST(test_a_very_common_word_ranks_only_the_newest_window),
		DB_TEST(test_negative_limit_or_offset_is_einval),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
