/* test_remote_repo.c - the remotes and recording_remote repositories. */
#include "test_support.h"

#include "db/db_internal.h"
#include "db/remote_repo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A minimal valid recordings row; returns its id. */
static int64_t add_recording(vrp_db *db, int n, const char *status)
{
	char sql[1024];
	snprintf(
		sql, sizeof(sql),
		"INSERT INTO recordings (uuid, original_filename, stored_filename, local_path, "
		"mime_type, filesize_bytes, checksum, status, deleted_at, created_at, modified_at) "
		"VALUES ('00000000-0000-4000-8000-%012d', 'memo%d.wav', 'r%d.wav', "
		"'recordings/raw/r%d.wav', 'audio/wav', 100, printf('%%064d', %d), '%s', %s, "
		"'2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
		n, n, n, n, n, status,
		strcmp(status, "deleted") == 0 ? "'2026-01-02T00:00:00.000Z'" : "NULL");
	test_exec(db, sql);
	return vrp_db_last_insert_id(db);
}

static void add_remote(vrp_db *db, const char *name, const char *provider)
{
	assert_ok(vrp_remote_repo_insert(db, name, provider, NULL));
}

/* ---- remotes ---- */

static void test_insert_returns_the_new_remote(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_remote *r = NULL;
	assert_ok(vrp_remote_repo_insert(db, "nas", "sftp", &r));
	assert_true(r->id > 0);
	assert_string_equal(r->name, "nas");
	assert_string_equal(r->provider_key, "sftp");
	assert_int_equal(strlen(r->created_at), 24);
	assert_string_equal(r->created_at, r->modified_at);
	vrp_remote_free(r);
}

static void test_insert_duplicate_name_is_eexists(void **state)
{
	vrp_db *db = test_fixture_db(state);
	add_remote(db, "nas", "sftp");
	vrp_remote *r = (vrp_remote *)1;
	assert_int_equal(vrp_remote_repo_insert(db, "nas", "localdir", &r), VRP_EEXISTS);
	assert_null(r);
	assert_non_null(strstr(vrp_error_last()->message, "nas"));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM remotes"), 1);
}

static void test_insert_rejects_empty_name_and_provider(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_int_equal(vrp_remote_repo_insert(db, "", "sftp", NULL), VRP_EINVAL);
	assert_int_equal(vrp_remote_repo_insert(db, NULL, "sftp", NULL), VRP_EINVAL);
	assert_int_equal(vrp_remote_repo_insert(db, "nas", "", NULL), VRP_EINVAL);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM remotes"), 0);
}

static void test_get_by_name_finds_the_remote(void **state)
{
	vrp_db *db = test_fixture_db(state);
	add_remote(db, "nas", "sftp");
	add_remote(db, "drive", "gdrive");
	vrp_remote *r = NULL;
	assert_ok(vrp_remote_repo_get_by_name(db, "drive", &r));
	assert_string_equal(r->name, "drive");
	assert_string_equal(r->provider_key, "gdrive");
	vrp_remote_free(r);
}

static void test_get_by_name_unknown_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_remote *r = NULL;
	assert_int_equal(vrp_remote_repo_get_by_name(db, "nope", &r), VRP_ENOTFOUND);
	assert_null(r);
	assert_non_null(strstr(vrp_error_last()->message, "nope"));
}

static void test_list_returns_remotes_by_name(void **state)
{
	vrp_db *db = test_fixture_db(state);
	add_remote(db, "zeta", "localdir");
	add_remote(db, "alpha", "sftp");
	add_remote(db, "mid", "gdrive");
	vrp_remote_list *list = NULL;
	assert_ok(vrp_remote_repo_list(db, &list));
	assert_int_equal(list->count, 3);
	assert_string_equal(list->items[0]->name, "alpha");
	assert_string_equal(list->items[1]->name, "mid");
	assert_string_equal(list->items[2]->name, "zeta");
	vrp_remote_list_free(list);
}

