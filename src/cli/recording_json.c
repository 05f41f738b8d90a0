/*
 * recording_json.c - a recording as one JSON object, with the data model's
 * field names: what `ls`, `show`, `edit` and `import` print under --json.
 *
 * JSON strings must be UTF-8, but original_filename is kept byte for byte
 * and need not be. Such a name is emitted lossily (each invalid byte becomes
 * U+FFFD) so the field stays a readable string, and the exact bytes go in an
 * extra "original_filename_hex" field, present only then.
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

static json_t *hex_string(const char *bytes)
{
	size_t len = strlen(bytes);
	char *hex = malloc(len * 2 + 1);
	if (!hex)
		return NULL;
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)bytes[i]);
	hex[len * 2] = '\0';
	json_t *s = json_string(hex);
	free(hex);
	return s;
}

/* A count the catalogue stores as NULL when unknown (0 here). */
static json_t *int_or_null(int64_t value) { return value > 0 ? json_integer(value) : json_null(); }

static void add_strings(json_t *o, const char *const names[], const char *const values[],
			size_t count)
{
	for (size_t i = 0; i < count; i++)
		json_object_set_new(o, names[i], cli_json_string(values[i]));
}

#define COUNT(a) (sizeof(a) / sizeof(*(a)))

json_t *cli_recording_json(const vrp_recording *rec)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(rec->id));
	json_object_set_new(o, "uuid", cli_json_string(rec->uuid));
	json_object_set_new(o, "original_filename", cli_json_string(rec->original_filename));
	if (rec->original_filename && !cli_utf8_valid(rec->original_filename))
		json_object_set_new(o, "original_filename_hex", hex_string(rec->original_filename));
	const char *const names[] = { "stored_filename", "local_path", "title", "description" };
	const char *const values[] = { rec->stored_filename, rec->local_path, rec->title,
				       rec->description };
	add_strings(o, names, values, COUNT(names));
	json_object_set_new(o, "duration", json_real(rec->duration));
	json_object_set_new(o, "filesize_bytes", json_integer(rec->filesize_bytes));
	json_object_set_new(o, "mime_type", cli_json_string(rec->mime_type));
	json_object_set_new(o, "codec", cli_json_string(rec->codec));
	json_object_set_new(o, "sample_rate", int_or_null(rec->sample_rate));
	json_object_set_new(o, "channels", int_or_null(rec->channels));
	json_object_set_new(o, "bit_depth", int_or_null(rec->bit_depth));
	json_object_set_new(o, "checksum", cli_json_string(rec->checksum));
	json_object_set_new(o, "status",
			    cli_json_string(vrp_recording_status_to_string(rec->status)));
	const char *const later_names[] = { "deleted_at",    "retention_policy",
					    "ingest_source", "created_by_app_version",
					    "created_at",    "modified_at" };
	const char *const later_values[] = { rec->deleted_at,    rec->retention_policy,
					     rec->ingest_source, rec->created_by_app_version,
					     rec->created_at,    rec->modified_at };
	add_strings(o, later_names, later_values, COUNT(later_names));
	json_object_set_new(o, "integrity",
			    cli_json_string(vrp_integrity_to_string(rec->integrity)));
	json_object_set_new(o, "verified_at", cli_json_string(rec->verified_at));
	json_t *tags = json_array();
	for (size_t i = 0; i < rec->tag_count; i++)
		json_array_append_new(tags, cli_json_string(rec->tags[i]));
	json_object_set_new(o, "tags", tags);
	return o;
}
