/* test_sync_task_repo.c - the durable sync queue: enqueue, leases, transitions, listing. */
#include "test_support.h"

#include "core/clock.h"
#include "db/db_internal.h"
#include "db/remote_repo.h"
#include "db/sync_task_repo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2027-01-15T08:00:00.000Z: the tests' "now"; T(ms) is that plus ms. */
#define BASE_MS INT64_C(1799913600000)

static const char *T(int64_t offset_ms)
{
	static char slots[16][VRP_TIME_ISO_LEN];
	static int next;
	char *out = slots[next++ % 16];
	vrp_time_format_iso(BASE_MS + offset_ms, out);
	return out;
}

/* A minimal valid recordings row; returns its id. */
static int64_t add_recording(vrp_db *db, int n)
{
	char sql[1024];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, "
		 "mime_type, filesize_bytes, checksum, created_at, modified_at) "
		 "VALUES ('00000000-0000-4000-8000-%012d', 'memo%d.wav', 'r%d.wav', "
		 "'recordings/raw/r%d.wav', 'audio/wav', 100, printf('%%064d', %d), "
		 "'2027-01-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')",
		 n, n, n, n, n);
	test_exec(db, sql);
	return vrp_db_last_insert_id(db);
}

/* Remotes "nas" and "drive" and recording 1; most tests start here. */
static int setup(void **state)
{
	test_db_setup(state);
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_remote_repo_insert(db, "nas", "sftp", NULL));
	assert_ok(vrp_remote_repo_insert(db, "drive", "gdrive", NULL));
	assert_int_equal(add_recording(db, 1), 1);
	return 0;
}

static vrp_sync_task_request request(vrp_sync_op op, const char *remote, const char *key,
				     int64_t priority)
{
	return (vrp_sync_task_request){ .op = op,
					.recording_id = 1,
					.remote = remote,
					.idempotency_key = key,
					.priority = priority };
}

/* Enqueues an upload to "nas" with `key`, due at `now`; returns the task (caller frees). */
static vrp_sync_task *enqueue(vrp_db *db, const char *key, int64_t priority, const char *now)
{
	vrp_sync_task_request r = request(VRP_SYNC_OP_UPLOAD, "nas", key, priority);
	vrp_sync_task *task = NULL;
	bool created = false;
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, now, &task, &created));
	assert_true(created);
	return task;
}

static int64_t enqueue_id(vrp_db *db, const char *key, int64_t priority, const char *now)
{
	vrp_sync_task *task = enqueue(db, key, priority, now);
	int64_t id = task->id;
	vrp_sync_task_free(task);
	return id;
}

static int64_t claim_id(vrp_db *db, const char *owner, const char *now)
{
	vrp_sync_task *task = NULL;
	assert_ok(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER(owner), 60000, now, &task));
	int64_t id = task->id;
	vrp_sync_task_free(task);
	return id;
}

static vrp_sync_task *get(vrp_db *db, int64_t id)
{
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_get_by_id(db, id, &task));
	return task;
}

static vrp_sync_task_state state_of(vrp_db *db, int64_t id)
{
	vrp_sync_task *task = get(db, id);
	vrp_sync_task_state s = task->state;
	vrp_sync_task_free(task);
	return s;
}

/* ---- names ---- */

static void test_op_and_state_names_round_trip(void **state)
{
	(void)state;
	for (int i = 0; i < VRP_SYNC_OP_COUNT; i++) {
		vrp_sync_op op = VRP_SYNC_OP_UPLOAD;
		assert_ok(vrp_sync_op_from_string(vrp_sync_op_to_string((vrp_sync_op)i), &op));
		assert_int_equal(op, i);
	}
	for (int i = 0; i < VRP_SYNC_TASK_STATE_COUNT; i++) {
		vrp_sync_task_state s = VRP_SYNC_TASK_QUEUED;
		const char *name = vrp_sync_task_state_to_string((vrp_sync_task_state)i);
		assert_ok(vrp_sync_task_state_from_string(name, &s));
		assert_int_equal(s, i);
	}
	assert_string_equal(vrp_sync_op_to_string(VRP_SYNC_OP_DELETE), "delete");
	assert_string_equal(vrp_sync_task_state_to_string(VRP_SYNC_TASK_CANCELLED), "cancelled");
}

static void test_unknown_op_and_state_are_einval(void **state)
{
	(void)state;
	vrp_sync_op op = VRP_SYNC_OP_VERIFY;
	vrp_sync_task_state s = VRP_SYNC_TASK_DONE;
	assert_int_equal(vrp_sync_op_from_string("UPLOAD", &op), VRP_EINVAL);
	assert_int_equal(vrp_sync_op_from_string(NULL, &op), VRP_EINVAL);
	assert_int_equal(vrp_sync_task_state_from_string("finished", &s), VRP_EINVAL);
	assert_int_equal(op, VRP_SYNC_OP_VERIFY);
	assert_int_equal(s, VRP_SYNC_TASK_DONE);
	assert_null(vrp_sync_op_to_string((vrp_sync_op)VRP_SYNC_OP_COUNT));
	assert_null(vrp_sync_task_state_to_string((vrp_sync_task_state)-1));
}

/* ---- enqueue ---- */

