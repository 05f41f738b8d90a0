/* test_retry.c - backoff with full jitter, Retry-After, and what each failure means. */
#include "test_support.h"

#include "core/retry.h"

struct fake_world {
	int64_t now;
	uint64_t random;
	int64_t slept[16];
	int sleeps;
	int calls;
	int fail_times;
	int code;
};

static int64_t fake_clock(void *ctx) { return ((struct fake_world *)ctx)->now; }

static uint64_t fake_random(void *ctx) { return ((struct fake_world *)ctx)->random; }

static int fake_sleep(void *ctx, int64_t ms)
{
	struct fake_world *w = ctx;
	w->slept[w->sleeps++] = ms;
	w->now += ms;
	return 0;
}

#define ENV(w)                                                                                     \
	{                                                                                          \
		fake_clock, fake_random, fake_sleep, &(w)                                          \
	}

static void test_delay_ceiling_doubles_then_caps(void **state)
{
	(void)state;
	struct fake_world w = { 0 };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 10 };
	int64_t expect[] = { 100, 200, 400, 800, 1000, 1000 };
	for (int i = 0; i < 6; i++) {
		/* A draw equal to the ceiling is the largest delay possible. */
		w.random = (uint64_t)expect[i];
		assert_int_equal(vrp_retry_delay_ms(&p, &env, i + 1, -1), expect[i]);
	}
	/* A huge retry number neither overflows nor passes the cap. */
	w.random = UINT64_MAX;
	int64_t d = vrp_retry_delay_ms(&p, &env, 100000, -1);
	assert_true(d >= 0 && d <= 1000);
}

static void test_delay_is_full_jitter_from_zero(void **state)
{
	(void)state;
	struct fake_world w = { .random = 0 };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 10 };
	assert_int_equal(vrp_retry_delay_ms(&p, &env, 3, -1), 0);
	w.random = 401; /* 401 % 401 */
	assert_int_equal(vrp_retry_delay_ms(&p, &env, 3, -1), 0);
	w.random = 250;
	assert_int_equal(vrp_retry_delay_ms(&p, &env, 3, -1), 250);
}

static void test_retry_after_is_a_floor_even_past_the_cap(void **state)
{
	(void)state;
	struct fake_world w = { .random = 5 };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 10 };
	assert_int_equal(vrp_retry_delay_ms(&p, &env, 1, 30000), 30000);
	assert_int_equal(vrp_retry_delay_ms(&p, &env, 1, 2), 5);
}

static void test_decide_gives_the_time_of_the_next_attempt(void **state)
{
	(void)state;
	struct fake_world w = { .now = 1000000, .random = 70 };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 3 };
	vrp_retry_decision d;
	vrp_retry_decide(&p, &env, VRP_ETRANSIENT, 1, -1, &d);
	assert_true(d.retry);
	assert_int_equal(d.cls, VRP_RETRY_CLASS_RETRY);
	assert_int_equal(d.delay_ms, 70);
	assert_int_equal(d.not_before_ms, 1000070);
}

static void test_decide_stops_at_max_attempts(void **state)
{
	(void)state;
	struct fake_world w = { 0 };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 3 };
	vrp_retry_decision d;
	vrp_retry_decide(&p, &env, VRP_ERATE_LIMIT, 3, 5000, &d);
	assert_false(d.retry);
	assert_int_equal(d.delay_ms, 0);
}

static void test_classification_of_codes(void **state)
{
	(void)state;
	assert_int_equal(vrp_retry_classify(VRP_ETRANSIENT), VRP_RETRY_CLASS_RETRY);
	assert_int_equal(vrp_retry_classify(VRP_ERATE_LIMIT), VRP_RETRY_CLASS_RETRY);
	assert_int_equal(vrp_retry_classify(VRP_EUNAVAILABLE), VRP_RETRY_CLASS_RETRY);
	assert_int_equal(vrp_retry_classify(VRP_ECHECKSUM), VRP_RETRY_CLASS_INTEGRITY);
	assert_int_equal(vrp_retry_classify(VRP_EAUTH_EXPIRED), VRP_RETRY_CLASS_PAUSE_REMOTE);
	assert_int_equal(vrp_retry_classify(VRP_EQUOTA), VRP_RETRY_CLASS_STOP_UPLOADS);
	assert_int_equal(vrp_retry_classify(VRP_ECANCELLED), VRP_RETRY_CLASS_CANCELLED);
	assert_int_equal(vrp_retry_classify(VRP_EPERMANENT), VRP_RETRY_CLASS_FAIL);
	assert_int_equal(vrp_retry_classify(VRP_EREMOTE_NOT_FOUND), VRP_RETRY_CLASS_FAIL);
	assert_int_equal(vrp_retry_classify(VRP_EAUTH), VRP_RETRY_CLASS_FAIL);
	assert_int_equal(vrp_retry_classify(VRP_EINVAL), VRP_RETRY_CLASS_FAIL);
	assert_string_equal(vrp_retry_class_name(VRP_RETRY_CLASS_PAUSE_REMOTE), "pause_remote");
	assert_string_equal(vrp_retry_class_name(VRP_RETRY_CLASS_INTEGRITY), "integrity");
}

