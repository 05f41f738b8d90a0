/* pocketsphinx.c - the pocketsphinx engine behind the transcriber table. */
#include "vrp/sys/transcriber.h"

#include "core/error_set.h"
#include "transcribe/engines.h"
#include "transcribe/sphinx_lib.h"
#include "transcribe/vad.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MODEL_DIR "/usr/share/pocketsphinx/model"
#define FRAME_RATE        100 /* frames per second: pocketsphinx's default -frate */
/*
 * The cepstral mean is estimated from the first 20 s before decoding starts:
 * with the model's initial mean the first sentence after a quiet start is
 * often misrecognised while the live mean adapts, and a file, unlike a
 * microphone, lets us look ahead. 160 chunks (20.48 s) of 16-bit samples
 * is 640 KB; a whole number of chunks keeps the chunk grid of the rest.
 */
#define CMN_HEAD_SAMPLES (VRP_TRANSCRIBER_CHUNK * 160)
#define CEP_MAX          32
#define CEP_BLOCK        256
/* An utterance without a pause is cut here, so a lattice never grows without bound. */
#define MAX_UTTERANCE_SAMPLES ((size_t)VRP_TRANSCRIBER_RATE * 60)
/* Speech starts after 3 speech frames (30 ms), with 0.3 s of lead-in kept,
 * and ends after 0.5 s without any (that quiet tail is decoded too). */
#define START_FRAMES 3
#define LEAD_FRAMES  30
#define END_FRAMES   50
/*
 * The VAD's noise estimate starts empty, so a steady sound (hum, a tone,
 * noise) is "speech" for the first moments and the decoder finds a word in
 * it. Speech is never steady: when the level of the first second varies
 * less than this (standard deviation of 10 ms frame levels, dB) while it
 * is not quiet, words that end in it are dropped.
 */
#define STEADY_SECONDS 1
#define STEADY_MAX_DB  3.0
#define STEADY_MIN_DB  30.0
/* Lattice words below this posterior are too unlikely to be worth a search hit. */
#define MIN_ALTERNATIVE_POSTERIOR 0.01

struct word_list {
	struct vrp_transcript_word *items;
	size_t count, capacity;
};

struct vrp_transcriber {
	const struct vrp_sphinx *sp;
	cmd_ln_t *config;
	ps_decoder_t *ps;
	int16_t *head;   /* the first samples, until decoding starts */
	int16_t *speech; /* the head's speech frames, for the mean */
	size_t head_count;
	bool decoding;     /* the head has been consumed */
	bool in_utterance; /* ps_start_utt() called */
	struct vrp_vad vad;
	int16_t frame[VRP_VAD_FRAME]; /* the frame being filled */
	size_t frame_fill;
	int16_t lead[LEAD_FRAMES * VRP_VAD_FRAME]; /* the frames before speech, a ring */
	size_t lead_frames, lead_next;
	int speech_run, quiet_run;
	int64_t position;        /* samples framed so far */
	int64_t utterance_start; /* the sample the utterance began at */
	size_t utterance_samples;
	int16_t chunk[VRP_TRANSCRIBER_CHUNK]; /* fixed chunks into the decoder */
	size_t chunk_fill;
	int frame_base;    /* the decoder's number for the utterance's first frame */
	int64_t resume_at; /* the sample after the utterance being closed */
	int ncep;
	mfcc_t cmn_before[CEP_MAX]; /* the mean when the utterance began */
	double steady_until;        /* words ending before this (s) are dropped */
	uint32_t dither_state;
	int16_t dithered[VRP_TRANSCRIBER_CHUNK];
	struct word_list words, alternatives;
};

/* ps_init() is not safe to run on two threads at once (the measurement). */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;

static bool is_language_name(const char *language)
{
	if (!*language || strlen(language) > 32)
		return false;
	for (const char *p = language; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || *p == '-'))
			return false;
	return true;
}

