/* test_credentials.c - remotes' secrets in the 0600 file store. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct fixture {
	char *dir;
	vrp_library *lib;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_tmpdir();
	char *root = test_path(f->dir, "lib");
	assert_ok(vrp_library_open(&f->lib, root, VRP_LIBRARY_CREATE, NULL));
	free(root);
	unsetenv("VRP_CREDENTIAL_STORE");
	/* No session bus: the keyring is unavailable and the file store is chosen. */
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vrp_library_free(f->lib);
	test_rmtree(f->dir);
	free(f);
	unsetenv("VRP_CREDENTIAL_STORE");
	return 0;
}

static void test_set_get_replace_and_delete(void **state)
{
	struct fixture *f = *state;
	char *secret = NULL;
	assert_int_equal(vrp_credentials_get(f->lib, "nas", "password", &secret), VRP_ENOTFOUND);
	assert_ok(vrp_credentials_set(f->lib, "nas", "password", "correct horse"));
	assert_ok(vrp_credentials_set(f->lib, "drive", "refresh_token", "1//abc"));
	assert_ok(vrp_credentials_get(f->lib, "nas", "password", &secret));
	assert_string_equal(secret, "correct horse");
	vrp_credentials_free_secret(secret);
	assert_ok(vrp_credentials_set(f->lib, "nas", "password", "battery staple"));
	assert_ok(vrp_credentials_get(f->lib, "nas", "password", &secret));
	assert_string_equal(secret, "battery staple");
	vrp_credentials_free_secret(secret);
	assert_ok(vrp_credentials_delete(f->lib, "nas", NULL));
	assert_int_equal(vrp_credentials_get(f->lib, "nas", "password", &secret), VRP_ENOTFOUND);
	assert_ok(vrp_credentials_get(f->lib, "drive", "refresh_token", &secret));
	vrp_credentials_free_secret(secret);
	assert_ok(vrp_credentials_delete(f->lib, "missing", "key"));
	assert_string_equal(vrp_credentials_store(f->lib), "file");
	vrp_credentials_free_secret(NULL);
}

static void test_the_file_is_private_and_others_readable_is_refused(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_credentials_set(f->lib, "nas", "password", "x"));
	char *path = vrp_library_path(f->lib, "credentials.json");
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	chmod(path, 0644);
	char *secret = NULL;
	assert_int_equal(vrp_credentials_get(f->lib, "nas", "password", &secret), VRP_EPERM);
	assert_non_null(strstr(vrp_error_last()->message, "chmod 600"));
	free(path);
}

static void test_a_damaged_store_is_reported_not_overwritten(void **state)
{
	struct fixture *f = *state;
	char *path = vrp_library_path(f->lib, "credentials.json");
	FILE *out = fopen(path, "w");
	fputs("{not json", out);
	fclose(out);
	chmod(path, 0600);
	assert_int_equal(vrp_credentials_set(f->lib, "nas", "password", "x"), VRP_EIO);
	out = fopen(path, "r");
	char buf[32] = "";
	assert_non_null(fgets(buf, sizeof(buf), out));
	fclose(out);
	assert_string_equal(buf, "{not json");
	free(path);
}

static void test_store_choice_comes_from_the_environment(void **state)
{
	struct fixture *f = *state;
	char *secret = NULL;
	setenv("VRP_CREDENTIAL_STORE", "keyring", 1);
	int rc = vrp_credentials_set(f->lib, "nas", "password", "x");
	assert_true(rc == VRP_EUNAVAILABLE || rc == VRP_ENOTSUP);
	assert_non_null(strstr(vrp_error_last()->message, "VRP_CREDENTIAL_STORE=file"));
	setenv("VRP_CREDENTIAL_STORE", "vault", 1);
	assert_int_equal(vrp_credentials_get(f->lib, "nas", "password", &secret), VRP_EINVAL);
	setenv("VRP_CREDENTIAL_STORE", "file", 1);
	assert_ok(vrp_credentials_set(f->lib, "nas", "password", "x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_set_get_replace_and_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_the_file_is_private_and_others_readable_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_damaged_store_is_reported_not_overwritten,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_choice_comes_from_the_environment, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
