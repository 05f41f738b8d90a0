/*
 * onedrive_delta.c - the change feed: Graph's delta of the root folder
 * (/me/drive/special/approot/delta, or the folder's own with scope=files),
 * paged by @odata.nextLink and ending in an @odata.deltaLink that names the
 * state seen; given back as the cursor, it returns only what changed since.
 *
 * Delta items carry their parent's id but not its path (a renamed folder
 * does not bring its children back into the feed), so paths are built from
 * the folder ids the feed showed, and a parent it did not show (a second
 * run's new file in last month's folder) is looked up by id, once.
 *
 * A deltaLink the server no longer honours answers 410 Gone
 * (resyncRequired): the feed starts over from nothing and says so.
 */
#include "cloud/providers/onedrive.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/ptrarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* vrp makes <year>/<month>: deeper chains are not ours (and a cycle ends here). */
#define MAX_DEPTH 8

struct folder {
	char *id, *rel;
};

struct onedrive_folders {
	char *root_id;
	struct folder **items;
	size_t count, capacity;
};

void onedrive_folders_free(struct onedrive_folders *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++) {
		free(f->items[i]->id);
		free(f->items[i]->rel);
		free(f->items[i]);
	}
	free(f->items);
	free(f->root_id);
	free(f);
}

static const char *known(const struct onedrive_folders *f, const char *id)
{
	if (!strcmp(id, f->root_id))
		return "";
	for (size_t i = 0; i < f->count; i++)
		if (!strcmp(f->items[i]->id, id))
			return f->items[i]->rel;
	return NULL;
}

static int remember(struct onedrive_folders *f, const char *id, const char *rel)
{
	for (size_t i = 0; i < f->count; i++)
		if (!strcmp(f->items[i]->id, id)) {
			char *copy = strdup(rel);
			if (!copy)
				return vrp_error_oom();
			free(f->items[i]->rel);
			f->items[i]->rel = copy;
			return 0;
		}
	struct folder *n = calloc(1, sizeof(*n));
	if (!n || !(n->id = strdup(id)) || !(n->rel = strdup(rel)) ||
	    vrp_ptr_array_reserve(&f->items, &f->capacity, f->count + 1) < 0) {
		if (n) {
			free(n->id);
			free(n->rel);
		}
		free(n);
		return vrp_error_oom();
	}
	f->items[f->count++] = n;
	return 0;
}

static const char *parent_id(const json_t *item)
{
	return json_string_value(json_object_get(json_object_get(item, "parentReference"), "id"));
}

static bool usable_name(const char *name)
{
	return name && *name && strcmp(name, ".") && strcmp(name, "..") && !strchr(name, '/') &&
	       !strchr(name, '\\');
}

/* The root's id, looked up once per instance: delta lists the root itself too. */
static int ensure_folders(struct onedrive *od)
{
	if (od->folders)
		return 0;
	char *url = onedrive_item_url(od, "", "");
	json_t *root = NULL;
	int rc = url ? onedrive_call_url(od, "GET", url, NULL, "looking up the root folder", &root)
		     : vrp_error_oom();
	free(url);
	const char *id = json_string_value(json_object_get(root, "id"));
	if (rc == 0 && !onedrive_is_id(id))
		rc = vrp_error_set(VRP_ETRANSIENT, "remote %s: the root folder has no usable id",
				   od->name);
	struct onedrive_folders *f = rc == 0 ? calloc(1, sizeof(*f)) : NULL;
	if (rc == 0 && (!f || !(f->root_id = strdup(id)))) {
		free(f);
		rc = vrp_error_oom();
	}
	if (rc == 0)
		od->folders = f;
	json_decref(root);
	return rc;
}

/*
 * The path (relative to the root) of folder `id`, from the feed's folders or
 * looked up by id; VRP_EREMOTE_NOT_FOUND when it is not under the root.
 */
static int folder_rel(struct onedrive *od, const char *id, int depth, const char **rel)
{
	if (!id || !onedrive_is_id(id) || depth > MAX_DEPTH)
		return vrp_error_set(VRP_EREMOTE_NOT_FOUND, "remote %s: not under the root",
				     od->name);
	if ((*rel = known(od->folders, id)))
		return 0;
	char *path = NULL, *escaped = vrp_http_escape(id);
	if (!escaped || asprintf(&path, "/me/drive/items/%s", escaped) < 0)
		path = NULL;
	free(escaped);
	json_t *item = NULL;
	int rc = path ? onedrive_call(od, "GET", path, NULL, "looking up a folder", &item)
		      : vrp_error_oom();
	free(path);
	const char *name = json_string_value(json_object_get(item, "name"));
	const char *up = NULL;
	if (rc == 0 && (!usable_name(name) || !json_object_get(item, "folder")))
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "remote %s: not a folder of ours",
				   od->name);
	if (rc == 0)
		rc = folder_rel(od, parent_id(item), depth + 1, &up);
	char *mine = NULL;
	if (rc == 0 && asprintf(&mine, "%s%s%s", up, *up ? "/" : "", name) < 0)
		rc = vrp_error_oom();
	if (rc == 0)
		rc = remember(od->folders, id, mine);
	free(mine);
	json_decref(item);
	return rc == 0 ? ((*rel = known(od->folders, id)) ? 0 : VRP_ENOMEM) : rc;
}

static bool under(const char *path, const char *prefix)
{
	size_t n = prefix ? strlen(prefix) : 0;
	return !n || (!strncmp(path, prefix, n) && (path[n] == '/' || path[n] == '\0'));
}

