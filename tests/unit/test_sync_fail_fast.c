/*
 * test_sync_fail_fast.c - failures that retrying cannot fix end at once: a
 * remote that is not there (an unplugged disk) and a local file that fails
 * its own checksum; damage in transit ends after a few attempts.
 */
#include "sync_fixture.h"

#include "core/retry.h"
#include "db/metrics_repo.h"
#include "db/recording_repo.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tally {
	int64_t by_kind[VRP_SYNC_EVENT_UNAVAILABLE + 1];
	char *nas; /* created once the fake clock reaches create_at_ms */
	int64_t create_at_ms, stop_at_ms;
	struct fake_env *env;
};

static void count_event(void *ctx, const vrp_sync_event *e)
{
	struct tally *t = ctx;
	t->by_kind[e->kind]++;
}

/* Remote "nas", a localdir at <tmp>/nas, which is not there (its disk was unplugged after add). */
static char *add_localdir(struct sync_fixture *fx)
{
	char *nas = test_path(fx->dir, "nas");
	vrp_kv kv[] = { { "path", nas } };
	/* remote add refuses a missing folder, so it was there when the remote was added. */
	assert_int_equal(vrp_remotes_add(fx->lib, "nas", "localdir", kv, 1), VRP_ENOTFOUND);
	assert_int_equal(mkdir(nas, 0755), 0);
	assert_ok(vrp_remotes_add(fx->lib, "nas", "localdir", kv, 1));
	assert_int_equal(rmdir(nas), 0);
	return nas;
}

/* `count` recordings queued to "nas" (not there yet), the fake clock started; returns its path. */
static char *queue_for_nas(struct sync_fixture *fx, int count)
{
	char *nas = add_localdir(fx);
	for (int i = 1; i <= count; i++)
		sync_fixture_recording(fx, i, 300);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "nas", NULL, 0, NULL));
	sync_fixture_start_clock(fx);
	return nas;
}

static vrp_sync_task_list *tasks_of(struct sync_fixture *fx, const char *remote)
{
	vrp_sync_task_filter filter = { .remote = remote, .limit = 100 };
	vrp_sync_task_list *list = NULL;
	assert_ok(vrp_sync_task_repo_list(vrp_library_db(fx->lib), &filter, &list));
	return list;
}

static void test_an_unplugged_disk_stops_its_uploads_once_without_using_attempts(void **state)
{
	struct sync_fixture *fx = *state;
	char *nas = queue_for_nas(fx, 6);
	struct tally tally = { 0 };
	fx->opt.concurrency = 4;
	fx->opt.progress = count_event;
	fx->opt.progress_ctx = &tally;
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.unavailable, 1);
	assert_int_equal(tally.by_kind[VRP_SYNC_EVENT_UNAVAILABLE], 1);
	assert_int_equal(s.retries, 0);
	assert_int_equal(s.failed, 0);
	assert_int_equal(s.worst_code, VRP_EUNAVAILABLE);
	assert_int_equal(fx->env.slept_ms, 0);
	vrp_sync_task_list *list = tasks_of(fx, "nas");
	assert_int_equal(list->count, 6);
	for (size_t i = 0; i < list->count; i++) {
		assert_int_equal(list->items[i]->state, VRP_SYNC_TASK_QUEUED);
		assert_int_equal(list->items[i]->attempts, 0);
	}
	vrp_sync_task_list_free(list);
	/* The folder is not made behind the user's back: that is what hides an unplugged disk. */
	struct stat st;
	assert_int_not_equal(stat(nas, &st), 0);
	/* Plugged in again, the next run uploads the lot. */
	assert_int_equal(mkdir(nas, 0755), 0);
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 6);
	assert_int_equal(s.unavailable, 0);
	free(nas);
}

/* Plugs the disk in at create_at_ms; stops the worker once all synced or at stop_at_ms. */
static bool plug_in_later(void *ctx)
{
	struct tally *t = ctx;
	int64_t now = fake_clock(t->env);
	struct stat st;
	if (now >= t->create_at_ms && stat(t->nas, &st) != 0)
		assert_int_equal(mkdir(t->nas, 0755), 0);
	return t->by_kind[VRP_SYNC_EVENT_SYNCED] == 3 || now >= t->stop_at_ms;
}

static void test_the_worker_waits_for_an_unplugged_disk_with_backoff(void **state)
{
	struct sync_fixture *fx = *state;
	char *nas = queue_for_nas(fx, 3);
	struct tally tally = { .nas = nas, .env = &fx->env };
	tally.create_at_ms = fx->env.now + 20000;
	tally.stop_at_ms = fx->env.now + 600000;
	fx->opt.forever = true;
	fx->opt.base_delay_ms = 1000;
	fx->opt.max_delay_ms = 8000;
	fx->opt.progress = count_event;
	fx->opt.progress_ctx = &tally;
	fx->opt.stop = plug_in_later;
	fx->opt.stop_ctx = &tally;
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 3);
	/* Told once, however often it looked; waiting is not a failure of the worker. */
	assert_int_equal(tally.by_kind[VRP_SYNC_EVENT_UNAVAILABLE], 1);
	assert_int_equal(s.worst_code, 0);
	/* Backing off 1, 2, 4, 8, 8 s...: found within one cap of being plugged in. */
	assert_true(fx->env.now - tally.create_at_ms <= 8000 + 2 * 500);
	vrp_sync_task_list *list = tasks_of(fx, "nas");
	for (size_t i = 0; i < list->count; i++)
		assert_int_equal(list->items[i]->attempts, 1);
	vrp_sync_task_list_free(list);
	free(nas);
}

