/* test_sync.c - the sync engine against the mock provider: the queue, the outcomes, the policy. */
#include "sync_fixture.h"

#include <stdlib.h>
#include <string.h>

#include "cloud/remote_name.h"
#include "vrp/log.h"

static vrp_sync_task *task_of(struct sync_fixture *fx, int64_t recording_id)
{
	vrp_sync_task_filter filter = { .recording_id = recording_id, .limit = 10 };
	vrp_sync_task_list *list = NULL;
	assert_ok(vrp_sync_task_repo_list(vrp_library_db(fx->lib), &filter, &list));
	assert_true(list->count >= 1);
	vrp_sync_task *task = list->items[list->count - 1];
	list->items[list->count - 1] = NULL;
	list->count--;
	vrp_sync_task_list_free(list);
	return task;
}

static vrp_recording_remote *row_of(struct sync_fixture *fx, int64_t recording_id)
{
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), recording_id, "m", &row));
	return row;
}

static void test_enqueue_upload_marks_queued_and_is_idempotent(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	vrp_sync_task *a = NULL, *b = NULL;
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", &a));
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", &b));
	assert_int_equal(a->id, b->id);
	assert_non_null(strstr(a->idempotency_key, ":300"));
	vrp_recording_remote *row = row_of(fx, id);
	assert_int_equal(row->sync_status, VRP_SYNC_QUEUED);
	vrp_recording_remote_free(row);
	vrp_sync_task_free(a);
	vrp_sync_task_free(b);
}

static void test_one_enqueue_gives_its_tasks_one_correlation_id(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t a = sync_fixture_recording(fx, 1, 300);
	int64_t b = sync_fixture_recording(fx, 2, 400);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	vrp_sync_task *ta = task_of(fx, a), *tb = task_of(fx, b);
	assert_non_null(ta->correlation_id);
	assert_int_equal(strlen(ta->correlation_id), 36);
	assert_string_equal(ta->correlation_id, tb->correlation_id);
	vrp_sync_task_free(ta);
	vrp_sync_task_free(tb);
}

struct sync_story {
	const char *correlation_id;
	int sync_records, other_records;
};

static int count_story(void *ctx, const vrp_log_record *r)
{
	struct sync_story *st = ctx;
	if (r->logger && !strcmp(r->logger, "sync")) {
		if (r->correlation_id && !strcmp(r->correlation_id, st->correlation_id))
			st->sync_records++;
		else
			st->other_records++;
	}
	return 0;
}

static void test_the_worker_logs_under_the_enqueues_correlation_id(void **state)
{
	struct sync_fixture *fx = *state;
	vrp_log_settings settings = { .dir = test_path(fx->dir, "logs"),
				      .level = VRP_LOG_LEVEL_DEBUG,
				      .max_file_bytes = 1 << 20,
				      .max_files = 2,
				      .retention_days = 30 };
	assert_ok(vrp_log_open(&settings));
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	vrp_sync_task *task = task_of(fx, id);
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
	struct sync_story st = { task->correlation_id, 0, 0 };
	assert_ok(vrp_log_read(NULL, NULL, count_story, &st));
	assert_true(st.sync_records >= 1);
	assert_int_equal(st.other_records, 0);
	vrp_sync_task_free(task);
	vrp_log_close();
	free(settings.dir);
}

static void test_enqueue_refuses_a_deleted_recording(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(
		vrp_recording_repo_set_status(vrp_library_db(fx->lib), id, VRP_RECORDING_DELETED));
	assert_int_equal(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL), VRP_EINVAL);
	assert_int_equal(vrp_sync_enqueue_upload(fx->lib, id + 100, "m", NULL), VRP_ENOTFOUND);
	assert_int_equal(vrp_sync_enqueue_upload(fx->lib, id, "nope", NULL), VRP_EINVAL);
}

static void test_run_uploads_everything_and_records_it(void **state)
{
	struct sync_fixture *fx = *state;
	for (int i = 1; i <= 5; i++)
		sync_fixture_recording(fx, i, 200 + (size_t)i * 10);
	int64_t queued = 0;
	assert_ok(vrp_sync_enqueue_pending(fx->lib, NULL, NULL, 0, &queued));
	assert_int_equal(queued, 5);
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 5);
	assert_int_equal(s.worst_code, 0);
	assert_int_equal(vrp_mock_object_count(fx->mock), 5);
	assert_int_equal(sync_fixture_count(fx, VRP_SYNC_SYNCED), 5);
	vrp_recording_remote *row = row_of(fx, 1);
	assert_non_null(row->remote_path);
	assert_non_null(strstr(row->remote_path, "VoiceRecorderPro/"));
	assert_non_null(row->remote_checksum);
	assert_non_null(row->last_synced_at);
	vrp_recording_remote_free(row);
	vrp_db *db = vrp_library_db(fx->lib);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM audit_log WHERE operation = "
					    "'upload' AND success = 1"),
			 5);
	assert_int_equal(test_query_int(db, "SELECT value FROM metrics WHERE name = "
					    "'sync.latency_count'"),
			 5);
	/* The histogram's buckets are cumulative: +Inf holds every observation. */
	assert_int_equal(test_query_int(db, "SELECT value FROM metrics WHERE name = "
					    "'sync.latency_ms.le_inf'"),
			 5);
	assert_true(test_query_int(db, "SELECT coalesce(max(value), 0) FROM metrics WHERE name "
				       "LIKE 'sync.latency_ms.le_%' AND name <> "
				       "'sync.latency_ms.le_inf'") <= 5);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, &queued));
	assert_int_equal(queued, 0);
}

