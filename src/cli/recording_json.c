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
	char *fixed = vrp_utf8_valid(text) ? NULL : vrp_utf8_sanitize(text);
	json_t *s = json_string(fixed ? fixed : text);
	free(fixed);
	return s ? s : json_null();
}

json_t *cli_recording_json(const vrp_recording *rec)
{
	/* One definition of the record's JSON, shared with exports: the library's. */
	char *text = vrp_recording_to_json(rec);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return o;
}
