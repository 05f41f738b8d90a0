/* text.c - showing arbitrary bytes (file names) as JSON strings and on terminals. */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at `s` (1-4), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s)
{
	size_t len = s[0] < 0x80             ? 1
		     : (s[0] & 0xe0) == 0xc0 ? 2
		     : (s[0] & 0xf0) == 0xe0 ? 3
		     : (s[0] & 0xf8) == 0xf0 ? 4
					     : 0;
	if (len == 2 && s[0] < 0xc2)
		return 0; /* overlong */
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0; /* overlong, or a UTF-16 surrogate */
	if (len == 4 &&
	    ((s[0] == 0xf0 && s[1] < 0x90) || s[0] > 0xf4 || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return len;
}

json_t *cli_json_bytes(const char *bytes)
{
	const unsigned char *s = (const unsigned char *)bytes;
	size_t n = strlen(bytes), o = 0;
	char *out = malloc(n * 3 + 1);
	if (!out)
		return json_null();
	while (*s) {
		size_t len = utf8_sequence(s);
		if (len) {
			memcpy(out + o, s, len);
			o += len;
			s += len;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			s++;
		}
	}
	json_t *str = json_stringn(out, o);
	free(out);
	return str ? str : json_null();
}

char *cli_escape_bytes(const char *bytes)
{
	const unsigned char *s = (const unsigned char *)bytes;
	char *out = malloc(strlen(bytes) * 4 + 1);
	if (!out)
		return NULL;
	size_t o = 0;
	while (*s) {
		size_t len = utf8_sequence(s);
		if (len && *s >= 0x20 && *s != 0x7f) {
			memcpy(out + o, s, len);
			o += len;
			s += len;
		} else {
			static const char hex[] = "0123456789abcdef";
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[*s >> 4];
			out[o++] = hex[*s & 0xf];
			s++;
		}
	}
	out[o] = '\0';
	return out;
}
