/*
 * test_ffmpeg.c - FFmpeg is loaded on first use, once, and stays loaded.
 * test_ffmpeg_missing.c covers a system without it.
 */
#include "test_support.h"

#include "media/ffmpeg.h"

#include <dlfcn.h>

#include <libavutil/macros.h>

#define AVFORMAT_SONAME "libavformat.so." AV_STRINGIFY(LIBAVFORMAT_VERSION_MAJOR)

/* Runs first: linking libvrp must not load FFmpeg, only a probe may. */
static void test_ffmpeg_is_not_loaded_before_first_use(void **state)
{
	(void)state;
	assert_null(dlopen(AVFORMAT_SONAME, RTLD_NOW | RTLD_NOLOAD));

	const struct vrp_ffmpeg *ffmpeg = NULL;
	assert_ok(vrp_ffmpeg_load(&ffmpeg));

	void *handle = dlopen(AVFORMAT_SONAME, RTLD_NOW | RTLD_NOLOAD);
	assert_non_null(handle);
	dlclose(handle); /* drops only the reference RTLD_NOLOAD took */
}

static void test_load_returns_the_same_table_every_time(void **state)
{
	(void)state;
	const struct vrp_ffmpeg *first = NULL, *second = NULL;
	assert_ok(vrp_ffmpeg_load(&first));
	assert_ok(vrp_ffmpeg_load(&second));
	assert_non_null(first);
	assert_ptr_equal(first, second);
}

#define ASSERT_RESOLVED(library, function) assert_non_null(ffmpeg->function);

static void test_load_resolves_every_function(void **state)
{
	(void)state;
	const struct vrp_ffmpeg *ffmpeg = NULL;
	assert_ok(vrp_ffmpeg_load(&ffmpeg));
	VRP_FFMPEG_FUNCTIONS(ASSERT_RESOLVED)
	assert_string_equal(ffmpeg->avcodec_get_name(AV_CODEC_ID_FLAC), "flac");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ffmpeg_is_not_loaded_before_first_use),
		cmocka_unit_test(test_load_returns_the_same_table_every_time),
		cmocka_unit_test(test_load_resolves_every_function),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
