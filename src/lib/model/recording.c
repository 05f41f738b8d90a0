/* recording.c - the catalogue's public record types: allocation, release, enum names. */
#include "vrp/recording.h"
#include "vrp/search.h"
#include "vrp/tag.h"

#include "core/error_set.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = { "active", "archived", "deleted" };
static const char *const integrity_names[] = { "unverified", "ok", "missing", "corrupt" };

#define COUNT(a) (sizeof(a) / sizeof(*(a)))

static int name_index(const char *const *names, size_t count, const char *text, const char *what,
		      int *out)
{
	for (size_t i = 0; text && i < count; i++) {
		if (strcmp(names[i], text) == 0) {
			*out = (int)i;
			return 0;
		}
	}
	return vrp_error_set(VRP_EINVAL, "unknown %s '%s'", what, text ? text : "(null)");
}

const char *vrp_recording_status_to_string(enum vrp_recording_status status)
{
	return (unsigned)status < COUNT(status_names) ? status_names[status] : NULL;
}

int vrp_recording_status_from_string(const char *text, enum vrp_recording_status *out)
{
	int index = 0;
	int rc = name_index(status_names, COUNT(status_names), text, "recording status", &index);
	if (rc == 0)
		*out = (enum vrp_recording_status)index;
	return rc;
}

const char *vrp_integrity_to_string(enum vrp_integrity integrity)
{
	return (unsigned)integrity < COUNT(integrity_names) ? integrity_names[integrity] : NULL;
}

int vrp_integrity_from_string(const char *text, enum vrp_integrity *out)
{
	int index = 0;
	int rc = name_index(integrity_names, COUNT(integrity_names), text, "integrity state",
			    &index);
	if (rc == 0)
		*out = (enum vrp_integrity)index;
	return rc;
}

int vrp_recording_new(vrp_recording **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : vrp_error_oom();
}

void vrp_recording_free(vrp_recording *rec)
{
	if (!rec)
		return;
	char *strings[] = { rec->uuid,
			    rec->original_filename,
			    rec->stored_filename,
			    rec->local_path,
			    rec->title,
			    rec->description,
			    rec->mime_type,
			    rec->codec,
			    rec->checksum,
			    rec->deleted_at,
			    rec->retention_policy,
			    rec->ingest_source,
			    rec->created_by_app_version,
			    rec->created_at,
			    rec->modified_at,
			    rec->verified_at,
			    rec->recorded_at,
			    rec->recorded_at_source,
			    rec->offloaded_at };
	for (size_t i = 0; i < COUNT(strings); i++)
		free(strings[i]);
	for (size_t i = 0; i < rec->tag_count; i++)
		free(rec->tags[i]);
	free(rec->tags);
	free(rec);
}

void vrp_recording_list_free(vrp_recording_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		vrp_recording_free(list->items[i]);
	free(list->items);
	free(list);
}

void vrp_search_results_free(vrp_search_results *results)
{
	if (!results)
		return;
	for (size_t i = 0; i < results->count; i++) {
		vrp_search_hit *hit = results->items[i];
		if (hit) {
			free(hit->snippet);
			for (size_t m = 0; m < hit->match_count; m++)
				free(hit->matches[m].excerpt);
			free(hit->matches);
		}
		free(hit);
	}
	free(results->items);
	free(results);
}

void vrp_tag_list_free(vrp_tag_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++) {
		if (list->items[i])
			free(list->items[i]->name);
		free(list->items[i]);
	}
	free(list->items);
	free(list);
}
