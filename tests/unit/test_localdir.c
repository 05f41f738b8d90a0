/* test_localdir.c - the localdir provider: a folder as a remote. */
#include "provider_symlink_tests.h"
#include "provider_test_util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG (700 * 1024 + 123)

struct fixture {
	char *dir, *remote, *local;
	vrp_provider *p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_tmpdir();
	f->remote = test_path(f->dir, "remote");
	f->local = test_path(f->dir, "local");
	mkdir(f->remote, 0755);
	mkdir(f->local, 0755);
	vrp_kv settings[] = { { "path", f->remote } };
	assert_ok(vrp_provider_new(&f->p, "localdir", "nas", settings, 1, NULL, NULL));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vrp_provider_free(f->p);
	chmod(f->remote, 0755);
	free(f->remote);
	free(f->local);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static char *remote_file(const struct fixture *f, const char *rel)
{
	return test_path(f->remote, rel);
}

struct progress_log {
	int64_t first, last;
	int calls;
	int64_t cancel_at; /* cancel once this many bytes are done; 0: never */
};

static int log_progress(void *ctx, int64_t done, int64_t total)
{
	struct progress_log *log = ctx;
	(void)total;
	if (log->calls++ == 0)
		log->first = done;
	log->last = done;
	return log->cancel_at > 0 && done >= log->cancel_at;
}

static vrp_remote_object *upload(struct fixture *f, const char *local, const char *remote,
				 struct progress_log *log)
{
	vrp_upload_request r = { .local_path = local, .remote_path = remote };
	if (log) {
		r.progress = log_progress;
		r.progress_ctx = log;
	}
	vrp_remote_object *object = NULL;
	assert_ok(vrp_provider_upload(f->p, &r, &object, NULL));
	return object;
}

static void test_upload_places_a_verified_file_and_no_part(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.m4a", BIG, 1);
	char want[VRP_SHA256_HEX_LEN], got[VRP_SHA256_HEX_LEN];
	sha256_of(local, want);
	vrp_remote_object *o = upload(f, local, "VoiceRecorderPro/2026/11/a.m4a", NULL);
	assert_string_equal(o->path, "VoiceRecorderPro/2026/11/a.m4a");
	assert_string_equal(o->remote_id, o->path);
	assert_int_equal(o->size, BIG);
	assert_string_equal(o->checksum, want);
	assert_int_equal(o->checksum_kind, VRP_CHECKSUM_SHA256);
	assert_string_equal(o->mime_type, "audio/mp4");
	char *dest = remote_file(f, "VoiceRecorderPro/2026/11/a.m4a");
	char *part = remote_file(f, "VoiceRecorderPro/2026/11/a.m4a.part");
	sha256_of(dest, got);
	assert_string_equal(got, want);
	assert_int_equal(access(part, F_OK), -1);
	vrp_remote_object_free(o);
	free(dest);
	free(part);
	free(local);
}

static void write_part(const char *part, const char *from, size_t len)
{
	FILE *in = fopen(from, "rb");
	FILE *out = fopen(part, "wb");
	for (size_t i = 0; i < len; i++)
		fputc(fgetc(in), out);
	fclose(in);
	fclose(out);
}

static void test_upload_resumes_from_a_matching_part(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", BIG, 2);
	char *part = remote_file(f, "a.wav.part");
	write_part(part, local, 300000);
	struct progress_log log = { 0 };
	vrp_remote_object *o = upload(f, local, "a.wav", &log);
	assert_int_equal(log.first, 300000);
	assert_int_equal(log.last, BIG);
	char want[VRP_SHA256_HEX_LEN];
	sha256_of(local, want);
	assert_string_equal(o->checksum, want);
	vrp_remote_object_free(o);
	free(part);
	free(local);
}

static void test_upload_restarts_when_the_part_is_other_content(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", BIG, 3);
	char *other = make_file(f->local, "other.wav", BIG, 4);
	char *part = remote_file(f, "a.wav.part");
	write_part(part, other, 300000);
	struct progress_log log = { 0 };
	vrp_remote_object *o = upload(f, local, "a.wav", &log);
	assert_int_equal(log.first, 0);
	char want[VRP_SHA256_HEX_LEN];
	sha256_of(local, want);
	assert_string_equal(o->checksum, want);
	vrp_remote_object_free(o);
	free(part);
	free(other);
	free(local);
}

static void test_cancelled_upload_keeps_part_and_gives_resume_state(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", BIG, 5);
	struct progress_log log = { .cancel_at = 1 };
	vrp_upload_request r = { .local_path = local,
				 .remote_path = "x/a.wav",
				 .progress = log_progress,
				 .progress_ctx = &log };
	char *resume = NULL;
	assert_int_equal(vrp_provider_upload(f->p, &r, NULL, &resume), VRP_ECANCELLED);
	assert_non_null(resume);
	assert_non_null(strstr(resume, "\"bytes\":"));
	char *part = remote_file(f, "x/a.wav.part");
	char *dest = remote_file(f, "x/a.wav");
	assert_true(file_size(part) > 0);
	assert_int_equal(access(dest, F_OK), -1);
	/* And the next attempt finishes from there. */
	r.progress = NULL;
	r.resume_state = resume;
	assert_ok(vrp_provider_upload(f->p, &r, NULL, NULL));
	assert_int_equal(file_size(dest), BIG);
	free(resume);
	free(part);
	free(dest);
	free(local);
}

static void test_upload_not_matching_the_catalogue_hash_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", 1000, 6);
	vrp_upload_request r = { .local_path = local,
				 .remote_path = "a.wav",
				 .sha256 = "00000000000000000000000000000000"
					   "00000000000000000000000000000000" };
	assert_int_equal(vrp_provider_upload(f->p, &r, NULL, NULL), VRP_ECHECKSUM);
	assert_string_equal(vrp_error_last()->code_name, "ERR_CHECKSUM_MISMATCH");
	char *part = remote_file(f, "a.wav.part");
	char *dest = remote_file(f, "a.wav");
	assert_int_equal(access(part, F_OK), -1);
	assert_int_equal(access(dest, F_OK), -1);
	free(part);
	free(dest);
	free(local);
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

static void test_download_verifies_then_renames(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", BIG, 7);
	char want[VRP_SHA256_HEX_LEN], got[VRP_SHA256_HEX_LEN];
	sha256_of(local, want);
	vrp_remote_object_free(upload(f, local, "d/a.wav", NULL));
	char *back = test_path(f->local, "back.wav");
	vrp_download_request r = { .remote_id = "d/a.wav",
				   .local_path = back,
				   .expected_sha256 = want };
	assert_ok(vrp_provider_download(f->p, &r));
	sha256_of(back, got);
	assert_string_equal(got, want);
	assert_int_equal(count_entries(f->local), 2);
	free(back);
	free(local);
}

static void test_download_with_bad_checksum_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", 5000, 8);
	vrp_remote_object_free(upload(f, local, "a.wav", NULL));
	char *back = test_path(f->local, "back.wav");
	vrp_download_request r = { .remote_id = "a.wav",
				   .local_path = back,
				   .expected_sha256 = "ab" };
	assert_int_equal(vrp_provider_download(f->p, &r), VRP_ECHECKSUM);
	assert_int_equal(count_entries(f->local), 1); /* the source only: no temp, no back.wav */
	free(back);
	free(local);
}

