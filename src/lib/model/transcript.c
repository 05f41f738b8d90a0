/* transcript.c - a transcript asset read from JSON, and written out as text or subtitles. */
#include "vrp/transcript.h"

#include "core/error_set.h"

#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_words(vrp_spoken_word *words, size_t count)
{
	for (size_t i = 0; words && i < count; i++)
		free(words[i].word);
	free(words);
}

void vrp_transcript_free(vrp_transcript *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->parts && i < t->part_count; i++) {
		free(t->parts[i].text);
		free_words(t->parts[i].words, t->parts[i].word_count);
		free_words(t->parts[i].alternatives, t->parts[i].alternative_count);
	}
	free(t->parts);
	free(t->engine);
	free(t->engine_version);
	free(t->language);
	free(t->json);
	free(t);
}

static char *dup_string(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return strdup(s ? s : "");
}

static int parse_words(json_t *array, const char *score, vrp_spoken_word **out, size_t *count)
{
	size_t n = json_array_size(array);
	*out = NULL;
	*count = 0;
	if (n == 0)
		return 0;
	vrp_spoken_word *words = calloc(n, sizeof(*words));
	if (!words)
		return vrp_error_oom();
	*out = words;
	for (size_t i = 0; i < n; i++, (*count)++) {
		json_t *w = json_array_get(array, i);
		if (!json_is_string(json_object_get(w, "word")))
			return vrp_error_set(VRP_ECORRUPT_MEDIA, "a transcript word has no text");
		if (!(words[i].word = dup_string(w, "word")))
			return vrp_error_oom();
		words[i].start = json_number_value(json_object_get(w, "start"));
		words[i].end = json_number_value(json_object_get(w, "end"));
		words[i].confidence = json_number_value(json_object_get(w, score));
	}
	return 0;
}

static int parse_parts(json_t *segments, vrp_transcript *t)
{
	size_t n = json_array_size(segments);
	if (n == 0)
		return 0;
	if (!(t->parts = calloc(n, sizeof(*t->parts))))
		return vrp_error_oom();
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++, t->part_count++) {
		json_t *s = json_array_get(segments, i);
		vrp_transcript_part *p = &t->parts[i];
		p->start = json_number_value(json_object_get(s, "start"));
		p->end = json_number_value(json_object_get(s, "end"));
		if (!(p->text = dup_string(s, "text")))
			rc = vrp_error_oom();
		if (rc == 0)
			rc = parse_words(json_object_get(s, "words"), "confidence", &p->words,
					 &p->word_count);
		if (rc == 0)
			rc = parse_words(json_object_get(s, "alternatives"), "posterior",
					 &p->alternatives, &p->alternative_count);
	}
	return rc;
}

int vrp_transcript_parse(const char *json, vrp_transcript **out)
{
	*out = NULL;
	json_error_t error;
	json_t *root = json_loads(json, 0, &error);
	if (!root || !json_is_array(json_object_get(root, "segments"))) {
		json_decref(root);
		return vrp_error_set(VRP_ECORRUPT_MEDIA, "the transcript is not valid JSON: %s",
				     root ? "no segments" : error.text);
	}
	vrp_transcript *t = calloc(1, sizeof(*t));
	int rc = t ? 0 : vrp_error_oom();
	if (rc == 0 && (!(t->engine = dup_string(root, "engine")) ||
			!(t->engine_version = dup_string(root, "engine_version")) ||
			!(t->language = dup_string(root, "language")) || !(t->json = strdup(json))))
		rc = vrp_error_oom();
	if (rc == 0) {
		t->duration = json_number_value(json_object_get(root, "duration"));
		rc = parse_parts(json_object_get(root, "segments"), t);
	}
	json_decref(root);
	if (rc != 0) {
		vrp_transcript_free(t);
		return rc;
	}
	*out = t;
	return 0;
}

int vrp_transcript_format_from_string(const char *text, vrp_transcript_format *out)
{
	static const char *const names[] = { "txt", "srt", "vtt", "json" };
	for (size_t i = 0; text && i < sizeof(names) / sizeof(*names); i++)
		if (strcmp(text, names[i]) == 0) {
			*out = (vrp_transcript_format)i;
			return 0;
		}
	return vrp_error_set(VRP_EINVAL, "unknown transcript format '%s' (txt, srt, vtt, json)",
			     text ? text : "");
}

/* A growing string; `failed` once an allocation did. */
struct text {
	char *data;
	size_t len, cap;
	int failed;
};

static void put(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	for (int attempt = 0; attempt < 2 && !t->failed; attempt++) {
		va_list ap;
		va_start(ap, fmt);
		int n = vsnprintf(t->data ? t->data + t->len : NULL, t->data ? t->cap - t->len : 0,
				  fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = 1;
			return;
		}
		if (t->data && t->len + (size_t)n < t->cap) {
			t->len += (size_t)n;
			return;
		}
		size_t cap = (t->cap + (size_t)n + 1) * 2;
		char *bigger = realloc(t->data, cap);
		if (!bigger) {
			t->failed = 1;
			return;
		}
		t->data = bigger;
		t->cap = cap;
	}
}

/* 01:02:03,456 (SubRip) or 01:02:03.456 (WebVTT). */
static void put_time(struct text *t, double seconds, char separator)
{
	long long ms = llround(seconds * 1000.0);
	if (ms < 0)
		ms = 0;
	put(t, "%02lld:%02lld:%02lld%c%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
	    separator, ms % 1000);
}

static void render_cues(struct text *out, const vrp_transcript *t, bool vtt)
{
	if (vtt)
		put(out, "WEBVTT\n\n");
	for (size_t i = 0; i < t->part_count; i++) {
		const vrp_transcript_part *p = &t->parts[i];
		if (!vtt)
			put(out, "%zu\n", i + 1);
		put_time(out, p->start, vtt ? '.' : ',');
		put(out, " --> ");
		put_time(out, p->end, vtt ? '.' : ',');
		put(out, "\n%s\n\n", p->text);
	}
}

int vrp_transcript_render(const vrp_transcript *t, vrp_transcript_format format, char **out)
{
	struct text text = { 0 };
	*out = NULL;
	switch (format) {
	case VRP_TRANSCRIPT_TXT:
		for (size_t i = 0; i < t->part_count; i++)
			put(&text, "%s\n", t->parts[i].text);
		break;
	case VRP_TRANSCRIPT_SRT:
	case VRP_TRANSCRIPT_VTT:
		render_cues(&text, t, format == VRP_TRANSCRIPT_VTT);
		break;
	case VRP_TRANSCRIPT_JSON:
		put(&text, "%s", t->json ? t->json : "");
		break;
	default:
		return vrp_error_set(VRP_EINVAL, "unknown transcript format %d", (int)format);
	}
	if (!text.failed && !text.data)
		put(&text, "%s", "");
	if (text.failed) {
		free(text.data);
		return vrp_error_oom();
	}
	*out = text.data;
	return 0;
}
