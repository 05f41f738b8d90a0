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
	char *path = write_config(dir, "# comment\n; another\n[retention]\n"
				       "  purge_deleted_after_days =  30 "
				       "\npurge_deleted_after_days = 45\n\n[remote \"nas\"]\n"
				       "path = /mnt/nas/voice memos\n");
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

/* A line as long as `len`: `head`, then `fill` bytes, then `tail`. */
static char *long_line(const char *head, size_t len, char fill, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *s = malloc(len + 1);
	memcpy(s, head, h);
	memset(s + h, fill, len - h - t);
	memcpy(s + len - t, tail, t + 1);
	return s;
}

static int count_setting(void *ctx, const char *key, const char *value)
{
	(void)key;
	(void)value;
	(*(int *)ctx)++;
	return 0;
}

static void test_a_long_comment_stays_a_comment(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	/* The tail begins past byte 4095, where a 4 KiB line buffer split it. */
	char *comment = long_line("# ", 4096 + 13, 'x', "path = /evil");
	char *text = NULL;
	assert_true(asprintf(&text, "[remote \"nas\"]\n%s\npath = /mnt/nas\n", comment) > 0);
	char *path = write_config(dir, text);
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	assert_string_equal(vrp_config_get(c, "remote \"nas\"", "path"), "/mnt/nas");
	int settings = 0;
	assert_ok(vrp_config_each(c, "remote \"nas\"", count_setting, &settings));
	assert_int_equal(settings, 1);
	vrp_config_free(c);
	free(text);
	free(comment);
	free(path);
	test_rmtree(dir);
}

static void test_long_values_and_names_round_trip(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "config.ini");
	char *value = long_line("/", 4100, 'v', "/end");
	char *section = long_line("remote ", 300, 's', "!");
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	assert_ok(vrp_config_set(c, section, "path", value));
	assert_ok(vrp_config_set(c, "other", "a", "b"));
	assert_ok(vrp_config_save(c));
	vrp_config_free(c);
	/* What was written reads back whole, and can be edited and removed again. */
	assert_ok(vrp_config_load(&c, path));
	assert_string_equal(vrp_config_get(c, section, "path"), value);
	assert_string_equal(vrp_config_section_name(c, 0), section);
	assert_ok(vrp_config_remove_section(c, section));
	assert_ok(vrp_config_save(c));
	vrp_config_free(c);
	assert_ok(vrp_config_load(&c, path));
	assert_int_equal(vrp_config_section_count(c), 1);
	assert_string_equal(vrp_config_get(c, "other", "a"), "b");
	vrp_config_free(c);
	free(section);
	free(value);
	free(path);
	test_rmtree(dir);
}

static void test_a_repeated_section_is_refused_naming_both_lines(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = write_config(dir, "[a]\nx = 1\n[b]\ny = 2\n\n[ a ]\nx = 3\n");
	vrp_config *c = NULL;
	assert_int_equal(vrp_config_load(&c, path), VRP_EINVAL);
	assert_null(c);
	const char *msg = vrp_error_last()->message;
	assert_non_null(strstr(msg, "config.ini:6: section [a] appears again (first at line 1)"));
	free(path);
	test_rmtree(dir);
}

static void test_nul_or_carriage_return_inside_a_line_is_refused(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "config.ini");
	const char *cases[][2] = { { "[a]\nb = c\nd = e\0f\n", ":3: the line holds a NUL byte" },
				   { "[a]\nd = e\rf\n", ":2: the line holds a carriage return" } };
	size_t sizes[] = { 18, 12 };
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(path, "wb");
		assert_int_equal(fwrite(cases[i][0], 1, sizes[i], f), sizes[i]);
		fclose(f);
		vrp_config *c = NULL;
		assert_int_equal(vrp_config_load(&c, path), VRP_EINVAL);
		assert_non_null(strstr(vrp_error_last()->message, cases[i][1]));
	}
	/* Windows line ends are fine. */
	FILE *f = fopen(path, "wb");
	fputs("[a]\r\nb = c\r\n", f);
	fclose(f);
	vrp_config *c = NULL;
	assert_ok(vrp_config_load(&c, path));
	assert_string_equal(vrp_config_get(c, "a", "b"), "c");
	vrp_config_free(c);
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
		cmocka_unit_test(test_a_long_comment_stays_a_comment),
		cmocka_unit_test(test_long_values_and_names_round_trip),
		cmocka_unit_test(test_a_repeated_section_is_refused_naming_both_lines),
		cmocka_unit_test(test_nul_or_carriage_return_inside_a_line_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
