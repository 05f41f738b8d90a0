/* test_filecopy.c - copying a stream into a new file while hashing it. */
#include "test_support.h"

#include "core/filecopy.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
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

/* Copies `size` bytes and checks the copy and its hash against the source. */
static void assert_copies_exactly(const char *dir, size_t size)
{
	char *src = make_source(dir, size);
	char *dst = test_path(dir, "copy.bin");
	unlink(dst);
	int fd = open(src, O_RDONLY);
	struct vrp_copy_result r;
	assert_ok(vrp_file_copy_hashed(fd, dst, &r, NULL, NULL));
	close(fd);
	assert_int_equal(r.bytes, (int64_t)size);
	char expect[VRP_SHA256_HEX_LEN], copied[VRP_SHA256_HEX_LEN];
	assert_ok(vrp_sha256_file(src, expect));
	assert_ok(vrp_sha256_file(dst, copied));
	assert_string_equal(r.sha256, expect);
	assert_string_equal(copied, expect);
	free(src);
	free(dst);
}

static void test_copy_is_identical_and_hashed_in_one_pass(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	assert_copies_exactly(dir, 3 * (1 << 20) + 12345);
	test_rmtree(dir);
}

/* Sizes around the pipeline's edges: empty, one byte, one buffer, buffer multiples, tails. */
static void test_every_size_copies_exactly(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	const size_t mib = 1 << 20;
	const size_t sizes[] = { 0,       1,           2 * mib - 1, 2 * mib,  2 * mib + 1,
				 6 * mib, 7 * mib + 3, 16 * mib,    32 * mib, 33 * mib + 4097 };
	for (size_t i = 0; i < sizeof(sizes) / sizeof(*sizes); i++)
		assert_copies_exactly(dir, sizes[i]);
	test_rmtree(dir);
}

/* How many of the file's pages are in the page cache. */
static size_t cached_pages(const char *path)
{
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pages = ((size_t)st.st_size + page - 1) / page;
	void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	unsigned char *in = malloc(pages);
	assert_int_equal(mincore(map, (size_t)st.st_size, in), 0);
	size_t n = 0;
	for (size_t i = 0; i < pages; i++)
		n += in[i] & 1;
	free(in);
	munmap(map, (size_t)st.st_size);
	close(fd);
	return n;
}

/* A large copy goes around the page cache, where the filesystem allows O_DIRECT. */
static void test_a_large_copy_leaves_the_page_cache_alone(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *probe = test_path(dir, "probe");
	int pfd = open(probe, O_WRONLY | O_CREAT | O_DIRECT, 0600);
	if (pfd < 0) {
		free(probe);
		test_rmtree(dir);
		skip(); /* tmpfs and the like: the copy is buffered there */
	}
	close(pfd);
	free(probe);
	char *src = make_source(dir, (24 << 20) + 1000);
	char *dst = test_path(dir, "copy.bin");
	int fd = open(src, O_RDONLY);
	struct vrp_copy_result r;
	assert_ok(vrp_file_copy_hashed(fd, dst, &r, NULL, NULL));
	close(fd);
	/* Before anything reads it back: only the unaligned tail went through the cache. */
	assert_true(cached_pages(dst) <= 2);
	char copied[VRP_SHA256_HEX_LEN];
	assert_ok(vrp_sha256_file(dst, copied));
	assert_string_equal(copied, r.sha256);
	free(src);
	char *small = make_source(dir, 1 << 20);
	char *small_copy = test_path(dir, "small.bin");
	fd = open(small, O_RDONLY);
	assert_ok(vrp_file_copy_hashed(fd, small_copy, &r, NULL, NULL));
	close(fd);
	/* A small file stays buffered: a batch of them shares one syncfs. */
	assert_int_equal(cached_pages(small_copy), (1 << 20) / (size_t)sysconf(_SC_PAGESIZE));
	free(small);
	free(small_copy);
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
		cmocka_unit_test(test_every_size_copies_exactly),
		cmocka_unit_test(test_a_large_copy_leaves_the_page_cache_alone),
		cmocka_unit_test(test_existing_destination_is_never_overwritten),
		cmocka_unit_test(test_full_device_reports_no_space),
		cmocka_unit_test(test_cancelled_copy_leaves_no_file),
		cmocka_unit_test(test_unreadable_source_fails_and_leaves_no_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
