/* transcript.c - the transcript generator: speech engine words as JSON, streamed. */
#include "derive/transcript.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "media/ffmpeg.h"
#include "vrp/sys/transcriber.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/types.h>
#include <unistd.h>

#define IO_BUFFER 65536

struct transcript_gen {
	const struct vrp_ffmpeg *ff;
	const struct vrp_transcriber_ops *engine;
	vrp_transcriber *decoder;
	char language[40];
	int channels, in_rate;
	int64_t in_frames;
	SwrContext *swr;
	float *mono;
	size_t mono_cap;
	int16_t *resampled;
	size_t resampled_cap;
	int16_t chunk[VRP_TRANSCRIBER_CHUNK];
	size_t chunk_fill;
	/* One segment per line, "<resume sample> <JSON>", as the engine finishes
	 * them: the journal when there is one (after its header line), else an
	 * anonymous temporary file. */
	FILE *segments;
	bool journaled;
	size_t segment_count;
	int64_t skip;        /* 16 kHz samples a resumed run does not decode again */
	int64_t out_samples; /* 16 kHz samples the resampler gave */
	bool ended;
};

static int av_failure(struct transcript_gen *g, int averr, const char *what)
{
	if (averr == AVERROR(ENOMEM))
		return vrp_error_oom();
	char text[AV_ERROR_MAX_STRING_SIZE];
	g->ff->av_strerror(averr, text, sizeof(text));
	return vrp_error_set(VRP_EIO, "transcript: %s: %s", what, text);
}

/* Seconds to the frame (10 ms) and posteriors to 0.001: more digits would only be noise. */
static json_t *rounded(double value, double step) { return json_real(round(value / step) * step); }