static int model_paths(const struct vrp_transcriber_settings *settings, char *hmm, char *lm,
		       char *dict, size_t size)
{
	const char *language = settings->language ? settings->language : "en-us";
	const char *dir = settings->model_dir ? settings->model_dir : DEFAULT_MODEL_DIR;
	if (!is_language_name(language))
		return vrp_error_set(VRP_EINVAL, "'%s' is not a language name such as en-us",
				     language);
	snprintf(hmm, size, "%s/%s/%s", dir, language, language);
	snprintf(lm, size, "%s/%s/%s.lm.bin", dir, language, language);
	snprintf(dict, size, "%s/%s/cmudict-%s.dict", dir, language, language);
	if (access(hmm, R_OK) != 0 || access(lm, R_OK) != 0 || access(dict, R_OK) != 0)
		return vrp_error_set(VRP_ENOTSUP,
				     "no pocketsphinx model for %s in %s/%s; install "
				     "pocketsphinx-%s (apt-get install pocketsphinx-%s)",
				     language, dir, language, language, language);
	return 0;
}

static int make_decoder(vrp_transcriber *t, const struct vrp_transcriber_settings *settings)
{
	char hmm[1024], lm[1024], dict[1024];
	int rc = model_paths(settings, hmm, lm, dict, sizeof(hmm));
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&init_lock);
	/* No silence removal: vad.h says why. No dither of sphinxbase's: it draws on one
	 * process-wide generator that every decoder reseeds, so decoders on other threads
	 * would change each other's results; dither() does it per decoder. */
	t->config =
		t->sp->cmd_ln_init(NULL, t->sp->ps_args(), TRUE, "-hmm", hmm, "-lm", lm, "-dict",
				   dict, "-dither", "no", "-remove_silence", "no", NULL);
	if (t->config)
		t->ps = t->sp->ps_init(t->config);
	pthread_mutex_unlock(&init_lock);
	if (!t->ps)
		return vrp_error_set(VRP_ENOTSUP, "pocketsphinx cannot load its model from %s",
				     hmm);
	return 0;
}

static int ps_check(const struct vrp_transcriber_settings *settings)
{
	const struct vrp_sphinx *sp = NULL;
	char hmm[1024], lm[1024], dict[1024];
	int rc = vrp_sphinx_load(&sp);
	return rc == 0 ? model_paths(settings, hmm, lm, dict, sizeof(hmm)) : rc;
}

static int ps_open(const struct vrp_transcriber_settings *settings, vrp_transcriber **out)
{
	*out = NULL;
	vrp_transcriber *t = calloc(1, sizeof(*t));
	if (!t)
		return vrp_error_oom();
	t->dither_state = 2463534242u; /* any non-zero seed; fixed, so results repeat */
	int rc = vrp_sphinx_load(&t->sp);
	if (rc == 0)
		rc = make_decoder(t, settings);
	if (rc == 0 && (!(t->head = malloc(sizeof(int16_t) * CMN_HEAD_SAMPLES)) ||
			!(t->speech = malloc(sizeof(int16_t) * CMN_HEAD_SAMPLES))))
		rc = vrp_error_oom();
	if (rc != 0) {
		free(t->head);
		free(t->speech);
		if (t->ps)
			t->sp->ps_free(t->ps);
		if (t->config)
			t->sp->cmd_ln_free_r(t->config);
		free(t);
		return rc;
	}
	*out = t;
	return 0;
}

static void ps_close(vrp_transcriber *t)
{
	if (!t)
		return;
	if (t->ps)
		t->sp->ps_free(t->ps);
	if (t->config)
		t->sp->cmd_ln_free_r(t->config);
	for (size_t i = 0; i < t->words.count; i++)
		free((char *)t->words.items[i].word);
	for (size_t i = 0; i < t->alternatives.count; i++)
		free((char *)t->alternatives.items[i].word);
	free(t->words.items);
	free(t->alternatives.items);
	free(t->head);
	free(t->speech);
	free(t);
}

/*
 * The mean of the cepstra of the head's speech frames (the front end's own
 * VAD drops the silence), computed with the decoder's own front-end
 * settings, becomes the live mean the decoder starts from.
 */
