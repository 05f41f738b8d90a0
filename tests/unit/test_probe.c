/*
 * test_probe.c - the media probe: what it recognises, what it reads from each
 * format, and what it refuses. The fixtures come from tests/data/make-fixtures.sh
 * (Meson runs it and passes the directory in $VRP_TEST_FIXTURES); the tones
 * there are 3 s long, the VBR MP3 8 s.
 */
#include "test_support.h"

#include "media/probe.h"
#include "media/tags.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *fixtures;

struct expect {
	const char *file;
	const char *format_name;
	const char *mime_type;
	const char *codec;
	const char *extension;
	double duration;
	int sample_rate;
	int channels;
	int bit_depth;
};

static void assert_probes_as(const struct expect *e)
{
	char *path = test_path(fixtures, e->file);
	struct vrp_media_info info;
	assert_ok(vrp_probe_file(path, &info));
	assert_string_equal(info.format_name, e->format_name);
	assert_string_equal(info.mime_type, e->mime_type);
	assert_string_equal(info.codec, e->codec);
	assert_string_equal(info.extension, e->extension);
	if (info.duration < e->duration * 0.99 || info.duration > e->duration * 1.01)
		fail_msg("%s: duration %.4f s, expected %.4f s within 1%%", e->file, info.duration,
			 e->duration);
	assert_int_equal(info.sample_rate, e->sample_rate);
	assert_int_equal(info.channels, e->channels);
	assert_int_equal(info.bit_depth, e->bit_depth);
	assert_true(info.bit_rate > 0);
	free(path);
}

static void assert_refused_path(const char *path, int code, const char *message_part)
{
	struct vrp_media_info info;
	memset(&info, 0xab, sizeof(info));
	int rc = vrp_probe_file(path, &info);
	const vrp_error *e = vrp_error_last();
	if (rc != code)
		fail_msg("%s: expected %s, got %d %s: %s", path, vrp_error_code_name(code), rc,
			 e->code_name, e->message);
	if (message_part && !strstr(e->message, message_part))
		fail_msg("%s: message \"%s\" lacks \"%s\"", path, e->message, message_part);
	assert_string_equal(e->context, path);
	assert_string_equal(info.mime_type, "");
	assert_true(info.duration == 0);
}

static void assert_refused(const char *file, int code, const char *message_part)
{
	char *path = test_path(fixtures, file);
	assert_refused_path(path, code, message_part);
	free(path);
}

#define UNSUPPORTED VRP_EUNSUPPORTED_MEDIA
#define CORRUPT     VRP_ECORRUPT_MEDIA

/* --- each format ---------------------------------------------------------- */

static void test_reads_pcm16_wav(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "pcm16.wav", "wav", "audio/wav", "pcm_s16le", "wav", 3.0,
					   44100, 2, 16 });
}

static void test_reads_pcm24_wav(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "pcm24.wav", "wav", "audio/wav", "pcm_s24le", "wav", 3.0,
					   48000, 1, 24 });
}

static void test_reads_float32_wav(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "float32.wav", "wav", "audio/wav", "pcm_f32le", "wav",
					   3.0, 48000, 2, 32 });
}

static void test_reads_wav_with_list_and_junk_before_fmt_and_a_fact_chunk(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "odd-chunks.wav", "wav", "audio/wav", "pcm_s16le", "wav",
					   3.0, 22050, 1, 16 });
}

static void test_reads_flac(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "flac16k.flac", "flac", "audio/flac", "flac", "flac",
					   3.0, 16000, 1, 16 });
}

static void test_reads_mp3_without_id3_tag(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "no-id3.mp3", "mp3", "audio/mpeg", "mp3", "mp3", 3.0,
					   44100, 1, 0 });
}

static void test_reads_mp3_with_id3v2_tag(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "id3v2.mp3", "mp3", "audio/mpeg", "mp3", "mp3", 3.0,
					   44100, 1, 0 });
}

/* FFmpeg alone guesses 12.8 s from the first (silent, low-rate) frames. */
static void test_counts_vbr_mp3_without_xing_frame_for_its_duration(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "vbr-no-xing.mp3", "mp3", "audio/mpeg", "mp3", "mp3",
					   8.0, 44100, 1, 0 });
}

static void test_reads_voice_memo_m4a(void **state)
{
	(void)state;
	assert_probes_as(
		&(struct expect){ "memo.m4a", "mp4", "audio/mp4", "aac", "m4a", 3.0, 48000, 1, 0 });
}

