/* provider_test_util.h - small helpers the provider tests share. */
#ifndef VRP_PROVIDER_TEST_UTIL_H
#define VRP_PROVIDER_TEST_UTIL_H

#include "test_support.h"

#include "core/hash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Writes `size` bytes of a fixed pattern (varied by `seed`) to <dir>/<name>; malloc'd path. */
static inline char *make_file(const char *dir, const char *name, size_t size, unsigned seed)
{
	char *path = test_path(dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc((int)(((i + seed) * 2654435761u) >> 13) & 0xff, f);
	fclose(f);
	return path;
}

static inline void sha256_of(const char *path, char out[VRP_SHA256_HEX_LEN])
{
	assert_ok(vrp_sha256_file(path, out));
}

static inline int64_t file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

#endif