static void estimate_cmn(vrp_transcriber *t)
{
	const struct vrp_sphinx *sp = t->sp;
	fe_t *fe = sp->fe_init_auto_r(sp->ps_get_config(t->ps));
	if (!fe)
		return;
	int ncep = sp->fe_get_output_size(fe);
	static __thread mfcc_t block[CEP_BLOCK][CEP_MAX];
	mfcc_t *rows[CEP_BLOCK];
	double sum[CEP_MAX] = { 0 };
	long frames = 0;
	for (int i = 0; i < CEP_BLOCK; i++)
		rows[i] = block[i];
	/* Only the frames the detector calls speech; the buffer is the head's own, compacted. */
	struct vrp_vad vad = t->vad;
	size_t kept = 0;
	for (size_t f = 0; f + VRP_VAD_FRAME <= t->head_count; f += VRP_VAD_FRAME) {
		const int16_t *frame = t->head + f;
		if (vrp_vad_is_speech(&vad, vrp_vad_level(frame, VRP_VAD_FRAME)))
			memcpy(t->speech + kept, frame, sizeof(*frame) * VRP_VAD_FRAME),
				kept += VRP_VAD_FRAME;
	}
	if (ncep > 0 && ncep <= CEP_MAX && sp->fe_start_utt(fe) == 0) {
		const int16 *in = t->speech;
		size_t left = kept;
		while (left > 0) {
			int32 n = CEP_BLOCK;
			if (sp->fe_process_frames(fe, &in, &left, rows, &n, NULL) < 0 || n == 0)
				break;
			for (int i = 0; i < n; i++, frames++)
				for (int j = 0; j < ncep; j++)
					sum[j] += rows[i][j];
		}
		int32 last = 0;
		sp->fe_end_utt(fe, rows[0], &last);
	}
	sp->fe_free(fe);
	/* Too little speech to say anything: keep the model's mean. */
	if (frames < FRAME_RATE / 2)
		return;
	mfcc_t mean[CEP_MAX];
	for (int j = 0; j < ncep; j++)
		mean[j] = (mfcc_t)(sum[j] / (double)frames);
	sp->cmn_live_set(sp->ps_get_feat(t->ps)->cmn_struct, mean);
}

/* "while(2)" is the second pronunciation of "while"; fillers (<sil>, [NOISE], ++um++) are not
 * words. */
static bool is_filler(const char *word)
{
	return !*word || *word == '<' || *word == '[' || *word == '+';
}

