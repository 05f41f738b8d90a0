/*
 * test_remote_verify.c - proving the copies a remote holds: a proof by the
 * provider's hash or by download, a missing or other copy reported, not
 * counted and queued again, and a download damaged in transit tried again
 * instead of being taken for the copy.
 */
#include "copies_fixture.h"

#include <string.h>

struct verify_fx {
	struct sync_fixture *fx;
	char *a;
	int64_t id;
};

static int setup(void **state)
{
	vrp_mock_stores_reset();
	struct verify_fx *v = calloc(1, sizeof(*v));
	v->fx = sync_fixture_new(NULL, NULL);
	v->a = sync_fixture_localdir(v->fx, "a");
	v->id = sync_fixture_recording(v->fx, 1, 4000);
	copies_sync(v->fx, v->id, "a");
	copies_sync(v->fx, v->id, "m");
	*state = v;
	return 0;
}

static int teardown(void **state)
{
	struct verify_fx *v = *state;
	free(v->a);
	sync_fixture_free(v->fx);
	free(v);
	vrp_mock_stores_reset();
	return 0;
}

struct seen {
	enum vrp_remote_verify_finding finding;
	char method[32];
	bool requeued;
	int count;
};

static void on_item(void *ctx, const vrp_remote_verify_item *item)
{
	struct seen *s = ctx;
	s->finding = item->finding;
	snprintf(s->method, sizeof(s->method), "%s", item->method ? item->method : "");
	s->requeued = item->requeued;
	s->count++;
}

static void verify(struct verify_fx *v, const char *remote, bool download, struct seen *seen,
		   vrp_remote_verify_summary *s)
{
	memset(seen, 0, sizeof(*seen));
	vrp_remote_verify_options o = { .download = download, .on_item = on_item, .ctx = seen };
	assert_ok(vrp_verify_remote(v->fx->lib, remote, &o, s));
	assert_int_equal(seen->count, 1);
}

static void test_a_folder_copy_is_proven_by_its_hash(void **state)
{
	struct verify_fx *v = *state;
	struct seen seen;
	vrp_remote_verify_summary s;
	verify(v, "a", false, &seen, &s);
	assert_int_equal(seen.finding, VRP_REMOTE_VERIFY_OK);
	assert_string_equal(seen.method, "provider-hash");
	vrp_recording_remote *row = copies_row(v->fx, v->id, "a");
	assert_string_equal(row->verify_method, "provider-hash");
	assert_non_null(row->verified_at);
	vrp_recording_remote_free(row);
}

static void test_a_missing_copy_loses_its_mapping_and_is_queued_again(void **state)
{
	struct verify_fx *v = *state;
	char *file = copies_file(v->fx, v->a, v->id, "a");
	assert_int_equal(unlink(file), 0);
	free(file);
	struct seen seen;
	vrp_remote_verify_summary s;
	verify(v, "a", false, &seen, &s);
	assert_int_equal(seen.finding, VRP_REMOTE_VERIFY_MISSING);
	assert_true(seen.requeued);
	assert_int_equal(s.missing, 1);
	vrp_recording_remote *row = copies_row(v->fx, v->id, "a");
	assert_int_equal(row->sync_status, VRP_SYNC_QUEUED);
	assert_null(row->remote_path);
	assert_null(row->verified_at);
	vrp_recording_remote_free(row);
	/* The next sync sends it again. */
	copies_sync(v->fx, v->id, "a");
	file = copies_file(v->fx, v->a, v->id, "a");
	assert_int_equal(access(file, F_OK), 0);
	free(file);
}

static void test_a_changed_copy_is_corrupt_and_replaced_by_the_next_sync(void **state)
{
	struct verify_fx *v = *state;
	char *file = copies_file(v->fx, v->a, v->id, "a");
	copies_flip(file, 77);
	struct seen seen;
	vrp_remote_verify_summary s;
	verify(v, "a", true, &seen, &s);
	assert_int_equal(seen.finding, VRP_REMOTE_VERIFY_CORRUPT);
	assert_true(seen.requeued);
	copies_sync(v->fx, v->id, "a");
	char *again = copies_file(v->fx, v->a, v->id, "a");
	char sha[VRP_SHA256_HEX_LEN];
	sha256_of(again, sha);
	vrp_recording *rec = copies_recording(v->fx, v->id);
	assert_string_equal(sha, rec->checksum);
	vrp_recording_free(rec);
	free(again);
	free(file);
}

static void test_an_offloaded_recordings_bad_copy_is_not_queued(void **state)
{
	struct verify_fx *v = *state;
	struct seen seen;
	vrp_remote_verify_summary s;
	verify(v, "a", false, &seen, &s);
	vrp_offload_summary os;
	copies_offload(v->fx, v->id, &os);
	assert_int_equal(os.freed, 1);
	char *file = copies_file(v->fx, v->a, v->id, "a");
	copies_flip(file, 5);
	free(file);
	verify(v, "a", false, &seen, &s);
	assert_int_equal(seen.finding, VRP_REMOTE_VERIFY_CORRUPT);
	assert_false(seen.requeued);
	assert_int_equal(copies_sql_int(v->fx, "SELECT count(*) FROM sync_tasks WHERE state = "
					       "'queued'"),
			 0);
}

static void test_one_damaged_download_is_tried_again_and_proves_the_copy(void **state)
{
	struct verify_fx *v = *state;
	assert_ok(vrp_mock_fault_add(v->fx->mock, "download", "corrupt", 0));
	int64_t before = vrp_mock_calls(v->fx->mock, "download");
	struct seen seen;
	vrp_remote_verify_summary s;
	verify(v, "m", true, &seen, &s);
	assert_int_equal(seen.finding, VRP_REMOTE_VERIFY_OK);
	assert_string_equal(seen.method, "download");
	assert_int_equal(vrp_mock_calls(v->fx->mock, "download") - before, 2);
}

static void test_downloads_damaged_every_time_do_not_prove_the_copy(void **state)
{
	struct verify_fx *v = *state;
	for (int i = 0; i < 5; i++)
		assert_ok(vrp_mock_fault_add(v->fx->mock, "download", "corrupt", 0));
	int64_t before = vrp_mock_calls(v->fx->mock, "download");
	struct seen seen;
	vrp_remote_verify_summary s;
	verify(v, "m", true, &seen, &s);
	assert_int_not_equal(seen.finding, VRP_REMOTE_VERIFY_OK);
	int64_t downloads = vrp_mock_calls(v->fx->mock, "download") - before;
	assert_true(downloads >= 2 && downloads <= VRP_RETRY_INTEGRITY_ATTEMPTS);
	vrp_recording_remote *row = copies_row(v->fx, v->id, "m");
	assert_null(row->verified_at);
	vrp_recording_remote_free(row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_a_folder_copy_is_proven_by_its_hash),
		T(test_a_missing_copy_loses_its_mapping_and_is_queued_again),
		T(test_a_changed_copy_is_corrupt_and_replaced_by_the_next_sync),
		T(test_an_offloaded_recordings_bad_copy_is_not_queued),
		T(test_one_damaged_download_is_tried_again_and_proves_the_copy),
		T(test_downloads_damaged_every_time_do_not_prove_the_copy),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
