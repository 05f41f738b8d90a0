/* test_filecopy.c - copying a stream into a new file while hashing it. */
#include "test_support.h"

#include "core/filecopy.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *make_source(const char *dir, size_t size)
{
	char *path = test_path(dir, "source.bin");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc((int)((i * 2654435761u) >> 13) & 0xff, f);
	fclose(f);
	return path;
}

static void test_copy_is_identical_and_hashed_in_one_pass(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *src = make_source(dir, 3 * (1 << 20) + 12345);
	char *dst = test_path(dir, "copy.bin");
	int fd = open(src, O_RDONLY);
	struct vrp_copy_result r;
	assert_ok(vrp_file_copy_hashed(fd, dst, &r, NULL, NULL));
	close(fd);
	assert_int_equal(r.bytes, 3 * (1 << 20) + 12345);
	char expect[VRP_SHA256_HEX_LEN], copied[VRP_SHA256_HEX_LEN];
	assert_ok(vrp_sha256_file(src, expect));
	assert_ok(vrp_sha256_file(dst, copied));
	assert_string_equal(r.sha256, expect);
	assert_string_equal(copied, expect);
	free(src);
	free(dst);
	test_rmtree(dir);
}

static void test_existing_destination_is_never_overwritten(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *src = make_source(dir, 100);
	int fd = open(src, O_RDONLY);
	struct vrp_copy_result r;
	assert_int_equal(vrp_file_copy_hashed(fd, src, &r, NULL, NULL), VRP_EEXISTS);
	close(fd);
	char hex[VRP_SHA256_HEX_LEN];
	assert_ok(vrp_sha256_file(src, hex));
	free(src);
	test_rmtree(dir);
}

static void test_full_device_reports_no_space(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *src = make_source(dir, 200000);
	int in = open(src, O_RDONLY);
	int out = open("/dev/full", O_WRONLY);
	assert_true(out >= 0);
	struct vrp_copy_result r;
	assert_int_equal(vrp_fd_copy_hashed(in, out, "/dev/full", &r, NULL, NULL), VRP_ENOSPC);
	assert_string_equal(vrp_error_last()->code_name, "ERR_NO_SPACE");
	assert_non_null(strstr(vrp_error_last()->message, "/dev/full"));
	close(in);
	close(out);
	free(src);
	test_rmtree(dir);
}

static int cancel_after_first_chunk(void *ctx, int64_t done)
{
	*(int64_t *)ctx = done;
	return 1;
}

static void test_cancelled_copy_leaves_no_file(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *src = make_source(dir, 3 << 20);
	char *dst = test_path(dir, "copy.bin");
	int fd = open(src, O_RDONLY);
	struct vrp_copy_result r;
	int64_t seen = 0;
	assert_int_equal(vrp_file_copy_hashed(fd, dst, &r, cancel_after_first_chunk, &seen),
			 VRP_ECANCELLED);
	close(fd);
	assert_true(seen > 0);
	assert_int_equal(access(dst, F_OK), -1);
	free(src);
	free(dst);
	test_rmtree(dir);
}

static void test_unreadable_source_fails_and_leaves_no_file(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *dst = test_path(dir, "copy.bin");
	int fd = open(dir, O_RDONLY | O_DIRECTORY); /* read() on a directory: EISDIR */
	struct vrp_copy_result r;
	assert_int_equal(vrp_file_copy_hashed(fd, dst, &r, NULL, NULL), VRP_EIO);
	close(fd);
	assert_int_equal(access(dst, F_OK), -1);
	free(dst);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy_is_identical_and_hashed_in_one_pass),
		cmocka_unit_test(test_existing_destination_is_never_overwritten),
		cmocka_unit_test(test_full_device_reports_no_space),
		cmocka_unit_test(test_cancelled_copy_leaves_no_file),
		cmocka_unit_test(test_unreadable_source_fails_and_leaves_no_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