static int add_word(struct word_list *list, const char *word, double start, double end, double p)
{
	if (list->count == list->capacity) {
		size_t capacity = list->capacity ? list->capacity * 2 : 32;
		void *bigger = realloc(list->items, capacity * sizeof(*list->items));
		if (!bigger)
			return vrp_error_oom();
		list->items = bigger;
		list->capacity = capacity;
	}
	size_t n = strcspn(word, "(");
	char *copy = strndup(word, n);
	if (!copy)
		return vrp_error_oom();
	for (char *c = copy; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	list->items[list->count++] = (struct vrp_transcript_word){ copy, start, end, p };
	return 0;
}

static void clear_words(struct word_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free((char *)list->items[i].word);
	list->count = 0;
}

/* Seconds from the start of the stream of the decoder's frame `frame`. */
static double frame_time(const vrp_transcriber *t, int frame)
{
	return (double)t->utterance_start / VRP_TRANSCRIBER_RATE +
	       (double)(frame - t->frame_base) / FRAME_RATE;
}

static int collect_best(vrp_transcriber *t)
{
	const struct vrp_sphinx *sp = t->sp;
	logmath_t *lmath = sp->ps_get_logmath(t->ps);
	int rc = 0;
	ps_seg_t *seg = sp->ps_seg_iter(t->ps);
	/* The first segment (<s>) starts at the utterance's first frame, whether the
	 * decoder counts frames per utterance or per stream. */
	if (seg) {
		int ef = 0;
		sp->ps_seg_frames(seg, &t->frame_base, &ef);
	}
	for (; seg && rc == 0; seg = sp->ps_seg_next(seg)) {
		const char *word = sp->ps_seg_word(seg);
		if (!word || is_filler(word))
			continue;
		int sf = 0, ef = 0;
		int32 ascr, lscr, lback;
		sp->ps_seg_frames(seg, &sf, &ef);
		if (frame_time(t, ef + 1) <= t->steady_until)
			continue;
		double p = sp->logmath_exp(lmath, sp->ps_seg_prob(seg, &ascr, &lscr, &lback));
		/* ef is inclusive: the word ends where its last frame does. */
		rc = add_word(&t->words, word, frame_time(t, sf), frame_time(t, ef + 1),
			      p > 1.0 ? 1.0 : p);
	}
	if (seg)
		sp->ps_seg_free(seg);
	return rc;
}

static bool overlaps(const struct vrp_transcript_word *w, double start, double end)
{
	return w->start < end && start < w->end;
}

/* Whether `word` at start..end is already in `list` (then its posterior is raised to `p`). */
static bool merge_into(struct word_list *list, size_t base_len, const char *word, double start,
		       double end, double p)
{
	for (size_t i = 0; i < list->count; i++) {
		struct vrp_transcript_word *w = &list->items[i];
		if (strncmp(w->word, word, base_len) == 0 && w->word[base_len] == '\0' &&
		    overlaps(w, start, end)) {
			if (p > w->confidence)
				w->confidence = p;
			return true;
		}
	}
	return false;
}

/* Words the lattice held as likely (posterior >= 0.01) that the 1-best path did not say there. */
static int collect_alternatives(vrp_transcriber *t)
{
	const struct vrp_sphinx *sp = t->sp;
	ps_lattice_t *dag = sp->ps_get_lattice(t->ps);
	if (!dag)
		return 0;
	logmath_t *lmath = sp->ps_get_logmath(t->ps);
	int rc = 0;
	ps_latnode_iter_t *it = sp->ps_latnode_iter(dag);
	for (; it && rc == 0; it = sp->ps_latnode_iter_next(it)) {
		ps_latnode_t *node = sp->ps_latnode_iter_node(it);
		const char *word = sp->ps_latnode_baseword(dag, node);
		if (!word || is_filler(word))
			continue;
		ps_latlink_t *link = NULL;
		double p = sp->logmath_exp(lmath, sp->ps_latnode_prob(dag, node, &link));
		if (p < MIN_ALTERNATIVE_POSTERIOR)
			continue;
		int16 fef = 0, lef = 0;
		int sf = sp->ps_latnode_times(node, &fef, &lef);
		double start = frame_time(t, sf), end = frame_time(t, fef + 1);
		size_t len = strlen(word);
		if (merge_into(&t->words, len, word, start, end, 0.0) ||
		    merge_into(&t->alternatives, len, word, start, end, p > 1.0 ? 1.0 : p))
			continue;
		rc = add_word(&t->alternatives, word, start, end, p > 1.0 ? 1.0 : p);
	}
	if (it)
		sp->ps_latnode_iter_free(it);
	return rc;
}

static int end_utterance(vrp_transcriber *t, vrp_transcript_segment_fn on_segment, void *ctx)
{
	const struct vrp_sphinx *sp = t->sp;
	t->in_utterance = false;
	if (sp->ps_end_utt(t->ps) < 0)
		return vrp_error_set(VRP_ERROR, "pocketsphinx cannot end an utterance");
	int32 score = 0;
	const char *hyp = sp->ps_get_hyp(t->ps, &score);
	int rc = hyp && *hyp ? collect_best(t) : 0;
	if (rc == 0 && t->words.count > 0)
		rc = collect_alternatives(t);
	/* An utterance that said nothing (noise, a click) must not teach the mean. */
	if (t->words.count == 0)
		sp->cmn_live_set(sp->ps_get_feat(t->ps)->cmn_struct, t->cmn_before);
	if (rc == 0 && t->words.count > 0) {
		struct vrp_transcript_segment segment = {
			.start = t->words.items[0].start,
			.end = t->words.items[t->words.count - 1].end,
			.words = t->words.items,
			.word_count = t->words.count,
			.alternatives = t->alternatives.items,
			.alternative_count = t->alternatives.count,
			.resume_sample = t->resume_at,
		};
		rc = on_segment(ctx, &segment);
	}
	clear_words(&t->words);
	clear_words(&t->alternatives);
	return rc;
}

static int start_utterance(vrp_transcriber *t, int64_t at)
{
	const struct vrp_sphinx *sp = t->sp;
	if (sp->ps_start_utt(t->ps) < 0)
		return vrp_error_set(VRP_ERROR, "pocketsphinx cannot start an utterance");
	sp->cmn_live_get(sp->ps_get_feat(t->ps)->cmn_struct, t->cmn_before);
	t->in_utterance = true;
	t->utterance_start = at;
	t->utterance_samples = 0;
	t->chunk_fill = 0;
	return 0;
}

static int flush_chunk(vrp_transcriber *t)
{
	if (t->chunk_fill == 0)
		return 0;
	int rc = t->sp->ps_process_raw(t->ps, t->chunk, t->chunk_fill, FALSE, FALSE) < 0
			 ? vrp_error_set(VRP_ERROR, "pocketsphinx cannot decode")
			 : 0;
	t->chunk_fill = 0;
	return rc;
}

/* Utterance audio goes to the decoder in chunks of VRP_TRANSCRIBER_CHUNK. */
static int utter(vrp_transcriber *t, const int16_t *samples, size_t count)
{
	int rc = 0;
	while (rc == 0 && count > 0) {
		size_t n = VRP_TRANSCRIBER_CHUNK - t->chunk_fill;
		n = count < n ? count : n;
		memcpy(t->chunk + t->chunk_fill, samples, n * sizeof(*samples));
		t->chunk_fill += n;
		t->utterance_samples += n;
		samples += n;
		count -= n;
		if (t->chunk_fill == VRP_TRANSCRIBER_CHUNK)
			rc = flush_chunk(t);
	}
	return rc;
}

static int close_utterance(vrp_transcriber *t, vrp_transcript_segment_fn on_segment, void *ctx)
{
	int rc = flush_chunk(t);
	int end_rc = end_utterance(t, on_segment, ctx);
	t->lead_frames = t->lead_next = 0;
	t->speech_run = t->quiet_run = 0;
	return rc ? rc : end_rc;
}

/* Speech begins: the lead-in frames (oldest first), then this one. */
static int open_utterance(vrp_transcriber *t, const int16_t *frame)
{
	int64_t at = t->position - (int64_t)(t->lead_frames * VRP_VAD_FRAME);
	int rc = start_utterance(t, at);
	size_t first = (t->lead_next + LEAD_FRAMES - t->lead_frames) % LEAD_FRAMES;
	for (size_t i = 0; rc == 0 && i < t->lead_frames; i++)
		rc = utter(t, t->lead + (first + i) % LEAD_FRAMES * VRP_VAD_FRAME, VRP_VAD_FRAME);
	t->quiet_run = 0;
	return rc == 0 ? utter(t, frame, VRP_VAD_FRAME) : rc;
}

static int on_frame(vrp_transcriber *t, const int16_t *frame, vrp_transcript_segment_fn on_segment,
		    void *ctx)
{
	bool speech = vrp_vad_is_speech(&t->vad, vrp_vad_level(frame, VRP_VAD_FRAME));
	int rc = 0;
	if (t->in_utterance) {
		t->quiet_run = speech ? 0 : t->quiet_run + 1;
		rc = utter(t, frame, VRP_VAD_FRAME);
		t->resume_at = t->position + VRP_VAD_FRAME;
		if (rc == 0 &&
		    (t->quiet_run >= END_FRAMES || t->utterance_samples >= MAX_UTTERANCE_SAMPLES))
			rc = close_utterance(t, on_segment, ctx);
	} else if (speech && ++t->speech_run >= START_FRAMES) {
		rc = open_utterance(t, frame);
	} else {
		if (!speech)
			t->speech_run = 0;
		memcpy(t->lead + t->lead_next * VRP_VAD_FRAME, frame,
		       sizeof(*frame) * VRP_VAD_FRAME);
		t->lead_next = (t->lead_next + 1) % LEAD_FRAMES;
		if (t->lead_frames < LEAD_FRAMES)
			t->lead_frames++;
	}
	t->position += VRP_VAD_FRAME;
	return rc;
}

/* Samples into 10 ms frames; a partial frame waits for the next call. */
static int decode_samples(vrp_transcriber *t, const int16_t *samples, size_t count,
			  vrp_transcript_segment_fn on_segment, void *ctx)
{
	int rc = 0;
	while (rc == 0 && count > 0) {
		size_t n = VRP_VAD_FRAME - t->frame_fill;
		n = count < n ? count : n;
		memcpy(t->frame + t->frame_fill, samples, n * sizeof(*samples));
		t->frame_fill += n;
		samples += n;
		count -= n;
		if (t->frame_fill == VRP_VAD_FRAME) {
			t->frame_fill = 0;
			rc = on_frame(t, t->frame, on_segment, ctx);
		}
	}
	return rc;
}

/* Whether the first second of the head is a steady sound rather than speech. */
static bool starts_steady(const vrp_transcriber *t)
{
	const size_t frame = VRP_TRANSCRIBER_RATE / 100, frames = STEADY_SECONDS * 100;
	if (t->head_count < frame * frames * 2)
		return false;
	double sum = 0, sum_sq = 0;
	for (size_t f = 0; f < frames; f++) {
		double energy = 1.0; /* keeps digital silence finite */
		for (size_t i = 0; i < frame; i++) {
			double x = t->head[f * frame + i];
			energy += x * x;
		}
		double db = 10.0 * log10(energy / (double)frame);
		sum += db;
		sum_sq += db * db;
	}
	double mean = sum / (double)frames;
	double variance = sum_sq / (double)frames - mean * mean;
	/* Quiet is not a steady sound: a word right after a silent second is real. */
	return mean > STEADY_MIN_DB && sqrt(variance > 0 ? variance : 0) < STEADY_MAX_DB;
}

/* The head, measured (floor, steadiness, mean) and then decoded. */
static int start_decoding(vrp_transcriber *t, vrp_transcript_segment_fn on_segment, void *ctx)
{
	t->decoding = true;
	vrp_vad_init(&t->vad, t->head, t->head_count);
	t->steady_until = starts_steady(t) ? STEADY_SECONDS : 0.0;
	estimate_cmn(t);
	int rc = decode_samples(t, t->head, t->head_count, on_segment, ctx);
	free(t->head);
	t->head = NULL;
	free(t->speech);
	t->speech = NULL;
	return rc;
}

/*
 * Digital silence (all zeros) has no log energy and upsets the VAD and the
 * mean: as sphinxbase's -dither does, one sample in four gets one LSB more,
 * but from this decoder's own generator, so a recording's transcript does
 * not depend on what other threads decode.
 */
static const int16_t *dither(vrp_transcriber *t, const int16_t *samples, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		/* xorshift32: fast, and the same sequence for every decoder. */
		t->dither_state ^= t->dither_state << 13;
		t->dither_state ^= t->dither_state >> 17;
		t->dither_state ^= t->dither_state << 5;
		int v = samples[i] + ((t->dither_state & 3) == 0);
		t->dithered[i] = (int16_t)(v > INT16_MAX ? INT16_MAX : v);
	}
	return t->dithered;
}