static void test_list_of_no_remotes_is_empty(void **state)
{
	vrp_remote_list *list = NULL;
	assert_ok(vrp_remote_repo_list(test_fixture_db(state), &list));
	assert_int_equal(list->count, 0);
	vrp_remote_list_free(list);
}

static void test_rename_carries_states_and_tasks_along(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	test_exec(db, "INSERT INTO sync_tasks (uuid, op, recording_id, remote, next_attempt_at, "
		      "idempotency_key, created_at, modified_at) VALUES "
		      "('11111111-1111-4111-8111-111111111111', 'upload', 1, 'nas', "
		      "'2026-01-01T00:00:00.000Z', 'k', '2026-01-01T00:00:00.000Z', "
		      "'2026-01-01T00:00:00.000Z')");

	assert_ok(vrp_remote_repo_rename(db, "nas", "home-nas"));

	vrp_recording_remote *s = NULL;
	assert_ok(vrp_recording_remote_repo_get(db, rec, "home-nas", &s));
	assert_string_equal(s->remote, "home-nas");
	vrp_recording_remote_free(s);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks "
					    "WHERE remote = 'home-nas'"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM remotes WHERE name = 'nas'"), 0);
}

static void test_rename_unknown_is_enotfound(void **state)
{
	assert_int_equal(vrp_remote_repo_rename(test_fixture_db(state), "nope", "x"),
			 VRP_ENOTFOUND);
}

static void test_rename_to_a_taken_name_is_eexists(void **state)
{
	vrp_db *db = test_fixture_db(state);
	add_remote(db, "a", "sftp");
	add_remote(db, "b", "sftp");
	assert_int_equal(vrp_remote_repo_rename(db, "a", "b"), VRP_EEXISTS);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM remotes WHERE name = 'a'"), 1);
}

static void test_delete_cascades_to_states_and_tasks(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	add_remote(db, "other", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "other", NULL));
	test_exec(db, "INSERT INTO sync_tasks (uuid, op, recording_id, remote, next_attempt_at, "
		      "idempotency_key, created_at, modified_at) VALUES "
		      "('11111111-1111-4111-8111-111111111111', 'upload', 1, 'nas', "
		      "'2026-01-01T00:00:00.000Z', 'k', '2026-01-01T00:00:00.000Z', "
		      "'2026-01-01T00:00:00.000Z')");

	assert_ok(vrp_remote_repo_delete(db, "nas"));

	assert_int_equal(test_query_int(db, "SELECT count(*) FROM remotes"), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote"), 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote "
					    "WHERE remote = 'other'"),
			 1);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks"), 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 1);
}

static void test_delete_unknown_is_enotfound(void **state)
{
	assert_int_equal(vrp_remote_repo_delete(test_fixture_db(state), "nope"), VRP_ENOTFOUND);
}

/* ---- sync status names ---- */

static void test_sync_status_names_round_trip(void **state)
{
	(void)state;
	for (int s = 0; s < VRP_SYNC_STATUS_COUNT; s++) {
		vrp_sync_status back = VRP_SYNC_UNSYNCED;
		const char *name = vrp_sync_status_to_string((vrp_sync_status)s);
		assert_non_null(name);
		assert_ok(vrp_sync_status_from_string(name, &back));
		assert_int_equal(back, s);
	}
	assert_string_equal(vrp_sync_status_to_string(VRP_SYNC_QUOTA_EXCEEDED), "quota_exceeded");
}

static void test_sync_status_unknown_text_is_einval(void **state)
{
	(void)state;
	vrp_sync_status s = VRP_SYNC_SYNCED;
	assert_int_equal(vrp_sync_status_from_string("Synced", &s), VRP_EINVAL);
	assert_int_equal(vrp_sync_status_from_string(NULL, &s), VRP_EINVAL);
	assert_int_equal(s, VRP_SYNC_SYNCED);
	assert_null(vrp_sync_status_to_string((vrp_sync_status)VRP_SYNC_STATUS_COUNT));
}

