/* test_mock_provider.c - the mock provider and each scripted fault's code. */
#include "provider_test_util.h"

#include "cloud/providers/mock.h"

#include <unistd.h>

struct fixture {
	char *dir, *file;
	vrp_provider *p;
};

static vrp_provider *new_mock(const vrp_kv *settings, size_t count)
{
	vrp_provider *p = NULL;
	assert_ok(vrp_provider_new(&p, "mock", "cloud", settings, count, NULL, NULL));
	return p;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_tmpdir();
	f->file = make_file(f->dir, "a.m4a", 200000, 1);
	vrp_kv settings[] = { { "chunk_size", "10000" } };
	f->p = new_mock(settings, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vrp_provider_free(f->p);
	free(f->file);
	test_rmtree(f->dir);
	free(f);
	vrp_mock_stores_reset();
	return 0;
}

static int upload(struct fixture *f, const char *resume_in, char **resume_out)
{
	vrp_upload_request r = { .local_path = f->file,
				 .remote_path = "r/a.m4a",
				 .resume_state = resume_in };
	return vrp_provider_upload(f->p, &r, NULL, resume_out);
}

static void test_upload_then_stat_reports_server_checksum(void **state)
{
	struct fixture *f = *state;
	char want[VRP_SHA256_HEX_LEN];
	sha256_of(f->file, want);
	assert_ok(upload(f, NULL, NULL));
	vrp_remote_object *o = NULL;
	assert_ok(vrp_provider_stat(f->p, "r/a.m4a", 0, &o));
	assert_int_equal(o->size, 200000);
	assert_string_equal(o->checksum, want);
	assert_int_equal(vrp_mock_calls(f->p, "upload"), 1);
	assert_int_equal(vrp_mock_calls(f->p, "stat"), 1);
	vrp_remote_object_free(o);
}

static void test_rate_limit_gives_retry_after(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "upload", "rate_limit", 42));
	assert_int_equal(upload(f, NULL, NULL), VRP_ERATE_LIMIT);
	assert_int_equal(vrp_provider_retry_after_ms(), 42000);
	assert_ok(upload(f, NULL, NULL));
	assert_int_equal(vrp_provider_retry_after_ms(), -1);
}

static void test_transient_5xx_is_transient(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "*", "transient", 502));
	assert_int_equal(upload(f, NULL, NULL), VRP_ETRANSIENT);
	assert_non_null(strstr(vrp_error_last()->message, "502"));
	assert_string_equal(vrp_error_last()->context, "remote cloud");
}

static void test_dropped_connection_resumes_where_it_stopped(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "upload", "drop", 55000));
	char *resume = NULL;
	assert_int_equal(upload(f, NULL, &resume), VRP_ETRANSIENT);
	assert_non_null(resume);
	assert_non_null(strstr(resume, "\"offset\":55000"));
	assert_int_equal(vrp_mock_session_count(f->p), 1);
	assert_int_equal(vrp_mock_object_count(f->p), 0);
	assert_ok(upload(f, resume, NULL));
	assert_int_equal(vrp_mock_resumed_uploads(f->p), 1);
	assert_int_equal(vrp_mock_session_count(f->p), 0);
	assert_int_equal(vrp_mock_object_count(f->p), 1);
	free(resume);
}

static void test_resume_state_survives_a_new_instance_of_a_named_store(void **state)
{
	struct fixture *f = *state;
	vrp_kv settings[] = { { "store", "server" }, { "faults", "upload:drop:1000" } };
	vrp_provider *first = new_mock(settings, 2);
	vrp_upload_request r = { .local_path = f->file, .remote_path = "a.m4a" };
	char *resume = NULL;
	assert_int_equal(vrp_provider_upload(first, &r, NULL, &resume), VRP_ETRANSIENT);
	vrp_provider_free(first);
	vrp_provider *second = new_mock(settings, 1);
	r.resume_state = resume;
	assert_ok(vrp_provider_upload(second, &r, NULL, NULL));
	assert_int_equal(vrp_mock_resumed_uploads(second), 1);
	assert_int_equal(vrp_mock_calls(second, "upload"), 2);
	vrp_provider_free(second);
	free(resume);
}

static void test_not_resumable_mock_starts_over(void **state)
{
	struct fixture *f = *state;
	vrp_kv settings[] = { { "resumable", "false" }, { "faults", "upload:drop:1000" } };
	vrp_provider *p = new_mock(settings, 2);
	vrp_upload_request r = { .local_path = f->file, .remote_path = "a.m4a" };
	char *resume = NULL;
	assert_int_equal(vrp_provider_upload(p, &r, NULL, &resume), VRP_ETRANSIENT);
	assert_null(resume);
	assert_int_equal(vrp_mock_session_count(p), 0);
	vrp_provider_free(p);
}

static void test_expired_auth_persists_until_authenticate(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "list", "auth_expired", 0));
	vrp_remote_page *page = NULL;
	assert_int_equal(vrp_provider_list(f->p, NULL, NULL, 0, &page), VRP_EAUTH_EXPIRED);
	assert_int_equal(upload(f, NULL, NULL), VRP_EAUTH_EXPIRED);
	bool authed = true;
	assert_ok(vrp_provider_is_authenticated(f->p, &authed));
	assert_false(authed);
	assert_ok(vrp_provider_authenticate(f->p));
	assert_ok(upload(f, NULL, NULL));
}