static void test_enqueue_creates_a_queued_task_due_now(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task_request r = request(VRP_SYNC_OP_DOWNLOAD, "drive", "sha:100", 7);
	r.correlation_id = "cmd-42";
	r.remote_id = "file-9";
	r.remote_path = "/vrp/r1.wav";
	vrp_sync_task *task = NULL;
	bool created = false;
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, T(0), &task, &created));
	assert_true(created);
	assert_int_equal(strlen(task->uuid), 36);
	assert_int_equal(task->op, VRP_SYNC_OP_DOWNLOAD);
	assert_int_equal(task->recording_id, 1);
	assert_string_equal(task->remote, "drive");
	assert_int_equal(task->state, VRP_SYNC_TASK_QUEUED);
	assert_int_equal(task->priority, 7);
	assert_int_equal(task->attempts, 0);
	assert_string_equal(task->next_attempt_at, T(0));
	assert_string_equal(task->created_at, T(0));
	assert_string_equal(task->idempotency_key, "sha:100");
	assert_string_equal(task->correlation_id, "cmd-42");
	assert_string_equal(task->remote_id, "file-9");
	assert_string_equal(task->remote_path, "/vrp/r1.wav");
	assert_null(task->lease_owner);
	assert_null(task->lease_until);
	assert_null(task->resume_state);
	assert_null(task->finished_at);
	vrp_sync_task_free(task);
}

static void test_enqueue_twice_returns_the_live_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task *first = enqueue(db, "k", 0, T(0));
	vrp_sync_task_request r = request(VRP_SYNC_OP_UPLOAD, "nas", "k", 5);
	vrp_sync_task *second = NULL;
	bool created = true;
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, T(1000), &second, &created));
	assert_false(created);
	assert_int_equal(second->id, first->id);
	assert_string_equal(second->uuid, first->uuid);
	assert_int_equal(second->priority, 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks"), 1);
	vrp_sync_task_free(first);
	vrp_sync_task_free(second);
}

static void test_enqueue_while_running_returns_the_running_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	vrp_sync_task_request r = request(VRP_SYNC_OP_UPLOAD, "nas", "k", 0);
	vrp_sync_task *again = NULL;
	bool created = true;
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, T(10), &again, &created));
	assert_false(created);
	assert_int_equal(again->id, id);
	assert_int_equal(again->state, VRP_SYNC_TASK_RUNNING);
	vrp_sync_task_free(again);
}

static void test_enqueue_after_completion_creates_a_new_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_ok(vrp_sync_task_repo_complete(db, id, "w1", T(10)));
	int64_t again = enqueue_id(db, "k", 0, T(20));
	assert_int_not_equal(again, id);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks"), 2);
}

static void test_enqueue_same_key_for_another_op_or_remote_is_separate(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t upload = enqueue_id(db, "k", 0, T(0));
	vrp_sync_task_request verify = request(VRP_SYNC_OP_VERIFY, "nas", "k", 0);
	vrp_sync_task_request other = request(VRP_SYNC_OP_UPLOAD, "drive", "k", 0);
	vrp_sync_task *a = NULL, *b = NULL;
	bool created_a = false, created_b = false;
	assert_ok(vrp_sync_task_repo_enqueue(db, &verify, T(0), &a, &created_a));
	assert_ok(vrp_sync_task_repo_enqueue(db, &other, T(0), &b, &created_b));
	assert_true(created_a && created_b);
	assert_int_not_equal(a->id, upload);
	assert_int_not_equal(b->id, upload);
	assert_int_not_equal(a->id, b->id);
	vrp_sync_task_free(a);
	vrp_sync_task_free(b);
}

static void test_enqueue_without_a_recording_stores_null(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task_request r = request(VRP_SYNC_OP_DELETE, "nas", "obj-1", 0);
	r.recording_id = 0;
	r.remote_id = "obj-1";
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, NULL, &task, NULL));
	assert_int_equal(task->recording_id, 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks "
					    "WHERE recording_id IS NULL"),
			 1);
	vrp_sync_task_free(task);
}

static void test_enqueue_unknown_remote_or_recording_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task_request r = request(VRP_SYNC_OP_UPLOAD, "nope", "k", 0);
	vrp_sync_task *task = NULL;
	bool created = true;
	assert_int_equal(vrp_sync_task_repo_enqueue(db, &r, T(0), &task, &created), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "nope"));
	r.remote = "nas";
	r.recording_id = 99;
	assert_int_equal(vrp_sync_task_repo_enqueue(db, &r, T(0), &task, &created), VRP_ENOTFOUND);
	assert_null(task);
	assert_false(created);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks"), 0);
}

static void test_enqueue_rejects_an_invalid_request(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task_request r = request(VRP_SYNC_OP_UPLOAD, "nas", "", 0);
	assert_int_equal(vrp_sync_task_repo_enqueue(db, &r, T(0), NULL, NULL), VRP_EINVAL);
	r = request((vrp_sync_op)VRP_SYNC_OP_COUNT, "nas", "k", 0);
	assert_int_equal(vrp_sync_task_repo_enqueue(db, &r, T(0), NULL, NULL), VRP_EINVAL);
	r = request(VRP_SYNC_OP_UPLOAD, NULL, "k", 0);
	assert_int_equal(vrp_sync_task_repo_enqueue(db, &r, T(0), NULL, NULL), VRP_EINVAL);
	r = request(VRP_SYNC_OP_UPLOAD, "nas", "k", 0);
	assert_int_equal(vrp_sync_task_repo_enqueue(db, &r, "2027-01-15 08:00:00", NULL, NULL),
			 VRP_EINVAL);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks"), 0);
}

/* ---- get ---- */

static void test_get_by_id_and_uuid_find_the_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task *made = enqueue(db, "k", 0, T(0));
	vrp_sync_task *by_id = NULL, *by_uuid = NULL;
	assert_ok(vrp_sync_task_repo_get_by_id(db, made->id, &by_id));
	assert_ok(vrp_sync_task_repo_get_by_uuid(db, made->uuid, &by_uuid));
	assert_string_equal(by_id->uuid, made->uuid);
	assert_int_equal(by_uuid->id, made->id);
	vrp_sync_task_free(made);
	vrp_sync_task_free(by_id);
	vrp_sync_task_free(by_uuid);
}

