/*
 * test_derive.c - the derive service: what it makes, when it keeps what is
 * there, when it makes it again, and what a recording it cannot read leaves
 * behind (nothing).
 */
#include "test_support.h"

#include "core/hash.h"
#include "db/derived_asset_repo.h"
#include "derive/registry.h"
#include "derive/transcript.h"
#include "derive/waveform.h"
#include "media/decode.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define WAVEFORM VRP_DERIVE_KIND(VRP_DERIVED_WAVEFORM)

struct fixture {
	char *dir;
	vrp_library *lib;
	vrp_recording *rec;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_tmpdir();
	char *root = test_path(f->dir, "lib");
	assert_ok(vrp_library_open(&f->lib, root, VRP_LIBRARY_CREATE, NULL));
	char *wav = test_path(f->dir, "tone.wav");
	char command[1024];
	snprintf(command, sizeof(command),
		 "sox -q -n -r 8000 -b 16 -c 2 '%s' synth 1 sine 1000 vol 0.5", wav);
	assert_int_equal(system(command), 0);
	assert_ok(vrp_recording_create_from_file(f->lib, wav, NULL, &f->rec));
	free(wav);
	free(root);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	vrp_recording_free(f->rec);
	vrp_library_free(f->lib);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static vrp_derived_asset *waveform_row(struct fixture *f)
{
	vrp_derived_asset_list *list = NULL;
	assert_ok(vrp_derived_assets_list(f->lib, f->rec->id, &list));
	vrp_derived_asset *asset = NULL;
	if (list->count == 1) {
		asset = list->items[0];
		list->items[0] = NULL;
		list->count = 0;
	} else {
		assert_int_equal(list->count, 0);
	}
	vrp_derived_asset_list_free(list);
	return asset;
}

static size_t entries(vrp_library *lib, const char *relative)
{
	char *path = vrp_library_path(lib, relative);
	DIR *d = opendir(path);
	free(path);
	if (!d)
		return 0;
	size_t n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_derive_makes_the_waveform_file_then_its_row(void **state)
{
	struct fixture *f = *state;
	unsigned made = 0;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, &made));
	assert_int_equal(made, WAVEFORM);
	vrp_derived_asset *asset = waveform_row(f);
	assert_non_null(asset);
	char expected[128];
	snprintf(expected, sizeof(expected), "derived/waveform/%s.dat", f->rec->uuid);
	assert_string_equal(asset->path, expected);
	assert_string_equal(asset->generator, "vrp-waveform");
	assert_string_equal(asset->generator_version, vrp_waveform_generator.version);
	assert_string_equal(asset->source_checksum, f->rec->checksum);
	assert_false(vrp_derived_asset_is_stale(asset, f->rec->checksum));
	char *path = vrp_library_path(f->lib, asset->path);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	struct stat st;
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, asset->size_bytes);
	struct vrp_waveform wf;
	assert_ok(vrp_waveform_read_dat(fd, &wf));
	close(fd);
	/* Stereo: the mixed channel and both channels, 8000 frames at 256 per pixel. */
	assert_int_equal(wf.channels, 3);
	assert_int_equal(wf.samples_per_pixel, 256);
	assert_int_equal(wf.sample_rate, 8000);
	assert_int_equal(wf.length, 32);
	vrp_waveform_clear(&wf);
	/* Nothing left in the staging directory. */
	assert_int_equal(entries(f->lib, "tmp"), 0);
	free(path);
	vrp_derived_asset_free(asset);
}

static void test_fresh_asset_is_kept_unless_forced(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, NULL));
	unsigned made = 1234;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, &made));
	assert_int_equal(made, 0);
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, true, &made));
	assert_int_equal(made, WAVEFORM);
}

