/*
 * json_writer.c - compact JSON text without building a tree first.
 */
#include "core/json_writer.h"

#include "vrp/utf8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vrp_jw_init(struct vrp_jw *w) { memset(w, 0, sizeof(*w)); }

static bool reserve(struct vrp_jw *w, size_t more)
{
	if (w->failed)
		return false;
	if (w->len + more + 1 <= w->cap)
		return true;
	size_t cap = w->cap ? w->cap : 256;
	while (cap < w->len + more + 1)
		cap *= 2;
	char *buf = realloc(w->buf, cap);
	if (!buf) {
		w->failed = true;
		return false;
	}
	w->buf = buf;
	w->cap = cap;
	return true;
}

static void put(struct vrp_jw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

/* Every value and key is preceded by a comma unless it is the first at its level. */
static void separate(struct vrp_jw *w)
{
	if (w->need_comma)
		put(w, ",", 1);
	w->need_comma = true;
}

void vrp_jw_object_begin(struct vrp_jw *w)
{
	separate(w);
	put(w, "{", 1);
	w->need_comma = false;
}

void vrp_jw_object_end(struct vrp_jw *w)
{
	put(w, "}", 1);
	w->need_comma = true;
}

void vrp_jw_array_begin(struct vrp_jw *w)
{
	separate(w);
	put(w, "[", 1);
	w->need_comma = false;
}

void vrp_jw_array_end(struct vrp_jw *w)
{
	put(w, "]", 1);
	w->need_comma = true;
}

static void put_escaped(struct vrp_jw *w, const char *s)
{
	put(w, "\"", 1);
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p != '"' && *p != '\\')
			continue;
		put(w, run, (size_t)((const char *)p - run));
		run = (const char *)p + 1;
		char esc[8];
		const char *short_form = *p == '"'    ? "\\\""
					 : *p == '\\' ? "\\\\"
					 : *p == '\b' ? "\\b"
					 : *p == '\f' ? "\\f"
					 : *p == '\n' ? "\\n"
					 : *p == '\r' ? "\\r"
					 : *p == '\t' ? "\\t"
						      : NULL;
		if (!short_form) {
			snprintf(esc, sizeof(esc), "\\u%04X", *p);
			short_form = esc;
		}
		put(w, short_form, strlen(short_form));
	}
	put(w, run, strlen(run));
	put(w, "\"", 1);
}

void vrp_jw_key(struct vrp_jw *w, const char *name)
{
	separate(w);
	put_escaped(w, name);
	put(w, ":", 1);
	w->need_comma = false;
}

void vrp_jw_string(struct vrp_jw *w, const char *s)
{
	if (!s) {
		vrp_jw_null(w);
		return;
	}
	separate(w);
	/* Nearly every string (ids, paths, dates, most titles) needs no escape and no check. */
	size_t plain = 0;
	while (s[plain] >= 0x20 && s[plain] < 0x7f && s[plain] != '"' && s[plain] != '\\')
		plain++;
	if (!s[plain]) {
		if (reserve(w, plain + 2)) {
			w->buf[w->len] = '"';
			memcpy(w->buf + w->len + 1, s, plain);
			w->len += plain + 2;
			w->buf[w->len - 1] = '"';
			w->buf[w->len] = '\0';
		}
		return;
	}
	if (vrp_utf8_valid(s)) {
		put_escaped(w, s);
		return;
	}
	char *clean = vrp_utf8_sanitize(s);
	if (!clean) {
		w->failed = true;
		return;
	}
	put_escaped(w, clean);
	free(clean);
}

void vrp_jw_int(struct vrp_jw *w, int64_t v)
{
	char text[24];
	int n = snprintf(text, sizeof(text), "%lld", (long long)v);
	separate(w);
	put(w, text, (size_t)n);
}

void vrp_jw_real(struct vrp_jw *w, double v)
{
	if (!isfinite(v)) {
		vrp_jw_null(w);
		return;
	}
	char text[40];
	int n = snprintf(text, sizeof(text), "%.17g", v);
	/* A real stays a real when read back, as jansson writes it. */
	if (!strpbrk(text, ".eE"))
		n += snprintf(text + n, sizeof(text) - (size_t)n, ".0");
	separate(w);
	put(w, text, (size_t)n);
}

void vrp_jw_bool(struct vrp_jw *w, bool v)
{
	separate(w);
	put(w, v ? "true" : "false", v ? 4 : 5);
}

void vrp_jw_null(struct vrp_jw *w)
{
	separate(w);
	put(w, "null", 4);
}

void vrp_jw_raw_value(struct vrp_jw *w, const char *json, size_t len)
{
	separate(w);
	put(w, json, len);
}

char *vrp_jw_finish(struct vrp_jw *w, size_t *len)
{
	if (!w->failed && !w->buf)
		reserve(w, 0);
	if (w->failed) {
		free(w->buf);
		vrp_jw_init(w);
		return NULL;
	}
	if (len)
		*len = w->len;
	w->buf[w->len] = '\0';
	char *out = w->buf;
	vrp_jw_init(w);
	return out;
}