/* ---- recording_remote ---- */

static void test_ensure_creates_an_unsynced_row_with_the_provider(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "drive", "gdrive");
	vrp_recording_remote *s = NULL;
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "drive", &s));
	assert_int_equal(s->recording_id, rec);
	assert_string_equal(s->remote, "drive");
	assert_string_equal(s->provider_key, "gdrive");
	assert_int_equal(s->sync_status, VRP_SYNC_UNSYNCED);
	assert_int_equal(s->attempts, 0);
	assert_null(s->remote_id);
	assert_null(s->last_synced_at);
	assert_null(s->error_code);
	vrp_recording_remote_free(s);
}

static void test_ensure_is_idempotent_and_keeps_the_state(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	vrp_recording_remote *first = NULL, *second = NULL;
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", &first));
	assert_ok(vrp_recording_remote_repo_mark_synced(
		db, rec, "nas",
		&(struct vrp_remote_mark){ "id1", "/a", "e", NULL, NULL, NULL, 0 }));
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", &second));
	assert_int_equal(second->id, first->id);
	assert_int_equal(second->sync_status, VRP_SYNC_SYNCED);
	assert_string_equal(second->remote_id, "id1");
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote"), 1);
	vrp_recording_remote_free(first);
	vrp_recording_remote_free(second);
}

static void test_ensure_unknown_remote_or_recording_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	vrp_recording_remote *s = NULL;
	assert_int_equal(vrp_recording_remote_repo_ensure(db, rec, "nope", &s), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "nope"));
	assert_int_equal(vrp_recording_remote_repo_ensure(db, 999, "nas", &s), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "999"));
	assert_null(s);
	assert_int_equal(vrp_recording_remote_repo_ensure(db, 0, "nas", &s), VRP_EINVAL);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote"), 0);
}

static void test_get_without_a_row_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	vrp_recording_remote *s = NULL;
	assert_int_equal(vrp_recording_remote_repo_get(db, rec, "nas", &s), VRP_ENOTFOUND);
	assert_null(s);
	assert_int_equal(vrp_recording_remote_repo_get(db, rec, "", &s), VRP_EINVAL);
}

static vrp_recording_remote *get_state(vrp_db *db, int64_t rec, const char *remote)
{
	vrp_recording_remote *s = NULL;
	assert_ok(vrp_recording_remote_repo_get(db, rec, remote, &s));
	return s;
}

/* Attempts are the upload task's (its claims, kept here by a trigger), not failures counted. */
static void test_set_status_failed_records_error_and_leaves_attempts_to_the_task(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));

	assert_ok(vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_FAILED,
						       "ERR_TRANSIENT", "timed out"));
	assert_ok(vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_QUOTA_EXCEEDED,
						       "ERR_QUOTA_EXCEEDED", "full"));

	vrp_recording_remote *s = get_state(db, rec, "nas");
	assert_int_equal(s->sync_status, VRP_SYNC_QUOTA_EXCEEDED);
	assert_int_equal(s->attempts, 0);
	assert_string_equal(s->error_code, "ERR_QUOTA_EXCEEDED");
	assert_string_equal(s->error_message, "full");
	assert_non_null(s->failed_at);
	vrp_recording_remote_free(s);
}

static void test_set_status_synced_clears_the_error(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_FAILED,
						       "ERR_TRANSIENT", "timed out"));

	assert_ok(vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_SYNCED,
						       "ERR_IGNORED", "ignored"));

	vrp_recording_remote *s = get_state(db, rec, "nas");
	assert_int_equal(s->sync_status, VRP_SYNC_SYNCED);
	assert_null(s->error_code);
	assert_null(s->error_message);
	assert_null(s->failed_at);
	assert_non_null(s->last_synced_at);
	assert_int_equal(s->attempts, 0);
	vrp_recording_remote_free(s);
}