static void test_reads_m4a_with_moov_first(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "faststart.m4a", "mp4", "audio/mp4", "aac", "m4a", 3.0,
					   48000, 1, 0 });
}

static void test_reads_ogg_vorbis(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "vorbis.ogg", "ogg", "audio/ogg", "vorbis", "ogg", 3.0,
					   44100, 1, 0 });
}

static void test_reads_ogg_opus_as_audio_ogg_with_opus_extension(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "opus.ogg", "ogg", "audio/ogg", "opus", "opus", 3.0,
					   48000, 1, 0 });
}

static void test_reads_webm_opus(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "opus.webm", "webm", "audio/webm", "opus", "webm", 3.0,
					   48000, 1, 0 });
}

static void test_reads_amr(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "amr-nb.amr", "amr", "audio/amr", "amr_nb", "amr", 3.0,
					   8000, 1, 0 });
}

static void test_reads_amr_in_3gp(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "amr-nb.3gp", "3gp", "audio/3gpp", "amr_nb", "3gp", 3.0,
					   8000, 1, 0 });
}

static void test_reads_aiff(void **state)
{
	(void)state;
	assert_probes_as(&(struct expect){ "tone.aiff", "aiff", "audio/aiff", "pcm_s16be", "aiff",
					   3.0, 44100, 2, 16 });
}

/* --- not audio ------------------------------------------------------------ */

static void test_refuses_text_whatever_its_extension(void **state)
{
	(void)state;
	assert_refused("text.txt", UNSUPPORTED, "not a recognised audio format");
	assert_refused("text.mp3", UNSUPPORTED, "not a recognised audio format");
}

static void test_refuses_images_whatever_their_extension(void **state)
{
	(void)state;
	assert_refused("image.png", UNSUPPORTED, "without audio");
	assert_refused("image.jpg", UNSUPPORTED, "without audio");
	assert_refused("image.wav", UNSUPPORTED, "without audio");
}

static void test_refuses_random_bytes_named_as_audio(void **state)
{
	(void)state;
	assert_refused("random.mp3", UNSUPPORTED, NULL);
	assert_refused("random.wav", UNSUPPORTED, NULL);
	assert_refused("random-big.mp3", UNSUPPORTED, NULL);
}

static void test_refuses_empty_file(void **state)
{
	(void)state;
	assert_refused("empty.wav", UNSUPPORTED, "empty file");
}

static void test_refuses_video_without_audio(void **state)
{
	(void)state;
	assert_refused("video-only.mp4", UNSUPPORTED, "video");
}

static void test_missing_file_is_not_found(void **state)
{
	(void)state;
	assert_refused("no-such-file.wav", VRP_ENOTFOUND, "cannot open");
}

static void test_refuses_directory_and_fifo_without_blocking(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *fifo = test_path(dir, "pipe.wav");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_refused_path(dir, UNSUPPORTED, "not a regular file");
	assert_refused_path(fifo, UNSUPPORTED, "not a regular file");
	free(fifo);
	test_rmtree(dir);
}

/* --- audio, but damaged ----------------------------------------------------- */

static void test_wav_cut_in_half_is_corrupt(void **state)
{
	(void)state;
	assert_refused("half.wav", CORRUPT, "truncated");
}

static void test_flac_cut_in_half_is_corrupt(void **state)
{
	(void)state;
	assert_refused("half.flac", CORRUPT, NULL);
}

static void test_mp3_cut_in_half_is_corrupt(void **state)
{
	(void)state;
	assert_refused("half.mp3", CORRUPT, "truncated");
}

static void test_m4a_cut_in_half_is_corrupt(void **state)
{
	(void)state;
	assert_refused("half.m4a", CORRUPT, "header");
	assert_refused("half-faststart.m4a", CORRUPT, "truncated");
}

static void test_webm_and_aiff_cut_in_half_are_corrupt(void **state)
{
	(void)state;
	assert_refused("half.webm", CORRUPT, "truncated");
	assert_refused("half.aiff", CORRUPT, "truncated");
}

static void test_ogg_without_its_last_page_is_corrupt(void **state)
{
	(void)state;
	assert_refused("cut-end.ogg", CORRUPT, "end-of-stream");
}

