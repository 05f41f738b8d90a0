/*
 * test_ffmpeg_missing.c - a system without FFmpeg: probing is refused as not
 * supported, saying what to install. Built with media/ffmpeg.c compiled to
 * look for a libavformat that does not exist (see meson.build).
 */
#include "test_support.h"

#include "media/ffmpeg.h"
#include "media/probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void assert_not_supported(int rc, const struct vrp_ffmpeg *ffmpeg)
{
	const vrp_error *e = vrp_error_last();
	assert_int_equal(rc, VRP_ENOTSUP);
	assert_null(ffmpeg);
	assert_non_null(strstr(e->message, "cannot load FFmpeg (libavformat-missing.so.0)"));
	assert_non_null(strstr(e->message, "; install libavformat"));
}

static void test_missing_library_names_the_package_to_install(void **state)
{
	(void)state;
	const struct vrp_ffmpeg *ffmpeg = NULL;
	int rc = vrp_ffmpeg_load(&ffmpeg);
	assert_not_supported(rc, ffmpeg);
}

static void test_every_later_load_fails_the_same_way(void **state)
{
	(void)state;
	const struct vrp_ffmpeg *ffmpeg = NULL;
	vrp_ffmpeg_load(&ffmpeg);
	vrp_error_clear();
	int rc = vrp_ffmpeg_load(&ffmpeg);
	assert_not_supported(rc, ffmpeg);
}

static void test_probe_is_not_supported_without_ffmpeg(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "tone.wav");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	fputs("RIFF", f);
	fclose(f);
	struct vrp_media_info info;
	memset(&info, 0xab, sizeof(info));

	int rc = vrp_probe_file(path, &info);

	const vrp_error *e = vrp_error_last();
	assert_int_equal(rc, VRP_ENOTSUP);
	assert_non_null(strstr(e->message, "cannot load FFmpeg"));
	assert_string_equal(e->context, path);
	assert_string_equal(info.mime_type, "");
	free(path);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_library_names_the_package_to_install),
		cmocka_unit_test(test_every_later_load_fails_the_same_way),
		cmocka_unit_test(test_probe_is_not_supported_without_ffmpeg),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