/* Rewrites the middle of recording `id`'s file, as a failing disk would. */
static void damage(struct sync_fixture *fx, int64_t id)
{
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), id, &rec));
	char *path = vrp_library_path(fx->lib, rec->local_path);
	FILE *f = fopen(path, "r+b");
	assert_non_null(f);
	assert_int_equal(fseek(f, 100, SEEK_SET), 0);
	assert_int_equal(fputc('!', f) == EOF, 0);
	assert_int_equal(fclose(f), 0);
	free(path);
	vrp_recording_free(rec);
}

static void test_a_damaged_local_file_fails_its_upload_at_once(void **state)
{
	struct sync_fixture *fx = *state;
	char *nas = add_localdir(fx);
	assert_int_equal(mkdir(nas, 0755), 0);
	int64_t id = sync_fixture_recording(fx, 1, 4000);
	damage(fx, id);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "nas", NULL, 0, NULL));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.retries, 0);
	assert_int_equal(s.worst_code, VRP_ECORRUPT_MEDIA);
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), id, "nas", &row));
	assert_string_equal(row->error_code, "ERR_CORRUPT_MEDIA");
	assert_non_null(strstr(row->error_message, "`vrp verify --fix` restores it"));
	vrp_recording_remote_free(row);
	/* Marked as verify would have, so the next run refuses it without sending a byte. */
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), id, &rec));
	assert_int_equal(rec->integrity, VRP_INTEGRITY_CORRUPT);
	vrp_recording_free(rec);
	free(nas);
}

/* Syncs recording 1, which verify marked corrupt, its file `damaged` since or not. */
static void sync_marked_corrupt(struct sync_fixture *fx, bool damaged, vrp_sync_summary *s)
{
	int64_t id = sync_fixture_recording(fx, 1, 300);
	if (damaged)
		damage(fx, id);
	assert_ok(vrp_recording_repo_set_integrity(vrp_library_db(fx->lib), id,
						   VRP_INTEGRITY_CORRUPT, NULL));
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	sync_fixture_start_clock(fx);
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, s));
}

static void test_a_file_verify_marked_corrupt_is_not_sent(void **state)
{
	struct sync_fixture *fx = *state;
	vrp_sync_summary s;
	sync_marked_corrupt(fx, true, &s);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.retries, 0);
	assert_int_equal(s.worst_code, VRP_ECORRUPT_MEDIA);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), 0);
}

static void test_a_file_repaired_since_verify_is_sent(void **state)
{
	struct sync_fixture *fx = *state;
	vrp_sync_summary s;
	sync_marked_corrupt(fx, false, &s);
	assert_int_equal(s.synced, 1);
}

static vrp_recording_remote *row_on_m(struct sync_fixture *fx, int64_t id)
{
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), id, "m", &row));
	return row;
}

static void test_damage_in_transit_is_tried_three_times_then_fails_visibly(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	for (int i = 0; i < 5; i++)
		assert_ok(vrp_mock_fault_add(fx->mock, "upload", "corrupt", 0));
	fx->opt.max_attempts = 8;
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.retries, VRP_RETRY_INTEGRITY_ATTEMPTS - 1);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.synced, 0);
	assert_int_equal(s.worst_code, VRP_ECHECKSUM);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), VRP_RETRY_INTEGRITY_ATTEMPTS);
	vrp_recording_remote *row = row_on_m(fx, id);
	assert_int_equal(row->sync_status, VRP_SYNC_FAILED);
	assert_string_equal(row->error_code, "ERR_CHECKSUM_MISMATCH");
	assert_non_null(strstr(row->error_message, "damaged in transit on 3 attempts"));
	assert_null(row->verified_at);
	assert_null(row->remote_path);
	vrp_recording_remote_free(row);
	assert_int_equal(vrp_mock_object_count(fx->mock), 0);
	/* The local file was fine all along: nothing marks it damaged. */
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), id, &rec));
	assert_int_not_equal(rec->integrity, VRP_INTEGRITY_CORRUPT);
	vrp_recording_free(rec);
	int64_t failures = 0;
	assert_ok(vrp_metrics_repo_get(vrp_library_db(fx->lib),
				       VRP_METRIC_FAILURES_PREFIX "err_checksum_mismatch",
				       &failures));
	assert_int_equal(failures, VRP_RETRY_INTEGRITY_ATTEMPTS);
}

static void test_one_damaged_transfer_is_mended_by_the_next_attempt(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	assert_ok(vrp_mock_fault_add(fx->mock, "upload", "corrupt", 0));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.retries, 1);
	assert_int_equal(s.synced, 1);
	vrp_recording_remote *row = row_on_m(fx, id);
	assert_int_equal(row->sync_status, VRP_SYNC_SYNCED);
	assert_null(row->error_code);
	vrp_recording_remote_free(row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sync_fixture_setup, sync_fixture_teardown)
		T(test_an_unplugged_disk_stops_its_uploads_once_without_using_attempts),
		T(test_the_worker_waits_for_an_unplugged_disk_with_backoff),
		T(test_a_damaged_local_file_fails_its_upload_at_once),
		T(test_a_file_verify_marked_corrupt_is_not_sent),
		T(test_a_file_repaired_since_verify_is_sent),
		T(test_damage_in_transit_is_tried_three_times_then_fails_visibly),
		T(test_one_damaged_transfer_is_mended_by_the_next_attempt),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