static void test_get_unknown_task_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task *task = NULL;
	assert_int_equal(vrp_sync_task_repo_get_by_id(db, 404, &task), VRP_ENOTFOUND);
	assert_int_equal(
		vrp_sync_task_repo_get_by_uuid(db, "00000000-0000-4000-8000-000000000000", &task),
		VRP_ENOTFOUND);
	assert_null(task);
}

/* ---- claim ---- */

static void test_claim_takes_higher_priority_then_earlier_due(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t low_early = enqueue_id(db, "a", 0, T(0));
	int64_t high_late = enqueue_id(db, "b", 5, T(300));
	int64_t high_early = enqueue_id(db, "c", 5, T(100));
	int64_t low_late = enqueue_id(db, "d", 0, T(200));
	assert_int_equal(claim_id(db, "w", T(1000)), high_early);
	assert_int_equal(claim_id(db, "w", T(1000)), high_late);
	assert_int_equal(claim_id(db, "w", T(1000)), low_early);
	assert_int_equal(claim_id(db, "w", T(1000)), low_late);
}

static void test_claim_with_the_same_due_time_takes_the_oldest(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t first = enqueue_id(db, "a", 0, T(0));
	int64_t second = enqueue_id(db, "b", 0, T(0));
	assert_int_equal(claim_id(db, "w", T(0)), first);
	assert_int_equal(claim_id(db, "w", T(0)), second);
}

static void test_claim_leaves_a_task_that_is_not_yet_due(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(5000));
	vrp_sync_task *task = NULL;
	assert_int_equal(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w"), 1000, T(4999), &task),
		VRP_ENOTFOUND);
	assert_null(task);
	assert_int_equal(state_of(db, id), VRP_SYNC_TASK_QUEUED);
	assert_int_equal(claim_id(db, "w", T(5000)), id);
}

static void test_claim_on_an_empty_queue_is_enotfound(void **state)
{
	vrp_sync_task *task = NULL;
	assert_int_equal(vrp_sync_task_repo_claim(test_fixture_db(state), "nas",
						  VRP_SYNC_LEASE_OWNER("w"), 1000, T(0), &task),
			 VRP_ENOTFOUND);
	assert_null(task);
}

static void test_claim_leases_the_task_and_counts_an_attempt(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("host:1"), 30000, T(250),
					   &task));
	assert_int_equal(task->id, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_RUNNING);
	assert_string_equal(task->lease_owner, "host:1");
	assert_string_equal(task->lease_until, T(30250));
	assert_int_equal(task->attempts, 1);
	vrp_sync_task_free(task);
	task = get(db, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_RUNNING);
	assert_string_equal(task->lease_until, T(30250));
	vrp_sync_task_free(task);
}

static void test_claim_only_takes_tasks_of_the_given_remote(void **state)
{
	vrp_db *db = test_fixture_db(state);
	enqueue_id(db, "k", 9, T(0));
	vrp_sync_task_request r = request(VRP_SYNC_OP_UPLOAD, "drive", "k", 0);
	vrp_sync_task *on_drive = NULL;
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, T(0), &on_drive, NULL));
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_claim(db, "drive", VRP_SYNC_LEASE_OWNER("w"), 1000, T(0),
					   &task));
	assert_int_equal(task->id, on_drive->id);
	vrp_sync_task_free(task);
	vrp_sync_task_free(on_drive);
	assert_int_equal(
		vrp_sync_task_repo_claim(db, "drive", VRP_SYNC_LEASE_OWNER("w"), 1000, T(0), &task),
		VRP_ENOTFOUND);
}

static void test_claim_leaves_a_running_task_with_a_live_lease(void **state)
{
	vrp_db *db = test_fixture_db(state);
	enqueue_id(db, "k", 0, T(0));
	vrp_sync_task *task = NULL;
	assert_ok(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w1"), 1000, T(0), &task));
	vrp_sync_task_free(task);
	task = NULL;
	/* The lease ends at T(1000): at that very moment it is not yet expired. */
	assert_int_equal(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w2"), 1000,
						  T(1000), &task),
			 VRP_ENOTFOUND);
	assert_null(task);
}

static void test_claim_reclaims_an_expired_lease(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	vrp_sync_task *task = NULL;
	assert_ok(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w1"), 1000, T(0), &task));
	vrp_sync_task_free(task);
	assert_ok(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w2"), 1000, T(1001),
					   &task));
	assert_int_equal(task->id, id);
	assert_string_equal(task->lease_owner, "w2");
	assert_string_equal(task->lease_until, T(2001));
	assert_int_equal(task->attempts, 2);
	vrp_sync_task_free(task);
}

static void test_claim_leaves_the_expired_lease_of_its_own_process_alone(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	vrp_sync_lease_holder a = { "host-1-0", "host", 1, 100 },
			      b = { "host-1-1", "host", 1, 100 };
	vrp_sync_lease_holder other = { "host-2-0", "host", 2, 100 };
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_claim(db, NULL, &a, 1000, T(0), &task));
	assert_string_equal(task->lease_host, "host");
	assert_int_equal(task->lease_pid, 1);
	assert_int_equal(task->lease_pid_start, 100);
	vrp_sync_task_free(task);
	task = NULL;
	/* Another thread of the same, living, process: the first is slow, not dead. */
	assert_int_equal(vrp_sync_task_repo_claim(db, NULL, &b, 1000, T(5000), &task),
			 VRP_ENOTFOUND);
	char at[VRP_TIME_ISO_LEN];
	bool any = true;
	assert_ok(vrp_sync_task_repo_next_wakeup(db, NULL, &b, T(5000), at, &any));
	assert_false(any);
	/* Another process may: it cannot see whether the holder lives. */
	assert_ok(vrp_sync_task_repo_claim(db, NULL, &other, 1000, T(5000), &task));
	assert_int_equal(task->id, id);
	vrp_sync_task_free(task);
}

