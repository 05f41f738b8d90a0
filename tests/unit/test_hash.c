/* test_hash.c - streaming SHA-256 against the FIPS 180-2 test vectors. */
#include "test_support.h"

#include "core/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hash_string(const char *s, char out[VRP_SHA256_HEX_LEN])
{
	vrp_sha256 *h = NULL;
	assert_ok(vrp_sha256_new(&h));
	assert_ok(vrp_sha256_update(h, s, strlen(s)));
	assert_ok(vrp_sha256_final_hex(h, out));
	vrp_sha256_free(h);
}

static void test_known_vectors(void **state)
{
	(void)state;
	char hex[VRP_SHA256_HEX_LEN];
	hash_string("", hex);
	assert_string_equal(hex,
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash_string("abc", hex);
	assert_string_equal(hex,
			    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	vrp_sha256_free(NULL);
}

static void test_file_hash_streams_across_buffer_boundaries(void **state)
{
	(void)state;
	/* One million 'a' is larger than the 1 MiB read buffer's natural chunking
	 * would hide, and is a published vector. */
	char *dir = test_tmpdir();
	char *path = test_path(dir, "a.bin");
	FILE *f = fopen(path, "wb");
	for (int i = 0; i < 1000000; i++)
		fputc('a', f);
	fclose(f);
	char hex[VRP_SHA256_HEX_LEN];
	assert_ok(vrp_sha256_file(path, hex));
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(path);
	test_rmtree(dir);
}

static void test_missing_file_is_not_found(void **state)
{
	(void)state;
	char hex[VRP_SHA256_HEX_LEN];
	assert_int_equal(vrp_sha256_file("/nonexistent/file.wav", hex), VRP_ENOTFOUND);
	assert_non_null(strstr(vrp_error_last()->message, "/nonexistent/file.wav"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vectors),
		cmocka_unit_test(test_file_hash_streams_across_buffer_boundaries),
		cmocka_unit_test(test_missing_file_is_not_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
