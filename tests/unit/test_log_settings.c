/* test_log_settings.c - where the log goes and its limits: defaults, config file, environment. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static vrp_config *config_of(const char *dir, const char *text)
{
	char *path = test_path(dir, "config.ini");
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	free(path);
	return c;
}

static int setup(void **state)
{
	(void)state;
	unsetenv("VRP_LOG_DIR");
	setenv("XDG_STATE_HOME", "/state", 1);
	setenv("HOME", "/home/me", 1);
	return 0;
}

static void test_defaults_without_a_config(void **state)
{
	(void)state;
	vrp_log_settings s;
	assert_ok(vrp_log_settings_load(&s, NULL, NULL));
	assert_string_equal(s.dir, "/state/vrp/logs");
	assert_int_equal(s.level, VRP_LOG_LEVEL_INFO);
	assert_int_equal(s.max_file_bytes, 5 << 20);
	assert_int_equal(s.max_files, 10);
	assert_int_equal(s.retention_days, 30);
	vrp_log_settings_clear(&s);
}

static void test_home_is_the_fallback_for_the_state_directory(void **state)
{
	(void)state;
	unsetenv("XDG_STATE_HOME");
	char *dir = NULL;
	assert_ok(vrp_log_default_dir(&dir));
	assert_string_equal(dir, "/home/me/.local/state/vrp/logs");
	free(dir);
}

static void test_config_sets_level_limits_and_a_dir_in_the_library(void **state)
{
	(void)state;
	char *tmp = test_tmpdir();
	vrp_config *c = config_of(tmp, "[log]\nlevel = debug\nmax_file_bytes = 2048\n"
				       "max_files = 3\nretention_days = 7\ndir = logs\n");
	vrp_log_settings s;
	assert_ok(vrp_log_settings_load(&s, c, "/lib/root"));
	assert_string_equal(s.dir, "/lib/root/logs");
	assert_int_equal(s.level, VRP_LOG_LEVEL_DEBUG);
	assert_int_equal(s.max_file_bytes, 2048);
	assert_int_equal(s.max_files, 3);
	assert_int_equal(s.retention_days, 7);
	vrp_log_settings_clear(&s);
	vrp_config_free(c);
	test_rmtree(tmp);
}

static void test_the_environment_wins_over_the_config_dir(void **state)
{
	(void)state;
	char *tmp = test_tmpdir();
	vrp_config *c = config_of(tmp, "[log]\ndir = /var/log/vrp\n");
	setenv("VRP_LOG_DIR", "/env/logs", 1);
	vrp_log_settings s;
	assert_ok(vrp_log_settings_load(&s, c, NULL));
	assert_string_equal(s.dir, "/env/logs");
	vrp_log_settings_clear(&s);
	unsetenv("VRP_LOG_DIR");
	assert_ok(vrp_log_settings_load(&s, c, NULL));
	assert_string_equal(s.dir, "/var/log/vrp");
	vrp_log_settings_clear(&s);
	vrp_config_free(c);
	test_rmtree(tmp);
}

static void test_malformed_settings_are_invalid(void **state)
{
	(void)state;
	const char *bad[] = { "[log]\nlevel = loud\n", "[log]\nmax_files = 0\n",
			      "[log]\nretention_days = soon\n", "[log]\nmax_file_bytes = 100\n" };
	char *tmp = test_tmpdir();
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		vrp_config *c = config_of(tmp, bad[i]);
		vrp_log_settings s;
		assert_int_equal(vrp_log_settings_load(&s, c, NULL), VRP_EINVAL);
		assert_null(s.dir);
		vrp_config_free(c);
	}
	test_rmtree(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults_without_a_config, setup),
		cmocka_unit_test_setup(test_home_is_the_fallback_for_the_state_directory, setup),
		cmocka_unit_test_setup(test_config_sets_level_limits_and_a_dir_in_the_library,
				       setup),
		cmocka_unit_test_setup(test_the_environment_wins_over_the_config_dir, setup),
		cmocka_unit_test_setup(test_malformed_settings_are_invalid, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
