/* test_import.c - the importer as an application calls it. */
#include "test_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>
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

/* Each file's outcome by name, for runs that mix good and bad files in one batch. */
struct outcomes {
	char names[8][32];
	int status[8], error[8];
	size_t count;
};

static void note_outcome(void *ctx, const vrp_import_result *r)
{
	struct outcomes *o = ctx;
	assert_true(o->count < 8);
	const char *slash = strrchr(r->path, '/');
	snprintf(o->names[o->count], sizeof(o->names[0]), "%s", slash ? slash + 1 : r->path);
	o->status[o->count] = (int)r->status;
	o->error[o->count++] = r->error;
}

static const struct outcomes *import_in_one_batch(vrp_library *lib, struct outcomes *o,
						  const char *const *names, size_t count)
{
	vrp_import_options opts = { .on_result = note_outcome, .ctx = o, .threads = 1 };
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, lib, &opts));
	for (size_t i = 0; i < count; i++) {
		char *path = test_fixture_path(names[i]);
		assert_ok(vrp_importer_add(imp, path));
		free(path);
	}
	assert_ok(vrp_importer_finish(imp));
	vrp_importer_free(imp);
	assert_int_equal(o->count, count);
	return o;
}

static void assert_outcome(const struct outcomes *o, const char *name, int status, int error)
{
	for (size_t i = 0; i < o->count; i++) {
		if (strcmp(o->names[i], name) != 0)
			continue;
		if (o->status[i] != status || o->error[i] != error)
			fail_msg("%s: status %d error %s, expected %d %s", name, o->status[i],
				 vrp_error_code_name(o->error[i]), status,
				 vrp_error_code_name(error));
		return;
	}
	fail_msg("%s: no result", name);
}

static int64_t metric(vrp_library *lib, const char *name)
{
	vrp_metric_list *list = NULL;
	assert_ok(vrp_metrics_read(lib, name, &list));
	int64_t value = list->count ? list->items[0]->value : -1;
	vrp_metric_list_free(list);
	return value;
}

/* A 3 GHz rate once reached the catalogue as a negative number and failed every file with it. */
static void test_crafted_wavs_are_rejected_alone_and_the_others_commit(void **state)
{
	struct fixture *f = *state;
	const char *names[] = { "pcm16.wav",    "rate-3g.wav",       "flac16k.flac",
				"rate-max.wav", "channels-1000.wav", "memo.m4a" };
	struct outcomes o = { 0 };
	import_in_one_batch(f->lib, &o, names, 6);
	assert_outcome(&o, "pcm16.wav", VRP_IMPORT_IMPORTED, 0);
	assert_outcome(&o, "flac16k.flac", VRP_IMPORT_IMPORTED, 0);
	assert_outcome(&o, "memo.m4a", VRP_IMPORT_IMPORTED, 0);
	assert_outcome(&o, "rate-3g.wav", VRP_IMPORT_REJECTED, VRP_ECORRUPT_MEDIA);
	assert_outcome(&o, "rate-max.wav", VRP_IMPORT_REJECTED, VRP_ECORRUPT_MEDIA);
	assert_outcome(&o, "channels-1000.wav", VRP_IMPORT_REJECTED, VRP_ECORRUPT_MEDIA);
	assert_int_equal(entries(f->lib, "recordings/raw"), 3);
	assert_int_equal(entries(f->lib, "tmp"), 0);
}