/* One feed item: a folder is remembered, a live file of ours joins the page. */
static int take(struct onedrive *od, vrp_remote_page *page, size_t *capacity, const json_t *item,
		const char *prefix)
{
	const char *id = json_string_value(json_object_get(item, "id"));
	const char *name = json_string_value(json_object_get(item, "name"));
	if (!onedrive_is_id(id) || json_object_get(item, "deleted") ||
	    !strcmp(id, od->folders->root_id) || !usable_name(name))
		return 0;
	if (json_object_get(item, "file") && onedrive_size(item) < 0)
		return 0;
	const char *up = NULL;
	int rc = folder_rel(od, parent_id(item), 0, &up);
	if (rc == VRP_EREMOTE_NOT_FOUND)
		return 0;
	char *rel = NULL, *path = NULL;
	if (rc == 0 && asprintf(&rel, "%s%s%s", up, *up ? "/" : "", name) < 0)
		rc = vrp_error_oom();
	if (rc == 0 && json_object_get(item, "folder"))
		rc = remember(od->folders, id, rel);
	else if (rc == 0 && json_object_get(item, "file") && !(path = onedrive_vrp_path(rel)))
		rc = vrp_error_oom();
	if (rc == 0 && path && under(path, prefix)) {
		vrp_remote_object *o = onedrive_object(item, path);
		rc = o ? vrp_remote_page_append(page, capacity, o) : vrp_error_oom();
		if (rc < 0)
			vrp_remote_object_free(o);
	}
	free(rel);
	free(path);
	return rc;
}

/* GET `url`; a 410 Gone sets `*gone` and is no error. */
static int fetch(struct onedrive *od, const char *url, json_t **answer, bool *gone)
{
	*answer = NULL;
	*gone = false;
	struct vrp_http_request q = VRP_HTTP_REQUEST_INIT;
	q.method = "GET";
	q.url = url;
	struct vrp_http_response r;
	int rc = onedrive_send(od, &q, NULL, &r);
	if (rc == 0 && r.status == 410)
		*gone = true;
	else if (rc == 0 && (r.status < 200 || r.status > 299))
		rc = onedrive_error(od->name, "reading the change feed", &r);
	else if (rc == 0 && (*answer = r.body ? json_loads(r.body, 0, NULL) : NULL) == NULL)
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: the change feed's answer is not JSON", od->name);
	/* Not json_is_object(*answer = ...): the macro evaluates its argument twice. */
	else if (rc == 0 && !json_is_object(*answer))
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: the change feed's answer is not a JSON object",
				   od->name);
	vrp_http_response_clear(&r);
	return rc;
}

/* A link the server gave (next page, delta link): followed only to our own API. */
static int own_link(const struct onedrive *od, const json_t *link, char **out)
{
	const char *text = json_string_value(link);
	if (!text)
		return 0;
	if (!vrp_http_same_origin(text, od->api_url))
		return vrp_error_set(VRP_EPERMANENT,
				     "remote %s: the change feed links to another server; refusing "
				     "to follow it",
				     od->name);
	return (*out = strdup(text)) ? 0 : vrp_error_oom();
}

static int read_page(struct onedrive *od, const json_t *answer, const char *prefix,
		     vrp_remote_page *page)
{
	const json_t *value = json_object_get(answer, "value");
	if (!json_is_array(value))
		return vrp_error_set(VRP_ETRANSIENT,
				     "remote %s: the change feed holds no item list", od->name);
	size_t capacity = 0, i;
	const json_t *item;
	int rc = 0;
	json_array_foreach(value, i, item)
	{
		if (rc == 0)
			rc = take(od, page, &capacity, item, prefix);
	}
	if (rc == 0)
		rc = own_link(od, json_object_get(answer, "@odata.nextLink"),
			      &page->next_page_token);
	if (rc == 0 && !page->next_page_token)
		rc = own_link(od, json_object_get(answer, "@odata.deltaLink"), &page->cursor);
	if (rc == 0 && !page->next_page_token && !page->cursor)
		rc = vrp_error_set(VRP_ETRANSIENT,
				   "remote %s: the change feed ended without a delta link",
				   od->name);
	return rc;
}

int onedrive_list_changes(void *state, const char *prefix, const char *cursor,
			  const char *page_token, vrp_remote_page **out)
{
	struct onedrive *od = state;
	vrp_remote_page *page = calloc(1, sizeof(*page));
	char *start = onedrive_item_url(od, "", "/delta");
	int rc = page && start ? ensure_folders(od) : vrp_error_oom();
	/* No root yet (nothing uploaded with scope=files): nothing has changed. */
	if (rc == VRP_EREMOTE_NOT_FOUND) {
		free(start);
		*out = page;
		return 0;
	}
	const char *url = page_token ? page_token : cursor ? cursor : start;
	if (rc == 0 && url != start && !vrp_http_same_origin(url, od->api_url))
		rc = vrp_error_set(VRP_EINVAL, "remote %s: '%s' is not a change feed link of ours",
				   od->name, url);
	json_t *answer = NULL;
	bool gone = false;
	if (rc == 0)
		rc = fetch(od, url, &answer, &gone);
	if (rc == 0 && gone && url != start) {
		VRP_LOG_INFO("onedrive", json_pack("{s:s}", "remote", od->name),
			     "remote %s: the change feed must start over (410 resyncRequired)",
			     od->name);
		page->cursor_reset = true;
		rc = fetch(od, start, &answer, &gone);
	}
	if (rc == 0 && gone)
		rc = vrp_error_set(VRP_ETRANSIENT, "remote %s: the change feed is gone (410)",
				   od->name);
	if (rc == 0)
		rc = read_page(od, answer, prefix, page);
	json_decref(answer);
	free(start);
	if (rc < 0) {
		vrp_remote_page_free(page);
		return rc;
	}
	*out = page;
	return 0;
}
