/*
 * test_recordings_service.c - the browsing and editing service (recordings.h):
 * find by id or uuid, list, count, search, edit in one transaction, and status
 * changes with their audit entries.
 */
#include "recording_fixture.h"

#include "db/audit_repo.h"

#include <stdlib.h>
#include <string.h>

#define OLD_TIME "2020-01-01T00:00:00.000Z"

struct service_fixture {
	char *dir;
	vrp_library *lib;
};

static int setup(void **state)
{
	struct service_fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->dir = test_tmpdir();
	assert_ok(vrp_library_open(&f->lib, f->dir, VRP_LIBRARY_CREATE, NULL));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct service_fixture *f = *state;
	vrp_library_free(f->lib);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static vrp_library *lib_of(void **state) { return ((struct service_fixture *)*state)->lib; }

static vrp_db *db_of(void **state) { return vrp_library_db(lib_of(state)); }

/* Inserts recording `n` with an old modified_at (so a bump is visible); returns its id. */
static int64_t add(void **state, int n, const char *title, const char *description)
{
	vrp_recording *rec = fixture_recording(n, title, description);
	rec->modified_at = strdup(OLD_TIME);
	assert_ok(vrp_recording_repo_insert(db_of(state), rec));
	int64_t id = rec->id;
	vrp_recording_free(rec);
	return id;
}

static vrp_recording *get(void **state, int64_t id)
{
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(db_of(state), id, &rec));
	return rec;
}

static int64_t audit_count(void **state, const char *operation, int64_t recording_id)
{
	struct vrp_audit_filter filter = VRP_AUDIT_FILTER_INIT;
	filter.operation = operation;
	filter.recording_id = recording_id;
	int64_t count = -1;
	assert_ok(vrp_audit_repo_count(db_of(state), &filter, &count));
	return count;
}

static int search_finds(void **state, const char *query, int64_t id)
{
	return fixture_search_finds(db_of(state), query, id);
}

/* find */

static void test_find_by_numeric_id(void **state)
{
	int64_t id = add(state, 1, "Standup", NULL);
	char text[32];
	snprintf(text, sizeof(text), "%lld", (long long)id);
	vrp_recording *rec = NULL;
	assert_ok(vrp_recordings_find(lib_of(state), text, &rec));
	assert_int_equal(rec->id, id);
	assert_string_equal(rec->title, "Standup");
	vrp_recording_free(rec);
}

static void test_find_by_uuid_in_any_case(void **state)
{
	int64_t id = add(state, 1, "Standup", NULL);
	vrp_recording *rec = get(state, id);
	char upper[37];
	for (size_t i = 0; i <= 36; i++)
		upper[i] = (char)(rec->uuid[i] >= 'a' && rec->uuid[i] <= 'f' ? rec->uuid[i] - 32
									     : rec->uuid[i]);
	vrp_recording *found = NULL;
	assert_ok(vrp_recordings_find(lib_of(state), rec->uuid, &found));
	assert_int_equal(found->id, id);
	vrp_recording_free(found);
	assert_ok(vrp_recordings_find(lib_of(state), upper, &found));
	assert_int_equal(found->id, id);
	vrp_recording_free(found);
	vrp_recording_free(rec);
}

static void test_find_unknown_id_is_not_found(void **state)
{
	add(state, 1, NULL, NULL);
	vrp_recording *rec = (vrp_recording *)1;
	assert_int_equal(vrp_recordings_find(lib_of(state), "999", &rec), VRP_ENOTFOUND);
	assert_null(rec);
	assert_non_null(strstr(vrp_error_last()->message, "999"));
}

static void test_find_unknown_uuid_is_not_found(void **state)
{
	vrp_recording *rec = NULL;
	const char *uuid = "0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a11";
	assert_int_equal(vrp_recordings_find(lib_of(state), uuid, &rec), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, uuid));
}

static void test_find_rejects_text_that_is_neither_id_nor_uuid(void **state)
{
	const char *bad[] = { "",
			      "abc",
			      "-1",
			      "+3",
			      "12a",
			      " 12",
			      "99999999999999999999999",
			      "0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a1",
			      "0b7c7f32-6a4e-4a57-9d8e-0d6c1d0c9a1g",
			      "0b7c7f326a4e-4a57-9d8e-0d6c1d0c9a11x" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		vrp_recording *rec = NULL;
		assert_int_equal(vrp_recordings_find(lib_of(state), bad[i], &rec), VRP_EINVAL);
		assert_null(rec);
	}
	vrp_recording *rec = NULL;
	assert_int_equal(vrp_recordings_find(lib_of(state), NULL, &rec), VRP_EINVAL);
}