static void test_set_status_queued_keeps_failed_at(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_FAILED, "E", "m"));

	assert_ok(
		vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_QUEUED, NULL, NULL));

	vrp_recording_remote *s = get_state(db, rec, "nas");
	assert_int_equal(s->sync_status, VRP_SYNC_QUEUED);
	assert_non_null(s->failed_at);
	assert_null(s->error_code);
	vrp_recording_remote_free(s);
}

static void test_set_status_without_a_row_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_int_equal(
		vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_QUEUED, NULL, NULL),
		VRP_ENOTFOUND);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote"), 0);
}

static void test_set_status_outside_the_enum_is_einval(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	assert_int_equal(
		vrp_recording_remote_repo_set_status(
			db, rec, "nas", (vrp_sync_status)VRP_SYNC_STATUS_COUNT, NULL, NULL),
		VRP_EINVAL);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote "
					    "WHERE sync_status = 'unsynced'"),
			 1);
}

static void test_mark_synced_records_the_remote_object(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_set_status(db, rec, "nas", VRP_SYNC_FAILED, "E", "m"));

	assert_ok(vrp_recording_remote_repo_mark_synced(
		db, rec, "nas",
		&(struct vrp_remote_mark){ "obj-1", "/v/r1.wav", "etag-1", "abc", "size+sample",
					   NULL, 0 }));

	vrp_recording_remote *s = get_state(db, rec, "nas");
	assert_int_equal(s->sync_status, VRP_SYNC_SYNCED);
	assert_string_equal(s->remote_id, "obj-1");
	assert_string_equal(s->remote_path, "/v/r1.wav");
	assert_string_equal(s->remote_etag, "etag-1");
	assert_string_equal(s->remote_checksum, "abc");
	assert_string_equal(s->verification, "size+sample");
	assert_non_null(s->last_synced_at);
	assert_null(s->error_code);
	assert_null(s->error_message);
	assert_null(s->failed_at);
	vrp_recording_remote_free(s);
}

static void test_mark_synced_without_a_row_is_enotfound(void **state)
{
	vrp_db *db = test_fixture_db(state);
	add_remote(db, "nas", "sftp");
	assert_int_equal(vrp_recording_remote_repo_mark_synced(
				 db, 5, "nas",
				 &(struct vrp_remote_mark){ "a", "b", NULL, NULL, NULL, NULL, 0 }),
			 VRP_ENOTFOUND);
}

static void test_clear_mapping_forgets_the_remote_object(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "sftp");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_mark_synced(
		db, rec, "nas",
		&(struct vrp_remote_mark){ "obj", "/p", "e", "c", "sha256", NULL, 0 }));

	assert_ok(vrp_recording_remote_repo_clear_mapping(db, rec, "nas"));

	vrp_recording_remote *s = get_state(db, rec, "nas");
	assert_int_equal(s->sync_status, VRP_SYNC_UNSYNCED);
	assert_null(s->remote_id);
	assert_null(s->remote_path);
	assert_null(s->remote_etag);
	assert_null(s->remote_checksum);
	assert_null(s->verification);
	assert_non_null(s->last_synced_at);
	vrp_recording_remote_free(s);
	assert_int_equal(vrp_recording_remote_repo_clear_mapping(db, rec, "other"), VRP_ENOTFOUND);
}

