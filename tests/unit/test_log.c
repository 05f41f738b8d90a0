/* test_log.c - the log: record format, levels, rotation, retention, reading back, bundles. */
#include "test_support.h"

#include "core/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

struct fixture {
	char *dir;
	vrp_log_settings settings;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_tmpdir();
	f->settings = (vrp_log_settings){ .dir = test_path(f->dir, "logs"),
					  .level = VRP_LOG_LEVEL_INFO,
					  .max_file_bytes = VRP_LOG_DEFAULT_MAX_FILE_BYTES,
					  .max_files = VRP_LOG_DEFAULT_MAX_FILES,
					  .retention_days = VRP_LOG_DEFAULT_RETENTION_DAYS };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vrp_log_close();
	vrp_correlation_set(NULL);
	vrp_log_settings_clear(&f->settings);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

/* Every record of <dir>/vrp.log, parsed. */
static json_t *read_records(const char *dir)
{
	json_t *all = json_array();
	char *path = test_path(dir, "vrp.log");
	FILE *in = fopen(path, "r");
	char *line = NULL;
	size_t size = 0;
	while (in && getline(&line, &size, in) >= 0) {
		json_t *r = json_loads(line, 0, NULL);
		assert_non_null(r);
		json_array_append_new(all, r);
	}
	if (in)
		fclose(in);
	free(line);
	free(path);
	return all;
}

static size_t count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, prefix, strlen(prefix));
	closedir(d);
	return n;
}

static void test_record_has_every_field(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_log_open(&f->settings));
	vrp_correlation_set("11111111-2222-4333-8444-555555555555");
	int line = __LINE__ + 1;
	VRP_LOG_INFO("import", json_pack("{s:i}", "files", 3), "imported %d of %s", 2, "3");
	vrp_log_close();
	json_t *records = read_records(f->settings.dir);
	assert_int_equal(json_array_size(records), 1);
	json_t *r = json_array_get(records, 0);
	const char *ts = json_string_value(json_object_get(r, "timestamp"));
	assert_int_equal(strlen(ts), 24);
	assert_true(ts[10] == 'T' && ts[19] == '.' && ts[23] == 'Z');
	assert_string_equal(json_string_value(json_object_get(r, "level")), "info");
	assert_string_equal(json_string_value(json_object_get(r, "logger")), "import");
	assert_string_equal(json_string_value(json_object_get(r, "message")), "imported 2 of 3");
	assert_string_equal(json_string_value(json_object_get(r, "func")),
			    "test_record_has_every_field");
	assert_int_equal(json_integer_value(json_object_get(r, "line")), line);
	assert_string_equal(json_string_value(json_object_get(r, "correlation_id")),
			    "11111111-2222-4333-8444-555555555555");
	assert_int_equal(json_integer_value(json_object_get(r, "pid")), getpid());
	assert_int_equal(
		json_integer_value(json_object_get(json_object_get(r, "context"), "files")), 3);
	json_decref(records);
}

static void test_records_below_the_level_are_not_written(void **state)
{
	struct fixture *f = *state;
	f->settings.level = VRP_LOG_LEVEL_WARNING;
	assert_ok(vrp_log_open(&f->settings));
	assert_false(vrp_log_enabled(VRP_LOG_LEVEL_INFO));
	VRP_LOG_INFO("t", NULL, "info");
	VRP_LOG_DEBUG("t", NULL, "debug");
	VRP_LOG_WARNING("t", NULL, "warning");
	VRP_LOG_ERROR("t", NULL, "error");
	vrp_log_close();
	json_t *records = read_records(f->settings.dir);
	assert_int_equal(json_array_size(records), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(records, 0), "level")),
			    "warning");
	assert_true(json_is_null(json_object_get(json_array_get(records, 1), "correlation_id")));
	json_decref(records);
}

static void test_nothing_is_written_or_created_when_the_log_is_closed(void **state)
{
	struct fixture *f = *state;
	assert_false(vrp_log_enabled(VRP_LOG_LEVEL_ERROR));
	VRP_LOG_ERROR("t", json_object(), "nobody listens");
	assert_int_equal(access(f->settings.dir, F_OK), -1);
	assert_null(vrp_log_dir());
}

