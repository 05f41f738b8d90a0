/* test_import.c - the importer as an application calls it. */
#include "test_support.h"

#include <dirent.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vrp_library_free(f->lib);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static size_t entries(vrp_library *lib, const char *relative)
{
	char *path = vrp_library_path(lib, relative);
	DIR *d = opendir(path);
	assert_non_null(d);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	free(path);
	return n;
}

static void test_create_from_file_returns_the_new_recording(void **state)
{
	struct fixture *f = *state;
	char *path = test_fixture_path("pcm24.wav");
	const char *tags[] = { "lecture" };
	vrp_import_options o = { .description = "week 3", .tags = tags, .tag_count = 1 };
	vrp_recording *rec = NULL;
	assert_ok(vrp_recording_create_from_file(f->lib, path, &o, &rec));
	assert_string_equal(rec->title, "pcm24");
	assert_string_equal(rec->description, "week 3");
	assert_string_equal(rec->original_filename, "pcm24.wav");
	assert_string_equal(rec->mime_type, "audio/wav");
	assert_int_equal(rec->bit_depth, 24);
	assert_string_equal(rec->ingest_source, "import");
	assert_int_equal(rec->tag_count, 1);
	assert_string_equal(rec->tags[0], "lecture");
	char *stored = vrp_library_path(f->lib, rec->local_path);
	assert_int_equal(access(stored, R_OK), 0);
	free(stored);
	assert_int_equal(entries(f->lib, "tmp"), 0);
	vrp_recording_free(rec);
	free(path);
}

static void test_same_content_gives_eexists_and_the_existing_recording(void **state)
{
	struct fixture *f = *state;
	char *path = test_fixture_path("opus.ogg");
	vrp_recording *first = NULL, *second = NULL;
	assert_ok(vrp_recording_create_from_file(f->lib, path, NULL, &first));
	assert_int_equal(vrp_recording_create_from_file(f->lib, path, NULL, &second), VRP_EEXISTS);
	assert_non_null(second);
	assert_int_equal(second->id, first->id);
	assert_int_equal(entries(f->lib, "recordings/raw"), 1);
	vrp_recording_free(first);
	vrp_recording_free(second);
	free(path);
}

static void test_rejected_file_returns_its_code_and_stores_nothing(void **state)
{
	struct fixture *f = *state;
	char *path = test_fixture_path("half.flac");
	vrp_recording *rec = NULL;
	assert_int_equal(vrp_recording_create_from_file(f->lib, path, NULL, &rec),
			 VRP_ECORRUPT_MEDIA);
	assert_null(rec);
	assert_int_equal(entries(f->lib, "recordings/raw"), 0);
	assert_int_equal(entries(f->lib, "tmp"), 0);
	free(path);
}

struct tally {
	int imported, duplicate, rejected;
	int64_t last_total;
};

static void count_result(void *ctx, const vrp_import_result *r)
{
	struct tally *t = ctx;
	t->imported += r->status == VRP_IMPORT_IMPORTED;
	t->duplicate += r->status == VRP_IMPORT_DUPLICATE;
	t->rejected += r->status == VRP_IMPORT_REJECTED;
	if (r->status != VRP_IMPORT_REJECTED)
		assert_true(r->id > 0);
}

static void count_progress(void *ctx, const char *path, int64_t file_bytes, int64_t total)
{
	(void)path;
	struct tally *t = ctx;
	assert_true(file_bytes <= total);
	assert_true(total >= t->last_total);
	t->last_total = total;
}

static void test_importer_batches_and_reports_every_file(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "pcm16.wav", "flac16k.flac", "id3v2.mp3", "memo.m4a",
				"pcm16.wav", "text.txt",     "vorbis.ogg" };
	struct tally t = { 0 };
	vrp_import_options o = { .on_result = count_result,
				 .on_progress = count_progress,
				 .ctx = &t,
				 .batch_files = 2 };
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, f->lib, &o));
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
		char *path = test_fixture_path(names[i]);
		assert_ok(vrp_importer_add(imp, path));
		free(path);
	}
	assert_ok(vrp_importer_finish(imp));
	vrp_importer_free(imp);
	assert_int_equal(t.imported, 5);
	assert_int_equal(t.duplicate, 1);
	assert_int_equal(t.rejected, 1);
	assert_true(t.last_total > 0);
	int64_t count = 0;
	assert_ok(vrp_recordings_count(f->lib, NULL, &count));
	assert_int_equal(count, 5);
}