static void test_object_already_on_the_remote_is_not_uploaded_again(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 500);
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), id, &rec));
	/* What a worker killed after uploading, before recording it, left behind. */
	struct vrp_remote_name_parts parts = { .created_at = rec->created_at,
					       .original_filename = rec->original_filename,
					       .uuid = rec->uuid,
					       .extension = "m4a" };
	char *path = NULL, *local = vrp_library_path(fx->lib, rec->local_path);
	assert_ok(vrp_remote_name_build(&parts, &path));
	vrp_upload_request r = { .local_path = local, .remote_path = path };
	assert_ok(vrp_provider_upload(fx->mock, &r, NULL, NULL));
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.already, 1);
	assert_int_equal(s.synced, 0);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), 1);
	assert_int_equal(vrp_mock_object_count(fx->mock), 1);
	vrp_recording_remote *row = row_of(fx, id);
	assert_int_equal(row->sync_status, VRP_SYNC_SYNCED);
	assert_string_equal(row->remote_path, path);
	vrp_recording_remote_free(row);
	vrp_recording_free(rec);
	free(path);
	free(local);
}

static void test_auth_expiry_pauses_the_remote_without_using_attempts(void **state)
{
	struct sync_fixture *fx = *state;
	for (int i = 1; i <= 3; i++)
		sync_fixture_recording(fx, i, 300);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	assert_ok(vrp_mock_fault_add(fx->mock, "upload", "auth_expired", 0));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.paused, 1);
	assert_int_equal(s.synced, 0);
	assert_int_equal(s.worst_code, VRP_EAUTH_EXPIRED);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), 1);
	vrp_sync_task *task = task_of(fx, 1);
	assert_int_equal(task->state, VRP_SYNC_TASK_QUEUED);
	assert_int_equal(task->attempts, 0);
	vrp_sync_task_free(task);
	vrp_recording_remote *row = row_of(fx, 1);
	assert_int_equal(row->sync_status, VRP_SYNC_FAILED);
	assert_string_equal(row->error_code, "ERR_AUTH_EXPIRED");
	vrp_recording_remote_free(row);
	assert_int_equal(sync_fixture_count(fx, VRP_SYNC_QUEUED), 2);
	/* The pause outlives the run: a new run leaves the remote alone. */
	vrp_remote_list *remotes = NULL;
	assert_ok(vrp_remotes_list(fx->lib, &remotes));
	assert_non_null(strstr(remotes->items[0]->paused_reason, "ERR_AUTH_EXPIRED"));
	vrp_remote_list_free(remotes);
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 0);
	assert_int_equal(vrp_mock_calls(fx->mock, "upload"), 1);
	/* Re-authenticated (which resumes the remote), the next run finishes the lot. */
	assert_ok(vrp_provider_authenticate(fx->mock));
	assert_ok(vrp_remotes_resume(fx->lib, "m"));
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 3);
	assert_int_equal(sync_fixture_count(fx, VRP_SYNC_SYNCED), 3);
}

static void test_quota_marks_quota_exceeded_and_stops_the_remote(void **state)
{
	struct sync_fixture *fx = *state;
	for (int i = 1; i <= 4; i++)
		sync_fixture_recording(fx, i, 400);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	sync_fixture_start_clock(fx);
	vrp_provider *p = fx->mock;
	vrp_sync_summary s;
	/* The first upload finds the remote full: nothing more is tried there. */
	assert_ok(vrp_mock_fault_add(p, "upload", "quota", 0));
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.quota, 1);
	assert_int_equal(s.synced, 0);
	assert_int_equal(s.worst_code, VRP_EQUOTA);
	assert_int_equal(vrp_mock_calls(p, "upload"), 1);
	assert_int_equal(sync_fixture_count(fx, VRP_SYNC_QUOTA_EXCEEDED), 1);
	assert_int_equal(sync_fixture_count(fx, VRP_SYNC_QUEUED), 3);
	vrp_sync_report *report = NULL;
	assert_ok(vrp_sync_status_read(fx->lib, "m", &report));
	assert_int_equal(report->count, 1);
	assert_int_equal(report->items[0]->problems->count, 1);
	assert_string_equal(report->items[0]->problems->items[0]->error_code, "ERR_QUOTA_EXCEEDED");
	vrp_sync_report_free(report);
}

