/*
 * recording_json.c - JSON strings from text that need not be UTF-8, and a
 * recording as one JSON object (the library's vrp_recording_to_json(), which
 * exports use too): what `ls`, `show` and `edit` print under --json.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *cli_json_string(const char *text)
{
	if (!text)
		return json_null();
	if (cli_utf8_valid(text))
		return json_string(text);
	size_t len = strlen(text);
	/* Each invalid byte (1) may grow to U+FFFD (3). */
	char *fixed = malloc(len * 3 + 1);
	if (!fixed)
		return NULL;
	size_t out = 0;
	while (*text) {
		size_t n = cli_utf8_sequence(text);
		if (n == 0) {
			memcpy(fixed + out, "\xEF\xBF\xBD", 3);
			out += 3;
			text++;
		} else {
			memcpy(fixed + out, text, n);
			out += n;
			text += n;
		}
	}
	fixed[out] = '\0';
	json_t *s = json_string(fixed);
	free(fixed);
	return s;
}

json_t *cli_recording_json(const vrp_recording *rec)
{
	/* One definition of the record's JSON, shared with exports: the library's. */
	char *text = vrp_recording_to_json(rec);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return o;
}
