/* test_sync_pull.c - vrp_sync_pull() with the mock and localdir providers and real audio. */
#include "sync_fixture.h"

#include "core/hash.h"
#include "vrp/import.h"
#include "vrp/purge.h"
#include "vrp/reconcile.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>

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
	char path[8][300];
};

static void collect(void *ctx, const vrp_sync_pull_item *item)
{
	struct outcomes *o = ctx;
	assert_true(o->count < 8);
	o->status[o->count] = item->status;
	o->code[o->count] = item->code;
	snprintf(o->path[o->count], sizeof(o->path[0]), "%s", item->remote_path);
	o->id[o->count++] = item->recording_id;
}

/*
 * Writes fixture `name` as <root>/VoiceRecorderPro/<remote_name> the way a
 * device with other ideas about names would, one data byte at `flip` changed
 * (0: none) so each copy is its own content, the WAV sample rate set to
 * `rate` (0: kept).
 */
static void put_local_copy(const char *root, const char *name, const char *remote_name, size_t flip,
			   uint32_t rate)
{
	char *fixture = test_fixture_path(name);
	FILE *in = fopen(fixture, "rb");
	assert_non_null(in);
	static unsigned char bytes[1 << 20];
	size_t n = fread(bytes, 1, sizeof(bytes), in);
	fclose(in);
	free(fixture);
	assert_true(n > 4096 && n < sizeof(bytes));
	if (flip)
		bytes[flip] ^= 0x5a;
	for (int i = 0; rate && i < 4; i++)
		bytes[24 + i] = (unsigned char)(rate >> (8 * i));
	char *folder = test_path(root, "VoiceRecorderPro");
	mkdir(folder, 0700);
	char *path = test_path(folder, remote_name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, n), (ssize_t)n);
	close(fd);
	free(path);
	free(folder);
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
	char *root = sync_fixture_localdir(fx, "nas");
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

static int setup_purge_policy(void **state)
{
	vrp_mock_stores_reset();
	*state = sync_fixture_new("delete_policy", "purge");
	return 0;
}

/* Pulls MEMO_PATH from the mock and purges the recording it became; returns that id. */
static int64_t pull_then_purge(struct sync_fixture *fx)
{
	put_fixture(fx->mock, "memo.m4a", MEMO_PATH);
	struct outcomes o = { 0 };
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, NULL));
	assert_int_equal(o.status[0], VRP_SYNC_PULL_PULLED);
	assert_ok(vrp_purge_recording(fx->lib, o.id[0]));
	return o.id[0];
}

static void test_pull_skips_an_object_a_queued_delete_names(void **state)
{
	struct sync_fixture *fx = *state;
	pull_then_purge(fx);
	vrp_db *db = vrp_library_db(fx->lib);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM sync_tasks WHERE op = 'delete' "
					    "AND state = 'queued'"),
			 1);
	struct outcomes o = { 0 };
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, &s));
	assert_int_equal(o.count, 1);
	assert_int_equal(o.status[0], VRP_SYNC_PULL_PURGED);
	assert_int_equal(s.purged, 1);
	assert_int_equal(s.pulled, 0);
	assert_int_equal(test_query_int(db, "SELECT count(*) FROM recordings"), 0);
	assert_int_equal(vrp_mock_calls(fx->mock, "download"), 1);
}

/* delete_policy keep: the copy stays on the remote, and stays out of the library. */
static void test_pull_skips_purged_content_the_remote_kept(void **state)
{
	struct sync_fixture *fx = *state;
	pull_then_purge(fx);
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "m", NULL, NULL, &s));
	assert_int_equal(s.purged, 1);
	assert_int_equal(s.pulled, 0);
	/* Known by its listed sha256: not even downloaded. */
	assert_int_equal(vrp_mock_calls(fx->mock, "download"), 1);
	assert_int_equal(test_query_int(vrp_library_db(fx->lib), "SELECT count(*) FROM recordings"),
			 0);
}

/* The tombstone only stops pull: importing a copy on purpose brings the content back. */
static void test_import_of_purged_content_still_works(void **state)
{
	struct sync_fixture *fx = *state;
	pull_then_purge(fx);
	char *local = test_fixture_path("memo.m4a");
	vrp_recording *again = NULL;
	assert_ok(vrp_recording_create_from_file(fx->lib, local, NULL, &again));
	struct outcomes o = { 0 };
	assert_ok(vrp_sync_pull(fx->lib, "m", collect, &o, NULL));
	assert_int_equal(o.status[0], VRP_SYNC_PULL_DUPLICATE);
	assert_int_equal(o.id[0], again->id);
	vrp_recording_free(again);
	free(local);
}

/* localdir lists no sha256: the download is hashed and checked before it is imported. */
static void test_pull_from_localdir_skips_purged_content_after_hashing_it(void **state)
{
	struct sync_fixture *fx = *state;
	char *root = sync_fixture_localdir(fx, "nas");
	put_local_copy(root, "pcm16.wav", "take 89abcdef.wav", 0, 0);
	struct outcomes o = { 0 };
	assert_ok(vrp_sync_pull(fx->lib, "nas", collect, &o, NULL));
	assert_int_equal(o.status[0], VRP_SYNC_PULL_PULLED);
	assert_ok(vrp_purge_recording(fx->lib, o.id[0]));
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "nas", NULL, NULL, &s));
	assert_int_equal(s.purged, 1);
	assert_int_equal(s.pulled, 0);
	assert_int_equal(test_query_int(vrp_library_db(fx->lib), "SELECT count(*) FROM recordings"),
			 0);
	/* Imported again on purpose, the content is a duplicate, not purged. */
	char *local = test_fixture_path("pcm16.wav");
	vrp_recording *again = NULL;
	assert_ok(vrp_recording_create_from_file(fx->lib, local, NULL, &again));
	assert_ok(vrp_sync_pull(fx->lib, "nas", NULL, NULL, &s));
	assert_int_equal(s.purged, 0);
	assert_int_equal(s.duplicates, 1);
	vrp_recording_free(again);
	free(local);
	free(root);
}

