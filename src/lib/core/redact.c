/* redact.c - remove credentials and mask e-mail addresses in text and JSON. */
#include "core/redact.h"

#include "vrp/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Separators people put inside key names: "access_token", "X-Auth-Token", "client.secret". */
static bool is_key_separator(char c) { return c == '_' || c == '-' || c == '.' || c == ' '; }

/* Where `word` (lower-case) ends `key[0..len)` once separators are ignored; NULL if not. */
static const char *key_tail_match(const char *key, size_t len, const char *word)
{
	size_t i = len;
	size_t j = strlen(word);
	while (j > 0) {
		if (i == 0)
			return NULL;
		char c = key[--i];
		if (is_key_separator(c))
			continue;
		if (tolower((unsigned char)c) != word[--j])
			return NULL;
	}
	return key + i;
}

static bool key_equals(const char *key, size_t len, const char *word)
{
	const char *start = key_tail_match(key, len, word);
	if (!start)
		return false;
	for (const char *p = key; p < start; p++)
		if (!is_key_separator(*p))
			return false;
	return true;
}

static bool is_secret_key_n(const char *key, size_t len)
{
	static const char *const suffixes[] = { "token", "secret", "password", "passwd" };
	static const char *const names[] = { "authorization", "apikey", "cookie" };
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(*suffixes); i++)
		if (key_tail_match(key, len, suffixes[i]))
			return true;
	for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++)
		if (key_equals(key, len, names[i]))
			return true;
	return false;
}

bool vrp_redact_is_secret_key(const char *key) { return is_secret_key_n(key, strlen(key)); }

struct buf {
	char *data;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *grown = realloc(b->data, cap);
		if (!grown) {
			b->oom = true;
			return;
		}
		b->data = grown;
		b->cap = cap;
	}
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static void put_str(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* Characters of a "word": key names, e-mail local parts, tokens. */
static bool is_word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-' || c == '+' ||
	       c == '%';
}

/* Where a credential value ends: at a blank, a quote or a separator of lists and URLs. */
static bool ends_value(char c)
{
	return !c || isspace((unsigned char)c) || strchr("\"'&,;})]", c) != NULL;
}

/* Where the value at s[i] ends; a value already redacted is taken whole, so redacting
 * twice changes nothing. */
static size_t value_end(const char *s, size_t i)
{
	if (!strncmp(s + i, VRP_REDACTED, strlen(VRP_REDACTED)))
		return i + strlen(VRP_REDACTED);
	while (!ends_value(s[i]))
		i++;
	return i;
}

/* A "Bearer <credential>" at s[i]: its length, or 0. */
static size_t bearer_length(const char *s, size_t i)
{
	if (strncasecmp(s + i, "bearer ", 7) != 0)
		return 0;
	size_t j = i + 7;
	while (s[j] == ' ')
		j++;
	return value_end(s, j) - i;
}

/* The length of an e-mail domain ("example.com") at s, or 0 when there is none. */
static size_t domain_length(const char *s)
{
	size_t n = 0;
	bool dot = false;
	while (isalnum((unsigned char)s[n]) || s[n] == '-' || (s[n] == '.' && n > 0)) {
		dot |= s[n] == '.';
		n++;
	}
	return dot ? n : 0;
}

/* Tokens recognisable by their shape alone: JSON Web Tokens and Google access tokens. */
static bool looks_like_token(const char *word, size_t len)
{
	if (len > 5 && !strncmp(word, "ya29.", 5))
		return true;
	if (len < 20 || strncmp(word, "eyJ", 3) != 0)
		return false;
	int dots = 0;
	for (size_t i = 0; i < len; i++)
		dots += word[i] == '.';
	return dots >= 2;
}

/*
 * Whether the word starting at s[start] follows another word and a blank:
 * "a secret: secrets are..." is prose, where "password: x" at the start of a
 * line, "> Cookie: x" or "{\"token\": x" are a key and its value.
 */