static void test_expire_process_ends_only_that_process_leases(void **state)
{
	vrp_db *db = test_fixture_db(state);
	enqueue_id(db, "k1", 0, T(0));
	enqueue_id(db, "k2", 0, T(0));
	vrp_sync_lease_holder dead = { "h-7-0", "h", 7, 70 }, live = { "h-8-0", "h", 8, 80 };
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_claim(db, NULL, &dead, 60000, T(0), &task));
	vrp_sync_task_free(task);
	assert_ok(vrp_sync_task_repo_claim(db, NULL, &live, 60000, T(0), &task));
	vrp_sync_task_free(task);
	vrp_sync_lease_process_list *list = NULL;
	assert_ok(vrp_sync_task_repo_lease_processes(db, NULL, T(10), &list));
	assert_int_equal(list->count, 2);
	assert_string_equal(list->items[0].remote, "nas");
	vrp_sync_lease_process_list_free(list);
	int64_t count = 0;
	/* A pid reused by a later process is another process: nothing of its own to end. */
	assert_ok(vrp_sync_task_repo_expire_process(db, "h", 7, 71, T(10), &count));
	assert_int_equal(count, 0);
	assert_ok(vrp_sync_task_repo_expire_process(db, "h", 7, 70, T(10), &count));
	assert_int_equal(count, 1);
	assert_ok(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w"), 1000, T(10), &task));
	assert_string_equal(task->lease_owner, "w");
	vrp_sync_task_free(task);
	task = NULL;
	assert_int_equal(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w"), 1000, T(10), &task),
		VRP_ENOTFOUND);
}

/* Owner w1 claims at T(0) with a 1 s lease; w2 reclaims it at T(5000). Returns the id. */
static int64_t reclaimed_task(vrp_db *db)
{
	int64_t id = enqueue_id(db, "k", 0, T(0));
	vrp_sync_task *task = NULL;
	assert_ok(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w1"), 1000, T(0), &task));
	vrp_sync_task_free(task);
	assert_ok(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w2"), 60000, T(5000),
					   &task));
	vrp_sync_task_free(task);
	return id;
}

static void test_first_owner_cannot_complete_after_a_reclaim(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = reclaimed_task(db);
	assert_int_equal(vrp_sync_task_repo_complete(db, id, "w1", T(6000)), VRP_ECONFLICT);
	assert_non_null(strstr(vrp_error_last()->message, "w1"));
	assert_int_equal(state_of(db, id), VRP_SYNC_TASK_RUNNING);
	assert_ok(vrp_sync_task_repo_complete(db, id, "w2", T(6000)));
}

static void test_first_owner_cannot_renew_fail_or_save_after_a_reclaim(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = reclaimed_task(db);
	assert_int_equal(vrp_sync_task_repo_renew_lease(db, id, "w1", 60000, T(6000)),
			 VRP_ECONFLICT);
	assert_int_equal(vrp_sync_task_repo_fail(db, id, "w1", "ERR_IO", "x", NULL, T(6000)),
			 VRP_ECONFLICT);
	assert_int_equal(vrp_sync_task_repo_save_resume_state(db, id, "w1", "{}", T(6000)),
			 VRP_ECONFLICT);
	vrp_sync_task *task = get(db, id);
	assert_string_equal(task->lease_owner, "w2");
	assert_string_equal(task->lease_until, T(65000));
	assert_null(task->resume_state);
	assert_null(task->error_code);
	vrp_sync_task_free(task);
}

static void test_claim_rejects_bad_arguments(void **state)
{
	vrp_db *db = test_fixture_db(state);
	enqueue_id(db, "k", 0, T(0));
	vrp_sync_task *task = NULL;
	assert_int_equal(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER(""), 1000, T(0), &task),
		VRP_EINVAL);
	assert_int_equal(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER(NULL), 1000, T(0), &task),
		VRP_EINVAL);
	assert_int_equal(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w"), 0, T(0), &task),
		VRP_EINVAL);
	assert_int_equal(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w"), 1000,
						  "yesterday", &task),
			 VRP_EINVAL);
	assert_null(task);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks "
					    "WHERE state = 'queued'"),
			 1);
}

/* ---- the lease holder's calls ---- */

static void test_renew_lease_keeps_the_task_from_being_reclaimed(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id); /* lease to T(60000) */
	assert_ok(vrp_sync_task_repo_renew_lease(db, id, "w1", 60000, T(50000)));
	vrp_sync_task *task = get(db, id);
	assert_string_equal(task->lease_until, T(110000));
	vrp_sync_task_free(task);
	task = NULL;
	assert_int_equal(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w2"), 1000,
						  T(70000), &task),
			 VRP_ENOTFOUND);
	assert_null(task);
}

static void test_renew_lease_of_an_unknown_or_unleased_task_fails(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(vrp_sync_task_repo_renew_lease(db, 404, "w", 1000, T(0)), VRP_ENOTFOUND);
	assert_int_equal(vrp_sync_task_repo_renew_lease(db, id, "w", 1000, T(0)), VRP_ECONFLICT);
	assert_int_equal(vrp_sync_task_repo_renew_lease(db, id, "w", -5, T(0)), VRP_EINVAL);
}

static void test_complete_marks_the_task_done(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_ok(vrp_sync_task_repo_save_resume_state(db, id, "w1", "{\"offset\":5}", T(10)));
	assert_ok(vrp_sync_task_repo_complete(db, id, "w1", T(20)));
	vrp_sync_task *task = get(db, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_DONE);
	assert_string_equal(task->finished_at, T(20));
	assert_null(task->lease_until);
	assert_null(task->resume_state);
	assert_int_equal(task->attempts, 1);
	vrp_sync_task_free(task);
}

