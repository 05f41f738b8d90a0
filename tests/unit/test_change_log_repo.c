/* test_change_log_repo.c - change_log: every change to a recording, in commit order. */
#include "recording_fixture.h"

#include "db/change_log_repo.h"
#include "db/db_internal.h"

static void assert_change(const struct vrp_change *c, int64_t id, const char *action)
{
	assert_int_equal(c->recording_id, id);
	assert_string_equal(c->action, action);
}

static void test_inserts_edits_tags_and_deletes_are_logged_in_order(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t last = -1;
	assert_ok(vrp_change_log_repo_last(db, &last));
	assert_int_equal(last, 0);
	int64_t a = fixture_insert(db, 1, "Standup", NULL);
	int64_t b = fixture_insert(db, 2, "Lecture", NULL);
	assert_ok(vrp_recording_repo_update_text(db, a, "Standup, Monday", NULL));
	assert_ok(vrp_tag_repo_add_to_recording(db, b, "school"));
	assert_ok(vrp_recording_repo_delete(db, a));

	struct vrp_change c[16];
	size_t n = 0;
	int64_t oldest = 0;
	assert_ok(vrp_change_log_repo_after(db, 0, c, 16, &n, &oldest));
	assert_true(n >= 5);
	assert_change(&c[0], a, "created");
	assert_change(&c[1], b, "created");
	assert_change(&c[2], a, "updated");
	assert_change(&c[3], b, "updated");
	assert_change(&c[n - 1], a, "purged");
	for (size_t i = 1; i < n; i++)
		assert_true(c[i].seq > c[i - 1].seq);
	assert_int_equal(oldest, c[0].seq);
	/* After the newest there is nothing; a cursor in the middle gives the rest. */
	assert_ok(vrp_change_log_repo_last(db, &last));
	assert_int_equal(last, c[n - 1].seq);
	size_t rest = 0;
	assert_ok(vrp_change_log_repo_after(db, last, c, 16, &rest, &oldest));
	assert_int_equal(rest, 0);
	assert_ok(vrp_change_log_repo_after(db, c[1].seq, c, 2, &rest, &oldest));
	assert_int_equal(rest, 2);
	assert_change(&c[0], a, "updated");
}

static void test_only_the_newest_ten_thousand_are_kept(void **state)
{
	vrp_db *db = test_fixture_db(state);
	test_exec(db, "BEGIN");
	for (int i = 0; i < 10050; i++)
		fixture_insert(db, 100 + i, NULL, NULL);
	test_exec(db, "COMMIT");
	assert_true(test_query_int(db, "SELECT count(*) FROM change_log") <= 10001);
	int64_t last = 0, oldest = 0;
	size_t n = 0;
	struct vrp_change c[1];
	assert_ok(vrp_change_log_repo_last(db, &last));
	assert_ok(vrp_change_log_repo_after(db, 0, c, 1, &n, &oldest));
	/* A reader that stopped at seq 1 can tell it missed rows: the oldest kept is far past it.
	 */
	assert_true(oldest > 2);
	assert_true(last - oldest <= 10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_inserts_edits_tags_and_deletes_are_logged_in_order, test_db_setup,
			test_db_teardown),
		cmocka_unit_test_setup_teardown(test_only_the_newest_ten_thousand_are_kept,
						test_db_setup, test_db_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