static int ps_feed(vrp_transcriber *t, const int16_t *samples, size_t count,
		   vrp_transcript_segment_fn on_segment, void *ctx)
{
	if (count > VRP_TRANSCRIBER_CHUNK)
		return vrp_error_set(VRP_EINVAL, "a feed of %zu samples is more than a chunk",
				     count);
	samples = dither(t, samples, count);
	if (t->decoding)
		return decode_samples(t, samples, count, on_segment, ctx);
	size_t room = CMN_HEAD_SAMPLES - t->head_count;
	size_t n = count < room ? count : room;
	memcpy(t->head + t->head_count, samples, n * sizeof(*samples));
	t->head_count += n;
	if (t->head_count < CMN_HEAD_SAMPLES)
		return 0;
	int rc = start_decoding(t, on_segment, ctx);
	if (rc == 0 && n < count)
		rc = decode_samples(t, samples + n, count - n, on_segment, ctx);
	return rc;
}

static int ps_finish(vrp_transcriber *t, vrp_transcript_segment_fn on_segment, void *ctx)
{
	int rc = t->decoding ? 0 : start_decoding(t, on_segment, ctx);
	/* A partial last frame is decoded with the utterance it ends, never starts one. */
	if (rc == 0 && t->in_utterance && t->frame_fill > 0)
		rc = utter(t, t->frame, t->frame_fill);
	t->resume_at = t->position + (int64_t)t->frame_fill;
	if (rc == 0 && t->in_utterance)
		rc = close_utterance(t, on_segment, ctx);
	return rc;
}

const struct vrp_transcriber_ops vrp_pocketsphinx_transcriber = {
	.version = VRP_TRANSCRIBER_OPS_VERSION,
	.name = "pocketsphinx",
	.version_text = "5prealpha",
	.check = ps_check,
	.open = ps_open,
	.feed = ps_feed,
	.finish = ps_finish,
	.close = ps_close,
};
