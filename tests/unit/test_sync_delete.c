/* test_sync_delete.c - delete_policy: what `vrp purge` and `vrp rm` do to remote copies. */
#include "sync_fixture.h"

#include "vrp/purge.h"
#include "vrp/reconcile.h"
#include "vrp/recordings.h"

/* Remote "m" (mock) with the delete_policy the test names in its state. */
static int setup_with(void **state, const char *policy)
{
	vrp_mock_stores_reset();
	*state = sync_fixture_new(policy ? "delete_policy" : NULL, policy);
	return 0;
}

static int setup_keep(void **state) { return setup_with(state, NULL); }
static int setup_purge(void **state) { return setup_with(state, "purge"); }
static int setup_trash(void **state) { return setup_with(state, "trash"); }

/* One recording of 300 bytes synced to "m"; returns its id. */
static int64_t synced_recording(struct sync_fixture *fx)
{
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
	assert_int_equal(vrp_mock_object_count(fx->mock), 1);
	return id;
}

static int64_t delete_tasks(struct sync_fixture *fx)
{
	return test_query_int(vrp_library_db(fx->lib),
			      "SELECT count(*) FROM sync_tasks WHERE op = 'delete'");
}

static void test_keep_policy_leaves_the_remote_copy_after_purge(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recording(fx);
	assert_ok(vrp_purge_recording(fx->lib, id));
	assert_int_equal(delete_tasks(fx), 0);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.deleted, 0);
	assert_int_equal(vrp_mock_object_count(fx->mock), 1);
}

static void test_purge_policy_deletes_the_remote_copy_through_the_queue(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recording(fx);
	assert_ok(vrp_purge_recording(fx->lib, id));
	vrp_db *db = vrp_library_db(fx->lib);
	/* Queued, not done: the purge itself never talks to the remote. */
	assert_int_equal(vrp_mock_object_count(fx->mock), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE op = 'delete' "
					    "AND state = 'queued' AND recording_id IS NULL AND "
					    "remote_id IS NOT NULL AND remote_path LIKE "
					    "'VoiceRecorderPro/%'"),
			 1);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.deleted, 1);
	assert_int_equal(s.failed, 0);
	assert_int_equal(vrp_mock_object_count(fx->mock), 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE op = 'delete' "
					    "AND state = 'done'"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log WHERE operation = "
					    "'remote_delete'"),
			 1);
}

static void test_a_delete_of_an_object_already_gone_is_done(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recording(fx);
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), id, "m", &row));
	assert_ok(vrp_provider_delete(fx->mock, row->remote_id));
	vrp_recording_remote_free(row);
	assert_ok(vrp_purge_recording(fx->lib, id));
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.deleted, 1);
	assert_int_equal(s.worst_code, 0);
}

static void test_a_failed_remote_delete_is_retried_like_an_upload(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recording(fx);
	assert_ok(vrp_purge_recording(fx->lib, id));
	assert_ok(vrp_mock_fault_add(fx->mock, "delete", "transient", 503));
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.retries, 1);
	assert_int_equal(s.deleted, 1);
	assert_int_equal(vrp_mock_object_count(fx->mock), 0);
}

static void test_soft_delete_never_deletes_remotely(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recording(fx);
	assert_ok(vrp_recordings_set_status(fx->lib, id, VRP_RECORDING_DELETED));
	assert_int_equal(delete_tasks(fx), 0);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(vrp_mock_object_count(fx->mock), 1);
}

static void test_trash_policy_keeps_the_copy_where_the_provider_has_no_trash(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recording(fx);
	assert_ok(vrp_purge_recording(fx->lib, id));
	assert_int_equal(delete_tasks(fx), 0);
	assert_int_equal(vrp_mock_object_count(fx->mock), 1);
}

static void test_purge_of_a_recording_never_synced_queues_nothing(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	assert_ok(vrp_purge_recording(fx->lib, id));
	assert_int_equal(delete_tasks(fx), 0);
}

static void test_a_purge_cancels_the_recordings_queued_upload(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	assert_ok(vrp_purge_recording(fx->lib, id));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.failed, 0);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), 0);
	assert_int_equal(test_query_int(vrp_library_db(fx->lib),
					"SELECT count(*) FROM sync_tasks WHERE op = 'upload' AND "
					"state = 'cancelled'"),
			 1);
}

/* Purged while another worker held its upload, which then gave the task back. */
static void test_an_upload_whose_recording_was_purged_is_cancelled_not_failed(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	vrp_db *db = vrp_library_db(fx->lib);
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_claim(db, "m", VRP_SYNC_LEASE_OWNER("other-worker"), 60000, NULL, &task));
	assert_ok(vrp_purge_recording(fx->lib, id));
	assert_ok(vrp_sync_task_repo_release(db, task->id, "other-worker", NULL, NULL, NULL, NULL));
	vrp_sync_task_free(task);
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.failed, 0);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE op = 'upload' "
					    "AND state = 'cancelled' AND recording_id IS NULL"),
			 1);
}

static void test_an_unknown_delete_policy_is_refused(void **state)
{
	struct sync_fixture *fx = *state;
	vrp_kv kv[] = { { "delete_policy", "shred" } };
	assert_int_equal(vrp_remotes_add(fx->lib, "x", "mock", kv, 1), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "keep, trash or purge"));
}

struct purge_midway {
	struct sync_fixture *fx;
	int64_t id;
	int purges, rc;
};

/* Purges the recording at the upload's first progress report: the transfer is under way. */
static void purge_midway(void *ctx, const vrp_sync_event *e)
{
	struct purge_midway *p = ctx;
	if (e->kind == VRP_SYNC_EVENT_PROGRESS && !p->purges++)
		p->rc = vrp_purge_recording(p->fx->lib, p->id);
}

/* Whatever the delete policy: the upload was for a recording that no longer exists. */
static void test_a_purge_during_the_upload_deletes_what_the_upload_wrote(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	sync_fixture_start_clock(fx);
	struct purge_midway p = { .fx = fx, .id = id };
	fx->opt.progress = purge_midway;
	fx->opt.progress_ctx = &p;
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(p.purges > 0, 1);
	assert_ok(p.rc);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), 1);
	assert_int_equal(s.deleted, 1);
	assert_int_equal(s.failed, 0);
	assert_int_equal(vrp_mock_object_count(fx->mock), 0);
	vrp_db *db = vrp_library_db(fx->lib);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE state = 'done'"),
			 2);
	/* Nothing of it comes back. */
	vrp_sync_pull_summary pulled;
	assert_ok(vrp_sync_pull(fx->lib, "m", NULL, NULL, &pulled));
	assert_int_equal(pulled.pulled, 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keep_policy_leaves_the_remote_copy_after_purge,
						setup_keep, sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_purge_policy_deletes_the_remote_copy_through_the_queue, setup_purge,
			sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_a_delete_of_an_object_already_gone_is_done,
						setup_purge, sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_failed_remote_delete_is_retried_like_an_upload, setup_purge,
			sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_soft_delete_never_deletes_remotely,
						setup_purge, sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_trash_policy_keeps_the_copy_where_the_provider_has_no_trash,
			setup_trash, sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_purge_of_a_recording_never_synced_queues_nothing, setup_purge,
			sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_an_unknown_delete_policy_is_refused,
						setup_keep, sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_a_purge_during_the_upload_deletes_what_the_upload_wrote, setup_keep,
			sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(test_a_purge_cancels_the_recordings_queued_upload,
						setup_keep, sync_fixture_teardown),
		cmocka_unit_test_setup_teardown(
			test_an_upload_whose_recording_was_purged_is_cancelled_not_failed,
			setup_keep, sync_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