static void test_secrets_never_reach_the_file(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_log_open(&f->settings));
	VRP_LOG_INFO("auth",
		     json_pack("{s:s, s:s, s:{s:s}}", "access_token", "AT-PLANTED", "account",
			       "jane.doe@example.com", "headers", "Authorization",
			       "Basic PLANTED2"),
		     "refreshed with Bearer PLANTED3 for jane.doe@example.com (password=PLANTED4)");
	vrp_log_close();
	char *path = test_path(f->settings.dir, "vrp.log");
	FILE *in = fopen(path, "r");
	char text[4096] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, in);
	text[n] = '\0';
	fclose(in);
	free(path);
	assert_null(strstr(text, "PLANTED"));
	assert_null(strstr(text, "jane.doe"));
	assert_non_null(strstr(text, "j***@example.com"));
}

static void test_invalid_utf8_is_replaced_not_dropped(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_log_open(&f->settings));
	VRP_LOG_INFO("import", json_pack("{s:o}", "path", vrp_log_string("caf\xe9.wav")),
		     "file caf\xe9.wav");
	vrp_log_close();
	json_t *records = read_records(f->settings.dir);
	json_t *r = json_array_get(records, 0);
	assert_string_equal(json_string_value(json_object_get(r, "message")),
			    "file caf\xef\xbf\xbd.wav");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(r, "context"), "path")),
		"caf\xef\xbf\xbd.wav");
	json_decref(records);
}

static void test_logging_keeps_errno_and_the_last_error(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_log_open(&f->settings));
	vrp_error_set(VRP_EIO, "disk trouble");
	errno = ENOSPC;
	VRP_LOG_ERROR("t", NULL, "something failed: %s", vrp_error_last()->message);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(vrp_error_last()->code, VRP_EIO);
	assert_string_equal(vrp_error_last()->message, "disk trouble");
}

static void test_a_full_file_is_rotated_and_the_count_bounded(void **state)
{
	struct fixture *f = *state;
	f->settings.max_file_bytes = 1024;
	f->settings.max_files = 3;
	assert_ok(vrp_log_open(&f->settings));
	for (int i = 0; i < 100; i++)
		VRP_LOG_INFO("t", NULL, "record number %03d with some padding to fill the file", i);
	vrp_log_close();
	assert_int_equal(count_files(f->settings.dir, "vrp-"), 3);
	struct stat st;
	char *current = test_path(f->settings.dir, "vrp.log");
	assert_int_equal(stat(current, &st), 0);
	assert_true(st.st_size <= 1024);
	free(current);
}

struct collected {
	int count;
	int last_number;
	bool in_order;
};

static int collect(void *ctx, const vrp_log_record *r)
{
	struct collected *c = ctx;
	int number = -1;
	sscanf(r->message, "record number %d", &number);
	c->in_order &= number > c->last_number;
	c->last_number = number;
	c->count++;
	return 0;
}

static void test_reading_goes_through_rotated_files_oldest_first(void **state)
{
	struct fixture *f = *state;
	f->settings.max_file_bytes = 1024;
	f->settings.max_files = 100;
	assert_ok(vrp_log_open(&f->settings));
	for (int i = 0; i < 50; i++)
		VRP_LOG_INFO("t", NULL, "record number %03d with some padding to fill the file", i);
	assert_true(count_files(f->settings.dir, "vrp-") > 3);
	struct collected c = { 0, -1, true };
	assert_ok(vrp_log_read(NULL, NULL, collect, &c));
	assert_int_equal(c.count, 50);
	assert_true(c.in_order);
}