/*
 * Names no local file can have as they are: too long for the download's
 * temporary name, control characters, a name that becomes "." once vrp's
 * tag is taken off. Each is that object's matter; the objects listed after
 * them are still pulled.
 */
static void test_pull_goes_on_past_names_that_cannot_be_local_as_they_are(void **state)
{
	struct sync_fixture *fx = *state;
	char *root = sync_fixture_localdir(fx, "nas");
	char long_name[NAME_MAX + 1];
	memset(long_name, 'a', 240);
	snprintf(long_name + 240, sizeof(long_name) - 240, " 0123abcd.wav");
	assert_true(strlen(long_name) <= NAME_MAX);
	const char *names[] = { ". 12345678", long_name, "bad\nline.wav", "esc\033[31m.wav",
				"zz last 01234567.wav" };
	for (size_t i = 0; i < 5; i++)
		put_local_copy(root, "pcm16.wav", names[i], 4096 + i, 0);
	struct outcomes o = { 0 };
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "nas", collect, &o, &s));
	assert_int_equal(o.count, 5);
	assert_int_equal(s.pulled + s.rejected, 5);
	assert_int_equal(o.status[4], VRP_SYNC_PULL_PULLED);
	assert_string_equal(o.path[4], "VoiceRecorderPro/zz last 01234567.wav");
	/* The long name and the dot name are fine once made safe. */
	assert_int_equal(o.status[0], VRP_SYNC_PULL_PULLED);
	assert_int_equal(o.status[1], VRP_SYNC_PULL_PULLED);
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), o.id[1], &rec));
	assert_true(strlen(rec->original_filename) <= NAME_MAX - 16);
	assert_non_null(strstr(rec->original_filename, ".wav"));
	vrp_recording_free(rec);
	assert_ok(vrp_recording_repo_get_by_id(vrp_library_db(fx->lib), o.id[0], &rec));
	assert_string_equal(rec->original_filename, "_");
	vrp_recording_free(rec);
	free(root);
}

/* A WAV whose header says 3,000,000,000 samples a second, listed before a good one. */
static void test_pull_goes_on_past_an_object_whose_import_fails(void **state)
{
	struct sync_fixture *fx = *state;
	char *root = sync_fixture_localdir(fx, "nas");
	put_local_copy(root, "pcm16.wav", "a rate 0123abcd.wav", 4096, 3000000000u);
	put_local_copy(root, "pcm16.wav", "b good 0123abcd.wav", 4097, 0);
	struct outcomes o = { 0 };
	vrp_sync_pull_summary s;
	assert_ok(vrp_sync_pull(fx->lib, "nas", collect, &o, &s));
	assert_int_equal(o.count, 2);
	assert_int_equal(o.status[0], VRP_SYNC_PULL_REJECTED);
	assert_true(o.code[0] < 0);
	assert_int_equal(o.status[1], VRP_SYNC_PULL_PULLED);
	assert_int_equal(s.pulled, 1);
	assert_int_equal(s.rejected, 1);
	free(root);
}

static void test_pull_needs_a_known_remote(void **state)
{
	struct sync_fixture *fx = *state;
	assert_int_equal(vrp_sync_pull(fx->lib, NULL, NULL, NULL, NULL), VRP_EINVAL);
	assert_int_equal(vrp_sync_pull(fx->lib, "nope", NULL, NULL, NULL), VRP_ENOTFOUND);
}

/*
 * One of three downloads at once fails for the whole run while another is
 * under way: the pull stops with that failure (not the cancellation of the
 * others), and leaves nothing in tmp/.
 */
static void test_a_run_level_failure_of_one_download_stops_the_pull_with_its_code(void **state)
{
	struct sync_fixture *fx = *state;
	put_fixture(fx->mock, "memo.m4a", "VoiceRecorderPro/2026/01/a 0123abcd.m4a");
	put_fixture(fx->mock, "pcm16.wav", "VoiceRecorderPro/2026/01/b 0123abce.wav");
	put_fixture(fx->mock, "flac16k.flac", "VoiceRecorderPro/2026/01/c 0123abcf.flac");
	assert_ok(vrp_mock_fault_add(fx->mock, "download", "slow", 300));
	assert_ok(vrp_mock_fault_add(fx->mock, "download", "auth_expired", 0));
	vrp_sync_pull_options options = { .jobs = 3 };
	vrp_sync_pull_summary s;
	assert_int_equal(vrp_sync_pull_with(fx->lib, "m", &options, &s), VRP_EAUTH_EXPIRED);
	assert_int_equal(s.rejected, 0);
	char *tmp = vrp_library_path(fx->lib, "tmp");
	DIR *d = opendir(tmp);
	assert_non_null(d);
	for (const struct dirent *e; (e = readdir(d));)
		assert_true(e->d_name[0] == '.');
	closedir(d);
	free(tmp);
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
		T(test_pull_skips_purged_content_the_remote_kept),
		T(test_import_of_purged_content_still_works),
		T(test_pull_from_localdir_skips_purged_content_after_hashing_it),
		T(test_pull_goes_on_past_names_that_cannot_be_local_as_they_are),
		T(test_pull_goes_on_past_an_object_whose_import_fails),
		T(test_a_run_level_failure_of_one_download_stops_the_pull_with_its_code),
#undef T
		cmocka_unit_test_setup_teardown(test_pull_skips_an_object_a_queued_delete_names,
						setup_purge_policy, sync_fixture_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
