/* test_error.c - the error model: codes, names, exit statuses, thread-local state. */
#include "test_support.h"

#include "core/error_set.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

static void test_every_code_has_a_distinct_err_name(void **state)
{
	(void)state;
	for (int a = 1; a < VRP_ERROR_COUNT; a++) {
		const char *name = vrp_error_code_name(-a);
		assert_memory_equal(name, "ERR_", 4);
		for (int b = a + 1; b < VRP_ERROR_COUNT; b++)
			assert_string_not_equal(name, vrp_error_code_name(-b));
	}
	assert_string_equal(vrp_error_code_name(VRP_OK), "OK");
}

static void test_names_match_the_documented_contract(void **state)
{
	(void)state;
	static const struct {
		int code;
		const char *name;
	} contract[] = {
		{ VRP_ENOTFOUND, "ERR_NOT_FOUND" },
		{ VRP_ENOSPC, "ERR_NO_SPACE" },
		{ VRP_EDB, "ERR_DB" },
		{ VRP_EBUSY, "ERR_BUSY" },
		{ VRP_ESCHEMA_TOO_NEW, "ERR_SCHEMA_TOO_NEW" },
		{ VRP_EUNSUPPORTED_MEDIA, "ERR_UNSUPPORTED_MEDIA" },
		{ VRP_ECORRUPT_MEDIA, "ERR_CORRUPT_MEDIA" },
		{ VRP_ECHECKSUM, "ERR_CHECKSUM_MISMATCH" },
		{ VRP_EAUTH, "ERR_AUTH" },
		{ VRP_EAUTH_EXPIRED, "ERR_AUTH_EXPIRED" },
		{ VRP_ERATE_LIMIT, "ERR_UPLOAD_RATE_LIMIT" },
		{ VRP_ETRANSIENT, "ERR_TRANSIENT" },
		{ VRP_EQUOTA, "ERR_QUOTA_EXCEEDED" },
		{ VRP_ECONFLICT, "ERR_CONFLICT" },
		{ VRP_EREMOTE_NOT_FOUND, "ERR_REMOTE_NOT_FOUND" },
		{ VRP_EPERMANENT, "ERR_PERMANENT" },
		{ VRP_ECANCELLED, "ERR_CANCELLED" },
	};
	for (size_t i = 0; i < sizeof(contract) / sizeof(*contract); i++)
		assert_string_equal(vrp_error_code_name(contract[i].code), contract[i].name);
}

static void test_unknown_code_reads_as_internal(void **state)
{
	(void)state;
	assert_string_equal(vrp_error_code_name(-1000), "ERR_INTERNAL");
	assert_string_equal(vrp_error_code_name(7), "ERR_INTERNAL");
	assert_int_equal(vrp_error_exit_status(-1000), 70);
}

static void test_set_records_code_and_message_and_clears_context(void **state)
{
	(void)state;
	vrp_error_set(VRP_EIO, "first");
	vrp_error_set_context("ctx");
	int rc = vrp_error_set(VRP_ENOTFOUND, "recording %d not found", 42);
	assert_int_equal(rc, VRP_ENOTFOUND);
	const vrp_error *e = vrp_error_last();
	assert_int_equal(e->code, VRP_ENOTFOUND);
	assert_string_equal(e->code_name, "ERR_NOT_FOUND");
	assert_string_equal(e->message, "recording 42 not found");
	assert_string_equal(e->context, "");
}

static void test_clear_forgets_the_error(void **state)
{
	(void)state;
	vrp_error_set(VRP_EIO, "boom");
	vrp_error_clear();
	assert_int_equal(vrp_error_last()->code, VRP_OK);
	assert_string_equal(vrp_error_last()->message, "");
}

static void test_errno_maps_to_codes_with_strerror(void **state)
{
	(void)state;
	assert_int_equal(vrp_error_from_errno(ENOSPC, "writing %s", "x.wav"), VRP_ENOSPC);
	assert_non_null(strstr(vrp_error_last()->message, "writing x.wav: "));
	assert_non_null(strstr(vrp_error_last()->message, strerror(ENOSPC)));
	assert_int_equal(vrp_error_code_from_errno(EDQUOT), VRP_ENOSPC);
	assert_int_equal(vrp_error_code_from_errno(EACCES), VRP_EPERM);
	assert_int_equal(vrp_error_code_from_errno(EROFS), VRP_EREADONLY);
	assert_int_equal(vrp_error_code_from_errno(ENOENT), VRP_ENOTFOUND);
	assert_int_equal(vrp_error_code_from_errno(EBADF), VRP_EIO);
}

static void test_prefix_keeps_code_and_context(void **state)
{
	(void)state;
	vrp_error_set(VRP_EBUSY, "locked");
	vrp_error_set_context("library.db");
	assert_int_equal(vrp_error_prefix("importing %s", "a.wav"), VRP_EBUSY);
	assert_string_equal(vrp_error_last()->message, "importing a.wav: locked");
	assert_string_equal(vrp_error_last()->context, "library.db");
}