/* Whatever makes the catalogue refuse a row, it is that file's rejection, not the batch's. */
static void test_a_row_the_catalogue_refuses_rejects_that_file_alone(void **state)
{
	struct fixture *f = *state;
	test_exec(vrp_library_db(f->lib), "CREATE TEMP TRIGGER refuse BEFORE INSERT ON recordings "
					  "WHEN NEW.title = 'flac16k' "
					  "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
	const char *names[] = { "pcm16.wav", "flac16k.flac", "memo.m4a" };
	struct outcomes o = { 0 };
	import_in_one_batch(f->lib, &o, names, 3);
	assert_outcome(&o, "pcm16.wav", VRP_IMPORT_IMPORTED, 0);
	assert_outcome(&o, "flac16k.flac", VRP_IMPORT_REJECTED, VRP_EDB);
	assert_outcome(&o, "memo.m4a", VRP_IMPORT_IMPORTED, 0);
	int64_t count = 0;
	assert_ok(vrp_recordings_count(f->lib, NULL, &count));
	assert_int_equal(count, 2);
	assert_int_equal(entries(f->lib, "recordings/raw"), 2);
	assert_int_equal(entries(f->lib, "tmp"), 0);
	assert_int_equal(metric(f->lib, VRP_METRIC_IMPORTS), 2);
	assert_int_equal(metric(f->lib, VRP_METRIC_REJECTS), 1);
}

/* A run that commits nothing still counts what it found. */
static void test_a_run_of_only_duplicates_and_rejections_is_counted(void **state)
{
	struct fixture *f = *state;
	const char *first[] = { "pcm16.wav" };
	struct outcomes o = { 0 };
	import_in_one_batch(f->lib, &o, first, 1);
	const char *second[] = { "pcm16.wav", "text.txt", "pcm16.wav" };
	struct outcomes again = { 0 };
	import_in_one_batch(f->lib, &again, second, 3);
	assert_int_equal(metric(f->lib, VRP_METRIC_IMPORTS), 1);
	assert_int_equal(metric(f->lib, VRP_METRIC_DUPLICATES), 2);
	assert_int_equal(metric(f->lib, VRP_METRIC_REJECTS), 1);
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

/* Waits (at most 10 s) until `relative` holds `count` entries. */
static void wait_for_entries(vrp_library *lib, const char *relative, size_t count)
{
	for (int i = 0; i < 1000 && entries(lib, relative) != count; i++)
		sleep_ms(10);
	assert_int_equal(entries(lib, relative), count);
}

static char *write_tmp(vrp_library *lib, const char *name)
{
	char rel[128];
	snprintf(rel, sizeof(rel), "tmp/%s", name);
	char *path = vrp_library_path(lib, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "partial", 7), 7);
	close(fd);
	return path;
}

/* A pid that was a process's and is no longer anyone's (a child, reaped). */
static pid_t dead_pid(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return pid;
}

#define UUID_A "0a1b2c3d-0000-4000-8000-000000000001"
#define UUID_B "0a1b2c3d-0000-4000-8000-000000000002"

/* A Ctrl-C'd or killed import left its staging files; the next import takes them out. */
static void test_a_new_import_removes_staging_files_of_dead_imports_only(void **state)
{
	struct fixture *f = *state;
	/* A live import, in the middle of its run: its staged file is locked in tmp/. */
	struct tally t = { 0 };
	vrp_import_options o = { .on_result = count_result, .ctx = &t };
	vrp_importer *live = NULL;
	assert_ok(vrp_importer_new(&live, f->lib, &o));
	char *source = test_fixture_path("pcm16.wav");
	assert_ok(vrp_importer_add(live, source));
	wait_for_entries(f->lib, "tmp", 1);
	char name[96];
	snprintf(name, sizeof(name), UUID_A ".%ld.part", (long)dead_pid());
	char *dead = write_tmp(f->lib, name);
	char *legacy = write_tmp(f->lib, UUID_B ".part");
	/* Alive and not locked yet: an import between creating its file and locking it. */
	snprintf(name, sizeof(name), UUID_B ".%ld.part", (long)getppid());
	char *fresh = write_tmp(f->lib, name);

	vrp_importer *next = NULL;
	assert_ok(vrp_importer_new(&next, f->lib, NULL));
	assert_int_equal(access(dead, F_OK), -1);
	assert_int_equal(access(legacy, F_OK), -1);
	assert_int_equal(access(fresh, F_OK), 0);
	assert_int_equal(entries(f->lib, "tmp"), 2);
	assert_ok(vrp_importer_finish(live));
	assert_int_equal(t.imported, 1);
	vrp_importer_free(live);
	vrp_importer_free(next);
	free(source);
	free(dead);
	free(legacy);
	free(fresh);
}

struct background_import {
	vrp_library *lib;
	const char *const *names;
	size_t count;
	struct tally tally;
	int rc;
};

static void *import_in_background(void *arg)
{
	struct background_import *b = arg;
	vrp_import_options o = { .on_result = count_result, .ctx = &b->tally };
	vrp_importer *imp = NULL;
	b->rc = vrp_importer_new(&imp, b->lib, &o);
	for (size_t i = 0; b->rc == 0 && i < b->count; i++) {
		char *path = test_fixture_path(b->names[i]);
		b->rc = vrp_importer_add(imp, path);
		free(path);
	}
	if (b->rc == 0)
		b->rc = vrp_importer_finish(imp);
	vrp_importer_free(imp);
	return NULL;
}

static void count_orphans(void *ctx, const vrp_verify_item *item)
{
	*(int *)ctx +=
		item->finding == VRP_VERIFY_ORPHAN_FILE || item->finding == VRP_VERIFY_STALE_TEMP;
}

static int verify_findings(vrp_library *lib)
{
	int found = 0;
	vrp_verify_options o = { .on_item = count_orphans, .ctx = &found };
	vrp_verify_summary summary;
	assert_ok(vrp_verify(lib, &o, &summary));
	return found;
}

/*
 * An import renames its files into recordings/raw/ before their rows commit.
 * Holding the database's write lock from another connection stops it right
 * there, where `vrp verify` used to report every one of them as an orphan.
 */
static void test_verify_reports_no_file_of_an_import_that_is_committing(void **state)
{
	struct fixture *f = *state;
	char *root = test_path(f->dir, "lib");
	vrp_library *other = NULL;
	assert_ok(vrp_library_open(&other, root, 0, NULL));
	test_exec(vrp_library_db(other), "BEGIN IMMEDIATE");
	const char *names[] = { "pcm16.wav", "flac16k.flac" };
	struct background_import b = { f->lib, names, 2, { 0 }, 0 };
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, import_in_background, &b), 0);
	wait_for_entries(f->lib, "recordings/raw", 2);

	int during = verify_findings(other);
	test_exec(vrp_library_db(other), "ROLLBACK");
	pthread_join(thread, NULL);
	assert_int_equal(during, 0);
	assert_ok(b.rc);
	assert_int_equal(b.tally.imported, 2);
	assert_int_equal(verify_findings(other), 0);
	vrp_library_free(other);
	free(root);
}