/* list, count, search */

static void test_list_hides_deleted_recordings_by_default(void **state)
{
	int64_t kept = add(state, 1, "kept", NULL);
	int64_t gone = add(state, 2, "gone", NULL);
	assert_ok(vrp_recordings_set_status(lib_of(state), gone, VRP_RECORDING_DELETED));
	vrp_recording_list *list = NULL;
	assert_ok(vrp_recordings_list(lib_of(state), NULL, &list));
	assert_int_equal(list->count, 1);
	assert_int_equal(list->items[0]->id, kept);
	assert_int_equal(list->next_cursor, 0);
	vrp_recording_list_free(list);
	vrp_recording_filter all = { .statuses = VRP_STATUS_BIT(VRP_RECORDING_DELETED) };
	assert_ok(vrp_recordings_list(lib_of(state), &all, &list));
	assert_int_equal(list->count, 1);
	assert_int_equal(list->items[0]->id, gone);
	vrp_recording_list_free(list);
}

static void test_list_pages_with_the_cursor(void **state)
{
	for (int i = 1; i <= 5; i++)
		add(state, i, NULL, NULL);
	vrp_recording_filter filter = { .limit = 2 };
	int seen = 0;
	do {
		vrp_recording_list *list = NULL;
		assert_ok(vrp_recordings_list(lib_of(state), &filter, &list));
		seen += (int)list->count;
		filter.cursor = list->next_cursor;
		vrp_recording_list_free(list);
	} while (filter.cursor);
	assert_int_equal(seen, 5);
}

static void test_list_rejects_a_bad_filter(void **state)
{
	vrp_recording_filter filter = { .limit = -1 };
	vrp_recording_list *list = NULL;
	assert_int_equal(vrp_recordings_list(lib_of(state), &filter, &list), VRP_EINVAL);
	assert_null(list);
	vrp_recording_filter orphan = { .sync_status = "synced" };
	int64_t count = 0;
	assert_int_equal(vrp_recordings_count(lib_of(state), &orphan, &count), VRP_EINVAL);
}

static void test_count_ignores_paging(void **state)
{
	for (int i = 1; i <= 4; i++)
		add(state, i, NULL, NULL);
	int64_t tagged = add(state, 5, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db_of(state), tagged, "Work"));
	vrp_recording_filter filter = { .limit = 1 };
	int64_t count = 0;
	assert_ok(vrp_recordings_count(lib_of(state), &filter, &count));
	assert_int_equal(count, 5);
	filter.tag = "work";
	assert_ok(vrp_recordings_count(lib_of(state), &filter, &count));
	assert_int_equal(count, 1);
}

static void test_search_ranks_and_highlights(void **state)
{
	int64_t in_title = add(state, 1, "budget review", NULL);
	int64_t in_text = add(state, 2, "weekly", "we spoke about the budget at length");
	vrp_search_options options = { .highlight_open = "<", .highlight_close = ">" };
	vrp_search_results *r = NULL;
	assert_ok(vrp_recordings_search(lib_of(state), "budget", &options, &r));
	assert_int_equal(r->count, 2);
	assert_int_equal(r->items[0]->recording_id, in_title);
	assert_int_equal(r->items[1]->recording_id, in_text);
	assert_non_null(strstr(r->items[0]->snippet, "<budget>"));
	vrp_search_results_free(r);
}

static void test_search_skips_deleted_unless_asked(void **state)
{
	int64_t id = add(state, 1, "budget", NULL);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_DELETED));
	vrp_search_results *r = NULL;
	assert_ok(vrp_recordings_search(lib_of(state), "budget", NULL, &r));
	assert_int_equal(r->count, 0);
	vrp_search_results_free(r);
	vrp_search_options options = { .include_deleted = true };
	assert_ok(vrp_recordings_search(lib_of(state), "budget", &options, &r));
	assert_int_equal(r->count, 1);
	vrp_search_results_free(r);
}

static void test_search_with_an_empty_query_is_invalid(void **state)
{
	vrp_search_results *r = NULL;
	assert_int_equal(vrp_recordings_search(lib_of(state), "  ", NULL, &r), VRP_EINVAL);
	assert_null(r);
}

/* edit */

static void test_edit_changes_title_and_description(void **state)
{
	int64_t id = add(state, 1, "old title", "old words");
	vrp_recording_edit edit = { .title = "Quarterly planning", .description = "notes" };
	assert_ok(vrp_recordings_edit(lib_of(state), id, &edit));
	vrp_recording *rec = get(state, id);
	assert_string_equal(rec->title, "Quarterly planning");
	assert_string_equal(rec->description, "notes");
	assert_true(strcmp(rec->modified_at, OLD_TIME) > 0);
	vrp_recording_free(rec);
	assert_true(search_finds(state, "quarterly", id));
	assert_false(search_finds(state, "old", id));
}