static void test_quota_fault_and_quota_setting(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "upload", "quota", 0));
	assert_int_equal(upload(f, NULL, NULL), VRP_EQUOTA);
	vrp_kv settings[] = { { "quota_bytes", "100000" } };
	vrp_provider *small = new_mock(settings, 1);
	vrp_upload_request r = { .local_path = f->file, .remote_path = "a.m4a" };
	assert_int_equal(vrp_provider_upload(small, &r, NULL, NULL), VRP_EQUOTA);
	assert_string_equal(vrp_error_last()->code_name, "ERR_QUOTA_EXCEEDED");
	vrp_storage_info *info = NULL;
	assert_ok(vrp_provider_storage_info(small, &info));
	assert_int_equal(info->used, 0);
	assert_int_equal(info->total, 100000);
	assert_int_equal(info->free, 100000);
	vrp_storage_info_free(info);
	vrp_provider_free(small);
}

static void test_corrupted_download_is_checksum_mismatch(void **state)
{
	struct fixture *f = *state;
	char want[VRP_SHA256_HEX_LEN];
	sha256_of(f->file, want);
	assert_ok(upload(f, NULL, NULL));
	assert_ok(vrp_mock_fault_add(f->p, "download", "corrupt", 0));
	char *back = test_path(f->dir, "back.m4a");
	vrp_download_request r = { .remote_id = "r/a.m4a",
				   .local_path = back,
				   .expected_sha256 = want };
	assert_int_equal(vrp_provider_download(f->p, &r), VRP_ECHECKSUM);
	assert_int_equal(access(back, F_OK), -1);
	assert_ok(vrp_provider_download(f->p, &r));
	assert_int_equal(file_size(back), 200000);
	free(back);
}

static void test_corrupted_upload_is_checksum_mismatch_and_not_kept(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "upload", "corrupt", 0));
	assert_int_equal(upload(f, NULL, NULL), VRP_ECHECKSUM);
	assert_int_equal(vrp_mock_object_count(f->p), 0);
}

static int count_steps(void *ctx, int64_t done, int64_t total)
{
	(void)done;
	(void)total;
	(*(int *)ctx)++;
	return 0;
}

static void test_slow_transfer_still_completes_in_chunks(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "upload", "slow", 1));
	int steps = 0;
	vrp_upload_request r = { .local_path = f->file,
				 .remote_path = "a.m4a",
				 .progress = count_steps,
				 .progress_ctx = &steps };
	assert_ok(vrp_provider_upload(f->p, &r, NULL, NULL));
	assert_int_equal(steps, 21); /* 20 chunks of 10000, and the end */
}

static void test_permanent_and_not_found_faults(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_mock_fault_add(f->p, "upload", "permanent", 0));
	assert_int_equal(upload(f, NULL, NULL), VRP_EPERMANENT);
	assert_int_equal(vrp_provider_delete(f->p, "nothing"), VRP_EREMOTE_NOT_FOUND);
}

static void test_bad_fault_script_is_invalid(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	vrp_kv settings[] = { { "faults", "upload:explode" } };
	assert_int_equal(vrp_provider_new(&p, "mock", "m", settings, 1, NULL, NULL), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "explode"));
}

static int no_secret(void *ctx, const char *remote, const char *key, char **out)
{
	(void)ctx;
	(void)remote;
	(void)key;
	(void)out;
	return VRP_ENOTFOUND;
}

static void test_missing_secret_fails_authentication(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	vrp_kv settings[] = { { "secret", "token" } };
	assert_ok(vrp_provider_new(&p, "mock", "m", settings, 1, no_secret, NULL));
	assert_int_equal(vrp_provider_authenticate(p), VRP_EAUTH);
	vrp_provider_free(p);
}

static void test_list_pages_by_path(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "c.m4a", "a.m4a", "b.m4a" };
	for (int i = 0; i < 3; i++) {
		vrp_upload_request r = { .local_path = f->file, .remote_path = names[i] };
		assert_ok(vrp_provider_upload(f->p, &r, NULL, NULL));
	}
	vrp_remote_page *page = NULL;
	assert_ok(vrp_provider_list(f->p, NULL, NULL, 2, &page));
	assert_int_equal(page->count, 2);
	assert_string_equal(page->items[0]->path, "a.m4a");
	assert_string_equal(page->next_page_token, "b.m4a");
	vrp_remote_page *next = NULL;
	assert_ok(vrp_provider_list(f->p, NULL, page->next_page_token, 2, &next));
	assert_int_equal(next->count, 1);
	assert_string_equal(next->items[0]->path, "c.m4a");
	assert_null(next->next_page_token);
	vrp_remote_page_free(page);
	vrp_remote_page_free(next);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_upload_then_stat_reports_server_checksum),
		T(test_rate_limit_gives_retry_after),
		T(test_transient_5xx_is_transient),
		T(test_dropped_connection_resumes_where_it_stopped),
		T(test_resume_state_survives_a_new_instance_of_a_named_store),
		T(test_not_resumable_mock_starts_over),
		T(test_expired_auth_persists_until_authenticate),
		T(test_quota_fault_and_quota_setting),
		T(test_corrupted_download_is_checksum_mismatch),
		T(test_corrupted_upload_is_checksum_mismatch_and_not_kept),
		T(test_slow_transfer_still_completes_in_chunks),
		T(test_permanent_and_not_found_faults),
		T(test_bad_fault_script_is_invalid),
		T(test_missing_secret_fails_authentication),
		T(test_list_pages_by_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