static void test_list_for_recording_lists_each_remote(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	int64_t other = add_recording(db, 2, "active");
	add_remote(db, "b-nas", "sftp");
	add_remote(db, "a-drive", "gdrive");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "b-nas", NULL));
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "a-drive", NULL));
	assert_ok(vrp_recording_remote_repo_ensure(db, other, "a-drive", NULL));

	vrp_recording_remote_list *list = NULL;
	assert_ok(vrp_recording_remote_repo_list_for_recording(db, rec, &list));
	assert_int_equal(list->count, 2);
	assert_string_equal(list->items[0]->remote, "a-drive");
	assert_string_equal(list->items[1]->remote, "b-nas");
	assert_int_equal(list->items[0]->recording_id, rec);
	vrp_recording_remote_list_free(list);

	assert_ok(vrp_recording_remote_repo_list_for_recording(db, 42, &list));
	assert_int_equal(list->count, 0);
	vrp_recording_remote_list_free(list);
	assert_int_equal(vrp_recording_remote_repo_list_for_recording(db, -1, &list), VRP_EINVAL);
}

static void test_list_by_status_pages_by_id(void **state)
{
	vrp_db *db = test_fixture_db(state);
	add_remote(db, "nas", "sftp");
	add_remote(db, "other", "sftp");
	for (int i = 1; i <= 5; i++) {
		int64_t rec = add_recording(db, i, "active");
		assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
		assert_ok(vrp_recording_remote_repo_ensure(db, rec, "other", NULL));
		if (i != 3)
			assert_ok(vrp_recording_remote_repo_set_status(db, rec, "nas",
								       VRP_SYNC_FAILED, "E", "m"));
	}

	vrp_recording_remote_list *page = NULL;
	assert_ok(
		vrp_recording_remote_repo_list_by_status(db, "nas", VRP_SYNC_FAILED, 3, 0, &page));
	assert_int_equal(page->count, 3);
	assert_int_equal(page->items[0]->recording_id, 1);
	assert_int_equal(page->items[1]->recording_id, 2);
	assert_int_equal(page->items[2]->recording_id, 4);
	int64_t cursor = page->items[2]->id;
	vrp_recording_remote_list_free(page);

	assert_ok(vrp_recording_remote_repo_list_by_status(db, "nas", VRP_SYNC_FAILED, 3, cursor,
							   &page));
	assert_int_equal(page->count, 1);
	assert_int_equal(page->items[0]->recording_id, 5);
	assert_string_equal(page->items[0]->remote, "nas");
	vrp_recording_remote_list_free(page);
}

static void test_list_by_status_rejects_bad_arguments(void **state)
{
	vrp_db *db = test_fixture_db(state);
	vrp_recording_remote_list *page = NULL;
	assert_int_equal(
		vrp_recording_remote_repo_list_by_status(db, "nas", VRP_SYNC_FAILED, 0, 0, &page),
		VRP_EINVAL);
	assert_int_equal(vrp_recording_remote_repo_list_by_status(db, "nas", (vrp_sync_status)-1,
								  10, 0, &page),
			 VRP_EINVAL);
	assert_int_equal(
		vrp_recording_remote_repo_list_by_status(db, NULL, VRP_SYNC_FAILED, 10, 0, &page),
		VRP_EINVAL);
	assert_null(page);
}

