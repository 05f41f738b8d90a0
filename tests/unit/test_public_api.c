/*
 * test_public_api.c - libvrp as an application sees it: only <vrp/vrp.h>,
 * linked against the shared library.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <vrp/vrp.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static char *make_tmpdir(void)
{
	char *dir = strdup("/tmp/vrp-api-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return dir;
}

static void test_version_is_the_headers_version(void **state)
{
	(void)state;
	assert_string_equal(vrp_version(), VRP_VERSION);
}

static void test_open_without_create_asks_for_init(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	vrp_library *lib = NULL;
	assert_int_equal(vrp_library_open(&lib, dir, 0, NULL), VRP_ENOLIBRARY);
	assert_null(lib);
	assert_string_equal(vrp_error_last()->code_name, "ERR_NO_LIBRARY");
	assert_non_null(strstr(vrp_error_last()->message, "vrp init"));
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

static void test_create_then_reopen_a_library(void **state)
{
	(void)state;
	char *dir = make_tmpdir();
	char *root = malloc(strlen(dir) + 8);
	sprintf(root, "%s/lib", dir);
	vrp_library *lib = NULL;
	vrp_migrate_result m;
	assert_int_equal(vrp_library_open(&lib, root, VRP_LIBRARY_CREATE, &m), 0);
	assert_int_equal(m.to_version, vrp_db_schema_latest());
	assert_null(m.backup_path);
	vrp_migrate_result_clear(&m);
	char *raw = vrp_library_path(lib, "recordings/raw");
	assert_int_equal(access(raw, W_OK), 0);
	free(raw);
	vrp_library_free(lib);
	vrp_library_free(NULL);

	assert_int_equal(vrp_library_open(&lib, root, 0, &m), 0);
	assert_int_equal(m.applied, 0);
	int version = 0;
	assert_int_equal(vrp_db_schema_version(vrp_library_db(lib), &version), 0);
	assert_int_equal(version, vrp_db_schema_latest());
	assert_non_null(strstr(vrp_library_backup_dir(lib), "/lib/backups"));
	vrp_library_free(lib);
	nftw(dir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
	free(root);
	free(dir);
}

static void test_default_root_follows_the_environment(void **state)
{
	(void)state;
	char *root = NULL;
	setenv("VRP_LIBRARY", "/srv/memos", 1);
	assert_int_equal(vrp_library_default_root(&root), 0);
	assert_string_equal(root, "/srv/memos");
	free(root);
	unsetenv("VRP_LIBRARY");
	setenv("XDG_DATA_HOME", "/home/u/.data", 1);
	assert_int_equal(vrp_library_default_root(&root), 0);
	assert_string_equal(root, "/home/u/.data/vrp");
	free(root);
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", "/home/u", 1);
	assert_int_equal(vrp_library_default_root(&root), 0);
	assert_string_equal(root, "/home/u/.local/share/vrp");
	free(root);
	unsetenv("HOME");
	assert_int_equal(vrp_library_default_root(&root), VRP_ENOTFOUND);
	assert_null(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_is_the_headers_version),
		cmocka_unit_test(test_open_without_create_asks_for_init),
		cmocka_unit_test(test_create_then_reopen_a_library),
		cmocka_unit_test(test_default_root_follows_the_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
