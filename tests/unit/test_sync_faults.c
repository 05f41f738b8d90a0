/*
 * test_sync_faults.c - the proof: 200 recordings through the mock
 * with random faults (rate limits with Retry-After, 5xx, dropped
 * connections, corrupted uploads) and four workers end with every recording
 * synced exactly once, attempts within bounds, and every backoff honoured.
 */
#include "sync_fixture.h"

#define RECORDINGS    200
#define FAULTS        150
#define MAX_ATTEMPTS  12
#define BASE_MS       100
#define CAP_MS        1500
#define RETRY_AFTER_S 2

struct observer {
	int64_t not_before[RECORDINGS * 4 + 8]; /* by task id */
	int64_t retries, rate_limited, too_early, too_short, too_long, max_attempt;
	int64_t outcomes[VRP_SYNC_EVENT_RELEASED + 1];
};

static void observe(void *ctx, const vrp_sync_event *e)
{
	struct observer *o = ctx;
	size_t slot = (size_t)e->task_id;
	assert_true(slot < sizeof(o->not_before) / sizeof(*o->not_before));
	o->outcomes[e->kind]++;
	if (e->attempt > o->max_attempt)
		o->max_attempt = e->attempt;
	if (e->kind == VRP_SYNC_EVENT_STARTED && e->now_ms < o->not_before[slot])
		o->too_early++;
	if (e->kind != VRP_SYNC_EVENT_RETRY)
		return;
	o->retries++;
	if (e->retry_after_ms >= 0) {
		o->rate_limited++;
		if (e->delay_ms < e->retry_after_ms)
			o->too_short++;
	}
	int64_t ceiling = e->retry_after_ms > CAP_MS ? e->retry_after_ms : CAP_MS;
	if (e->delay_ms > ceiling || e->delay_ms < 0)
		o->too_long++;
	o->not_before[slot] = e->now_ms + e->delay_ms;
}

static void add_random_faults(struct sync_fixture *fx)
{
	static const char *const kinds[] = { "rate_limit", "transient", "drop", "corrupt" };
	for (int i = 0; i < FAULTS; i++) {
		uint64_t r = fake_random(&fx->env);
		const char *kind = kinds[r % 4];
		int64_t arg = 0;
		if (r % 4 == 0)
			arg = RETRY_AFTER_S;
		else if (r % 4 == 1)
			arg = 503;
		else if (r % 4 == 2)
			arg = 64 * (int64_t)(1 + (r >> 8) % 4);
		assert_ok(vrp_mock_fault_add(fx->mock, "upload", kind, arg));
		/* Now and then the pre-upload stat blips too. */
		if ((r >> 16) % 10 == 0)
			assert_ok(vrp_mock_fault_add(fx->mock, "stat", "transient", 502));
	}
}

static void test_two_hundred_recordings_sync_exactly_once_through_random_faults(void **state)
{
	(void)state;
	vrp_mock_stores_reset();
	struct sync_fixture *fx = sync_fixture_new(NULL, NULL);
	for (int i = 1; i <= RECORDINGS; i++)
		sync_fixture_recording(fx, i, 300 + (size_t)(i * 7) % 400);
	int64_t queued = 0;
	assert_ok(vrp_sync_enqueue_pending(fx->lib, NULL, NULL, 0, &queued));
	assert_int_equal(queued, RECORDINGS);
	add_random_faults(fx);
	sync_fixture_start_clock(fx);
	struct observer *o = calloc(1, sizeof(*o));
	assert_non_null(o);
	fx->opt.concurrency = 4;
	fx->opt.max_attempts = MAX_ATTEMPTS;
	fx->opt.base_delay_ms = BASE_MS;
	fx->opt.max_delay_ms = CAP_MS;
	fx->opt.progress = observe;
	fx->opt.progress_ctx = o;
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));

	vrp_db *db = vrp_library_db(fx->lib);
	assert_int_equal(s.synced + s.already, RECORDINGS);
	assert_int_equal(s.failed, 0);
	assert_int_equal(sync_fixture_count(fx, VRP_SYNC_SYNCED), RECORDINGS);
	/* Exactly once: one object per recording, at distinct paths, and no upload repeated
	 * after one succeeded. */
	assert_int_equal(vrp_mock_object_count(fx->mock), RECORDINGS);
	assert_int_equal(vrp_mock_session_count(fx->mock), 0);
	assert_int_equal(test_query_int(db, "SELECT count(DISTINCT remote_path) FROM "
					    "recording_remote WHERE sync_status = 'synced'"),
			 RECORDINGS);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE state = 'done'"),
			 RECORDINGS);
	int64_t attempted = test_query_int(db, "SELECT value FROM metrics WHERE name = "
					       "'sync.uploads_attempted'");
	int64_t failed = test_query_int(db, "SELECT value FROM metrics WHERE name = "
					    "'sync.uploads_failed'");
	assert_int_equal(attempted - failed, s.synced);
	assert_int_equal(test_query_int(db, "SELECT value FROM metrics WHERE name = "
					    "'sync.uploads_succeeded'"),
			 s.synced);
	/* Failures are counted by error code, one counter each. */
	assert_true(test_query_int(db, "SELECT value FROM metrics WHERE name = "
				       "'sync.failures.err_upload_rate_limit'") > 0);
	assert_true(test_query_int(db, "SELECT sum(value) FROM metrics WHERE name LIKE "
				       "'sync.failures.%'") >= o->retries);
	/* The faults really happened, and the backoff was honoured. */
	assert_true(o->retries >= FAULTS / 2);
	assert_true(o->rate_limited > 0);
	assert_true(vrp_mock_resumed_uploads(fx->mock) > 0);
	assert_int_equal(o->too_short, 0);
	assert_int_equal(o->too_long, 0);
	assert_int_equal(o->too_early, 0);
	assert_true(o->max_attempt <= MAX_ATTEMPTS);
	assert_true(test_query_int(db, "SELECT max(attempts) FROM sync_tasks") <= MAX_ATTEMPTS);
	assert_true(fx->env.slept_ms >= RETRY_AFTER_S * 1000);
	free(o);
	sync_fixture_free(fx);
	vrp_mock_stores_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_two_hundred_recordings_sync_exactly_once_through_random_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