static void test_edit_with_only_a_title_keeps_the_description(void **state)
{
	int64_t id = add(state, 1, "old", "keep me");
	vrp_recording_edit edit = { .title = "new" };
	assert_ok(vrp_recordings_edit(lib_of(state), id, &edit));
	vrp_recording *rec = get(state, id);
	assert_string_equal(rec->title, "new");
	assert_string_equal(rec->description, "keep me");
	vrp_recording_free(rec);
}

static void test_edit_adds_and_removes_tags(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	assert_ok(vrp_tag_repo_add_to_recording(db_of(state), id, "draft"));
	const char *add_tags[] = { "Work", "interview" };
	const char *remove_tags[] = { "DRAFT" };
	vrp_recording_edit edit = { .add_tags = add_tags,
				    .add_tag_count = 2,
				    .remove_tags = remove_tags,
				    .remove_tag_count = 1 };
	assert_ok(vrp_recordings_edit(lib_of(state), id, &edit));
	vrp_recording *rec = get(state, id);
	assert_int_equal(rec->tag_count, 2);
	assert_string_equal(rec->tags[0], "interview");
	assert_string_equal(rec->tags[1], "Work");
	vrp_recording_free(rec);
	assert_true(search_finds(state, "interview", id));
	assert_false(search_finds(state, "draft", id));
}

static void test_edit_that_changes_nothing_is_invalid(void **state)
{
	int64_t id = add(state, 1, "same", NULL);
	vrp_recording_edit empty = { 0 };
	assert_int_equal(vrp_recordings_edit(lib_of(state), id, &empty), VRP_EINVAL);
	assert_int_equal(vrp_recordings_edit(lib_of(state), id, NULL), VRP_EINVAL);
	vrp_recording *rec = get(state, id);
	assert_string_equal(rec->modified_at, OLD_TIME);
	vrp_recording_free(rec);
}

static void test_edit_of_an_unknown_recording_is_not_found(void **state)
{
	const char *tags[] = { "x" };
	vrp_recording_edit edit = { .add_tags = tags, .add_tag_count = 1 };
	assert_int_equal(vrp_recordings_edit(lib_of(state), 42, &edit), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "42"));
	assert_int_equal(test_query_int(db_of(state), "SELECT count(*) FROM tags"), 0);
}

static void test_edit_is_all_or_nothing(void **state)
{
	int64_t id = add(state, 1, "before", NULL);
	const char *tags[] = { "good", "   " };
	vrp_recording_edit edit = { .title = "after", .add_tags = tags, .add_tag_count = 2 };
	assert_int_equal(vrp_recordings_edit(lib_of(state), id, &edit), VRP_EINVAL);
	vrp_recording *rec = get(state, id);
	assert_string_equal(rec->title, "before");
	assert_int_equal(rec->tag_count, 0);
	assert_string_equal(rec->modified_at, OLD_TIME);
	vrp_recording_free(rec);
	assert_int_equal(test_query_int(db_of(state), "SELECT count(*) FROM tags"), 0);
}

static void test_edit_adding_and_removing_one_tag_is_invalid(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	const char *add_tags[] = { "Work" };
	const char *remove_tags[] = { " work " };
	vrp_recording_edit edit = { .add_tags = add_tags,
				    .add_tag_count = 1,
				    .remove_tags = remove_tags,
				    .remove_tag_count = 1 };
	assert_int_equal(vrp_recordings_edit(lib_of(state), id, &edit), VRP_EINVAL);
	const char *null_tags[] = { NULL };
	vrp_recording_edit unnamed = { .add_tags = null_tags, .add_tag_count = 1 };
	assert_int_equal(vrp_recordings_edit(lib_of(state), id, &unnamed), VRP_EINVAL);
}

/* status */

static void test_delete_is_soft_and_audited(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_DELETED));
	vrp_recording *rec = get(state, id);
	assert_int_equal(rec->status, VRP_RECORDING_DELETED);
	assert_non_null(rec->deleted_at);
	vrp_recording_free(rec);
	assert_int_equal(audit_count(state, "delete", id), 1);
	vrp_audit_list *list = NULL;
	assert_ok(vrp_audit_repo_list(db_of(state), NULL, 0, 0, &list));
	assert_int_equal(list->count, 1);
	assert_string_equal(list->items[0]->operation, "delete");
	assert_int_equal(list->items[0]->recording_id, id);
	assert_true(list->items[0]->success);
	assert_string_equal(list->items[0]->meta, "{\"from\":\"active\",\"to\":\"deleted\"}");
	vrp_audit_list_free(list);
}