static void make_file(const char *dir, const char *name, int days_old)
{
	char *path = test_path(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{}\n", 3), 3);
	struct timespec times[2];
	clock_gettime(CLOCK_REALTIME, &times[0]);
	times[0].tv_sec -= (time_t)days_old * 24 * 60 * 60;
	times[1] = times[0];
	assert_int_equal(futimens(fd, times), 0);
	close(fd);
	free(path);
}

static bool exists(const char *dir, const char *name)
{
	char *path = test_path(dir, name);
	bool found = access(path, F_OK) == 0;
	free(path);
	return found;
}

static void test_files_past_retention_are_removed_at_open(void **state)
{
	struct fixture *f = *state;
	f->settings.retention_days = 30;
	mkdir(f->settings.dir, 0700);
	make_file(f->settings.dir, "vrp-20200101T000000000Z-00.log", 31);
	make_file(f->settings.dir, "vrp-20200102T000000000Z-00.log", 29);
	make_file(f->settings.dir, "notes.txt", 400);
	assert_ok(vrp_log_open(&f->settings));
	assert_false(exists(f->settings.dir, "vrp-20200101T000000000Z-00.log"));
	assert_true(exists(f->settings.dir, "vrp-20200102T000000000Z-00.log"));
	assert_true(exists(f->settings.dir, "notes.txt")); /* not ours: never touched */
}

static void test_a_current_file_untouched_past_retention_is_removed(void **state)
{
	struct fixture *f = *state;
	f->settings.retention_days = 7;
	mkdir(f->settings.dir, 0700);
	make_file(f->settings.dir, "vrp.log", 8);
	assert_ok(vrp_log_open(&f->settings));
	VRP_LOG_INFO("t", NULL, "fresh");
	vrp_log_close();
	json_t *records = read_records(f->settings.dir);
	assert_int_equal(json_array_size(records), 1);
	json_decref(records);
}

static void test_only_the_newest_rotated_files_are_kept(void **state)
{
	struct fixture *f = *state;
	f->settings.max_files = 2;
	mkdir(f->settings.dir, 0700);
	make_file(f->settings.dir, "vrp-20260101T000000000Z-00.log", 1);
	make_file(f->settings.dir, "vrp-20260102T000000000Z-00.log", 1);
	make_file(f->settings.dir, "vrp-20260103T000000000Z-00.log", 1);
	assert_ok(vrp_log_open(&f->settings));
	assert_false(exists(f->settings.dir, "vrp-20260101T000000000Z-00.log"));
	assert_true(exists(f->settings.dir, "vrp-20260102T000000000Z-00.log"));
	assert_true(exists(f->settings.dir, "vrp-20260103T000000000Z-00.log"));
}

static void test_settings_out_of_range_are_refused(void **state)
{
	struct fixture *f = *state;
	f->settings.max_file_bytes = 10;
	assert_int_equal(vrp_log_open(&f->settings), VRP_EINVAL);
	assert_null(vrp_log_dir());
}

static void test_read_filters_by_correlation_level_and_time(void **state)
{
	struct fixture *f = *state;
	f->settings.level = VRP_LOG_LEVEL_DEBUG;
	assert_ok(vrp_log_open(&f->settings));
	vrp_correlation_set("aaaaaaaa-0000-4000-8000-000000000000");
	VRP_LOG_DEBUG("t", NULL, "record number 1");
	VRP_LOG_WARNING("t", NULL, "record number 2");
	vrp_correlation_set(NULL);
	VRP_LOG_WARNING("t", NULL, "record number 3");
	vrp_log_filter by_id = { .correlation_id = "aaaaaaaa-0000-4000-8000-000000000000" };
	struct collected c = { 0, -1, true };
	assert_ok(vrp_log_read(NULL, &by_id, collect, &c));
	assert_int_equal(c.count, 2);
	vrp_log_filter by_level = { .min_level = VRP_LOG_LEVEL_WARNING };
	c = (struct collected){ 0, -1, true };
	assert_ok(vrp_log_read(NULL, &by_level, collect, &c));
	assert_int_equal(c.count, 2);
	vrp_log_filter future = { .since = "2999" };
	c = (struct collected){ 0, -1, true };
	assert_ok(vrp_log_read(NULL, &future, collect, &c));
	assert_int_equal(c.count, 0);
}

static void test_bundle_is_gzip_json_lines_with_a_header(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_log_open(&f->settings));
	VRP_LOG_INFO("t", NULL, "record number 1 for jane@example.com");
	VRP_LOG_INFO("t", NULL, "record number 2");
	char *bundle = test_path(f->dir, "bundle.jsonl.gz");
	int64_t records = 0;
	assert_ok(vrp_log_bundle(NULL, NULL, bundle, &records));
	assert_int_equal(records, 2);
	struct stat st;
	assert_int_equal(stat(bundle, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	gzFile in = gzopen(bundle, "rb");
	char line[2048];
	assert_non_null(gzgets(in, line, sizeof(line)));
	assert_non_null(strstr(line, "\"vrp_log_bundle\""));
	assert_non_null(gzgets(in, line, sizeof(line)));
	assert_non_null(strstr(line, "j***@example.com"));
	assert_non_null(gzgets(in, line, sizeof(line)));
	assert_null(gzgets(in, line, sizeof(line)));
	gzclose(in);
	free(bundle);
}

static void *log_many(void *arg)
{
	(void)arg;
	for (int i = 0; i < 200; i++)
		VRP_LOG_INFO("thread", json_pack("{s:i}", "i", i), "line %d from a thread", i);
	return NULL;
}

static int count_valid(void *ctx, const vrp_log_record *r)
{
	(*(int *)ctx) += r->message && strstr(r->message, "from a thread") != NULL;
	return 0;
}

static void test_threads_write_whole_records(void **state)
{
	struct fixture *f = *state;
	f->settings.max_file_bytes = 16 << 10;
	f->settings.max_files = 1000;
	assert_ok(vrp_log_open(&f->settings));
	pthread_t threads[4];
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, log_many, NULL), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(threads[i], NULL);
	int valid = 0;
	assert_ok(vrp_log_read(NULL, NULL, count_valid, &valid));
	assert_int_equal(valid, 800);
}

static void assert_titled_path(const char *path, const char *expected)
{
	json_t *s = vrp_log_titled_path(path);
	assert_non_null(s);
	assert_string_equal(json_string_value(s), expected);
	json_decref(s);
}

static void test_titled_paths_keep_folders_short_uuid_and_extension(void **state)
{
	(void)state;
	assert_titled_path("VoiceRecorderPro/2026/12/Board meeting 1a2b3c4d.wav",
			   "VoiceRecorderPro/2026/12/[title] 1a2b3c4d.wav");
	assert_titled_path("/lib/tmp/pull-x/Board meeting.m4a", "/lib/tmp/pull-x/[title].m4a");
	assert_titled_path("Board meeting", "[title]");
	assert_titled_path("dir/.hidden", "dir/[title]");
	assert_titled_path("a/Memo ABCDEF12.wav", "a/[title].wav");
	assert_true(json_is_null(vrp_log_titled_path(NULL)));
}

static void test_level_names(void **state)
{
	(void)state;
	enum vrp_log_level level;
	assert_ok(vrp_log_level_from_string("warning", &level));
	assert_int_equal(level, VRP_LOG_LEVEL_WARNING);
	assert_ok(vrp_log_level_from_string("warn", &level));
	assert_int_equal(level, VRP_LOG_LEVEL_WARNING);
	assert_int_equal(vrp_log_level_from_string("loud", &level), VRP_EINVAL);
	assert_string_equal(vrp_log_level_to_string(VRP_LOG_LEVEL_DEBUG), "debug");
	assert_null(vrp_log_level_to_string((enum vrp_log_level)9));
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_record_has_every_field),
		T(test_records_below_the_level_are_not_written),
		T(test_nothing_is_written_or_created_when_the_log_is_closed),
		T(test_secrets_never_reach_the_file),
		T(test_invalid_utf8_is_replaced_not_dropped),
		T(test_logging_keeps_errno_and_the_last_error),
		T(test_a_full_file_is_rotated_and_the_count_bounded),
		T(test_reading_goes_through_rotated_files_oldest_first),
		T(test_files_past_retention_are_removed_at_open),
		T(test_a_current_file_untouched_past_retention_is_removed),
		T(test_only_the_newest_rotated_files_are_kept),
		T(test_settings_out_of_range_are_refused),
		T(test_read_filters_by_correlation_level_and_time),
		T(test_bundle_is_gzip_json_lines_with_a_header),
		T(test_threads_write_whole_records),
		T(test_level_names),
		cmocka_unit_test(test_titled_paths_keep_folders_short_uuid_and_extension),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
