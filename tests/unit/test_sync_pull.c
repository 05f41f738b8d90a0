/* test_sync_pull.c - vrp_sync_pull() with the mock and localdir providers and real audio. */
#include "sync_fixture.h"

#include "core/hash.h"
#include "vrp/import.h"
#include "vrp/reconcile.h"

#include <dirent.h>

/* Uploads fixture `name` to `remote_path` on `p`, as another device would have. */
static void put_fixture(vrp_provider *p, const char *name, const char *remote_path)
{
	char *local = test_fixture_path(name);
	vrp_upload_request r = { .local_path = local, .remote_path = remote_path };
	assert_ok(vrp_provider_upload(p, &r, NULL, NULL));
	free(local);
}

struct outcomes {
	int count;
	vrp_sync_pull_status status[8];
	int code[8];
	int64_t id[8];
};

static void collect(void *ctx, const vrp_sync_pull_item *item)
{
	struct outcomes *o = ctx;
	assert_true(o->count < 8);
	o->status[o->count] = item->status;
	o->code[o->count] = item->code;
	o->id[o->count++] = item->recording_id;
}

#define MEMO_PATH "VoiceRecorderPro/2026/01/memo 0123abcd.m4a"

static void test_pull_imports_an_object_from_another_device_and_maps_it(void **state)
{
	struct sync_fixture *fx = *state;
	put_fixture(fx->mock, "memo.m4a", MEMO_PATH);
	struct outcomes o = { 0 };
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, &s));
	assert_int_equal(s.pulled, 1);
	assert_int_equal(o.count, 1);
	assert_int_equal(o.status[0], VRP_SYNC_PULL_PULLED);
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), o.id[0], &rec));
	assert_string_equal(rec->ingest_source, "cloud:m");
	assert_string_equal(rec->title, "memo");
	assert_string_equal(rec->original_filename, "memo.m4a");
	char *local = test_fixture_path("memo.m4a");
	char sha[VRP_SHA256_HEX_LEN];
	sha256_of(local, sha);
	assert_string_equal(rec->checksum, sha);
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), rec->id, "m", &row));
	assert_int_equal(row->sync_status, VRP_SYNC_SYNCED);
	assert_string_equal(row->remote_path, MEMO_PATH);
	assert_non_null(row->remote_id);
	vrp_recording_remote_free(row);
	vrp_recording_free(rec);
	free(local);
	/* Mapped now: nothing to upload, nothing to pull. */
	int64_t queued = -1;
	assert_ok(vrp_sync_enqueue_pending(fx->lib, "m", NULL, 0, &queued));
	assert_int_equal(queued, 0);
	assert_ok(vrp_sync_pull(fx->lib, "m", NULL, NULL, &s));
	assert_int_equal(s.pulled, 0);
	assert_int_equal(s.skipped, 1);
	assert_int_equal(vrp_mock_calls(fx->mock, "download"), 1);
}

static void test_pull_skips_content_already_in_the_library_without_downloading(void **state)
{
	struct sync_fixture *fx = *state;
	char *local = test_fixture_path("memo.m4a");
	vrp_recording *mine = NULL;
	assert_ok(vrp_recording_create_from_file(fx->lib, local, NULL, &mine));
	put_fixture(fx->mock, "memo.m4a", MEMO_PATH);
	struct outcomes o = { 0 };
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, &s));
	assert_int_equal(s.duplicates, 1);
	assert_int_equal(s.pulled, 0);
	assert_int_equal(o.status[0], VRP_SYNC_PULL_DUPLICATE);
	assert_int_equal(o.id[0], mine->id);
	assert_int_equal(vrp_mock_calls(fx->mock, "download"), 0);
	/* The recording had no copy there: it takes this one rather than uploading another. */
	vrp_recording_remote *row = NULL;
	assert_ok(vrp_recording_remote_repo_get(vrp_library_db(fx->lib), mine->id, "m", &row));
	assert_int_equal(row->sync_status, VRP_SYNC_SYNCED);
	assert_string_equal(row->remote_path, MEMO_PATH);
	vrp_recording_remote_free(row);
	vrp_recording_free(mine);
	free(local);
}

static void test_pull_rejects_an_object_that_is_not_audio(void **state)
{
	struct sync_fixture *fx = *state;
	char *text = make_file(fx->dir, "notes.txt", 400, 3);
	vrp_upload_request r = { .local_path = text, .remote_path = "VoiceRecorderPro/notes.txt" };
	assert_ok(vrp_provider_upload(fx->mock, &r, NULL, NULL));
	struct outcomes o = { 0 };
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, &s));
	assert_int_equal(s.rejected, 1);
	assert_int_equal(o.status[0], VRP_SYNC_PULL_REJECTED);
	assert_int_equal(o.code[0], VRP_EUNSUPPORTED_MEDIA);
	vrp_db *db = vrp_library_db(fx->lib);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 0);
	/* Nothing is left behind in tmp/. */
	char *tmp = vrp_library_path(fx->lib, "tmp");
	DIR *d = opendir(tmp);
	assert_non_null(d);
	int entries = 0;
	for (const struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(entries, 0);
	free(tmp);
	free(text);
}

static void test_pull_rejects_a_download_that_fails_verification(void **state)
{
	struct sync_fixture *fx = *state;
	put_fixture(fx->mock, "memo.m4a", MEMO_PATH);
	assert_ok(vrp_mock_fault_add(fx->mock, "download", "corrupt", 0));
	struct outcomes o = { 0 };
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, &s));
	assert_int_equal(s.rejected, 1);
	assert_int_equal(o.code[0], VRP_ECHECKSUM);
	/* The next pull gets a clean copy. */
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, &s));
	assert_int_equal(s.pulled, 1);
}

/* localdir lists no checksum: the content's sha256 is computed as it is imported. */
static void test_pull_from_localdir_computes_the_checksum(void **state)
{
	struct sync_fixture *fx = *state;
	char *root = test_path(fx->dir, "nas");
	assert_int_equal(mkdir(root, 0700), 0);
	vrp_kv kv[] = { { "path", root } };
	assert_ok(vrp_remotes_add(fx->lib, "nas", "localdir", kv, 1));
	vrp_provider *nas = NULL;
	assert_ok(vrp_remotes_open(fx->lib, "nas", &nas));
	put_fixture(nas, "pcm16.wav", "VoiceRecorderPro/2026/02/take 89abcdef.wav");
	put_fixture(nas, "flac16k.flac", "VoiceRecorderPro/2026/02/other 01234567.flac");
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "nas", NULL, NULL, &s));
	assert_int_equal(s.pulled, 2);
	vrp_db *db = vrp_library_db(fx->lib);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recording_remote WHERE remote = "
					    "'nas' AND sync_status = 'synced'"),
			 2);
	vrp_provider_free(nas);
	free(root);
}

static void test_pull_needs_a_known_remote(void **state)
{
	struct sync_fixture *fx = *state;
	assert_int_equal(vrp_sync_pull(fx->lib, NULL, NULL, NULL, NULL), VRP_EINVAL);
	assert_int_equal(vrp_sync_pull(fx->lib, "nope", NULL, NULL, NULL), VRP_ENOTFOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, sync_fixture_setup, sync_fixture_teardown)
		T(test_pull_imports_an_object_from_another_device_and_maps_it),
		T(test_pull_skips_content_already_in_the_library_without_downloading),
		T(test_pull_rejects_an_object_that_is_not_audio),
		T(test_pull_rejects_a_download_that_fails_verification),
		T(test_pull_from_localdir_computes_the_checksum),
		T(test_pull_needs_a_known_remote),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