static bool follows_a_word(const char *s, size_t start)
{
	size_t i = start;
	while (i > 0 && s[i - 1] == ' ')
		i--;
	return i < start && i > 0 && isalnum((unsigned char)s[i - 1]);
}

/*
 * After a credential key at s[i] (its closing quote, blanks, '=' or ':', an
 * opening quote): where its value starts, or 0 when no value follows. A
 * ':' after a key in prose (`in_prose`) introduces words, not a value;
 * '=' always binds a value.
 */
static size_t secret_value_start(const char *s, size_t i, bool in_prose)
{
	if (s[i] == '"' || s[i] == '\'')
		i++;
	while (s[i] == ' ')
		i++;
	if (s[i] != '=' && (s[i] != ':' || in_prose))
		return 0;
	i++;
	while (s[i] == ' ')
		i++;
	if (s[i] == '"' || s[i] == '\'')
		i++;
	return ends_value(s[i]) ? 0 : i;
}

/* Handles the word s[i..end); returns where scanning goes on. */
static size_t redact_word(struct buf *b, const char *s, size_t i, size_t end)
{
	size_t len = end - i;
	if (looks_like_token(s + i, len)) {
		put_str(b, VRP_REDACTED);
		return end;
	}
	if (s[end] == '@' && domain_length(s + end + 1)) {
		put(b, s + i, 1);
		put_str(b, "***");
		return end;
	}
	size_t value =
		is_secret_key_n(s + i, len) ? secret_value_start(s, end, follows_a_word(s, i)) : 0;
	if (!value) {
		put(b, s + i, len);
		return end;
	}
	put(b, s + i, value - i);
	put_str(b, VRP_REDACTED);
	size_t bearer = bearer_length(s, value);
	return bearer ? value + bearer : value_end(s, value);
}

char *vrp_redact_text(const char *text)
{
	struct buf b = { 0 };
	put(&b, "", 0);
	size_t i = 0;
	while (text[i]) {
		bool word_start = i == 0 || !is_word_char(text[i - 1]);
		size_t bearer = word_start ? bearer_length(text, i) : 0;
		if (bearer) {
			put_str(&b, "Bearer " VRP_REDACTED);
			i += bearer;
		} else if (word_start && is_word_char(text[i])) {
			size_t end = i;
			while (is_word_char(text[end]))
				end++;
			i = redact_word(&b, text, i, end);
		} else {
			put(&b, text + i, 1);
			i++;
		}
	}
	if (b.oom) {
		free(b.data);
		return NULL;
	}
	return b.data;
}

static bool redact_string(json_t *value)
{
	char *clean = vrp_redact_text(json_string_value(value));
	if (!clean)
		return false;
	bool ok =
		strcmp(clean, json_string_value(value)) == 0 || json_string_set(value, clean) == 0;
	free(clean);
	return ok;
}

bool vrp_redact_json(json_t *value)
{
	if (json_is_string(value))
		return redact_string(value);
	bool ok = true;
	size_t index;
	json_t *child;
	json_array_foreach(value, index, child) ok &= vrp_redact_json(child);
	if (!json_is_object(value))
		return ok;
	for (void *it = json_object_iter(value); it; it = json_object_iter_next(value, it)) {
		if (vrp_redact_is_secret_key(json_object_iter_key(it)))
			ok &= json_object_iter_set_new(value, it, json_string(VRP_REDACTED)) == 0;
		else
			ok &= vrp_redact_json(json_object_iter_value(it));
	}
	return ok;
}

void vrp_redact_user(const char *name, char *out, size_t size)
{
	if (!size)
		return;
	out[0] = '\0';
	if (!name || !*name)
		return;
	if (strchr(name, '@')) {
		char *masked = vrp_redact_text(name);
		snprintf(out, size, "%s", masked ? masked : "***");
		free(masked);
		return;
	}
	size_t first = vrp_utf8_sequence(name);
	snprintf(out, size, "%.*s***", (int)(first ? first : 1), name);
}
