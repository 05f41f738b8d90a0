/*
 * gdrive_folders.c - paths on Drive: the app folder and the year/month
 * folders under it, found by name (or made) once per instance and cached.
 *
 * Drive names are not unique: two workers may create "2026" at once. Each
 * looks again after creating and takes the oldest, so all of them settle on
 * one folder; the other stays empty and harmless.
 */
#include "cloud/providers/gdrive.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"
#include "core/ptrarray.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gdrive_folders_clear(struct gdrive *gd)
{
	for (size_t i = 0; i < gd->folder_count; i++) {
		free(gd->folders[i].path);
		free(gd->folders[i].id);
	}
	free(gd->folders);
	gd->folders = NULL;
	gd->folder_count = gd->folder_capacity = 0;
}

static const char *cached_id(const struct gdrive *gd, const char *path)
{
	for (size_t i = 0; i < gd->folder_count; i++)
		if (!strcmp(gd->folders[i].path, path))
			return gd->folders[i].id;
	return NULL;
}

const char *gdrive_folder_path(const struct gdrive *gd, const char *id)
{
	for (size_t i = 0; id && i < gd->folder_count; i++)
		if (!strcmp(gd->folders[i].id, id))
			return gd->folders[i].path;
	return NULL;
}

static int cache(struct gdrive *gd, const char *path, const char *id, const char **out)
{
	if (gd->folder_count == gd->folder_capacity) {
		size_t grown = gd->folder_capacity ? gd->folder_capacity * 2 : 16;
		struct gdrive_folder *f = realloc(gd->folders, grown * sizeof(*f));
		if (!f)
			return vrp_error_oom();
		gd->folders = f;
		gd->folder_capacity = grown;
	}
	struct gdrive_folder *f = &gd->folders[gd->folder_count];
	f->path = strdup(path);
	f->id = strdup(id);
	if (!f->path || !f->id) {
		free(f->path);
		free(f->id);
		return vrp_error_oom();
	}
	gd->folder_count++;
	if (out)
		*out = f->id;
	return 0;
}

/* The oldest entry of a files array (ties by id), so every client picks the same one. */
static const json_t *oldest(const json_t *files)
{
	const json_t *best = NULL;
	size_t i;
	const json_t *f;
	json_array_foreach(files, i, f)
	{
		const char *created = json_string_value(json_object_get(f, "createdTime"));
		const char *id = json_string_value(json_object_get(f, "id"));
		if (!id)
			continue;
		const char *best_created =
			best ? json_string_value(json_object_get(best, "createdTime")) : NULL;
		int cmp = best ? strcmp(created ? created : "", best_created ? best_created : "")
			       : -1;
		if (cmp == 0)
			cmp = strcmp(id, json_string_value(json_object_get(best, "id")));
		if (cmp < 0)
			best = f;
	}
	return best;
}

/* The id of the oldest folder `name` in `parent`, or NULL in `*id` (malloc'd) when none. */
static int find_folder(struct gdrive *gd, const char *parent, const char *name, char **id)
{
	*id = NULL;
	char *qname = gdrive_quote(name), *qparent = gdrive_quote(parent), *q = NULL;
	if (!qname || !qparent ||
	    asprintf(&q, "name = %s and %s in parents and mimeType = '%s' and trashed = false",
		     qname, qparent, GDRIVE_FOLDER_MIME) < 0)
		q = NULL;
	free(qname);
	free(qparent);
	if (!q)
		return vrp_error_oom();
	json_t *files = NULL;
	int rc = gdrive_query(gd, q, "looking up a folder", &files);
	free(q);
	const json_t *best = rc == 0 ? oldest(files) : NULL;
	if (best && !(*id = strdup(json_string_value(json_object_get(best, "id")))))
		rc = vrp_error_oom();
	json_decref(files);
	return rc;
}

static int create_folder(struct gdrive *gd, const char *parent, const char *name)
{
	json_t *body = json_pack("{s:s, s:s, s:[s]}", "name", name, "mimeType", GDRIVE_FOLDER_MIME,
				 "parents", parent);
	if (!body)
		return vrp_error_oom();
	json_t *answer = NULL;
	int rc = gdrive_call_json(gd, "POST", "/files?fields=id", body, "creating a folder",
				  &answer);
	json_decref(body);
	json_decref(answer);
	return rc;
}