static void test_count_by_status_counts_missing_rows_as_unsynced(void **state)
{
	vrp_db *db = test_fixture_db(state);
	add_remote(db, "nas", "sftp");
	add_remote(db, "other", "sftp");
	int64_t r1 = add_recording(db, 1, "active");
	int64_t r2 = add_recording(db, 2, "active");
	int64_t r3 = add_recording(db, 3, "archived");
	add_recording(db, 4, "active");                 /* no row: unsynced */
	int64_t gone = add_recording(db, 5, "deleted"); /* left out */
	assert_ok(vrp_recording_remote_repo_ensure(db, r1, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_mark_synced(
		db, r1, "nas", &(struct vrp_remote_mark){ "x", NULL, NULL, NULL, NULL, NULL, 0 }));
	assert_ok(vrp_recording_remote_repo_ensure(db, r2, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_set_status(db, r2, "nas", VRP_SYNC_FAILED, "E", "m"));
	assert_ok(vrp_recording_remote_repo_ensure(db, r3, "nas", NULL)); /* unsynced row */
	assert_ok(vrp_recording_remote_repo_ensure(db, gone, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_ensure(db, r1, "other", NULL));
	assert_ok(vrp_recording_remote_repo_set_status(db, r1, "other", VRP_SYNC_CONFLICT, NULL,
						       NULL));

	vrp_sync_status_counts c;
	assert_ok(vrp_recording_remote_repo_count_by_status(db, "nas", &c));
	assert_int_equal(c.by_status[VRP_SYNC_SYNCED], 1);
	assert_int_equal(c.by_status[VRP_SYNC_FAILED], 1);
	assert_int_equal(c.by_status[VRP_SYNC_UNSYNCED], 2);
	assert_int_equal(c.by_status[VRP_SYNC_CONFLICT], 0);
	assert_int_equal(c.by_status[VRP_SYNC_QUEUED], 0);

	assert_ok(vrp_recording_remote_repo_count_by_status(db, "other", &c));
	assert_int_equal(c.by_status[VRP_SYNC_CONFLICT], 1);
	assert_int_equal(c.by_status[VRP_SYNC_UNSYNCED], 3);
}

static void test_count_by_status_unknown_remote_is_enotfound(void **state)
{
	vrp_sync_status_counts c;
	assert_int_equal(
		vrp_recording_remote_repo_count_by_status(test_fixture_db(state), "nope", &c),
		VRP_ENOTFOUND);
}

static void test_free_functions_accept_null(void **state)
{
	(void)state;
	vrp_remote_free(NULL);
	vrp_remote_list_free(NULL);
	vrp_recording_remote_free(NULL);
	vrp_recording_remote_list_free(NULL);
}

/* ---- variants ---- */

static void test_original_and_compressed_rows_are_kept_apart(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "localdir");
	assert_ok(vrp_recording_remote_repo_ensure(db, rec, "nas", NULL));
	assert_ok(vrp_recording_remote_repo_ensure_variant(db, rec, "nas", VRP_VARIANT_COMPRESSED,
							   NULL));
	char sha[65];
	memset(sha, 'a', 64);
	sha[64] = '\0';
	assert_ok(vrp_recording_remote_repo_mark_synced_variant(
		db, rec, "nas", VRP_VARIANT_COMPRESSED,
		&(struct vrp_remote_mark){ "c", "/m.wav.opus", NULL, NULL, NULL, sha, 42 }));
	vrp_recording_remote *o = NULL, *c = NULL;
	assert_ok(vrp_recording_remote_repo_get(db, rec, "nas", &o));
	assert_ok(
		vrp_recording_remote_repo_get_variant(db, rec, "nas", VRP_VARIANT_COMPRESSED, &c));
	assert_int_equal(o->variant, VRP_VARIANT_ORIGINAL);
	assert_int_equal(o->sync_status, VRP_SYNC_UNSYNCED);
	assert_null(o->content_sha256);
	assert_int_equal(o->content_size, -1);
	assert_int_equal(c->variant, VRP_VARIANT_COMPRESSED);
	assert_int_equal(c->sync_status, VRP_SYNC_SYNCED);
	assert_string_equal(c->content_sha256, sha);
	assert_int_equal(c->content_size, 42);
	vrp_recording_remote_free(o);
	vrp_recording_remote_free(c);
	vrp_recording_remote_list *list = NULL;
	assert_ok(vrp_recording_remote_repo_list_for_recording(db, rec, &list));
	assert_int_equal(list->count, 2);
	assert_int_equal(list->items[0]->variant, VRP_VARIANT_ORIGINAL);
	vrp_recording_remote_list_free(list);
	assert_ok(vrp_recording_remote_repo_clear_mapping_variant(db, rec, "nas",
								  VRP_VARIANT_COMPRESSED));
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote WHERE "
					    "content_sha256 IS NULL AND remote_path IS NULL"),
			 2);
	assert_int_equal(vrp_recording_remote_repo_get_variant(db, rec, "nas", 7, &c), VRP_EINVAL);
}