static void test_generator_version_bump_makes_it_stale(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, NULL));
	test_exec(vrp_library_db(f->lib), "UPDATE derived_assets SET generator_version = '0'");
	vrp_derived_asset *asset = waveform_row(f);
	assert_true(vrp_derived_asset_is_stale(asset, f->rec->checksum));
	vrp_derived_asset_free(asset);
	unsigned made = 0;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, &made));
	assert_int_equal(made, WAVEFORM);
	asset = waveform_row(f);
	assert_string_equal(asset->generator_version, vrp_waveform_generator.version);
	vrp_derived_asset_free(asset);
}

static void test_other_source_checksum_makes_it_stale(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, NULL));
	test_exec(vrp_library_db(f->lib),
		  "UPDATE derived_assets SET source_checksum = printf('%064d', 0)");
	unsigned made = 0;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, &made));
	assert_int_equal(made, WAVEFORM);
}

static void test_asset_whose_file_is_gone_is_made_again(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, NULL));
	vrp_derived_asset *asset = waveform_row(f);
	char *path = vrp_library_path(f->lib, asset->path);
	assert_int_equal(unlink(path), 0);
	unsigned made = 0;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, &made));
	assert_int_equal(made, WAVEFORM);
	assert_int_equal(access(path, F_OK), 0);
	free(path);
	vrp_derived_asset_free(asset);
}

static void assert_nothing_made(struct fixture *f, int code)
{
	unsigned made = 1234;
	int rc = vrp_derive(f->lib, f->rec->id, WAVEFORM, false, &made);
	if (rc != code)
		fail_msg("expected %s, got %s: %s", vrp_error_code_name(code),
			 vrp_error_code_name(rc), vrp_error_last()->message);
	assert_int_equal(made, 0);
	assert_null(waveform_row(f));
	assert_int_equal(entries(f->lib, "derived/waveform"), 0);
	assert_int_equal(entries(f->lib, "tmp"), 0);
}

static void test_missing_audio_gives_not_found_and_no_row(void **state)
{
	struct fixture *f = *state;
	char *path = vrp_library_path(f->lib, f->rec->local_path);
	assert_int_equal(unlink(path), 0);
	assert_nothing_made(f, VRP_ENOTFOUND);
	free(path);
}

static void test_damaged_audio_gives_corrupt_media_and_no_row(void **state)
{
	struct fixture *f = *state;
	char *path = vrp_library_path(f->lib, f->rec->local_path);
	FILE *file = fopen(path, "wb");
	for (int i = 0; i < 5000; i++)
		fputc((i * 7919) % 251, file);
	fclose(file);
	assert_nothing_made(f, VRP_ECORRUPT_MEDIA);
	free(path);
}

static void test_kind_without_generator_is_not_supported(void **state)
{
	struct fixture *f = *state;
	/* A kind past the enum: no generator makes it. */
	assert_false(vrp_derive_kinds_supported() & VRP_DERIVE_KIND(VRP_DERIVED_COMPRESSED + 1));
	assert_int_equal(vrp_derive(f->lib, f->rec->id, VRP_DERIVE_KIND(VRP_DERIVED_COMPRESSED + 1),
				    false, NULL),
			 VRP_ENOTSUP);
	assert_int_equal(vrp_derive(f->lib, f->rec->id, 0, false, NULL), VRP_EINVAL);
	assert_int_equal(vrp_derive(f->lib, f->rec->id + 100, WAVEFORM, false, NULL),
			 VRP_ENOTFOUND);
}

static void test_transcripts_are_made_only_on_request(void **state)
{
	(void)state;
	assert_true(vrp_derive_kinds_supported() & VRP_DERIVE_KIND(VRP_DERIVED_TRANSCRIPT));
	assert_false(vrp_derive_kinds_default() & VRP_DERIVE_KIND(VRP_DERIVED_TRANSCRIPT));
	assert_int_equal(vrp_derive_kinds_default(),
			 vrp_derive_kinds_supported() & ~VRP_DERIVE_KIND(VRP_DERIVED_TRANSCRIPT));
}

