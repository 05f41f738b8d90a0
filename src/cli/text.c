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

/* C0 controls, DEL, and the C1 controls (U+0080..U+009F: 0x9B is a CSI). */
static bool is_control(const char *s, size_t n)
{
	unsigned char c = (unsigned char)s[0];
	if (n == 1)
		return c < 0x20 || c == 0x7f;
	return n == 2 && c == 0xc2 && (unsigned char)s[1] < 0xa0;
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

size_t cli_display_width(const char *text)
{
	size_t width = 0;
	while (*text) {
		size_t n = vrp_utf8_sequence(text);
		text += n ? n : 1;
		width++;
	}
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
	const char *p = text;
	for (size_t w = 0; *p && w < max_width - 3; w++) {
		size_t n = vrp_utf8_sequence(p);
		p += n ? n : 1;
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
