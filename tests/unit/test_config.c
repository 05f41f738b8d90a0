/* test_config.c - the INI configuration file. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char *write_config(const char *dir, const char *text)
{
	char *path = test_path(dir, "config.ini");
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_reads_sections_keys_and_comments(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = write_config(
		dir, "# comment\n; another\n[retention]\n"
		     "  purge_deleted_after_days =  30 \n\n[remote \"nas\"]\n"
		     "path = /mnt/nas/voice memos\n[retention]\npurge_deleted_after_days = 45\n");
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	assert_string_equal(vrp_config_get(c, "remote \"nas\"", "path"), "/mnt/nas/voice memos");
	long days = 0;
	assert_ok(vrp_config_get_int(c, "retention", "purge_deleted_after_days", -1, &days));
	assert_int_equal(days, 45); /* the last occurrence wins */
	assert_null(vrp_config_get(c, "retention", "missing"));
	assert_ok(vrp_config_get_int(c, "retention", "missing", 7, &days));
	assert_int_equal(days, 7);
	vrp_config_free(c);
	vrp_config_free(NULL);
	free(path);
	test_rmtree(dir);
}

static void test_missing_file_is_an_empty_configuration(void **state)
{
	(void)state;
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, "/nonexistent/vrp/config.ini"));
	assert_null(vrp_config_get(c, "retention", "purge_deleted_after_days"));
	vrp_config_free(c);
}

static void test_malformed_line_and_bad_integer_are_invalid(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = write_config(dir, "[retention]\nthis line has no equals sign\n");
	vrp_config *c = NULL;
	assert_int_equal(vrp_config_load(&c, path), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, ":2:"));
	free(path);
	path = write_config(dir, "[retention]\npurge_deleted_after_days = soon\n");
	assert_ok(vrp_config_load(&c, path));
	long days = 0;
	assert_int_equal(vrp_config_get_int(c, "retention", "purge_deleted_after_days", -1, &days),
			 VRP_EINVAL);
	vrp_config_free(c);
	free(path);
	test_rmtree(dir);
}

static void test_vrp_config_environment_variable_chooses_the_file(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = write_config(dir, "[a]\nb = c\n");
	setenv("VRP_CONFIG", path, 1);
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, NULL));
	assert_string_equal(vrp_config_get(c, "a", "b"), "c");
	vrp_config_free(c);
	unsetenv("VRP_CONFIG");
	free(path);
	test_rmtree(dir);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	static char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_edits_keep_comments_and_order(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = write_config(dir, "# my settings\n[retention]\n; thirty days\n"
				       "purge_deleted_after_days = 30\n\n[log]\nlevel = info\n");
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	assert_ok(vrp_config_set(c, "retention", "purge_deleted_after_days", "45"));
	assert_ok(vrp_config_set(c, "retention", "keep_backups", "5"));
	assert_ok(vrp_config_set(c, "remote \"nas\"", "type", "localdir"));
	assert_ok(vrp_config_set(c, "remote \"nas\"", "path", "/mnt/nas"));
	assert_ok(vrp_config_save(c));
	vrp_config_free(c);
	assert_string_equal(slurp(path), "# my settings\n[retention]\n; thirty days\n"
					 "purge_deleted_after_days = 45\nkeep_backups = 5\n\n"
					 "[log]\nlevel = info\n\n[remote \"nas\"]\n"
					 "type = localdir\npath = /mnt/nas\n");
	assert_ok(vrp_config_load(&c, path));
	assert_int_equal(vrp_config_section_count(c), 3);
	assert_string_equal(vrp_config_section_name(c, 2), "remote \"nas\"");
	assert_null(vrp_config_section_name(c, 3));
	assert_ok(vrp_config_remove_section(c, "log"));
	assert_int_equal(vrp_config_remove_section(c, "log"), VRP_ENOTFOUND);
	assert_ok(vrp_config_save(c));
	vrp_config_free(c);
	assert_null(strstr(slurp(path), "level = info"));
	free(path);
	test_rmtree(dir);
}

static void test_set_refuses_multi_line_values_and_bad_names(void **state)
{
	(void)state;
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, "/nonexistent/vrp/config.ini"));
	assert_int_equal(vrp_config_set(c, "a", "b", "line\nbreak"), VRP_EINVAL);
	assert_int_equal(vrp_config_set(c, "a]", "b", "c"), VRP_EINVAL);
	assert_int_equal(vrp_config_set(c, "a", "b=c", "d"), VRP_EINVAL);
	assert_int_equal(vrp_config_set(c, "", "b", "d"), VRP_EINVAL);
	vrp_config_free(c);
}

static void test_save_creates_the_directory_with_private_mode(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "new/vrp/config.ini");
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	assert_ok(vrp_config_set(c, "a", "b", "c"));
	assert_ok(vrp_config_save(c));
	vrp_config_free(c);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	free(path);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_sections_keys_and_comments),
		cmocka_unit_test(test_missing_file_is_an_empty_configuration),
		cmocka_unit_test(test_malformed_line_and_bad_integer_are_invalid),
		cmocka_unit_test(test_vrp_config_environment_variable_chooses_the_file),
		cmocka_unit_test(test_edits_keep_comments_and_order),
		cmocka_unit_test(test_set_refuses_multi_line_values_and_bad_names),
		cmocka_unit_test(test_save_creates_the_directory_with_private_mode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
