/* utf8.c - UTF-8 validation (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
#include "vrp/utf8.h"

#include <stdlib.h>
#include <string.h>

static bool continuation(unsigned char c) { return (c & 0xc0) == 0x80; }

size_t vrp_utf8_sequence(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	unsigned char c = s[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return continuation(s[1]) ? 2 : 0;
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len;
	if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (!continuation(s[i]))
			return 0;
	return len;
}

bool vrp_utf8_valid(const char *s)
{
	for (size_t n; *s; s += n)
		if (!(n = vrp_utf8_sequence(s)))
			return false;
	return true;
}

char *vrp_utf8_sanitize(const char *s)
{
	char *out = malloc(strlen(s) * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	while (*s) {
		size_t n = vrp_utf8_sequence(s);
		if (n) {
			memcpy(out + o, s, n);
			o += n;
			s += n;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			s++;
		}
	}
	out[o] = '\0';
	return out;
}