static void test_restore_clears_deleted_at_and_is_audited(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_DELETED));
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_ACTIVE));
	vrp_recording *rec = get(state, id);
	assert_int_equal(rec->status, VRP_RECORDING_ACTIVE);
	assert_null(rec->deleted_at);
	vrp_recording_free(rec);
	assert_int_equal(audit_count(state, "restore", id), 1);
	assert_int_equal(audit_count(state, "delete", id), 1);
}

static void test_archive_is_not_audited_but_unarchive_is(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_ARCHIVED));
	vrp_recording *rec = get(state, id);
	assert_int_equal(rec->status, VRP_RECORDING_ARCHIVED);
	assert_true(strcmp(rec->modified_at, OLD_TIME) > 0);
	vrp_recording_free(rec);
	assert_int_equal(audit_count(state, NULL, id), 0);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_ACTIVE));
	assert_int_equal(audit_count(state, "restore", id), 1);
}

static void test_archive_refuses_a_deleted_recording(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_DELETED));
	assert_int_equal(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_ARCHIVED),
			 VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "restore it first"));
	vrp_recording *rec = get(state, id);
	assert_int_equal(rec->status, VRP_RECORDING_DELETED);
	assert_non_null(rec->deleted_at);
	vrp_recording_free(rec);
}

static void test_status_already_reached_changes_nothing(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_DELETED));
	test_exec(db_of(state), "UPDATE recordings SET deleted_at = '" OLD_TIME
				"', modified_at = '" OLD_TIME "'");
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_DELETED));
	vrp_recording *rec = get(state, id);
	assert_string_equal(rec->deleted_at, OLD_TIME);
	assert_string_equal(rec->modified_at, OLD_TIME);
	vrp_recording_free(rec);
	assert_int_equal(audit_count(state, "delete", id), 1);
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_ACTIVE));
	assert_ok(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_ACTIVE));
	assert_int_equal(audit_count(state, "restore", id), 1);
}

static void test_status_of_an_unknown_recording_is_not_found(void **state)
{
	assert_int_equal(vrp_recordings_set_status(lib_of(state), 7, VRP_RECORDING_DELETED),
			 VRP_ENOTFOUND);
	assert_int_equal(audit_count(state, NULL, 0), 0);
}

static void test_unknown_status_is_invalid(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	assert_int_equal(vrp_recordings_set_status(lib_of(state), id, (enum vrp_recording_status)9),
			 VRP_EINVAL);
}

static void test_status_change_and_audit_entry_commit_together(void **state)
{
	int64_t id = add(state, 1, NULL, NULL);
	test_exec(db_of(state), "CREATE TEMP TRIGGER refuse_audit BEFORE INSERT ON audit_log "
				"BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END");
	assert_true(vrp_recordings_set_status(lib_of(state), id, VRP_RECORDING_DELETED) < 0);
	vrp_recording *rec = get(state, id);
	assert_int_equal(rec->status, VRP_RECORDING_ACTIVE);
	assert_null(rec->deleted_at);
	vrp_recording_free(rec);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_find_by_numeric_id),
		T(test_find_by_uuid_in_any_case),
		T(test_find_unknown_id_is_not_found),
		T(test_find_unknown_uuid_is_not_found),
		T(test_find_rejects_text_that_is_neither_id_nor_uuid),
		T(test_list_hides_deleted_recordings_by_default),
		T(test_list_pages_with_the_cursor),
		T(test_list_rejects_a_bad_filter),
		T(test_count_ignores_paging),
		T(test_search_ranks_and_highlights),
		T(test_search_skips_deleted_unless_asked),
		T(test_search_with_an_empty_query_is_invalid),
		T(test_edit_changes_title_and_description),
		T(test_edit_with_only_a_title_keeps_the_description),
		T(test_edit_adds_and_removes_tags),
		T(test_edit_that_changes_nothing_is_invalid),
		T(test_edit_of_an_unknown_recording_is_not_found),
		T(test_edit_is_all_or_nothing),
		T(test_edit_adding_and_removing_one_tag_is_invalid),
		T(test_delete_is_soft_and_audited),
		T(test_restore_clears_deleted_at_and_is_audited),
		T(test_archive_is_not_audited_but_unarchive_is),
		T(test_archive_refuses_a_deleted_recording),
		T(test_status_already_reached_changes_nothing),
		T(test_status_of_an_unknown_recording_is_not_found),
		T(test_unknown_status_is_invalid),
		T(test_status_change_and_audit_entry_commit_together),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