static void test_audio_that_does_not_decode_is_corrupt(void **state)
{
	(void)state;
	assert_refused("garbled.flac", CORRUPT, NULL);
	assert_refused("garbled.m4a", CORRUPT, "does not decode");
}

/* --- size ----------------------------------------------------------------- */

static void write_tag(unsigned char *p, const char *tag)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)tag[i];
}

static void write_le(unsigned char *p, uint32_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* A valid 16-bit stereo 48 kHz header over `seconds` of zeros, as a sparse file. */
static void make_silent_wav(const char *path, uint32_t seconds)
{
	uint32_t data = 48000u * 4u * seconds;
	unsigned char h[44];
	write_tag(h, "RIFF");
	write_tag(h + 8, "WAVE");
	write_tag(h + 12, "fmt ");
	write_le(h + 4, 36 + data, 4);
	write_le(h + 16, 16, 4);
	write_le(h + 20, 1, 2);
	write_le(h + 22, 2, 2);
	write_le(h + 24, 48000, 4);
	write_le(h + 28, 48000 * 4, 4);
	write_le(h + 32, 4, 2);
	write_le(h + 34, 16, 2);
	write_tag(h + 36, "data");
	write_le(h + 40, data, 4);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, h, sizeof(h)), (ssize_t)sizeof(h));
	assert_int_equal(ftruncate(fd, (off_t)sizeof(h) + data), 0);
	close(fd);
}

/* 192 MB: the probe reads the head and the last second, never the middle. */
static void test_large_wav_probes_from_its_ends(void **state)
{
	(void)state;
	char *dir = test_tmpdir();
	char *path = test_path(dir, "long.wav");
	make_silent_wav(path, 1000);
	struct vrp_media_info info;
	assert_ok(vrp_probe_file(path, &info));
	assert_string_equal(info.mime_type, "audio/wav");
	assert_true(info.duration > 999.0 && info.duration < 1001.0);
	assert_int_equal(info.sample_rate, 48000);
	assert_int_equal(info.channels, 2);
	free(path);
	test_rmtree(dir);
}

/* FFmpeg's answer is held to the header reader's ranges: it takes a 2 GHz AIFF. */
static void test_ffmpeg_answers_out_of_range_are_corrupt(void **state)
{
	(void)state;
	assert_refused("rate-2g.aiff", CORRUPT, "sample rate of 2000000000 Hz");
}

static void test_mp4_creation_time_and_title_are_read(void **state)
{
	(void)state;
	char *path = test_path(fixtures, "dated.m4a");
	struct vrp_media_info info;
	assert_ok(vrp_probe_file(path, &info));
	assert_string_equal(info.recorded_at, "2025-03-14T10:20:30.000Z");
	assert_string_equal(info.recorded_at_source, "container");
	assert_string_equal(info.title, "Standup notes");
	free(path);
}

static void test_bwf_origination_stamp_dates_a_wav_in_both_readers(void **state)
{
	(void)state;
	char *path = test_path(fixtures, "bwf.wav");
	struct vrp_media_info ours, theirs;
	assert_ok(vrp_probe_file(path, &ours));
	assert_ok(vrp_probe_file_with_ffmpeg(path, &theirs));
	assert_string_equal(ours.recorded_at, "2024-01-02T09:15:00.000Z");
	assert_string_equal(ours.recorded_at_source, "bwf");
	assert_string_equal(ours.title, "Field take");
	assert_string_equal(theirs.recorded_at, ours.recorded_at);
	assert_string_equal(theirs.recorded_at_source, ours.recorded_at_source);
	assert_string_equal(theirs.title, ours.title);
	free(path);
}

static void test_an_id3_title_is_read_and_an_untagged_file_has_no_date(void **state)
{
	(void)state;
	char *path = test_path(fixtures, "id3v2.mp3");
	struct vrp_media_info info;
	assert_ok(vrp_probe_file(path, &info));
	assert_string_equal(info.title, "Memo");
	free(path);
	path = test_path(fixtures, "pcm16.wav");
	assert_ok(vrp_probe_file(path, &info));
	assert_string_equal(info.recorded_at, "");
	assert_string_equal(info.title, "");
	free(path);
}