/* The fixtures, good and bad, several of each, in one run. */
static const char *const mixed[] = {
	"pcm16.wav",  "text.txt",   "flac16k.flac", "id3v2.mp3",  "half.flac", "memo.m4a",
	"pcm24.wav",  "vorbis.ogg", "opus.ogg",     "image.wav",  "opus.webm", "tone.aiff",
	"amr-nb.amr", "empty.wav",  "float32.wav",  "random.mp3", "pcm16.wav", "no-id3.mp3",
};
#define MIXED_COUNT (sizeof(mixed) / sizeof(*mixed))

struct ordered {
	pthread_t caller;
	char *expected[MIXED_COUNT];
	int reported[MIXED_COUNT];
	size_t results;
	bool wrong_thread;
};

static void check_order(void *ctx, const vrp_import_result *r)
{
	struct ordered *o = ctx;
	o->wrong_thread = o->wrong_thread || !pthread_equal(pthread_self(), o->caller);
	o->results++;
	/* The second pcm16.wav is the duplicate of the first, which is imported. */
	for (size_t i = 0; i < MIXED_COUNT; i++) {
		if (strcmp(r->path, o->expected[i]) != 0 || o->reported[i])
			continue;
		o->reported[i] = (int)r->status + 1;
		return;
	}
	fail_msg("%s reported once too often", r->path);
}

static void check_progress_thread(void *ctx, const char *path, int64_t file_bytes, int64_t total)
{
	(void)path;
	(void)file_bytes;
	(void)total;
	struct ordered *o = ctx;
	o->wrong_thread = o->wrong_thread || !pthread_equal(pthread_self(), o->caller);
}

/* Files are staged on several threads, but each result comes once, on the caller's thread. */
static void test_results_come_once_each_on_the_calling_thread(void **state)
{
	struct fixture *f = *state;
	struct ordered o = { .caller = pthread_self() };
	vrp_import_options opts = { .on_result = check_order,
				    .on_progress = check_progress_thread,
				    .ctx = &o,
				    .batch_files = 3,
				    .threads = 4 };
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, f->lib, &opts));
	for (size_t i = 0; i < MIXED_COUNT; i++) {
		o.expected[i] = test_fixture_path(mixed[i]);
		assert_ok(vrp_importer_add(imp, o.expected[i]));
	}
	assert_ok(vrp_importer_finish(imp));
	vrp_importer_free(imp);
	assert_int_equal(o.results, MIXED_COUNT);
	assert_false(o.wrong_thread);
	for (size_t i = 0; i < MIXED_COUNT; i++) {
		int status = o.reported[i] - 1;
		bool bad = strstr(mixed[i], "half") || strstr(mixed[i], "text") ||
			   strstr(mixed[i], "image") || strstr(mixed[i], "empty") ||
			   strstr(mixed[i], "random");
		if (i == 16) /* the second pcm16.wav */
			assert_int_equal(status, VRP_IMPORT_DUPLICATE);
		else if (bad)
			assert_int_equal(status, VRP_IMPORT_REJECTED);
		else
			assert_int_equal(status, VRP_IMPORT_IMPORTED);
		free(o.expected[i]);
	}
	assert_int_equal(entries(f->lib, "tmp"), 0);
}

/* After a flush every file added so far has its result, and may be removed. */
static void test_flush_reports_every_file_added_so_far(void **state)
{
	struct fixture *f = *state;
	struct tally t = { 0 };
	vrp_import_options o = { .on_result = count_result, .ctx = &t };
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, f->lib, &o));
	for (size_t i = 0; i < 6; i++) {
		char *path = test_fixture_path(mixed[i]);
		assert_ok(vrp_importer_add(imp, path));
		free(path);
	}
	assert_ok(vrp_importer_flush(imp));
	assert_int_equal(t.imported + t.duplicate + t.rejected, 6);
	assert_int_equal(t.imported, 4);
	int64_t count = 0;
	assert_ok(vrp_recordings_count(f->lib, NULL, &count));
	assert_int_equal(count, 4);
	assert_ok(vrp_importer_finish(imp));
	vrp_importer_free(imp);
	assert_int_equal(t.imported + t.duplicate + t.rejected, 6);
}

