/* pocketsphinx.c - the pocketsphinx engine behind the transcriber table. */
#include "vrp/sys/transcriber.h"

#include "core/error_set.h"
#include "transcribe/engines.h"
#include "transcribe/sphinx_lib.h"

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
	int16_t *head; /* the first samples, until decoding starts */
	size_t head_count;
	bool decoding;     /* the head has been consumed */
	bool in_utterance; /* ps_start_utt() called */
	bool heard_speech; /* the VAD said speech in this utterance */
	size_t utterance_samples;
	int ncep;
	mfcc_t cmn_before[CEP_MAX]; /* the mean when the utterance began */
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
	/* Dither: digital silence (all zeros) has no log energy and upsets the VAD. */
	t->config = t->sp->cmd_ln_init(NULL, t->sp->ps_args(), TRUE, "-hmm", hmm, "-lm", lm,
				       "-dict", dict, "-dither", "yes", NULL);
	if (t->config)
		t->ps = t->sp->ps_init(t->config);
	pthread_mutex_unlock(&init_lock);
	if (!t->ps)
		return vrp_error_set(VRP_ENOTSUP, "pocketsphinx cannot load its model from %s",
				     hmm);
	return 0;
}

static int ps_open(const struct vrp_transcriber_settings *settings, vrp_transcriber **out)
{
	*out = NULL;
	vrp_transcriber *t = calloc(1, sizeof(*t));
	if (!t)
		return vrp_error_oom();
	int rc = vrp_sphinx_load(&t->sp);
	if (rc == 0)
		rc = make_decoder(t, settings);
	if (rc == 0 && !(t->head = malloc(sizeof(int16_t) * CMN_HEAD_SAMPLES)))
		rc = vrp_error_oom();
	if (rc != 0) {
		free(t->head);
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
	if (ncep > 0 && ncep <= CEP_MAX && sp->fe_start_utt(fe) == 0) {
		const int16 *in = t->head;
		size_t left = t->head_count;
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

/* "while(2)" is the second pronunciation of "while"; fillers (<sil>, [NOISE], ++um++) are not words. */
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

static int collect_best(vrp_transcriber *t)
{
	const struct vrp_sphinx *sp = t->sp;
	logmath_t *lmath = sp->ps_get_logmath(t->ps);
	int rc = 0;
	ps_seg_t *seg = sp->ps_seg_iter(t->ps);
	for (; seg && rc == 0; seg = sp->ps_seg_next(seg)) {
		const char *word = sp->ps_seg_word(seg);
		if (!word || is_filler(word))
			continue;
		int sf = 0, ef = 0;
		int32 ascr, lscr, lback;
		sp->ps_seg_frames(seg, &sf, &ef);
		double p = sp->logmath_exp(lmath, sp->ps_seg_prob(seg, &ascr, &lscr, &lback));
		/* ef is inclusive: the word ends where its last frame does. */
		rc = add_word(&t->words, word, (double)sf / FRAME_RATE, (double)(ef + 1) / FRAME_RATE,
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
		double start = (double)sf / FRAME_RATE, end = (double)(fef + 1) / FRAME_RATE;
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
		};
		rc = on_segment(ctx, &segment);
	}
	clear_words(&t->words);
	clear_words(&t->alternatives);
	return rc;
}

static int start_utterance(vrp_transcriber *t)
{
	const struct vrp_sphinx *sp = t->sp;
	if (sp->ps_start_utt(t->ps) < 0)
		return vrp_error_set(VRP_ERROR, "pocketsphinx cannot start an utterance");
	sp->cmn_live_get(sp->ps_get_feat(t->ps)->cmn_struct, t->cmn_before);
	t->in_utterance = true;
	t->heard_speech = false;
	t->utterance_samples = 0;
	return 0;
}

/* One chunk into the decoder; an utterance ends where the VAD hears speech stop. */
static int decode_chunk(vrp_transcriber *t, const int16_t *samples, size_t count,
			vrp_transcript_segment_fn on_segment, void *ctx)
{
	const struct vrp_sphinx *sp = t->sp;
	int rc = t->in_utterance ? 0 : start_utterance(t);
	if (rc != 0)
		return rc;
	if (sp->ps_process_raw(t->ps, samples, count, FALSE, FALSE) < 0)
		return vrp_error_set(VRP_ERROR, "pocketsphinx cannot decode");
	t->utterance_samples += count;
	bool speech = sp->ps_get_in_speech(t->ps) != 0;
	if (speech)
		t->heard_speech = true;
	if ((t->heard_speech && !speech) || t->utterance_samples >= MAX_UTTERANCE_SAMPLES)
		rc = end_utterance(t, on_segment, ctx);
	return rc;
}

/* The head, estimated and then decoded in the same fixed chunks as the rest. */
static int start_decoding(vrp_transcriber *t, vrp_transcript_segment_fn on_segment, void *ctx)
{
	t->decoding = true;
	estimate_cmn(t);
	int rc = 0;
	for (size_t at = 0; rc == 0 && at < t->head_count; at += VRP_TRANSCRIBER_CHUNK) {
		size_t n = t->head_count - at;
		rc = decode_chunk(t, t->head + at, n < VRP_TRANSCRIBER_CHUNK ? n : VRP_TRANSCRIBER_CHUNK,
				  on_segment, ctx);
	}
	free(t->head);
	t->head = NULL;
	return rc;
}

static int ps_feed(vrp_transcriber *t, const int16_t *samples, size_t count,
		   vrp_transcript_segment_fn on_segment, void *ctx)
{
	if (t->decoding)
		return decode_chunk(t, samples, count, on_segment, ctx);
	size_t room = CMN_HEAD_SAMPLES - t->head_count;
	size_t n = count < room ? count : room;
	memcpy(t->head + t->head_count, samples, n * sizeof(*samples));
	t->head_count += n;
	if (t->head_count < CMN_HEAD_SAMPLES)
		return 0;
	int rc = start_decoding(t, on_segment, ctx);
	/* A chunk straddling the head's end: its tail is decoded as a chunk of its own. */
	if (rc == 0 && n < count)
		rc = decode_chunk(t, samples + n, count - n, on_segment, ctx);
	return rc;
}

static int ps_finish(vrp_transcriber *t, vrp_transcript_segment_fn on_segment, void *ctx)
{
	int rc = t->decoding ? 0 : start_decoding(t, on_segment, ctx);
	if (rc == 0 && t->in_utterance)
		rc = end_utterance(t, on_segment, ctx);
	return rc;
}

const struct vrp_transcriber_ops vrp_pocketsphinx_transcriber = {
	.version = VRP_TRANSCRIBER_OPS_VERSION,
	.name = "pocketsphinx",
	.version_text = "5prealpha",
	.open = ps_open,
	.feed = ps_feed,
	.finish = ps_finish,
	.close = ps_close,
};
