/*
 * test_fetch.c - bringing an offloaded (or damaged) recording back from a
 * remote copy: the proven copy first, the sha256 checked, a copy whose
 * every download arrives damaged skipped and no longer counted, nothing
 * left behind when no copy is good.
 */
#include "copies_fixture.h"

#include <dirent.h>
#include <string.h>

struct fetch_fx {
	struct sync_fixture *fx;
	char *a, *b;
	int64_t id;
	char *raw; /* the recording's file */
};

static int setup(void **state)
{
	vrp_mock_stores_reset();
	struct fetch_fx *f = calloc(1, sizeof(*f));
	f->fx = sync_fixture_new(NULL, NULL);
	f->a = sync_fixture_localdir(f->fx, "a");
	f->b = sync_fixture_localdir(f->fx, "b");
	f->id = sync_fixture_recording(f->fx, 1, 5000);
	copies_sync(f->fx, f->id, "a");
	copies_sync(f->fx, f->id, "b");
	vrp_recording *rec = copies_recording(f->fx, f->id);
	f->raw = vrp_library_path(f->fx->lib, rec->local_path);
	vrp_recording_free(rec);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fetch_fx *f = *state;
	free(f->a);
	free(f->b);
	free(f->raw);
	sync_fixture_free(f->fx);
	free(f);
	vrp_mock_stores_reset();
	return 0;
}

static void offload(struct fetch_fx *f)
{
	vrp_offload_summary s;
	copies_offload(f->fx, f->id, &s);
	assert_int_equal(s.freed, 1);
	assert_int_equal(access(f->raw, F_OK), -1);
}

static bool whole(struct fetch_fx *f)
{
	char sha[VRP_SHA256_HEX_LEN];
	vrp_recording *rec = copies_recording(f->fx, f->id);
	bool ok = vrp_sha256_file(f->raw, sha) == 0 && !strcmp(sha, rec->checksum);
	vrp_recording_free(rec);
	return ok;
}

static bool offloaded(struct fetch_fx *f)
{
	vrp_recording *rec = copies_recording(f->fx, f->id);
	bool yes = rec->offloaded_at != NULL;
	vrp_recording_free(rec);
	return yes;
}

static void test_fetch_restores_the_exact_bytes_and_the_row(void **state)
{
	struct fetch_fx *f = *state;
	copies_prove(f->fx, "a");
	offload(f);
	char *from = NULL;
	assert_ok(vrp_fetch(f->fx->lib, f->id, 0, &from));
	assert_string_equal(from, "a");
	free(from);
	assert_true(whole(f));
	assert_false(offloaded(f));
	assert_int_equal(copies_sql_int(f->fx, "SELECT count(*) FROM audit_log WHERE operation = "
					       "'fetch' AND remote = 'a'"),
			 1);
}

static void test_a_proven_copy_is_tried_before_an_unproven_one(void **state)
{
	struct fetch_fx *f = *state;
	copies_prove(f->fx, "b");
	offload(f);
	char *from = NULL;
	assert_ok(vrp_fetch(f->fx->lib, f->id, 0, &from));
	assert_string_equal(from, "b");
	free(from);
}

static void test_a_damaged_copy_is_passed_over_and_stops_counting(void **state)
{
	struct fetch_fx *f = *state;
	copies_prove(f->fx, "a");
	copies_prove(f->fx, "b");
	offload(f);
	char *bad = copies_file(f->fx, f->a, f->id, "a");
	copies_flip(bad, 100);
	free(bad);
	char *from = NULL;
	assert_ok(vrp_fetch(f->fx->lib, f->id, 0, &from));
	assert_string_equal(from, "b");
	free(from);
	assert_true(whole(f));
	vrp_recording_remote *row = copies_row(f->fx, f->id, "a");
	assert_null(row->verify_method);
	assert_null(row->verified_at);
	/* The mapping stays: only a download that shows the remote's bytes may drop it. */
	assert_non_null(row->remote_path);
	assert_int_equal(row->sync_status, VRP_SYNC_SYNCED);
	vrp_recording_remote_free(row);
	assert_int_equal(copies_sql_int(f->fx, "SELECT count(*) FROM audit_log WHERE operation = "
					       "'remote_copy_bad' AND remote = 'a'"),
			 1);
}

static void test_without_a_good_copy_fetch_fails_and_leaves_nothing(void **state)
{
	struct fetch_fx *f = *state;
	vrp_kv untrusted[] = { { "trusted", "false" } };
	copies_prove(f->fx, "a");
	offload(f);
	assert_ok(vrp_remotes_set(f->fx->lib, "b", untrusted, 1));
	char *bad = copies_file(f->fx, f->a, f->id, "a");
	copies_flip(bad, 100);
	free(bad);
	char *from = NULL;
	assert_int_equal(vrp_fetch(f->fx->lib, f->id, 0, &from), VRP_ECHECKSUM);
	assert_null(from);
	assert_non_null(strstr(vrp_error_last()->message, "on 3 attempts"));
	assert_true(offloaded(f));
	assert_int_equal(access(f->raw, F_OK), -1);
	char *tmp = test_path(vrp_library_root(f->fx->lib), "tmp");
	DIR *d = opendir(tmp);
	size_t left = 0;
	for (struct dirent *e; d && (e = readdir(d));)
		left += e->d_name[0] != '.';
	if (d)
		closedir(d);
	free(tmp);
	assert_int_equal(left, 0);
}

static void test_a_damaged_local_file_needs_repair_to_be_replaced(void **state)
{
	struct fetch_fx *f = *state;
	copies_prove(f->fx, "a");
	copies_flip(f->raw, 10);
	assert_int_equal(vrp_fetch(f->fx->lib, f->id, 0, NULL), VRP_ECORRUPT_MEDIA);
	assert_false(whole(f));
	char *from = NULL;
	assert_ok(vrp_fetch(f->fx->lib, f->id, VRP_FETCH_REPAIR, &from));
	assert_string_equal(from, "a");
	free(from);
	assert_true(whole(f));
	assert_int_equal(copies_sql_int(f->fx, "SELECT count(*) FROM audit_log WHERE operation = "
					       "'repair' AND remote = 'a'"),
			 1);
}

static void test_a_whole_local_file_is_not_fetched(void **state)
{
	struct fetch_fx *f = *state;
	char *from = NULL;
	assert_ok(vrp_fetch(f->fx->lib, f->id, VRP_FETCH_REPAIR, &from));
	assert_null(from);
	assert_true(whole(f));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_fetch_restores_the_exact_bytes_and_the_row),
		T(test_a_proven_copy_is_tried_before_an_unproven_one),
		T(test_a_damaged_copy_is_passed_over_and_stops_counting),
		T(test_without_a_good_copy_fetch_fails_and_leaves_nothing),
		T(test_a_damaged_local_file_needs_repair_to_be_replaced),
		T(test_a_whole_local_file_is_not_fetched),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
