/* remote_object.c - the result records providers return. */
#include "cloud/provider_internal.h"

#include "core/error_set.h"
#include "core/ptrarray.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const checksum_kind_names[] = { "none", "sha256", "md5", "sha1", "quickxor" };

const char *vrp_checksum_kind_to_string(vrp_checksum_kind kind)
{
	if ((unsigned)kind >= sizeof(checksum_kind_names) / sizeof(checksum_kind_names[0]))
		return NULL;
	return checksum_kind_names[kind];
}

void vrp_remote_object_free(vrp_remote_object *object)
{
	if (!object)
		return;
	free(object->remote_id);
	free(object->path);
	free(object->mime_type);
	free(object->created_at);
	free(object->etag);
	free(object->checksum);
	free(object->verification);
	free(object->metadata_json);
	free(object);
}

void vrp_remote_page_free(vrp_remote_page *page)
{
	if (!page)
		return;
	for (size_t i = 0; i < page->count; i++)
		vrp_remote_object_free(page->items[i]);
	free(page->items);
	free(page->next_page_token);
	free(page->cursor);
	free(page);
}

void vrp_storage_info_free(vrp_storage_info *info) { free(info); }

void vrp_provider_capabilities_free(vrp_provider_capabilities *caps) { free(caps); }

vrp_remote_object *vrp_remote_object_alloc(void)
{
	vrp_remote_object *object = calloc(1, sizeof(*object));
	if (!object) {
		vrp_error_record_oom();
		return NULL;
	}
	object->size = -1;
	return object;
}

int vrp_field_set(char **field, const char *value)
{
	free(*field);
	*field = NULL;
	if (!value)
		return 0;
	*field = strdup(value);
	return *field ? 0 : vrp_error_oom();
}

int vrp_remote_page_append(vrp_remote_page *page, size_t *capacity, vrp_remote_object *object)
{
	int rc = vrp_ptr_array_reserve(&page->items, capacity, page->count + 1);
	if (rc < 0)
		return rc;
	page->items[page->count++] = object;
	return 0;
}

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{ "m4a", "audio/mp4" },         { "mp4", "audio/mp4" },  { "aac", "audio/aac" },
	{ "mp3", "audio/mpeg" },        { "wav", "audio/wav" },  { "flac", "audio/flac" },
	{ "ogg", "audio/ogg" },         { "oga", "audio/ogg" },  { "opus", "audio/ogg" },
	{ "amr", "audio/amr" },         { "3gp", "audio/3gpp" }, { "webm", "audio/webm" },
	{ "aiff", "audio/aiff" },       { "aif", "audio/aiff" }, { "wma", "audio/x-ms-wma" },
	{ "json", "application/json" },
};

const char *vrp_mime_type_for_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *dot = strrchr(slash ? slash : path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (strcasecmp(dot + 1, mime_types[i].ext) == 0)
				return mime_types[i].type;
	return "application/octet-stream";
}

const char *vrp_metadata_text(const char *text)
{
	if (!text || text[0] != '{' || strlen(text) > VRP_REMOTE_METADATA_MAX)
		return NULL;
	return text;
}
