/* test_derive_task_repo.c - the durable derive queue: one live task per recording, leases,
 * outcomes. */
#include "recording_fixture.h"

#include "db/derive_task_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAVE 1u
#define SPEC 2u
#define OPUS 8u

static int64_t insert_recording(vrp_db *db, int n) { return fixture_insert(db, n, NULL, NULL); }

static struct vrp_derive_queue_counts counts(vrp_db *db)
{
	struct vrp_derive_queue_counts c;
	assert_ok(vrp_derive_task_repo_counts(db, &c));
	return c;
}

static void test_a_second_request_joins_the_live_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1);
	assert_ok(vrp_derive_task_repo_enqueue(db, id, WAVE));
	assert_ok(vrp_derive_task_repo_enqueue(db, id, SPEC | WAVE));
	assert_int_equal(counts(db).queued, 1);
	struct vrp_derive_task t;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	assert_int_equal(t.recording_id, id);
	assert_int_equal(t.kinds, WAVE | SPEC);
	assert_int_equal(t.attempts, 1);
}

static void test_claim_of_an_empty_queue_is_not_found(void **state)
{
	struct vrp_derive_task t;
	assert_int_equal(vrp_derive_task_repo_claim(test_fixture_db(state), "w1", 60000, &t),
			 VRP_ENOTFOUND);
}

static void test_a_claimed_task_is_not_claimed_twice(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), WAVE));
	struct vrp_derive_task t, u;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	assert_int_equal(vrp_derive_task_repo_claim(db, "w2", 60000, &u), VRP_ENOTFOUND);
	assert_int_equal(counts(db).running, 1);
}

static void test_an_expired_lease_is_claimed_again(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), WAVE));
	struct vrp_derive_task t, u;
	assert_ok(vrp_derive_task_repo_claim(db, "dead", 60000, &t));
	test_exec(db, "UPDATE derive_tasks SET lease_until = '2000-01-01T00:00:00.000Z'");
	assert_ok(vrp_derive_task_repo_claim(db, "w2", 60000, &u));
	assert_int_equal(u.id, t.id);
	assert_int_equal(u.attempts, 2);
	/* The dead worker's late word no longer counts. */
	assert_int_equal(vrp_derive_task_repo_finish(db, t.id, "dead", WAVE), VRP_ENOTFOUND);
	assert_ok(vrp_derive_task_repo_finish(db, u.id, "w2", WAVE));
}

static void test_finish_removes_the_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), WAVE | SPEC));
	struct vrp_derive_task t;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	assert_ok(vrp_derive_task_repo_finish(db, t.id, "w1", WAVE | SPEC));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derive_tasks"), 0);
}

static void test_kinds_asked_for_while_running_are_queued_after_it(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1);
	assert_ok(vrp_derive_task_repo_enqueue(db, id, WAVE));
	struct vrp_derive_task t, u;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	assert_ok(vrp_derive_task_repo_enqueue(db, id, OPUS));
	assert_ok(vrp_derive_task_repo_finish(db, t.id, "w1", WAVE));
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &u));
	assert_int_equal(u.kinds, OPUS);
}

static void test_a_failure_retries_at_its_time_or_stays_failed(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), WAVE));
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 2), WAVE));
	struct vrp_derive_task t, u, v;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	assert_ok(vrp_derive_task_repo_fail(db, t.id, "w1", "ERR_NO_SPACE", "disk full",
					    "2999-01-01T00:00:00.000Z"));
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &u));
	assert_int_not_equal(u.id, t.id);
	assert_ok(vrp_derive_task_repo_fail(db, u.id, "w1", "ERR_CORRUPT_MEDIA", "damaged", NULL));
	assert_int_equal(vrp_derive_task_repo_claim(db, "w1", 60000, &v), VRP_ENOTFOUND);
	struct vrp_derive_queue_counts c = counts(db);
	assert_int_equal(c.queued, 1);
	assert_int_equal(c.failed, 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derive_tasks WHERE error_code = "
					    "'ERR_CORRUPT_MEDIA' AND error_message = 'damaged'"),
			 1);
	int64_t requeued = 0;
	assert_ok(vrp_derive_task_repo_retry_failed(db, &requeued));
	assert_int_equal(requeued, 1);
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &v));
	assert_int_equal(v.id, u.id);
}