/* A compressed copy synced with other bytes than the library's current Opus copy goes again. */
static void test_needs_upload_follows_the_opus_copy(void **state)
{
	vrp_db *db = test_fixture_db(state);
	int64_t rec = add_recording(db, 1, "active");
	add_remote(db, "nas", "localdir");
	bool needs = false;
	assert_ok(vrp_recording_remote_repo_needs_upload(db, rec, "nas", VRP_VARIANT_COMPRESSED,
							 &needs));
	assert_true(needs);
	char sha[65];
	memset(sha, 'a', 64);
	sha[64] = '\0';
	char sql[512];
	snprintf(sql, sizeof(sql),
		 "INSERT INTO derived_assets (recording_id, kind, path, generator, "
		 "generator_version, source_checksum, created_at, sha256) VALUES (%lld, "
		 "'compressed', 'derived/c.opus', 'vrp-opus', '1', printf('%%064d', 1), "
		 "'2026-01-01T00:00:00.000Z', '%s')",
		 (long long)rec, sha);
	test_exec(db, sql);
	assert_ok(vrp_recording_remote_repo_ensure_variant(db, rec, "nas", VRP_VARIANT_COMPRESSED,
							   NULL));
	assert_ok(vrp_recording_remote_repo_mark_synced_variant(
		db, rec, "nas", VRP_VARIANT_COMPRESSED,
		&(struct vrp_remote_mark){ "c", "/c", NULL, NULL, NULL, sha, 10 }));
	assert_ok(vrp_recording_remote_repo_needs_upload(db, rec, "nas", VRP_VARIANT_COMPRESSED,
							 &needs));
	assert_false(needs);
	assert_ok(vrp_recording_remote_repo_needs_upload(db, rec, "nas", VRP_VARIANT_ORIGINAL,
							 &needs));
	assert_true(needs);
	test_exec(db, "UPDATE derived_assets SET sha256 = printf('%064d', 7)");
	assert_ok(vrp_recording_remote_repo_needs_upload(db, rec, "nas", VRP_VARIANT_COMPRESSED,
							 &needs));
	assert_true(needs);
	int64_t *ids = NULL;
	size_t count = 0;
	assert_ok(vrp_recording_remote_repo_list_needing_upload(db, "nas", VRP_VARIANT_COMPRESSED,
								&ids, &count));
	assert_int_equal(count, 1);
	assert_int_equal(ids[0], rec);
	free(ids);
	vrp_sync_status_counts counts;
	assert_ok(vrp_recording_remote_repo_count_by_status_variant(
		db, "nas", VRP_VARIANT_COMPRESSED, &counts));
	assert_int_equal(counts.by_status[VRP_SYNC_SYNCED], 1);
	assert_ok(vrp_recording_remote_repo_count_by_status(db, "nas", &counts));
	assert_int_equal(counts.by_status[VRP_SYNC_UNSYNCED], 1);
}

static void test_upload_variant_names_round_trip(void **state)
{
	(void)state;
	vrp_upload_variant v;
	assert_ok(vrp_upload_variant_from_string("compressed", &v));
	assert_int_equal(v, VRP_VARIANT_COMPRESSED);
	assert_string_equal(vrp_upload_variant_to_string(VRP_VARIANT_ORIGINAL), "original");
	assert_int_equal(vrp_upload_variant_from_string("opus", &v), VRP_EINVAL);
	assert_null(vrp_upload_variant_to_string((vrp_upload_variant)9));
}

#define DB_TEST(fn) cmocka_unit_test_setup_teardown(fn, test_db_setup, test_db_teardown)

