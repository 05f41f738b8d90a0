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

static void hex(struct vrp_jw *w, const char *bytes)
{
	size_t len = strlen(bytes);
	char *h = malloc(len * 2 + 1);
	if (!h) {
		w->failed = true;
		return;
	}
	for (size_t i = 0; i < len; i++)
		snprintf(h + 2 * i, 3, "%02x", (unsigned char)bytes[i]);
	vrp_jw_string(w, h);
	free(h);
}

static void member_text(struct vrp_jw *w, const char *name, const char *value)
{
	vrp_jw_key(w, name);
	vrp_jw_string(w, value);
}

/* Counts the catalogue stores as NULL when unknown read back as 0. */
static void member_count(struct vrp_jw *w, const char *name, int64_t value)
{
	vrp_jw_key(w, name);
	if (value > 0)
		vrp_jw_int(w, value);
	else
		vrp_jw_null(w);
}

void vrp_recording_write_json(struct vrp_jw *w, const vrp_recording *rec)
{
	vrp_jw_object_begin(w);
	vrp_jw_key(w, "id");
	vrp_jw_int(w, rec->id);
	member_text(w, "uuid", rec->uuid);
	member_text(w, "original_filename", rec->original_filename);
	if (rec->original_filename && !vrp_utf8_valid(rec->original_filename)) {
		vrp_jw_key(w, "original_filename_hex");
		hex(w, rec->original_filename);
	}
	member_text(w, "stored_filename", rec->stored_filename);
	member_text(w, "local_path", rec->local_path);
	member_text(w, "title", rec->title);
	member_text(w, "description", rec->description);
	vrp_jw_key(w, "duration");
	vrp_jw_real(w, rec->duration);
	vrp_jw_key(w, "filesize_bytes");
	vrp_jw_int(w, rec->filesize_bytes);
	member_text(w, "mime_type", rec->mime_type);
	member_text(w, "codec", rec->codec);
	member_count(w, "sample_rate", rec->sample_rate);
	member_count(w, "channels", rec->channels);
	member_count(w, "bit_depth", rec->bit_depth);
	member_text(w, "checksum", rec->checksum);
	member_text(w, "status", vrp_recording_status_to_string(rec->status));
	member_text(w, "deleted_at", rec->deleted_at);
	member_text(w, "retention_policy", rec->retention_policy);
	member_text(w, "ingest_source", rec->ingest_source);
	member_text(w, "created_by_app_version", rec->created_by_app_version);
	member_text(w, "created_at", rec->created_at);
	member_text(w, "modified_at", rec->modified_at);
	member_text(w, "integrity", vrp_integrity_to_string(rec->integrity));
	member_text(w, "verified_at", rec->verified_at);
	member_text(w, "recorded_at", rec->recorded_at);
	member_text(w, "recorded_at_source", rec->recorded_at_source);
	member_text(w, "offloaded_at", rec->offloaded_at);
	vrp_jw_key(w, "tags");
	vrp_jw_array_begin(w);
	for (size_t i = 0; i < rec->tag_count; i++)
		vrp_jw_string(w, rec->tags[i]);
	vrp_jw_array_end(w);
	vrp_jw_object_end(w);
}

char *vrp_recording_to_json(const vrp_recording *rec)
{
	struct vrp_jw w;
	vrp_jw_init(&w);
	vrp_recording_write_json(&w, rec);
	return vrp_jw_finish(&w, NULL);
}

json_t *vrp_recording_json(const vrp_recording *rec)
{
	char *text = vrp_recording_to_json(rec);
	json_t *o = text ? json_loads(text, 0, NULL) : NULL;
	free(text);
	return o;
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