static void test_transient_failures_use_up_attempts_then_fail_with_the_error_kept(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	for (int i = 0; i < 3; i++)
		assert_ok(vrp_mock_fault_add(fx->mock, "upload", "transient", 503));
	fx->opt.max_attempts = 3;
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.retries, 2);
	assert_int_equal(s.failed, 1);
	assert_int_equal(s.worst_code, VRP_ETRANSIENT);
	vrp_sync_task *task = task_of(fx, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_FAILED);
	assert_int_equal(task->attempts, 3);
	vrp_sync_task_free(task);
	vrp_recording_remote *row = row_of(fx, id);
	assert_int_equal(row->sync_status, VRP_SYNC_FAILED);
	assert_string_equal(row->error_code, "ERR_TRANSIENT");
	assert_non_null(row->failed_at);
	/* `vrp sync status` (the row) and `vrp queue ls` (the task) agree on the attempts. */
	assert_int_equal(row->attempts, 3);
	vrp_recording_remote_free(row);
	/* `vrp queue retry --all-failed` brings it back; with the fault gone it syncs. */
	int64_t requeued = 0;
	assert_ok(vrp_sync_queue_retry_failed(fx->lib, NULL, &requeued));
	assert_int_equal(requeued, 1);
	fx->opt.max_attempts = 8;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
}

/* Recording 1, queued to "m" and failed for good by a refusal; returns its id. */
static int64_t fail_for_good(struct sync_fixture *fx, vrp_sync_summary *s)
{
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	assert_ok(vrp_mock_fault_add(fx->mock, "upload", "permanent", 0));
	sync_fixture_start_clock(fx);
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, s));
	assert_int_equal(s->failed, 1);
	return id;
}

static void test_a_synced_recording_leaves_the_failed_list(void **state)
{
	struct sync_fixture *fx = *state;
	vrp_sync_summary s;
	int64_t id = fail_for_good(fx, &s);
	/* The next `vrp sync` queues a new upload, which works. */
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
	vrp_sync_task_list *failed = NULL;
	assert_ok(vrp_sync_queue_list(fx->lib, 1u << VRP_SYNC_TASK_FAILED, NULL, 0, 100, &failed));
	assert_int_equal(failed->count, 0);
	vrp_sync_task_list_free(failed);
	vrp_recording_remote *row = row_of(fx, id);
	assert_int_equal(row->attempts, 1);
	vrp_recording_remote_free(row);
}

static void test_permanent_failure_fails_at_once(void **state)
{
	struct sync_fixture *fx = *state;
	vrp_sync_summary s;
	fail_for_good(fx, &s);
	assert_int_equal(s.retries, 0);
	assert_int_equal(s.worst_code, VRP_EPERMANENT);
}

static void test_a_dropped_upload_resumes_from_the_persisted_state(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 1000);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	assert_ok(vrp_mock_fault_add(fx->mock, "upload", "drop", 448));
	fx->opt.max_attempts = 1;
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.failed, 1);
	vrp_sync_task *task = task_of(fx, id);
	assert_non_null(task->resume_state);
	assert_non_null(strstr(task->resume_state, "\"offset\""));
	vrp_sync_task_free(task);
	/* A new run (as after a restart) continues the session. */
	assert_ok(vrp_sync_queue_retry_failed(fx->lib, "m", NULL));
	fx->opt.max_attempts = 8;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
	assert_int_equal(vrp_mock_resumed_uploads(fx->mock), 1);
	assert_int_equal(vrp_mock_session_count(fx->mock), 0);
	assert_int_equal(vrp_mock_object_count(fx->mock), 1);
	task = task_of(fx, id);
	assert_null(task->resume_state);
	vrp_sync_task_free(task);
}

struct checkpoint_probe {
	const char *root;
	char *seen; /* the task's resume state as another process saw it mid-upload */
};

/* Reads the task as a second process would, while the upload is still running. */
static void read_task_mid_upload(void *ctx, const vrp_sync_event *event)
{
	struct checkpoint_probe *probe = ctx;
	if (event->kind != VRP_SYNC_EVENT_PROGRESS || event->bytes_done == 0 || probe->seen)
		return;
	vrp_library *other = NULL;
	assert_ok(vrp_library_open(&other, probe->root, 0, NULL));
	vrp_sync_task_filter filter = { .limit = 1 };
	vrp_sync_task_list *list = NULL;
	assert_ok(vrp_sync_task_repo_list(vrp_library_db(other), &filter, &list));
	assert_int_equal(list->count, 1);
	probe->seen = strdup(list->items[0]->resume_state ? list->items[0]->resume_state : "");
	vrp_sync_task_list_free(list);
	vrp_library_free(other);
}