static void test_checksum_mismatch_retries_only_a_few_times_whatever_the_policy(void **state)
{
	(void)state;
	struct fake_world w = { .random = 5 };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 8 };
	vrp_retry_decision d;
	for (int attempts = 1; attempts < VRP_RETRY_INTEGRITY_ATTEMPTS; attempts++) {
		vrp_retry_decide(&p, &env, VRP_ECHECKSUM, attempts, -1, &d);
		assert_true(d.retry);
		assert_int_equal(d.cls, VRP_RETRY_CLASS_INTEGRITY);
	}
	vrp_retry_decide(&p, &env, VRP_ECHECKSUM, VRP_RETRY_INTEGRITY_ATTEMPTS, -1, &d);
	assert_false(d.retry);
	assert_int_equal(d.cls, VRP_RETRY_CLASS_INTEGRITY);
	/* A transient failure after as many attempts still has the policy's to go. */
	vrp_retry_decide(&p, &env, VRP_ETRANSIENT, VRP_RETRY_INTEGRITY_ATTEMPTS, -1, &d);
	assert_true(d.retry);
	/* A stricter policy wins. */
	vrp_retry_policy one = { 100, 1000, 1 };
	vrp_retry_decide(&one, &env, VRP_ECHECKSUM, 1, -1, &d);
	assert_false(d.retry);
}

static int flaky(void *ctx)
{
	struct fake_world *w = ctx;
	w->calls++;
	return w->calls <= w->fail_times ? w->code : 0;
}

static int64_t hint_of_two_seconds(void) { return 2000; }

static void test_run_retries_until_success_without_sleeping(void **state)
{
	(void)state;
	struct fake_world w = { .random = 10, .fail_times = 2, .code = VRP_ETRANSIENT };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 5 };
	int attempts = 0;
	assert_ok(vrp_retry_run(&p, &env, flaky, &w, NULL, &attempts));
	assert_int_equal(attempts, 3);
	assert_int_equal(w.sleeps, 2);
	assert_int_equal(w.slept[0], 10);
	assert_int_equal(w.slept[1], 10);
}

static void test_run_honours_retry_after(void **state)
{
	(void)state;
	struct fake_world w = { .random = 10, .fail_times = 1, .code = VRP_ERATE_LIMIT };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 5 };
	assert_ok(vrp_retry_run(&p, &env, flaky, &w, hint_of_two_seconds, NULL));
	assert_int_equal(w.sleeps, 1);
	assert_int_equal(w.slept[0], 2000);
	assert_int_equal(w.now, 2000);
}

static void test_run_gives_up_after_max_attempts(void **state)
{
	(void)state;
	struct fake_world w = { .random = 1, .fail_times = 100, .code = VRP_ETRANSIENT };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = { 100, 1000, 4 };
	int attempts = 0;
	assert_int_equal(vrp_retry_run(&p, &env, flaky, &w, NULL, &attempts), VRP_ETRANSIENT);
	assert_int_equal(attempts, 4);
	assert_int_equal(w.sleeps, 3);
}

static void test_run_fails_permanent_errors_at_once(void **state)
{
	(void)state;
	struct fake_world w = { .fail_times = 100, .code = VRP_EPERMANENT };
	vrp_retry_env env = ENV(w);
	vrp_retry_policy p = VRP_RETRY_POLICY_DEFAULT;
	int attempts = 0;
	assert_int_equal(vrp_retry_run(&p, &env, flaky, &w, NULL, &attempts), VRP_EPERMANENT);
	assert_int_equal(attempts, 1);
	assert_int_equal(w.sleeps, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delay_ceiling_doubles_then_caps),
		cmocka_unit_test(test_delay_is_full_jitter_from_zero),
		cmocka_unit_test(test_retry_after_is_a_floor_even_past_the_cap),
		cmocka_unit_test(test_decide_gives_the_time_of_the_next_attempt),
		cmocka_unit_test(test_decide_stops_at_max_attempts),
		cmocka_unit_test(test_classification_of_codes),
		cmocka_unit_test(
			test_checksum_mismatch_retries_only_a_few_times_whatever_the_policy),
		cmocka_unit_test(test_run_retries_until_success_without_sleeping),
		cmocka_unit_test(test_run_honours_retry_after),
		cmocka_unit_test(test_run_gives_up_after_max_attempts),
		cmocka_unit_test(test_run_fails_permanent_errors_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
