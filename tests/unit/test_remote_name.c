/* test_remote_name.c - remote path checks and the names recordings get on remotes. */
#include "test_support.h"

#include "cloud/remote_name.h"

#include <stdlib.h>
#include <string.h>

#define UUID "1A2B3C4D-0000-4000-8000-000000000000"

static char *name_for(const char *title, const char *original)
{
	struct vrp_remote_name_parts parts = {
		.created_at = "2026-11-24T21:07:00.123Z",
		.title = title,
		.original_filename = original,
		.uuid = UUID,
	};
	char *out = NULL;
	assert_ok(vrp_remote_name_build(&parts, &out));
	return out;
}

#define assert_name(title, original, expected)                                                     \
	do {                                                                                       \
		char *got_ = name_for(title, original);                                            \
		assert_string_equal(got_, expected);                                               \
		free(got_);                                                                        \
	} while (0)

static void test_name_has_folder_date_title_short_uuid_and_extension(void **state)
{
	(void)state;
	assert_name("Team meeting", "rec.M4A",
		    "VoiceRecorderPro/2026/11/Team meeting 1a2b3c4d.m4a");
}

static void test_name_falls_back_to_original_name_then_recording(void **state)
{
	(void)state;
	assert_name(NULL, "dir/Voice 001.wav", "VoiceRecorderPro/2026/11/Voice 001 1a2b3c4d.wav");
	assert_name("  ", NULL, "VoiceRecorderPro/2026/11/recording 1a2b3c4d");
	assert_name("...", ".hidden", "VoiceRecorderPro/2026/11/hidden 1a2b3c4d");
}

static void test_name_cannot_escape_the_root(void **state)
{
	(void)state;
	assert_name("../../etc/passwd", "a.m4a",
		    "VoiceRecorderPro/2026/11/etc passwd 1a2b3c4d.m4a");
	assert_name("..\\..\\x", "a.m4a", "VoiceRecorderPro/2026/11/x 1a2b3c4d.m4a");
}

static void test_name_drops_characters_windows_refuses(void **state)
{
	(void)state;
	assert_name("a:b*c?d\"e<f>g|h", "a.m4a",
		    "VoiceRecorderPro/2026/11/a b c d e f g h 1a2b3c4d.m4a");
	assert_name("tab\there\nnew\x7f"
		    "line",
		    "a.m4a", "VoiceRecorderPro/2026/11/tab here new line 1a2b3c4d.m4a");
	assert_name("Why? ", "a.m4a", "VoiceRecorderPro/2026/11/Why 1a2b3c4d.m4a");
	assert_name("end. . .", "a.m4a", "VoiceRecorderPro/2026/11/end 1a2b3c4d.m4a");
}

static void test_name_guards_windows_device_names(void **state)
{
	(void)state;
	assert_name("con.txt", "a.m4a", "VoiceRecorderPro/2026/11/_con.txt 1a2b3c4d.m4a");
	assert_name("LPT1.x", "a.m4a", "VoiceRecorderPro/2026/11/_LPT1.x 1a2b3c4d.m4a");
	/* Followed by the short uuid, a bare device name is an ordinary name. */
	assert_name("NUL", "a.m4a", "VoiceRecorderPro/2026/11/NUL 1a2b3c4d.m4a");
	assert_name("console.x", "a.m4a", "VoiceRecorderPro/2026/11/console.x 1a2b3c4d.m4a");
}

static void test_long_title_is_cut_between_characters(void **state)
{
	(void)state;
	char title[400] = "";
	for (int i = 0; i < 100; i++)
		strcat(title, "\xc3\xa9"); /* é, two bytes */
	strcat(title, "x");
	struct vrp_remote_name_parts parts = {
		.created_at = "2026-11-24", .title = title, .uuid = UUID, .extension = "m4a"
	};
	char *name = NULL;
	assert_ok(vrp_remote_name_build(&parts, &name));
	const char *base = strrchr(name, '/') + 1;
	size_t label = strlen(base) - strlen(" 1a2b3c4d.m4a");
	assert_true(label <= VRP_REMOTE_TITLE_MAX);
	assert_int_equal(label, 120); /* 60 whole characters */
	free(name);
}