/* Freed while files are still being staged: the workers stop and leave nothing behind. */
static void test_freeing_while_staging_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct tally t = { 0 };
	vrp_import_options o = { .on_result = count_result, .ctx = &t, .threads = 4 };
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, f->lib, &o));
	for (size_t i = 0; i < MIXED_COUNT; i++) {
		char *path = test_fixture_path(mixed[i]);
		assert_ok(vrp_importer_add(imp, path));
		free(path);
	}
	vrp_importer_free(imp);
	assert_int_equal(entries(f->lib, "tmp"), 0);
	assert_int_equal(entries(f->lib, "recordings/raw"), 0);
}

static void test_freeing_an_unfinished_importer_leaves_nothing(void **state)
{
	struct fixture *f = *state;
	struct tally t = { 0 };
	vrp_import_options o = { .on_result = count_result, .ctx = &t };
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, f->lib, &o));
	char *path = test_fixture_path("tone.aiff");
	assert_ok(vrp_importer_add(imp, path));
	free(path);
	vrp_importer_free(imp);
	assert_int_equal(t.imported, 0);
	assert_int_equal(entries(f->lib, "tmp"), 0);
	assert_int_equal(entries(f->lib, "recordings/raw"), 0);
}

struct run_log {
	const char *correlation_id;
	int records, others, warnings;
};

static int check_record(void *ctx, const vrp_log_record *r)
{
	struct run_log *l = ctx;
	if (r->correlation_id && !strcmp(r->correlation_id, l->correlation_id))
		l->records++;
	else
		l->others++;
	l->warnings += r->level == VRP_LOG_LEVEL_WARNING;
	return 0;
}

static void test_an_import_run_logs_and_audits_under_one_correlation_id(void **state)
{
	struct fixture *f = *state;
	vrp_log_settings settings = { .dir = test_path(f->dir, "logs"),
				      .level = VRP_LOG_LEVEL_DEBUG,
				      .max_file_bytes = 1 << 20,
				      .max_files = 2,
				      .retention_days = 30 };
	assert_ok(vrp_log_open(&settings));
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, f->lib, NULL));
	const char *names[] = { "pcm16.wav", "text.txt" };
	for (size_t i = 0; i < 2; i++) {
		char *path = test_fixture_path(names[i]);
		assert_ok(vrp_importer_add(imp, path));
		free(path);
	}
	assert_ok(vrp_importer_finish(imp));
	assert_null(vrp_correlation_current()); /* the run's id was current only during it */
	struct run_log l = { vrp_importer_correlation_id(imp), 0, 0, 0 };
	assert_ok(vrp_log_read(NULL, NULL, check_record, &l));
	/* started, the WAV imported, the text rejected, one batch committed, finished */
	assert_int_equal(l.records, 5);
	assert_int_equal(l.others, 0);
	assert_int_equal(l.warnings, 1);
	vrp_audit_query q = { .operation = "import" };
	vrp_audit_list *audit = NULL;
	assert_ok(vrp_audit_read(f->lib, &q, &audit));
	assert_int_equal(audit->count, 1);
	assert_string_equal(audit->items[0]->correlation_id, l.correlation_id);
	assert_string_equal(audit->items[0]->meta,
			    "{\"imported\":1,\"duplicates\":0,\"rejected\":1}");
	assert_non_null(strstr(audit->items[0]->actor, "***"));
	vrp_audit_list_free(audit);
	vrp_importer_free(imp);
	vrp_log_close();
	free(settings.dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_from_file_returns_the_new_recording,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_same_content_gives_eexists_and_the_existing_recording, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_rejected_file_returns_its_code_and_stores_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_importer_batches_and_reports_every_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_results_come_once_each_on_the_calling_thread,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_reports_every_file_added_so_far, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_freeing_while_staging_leaves_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_freeing_an_unfinished_importer_leaves_nothing,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_an_import_run_logs_and_audits_under_one_correlation_id, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
