/* casefold.c - lower-casing UTF-8 with the C library's Unicode tables. */
#include "core/casefold.h"

#include "vrp/utf8.h"

#include <locale.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

static locale_t utf8_locale;
static pthread_once_t locale_once = PTHREAD_ONCE_INIT;

static void load_locale(void) { utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0); }

static uint32_t decode(const unsigned char *s, size_t n)
{
	if (n == 1)
		return s[0];
	uint32_t cp = s[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++)
		cp = (cp << 6) | (s[i] & 0x3f);
	return cp;
}

static size_t encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static uint32_t lower(uint32_t cp)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	if (!utf8_locale)
		return cp;
	wint_t folded = towlower_l((wint_t)cp, utf8_locale);
	/* A surrogate or out-of-range answer would not be UTF-8 any more. */
	return folded > 0x10ffff || (folded >= 0xd800 && folded <= 0xdfff) ? cp : (uint32_t)folded;
}

char *vrp_casefold(const char *s, size_t len)
{
	pthread_once(&locale_once, load_locale);
	/* Lower case never needs more than 4 bytes where the original had 1 (e.g. U+023A). */
	char *out = malloc(len * 4 + 1);
	if (!out)
		return NULL;
	size_t i = 0, o = 0;
	while (i < len) {
		size_t n = s[i] ? vrp_utf8_sequence(s + i) : 0;
		if (n == 0 || i + n > len) {
			out[o++] = s[i++];
			continue;
		}
		o += encode(lower(decode((const unsigned char *)s + i, n)), out + o);
		i += n;
	}
	out[o] = '\0';
	return out;
}

static void sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	const char *text = (const char *)sqlite3_value_text(argv[0]);
	int len = sqlite3_value_bytes(argv[0]);
	char *folded = text ? vrp_casefold(text, (size_t)len) : NULL;
	if (!folded) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, folded, -1, free);
}

int vrp_casefold_register(struct sqlite3 *db)
{
	return sqlite3_create_function_v2(db, "vrp_fold", 1,
					  SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
					  NULL, sql_fold, NULL, NULL, NULL);
}