static void test_the_resume_state_is_kept_before_the_bytes_flow(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 1000);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	char *root = test_path(fx->dir, "lib");
	struct checkpoint_probe probe = { .root = root };
	fx->opt.progress = read_task_mid_upload;
	fx->opt.progress_ctx = &probe;
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
	/* A worker killed at that moment would have found its session again. */
	assert_non_null(probe.seen);
	assert_non_null(strstr(probe.seen, "\"session\""));
	free(probe.seen);
	free(root);
}

struct byte_watch {
	int64_t sent_mid_file, total_seen, last_done;
	bool went_back;
};

static void watch_bytes(void *ctx, const vrp_sync_event *e)
{
	struct byte_watch *w = ctx;
	if (e->kind == VRP_SYNC_EVENT_PROGRESS && e->bytes_uploaded == 0 &&
	    e->run_bytes_sent > w->sent_mid_file)
		w->sent_mid_file = e->run_bytes_sent;
	if (e->run_bytes_total > w->total_seen)
		w->total_seen = e->run_bytes_total;
	w->went_back |= e->run_bytes_done < w->last_done;
	w->last_done = e->run_bytes_done;
}

static void test_events_carry_the_runs_byte_totals_during_a_file(void **state)
{
	struct sync_fixture *fx = *state;
	sync_fixture_recording(fx, 1, 300);
	sync_fixture_recording(fx, 2, 500);
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	struct byte_watch w = { 0 };
	fx->opt.progress = watch_bytes;
	fx->opt.progress_ctx = &w;
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 2);
	/* The first file's bytes count while it moves, not only once it is done. */
	assert_true(w.sent_mid_file > 0);
	assert_int_equal(w.total_seen, 800);
	assert_int_equal(w.last_done, 800);
	assert_false(w.went_back);
}

static void test_cancel_returns_the_recording_to_unsynced(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", &task));
	assert_ok(vrp_sync_queue_cancel(fx->lib, task->id));
	vrp_recording_remote *row = row_of(fx, id);
	assert_int_equal(row->sync_status, VRP_SYNC_UNSYNCED);
	vrp_recording_remote_free(row);
	assert_int_equal(vrp_sync_queue_cancel(fx->lib, 9999), VRP_ENOTFOUND);
	assert_ok(vrp_sync_queue_retry(fx->lib, task->id));
	row = row_of(fx, id);
	assert_int_equal(row->sync_status, VRP_SYNC_QUEUED);
	vrp_recording_remote_free(row);
	vrp_sync_task_free(task);
}

static void test_an_expired_lease_is_taken_over(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = sync_fixture_recording(fx, 1, 300);
	assert_ok(vrp_sync_enqueue_upload(fx->lib, id, "m", NULL));
	sync_fixture_start_clock(fx);
	/* A worker that claimed it (a lease of 1 ms, long gone by the fake clock) and died. */
	vrp_sync_task *dead = NULL;
	assert_ok(vrp_sync_task_repo_claim(vrp_library_db(fx->lib), "m",
					   VRP_SYNC_LEASE_OWNER("dead-worker"), 1, NULL, &dead));
	vrp_sync_task_free(dead);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_int_equal(s.synced, 1);
	vrp_sync_task *task = task_of(fx, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_DONE);
	assert_string_not_equal(task->lease_owner, "dead-worker");
	vrp_sync_task_free(task);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sync_fixture_setup, sync_fixture_teardown)
		T(test_enqueue_upload_marks_queued_and_is_idempotent),
		T(test_one_enqueue_gives_its_tasks_one_correlation_id),
		T(test_the_worker_logs_under_the_enqueues_correlation_id),
		T(test_enqueue_refuses_a_deleted_recording),
		T(test_run_uploads_everything_and_records_it),
		T(test_object_already_on_the_remote_is_not_uploaded_again),
		T(test_auth_expiry_pauses_the_remote_without_using_attempts),
		T(test_quota_marks_quota_exceeded_and_stops_the_remote),
		T(test_transient_failures_use_up_attempts_then_fail_with_the_error_kept),
		T(test_permanent_failure_fails_at_once),
		T(test_a_synced_recording_leaves_the_failed_list),
		T(test_a_dropped_upload_resumes_from_the_persisted_state),
		T(test_the_resume_state_is_kept_before_the_bytes_flow),
		T(test_events_carry_the_runs_byte_totals_during_a_file),
		T(test_cancel_returns_the_recording_to_unsynced),
		T(test_an_expired_lease_is_taken_over),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
