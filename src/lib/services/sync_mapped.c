/* sync_mapped.c - the objects a library's rows point at, for lookups by id and by path. */
#include "services/sync_mapped.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"
#include "db/remote_repo.h"

#include <stdlib.h>
#include <string.h>

#define PAGE 500

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct sync_mapped_row *)a)->remote_path,
		      ((const struct sync_mapped_row *)b)->remote_path);
}

static int by_id(const void *a, const void *b)
{
	return strcmp((*(const struct sync_mapped_row *const *)a)->remote_id,
		      (*(const struct sync_mapped_row *const *)b)->remote_id);
}

/* Moves the page's rows into `out`, taking their remote_path strings. */
static int take_page(vrp_recording_remote_list *page, struct sync_mapped *out, size_t *capacity)
{
	if (out->count + page->count > *capacity) {
		size_t grown = (*capacity ? *capacity * 2 : PAGE) + page->count;
		struct sync_mapped_row *rows = realloc(out->rows, grown * sizeof(*rows));
		if (!rows)
			return vrp_error_oom();
		out->rows = rows;
		*capacity = grown;
	}
	for (size_t i = 0; i < page->count; i++) {
		vrp_recording_remote *r = page->items[i];
		out->rows[out->count++] = (struct sync_mapped_row){
			.remote_path = r->remote_path,
			.remote_id = r->remote_id,
			.remote_checksum = r->remote_checksum,
			.recording_id = r->recording_id,
			.status = r->sync_status,
			.variant = r->variant,
			.content_sha256 = r->content_sha256,
			.content_size = r->content_size,
		};
		r->remote_path = NULL;
		r->remote_id = NULL;
		r->remote_checksum = NULL;
		r->content_sha256 = NULL;
	}
	return 0;
}

/* The rows that have a remote_id, sorted by it: objects are found by id first. */
static int index_ids(struct sync_mapped *mapped)
{
	if (!mapped->count)
		return 0;
	if (!(mapped->by_id = malloc(mapped->count * sizeof(*mapped->by_id))))
		return vrp_error_oom();
	for (size_t i = 0; i < mapped->count; i++)
		if (mapped->rows[i].remote_id)
			mapped->by_id[mapped->id_count++] = &mapped->rows[i];
	if (mapped->id_count > 1)
		qsort(mapped->by_id, mapped->id_count, sizeof(*mapped->by_id), by_id);
	return 0;
}

int sync_mapped_load(vrp_db *db, const char *remote, struct sync_mapped *out)
{
	*out = (struct sync_mapped){ 0 };
	size_t capacity = 0;
	int64_t after = 0;
	int rc = 0;
	for (;;) {
		vrp_recording_remote_list *page = NULL;
		rc = vrp_recording_remote_repo_list_mapped(db, remote, PAGE, after, &page);
		if (rc == 0)
			rc = take_page(page, out, &capacity);
		size_t got = rc == 0 ? page->count : 0;
		if (got)
			after = page->items[got - 1]->id;
		vrp_recording_remote_list_free(page);
		if (rc < 0 || got < PAGE)
			break;
	}
	if (rc < 0) {
		sync_mapped_clear(out);
		return rc;
	}
	if (out->count > 1)
		qsort(out->rows, out->count, sizeof(*out->rows), by_path);
	rc = index_ids(out);
	if (rc < 0)
		sync_mapped_clear(out);
	return rc;
}

static struct sync_mapped_row *find_id(const struct sync_mapped *mapped, const char *id)
{
	if (!mapped->id_count)
		return NULL;
	struct sync_mapped_row key = { .remote_id = (char *)id }, *keyp = &key;
	struct sync_mapped_row **found =
		bsearch(&keyp, mapped->by_id, mapped->id_count, sizeof(keyp), by_id);
	return found ? *found : NULL;
}

struct sync_mapped_row *sync_mapped_find(const struct sync_mapped *mapped,
					 const vrp_remote_object *object)
{
	if (object->remote_id) {
		struct sync_mapped_row *row = find_id(mapped, object->remote_id);
		if (row)
			return row;
	}
	if (!mapped->count || !object->path)
		return NULL;
	struct sync_mapped_row key = { .remote_path = object->path };
	struct sync_mapped_row *hit =
		bsearch(&key, mapped->rows, mapped->count, sizeof(key), by_path);
	if (!hit)
		return NULL;
	/* Several rows can share the path (one per same-named object): back up to the first. */
	while (hit > mapped->rows && !strcmp(hit[-1].remote_path, object->path))
		hit--;
	const struct sync_mapped_row *end = mapped->rows + mapped->count;
	for (; hit < end && !strcmp(hit->remote_path, object->path); hit++)
		if (!hit->remote_id || !object->remote_id)
			return hit;
	return NULL;
}

void sync_mapped_clear(struct sync_mapped *mapped)
{
	for (size_t i = 0; i < mapped->count; i++) {
		free(mapped->rows[i].remote_path);
		free(mapped->rows[i].remote_id);
		free(mapped->rows[i].remote_checksum);
		free(mapped->rows[i].content_sha256);
	}
	free(mapped->rows);
	free(mapped->by_id);
	*mapped = (struct sync_mapped){ 0 };
}

bool sync_run_failure(int code)
{
	switch (code) {
	case VRP_ENOMEM:
	case VRP_ENOSPC:
	case VRP_EREADONLY:
	case VRP_EDB:
	case VRP_EBUSY:
	case VRP_ENOTADB:
	case VRP_ECORRUPTDB:
	case VRP_EAUTH:
	case VRP_EAUTH_EXPIRED:
	case VRP_EQUOTA:
	case VRP_ECANCELLED:
	case VRP_EUNAVAILABLE:
		return true;
	default:
		return false;
	}
}

int sync_each_remote_object(vrp_provider *provider, size_t page_size,
			    int (*fn)(void *ctx, const vrp_remote_object *object), void *ctx)
{
	char *token = NULL;
	int rc = 0;
	do {
		vrp_remote_page *page = NULL;
		rc = vrp_provider_list(provider, VRP_REMOTE_APP_FOLDER, token, page_size, &page);
		free(token);
		token = NULL;
		for (size_t i = 0; rc == 0 && i < page->count; i++)
			rc = fn(ctx, page->items[i]);
		if (rc == 0 && page->next_page_token && !(token = strdup(page->next_page_token)))
			rc = vrp_error_oom();
		vrp_remote_page_free(page);
	} while (rc == 0 && token);
	free(token);
	return rc;
}