static void test_date_tags_normalise_to_utc_and_placeholders_are_ignored(void **state)
{
	(void)state;
	char out[32];
	assert_int_equal(vrp_media_date_to_iso("2025-03-14T10:20:30.123456Z", NULL, out), 0);
	assert_string_equal(out, "2025-03-14T10:20:30.123Z");
	assert_int_equal(vrp_media_date_to_iso("2025-03-14 12:20:30+02:00", NULL, out), 0);
	assert_string_equal(out, "2025-03-14T10:20:30.000Z");
	assert_int_equal(vrp_media_date_to_iso("2025-03-14", NULL, out), 0);
	assert_string_equal(out, "2025-03-14T00:00:00.000Z");
	assert_int_equal(vrp_media_date_to_iso("2024-01-02", "09-15-00", out), 0);
	assert_string_equal(out, "2024-01-02T09:15:00.000Z");
	assert_int_equal(vrp_media_date_to_iso("2025", NULL, out), -1);
	assert_int_equal(vrp_media_date_to_iso("1904-01-01T00:00:00.000000Z", NULL, out), -1);
	assert_int_equal(vrp_media_date_to_iso("1970-01-01T00:00:00Z", NULL, out), -1);
	assert_int_equal(vrp_media_date_to_iso("2025-13-01", NULL, out), -1);
	assert_int_equal(vrp_media_date_to_iso("2025-03-14T25:00:00Z", NULL, out), -1);
	assert_int_equal(vrp_media_date_to_iso("yesterday", NULL, out), -1);
	assert_int_equal(vrp_media_date_to_iso(NULL, NULL, out), -1);
}

int main(void)
{
	fixtures = getenv("VRP_TEST_FIXTURES");
	if (!fixtures || !*fixtures) {
		fprintf(stderr, "test_probe: set VRP_TEST_FIXTURES to a make-fixtures.sh output\n");
		return 1;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_pcm16_wav),
		cmocka_unit_test(test_reads_pcm24_wav),
		cmocka_unit_test(test_reads_float32_wav),
		cmocka_unit_test(test_reads_wav_with_list_and_junk_before_fmt_and_a_fact_chunk),
		cmocka_unit_test(test_reads_flac),
		cmocka_unit_test(test_reads_mp3_without_id3_tag),
		cmocka_unit_test(test_reads_mp3_with_id3v2_tag),
		cmocka_unit_test(test_counts_vbr_mp3_without_xing_frame_for_its_duration),
		cmocka_unit_test(test_reads_voice_memo_m4a),
		cmocka_unit_test(test_reads_m4a_with_moov_first),
		cmocka_unit_test(test_reads_ogg_vorbis),
		cmocka_unit_test(test_reads_ogg_opus_as_audio_ogg_with_opus_extension),
		cmocka_unit_test(test_reads_webm_opus),
		cmocka_unit_test(test_reads_amr),
		cmocka_unit_test(test_reads_amr_in_3gp),
		cmocka_unit_test(test_reads_aiff),
		cmocka_unit_test(test_refuses_text_whatever_its_extension),
		cmocka_unit_test(test_refuses_images_whatever_their_extension),
		cmocka_unit_test(test_refuses_random_bytes_named_as_audio),
		cmocka_unit_test(test_refuses_empty_file),
		cmocka_unit_test(test_refuses_video_without_audio),
		cmocka_unit_test(test_missing_file_is_not_found),
		cmocka_unit_test(test_refuses_directory_and_fifo_without_blocking),
		cmocka_unit_test(test_wav_cut_in_half_is_corrupt),
		cmocka_unit_test(test_flac_cut_in_half_is_corrupt),
		cmocka_unit_test(test_mp3_cut_in_half_is_corrupt),
		cmocka_unit_test(test_m4a_cut_in_half_is_corrupt),
		cmocka_unit_test(test_webm_and_aiff_cut_in_half_are_corrupt),
		cmocka_unit_test(test_ogg_without_its_last_page_is_corrupt),
		cmocka_unit_test(test_audio_that_does_not_decode_is_corrupt),
		cmocka_unit_test(test_large_wav_probes_from_its_ends),
		cmocka_unit_test(test_ffmpeg_answers_out_of_range_are_corrupt),
		cmocka_unit_test(test_mp4_creation_time_and_title_are_read),
		cmocka_unit_test(test_bwf_origination_stamp_dates_a_wav_in_both_readers),
		cmocka_unit_test(test_an_id3_title_is_read_and_an_untagged_file_has_no_date),
		cmocka_unit_test(test_date_tags_normalise_to_utc_and_placeholders_are_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