static void test_set_may_quote_the_current_message(void **state)
{
	(void)state;
	vrp_error_set(VRP_EIO, "disk said no");
	vrp_error_set(VRP_EMIGRATION, "migration failed: %s", vrp_error_last()->message);
	assert_string_equal(vrp_error_last()->message, "migration failed: disk said no");
}

static void test_messages_never_carry_credentials_or_addresses(void **state)
{
	(void)state;
	vrp_error_set(VRP_EAUTH, "server said: Authorization: Bearer ya29.a0AfH6SMBx for %s",
		      "jane.doe@example.com");
	const char *m = vrp_error_last()->message;
	assert_null(strstr(m, "ya29.a0AfH6SMBx"));
	assert_null(strstr(m, "jane.doe@example.com"));
	assert_non_null(strstr(m, "server said"));
}

static void test_long_messages_are_truncated_not_overflowed(void **state)
{
	(void)state;
	char big[4096];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	vrp_error_set(VRP_EIO, "%s", big);
	vrp_error_prefix("%s", big);
	assert_true(strlen(vrp_error_last()->message) < sizeof(big));
}

static void test_transient_codes_are_the_retryable_ones(void **state)
{
	(void)state;
	assert_true(vrp_error_is_transient(VRP_EBUSY));
	assert_true(vrp_error_is_transient(VRP_ETRANSIENT));
	assert_true(vrp_error_is_transient(VRP_ERATE_LIMIT));
	assert_true(vrp_error_is_transient(VRP_EUNAVAILABLE));
	assert_false(vrp_error_is_transient(VRP_EAUTH_EXPIRED));
	assert_false(vrp_error_is_transient(VRP_EQUOTA));
	assert_false(vrp_error_is_transient(VRP_EPERMANENT));
	assert_false(vrp_error_is_transient(VRP_ECHECKSUM));
	assert_false(vrp_error_is_transient(VRP_OK));
}

static void test_exit_statuses_follow_sysexits(void **state)
{
	(void)state;
	assert_int_equal(vrp_error_exit_status(VRP_OK), 0);
	assert_int_equal(vrp_error_exit_status(VRP_EUSAGE), 64);
	assert_int_equal(vrp_error_exit_status(VRP_EUNSUPPORTED_MEDIA), 65);
	assert_int_equal(vrp_error_exit_status(VRP_ECORRUPT_MEDIA), 65);
	assert_int_equal(vrp_error_exit_status(VRP_ENOTFOUND), 66);
	assert_int_equal(vrp_error_exit_status(VRP_EUNAVAILABLE), 69);
	assert_int_equal(vrp_error_exit_status(VRP_EIO), 74);
	assert_int_equal(vrp_error_exit_status(VRP_ENOSPC), 74);
	assert_int_equal(vrp_error_exit_status(VRP_EBUSY), 75);
	assert_int_equal(vrp_error_exit_status(VRP_ERATE_LIMIT), 75);
	assert_int_equal(vrp_error_exit_status(VRP_EAUTH), 77);
	assert_int_equal(vrp_error_exit_status(VRP_EPERM), 77);
	for (int c = 1; c < VRP_ERROR_COUNT; c++)
		assert_true(vrp_error_exit_status(-c) >= 64);
}

static void *set_in_thread(void *arg)
{
	(void)arg;
	vrp_error_set(VRP_EQUOTA, "thread error");
	return NULL;
}

static void test_last_error_is_per_thread(void **state)
{
	(void)state;
	vrp_error_set(VRP_EBUSY, "main error");
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, set_in_thread, NULL), 0);
	pthread_join(t, NULL);
	assert_int_equal(vrp_error_last()->code, VRP_EBUSY);
	assert_string_equal(vrp_error_last()->message, "main error");
}

static void test_every_exit_status_has_a_meaning(void **state)
{
	(void)state;
	for (int code = 0; code > -VRP_ERROR_COUNT; code--)
		assert_non_null(vrp_exit_status_meaning(vrp_error_exit_status(code)));
	assert_null(vrp_exit_status_meaning(1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_a_distinct_err_name),
		cmocka_unit_test(test_names_match_the_documented_contract),
		cmocka_unit_test(test_unknown_code_reads_as_internal),
		cmocka_unit_test(test_set_records_code_and_message_and_clears_context),
		cmocka_unit_test(test_clear_forgets_the_error),
		cmocka_unit_test(test_errno_maps_to_codes_with_strerror),
		cmocka_unit_test(test_prefix_keeps_code_and_context),
		cmocka_unit_test(test_set_may_quote_the_current_message),
		cmocka_unit_test(test_messages_never_carry_credentials_or_addresses),
		cmocka_unit_test(test_long_messages_are_truncated_not_overflowed),
		cmocka_unit_test(test_transient_codes_are_the_retryable_ones),
		cmocka_unit_test(test_exit_statuses_follow_sysexits),
		cmocka_unit_test(test_every_exit_status_has_a_meaning),
		cmocka_unit_test(test_last_error_is_per_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