static void test_purge_removes_the_asset_files(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, WAVEFORM, false, NULL));
	assert_int_equal(entries(f->lib, "derived/waveform"), 1);
	assert_ok(vrp_purge_recording(f->lib, f->rec->id));
	assert_int_equal(entries(f->lib, "derived/waveform"), 0);
	assert_null(waveform_row(f));
}

/* The served zooms: from the stored asset (multiples of 256) and from the audio agree with a direct
 * computation. */
static void test_waveform_get_serves_stored_and_recomputed_zooms(void **state)
{
	struct fixture *f = *state;
	char *audio = vrp_library_path(f->lib, f->rec->local_path);
	static const struct {
		int spp;
		enum vrp_waveform_channels channels;
		enum vrp_waveform_view view;
	} cases[] = {
		{ 256, VRP_WAVEFORM_CHANNELS_MIXED, VRP_WAVEFORM_MIXED },
		{ 1024, VRP_WAVEFORM_CHANNELS_ALL, VRP_WAVEFORM_ALL },
		{ 300, VRP_WAVEFORM_CHANNELS_ALL, VRP_WAVEFORM_ALL },
		{ 777, VRP_WAVEFORM_CHANNELS_MIXED, VRP_WAVEFORM_MIXED },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		vrp_waveform_options o = { .samples_per_pixel = cases[i].spp,
					   .channels = cases[i].channels };
		vrp_waveform_peaks *got = NULL;
		assert_ok(vrp_waveform_get(f->lib, f->rec->id, &o, &got));
		struct vrp_waveform_builder *b = NULL;
		struct vrp_pcm_sink sink;
		struct vrp_waveform want;
		assert_ok(vrp_waveform_builder_new(cases[i].spp, cases[i].view, &b, &sink));
		assert_ok(vrp_decode_file(audio, &sink, 1));
		vrp_waveform_builder_take(b, &want);
		vrp_waveform_builder_free(b);
		assert_int_equal(got->samples_per_pixel, cases[i].spp);
		assert_int_equal(got->channels, want.channels);
		assert_int_equal(got->length, want.length);
		assert_memory_equal(got->data, want.data,
				    want.length * (size_t)want.channels * 2 * sizeof(int16_t));
		vrp_waveform_clear(&want);
		vrp_waveform_peaks_free(got);
	}
	/* The stored asset was made for the zooms it serves. */
	vrp_derived_asset *asset = waveform_row(f);
	assert_non_null(asset);
	vrp_derived_asset_free(asset);
	vrp_waveform_options bad = { .bits = 12 };
	vrp_waveform_peaks *none = NULL;
	assert_int_equal(vrp_waveform_get(f->lib, f->rec->id, &bad, &none), VRP_EINVAL);
	bad = (vrp_waveform_options){ .samples_per_pixel = 1 };
	assert_int_equal(vrp_waveform_get(f->lib, f->rec->id, &bad, &none), VRP_EINVAL);
	free(audio);
}

#define COMPRESSED VRP_DERIVE_KIND(VRP_DERIVED_COMPRESSED)

static vrp_derived_asset *compressed_row(struct fixture *f)
{
	vrp_derived_asset *asset = NULL;
	assert_ok(vrp_derived_asset_repo_get(vrp_library_db(f->lib), f->rec->id,
					     VRP_DERIVED_COMPRESSED, &asset));
	return asset;
}

static void test_opus_bitrate_is_part_of_the_copys_staleness(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, false, NULL));
	vrp_derived_asset *asset = compressed_row(f);
	assert_string_equal(asset->generator_version, "1;bitrate=32000");
	assert_false(vrp_derived_asset_is_stale_in(f->lib, asset, f->rec->checksum));
	vrp_derived_asset_free(asset);
	assert_ok(vrp_settings_set(f->lib, "derive.opus_bitrate", "16000"));
	asset = compressed_row(f);
	assert_true(vrp_derived_asset_is_stale_in(f->lib, asset, f->rec->checksum));
	vrp_derived_asset_free(asset);
	unsigned made = 0;
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, false, &made));
	assert_int_equal(made, COMPRESSED);
	asset = compressed_row(f);
	assert_string_equal(asset->generator_version, "1;bitrate=16000");
	assert_false(vrp_derived_asset_is_stale_in(f->lib, asset, f->rec->checksum));
	/* The row keeps the file's own digest. */
	char *path = vrp_library_path(f->lib, asset->path);
	char sha[VRP_SHA256_HEX_LEN];
	assert_ok(vrp_sha256_file(path, sha));
	assert_string_equal(asset->sha256, sha);
	free(path);
	vrp_derived_asset_free(asset);
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, false, &made));
	assert_int_equal(made, 0);
}

