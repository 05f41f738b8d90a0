/*
 * recording_meta.c - the document that lets a recording pulled onto another
 * device keep what a person gave it (see recording_meta.h).
 *
 * The catalogue is the truth and the document only a copy of some of it:
 * a member that fails the catalogue's own rules (a date that is not one, a
 * source it does not know) is dropped, never allowed to fail the pull.
 */
#include "services/recording_meta.h"

#include "core/clock.h"
#include "core/error_set.h"
#include "core/hash.h"
#include "vrp/utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FORMAT  "vrp-recording"
#define VERSION 1
/* Far more than a person types into a title or a tag; keeps a hostile document small. */
#define MAX_TAGS 256

static int set_text(json_t *doc, const char *key, const char *value)
{
	if (!value)
		return json_object_set_new(doc, key, json_null());
	json_t *s = json_string(value);
	return s ? json_object_set_new(doc, key, s) : -1;
}

static int set_name(json_t *doc, const char *name)
{
	if (!name || vrp_utf8_valid(name))
		return set_text(doc, "original_filename", name);
	size_t len = strlen(name);
	char *hex = malloc(len * 2 + 1);
	if (!hex)
		return -1;
	for (size_t i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", (unsigned char)name[i]);
	int rc = set_text(doc, "original_filename_hex", hex);
	free(hex);
	return rc;
}

static int set_tags(json_t *doc, const vrp_recording *rec)
{
	json_t *tags = json_array();
	for (size_t i = 0; tags && i < rec->tag_count; i++)
		if (json_array_append_new(tags, json_string(rec->tags[i])) != 0) {
			json_decref(tags);
			return -1;
		}
	return tags ? json_object_set_new(doc, "tags", tags) : -1;
}

char *recording_meta_json(const vrp_recording *rec)
{
	json_t *doc = json_pack("{s:s, s:i, s:s, s:s, s:I, s:f}", "format", FORMAT, "version",
				VERSION, "uuid", rec->uuid, "sha256", rec->checksum, "size",
				(json_int_t)rec->filesize_bytes, "duration", rec->duration);
	int bad = !doc;
	const char *const text[][2] = {
		{ "title", rec->title },
		{ "description", rec->description },
		{ "recorded_at", rec->recorded_at },
		{ "recorded_at_source", rec->recorded_at_source },
		{ "created_at", rec->created_at },
		{ "modified_at", rec->modified_at },
		{ "mime_type", rec->mime_type },
		{ "status", vrp_recording_status_to_string(rec->status) },
		{ "retention_policy", rec->retention_policy },
	};
	for (size_t i = 0; !bad && i < sizeof(text) / sizeof(*text); i++)
		bad = set_text(doc, text[i][0], text[i][1]) != 0;
	bad = bad || set_name(doc, rec->original_filename) != 0 || set_tags(doc, rec) != 0;
	char *out = bad ? NULL : json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	if (!out)
		vrp_error_oom();
	return out;
}

static json_t *parse(const char *json)
{
	json_t *doc = json ? json_loads(json, JSON_REJECT_DUPLICATES, NULL) : NULL;
	const char *format = json_string_value(json_object_get(doc, "format"));
	if (json_is_object(doc) && format && !strcmp(format, FORMAT))
		return doc;
	json_decref(doc);
	vrp_error_set(VRP_EINVAL, "not vrp's recording metadata");
	return NULL;
}

static bool is_sha256(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

int recording_meta_sha256(const char *json, char out[65])
{
	json_t *doc = parse(json);
	if (!doc)
		return VRP_EINVAL;
	const char *sha256 = json_string_value(json_object_get(doc, "sha256"));
	int rc = is_sha256(sha256) ? 0 : vrp_error_set(VRP_EINVAL, "the metadata names no sha256");
	if (rc == 0)
		memcpy(out, sha256, 65);
	json_decref(doc);
	return rc;
}

static int replace(char **field, const char *value)
{
	if (!value)
		return 0;
	char *copy = strdup(value);
	if (!copy)
		return vrp_error_oom();
	free(*field);
	*field = copy;
	return 0;
}

/* A text member that is a string without NUL bytes (jansson allows them), else NULL. */
static const char *text_of(const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return NULL;
	return json_string_value(v);
}

static const char *time_of(const json_t *doc, const char *key)
{
	const char *t = text_of(doc, key);
	return t && vrp_time_parse_iso(t) >= 0 ? t : NULL;
}

static int unhex(const char *hex, char **out)
{
	size_t len = hex ? strlen(hex) : 0;
	if (!len || len % 2)
		return 0;
	char *name = malloc(len / 2 + 1);
	if (!name)
		return vrp_error_oom();
	for (size_t i = 0; i < len / 2; i++) {
		unsigned byte = 0;
		if (sscanf(hex + 2 * i, "%2x", &byte) != 1 || byte == 0) {
			free(name);
			return 0;
		}
		name[i] = (char)byte;
	}
	name[len / 2] = '\0';
	free(*out);
	*out = name;
	return 0;
}

static int apply_tags(const json_t *doc, vrp_recording *rec)
{
	const json_t *tags = json_object_get(doc, "tags");
	size_t n = json_array_size(tags) < MAX_TAGS ? json_array_size(tags) : MAX_TAGS;
	char **names = n ? calloc(n, sizeof(*names)) : NULL;
	if (n && !names)
		return vrp_error_oom();
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		const char *tag = json_string_value(json_array_get(tags, i));
		if (tag && *tag && vrp_utf8_valid(tag) && !(names[kept++] = strdup(tag))) {
			for (size_t j = 0; j + 1 < kept; j++)
				free(names[j]);
			free(names);
			return vrp_error_oom();
		}
	}
	for (size_t i = 0; i < rec->tag_count; i++)
		free(rec->tags[i]);
	free(rec->tags);
	rec->tags = names;
	rec->tag_count = kept;
	return 0;
}

static bool known_source(const char *s)
{
	static const char *const sources[] = { "container", "bwf", "mtime", "import" };
	for (size_t i = 0; s && i < sizeof(sources) / sizeof(*sources); i++)
		if (!strcmp(s, sources[i]))
			return true;
	return false;
}

static int apply_dates(const json_t *doc, vrp_recording *rec)
{
	const char *recorded = time_of(doc, "recorded_at");
	const char *source = text_of(doc, "recorded_at_source");
	int rc = 0;
	if (recorded && known_source(source)) {
		rc = replace(&rec->recorded_at, recorded);
		if (rc == 0)
			rc = replace(&rec->recorded_at_source, source);
	}
	if (rc == 0)
		rc = replace(&rec->created_at, time_of(doc, "created_at"));
	if (rc == 0)
		rc = replace(&rec->modified_at, time_of(doc, "modified_at"));
	return rc;
}

int recording_meta_apply(const char *json, vrp_recording *rec)
{
	json_t *doc = parse(json);
	if (!doc)
		return VRP_EINVAL;
	const char *sha256 = text_of(doc, "sha256");
	int rc = 0;
	if (!sha256 || !rec->checksum || strcmp(sha256, rec->checksum) != 0)
		rc = vrp_error_set(VRP_EINVAL,
				   "the metadata is of other content (sha256 %s, the file's is %s)",
				   sha256 ? sha256 : "none",
				   rec->checksum ? rec->checksum : "none");
	if (rc == 0)
		rc = replace(&rec->title, text_of(doc, "title"));
	if (rc == 0)
		rc = replace(&rec->description, text_of(doc, "description"));
	const char *name = text_of(doc, "original_filename");
	if (rc == 0 && name && *name)
		rc = replace(&rec->original_filename, name);
	if (rc == 0)
		rc = unhex(text_of(doc, "original_filename_hex"), &rec->original_filename);
	const char *policy = text_of(doc, "retention_policy");
	if (rc == 0 && policy && *policy)
		rc = replace(&rec->retention_policy, policy);
	const char *status = text_of(doc, "status");
	if (rc == 0 && status && !strcmp(status, "archived"))
		rec->status = VRP_RECORDING_ARCHIVED;
	if (rc == 0)
		rc = apply_dates(doc, rec);
	if (rc == 0 && json_is_array(json_object_get(doc, "tags")))
		rc = apply_tags(doc, rec);
	json_decref(doc);
	return rc;
}
