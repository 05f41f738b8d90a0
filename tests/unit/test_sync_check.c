/* test_sync_check.c - vrp_sync_check() against the mock and localdir providers. */
#include "sync_fixture.h"

#include "vrp/reconcile.h"

struct findings {
	int count;
	vrp_sync_check_kind kind[8];
	int code[8];
	int64_t recording_id[8];
};

static void collect(void *ctx, const vrp_sync_check_item *item)
{
	struct findings *f = ctx;
	assert_true(f->count < 8);
	f->kind[f->count] = item->kind;
	f->code[f->count] = item->code;
	f->recording_id[f->count++] = item->recording_id;
}

/* `n` recordings of 300 bytes, synced to every remote; returns the first id. */
static int64_t synced_recordings(struct sync_fixture *fx, int n)
{
	int64_t first = 0;
	for (int i = 1; i <= n; i++) {
		int64_t id = sync_fixture_recording(fx, i, 300);
		first = first ? first : id;
	}
	assert_ok(vrp_sync_enqueue_pending(fx->lib, NULL, NULL, 0, NULL));
	sync_fixture_start_clock(fx);
	vrp_sync_summary s;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &s));
	assert_true(s.synced >= n);
	assert_int_equal(s.failed, 0);
	return first;
}

static char *path_of(struct sync_fixture *fx, int64_t id, const char *remote)
{
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), id, remote, &row));
	char *path = strdup(row->remote_path);
	vrp_recording_remote_free(row);
	return path;
}

static vrp_sync_status status_of(struct sync_fixture *fx, int64_t id, const char *remote)
{
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), id, remote, &row));
	vrp_sync_status status = row->sync_status;
	vrp_recording_remote_free(row);
	return status;
}

/* Puts a file of `size` bytes made from `seed` at `remote_path` on provider `p`. */
static void put_object(struct sync_fixture *fx, vrp_provider *p, const char *remote_path,
		       size_t size, unsigned seed)
{
	char *local = make_file(fx->dir, "planted.bin", size, seed);
	vrp_upload_request r = { .local_path = local, .remote_path = remote_path };
	assert_ok(vrp_provider_upload(p, &r, NULL, NULL));
	unlink(local);
	free(local);
}

static void test_check_of_a_remote_in_step_finds_nothing(void **state)
{
	struct sync_fixture *fx = *state;
	synced_recordings(fx, 3);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(f.count, 0);
	assert_int_equal(s.remotes, 1);
	assert_int_equal(s.objects, 3);
	assert_int_equal(s.matched, 3);
	assert_int_equal(s.missing + s.extra + s.size_mismatch + s.checksum_mismatch, 0);
}

static void test_check_reports_a_missing_object_and_unsyncs_its_row(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recordings(fx, 2);
	char *path = path_of(fx, id, "m");
	assert_ok(vrp_provider_delete(fx->mock, path));
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(s.missing, 1);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_MISSING);
	assert_int_equal(f.code[0], VRP_EREMOTE_NOT_FOUND);
	assert_int_equal(f.recording_id[0], id);
	assert_int_equal(status_of(fx, id, "m"), VRP_SYNC_UNSYNCED);
	/* The next sync uploads it again, to the same deterministic path. */
	int64_t queued = 0;
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, &queued));
	assert_int_equal(queued, 1);
	vrp_sync_summary run;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &run));
	assert_int_equal(run.synced, 1);
	char *again = path_of(fx, id, "m");
	assert_string_equal(again, path);
	free(again);
	free(path);
}

static void test_check_reports_an_object_no_recording_maps_to(void **state)
{
	struct sync_fixture *fx = *state;
	synced_recordings(fx, 1);
	put_object(fx, fx->mock, "VoiceRecorderPro/2020/01/stranger 00000000.m4a", 100, 7);
	put_object(fx, fx->mock, "outside/the/app/folder.m4a", 100, 8);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(s.extra, 1);
	assert_int_equal(s.objects, 2);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_EXTRA);
	assert_int_equal(f.code[0], VRP_ECONFLICT);
	assert_int_equal(f.recording_id[0], 0);
}

