/*
 * test_sphinx_missing.c - a system without pocketsphinx: transcribing is
 * refused as not supported, saying what to install, and nothing else
 * changes. Built with transcribe/sphinx_lib.c compiled to look for a
 * libpocketsphinx that does not exist (see meson.build).
 */
#include "test_support.h"

#include "vrp/derive.h"
#include "vrp/transcript.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_transcribe_says_which_packages_to_install(void **state)
{
	(void)state;
	int rc = vrp_transcribe_available("en-us");

	const vrp_error *e = vrp_error_last();
	assert_int_equal(rc, VRP_ENOTSUP);
	assert_non_null(strstr(e->message, "libpocketsphinx-missing.so.3"));
	assert_non_null(strstr(e->message, "apt-get install libpocketsphinx3 pocketsphinx-en-us"));
}

static void test_every_later_attempt_fails_the_same_way(void **state)
{
	(void)state;
	vrp_transcribe_available("en-us");
	vrp_error_clear();
	int rc = vrp_transcribe_available("en-us");
	assert_int_equal(rc, VRP_ENOTSUP);
	assert_non_null(strstr(vrp_error_last()->message, "install libpocketsphinx3"));
}

static int64_t asset_count(vrp_library *lib, int64_t id)
{
	vrp_derived_asset_list *list = NULL;
	assert_ok(vrp_derived_assets_list(lib, id, &list));
	int64_t n = (int64_t)list->count;
	vrp_derived_asset_list_free(list);
	return n;
}

/* The default kinds include a transcript; without an engine the queue makes the rest. */
static void test_the_queue_makes_the_other_kinds_and_leaves_the_transcript_out(void **state)
{
	(void)state;
	char *dir = test_tmpdir(), *root = test_path(dir, "lib"), *wav = test_path(dir, "t.wav");
	char command[1024];
	snprintf(command, sizeof(command),
		 "sox -q -n -r 8000 -b 16 -c 1 '%s' synth 1 sine 500 vol 0.5", wav);
	assert_int_equal(system(command), 0);
	vrp_library *lib = NULL;
	vrp_recording *rec = NULL;
	assert_ok(vrp_library_open(&lib, root, VRP_LIBRARY_CREATE, NULL));
	assert_ok(vrp_recording_create_from_file(lib, wav, NULL, &rec));
	unsigned kinds = vrp_derive_kinds_queued(lib);
	assert_true(kinds & VRP_DERIVE_KIND(VRP_DERIVED_TRANSCRIPT));
	assert_ok(vrp_derive_enqueue(lib, rec->id, kinds));

	bool ran = false;
	int outcome = -1;
	assert_ok(vrp_derive_queue_run_one(lib, "test", 0, &ran, &outcome));

	assert_true(ran);
	assert_int_equal(outcome, 0);
	assert_int_equal(asset_count(lib, rec->id), 3); /* waveform, spectrogram, compressed */
	vrp_derive_queue_status q;
	assert_ok(vrp_derive_queue_status_read(lib, &q));
	assert_int_equal(q.queued + q.running + q.failed, 0);
	assert_ok(vrp_derive_queue_run_one(lib, "test", 0, &ran, &outcome));
	assert_false(ran); /* nothing is left to come back to */
	vrp_recording_free(rec);
	vrp_library_free(lib);
	free(wav);
	free(root);
	test_rmtree(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transcribe_says_which_packages_to_install),
		cmocka_unit_test(test_every_later_attempt_fails_the_same_way),
		cmocka_unit_test(
			test_the_queue_makes_the_other_kinds_and_leaves_the_transcript_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
