/* test_provider_registry.c - provider type keys, settings checks and the generic calls. */
#include "test_support.h"

#include "vrp/sys/provider.h"

#include <stdlib.h>
#include <string.h>

static void test_types_lists_localdir_mock_sftp_gdrive_and_onedrive(void **state)
{
	(void)state;
	const char *const *types = vrp_provider_types();
	assert_string_equal(types[0], "localdir");
	assert_string_equal(types[1], "mock");
	assert_string_equal(types[2], "sftp");
	assert_string_equal(types[3], "gdrive");
	assert_string_equal(types[4], "onedrive");
	assert_null(types[5]);
}

static void test_unknown_type_is_not_supported(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	assert_int_equal(vrp_provider_new(&p, "ftp", "old", NULL, 0, NULL, NULL), VRP_ENOTSUP);
	assert_null(p);
	assert_non_null(strstr(vrp_error_last()->message, "ftp"));
	assert_non_null(strstr(vrp_error_last()->message,
			       "(known: localdir, mock, sftp, gdrive, onedrive)"));
}

static void test_unknown_setting_is_invalid_and_named(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	vrp_kv settings[] = { { "path", "/tmp" }, { "colour", "blue" } };
	assert_int_equal(vrp_provider_new(&p, "localdir", "nas", settings, 2, NULL, NULL),
			 VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "colour"));
	assert_string_equal(vrp_error_last()->context, "remote nas");
}

static void test_missing_required_setting_is_invalid_and_named(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	assert_int_equal(vrp_provider_new(&p, "localdir", "nas", NULL, 0, NULL, NULL), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "'path'"));
}

static void test_relative_localdir_path_is_invalid(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	vrp_kv settings[] = { { "path", "relative/dir" } };
	assert_int_equal(vrp_provider_new(&p, "localdir", "nas", settings, 1, NULL, NULL),
			 VRP_EINVAL);
}

static void test_common_settings_are_accepted(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	vrp_kv settings[] = { { "delete_policy", "keep" }, { "concurrency", "2" } };
	assert_ok(vrp_provider_new(&p, "mock", "m", settings, 2, NULL, NULL));
	assert_string_equal(vrp_provider_type(p), "mock");
	assert_string_equal(vrp_provider_name(p), "m");
	vrp_provider_free(p);
	vrp_provider_free(NULL);
}

static void test_duplicate_setting_is_invalid(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	vrp_kv settings[] = { { "path", "/a" }, { "path", "/b" } };
	assert_int_equal(vrp_provider_new(&p, "localdir", "nas", settings, 2, NULL, NULL),
			 VRP_EINVAL);
}

static void test_upload_refuses_escaping_remote_paths_before_the_provider(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	assert_ok(vrp_provider_new(&p, "mock", "m", NULL, 0, NULL, NULL));
	vrp_upload_request r = { .local_path = "/dev/null", .remote_path = "../x" };
	char *resume = (char *)"untouched";
	assert_int_equal(vrp_provider_upload(p, &r, NULL, &resume), VRP_EINVAL);
	assert_null(resume);
	vrp_provider_free(p);
}

static void test_ops_table_starts_with_its_version(void **state)
{
	(void)state;
	struct vrp_provider_ops ops = VRP_PROVIDER_OPS_INIT;
	assert_int_equal(ops.version, VRP_PROVIDER_OPS_VERSION);
	assert_null(ops.upload);
}

static void test_checksum_kind_names(void **state)
{
	(void)state;
	assert_string_equal(vrp_checksum_kind_to_string(VRP_CHECKSUM_SHA256), "sha256");
	assert_string_equal(vrp_checksum_kind_to_string(VRP_CHECKSUM_NONE), "none");
	assert_null(vrp_checksum_kind_to_string((vrp_checksum_kind)42));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types_lists_localdir_mock_sftp_gdrive_and_onedrive),
		cmocka_unit_test(test_unknown_type_is_not_supported),
		cmocka_unit_test(test_unknown_setting_is_invalid_and_named),
		cmocka_unit_test(test_missing_required_setting_is_invalid_and_named),
		cmocka_unit_test(test_relative_localdir_path_is_invalid),
		cmocka_unit_test(test_common_settings_are_accepted),
		cmocka_unit_test(test_duplicate_setting_is_invalid),
		cmocka_unit_test(test_upload_refuses_escaping_remote_paths_before_the_provider),
		cmocka_unit_test(test_ops_table_starts_with_its_version),
		cmocka_unit_test(test_checksum_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
