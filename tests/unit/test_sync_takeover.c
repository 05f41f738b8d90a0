/*
 * test_sync_takeover.c - the leases of other processes: a dead holder's
 * tasks are taken over at once, a live one is waited for and named.
 */
#include "sync_fixture.h"

#include "core/process.h"

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

struct waits {
	int count;
	char message[512];
};

static void on_event(void *ctx, const vrp_sync_event *e)
{
	struct waits *w = ctx;
	if (e->kind != VRP_SYNC_EVENT_WAITING)
		return;
	w->count++;
	snprintf(w->message, sizeof(w->message), "%s", e->message);
}

/* A task of recording 1 leased for ten minutes (of the fake clock) to `holder`. */
static void leased_to(struct sync_fixture *fx, const vrp_sync_lease_holder *holder)
{
	sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	sync_fixture_start_clock(fx);
	char now[VRP_TIME_ISO_LEN];
	vrp_time_format_iso(fx->env.now, now);
	vrp_sync_task *task = NULL;
	assert_ok(
		vrp_sync_task_repo_claim(vrp_library_db(fx->lib), "m", holder, 600000, now, &task));
	vrp_sync_task_free(task);
}

static int64_t run_and_count_waits(struct sync_fixture *fx, struct waits *waits)
{
	fx->opt.progress = on_event;
	fx->opt.progress_ctx = waits;
	fx->opt.poll_ms = 100000; /* few idle rounds while a lease runs out */
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
	return fx->env.slept_ms;
}

static void test_a_dead_holders_tasks_are_taken_over_at_once(void **state)
{
	struct sync_fixture *fx = *state;
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	int64_t start = 0;
	assert_ok(vrp_process_start_time(getpid(), &start));
	assert_int_equal(waitpid(child, NULL, 0), child);
	char host[256];
	vrp_process_host(host, sizeof(host));
	vrp_sync_lease_holder dead = { "vrp-dead-0", host, child, start };
	leased_to(fx, &dead);
	struct waits waits = { 0 };
	assert_int_equal(run_and_count_waits(fx, &waits), 0);
	assert_int_equal(waits.count, 0);
}

static void test_a_reused_pid_is_not_taken_for_the_holder(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t start = 0;
	assert_ok(vrp_process_start_time(getpid(), &start));
	char host[256];
	vrp_process_host(host, sizeof(host));
	/* Our own pid, but another process's start time: the holder is gone. */
	vrp_sync_lease_holder earlier = { "vrp-earlier-0", host, getpid(), start - 1 };
	leased_to(fx, &earlier);
	struct waits waits = { 0 };
	assert_int_equal(run_and_count_waits(fx, &waits), 0);
}

static void test_a_live_holder_is_named_once_and_waited_for(void **state)
{
	struct sync_fixture *fx = *state;
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	int64_t start = 0;
	assert_ok(vrp_process_start_time(child, &start));
	char host[256], expected[300];
	vrp_process_host(host, sizeof(host));
	vrp_sync_lease_holder live = { "vrp-live-0", host, child, start };
	leased_to(fx, &live);
	struct waits waits = { 0 };
	int64_t slept = run_and_count_waits(fx, &waits);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	/* Its lease had to run out (ten minutes of the fake clock)... */
	assert_true(slept >= 600000);
	/* ...and the wait was said once, naming the process. */
	assert_int_equal(waits.count, 1);
	snprintf(expected, sizeof(expected), "waiting for vrp pid %ld on %s", (long)child, host);
	assert_non_null(strstr(waits.message, expected));
}

static void test_a_holder_on_another_host_is_waited_for(void **state)
{
	struct sync_fixture *fx = *state;
	vrp_sync_lease_holder elsewhere = { "vrp-far-0", "elsewhere.invalid", 1, 1 };
	leased_to(fx, &elsewhere);
	struct waits waits = { 0 };
	assert_true(run_and_count_waits(fx, &waits) >= 600000);
	assert_int_equal(waits.count, 1);
	assert_non_null(strstr(waits.message, "on elsewhere.invalid"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sync_fixture_setup, sync_fixture_teardown)
		T(test_a_dead_holders_tasks_are_taken_over_at_once),
		T(test_a_reused_pid_is_not_taken_for_the_holder),
		T(test_a_live_holder_is_named_once_and_waited_for),
		T(test_a_holder_on_another_host_is_waited_for),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
