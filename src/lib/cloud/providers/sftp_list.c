/*
 * sftp_list.c - the sftp provider's listing: every file under a folder, all
 * levels down, with size and mtime, sorted by path and paged by the last
 * path seen (so files added between pages neither repeat nor hide others).
 *
 * Uploads in progress (*.part) and symlinks are left out: a symlink could
 * lead outside the remote root. OpenSSH's readdir attributes are lstat's,
 * but a folder is lstat'ed again before it is entered, for servers whose
 * are not. A symlinked prefix is refused (ERR_PERMANENT), as uploads into
 * it are, so listing and upload agree.
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PAGE_SIZE 1000
#define NAME_BUFFER       1024

struct entry {
	char *rel;
	struct sftp_attrs attrs;
};

struct entries {
	struct entry *items;
	size_t count, capacity;
};

static void entries_clear(struct entries *e)
{
	for (size_t i = 0; i < e->count; i++)
		free(e->items[i].rel);
	free(e->items);
}

static int entries_add(struct entries *e, char *rel, const struct sftp_attrs *attrs)
{
	if (e->count == e->capacity) {
		size_t grown = e->capacity ? e->capacity * 2 : 64;
		struct entry *items = realloc(e->items, grown * sizeof(*items));
		if (!items)
			return vrp_error_oom();
		e->items = items;
		e->capacity = grown;
	}
	e->items[e->count++] = (struct entry){ rel, *attrs };
	return 0;
}

static int walk(struct sftp *s, const char *rel, struct entries *out);

/* Enters the folder `rel` only when it is still a folder and not a link. */
static int walk_folder(struct sftp *s, const char *rel, struct entries *out)
{
	char *full = sftp_full_path(s, rel);
	if (!full)
		return vrp_error_oom();
	struct sftp_attrs attrs;
	int rc = sftp_lstat(s, full, &attrs);
	free(full);
	if (rc == VRP_EREMOTE_NOT_FOUND)
		return 0;
	if (rc == 0 && SFTP_S_ISDIR(attrs.permissions))
		rc = walk(s, rel, out);
	return rc;
}

static int walk_entry(struct sftp *s, const char *rel, const char *name,
		      const struct sftp_attrs *attrs, struct entries *out)
{
	if (!(attrs->flags & SFTP_ATTR_PERMISSIONS))
		return 0;
	char *child = NULL;
	if (asprintf(&child, "%s%s%s", rel ? rel : "", rel ? "/" : "", name) < 0)
		return vrp_error_oom();
	int rc = 0;
	if (SFTP_S_ISDIR(attrs->permissions))
		rc = walk_folder(s, child, out);
	else if (SFTP_S_ISREG(attrs->permissions) && !sftp_is_part(name))
		return entries_add(out, child, attrs) < 0 ? (free(child), VRP_ENOMEM) : 0;
	free(child);
	return rc;
}

static int read_entries(struct sftp *s, struct sftp_handle *dir, const char *rel, const char *full,
			struct entries *out)
{
	char name[NAME_BUFFER];
	struct sftp_attrs attrs;
	int rc = 0;
	for (;;) {
		int n = s->ops->readdir(s, dir, name, sizeof(name), &attrs);
		if (n < 0)
			return sftp_fail(s, "cannot list", full);
		if (n == 0)
			return 0;
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		rc = walk_entry(s, rel, name, &attrs, out);
		if (rc < 0)
			return rc;
	}
}

static int walk(struct sftp *s, const char *rel, struct entries *out)
{
	char *full = sftp_full_path(s, rel);
	if (!full)
		return vrp_error_oom();
	int rc = 0;
	struct sftp_handle *dir = NULL;
	if (s->ops->opendir(s, full, &dir) == 0) {
		rc = read_entries(s, dir, rel, full, out);
		s->ops->close(s, dir);
	} else {
		rc = sftp_fail(s, "cannot list", full);
		/* A folder that does not exist yet holds nothing. */
		if (rc == VRP_EREMOTE_NOT_FOUND)
			rc = 0;
	}
	free(full);
	return rc;
}

static int compare_entries(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->rel, ((const struct entry *)b)->rel);
}

static int fill_page(const struct entries *e, const char *token, size_t page_size,
		     vrp_remote_page *page)
{
	size_t capacity = 0, i = 0;
	while (token && i < e->count && strcmp(e->items[i].rel, token) <= 0)
		i++;
	size_t end = i + page_size < e->count ? i + page_size : e->count;
	for (; i < end; i++) {
		vrp_remote_object *object = sftp_object(e->items[i].rel, &e->items[i].attrs);
		int rc = object ? vrp_remote_page_append(page, &capacity, object) : VRP_ENOMEM;
		if (rc < 0) {
			vrp_remote_object_free(object);
			return rc;
		}
	}
	if (end < e->count && !(page->next_page_token = strdup(e->items[end - 1].rel)))
		return vrp_error_oom();
	return 0;
}

static int list_once(struct sftp *s, const char *prefix, struct entries *e)
{
	int rc = sftp_connect(s);
	char *full = rc == 0 && prefix ? sftp_full_path(s, prefix) : NULL;
	if (rc == 0 && prefix && !full)
		rc = vrp_error_oom();
	if (rc == 0 && full)
		rc = sftp_refuse_links(s, full);
	if (rc == 0)
		rc = walk(s, prefix, e);
	free(full);
	return rc;
}

int sftp_list(void *state, const char *prefix, const char *page_token, size_t page_size,
	      vrp_remote_page **out)
{
	struct sftp *s = state;
	struct entries e = { 0 };
	int rc = list_once(s, prefix, &e);
	if (sftp_retry_stale(s, rc, 0)) {
		entries_clear(&e);
		e = (struct entries){ 0 };
		rc = list_once(s, prefix, &e);
	}
	vrp_remote_page *page = NULL;
	if (rc == 0 && !(page = calloc(1, sizeof(*page))))
		rc = vrp_error_oom();
	if (rc == 0 && e.count > 1)
		qsort(e.items, e.count, sizeof(*e.items), compare_entries);
	if (rc == 0)
		rc = fill_page(&e, page_token, page_size ? page_size : DEFAULT_PAGE_SIZE, page);
	entries_clear(&e);
	if (rc < 0)
		vrp_remote_page_free(page);
	else
		*out = page;
	return rc;
}
