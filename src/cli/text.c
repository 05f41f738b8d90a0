/*
 * text.c - catalogue text made safe for a terminal, and the short forms of
 * durations and sizes that tables use.
 *
 * Titles, descriptions and file names come from users and other programs: a
 * file name need not be UTF-8, and any of them may hold control characters
 * that would move the cursor or recolour the terminal. Everything printed for
 * humans goes through cli_put_escaped().
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The code point of the well-formed `n`-byte UTF-8 sequence at `s`. */
static uint32_t decode(const char *s, size_t n)
{
	const unsigned char *b = (const unsigned char *)s;
	if (n == 1)
		return b[0];
	uint32_t cp = b[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = cp << 6 | (b[i] & 0x3f);
	return cp;
}

/*
 * What must not reach a terminal raw: C0 controls, DEL, the C1 controls
 * (U+0080..U+009F: 0x9B is a CSI), the bidirectional embeddings, overrides,
 * isolates and marks (a U+202E in a title makes the rest of the line read
 * backwards), and the line and paragraph separators.
 */
static bool is_control(const char *s, size_t n)
{
	uint32_t cp = decode(s, n);
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
	       cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void cli_put_escaped(FILE *out, const char *text, bool keep_newlines)
{
	while (*text) {
		size_t n = vrp_utf8_sequence(text);
		if (n > 0 && !(is_control(text, n) && !(keep_newlines && *text == '\n'))) {
			fwrite(text, 1, n, out);
			text += n;
			continue;
		}
		/* A control sequence is escaped whole; an invalid byte alone. */
		size_t bad = n ? n : 1;
		for (size_t i = 0; i < bad; i++)
			fprintf(out, "\\x%02X", (unsigned char)text[i]);
		text += bad;
	}
}

char *cli_escape(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return NULL;
	cli_put_escaped(mem, text ? text : "", false);
	if (fclose(mem) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The columns of the character at `text` (an ill-formed byte shows as one \xNN unit). */
static int char_width(const char *text, size_t *len)
{
	size_t n = vrp_utf8_sequence(text);
	*len = n ? n : 1;
	return n ? cli_char_width(decode(text, n)) : 1;
}

size_t cli_display_width(const char *text)
{
	size_t width = 0, n = 0;
	for (; *text; text += n)
		width += (size_t)char_width(text, &n);
	return width;
}

void cli_put_padded(FILE *out, const char *text, size_t width)
{
	fputs(text, out);
	for (size_t w = cli_display_width(text); w < width; w++)
		fputc(' ', out);
}

char *cli_truncate(const char *text, size_t max_width)
{
	if (cli_display_width(text) <= max_width || max_width < 4)
		return strdup(text);
	/* Whole characters only, marks with their base, leaving room for "...". */
	const char *p = text;
	size_t width = 0, n = 0;
	for (; *p; p += n) {
		int w = char_width(p, &n);
		if (width + (size_t)w > max_width - 3)
			break;
		width += (size_t)w;
	}
	size_t keep = (size_t)(p - text);
	char *cut = malloc(keep + 4);
	if (cut) {
		memcpy(cut, text, keep);
		memcpy(cut + keep, "...", 4);
	}
	return cut;
}

const char *cli_plural(long long n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

void cli_format_duration(double seconds, char out[CLI_SHORT_LEN])
{
	if (!(seconds > 0)) {
		snprintf(out, CLI_SHORT_LEN, "-");
		return;
	}
	/* Whole seconds, rounded down: a 59.6 s memo is not yet a minute long. */
	long long s = (long long)seconds;
	if (s >= 3600)
		snprintf(out, CLI_SHORT_LEN, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, CLI_SHORT_LEN, "%02lld:%02lld", s / 60, s % 60);
}

void cli_format_size(int64_t bytes, char out[CLI_SHORT_LEN])
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	if (bytes < 1024) {
		snprintf(out, CLI_SHORT_LEN, "%lld B", (long long)bytes);
		return;
	}
	double value = (double)bytes / 1024.0;
	size_t unit = 0;
	while (value >= 1024.0 && unit + 1 < sizeof(units) / sizeof(*units)) {
		value /= 1024.0;
		unit++;
	}
	snprintf(out, CLI_SHORT_LEN, "%.1f %s", value, units[unit]);
}