static void test_download_of_a_missing_object_is_remote_not_found(void **state)
{
	struct fixture *f = *state;
	char *back = test_path(f->local, "back.wav");
	vrp_download_request r = { .remote_id = "nope.wav", .local_path = back };
	assert_int_equal(vrp_provider_download(f->p, &r), VRP_EREMOTE_NOT_FOUND);
	assert_int_equal(count_entries(f->local), 0);
	free(back);
}

static void test_list_pages_recursively_in_path_order(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "b/2.wav", "a.wav", "b/c/3.wav", "b/1.wav", "z.wav" };
	char *local = make_file(f->local, "src.wav", 10, 9);
	for (int i = 0; i < 5; i++)
		vrp_remote_object_free(upload(f, local, names[i], NULL));
	char *part = remote_file(f, "b/4.wav.part");
	write_part(part, local, 5);
	char *link = remote_file(f, "b/link.wav");
	assert_int_equal(symlink("/etc/passwd", link), 0);
	const char *expect[] = { "a.wav", "b/1.wav", "b/2.wav", "b/c/3.wav", "z.wav" };
	char *token = NULL;
	int seen = 0, pages = 0;
	do {
		vrp_remote_page *page = NULL;
		assert_ok(vrp_provider_list(f->p, NULL, token, 2, &page));
		for (size_t i = 0; i < page->count; i++)
			assert_string_equal(page->items[i]->path, expect[seen++]);
		free(token);
		token = page->next_page_token ? strdup(page->next_page_token) : NULL;
		vrp_remote_page_free(page);
		pages++;
	} while (token);
	assert_int_equal(seen, 5);
	assert_int_equal(pages, 3);
	vrp_remote_page *page = NULL;
	assert_ok(vrp_provider_list(f->p, "b", NULL, 0, &page));
	assert_int_equal(page->count, 3);
	assert_string_equal(page->items[2]->path, "b/c/3.wav");
	vrp_remote_page_free(page);
	free(link);
	free(part);
	free(local);
}