static void test_invalid_utf8_in_title_is_replaced(void **state)
{
	(void)state;
	assert_name("bad\xff"
		    "byte",
		    "a.m4a",
		    "VoiceRecorderPro/2026/11/bad\xef\xbf\xbd"
		    "byte 1a2b3c4d.m4a");
}

static void test_odd_extensions_are_dropped(void **state)
{
	(void)state;
	assert_name("t", "a.m4a;rm -rf", "VoiceRecorderPro/2026/11/t 1a2b3c4d");
	assert_name("t", "a.verylongext", "VoiceRecorderPro/2026/11/t 1a2b3c4d");
}

static void test_bad_uuid_or_date_is_invalid(void **state)
{
	(void)state;
	char *out = NULL;
	struct vrp_remote_name_parts parts = { .created_at = "2026-11-01", .uuid = "xyz" };
	assert_int_equal(vrp_remote_name_build(&parts, &out), VRP_EINVAL);
	parts.uuid = UUID;
	parts.created_at = "yesterday";
	assert_int_equal(vrp_remote_name_build(&parts, &out), VRP_EINVAL);
	assert_null(out);
}

static void test_a_compressed_copy_is_named_beside_its_original(void **state)
{
	(void)state;
	struct vrp_remote_name_parts parts = {
		.created_at = "2026-11-24T21:07:00.123Z",
		.title = "memo",
		.original_filename = "memo.opus",
		.uuid = UUID,
		.suffix = VRP_REMOTE_COMPRESSED_EXTENSION,
	};
	char *out = NULL, id[9];
	assert_ok(vrp_remote_name_build(&parts, &out));
	/* An Opus original's copy does not take the original's name. */
	assert_string_equal(out, "VoiceRecorderPro/2026/11/memo 1a2b3c4d.opus.opus");
	assert_true(vrp_remote_name_is_compressed(out, id));
	assert_string_equal(id, "1a2b3c4d");
	free(out);
	assert_true(vrp_remote_name_is_compressed("a/x y 0123abcd.wav.opus", id));
	assert_string_equal(id, "0123abcd");
	assert_false(vrp_remote_name_is_compressed("VoiceRecorderPro/memo 1a2b3c4d.opus", id));
	assert_false(vrp_remote_name_is_compressed("memo 1a2b3c4d.wav", id));
	assert_false(vrp_remote_name_is_compressed("memo 1A2B3C4D.wav.opus", id));
	assert_false(vrp_remote_name_is_compressed("memo-1a2b3c4d.wav.opus", id));
	assert_false(vrp_remote_name_is_compressed("1a2b3c4d.wav.opus", id));
	assert_false(vrp_remote_name_is_compressed(".opus", id));
}

static void test_path_normalize_collapses_slashes_and_dots(void **state)
{
	(void)state;
	char *out = NULL;
	assert_ok(vrp_remote_path_normalize("./a//b/./c.m4a/", &out));
	assert_string_equal(out, "a/b/c.m4a");
	free(out);
}

static void test_path_normalize_refuses_escapes_and_controls(void **state)
{
	(void)state;
	const char *bad[] = { "",
			      "/etc/passwd",
			      "a/../../b",
			      "..",
			      "a\\b",
			      "a\nb",
			      "a\x7f",
			      "a\xc2\x85"
			      "b",
			      "\xff",
			      ".",
			      "./",
			      NULL };
	for (int i = 0; bad[i]; i++) {
		char *out = NULL;
		assert_int_equal(vrp_remote_path_normalize(bad[i], &out), VRP_EINVAL);
		assert_null(out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_has_folder_date_title_short_uuid_and_extension),
		cmocka_unit_test(test_name_falls_back_to_original_name_then_recording),
		cmocka_unit_test(test_name_cannot_escape_the_root),
		cmocka_unit_test(test_name_drops_characters_windows_refuses),
		cmocka_unit_test(test_name_guards_windows_device_names),
		cmocka_unit_test(test_long_title_is_cut_between_characters),
		cmocka_unit_test(test_invalid_utf8_in_title_is_replaced),
		cmocka_unit_test(test_odd_extensions_are_dropped),
		cmocka_unit_test(test_bad_uuid_or_date_is_invalid),
		cmocka_unit_test(test_a_compressed_copy_is_named_beside_its_original),
		cmocka_unit_test(test_path_normalize_collapses_slashes_and_dots),
		cmocka_unit_test(test_path_normalize_refuses_escapes_and_controls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
