/* test_settings.c - the settings table, its checks, and where a setting's value comes from. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_every_default_passes_its_own_check(void **state)
{
	(void)state;
	assert_true(vrp_settings_count() >= 10);
	for (size_t i = 0; i < vrp_settings_count(); i++) {
		const vrp_setting_info *s = vrp_settings_at(i);
		assert_non_null(strchr(s->key, '.'));
		assert_ptr_equal(vrp_settings_find(s->key), s);
		if (s->default_value && vrp_settings_validate(s->key, s->default_value) != 0)
			fail_msg("%s: default %s: %s", s->key, s->default_value,
				 vrp_error_last()->message);
	}
	assert_null(vrp_settings_at(vrp_settings_count()));
}

static void assert_refused(const char *key, const char *value, const char *message)
{
	assert_int_equal(vrp_settings_validate(key, value), VRP_EINVAL);
	if (!strstr(vrp_error_last()->message, message))
		fail_msg("%s = %s: \"%s\" lacks \"%s\"", key, value, vrp_error_last()->message,
			 message);
}

static void test_values_are_checked_with_the_readers_messages(void **state)
{
	(void)state;
	assert_ok(vrp_settings_validate("derive.opus_bitrate", "6000"));
	assert_ok(vrp_settings_validate("derive.opus_bitrate", "510000"));
	assert_refused("derive.opus_bitrate", "5999",
		       "[derive] opus_bitrate = 5999 is out of range (6000 to 510000)");
	assert_refused("derive.opus_bitrate", "32k", "[derive] opus_bitrate must be an integer");
	assert_refused("derive.opus_bitrate", "", "must be an integer");
	assert_ok(vrp_settings_validate("derive.kinds", "waveform,transcript"));
	assert_ok(vrp_settings_validate("derive.kinds", ""));
	assert_refused("derive.kinds", "waveform,,compressed", "unknown item \"\"");
	assert_refused("derive.kinds", "waveform,", "an empty item at the end");
	assert_refused("derive.kinds", "compressed,compressed", "\"compressed\" is listed twice");
	assert_refused("derive.kinds", "video", "unknown item \"video\"");
	assert_ok(vrp_settings_validate("log.level", "warning"));
	assert_refused("log.level", "loud", "[log] level must be debug, info,");
	assert_refused("log.max_files", "0", "[log] max_files = 0 is out of range (1 to 10000)");
	assert_refused("no.such", "1", "unknown setting \"no.such\"");
	assert_refused("log.dir", "a\nb", "must be on one line");
}

/* The log reader gives exactly what `vrp config set` would. */
static void test_the_log_reader_refuses_what_the_table_refuses(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "c.ini");
	FILE *f = fopen(path, "w");
	fputs("[log]\nmax_files = 0\n", f);
	fclose(f);
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	vrp_log_settings s;
	assert_int_equal(vrp_log_settings_load(&s, c, dir), VRP_EINVAL);
	char from_reader[256];
	snprintf(from_reader, sizeof(from_reader), "%s", vrp_error_last()->message);
	assert_int_equal(vrp_settings_validate("log.max_files", "0"), VRP_EINVAL);
	assert_string_equal(from_reader, vrp_error_last()->message);
	vrp_config_free(c);
	free(path);
	test_rmtree(dir);
}

static void assert_value(vrp_library *lib, const char *key, const char *want,
			 enum vrp_setting_source want_source)
{
	char *value = NULL;
	enum vrp_setting_source source;
	assert_ok(vrp_settings_get(lib, key, &value, &source));
	if (want)
		assert_string_equal(value, want);
	else
		assert_null(value);
	assert_int_equal(source, want_source);
	free(value);
}

static void test_library_file_over_user_file_over_default(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *xdg = test_path(dir, "xdg");
	char *root = test_path(dir, "lib");
	unsetenv("VRP_CONFIG");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	vrp_library *lib = NULL;
	assert_ok(vrp_library_open(&lib, root, VRP_LIBRARY_CREATE, NULL));
	assert_value(lib, "derive.opus_bitrate", "32000", VRP_SETTING_FROM_DEFAULT);
	assert_value(lib, "log.dir", NULL, VRP_SETTING_FROM_DEFAULT);
	assert_ok(vrp_settings_set(NULL, "derive.opus_bitrate", "48000"));
	assert_value(lib, "derive.opus_bitrate", "48000", VRP_SETTING_FROM_USER);
	assert_ok(vrp_settings_set(lib, "derive.opus_bitrate", "64000"));
	assert_value(lib, "derive.opus_bitrate", "64000", VRP_SETTING_FROM_LIBRARY);
	assert_value(NULL, "derive.opus_bitrate", "48000", VRP_SETTING_FROM_USER);
	long n = 0;
	assert_ok(vrp_settings_get_int(lib, "derive.opus_bitrate", -1, &n));
	assert_int_equal(n, 64000);
	assert_ok(vrp_settings_get_int(lib, "retention.purge_deleted_after_days", -1, &n));
	assert_int_equal(n, -1);
	assert_int_equal(vrp_settings_get_int(lib, "derive.kinds", 0, &n), VRP_EINVAL);
	assert_ok(vrp_settings_unset(lib, "derive.opus_bitrate"));
	assert_value(lib, "derive.opus_bitrate", "48000", VRP_SETTING_FROM_USER);
	assert_int_equal(vrp_settings_unset(lib, "derive.opus_bitrate"), VRP_ENOTFOUND);
	assert_int_equal(vrp_settings_set(lib, "derive.opus_bitrate", "1"), VRP_EINVAL);
	assert_int_equal(vrp_settings_set(lib, "nope.nope", "1"), VRP_EINVAL);
	/* A bad value written by hand is reported by the reader, not used. */
	char *own = test_path(root, "config.ini");
	FILE *f = fopen(own, "w");
	fputs("[derive]\nopus_bitrate = loud\n", f);
	fclose(f);
	char *value = NULL;
	assert_int_equal(vrp_settings_get(lib, "derive.opus_bitrate", &value, NULL), VRP_EINVAL);
	assert_null(value);
	vrp_library_free(lib);
	unsetenv("XDG_CONFIG_HOME");
	free(own);
	free(xdg);
	free(root);
	test_rmtree(dir);
}

static void test_unset_removes_every_occurrence_of_a_key(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "c.ini");
	FILE *f = fopen(path, "w");
	fputs("[a]\nk = 1\n# keep me\nk = 2\nother = x\n", f);
	fclose(f);
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	assert_ok(vrp_config_unset(c, "a", "k"));
	assert_null(vrp_config_get(c, "a", "k"));
	assert_string_equal(vrp_config_get(c, "a", "other"), "x");
	assert_int_equal(vrp_config_unset(c, "a", "k"), VRP_ENOTFOUND);
	vrp_config_free(c);
	free(path);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_default_passes_its_own_check),
		cmocka_unit_test(test_values_are_checked_with_the_readers_messages),
		cmocka_unit_test(test_the_log_reader_refuses_what_the_table_refuses),
		cmocka_unit_test(test_library_file_over_user_file_over_default),
		cmocka_unit_test(test_unset_removes_every_occurrence_of_a_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