static void test_pause_keeps_reason_and_first_time_until_resumed(void **state)
{
	vrp_db *db = test_fixture_db(state);
	assert_ok(vrp_remote_repo_insert(db, "drive", "gdrive", NULL));
	vrp_remote *r = NULL;
	assert_ok(vrp_remote_repo_get_by_name(db, "drive", &r));
	assert_null(r->paused_reason);
	assert_null(r->paused_at);
	vrp_remote_free(r);
	assert_ok(vrp_remote_repo_set_paused(db, "drive", "ERR_AUTH_EXPIRED: token revoked"));
	assert_ok(vrp_remote_repo_get_by_name(db, "drive", &r));
	assert_string_equal(r->paused_reason, "ERR_AUTH_EXPIRED: token revoked");
	assert_non_null(r->paused_at);
	char *first = strdup(r->paused_at);
	vrp_remote_free(r);
	assert_ok(vrp_remote_repo_set_paused(db, "drive", "ERR_AUTH_EXPIRED: again"));
	assert_ok(vrp_remote_repo_get_by_name(db, "drive", &r));
	assert_string_equal(r->paused_at, first);
	vrp_remote_free(r);
	free(first);
	assert_ok(vrp_remote_repo_set_paused(db, "drive", NULL));
	assert_ok(vrp_remote_repo_get_by_name(db, "drive", &r));
	assert_null(r->paused_reason);
	assert_null(r->paused_at);
	vrp_remote_free(r);
	assert_int_equal(vrp_remote_repo_set_paused(db, "nowhere", NULL), VRP_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		DB_TEST(test_insert_returns_the_new_remote),
		DB_TEST(test_pause_keeps_reason_and_first_time_until_resumed),
		DB_TEST(test_insert_duplicate_name_is_eexists),
		DB_TEST(test_insert_rejects_empty_name_and_provider),
		DB_TEST(test_get_by_name_finds_the_remote),
		DB_TEST(test_get_by_name_unknown_is_enotfound),
		DB_TEST(test_list_returns_remotes_by_name),
		DB_TEST(test_list_of_no_remotes_is_empty),
		DB_TEST(test_rename_carries_states_and_tasks_along),
		DB_TEST(test_rename_unknown_is_enotfound),
		DB_TEST(test_rename_to_a_taken_name_is_eexists),
		DB_TEST(test_delete_cascades_to_states_and_tasks),
		DB_TEST(test_delete_unknown_is_enotfound),
		cmocka_unit_test(test_sync_status_names_round_trip),
		cmocka_unit_test(test_sync_status_unknown_text_is_einval),
		DB_TEST(test_ensure_creates_an_unsynced_row_with_the_provider),
		DB_TEST(test_ensure_is_idempotent_and_keeps_the_state),
		DB_TEST(test_ensure_unknown_remote_or_recording_is_enotfound),
		DB_TEST(test_get_without_a_row_is_enotfound),
		DB_TEST(test_set_status_failed_records_error_and_leaves_attempts_to_the_task),
		DB_TEST(test_set_status_synced_clears_the_error),
		DB_TEST(test_set_status_queued_keeps_failed_at),
		DB_TEST(test_set_status_without_a_row_is_enotfound),
		DB_TEST(test_set_status_outside_the_enum_is_einval),
		DB_TEST(test_mark_synced_records_the_remote_object),
		DB_TEST(test_mark_synced_without_a_row_is_enotfound),
		DB_TEST(test_clear_mapping_forgets_the_remote_object),
		DB_TEST(test_list_for_recording_lists_each_remote),
		DB_TEST(test_list_by_status_pages_by_id),
		DB_TEST(test_list_by_status_rejects_bad_arguments),
		DB_TEST(test_count_by_status_counts_missing_rows_as_unsynced),
		DB_TEST(test_count_by_status_unknown_remote_is_enotfound),
		cmocka_unit_test(test_free_functions_accept_null),
		DB_TEST(test_original_and_compressed_rows_are_kept_apart),
		DB_TEST(test_needs_upload_follows_the_opus_copy),
		cmocka_unit_test(test_upload_variant_names_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