/* Two workers making one copy at once must agree, and a remote copy is known by its sha256. */
static void test_the_opus_copy_of_the_same_audio_is_the_same_bytes(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, false, NULL));
	vrp_derived_asset *first = compressed_row(f);
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, true, NULL));
	vrp_derived_asset *second = compressed_row(f);
	assert_non_null(first->sha256);
	assert_string_equal(first->sha256, second->sha256);
	vrp_derived_asset_free(first);
	vrp_derived_asset_free(second);
}

/* A copy from before the version carried its settings was made with the defaults. */
static void test_a_version_without_settings_is_taken_at_the_defaults(void **state)
{
	struct fixture *f = *state;
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, false, NULL));
	test_exec(vrp_library_db(f->lib), "UPDATE derived_assets SET generator_version = '1'");
	unsigned made = 0;
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, false, &made));
	assert_int_equal(made, 0);
	assert_ok(vrp_settings_set(f->lib, "derive.opus_bitrate", "64000"));
	assert_ok(vrp_derive(f->lib, f->rec->id, COMPRESSED, false, &made));
	assert_int_equal(made, COMPRESSED);
}

static void test_a_transcripts_language_is_part_of_its_version(void **state)
{
	(void)state;
	const struct vrp_generator *g = &vrp_transcript_generator;
	struct vrp_derive_params en = { .language = "en-us" }, fr = { .language = "fr-fr" },
				 none = { 0 };
	char version[VRP_GENERATOR_VERSION_MAX];
	vrp_generator_version(g, &fr, version);
	assert_string_equal(version, "1;language=fr-fr");
	assert_true(vrp_generator_version_matches(g, &en, "1;language=en-us"));
	assert_true(vrp_generator_version_matches(g, &none, "1;language=en-us"));
	assert_false(vrp_generator_version_matches(g, &fr, "1;language=en-us"));
	assert_true(vrp_generator_version_matches(g, &none, "1"));
	assert_false(vrp_generator_version_matches(g, &fr, "1"));
	assert_false(vrp_generator_version_matches(g, &en, "2;language=en-us"));
	/* Only the audio matters to a waveform: its version is the code's alone. */
	vrp_generator_version(&vrp_waveform_generator, &fr, version);
	assert_string_equal(version, vrp_waveform_generator.version);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_derive_makes_the_waveform_file_then_its_row),
		T(test_fresh_asset_is_kept_unless_forced),
		T(test_generator_version_bump_makes_it_stale),
		T(test_other_source_checksum_makes_it_stale),
		T(test_asset_whose_file_is_gone_is_made_again),
		T(test_missing_audio_gives_not_found_and_no_row),
		T(test_damaged_audio_gives_corrupt_media_and_no_row),
		T(test_kind_without_generator_is_not_supported),
		cmocka_unit_test(test_transcripts_are_made_only_on_request),
		T(test_opus_bitrate_is_part_of_the_copys_staleness),
		T(test_a_version_without_settings_is_taken_at_the_defaults),
		T(test_the_opus_copy_of_the_same_audio_is_the_same_bytes),
		cmocka_unit_test(test_a_transcripts_language_is_part_of_its_version),
		T(test_purge_removes_the_asset_files),
		T(test_waveform_get_serves_stored_and_recomputed_zooms),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