static void test_complete_unknown_or_queued_task_fails(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(vrp_sync_task_repo_complete(db, 404, "w", T(0)), VRP_ENOTFOUND);
	assert_int_equal(vrp_sync_task_repo_complete(db, id, "w", T(0)), VRP_ECONFLICT);
	assert_int_equal(vrp_sync_task_repo_complete(db, id, "", T(0)), VRP_EINVAL);
	assert_int_equal(state_of(db, id), VRP_SYNC_TASK_QUEUED);
}

static void test_fail_with_retry_at_requeues_the_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_ok(vrp_sync_task_repo_save_resume_state(db, id, "w1", "{\"session\":\"u\"}", T(5)));
	assert_ok(vrp_sync_task_repo_fail(db, id, "w1", "ERR_TRANSIENT", "503", T(30000), T(10)));

	vrp_sync_task *task = get(db, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_QUEUED);
	assert_string_equal(task->next_attempt_at, T(30000));
	assert_string_equal(task->error_code, "ERR_TRANSIENT");
	assert_string_equal(task->error_message, "503");
	assert_string_equal(task->resume_state, "{\"session\":\"u\"}");
	assert_null(task->finished_at);
	assert_null(task->lease_until);
	vrp_sync_task_free(task);
	task = NULL;
	assert_int_equal(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w2"), 1000,
						  T(29999), &task),
			 VRP_ENOTFOUND);
	assert_int_equal(claim_id(db, "w2", T(30000)), id);
}

static void test_fail_without_retry_at_fails_the_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_ok(vrp_sync_task_repo_fail(db, id, "w1", "ERR_PERMANENT", "403", NULL, T(10)));
	vrp_sync_task *task = get(db, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_FAILED);
	assert_string_equal(task->finished_at, T(10));
	assert_string_equal(task->error_code, "ERR_PERMANENT");
	vrp_sync_task_free(task);
	task = NULL;
	assert_int_equal(vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w2"), 1000,
						  T(100000), &task),
			 VRP_ENOTFOUND);
}

static void test_fail_rejects_a_malformed_retry_time(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_int_equal(vrp_sync_task_repo_fail(db, id, "w1", "E", "m", "soon", T(10)),
			 VRP_EINVAL);
	assert_int_equal(state_of(db, id), VRP_SYNC_TASK_RUNNING);
}

static void test_save_resume_state_stores_and_clears_json(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_ok(vrp_sync_task_repo_save_resume_state(db, id, "w1", "{\"bytes\":1024}", T(1)));
	vrp_sync_task *task = get(db, id);
	assert_string_equal(task->resume_state, "{\"bytes\":1024}");
	vrp_sync_task_free(task);
	assert_ok(vrp_sync_task_repo_save_resume_state(db, id, "w1", NULL, T(2)));
	task = get(db, id);
	assert_null(task->resume_state);
	vrp_sync_task_free(task);
}

static void test_save_resume_state_rejects_invalid_json(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_ok(vrp_sync_task_repo_save_resume_state(db, id, "w1", "{\"bytes\":1}", T(1)));
	assert_int_equal(vrp_sync_task_repo_save_resume_state(db, id, "w1", "{bytes:", T(2)),
			 VRP_EINVAL);
	vrp_sync_task *task = get(db, id);
	assert_string_equal(task->resume_state, "{\"bytes\":1}");
	vrp_sync_task_free(task);
}

/* ---- cancel and retry ---- */

static void test_cancel_a_queued_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_ok(vrp_sync_task_repo_cancel(db, id, T(5)));
	vrp_sync_task *task = get(db, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_CANCELLED);
	assert_string_equal(task->finished_at, T(5));
	vrp_sync_task_free(task);
	task = NULL;
	assert_int_equal(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w"), 1000, T(10), &task),
		VRP_ENOTFOUND);
}

static void test_cancel_a_running_task_stops_its_worker(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w1", T(0)), id);
	assert_ok(vrp_sync_task_repo_cancel(db, id, T(5)));
	assert_int_equal(vrp_sync_task_repo_complete(db, id, "w1", T(6)), VRP_ECONFLICT);
	assert_int_equal(state_of(db, id), VRP_SYNC_TASK_CANCELLED);
}

static void test_cancel_twice_succeeds(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_ok(vrp_sync_task_repo_cancel(db, id, T(5)));
	assert_ok(vrp_sync_task_repo_cancel(db, id, T(9)));
	vrp_sync_task *task = get(db, id);
	assert_string_equal(task->finished_at, T(5));
	vrp_sync_task_free(task);
}

static void test_cancel_a_done_or_failed_task_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t done = enqueue_id(db, "a", 1, T(0));
	int64_t failed = enqueue_id(db, "b", 0, T(0));
	assert_int_equal(claim_id(db, "w", T(0)), done);
	assert_ok(vrp_sync_task_repo_complete(db, done, "w", T(1)));
	assert_int_equal(claim_id(db, "w", T(0)), failed);
	assert_ok(vrp_sync_task_repo_fail(db, failed, "w", "E", "m", NULL, T(1)));

	assert_int_equal(vrp_sync_task_repo_cancel(db, done, T(2)), VRP_EINVAL);
	assert_int_equal(vrp_sync_task_repo_cancel(db, failed, T(2)), VRP_EINVAL);
	assert_int_equal(vrp_sync_task_repo_cancel(db, 404, T(2)), VRP_ENOTFOUND);
	assert_int_equal(state_of(db, done), VRP_SYNC_TASK_DONE);
	assert_int_equal(state_of(db, failed), VRP_SYNC_TASK_FAILED);
}