static json_t *word_array(const struct vrp_transcript_word *words, size_t count,
			  const char *score_name, double offset)
{
	json_t *array = json_array();
	for (size_t i = 0; array && i < count; i++) {
		json_t *w = json_pack("{s:s, s:o, s:o, s:o}", "word", words[i].word, "start",
				      rounded(offset + words[i].start, 0.01), "end",
				      rounded(offset + words[i].end, 0.01), score_name,
				      rounded(words[i].confidence, 0.001));
		if (!w || json_array_append_new(array, w) != 0) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

static char *segment_text(const struct vrp_transcript_segment *s)
{
	size_t len = 1;
	for (size_t i = 0; i < s->word_count; i++)
		len += strlen(s->words[i].word) + 1;
	char *text = malloc(len), *p = text;
	if (!text)
		return NULL;
	*p = '\0';
	for (size_t i = 0; i < s->word_count; i++)
		p += sprintf(p, "%s%s", i ? " " : "", s->words[i].word);
	return text;
}

/* Each segment goes to the temporary file at once, so memory stays flat at any length. */
static int on_segment(void *ctx, const struct vrp_transcript_segment *s)
{
	struct transcript_gen *g = ctx;
	/* A resumed engine counts from where it was started. */
	double offset = (double)g->skip / VRP_TRANSCRIBER_RATE;
	char *text = segment_text(s);
	json_t *o = text ? json_pack("{s:o, s:o, s:s, s:o, s:o}", "start",
				     rounded(offset + s->start, 0.01), "end",
				     rounded(offset + s->end, 0.01), "text", text, "words",
				     word_array(s->words, s->word_count, "confidence", offset),
				     "alternatives",
				     word_array(s->alternatives, s->alternative_count, "posterior",
						offset))
			 : NULL;
	free(text);
	char *line = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
	json_decref(o);
	if (!line)
		return vrp_error_oom();
	int rc = 0;
	if (fprintf(g->segments, "%lld %s\n", (long long)(g->skip + s->resume_sample), line) < 0)
		rc = vrp_error_from_errno(errno, "cannot write the transcript");
	/* On disk before the engine goes on: what a kill -9 after this keeps. */
	if (rc == 0 && g->journaled &&
	    (fflush(g->segments) != 0 || fdatasync(fileno(g->segments)) != 0))
		rc = vrp_error_from_errno(errno, "cannot write the transcript journal");
	free(line);
	g->segment_count++;
	return rc;
}

static int feed_chunk(struct transcript_gen *g)
{
	int rc = g->engine->feed(g->decoder, g->chunk, g->chunk_fill, on_segment, g);
	g->chunk_fill = 0;
	return rc;
}

/* Fixed-size chunks: the engine's results shift with the chunk size. */
static int push(struct transcript_gen *g, const int16_t *samples, size_t count)
{
	if (g->out_samples < g->skip) {
		int64_t drop = g->skip - g->out_samples;
		size_t n = drop < (int64_t)count ? (size_t)drop : count;
		g->out_samples += (int64_t)n;
		samples += n;
		count -= n;
	}
	g->out_samples += (int64_t)count;
	while (count > 0) {
		size_t n = VRP_TRANSCRIBER_CHUNK - g->chunk_fill;
		n = count < n ? count : n;
		memcpy(g->chunk + g->chunk_fill, samples, n * sizeof(*samples));
		g->chunk_fill += n;
		samples += n;
		count -= n;
		if (g->chunk_fill == VRP_TRANSCRIBER_CHUNK) {
			int rc = feed_chunk(g);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int gen_begin(void *ctx, const struct vrp_pcm_format *format)
{
	struct transcript_gen *g = ctx;
	g->channels = format->channels;
	g->in_rate = format->sample_rate;
	AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
	int averr =
		g->ff->swr_alloc_set_opts2(&g->swr, &mono, AV_SAMPLE_FMT_S16, VRP_TRANSCRIBER_RATE,
					   &mono, AV_SAMPLE_FMT_FLT, g->in_rate, 0, NULL);
	if (averr >= 0)
		averr = g->ff->swr_init(g->swr);
	if (averr < 0)
		return av_failure(g, averr, "cannot resample to 16 kHz");
	struct vrp_transcriber_settings settings = { .language = g->language };
	return g->engine->open(&settings, &g->decoder);
}

static int grow(void **buffer, size_t *capacity, size_t need, size_t size)
{
	if (need <= *capacity)
		return 0;
	void *bigger = realloc(*buffer, size * need);
	if (!bigger)
		return vrp_error_oom();
	*buffer = bigger;
	*capacity = need;
	return 0;
}

/* `frames` mono samples (NULL drains the resampler) to 16 kHz int16 and on to the engine. */
static int resample(struct transcript_gen *g, const float *mono, size_t frames)
{
	int64_t delay = g->ff->swr_get_delay(g->swr, g->in_rate);
	size_t cap = (size_t)g->ff->av_rescale_rnd(delay + (int64_t)frames, VRP_TRANSCRIBER_RATE,
						   g->in_rate, AV_ROUND_UP) +
		     16;
	int rc = grow((void **)&g->resampled, &g->resampled_cap, cap, sizeof(int16_t));
	if (rc != 0)
		return rc;
	uint8_t *out = (uint8_t *)g->resampled;
	const uint8_t *in = (const uint8_t *)mono;
	int got = g->ff->swr_convert(g->swr, &out, (int)cap, mono ? &in : NULL, (int)frames);
	if (got < 0)
		return av_failure(g, got, "cannot resample to 16 kHz");
	return push(g, g->resampled, (size_t)got);
}

static int gen_write(void *ctx, const float *samples, size_t frames)
{
	struct transcript_gen *g = ctx;
	int rc = grow((void **)&g->mono, &g->mono_cap, frames, sizeof(float));
	for (size_t i = 0; rc == 0 && i < frames; i++) {
		float sum = 0.0f;
		for (int c = 0; c < g->channels; c++)
			sum += samples[i * (size_t)g->channels + (size_t)c];
		g->mono[i] = sum / (float)g->channels;
	}
	g->in_frames += (int64_t)frames;
	return rc == 0 ? resample(g, g->mono, frames) : rc;
}

static int gen_end(void *ctx)
{
	struct transcript_gen *g = ctx;
	int rc = resample(g, NULL, 0);
	if (rc == 0 && g->chunk_fill > 0)
		rc = feed_chunk(g);
	if (rc == 0)
		rc = g->engine->finish(g->decoder, on_segment, g);
	if (rc == 0 && fflush(g->segments) != 0)
		rc = vrp_error_from_errno(errno, "cannot write the transcript");
	g->ended = rc == 0;
	return rc;
}

static int write_text(int fd, const char *text)
{
	return vrp_fs_write_all(fd, text, strlen(text)) != 0
		       ? vrp_error_from_errno(errno, "cannot write the transcript")
		       : 0;
}

/* The segment lines, without their resume numbers, comma-separated. */
static int write_segments(struct transcript_gen *g, int fd)
{
	rewind(g->segments);
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc = 0;
	bool first = true, header = g->journaled;
	while (rc == 0 && (len = getline(&line, &cap, g->segments)) > 0) {
		if (header) {
			header = false;
			continue;
		}
		const char *json = strchr(line, ' ');
		if (!json)
			continue;
		json++;
		if ((!first && write_text(fd, ",")) ||
		    vrp_fs_write_all(fd, json, strlen(json)) != 0)
			rc = vrp_error_from_errno(errno, "cannot write the transcript");
		first = false;
	}
	if (rc == 0 && ferror(g->segments))
		rc = vrp_error_from_errno(errno, "cannot read back the transcript");
	free(line);
	return rc;
}

static int gen_save(void *instance, int fd)
{
	struct transcript_gen *g = instance;
	if (!g->ended)
		return vrp_error_set(VRP_EINVAL, "the transcript is saved before its decode ended");
	char head[256];
	snprintf(head, sizeof(head),
		 "{\"version\":1,\"engine\":\"%s\",\"engine_version\":\"%s\",\"language\":\"%s\","
		 "\"duration\":%.3f,\"segments\":[\n",
		 g->engine->name, g->engine->version_text, g->language,
		 g->in_rate > 0 ? (double)g->in_frames / g->in_rate : 0.0);
	int rc = write_text(fd, head);
	if (rc == 0)
		rc = write_segments(g, fd);
	return rc == 0 ? write_text(fd, "]}\n") : rc;
}

static void gen_destroy(void *instance)
{
	struct transcript_gen *g = instance;
	if (!g)
		return;
	if (g->engine)
		g->engine->close(g->decoder);
	if (g->ff)
		g->ff->swr_free(&g->swr);
	if (g->segments)
		fclose(g->segments);
	free(g->mono);
	free(g->resampled);
	free(g);
}

#define JOURNAL_MAGIC "vrp-transcript-journal 1 "

/*
 * Keeps the journal's whole segment lines (a line a kill cut short is cut
 * off) and resumes after the last one; a journal of other audio or settings
 * starts afresh.
 */
static int read_journal(struct transcript_gen *g, const char *key)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, g->segments);
	bool ours = len > 0 && (size_t)len == strlen(JOURNAL_MAGIC) + strlen(key) + 1 &&
		    strncmp(line, JOURNAL_MAGIC, strlen(JOURNAL_MAGIC)) == 0 &&
		    strncmp(line + strlen(JOURNAL_MAGIC), key, strlen(key)) == 0 &&
		    line[len - 1] == '\n';
	off_t good = 0;
	if (ours) {
		good = (off_t)len;
		while ((len = getline(&line, &cap, g->segments)) > 0) {
			long long resume = 0;
			int used = 0;
			if (line[len - 1] != '\n' || sscanf(line, "%lld %n", &resume, &used) != 1 ||
			    line[used] != '{' || resume < g->skip)
				break;
			g->skip = resume;
			g->segment_count++;
			good += (off_t)len;
		}
	}
	free(line);
	int rc = 0;
	if (fflush(g->segments) != 0 || ftruncate(fileno(g->segments), good) != 0 ||
	    fseeko(g->segments, good, SEEK_SET) != 0)
		rc = vrp_error_from_errno(errno, "cannot repair the transcript journal");
	if (rc == 0 && good == 0) {
		g->skip = 0;
		g->segment_count = 0;
		if (fprintf(g->segments, "%s%s\n", JOURNAL_MAGIC, key) < 0 ||
		    fflush(g->segments) != 0)
			rc = vrp_error_from_errno(errno, "cannot write the transcript journal");
	}
	return rc;
}

static int open_journal(struct transcript_gen *g, const char *path, const char *key)
{
	if (strchr(key, '\n'))
		return vrp_error_set(VRP_EINVAL, "a journal key is one line");
	g->segments = fopen(path, "r+");
	if (!g->segments && errno == ENOENT)
		g->segments = fopen(path, "w+");
	if (!g->segments)
		return vrp_error_from_errno(errno, "cannot open the transcript journal %s", path);
	g->journaled = true;
	/* Two writers (a worker whose lease ran out and the one that took over, or
	 * `vrp transcribe` beside a worker) would interleave their lines. */
	if (flock(fileno(g->segments), LOCK_EX | LOCK_NB) != 0)
		return errno == EWOULDBLOCK
			       ? vrp_error_set(VRP_EBUSY,
					       "the transcript is being made by another process")
			       : vrp_error_from_errno(errno, "cannot lock %s", path);
	int rc = read_journal(g, key);
	if (rc == 0 && g->skip > 0)
		VRP_LOG_INFO("transcribe",
			     json_pack("{s:o, s:f, s:I}", "journal", vrp_log_string(path), "from",
				       (double)g->skip / VRP_TRANSCRIBER_RATE, "segments",
				       (json_int_t)g->segment_count),
			     "resuming a transcript after its last finished utterance");
	return rc;
}

static int gen_create(void **instance, struct vrp_pcm_sink *sink,
		      const struct vrp_derive_params *options)
{
	*instance = NULL;
	const char *language = options && options->language ? options->language : "en-us";
	if (strlen(language) >= sizeof(((struct transcript_gen *)0)->language))
		return vrp_error_set(VRP_EINVAL, "'%s' is not a language name", language);
	struct transcript_gen *g = calloc(1, sizeof(*g));
	if (!g)
		return vrp_error_oom();
	*instance = g;
	strcpy(g->language, language);
	g->engine = vrp_transcriber_find(VRP_TRANSCRIPT_ENGINE);
	if (!g->engine)
		return vrp_error_set(VRP_ENOTSUP, "no speech engine named %s",
				     VRP_TRANSCRIPT_ENGINE);
	int rc = options && options->journal
			 ? open_journal(g, options->journal,
					options->journal_key ? options->journal_key : "")
			 : 0;
	if (rc == 0 && !g->segments && !(g->segments = tmpfile()))
		rc = vrp_error_from_errno(errno,
					  "cannot create a temporary file for the transcript");
	if (rc != 0)
		return rc;
	*sink = (struct vrp_pcm_sink){ g, gen_begin, gen_write, gen_end };
	return vrp_ffmpeg_load(&g->ff);
}

static void gen_settings_key(const struct vrp_derive_params *params, char *out, size_t len)
{
	snprintf(out, len, "language=%s", params->language ? params->language : "en-us");
}

const struct vrp_generator vrp_transcript_generator = {
	.kind = VRP_DERIVED_TRANSCRIPT,
	.name = "vrp-transcript-" VRP_TRANSCRIPT_ENGINE,
	.version = "1",
	.mime_type = "application/json",
	.extension = "json",
	.create = gen_create,
	.settings_key = gen_settings_key,
	.save = gen_save,
	.destroy = gen_destroy,
	.on_request = true,
};