static void test_check_reports_a_size_mismatch_as_a_conflict(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recordings(fx, 1);
	char *path = path_of(fx, id, "m");
	put_object(fx, fx->mock, path, 299, 1);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(s.size_mismatch, 1);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_SIZE);
	assert_int_equal(f.code[0], VRP_ECONFLICT);
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), id, "m", &row));
	assert_int_equal(row->sync_status, VRP_SYNC_CONFLICT);
	assert_string_equal(row->error_code, "ERR_CONFLICT");
	assert_non_null(strstr(row->error_message, "299 bytes on the remote"));
	vrp_recording_remote_free(row);
	free(path);
}

static void test_check_reports_a_checksum_mismatch_and_sync_repairs_it(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recordings(fx, 1);
	char *path = path_of(fx, id, "m");
	put_object(fx, fx->mock, path, 300, 99);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(s.checksum_mismatch, 1);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_CHECKSUM);
	assert_int_equal(f.code[0], VRP_ECHECKSUM);
	assert_int_equal(status_of(fx, id, "m"), VRP_SYNC_CONFLICT);
	/* The local copy is the truth: the next sync replaces the object. */
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, NULL));
	vrp_sync_summary run;
	assert_ok(vrp_sync_run(fx->lib, &fx->opt, &run));
	assert_int_equal(run.synced, 1);
	memset(&f, 0, sizeof(f));
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(f.count, 0);
	assert_int_equal(s.matched, 1);
	free(path);
}

static void test_a_conflict_whose_object_matches_again_is_resolved(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recordings(fx, 1);
	assert_ok(vrp_recording_remote_repo_set_status(vrp_library_db(fx->lib), id, "m",
						       VRP_SYNC_CONFLICT, "ERR_CONFLICT", "x"));
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(f.count, 1);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_RESOLVED);
	assert_int_equal(f.code[0], 0);
	assert_int_equal(status_of(fx, id, "m"), VRP_SYNC_SYNCED);
}

/* localdir lists no checksums: the check stats each object for one. */
static void test_check_on_localdir_stats_for_checksums(void **state)
{
	struct sync_fixture *fx = *state;
	char *root = sync_fixture_localdir(fx, "nas");
	int64_t id = synced_recordings(fx, 2);
	vrp_provider *nas = NULL;
	assert_ok(vrp_remotes_open(fx->lib, "nas", &nas));
	char *path = path_of(fx, id, "nas");
	put_object(fx, nas, path, 300, 42);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "nas", collect, &f, &s));
	assert_int_equal(s.stats, 2);
	assert_int_equal(s.matched, 1);
	assert_int_equal(s.checksum_mismatch, 1);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_CHECKSUM);
	assert_int_equal(f.recording_id[0], id);
	vrp_provider_free(nas);
	free(path);
	free(root);
}

/* Writes `size` bytes from `seed` at <root>/<rel> as it is, whatever the name. */
static void plant_file(struct sync_fixture *fx, const char *root, const char *rel, size_t size)
{
	char *made = make_file(fx->dir, "planted.bin", size, 7);
	char *path = test_path(root, rel);
	assert_int_equal(rename(made, path), 0);
	free(path);
	free(made);
}

/*
 * Names vrp cannot stat (a control character): one object's stat failing is
 * that object's finding, never the end of the check.
 */
static void test_check_goes_on_past_objects_it_cannot_stat(void **state)
{
	struct sync_fixture *fx = *state;
	char *root = sync_fixture_localdir(fx, "nas");
	int64_t id = synced_recordings(fx, 1);
	/* The synced row's object now has a name with ESC in it. */
	char *path = path_of(fx, id, "nas");
	char *old = test_path(root, path);
	char *renamed = test_path(root, "VoiceRecorderPro/esc\033[31m.m4a");
	assert_int_equal(rename(old, renamed), 0);
	test_exec(vrp_library_db(fx->lib),
		  "UPDATE recording_remote SET remote_path = 'VoiceRecorderPro/esc' || char(27) || "
		  "'[31m.m4a', remote_id = 'VoiceRecorderPro/esc' || char(27) || '[31m.m4a' "
		  "WHERE remote = 'nas'");
	plant_file(fx, root, "VoiceRecorderPro/zz\nline.bin", 300);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "nas", collect, &f, &s));
	assert_int_equal(s.objects, 2);
	assert_int_equal(f.count, 2);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_UNVERIFIED);
	assert_int_equal(f.recording_id[0], id);
	assert_true(f.code[0] < 0);
	assert_int_equal(f.kind[1], VRP_SYNC_CHECK_EXTRA);
	assert_int_equal(s.unverified, 1);
	assert_int_equal(s.extra, 1);
	assert_int_equal(s.missing, 0);
	assert_int_equal(status_of(fx, id, "nas"), VRP_SYNC_SYNCED);
	free(renamed);
	free(old);
	free(path);
	free(root);
}