static void test_retry_requeues_a_failed_task_keeping_attempts(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(claim_id(db, "w", T(0)), id);
	assert_ok(vrp_sync_task_repo_fail(db, id, "w", "ERR_AUTH", "401", NULL, T(1)));
	assert_ok(vrp_sync_task_repo_retry(db, id, T(500)));
	vrp_sync_task *task = get(db, id);
	assert_int_equal(task->state, VRP_SYNC_TASK_QUEUED);
	assert_string_equal(task->next_attempt_at, T(500));
	assert_null(task->finished_at);
	assert_int_equal(task->attempts, 1);
	vrp_sync_task_free(task);
	task = NULL;
	assert_ok(
		vrp_sync_task_repo_claim(db, NULL, VRP_SYNC_LEASE_OWNER("w"), 1000, T(500), &task));
	assert_int_equal(task->attempts, 2);
	vrp_sync_task_free(task);
}

static void test_retry_requeues_a_cancelled_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_ok(vrp_sync_task_repo_cancel(db, id, T(1)));
	assert_ok(vrp_sync_task_repo_retry(db, id, T(2)));
	assert_int_equal(state_of(db, id), VRP_SYNC_TASK_QUEUED);
}

static void test_retry_of_a_live_or_done_task_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t id = enqueue_id(db, "k", 0, T(0));
	assert_int_equal(vrp_sync_task_repo_retry(db, id, T(1)), VRP_EINVAL);
	assert_int_equal(claim_id(db, "w", T(0)), id);
	assert_int_equal(vrp_sync_task_repo_retry(db, id, T(1)), VRP_EINVAL);
	assert_ok(vrp_sync_task_repo_complete(db, id, "w", T(2)));
	assert_int_equal(vrp_sync_task_repo_retry(db, id, T(3)), VRP_EINVAL);
	assert_int_equal(vrp_sync_task_repo_retry(db, 404, T(3)), VRP_ENOTFOUND);
}

static void test_retry_while_the_same_work_is_queued_is_eexists(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t old = enqueue_id(db, "k", 0, T(0));
	assert_ok(vrp_sync_task_repo_cancel(db, old, T(1)));
	int64_t fresh = enqueue_id(db, "k", 0, T(2));
	assert_int_equal(vrp_sync_task_repo_retry(db, old, T(3)), VRP_EEXISTS);
	assert_int_equal(state_of(db, old), VRP_SYNC_TASK_CANCELLED);
	assert_int_equal(state_of(db, fresh), VRP_SYNC_TASK_QUEUED);
}

/* ---- list, count, prune ---- */

/* Five tasks: 1 queued nas, 2 running nas, 3 done nas, 4 failed drive, 5 queued drive (rec 2). */
static void make_mixed_queue(vrp_db *db)
{
	int64_t rec2 = add_recording(db, 2);
	assert_int_equal(enqueue_id(db, "a", 0, T(0)), 1);
	assert_int_equal(enqueue_id(db, "b", 2, T(0)), 2);
	assert_int_equal(enqueue_id(db, "c", 1, T(0)), 3);
	vrp_sync_task_request r = request(VRP_SYNC_OP_UPLOAD, "drive", "d", 0);
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, T(0), NULL, NULL));
	r = request(VRP_SYNC_OP_UPLOAD, "drive", "e", 0);
	r.recording_id = rec2;
	assert_ok(vrp_sync_task_repo_enqueue(db, &r, T(100), NULL, NULL));
	assert_int_equal(claim_id(db, "w", T(0)), 2);
	assert_int_equal(claim_id(db, "w", T(0)), 3);
	assert_ok(vrp_sync_task_repo_complete(db, 3, "w", T(1)));
	vrp_sync_task *task = NULL;
	assert_ok(vrp_sync_task_repo_claim(db, "drive", VRP_SYNC_LEASE_OWNER("w"), 1000, T(0),
					   &task));
	assert_int_equal(task->id, 4);
	vrp_sync_task_free(task);
	assert_ok(vrp_sync_task_repo_fail(db, 4, "w", "E", "m", NULL, T(1)));
}

static void assert_ids(const vrp_sync_task_list *list, size_t count, const int64_t *ids)
{
	assert_int_equal(list->count, count);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(list->items[i]->id, ids[i]);
}

static void test_list_filters_by_state_remote_and_recording(void **state)
{
	vrp_db *db = test_fixture_db(state);
	make_mixed_queue(db);
	vrp_sync_task_list *list = NULL;

	vrp_sync_task_filter f = { .limit = 100 };
	assert_ok(vrp_sync_task_repo_list(db, &f, &list));
	assert_ids(list, 5, (int64_t[]){ 1, 2, 3, 4, 5 });
	vrp_sync_task_list_free(list);

	f.states = VRP_SYNC_TASK_STATE_BIT(VRP_SYNC_TASK_QUEUED) |
		   VRP_SYNC_TASK_STATE_BIT(VRP_SYNC_TASK_FAILED);
	assert_ok(vrp_sync_task_repo_list(db, &f, &list));
	assert_ids(list, 3, (int64_t[]){ 1, 4, 5 });
	vrp_sync_task_list_free(list);

	f.remote = "drive";
	assert_ok(vrp_sync_task_repo_list(db, &f, &list));
	assert_ids(list, 2, (int64_t[]){ 4, 5 });
	vrp_sync_task_list_free(list);

	f.recording_id = 2;
	assert_ok(vrp_sync_task_repo_list(db, &f, &list));
	assert_ids(list, 1, (int64_t[]){ 5 });
	assert_string_equal(list->items[0]->idempotency_key, "e");
	vrp_sync_task_list_free(list);
}