static void test_stat_reports_size_and_checksum_on_request(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.mp3", 4321, 10);
	char want[VRP_SHA256_HEX_LEN];
	sha256_of(local, want);
	vrp_remote_object_free(upload(f, local, "s/a.mp3", NULL));
	vrp_remote_object *o = NULL;
	assert_ok(vrp_provider_stat(f->p, "s//a.mp3", 0, &o));
	assert_int_equal(o->size, 4321);
	assert_null(o->checksum);
	assert_non_null(o->etag);
	assert_string_equal(o->mime_type, "audio/mpeg");
	vrp_remote_object_free(o);
	assert_ok(vrp_provider_stat(f->p, "s/a.mp3", VRP_STAT_CHECKSUM, &o));
	assert_string_equal(o->checksum, want);
	vrp_remote_object_free(o);
	assert_int_equal(vrp_provider_stat(f->p, "s/b.mp3", 0, &o), VRP_EREMOTE_NOT_FOUND);
	free(local);
}

static void test_delete_removes_and_then_reports_not_found(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", 10, 11);
	vrp_remote_object_free(upload(f, local, "a.wav", NULL));
	assert_ok(vrp_provider_delete(f->p, "a.wav"));
	vrp_remote_object *o = NULL;
	assert_int_equal(vrp_provider_stat(f->p, "a.wav", 0, &o), VRP_EREMOTE_NOT_FOUND);
	assert_int_equal(vrp_provider_delete(f->p, "a.wav"), VRP_EREMOTE_NOT_FOUND);
	free(local);
}

static void test_storage_info_comes_from_the_filesystem(void **state)
{
	struct fixture *f = *state;
	vrp_storage_info *info = NULL;
	assert_ok(vrp_provider_storage_info(f->p, &info));
	assert_true(info->total > 0);
	assert_true(info->free >= 0 && info->free <= info->total);
	assert_true(info->used >= 0 && info->used <= info->total);
	vrp_storage_info_free(info);
	vrp_provider_capabilities *caps = NULL;
	assert_ok(vrp_provider_capabilities_get(f->p, &caps));
	assert_true(caps->resumable);
	assert_true(caps->checksum_readback);
	assert_int_equal(caps->checksum_kinds, 1u << VRP_CHECKSUM_SHA256);
	vrp_provider_capabilities_free(caps);
}

static void test_paths_that_could_escape_the_root_are_refused(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", 10, 12);
	const char *bad[] = { "../a.wav", "/tmp/a.wav", "x/../../a.wav", "a\x01.wav", "x.part" };
	for (int i = 0; i < 5; i++) {
		vrp_upload_request r = { .local_path = local, .remote_path = bad[i] };
		assert_int_equal(vrp_provider_upload(f->p, &r, NULL, NULL), VRP_EINVAL);
	}
	char *back = test_path(f->local, "b.wav");
	vrp_download_request d = { .remote_id = "../local/a.wav", .local_path = back };
	assert_int_equal(vrp_provider_download(f->p, &d), VRP_EINVAL);
	assert_int_equal(vrp_provider_delete(f->p, "../local/a.wav"), VRP_EINVAL);
	assert_int_equal(access(local, F_OK), 0);
	char *id = NULL;
	assert_ok(vrp_provider_normalize_remote_id(f->p, "./a//b.wav", &id));
	assert_string_equal(id, "a/b.wav");
	free(id);
	free(back);
	free(local);
}