/* Resolves one level: `name` in the folder `parent_id`, at cache path `path`. */
static int resolve_child(struct gdrive *gd, const char *parent_id, const char *name,
			 const char *path, bool create, const char **id)
{
	char *found = NULL;
	int rc = find_folder(gd, parent_id, name, &found);
	if (rc == 0 && !found && create) {
		rc = create_folder(gd, parent_id, name);
		if (rc == 0)
			rc = find_folder(gd, parent_id, name, &found);
	}
	if (rc == 0 && !found)
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "remote %s: no folder %s%s%s", gd->name,
				   gd->folder, *path ? "/" : "", path);
	if (rc == 0)
		rc = cache(gd, path, found, id);
	free(found);
	return rc;
}

int gdrive_folder_id(struct gdrive *gd, const char *dir, bool create, const char **id)
{
	*id = cached_id(gd, dir);
	if (*id)
		return 0;
	if (!*dir)
		return resolve_child(gd, "root", gd->folder, "", create, id);
	const char *slash = strrchr(dir, '/');
	char *parent = slash ? strndup(dir, (size_t)(slash - dir)) : strdup("");
	if (!parent)
		return vrp_error_oom();
	const char *parent_id = NULL;
	int rc = gdrive_folder_id(gd, parent, create, &parent_id);
	char *parent_copy = rc == 0 ? strdup(parent_id) : NULL;
	if (rc == 0 && !parent_copy)
		rc = vrp_error_oom();
	/* The cache may move while the child is resolved: work from a copy of the id. */
	if (rc == 0)
		rc = resolve_child(gd, parent_copy, slash ? slash + 1 : dir, dir, create, id);
	free(parent_copy);
	free(parent);
	return rc;
}

int gdrive_split_path(const char *remote_path, char **dir, char **name)
{
	*dir = *name = NULL;
	const char *rel = remote_path;
	size_t app = strlen(VRP_REMOTE_APP_FOLDER);
	if (!strncmp(rel, VRP_REMOTE_APP_FOLDER, app) && rel[app] == '/')
		rel += app + 1;
	const char *slash = strrchr(rel, '/');
	*dir = slash ? strndup(rel, (size_t)(slash - rel)) : strdup("");
	*name = strdup(slash ? slash + 1 : rel);
	if (!*dir || !*name) {
		free(*dir);
		free(*name);
		*dir = *name = NULL;
		return vrp_error_oom();
	}
	return 0;
}

char *gdrive_vrp_path(const char *rel)
{
	char *out = NULL;
	if (asprintf(&out, "%s%s%s", VRP_REMOTE_APP_FOLDER, *rel ? "/" : "", rel) < 0)
		return NULL;
	return out;
}

/* Gives paths to folders whose parent has one; returns how many it placed. */
static int place_children(struct gdrive *gd, json_t *folders, size_t *placed)
{
	*placed = 0;
	size_t i;
	json_t *f;
	json_array_foreach(folders, i, f)
	{
		const char *id = json_string_value(json_object_get(f, "id"));
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *parent =
			json_string_value(json_array_get(json_object_get(f, "parents"), 0));
		const char *parent_path = gdrive_folder_path(gd, parent);
		if (!id || !name || !parent_path || gdrive_folder_path(gd, id))
			continue;
		char *path = NULL;
		if (asprintf(&path, "%s%s%s", parent_path, *parent_path ? "/" : "", name) < 0)
			return vrp_error_oom();
		int rc = cache(gd, path, id, NULL);
		free(path);
		if (rc < 0)
			return rc;
		(*placed)++;
	}
	return 0;
}

int gdrive_folders_load(struct gdrive *gd)
{
	const char *app_id = NULL;
	int rc = gdrive_folder_id(gd, "", false, &app_id);
	if (rc < 0)
		return rc;
	json_t *folders = NULL;
	rc = gdrive_query(gd, "mimeType = '" GDRIVE_FOLDER_MIME "' and trashed = false",
			  "listing folders", &folders);
	/* Parents before children, whatever order the listing came in. */
	size_t placed = 1;
	while (rc == 0 && placed > 0)
		rc = place_children(gd, folders, &placed);
	json_decref(folders);
	return rc;
}