static void test_list_pages_with_the_last_id(void **state)
{
	vrp_db *db = test_fixture_db(state);
	make_mixed_queue(db);
	vrp_sync_task_list *list = NULL;
	vrp_sync_task_filter f = { .limit = 2 };
	assert_ok(vrp_sync_task_repo_list(db, &f, &list));
	assert_ids(list, 2, (int64_t[]){ 1, 2 });
	f.after_id = list->items[1]->id;
	vrp_sync_task_list_free(list);
	assert_ok(vrp_sync_task_repo_list(db, &f, &list));
	assert_ids(list, 2, (int64_t[]){ 3, 4 });
	f.after_id = list->items[1]->id;
	vrp_sync_task_list_free(list);
	assert_ok(vrp_sync_task_repo_list(db, &f, &list));
	assert_ids(list, 1, (int64_t[]){ 5 });
	vrp_sync_task_list_free(list);
}

static void test_list_rejects_a_bad_filter(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_sync_task_list *list = NULL;
	vrp_sync_task_filter f = { .limit = 0 };
	assert_int_equal(vrp_sync_task_repo_list(db, &f, &list), VRP_EINVAL);
	f = (vrp_sync_task_filter){ .limit = 10, .states = 1u << VRP_SYNC_TASK_STATE_COUNT };
	assert_int_equal(vrp_sync_task_repo_list(db, &f, &list), VRP_EINVAL);
	assert_null(list);
}

static void test_count_by_state_counts_per_remote_and_overall(void **state)
{
	vrp_db *db = test_fixture_db(state);
	make_mixed_queue(db);
	assert_ok(vrp_sync_task_repo_cancel(db, 1, T(2)));
	vrp_sync_task_counts c;
	assert_ok(vrp_sync_task_repo_count_by_state(db, NULL, &c));
	assert_int_equal(c.by_state[VRP_SYNC_TASK_QUEUED], 1);
	assert_int_equal(c.by_state[VRP_SYNC_TASK_RUNNING], 1);
	assert_int_equal(c.by_state[VRP_SYNC_TASK_DONE], 1);
	assert_int_equal(c.by_state[VRP_SYNC_TASK_FAILED], 1);
	assert_int_equal(c.by_state[VRP_SYNC_TASK_CANCELLED], 1);
	assert_ok(vrp_sync_task_repo_count_by_state(db, "nas", &c));
	assert_int_equal(c.by_state[VRP_SYNC_TASK_QUEUED], 0);
	assert_int_equal(c.by_state[VRP_SYNC_TASK_RUNNING], 1);
	assert_int_equal(c.by_state[VRP_SYNC_TASK_FAILED], 0);
	assert_ok(vrp_sync_task_repo_count_by_state(db, "unknown", &c));
	for (int s = 0; s < VRP_SYNC_TASK_STATE_COUNT; s++)
		assert_int_equal(c.by_state[s], 0);
}

static void test_count_live_counts_queued_and_running_only(void **state)
{
	vrp_db *db = test_fixture_db(state);
	make_mixed_queue(db);
	assert_ok(vrp_sync_task_repo_cancel(db, 1, T(2)));
	int64_t live = -1;
	assert_ok(vrp_sync_task_repo_count_live(db, NULL, &live, NULL));
	assert_int_equal(live, 2);
	assert_ok(vrp_sync_task_repo_count_live(db, "nas", &live, NULL));
	assert_int_equal(live, 1);
	assert_ok(vrp_sync_task_repo_count_live(db, "unknown", &live, NULL));
	assert_int_equal(live, 0);
}

static void test_prune_deletes_old_done_and_cancelled_tasks_only(void **state)
{
	vrp_db *db = test_fixture_db(state);
	make_mixed_queue(db); /* 3 done at T(1), 4 failed at T(1) */
	assert_ok(vrp_sync_task_repo_cancel(db, 1, T(2)));
	assert_ok(vrp_sync_task_repo_cancel(db, 5, T(9000)));
	int64_t deleted = -1;
	assert_ok(vrp_sync_task_repo_prune_finished(db, T(5000), &deleted));
	assert_int_equal(deleted, 2);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE id IN (1, 3)"),
			 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE id IN "
					    "(2, 4, 5)"),
			 3);
	assert_int_equal(vrp_sync_task_repo_prune_finished(db, NULL, &deleted), VRP_EINVAL);
	assert_int_equal(vrp_sync_task_repo_prune_finished(db, "old", &deleted), VRP_EINVAL);
}

/* ---- concurrency ---- */

static void test_two_connections_never_claim_the_same_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_db *other = NULL;
	assert_ok(vrp_db_open(&other, vrp_db_path(db), 0));
	enum { TASKS = 20 };
	for (int i = 0; i < TASKS; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		enqueue_id(db, key, i % 3, T(i));
	}
	int64_t ids[TASKS];
	for (int i = 0; i < TASKS; i++)
		ids[i] = claim_id(i % 2 ? other : db, i % 2 ? "w-other" : "w-main", T(100));
	vrp_sync_task *task = NULL;
	assert_int_equal(vrp_sync_task_repo_claim(other, NULL, VRP_SYNC_LEASE_OWNER("w"), 1000,
						  T(100), &task),
			 VRP_ENOTFOUND);
	for (int i = 0; i < TASKS; i++)
		for (int j = i + 1; j < TASKS; j++)
			assert_int_not_equal(ids[i], ids[j]);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks "
					    "WHERE state = 'running' AND attempts = 1"),
			 TASKS);
	vrp_db_close(other);
}

struct claimer {
	vrp_db *db;
	const char *owner;
	char now[VRP_TIME_ISO_LEN]; /* T() is not thread-safe, so each thread gets its own copy */
	int64_t ids[64];
	int count;
	int error; /* the first unexpected code */
};