static void test_missing_root_is_unavailable(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", 10, 13);
	assert_int_equal(rmdir(f->remote), 0);
	vrp_upload_request r = { .local_path = local, .remote_path = "a.wav" };
	assert_int_equal(vrp_provider_upload(f->p, &r, NULL, NULL), VRP_EUNAVAILABLE);
	assert_int_equal(vrp_provider_authenticate(f->p), VRP_EUNAVAILABLE);
	mkdir(f->remote, 0755);
	free(local);
}

/*
 * In a child with its own user and mount namespaces, mounts a tmpfs with
 * `options` over the remote and uploads `local` to it; exits 0 when the
 * upload fails with `expected` (and, for a full disk, leaves resume state),
 * 77 when namespaces are not available here.
 */
static int upload_in_tmpfs(const char *remote, const char *local, unsigned long flags,
			   const char *options, int expected)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
		return 77;
	char map[64];
	int fd = open("/proc/self/setgroups", O_WRONLY);
	if (fd >= 0) {
		(void)!write(fd, "deny", 4);
		close(fd);
	}
	const char *files[] = { "/proc/self/uid_map", "/proc/self/gid_map" };
	int ids[] = { (int)uid, (int)gid };
	for (int i = 0; i < 2; i++) {
		snprintf(map, sizeof(map), "0 %d 1", ids[i]);
		fd = open(files[i], O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			return 77;
		close(fd);
	}
	if (mount("tmpfs", remote, "tmpfs", flags, options) != 0)
		return 77;
	vrp_provider *p = NULL;
	vrp_kv settings[] = { { "path", remote } };
	if (vrp_provider_new(&p, "localdir", "usb", settings, 1, NULL, NULL) != 0)
		return 1;
	vrp_upload_request r = { .local_path = local, .remote_path = "d/a.wav" };
	char *resume = NULL;
	int rc = vrp_provider_upload(p, &r, NULL, &resume);
	int ok = rc == expected && (expected != VRP_EQUOTA || resume != NULL);
	free(resume);
	vrp_provider_free(p);
	return ok ? 0 : 2;
}

static void run_in_tmpfs(struct fixture *f, size_t size, unsigned long flags, const char *options,
			 int expected)
{
	char *local = make_file(f->local, "a.wav", size, 15);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(upload_in_tmpfs(f->remote, local, flags, options, expected));
	int status = 0;
	waitpid(pid, &status, 0);
	free(local);
	assert_true(WIFEXITED(status));
	/* cmocka's TAP skip reads as a failure to meson: say so and pass. */
	if (WEXITSTATUS(status) == 77) {
		print_message("# no user namespaces here: not checked\n");
		return;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_full_remote_is_quota_exceeded(void **state)
{
	run_in_tmpfs(*state, 1024 * 1024, 0, "size=512k", VRP_EQUOTA);
}

/* Read-only rather than chmod: permission bits do not stop root, which tests may run as. */
static void test_read_only_remote_is_a_permanent_failure(void **state)
{
	run_in_tmpfs(*state, 1000, MS_RDONLY, "size=512k", VRP_EPERMANENT);
}

static struct symlink_case symlink_case_of(const struct fixture *f)
{
	return (struct symlink_case){ f->p, f->remote, f->local, f->dir };
}

SYMLINK_TESTS

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_upload_places_a_verified_file_and_no_part),
		T(test_upload_resumes_from_a_matching_part),
		T(test_upload_restarts_when_the_part_is_other_content),
		T(test_cancelled_upload_keeps_part_and_gives_resume_state),
		T(test_upload_not_matching_the_catalogue_hash_leaves_nothing),
		T(test_download_verifies_then_renames),
		T(test_download_with_bad_checksum_leaves_nothing),
		T(test_download_of_a_missing_object_is_remote_not_found),
		T(test_list_pages_recursively_in_path_order),
		T(test_stat_reports_size_and_checksum_on_request),
		T(test_delete_removes_and_then_reports_not_found),
		T(test_storage_info_comes_from_the_filesystem),
		T(test_paths_that_could_escape_the_root_are_refused),
		T(test_missing_root_is_unavailable),
		T(test_full_remote_is_quota_exceeded),
		T(test_read_only_remote_is_a_permanent_failure),
		T(test_symlinked_app_folder_is_refused_everywhere),
		T(test_upload_is_refused_through_a_symlinked_subfolder_or_name),
		T(test_file_swapped_for_a_symlink_after_listing_is_not_read),
		T(test_listing_skips_symlinked_files_and_folders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