/* A WAV of `bytes` of silence that takes no disk: its data is one hole. */
static char *sparse_wav(const char *dir, const char *name, int64_t bytes)
{
	char *path = test_path(dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	uint32_t data = (uint32_t)(bytes - 44), riff = (uint32_t)(bytes - 8);
	unsigned char h[44] = "RIFF....WAVEfmt \x10\0\0\0\x01\0\x01\0\x40\x1f\0\0\x80\x3e\0\0"
			      "\x02\0\x10\0data....";
	for (int i = 0; i < 4; i++) {
		h[4 + i] = (unsigned char)(riff >> (8 * i));
		h[40 + i] = (unsigned char)(data >> (8 * i));
	}
	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	assert_int_equal(ftruncate(fd, bytes), 0);
	close(fd);
	return path;
}

struct interruption {
	struct tally tally;
	const char *big;
	bool stop;
	int64_t big_bytes_seen;
	bool big_reported;
};

static void on_interrupted_result(void *ctx, const vrp_import_result *r)
{
	struct interruption *i = ctx;
	i->big_reported = i->big_reported || !strcmp(r->path, i->big);
	count_result(&i->tally, r);
}

/* The "user" presses Ctrl-C once the big file is being copied. */
static void stop_when_the_big_file_copies(void *ctx, const char *path, int64_t file_bytes,
					  int64_t total)
{
	(void)total;
	struct interruption *i = ctx;
	if (!strcmp(path, i->big) && file_bytes > 0) {
		i->big_bytes_seen = file_bytes;
		i->stop = true;
	}
}

static bool interrupted(void *ctx) { return ((struct interruption *)ctx)->stop; }

/*
 * Stopped while a 2 GiB file is being copied: the copy stops at once, its
 * partial file goes, the files staged whole before it commit, and finish
 * says the run was interrupted. A Ctrl-C used to leave a 416 MiB .part.
 */
static void test_a_stopped_import_commits_what_is_whole_and_removes_partial_copies(void **state)
{
	struct fixture *f = *state;
	char *big = sparse_wav(f->dir, "big.wav", (int64_t)2 << 30);
	struct interruption i = { .big = big };
	vrp_import_options o = { .on_result = on_interrupted_result,
				 .on_progress = stop_when_the_big_file_copies,
				 .stop = interrupted,
				 .ctx = &i,
				 .threads = 1 };
	vrp_importer *imp = NULL;
	assert_ok(vrp_importer_new(&imp, f->lib, &o));
	const char *small[] = { "pcm16.wav", "flac16k.flac" };
	for (size_t n = 0; n < 2; n++) {
		char *path = test_fixture_path(small[n]);
		assert_ok(vrp_importer_add(imp, path));
		free(path);
	}
	int rc = vrp_importer_add(imp, big);
	if (rc == 0)
		rc = vrp_importer_flush(imp);
	assert_int_equal(rc, VRP_ECANCELLED);
	char *later = test_fixture_path("memo.m4a");
	assert_int_equal(vrp_importer_add(imp, later), VRP_ECANCELLED);
	assert_int_equal(vrp_importer_finish(imp), VRP_ECANCELLED);
	vrp_importer_free(imp);
	assert_true(i.big_bytes_seen > 0 && i.big_bytes_seen < (int64_t)1 << 30);
	assert_false(i.big_reported);
	assert_int_equal(i.tally.imported, 2);
	assert_int_equal(i.tally.rejected, 0);
	assert_int_equal(entries(f->lib, "tmp"), 0);
	assert_int_equal(entries(f->lib, "recordings/raw"), 2);
	vrp_audit_query q = { .operation = "import" };
	vrp_audit_list *audit = NULL;
	assert_ok(vrp_audit_read(f->lib, &q, &audit));
	assert_int_equal(audit->count, 1);
	assert_string_equal(audit->items[0]->meta, "{\"imported\":2,\"duplicates\":0,"
						   "\"rejected\":0,\"interrupted\":true}");
	vrp_audit_list_free(audit);
	free(later);
	free(big);
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
			test_crafted_wavs_are_rejected_alone_and_the_others_commit, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_row_the_catalogue_refuses_rejects_that_file_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_run_of_only_duplicates_and_rejections_is_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_new_import_removes_staging_files_of_dead_imports_only, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_verify_reports_no_file_of_an_import_that_is_committing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_stopped_import_commits_what_is_whole_and_removes_partial_copies,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_an_import_run_logs_and_audits_under_one_correlation_id, setup,
			teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