static void *claim_until_empty(void *arg)
{
	struct claimer *c = arg;
	for (;;) {
		vrp_sync_task *task = NULL;
		int rc = vrp_sync_task_repo_claim(c->db, NULL, VRP_SYNC_LEASE_OWNER(c->owner),
						  60000, c->now, &task);
		if (rc == VRP_ENOTFOUND)
			break;
		if (rc < 0 || c->count == 64) {
			c->error = rc < 0 ? rc : VRP_ERROR;
			break;
		}
		c->ids[c->count++] = task->id;
		vrp_sync_task_free(task);
	}
	return NULL;
}

static void test_concurrent_claimers_split_the_queue(void **state)
{
	vrp_db *db = test_fixture_db(state);
	enum { TASKS = 40 };
	for (int i = 0; i < TASKS; i++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", i);
		enqueue_id(db, key, 0, T(0));
	}
	struct claimer a = { .owner = "a" }, b = { .owner = "b" };
	strcpy(a.now, T(100));
	strcpy(b.now, T(100));
	assert_ok(vrp_db_open(&a.db, vrp_db_path(db), 0));
	assert_ok(vrp_db_open(&b.db, vrp_db_path(db), 0));
	pthread_t ta, tb;
	assert_int_equal(pthread_create(&ta, NULL, claim_until_empty, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, claim_until_empty, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	vrp_db_close(a.db);
	vrp_db_close(b.db);

	assert_int_equal(a.error, 0);
	assert_int_equal(b.error, 0);
	assert_int_equal(a.count + b.count, TASKS);
	for (int i = 0; i < a.count; i++)
		for (int j = 0; j < b.count; j++)
			assert_int_not_equal(a.ids[i], b.ids[j]);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks "
					    "WHERE state = 'running' AND attempts = 1"),
			 TASKS);
}

static void test_free_functions_accept_null(void **state)
{
	(void)state;
	vrp_sync_task_free(NULL);
	vrp_sync_task_list_free(NULL);
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, test_db_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_op_and_state_names_round_trip),
		cmocka_unit_test(test_unknown_op_and_state_are_einval),
		DB_TEST(test_enqueue_creates_a_queued_task_due_now),
		DB_TEST(test_enqueue_twice_returns_the_live_task),
		DB_TEST(test_enqueue_while_running_returns_the_running_task),
		DB_TEST(test_enqueue_after_completion_creates_a_new_task),
		DB_TEST(test_enqueue_same_key_for_another_op_or_remote_is_separate),
		DB_TEST(test_enqueue_without_a_recording_stores_null),
		DB_TEST(test_enqueue_unknown_remote_or_recording_is_enotfound),
		DB_TEST(test_enqueue_rejects_an_invalid_request),
		DB_TEST(test_get_by_id_and_uuid_find_the_task),
		DB_TEST(test_get_unknown_task_is_enotfound),
		DB_TEST(test_claim_takes_higher_priority_then_earlier_due),
		DB_TEST(test_claim_with_the_same_due_time_takes_the_oldest),
		DB_TEST(test_claim_leaves_a_task_that_is_not_yet_due),
		DB_TEST(test_claim_on_an_empty_queue_is_enotfound),
		DB_TEST(test_claim_leases_the_task_and_counts_an_attempt),
		DB_TEST(test_claim_only_takes_tasks_of_the_given_remote),
		DB_TEST(test_claim_leaves_a_running_task_with_a_live_lease),
		DB_TEST(test_claim_reclaims_an_expired_lease),
		DB_TEST(test_first_owner_cannot_complete_after_a_reclaim),
		DB_TEST(test_first_owner_cannot_renew_fail_or_save_after_a_reclaim),
		DB_TEST(test_claim_rejects_bad_arguments),
		DB_TEST(test_renew_lease_keeps_the_task_from_being_reclaimed),
		DB_TEST(test_renew_lease_of_an_unknown_or_unleased_task_fails),
		DB_TEST(test_complete_marks_the_task_done),
		DB_TEST(test_complete_unknown_or_queued_task_fails),
		DB_TEST(test_fail_with_retry_at_requeues_the_task),
		DB_TEST(test_fail_without_retry_at_fails_the_task),
		DB_TEST(test_fail_rejects_a_malformed_retry_time),
		DB_TEST(test_save_resume_state_stores_and_clears_json),
		DB_TEST(test_save_resume_state_rejects_invalid_json),
		DB_TEST(test_cancel_a_queued_task),
		DB_TEST(test_cancel_a_running_task_stops_its_worker),
		DB_TEST(test_cancel_twice_succeeds),
		DB_TEST(test_cancel_a_done_or_failed_task_is_einval),
		DB_TEST(test_retry_requeues_a_failed_task_keeping_attempts),
		DB_TEST(test_retry_requeues_a_cancelled_task),
		DB_TEST(test_retry_of_a_live_or_done_task_is_einval),
		DB_TEST(test_retry_while_the_same_work_is_queued_is_eexists),
		DB_TEST(test_list_filters_by_state_remote_and_recording),
		DB_TEST(test_list_pages_with_the_last_id),
		DB_TEST(test_list_rejects_a_bad_filter),
		DB_TEST(test_count_by_state_counts_per_remote_and_overall),
		DB_TEST(test_count_live_counts_queued_and_running_only),
		DB_TEST(test_claim_leaves_the_expired_lease_of_its_own_process_alone),
		DB_TEST(test_expire_process_ends_only_that_process_leases),
		DB_TEST(test_prune_deletes_old_done_and_cancelled_tasks_only),
		DB_TEST(test_two_connections_never_claim_the_same_task),
		DB_TEST(test_concurrent_claimers_split_the_queue),
		cmocka_unit_test(test_free_functions_accept_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