/* A second copy of a recording (say, one `sync pull` found a duplicate) is not extra. */
static void test_check_counts_a_copy_of_a_recording_as_a_duplicate_not_extra(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t id = synced_recordings(fx, 1);
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), id, &rec));
	char *local = vrp_library_path(fx->lib, rec->local_path);
	vrp_upload_request r = { .local_path = local,
				 .remote_path = "VoiceRecorderPro/copy 0123abcd.m4a" };
	assert_ok(vrp_provider_upload(fx->mock, &r, NULL, NULL));
	vrp_sync_pull_summary pulled;
	assert_ok(vrp_sync_pull(fx->lib, "m", NULL, NULL, &pulled));
	assert_int_equal(pulled.duplicates, 1);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(s.extra, 0);
	assert_int_equal(s.duplicates, 1);
	assert_int_equal(s.matched, 1);
	assert_int_equal(f.count, 1);
	assert_int_equal(f.kind[0], VRP_SYNC_CHECK_DUPLICATE);
	assert_int_equal(f.code[0], 0);
	assert_int_equal(f.recording_id[0], id);
	free(local);
	vrp_recording_free(rec);
}

/*
 * Two rows with one remote_path, as two same-named Drive objects give: each
 * row is matched to its own object by id, so neither is missing nor extra.
 */
static void test_check_matches_rows_to_objects_by_remote_id(void **state)
{
	struct sync_fixture *fx = *state;
	int64_t first = synced_recordings(fx, 2);
	char sql[256];
	snprintf(sql, sizeof(sql),
		 "UPDATE recording_remote SET remote_path = (SELECT remote_path FROM "
		 "recording_remote WHERE recording_id = %lld) WHERE recording_id <> %lld",
		 (long long)first, (long long)first);
	test_exec(vrp_library_db(fx->lib), sql);
	assert_int_equal(test_query_int(vrp_library_db(fx->lib),
					"SELECT count(DISTINCT remote_path) FROM recording_remote"),
			 1);
	struct findings f = { 0 };
	vrp_sync_check_summary s;
	assert_ok(vrp_sync_check(fx->lib, "m", collect, &f, &s));
	assert_int_equal(f.count, 0);
	assert_int_equal(s.matched, 2);
	assert_int_equal(s.missing + s.extra, 0);
}

static void test_check_of_an_unknown_remote_is_not_found(void **state)
{
	struct sync_fixture *fx = *state;
	assert_int_equal(vrp_sync_check(fx->lib, "nope", NULL, NULL, NULL), VRP_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sync_fixture_setup, sync_fixture_teardown)
		T(test_check_of_a_remote_in_step_finds_nothing),
		T(test_check_reports_a_missing_object_and_unsyncs_its_row),
		T(test_check_reports_an_object_no_recording_maps_to),
		T(test_check_reports_a_size_mismatch_as_a_conflict),
		T(test_check_reports_a_checksum_mismatch_and_sync_repairs_it),
		T(test_a_conflict_whose_object_matches_again_is_resolved),
		T(test_check_on_localdir_stats_for_checksums),
		T(test_check_of_an_unknown_remote_is_not_found),
		T(test_check_goes_on_past_objects_it_cannot_stat),
		T(test_check_counts_a_copy_of_a_recording_as_a_duplicate_not_extra),
		T(test_check_matches_rows_to_objects_by_remote_id),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
