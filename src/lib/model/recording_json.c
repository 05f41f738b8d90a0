/*
 * recording_json.c - a recording as one JSON object with the data model's
 * field names: what `--json` output and exports carry.
 *
 * JSON strings must be UTF-8, but original_filename is kept byte for byte
 * and need not be. Such a name is emitted lossily (each ill-formed byte as
 * U+FFFD) so the field stays a readable string, and the exact bytes go in an
 * extra "original_filename_hex" field, present only then.
 */
#include "model/recording_json.h"

#include "vrp/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *text(const char *s)
{
	if (!s)
		return json_null();
	char *clean = vrp_utf8_valid(s) ? NULL : vrp_utf8_sanitize(s);
	json_t *out = json_string(clean ? clean : s);
	free(clean);
	return out ? out : json_null();
}

static json_t *hex(const char *bytes)
{
	size_t len = strlen(bytes);
	char *h = malloc(len * 2 + 1);
	if (!h)
		return json_null();
	for (size_t i = 0; i < len; i++)
		snprintf(h + 2 * i, 3, "%02x", (unsigned char)bytes[i]);
	json_t *s = json_stringn(h, len * 2);
	free(h);
	return s;
}

/* Counts the catalogue stores as NULL when unknown read back as 0. */
static json_t *count_or_null(int64_t value)
{
	return value > 0 ? json_integer(value) : json_null();
}

static void set_texts(json_t *o, const char *const *names, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, names[i], text(values[i]));
}

json_t *vrp_recording_json(const vrp_recording *rec)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	json_object_set_new(o, "id", json_integer(rec->id));
	json_object_set_new(o, "uuid", text(rec->uuid));
	json_object_set_new(o, "original_filename", text(rec->original_filename));
	if (rec->original_filename && !vrp_utf8_valid(rec->original_filename))
		json_object_set_new(o, "original_filename_hex", hex(rec->original_filename));
	const char *const names[] = { "stored_filename", "local_path", "title", "description" };
	const char *const values[] = { rec->stored_filename, rec->local_path, rec->title,
				       rec->description };
	set_texts(o, names, values, 4);
	json_object_set_new(o, "duration", json_real(rec->duration));
	json_object_set_new(o, "filesize_bytes", json_integer(rec->filesize_bytes));
	json_object_set_new(o, "mime_type", text(rec->mime_type));
	json_object_set_new(o, "codec", text(rec->codec));
	json_object_set_new(o, "sample_rate", count_or_null(rec->sample_rate));
	json_object_set_new(o, "channels", count_or_null(rec->channels));
	json_object_set_new(o, "bit_depth", count_or_null(rec->bit_depth));
	json_object_set_new(o, "checksum", text(rec->checksum));
	json_object_set_new(o, "status", text(vrp_recording_status_to_string(rec->status)));
	const char *const later[] = { "deleted_at",    "retention_policy",
				      "ingest_source", "created_by_app_version",
				      "created_at",    "modified_at" };
	const char *const later_values[] = { rec->deleted_at,    rec->retention_policy,
					     rec->ingest_source, rec->created_by_app_version,
					     rec->created_at,    rec->modified_at };
	set_texts(o, later, later_values, 6);
	json_object_set_new(o, "integrity", text(vrp_integrity_to_string(rec->integrity)));
	json_object_set_new(o, "verified_at", text(rec->verified_at));
	json_object_set_new(o, "recorded_at", text(rec->recorded_at));
	json_object_set_new(o, "recorded_at_source", text(rec->recorded_at_source));
	json_object_set_new(o, "offloaded_at", text(rec->offloaded_at));
	json_t *tags = json_array();
	for (size_t i = 0; tags && i < rec->tag_count; i++)
		json_array_append_new(tags, text(rec->tags[i]));
	json_object_set_new(o, "tags", tags ? tags : json_null());
	return o;
}

char *vrp_recording_to_json(const vrp_recording *rec)
{
	json_t *o = vrp_recording_json(rec);
	char *out = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return out;
}

json_t *vrp_derived_asset_json(const vrp_derived_asset *a, bool stale)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b}", "kind",
			      vrp_derived_kind_to_string(a->kind), "path", a->path, "size_bytes",
			      (json_int_t)a->size_bytes, "generator", a->generator,
			      "generator_version", a->generator_version, "stale", stale);
	json_object_set_new(o, "mime_type", a->mime_type ? json_string(a->mime_type) : json_null());
	return o;
}