static void test_a_failed_task_does_not_block_a_new_request(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1);
	assert_ok(vrp_derive_task_repo_enqueue(db, id, WAVE));
	struct vrp_derive_task t;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	assert_ok(vrp_derive_task_repo_fail(db, t.id, "w1", "ERR_NOT_FOUND", "gone", NULL));
	assert_ok(vrp_derive_task_repo_enqueue(db, id, WAVE));
	/* Retrying the old one beside the new live task would break one-live-per-recording. */
	int64_t requeued = 0;
	assert_ok(vrp_derive_task_repo_retry_failed(db, &requeued));
	assert_int_equal(requeued, 0);
	assert_ok(vrp_derive_task_repo_forget_failed(db, id));
	struct vrp_derive_queue_counts c = counts(db);
	assert_int_equal(c.failed, 0);
	assert_int_equal(c.queued, 1);
}

static void test_purging_the_recording_removes_its_tasks(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = insert_recording(db, 1);
	assert_ok(vrp_derive_task_repo_enqueue(db, id, WAVE));
	char sql[128];
	snprintf(sql, sizeof(sql), "DELETE FROM recordings WHERE id = %lld", (long long)id);
	test_exec(db, sql);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM derive_tasks"), 0);
}

static void test_enqueue_of_no_kind_is_invalid(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), 0), VRP_EINVAL);
}

static void test_a_renewed_lease_is_not_claimed_when_the_old_one_ends(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), WAVE));
	struct vrp_derive_task t, u;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	test_exec(db, "UPDATE derive_tasks SET lease_until = '2000-01-01T00:00:00.000Z'");

	assert_ok(vrp_derive_task_repo_renew(db, t.id, "w1", 60000));

	assert_int_equal(vrp_derive_task_repo_claim(db, "w2", 60000, &u), VRP_ENOTFOUND);
}

static void test_a_lease_taken_over_cannot_be_renewed(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), WAVE));
	struct vrp_derive_task t, u;
	assert_ok(vrp_derive_task_repo_claim(db, "w1", 60000, &t));
	test_exec(db, "UPDATE derive_tasks SET lease_until = '2000-01-01T00:00:00.000Z'");
	assert_ok(vrp_derive_task_repo_claim(db, "w2", 60000, &u));

	assert_int_equal(vrp_derive_task_repo_renew(db, t.id, "w1", 60000), VRP_ENOTFOUND);
	assert_ok(vrp_derive_task_repo_renew(db, u.id, "w2", 60000));
}

static void test_the_leases_of_a_gone_process_are_claimed_at_once(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 1), WAVE));
	assert_ok(vrp_derive_task_repo_enqueue(db, insert_recording(db, 2), WAVE));
	struct vrp_derive_lease_holder dead = { "dead", "box", 4242, 77 };
	struct vrp_derive_lease_holder live = { "live", "box", 4343, 88 };
	struct vrp_derive_task t, u, v;
	assert_ok(vrp_derive_task_repo_claim_held(db, &dead, 600000, &t));
	assert_ok(vrp_derive_task_repo_claim_held(db, &live, 600000, &u));
	struct vrp_derive_lease_process *list = NULL;
	size_t count = 0;
	assert_ok(vrp_derive_task_repo_lease_processes(db, "box", &list, &count));
	assert_int_equal(count, 2);
	free(list);
	assert_ok(vrp_derive_task_repo_lease_processes(db, "elsewhere", &list, &count));
	assert_int_equal(count, 0);
	int64_t taken = 0;
	struct vrp_derive_lease_process gone = { 4242, 77 };
	assert_ok(vrp_derive_task_repo_expire_process(db, "box", &gone, &taken));
	assert_int_equal(taken, 1);
	/* The dead one's task is free long before its lease would end; the live one's is not. */
	assert_ok(vrp_derive_task_repo_claim(db, "w2", 60000, &v));
	assert_int_equal(v.id, t.id);
	assert_int_equal(vrp_derive_task_repo_claim(db, "w3", 60000, &v), VRP_ENOTFOUND);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_a_second_request_joins_the_live_task),
		DB_TEST(test_claim_of_an_empty_queue_is_not_found),
		DB_TEST(test_a_claimed_task_is_not_claimed_twice),
		DB_TEST(test_an_expired_lease_is_claimed_again),
		DB_TEST(test_finish_removes_the_task),
		DB_TEST(test_kinds_asked_for_while_running_are_queued_after_it),
		DB_TEST(test_a_failure_retries_at_its_time_or_stays_failed),
		DB_TEST(test_a_failed_task_does_not_block_a_new_request),
		DB_TEST(test_purging_the_recording_removes_its_tasks),
		DB_TEST(test_enqueue_of_no_kind_is_invalid),
		DB_TEST(test_a_renewed_lease_is_not_claimed_when_the_old_one_ends),
		DB_TEST(test_a_lease_taken_over_cannot_be_renewed),
		DB_TEST(test_the_leases_of_a_gone_process_are_claimed_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
