/*
 * localdir_list.c - the localdir provider's listing: every file under a
 * folder, all levels down, sorted by path and paged by the last path seen.
 *
 * The page token is a path rather than an offset so that files added or
 * removed between pages neither repeat nor hide other files.
 */
#include "cloud/providers/localdir.h"

#include "core/error_set.h"
#include "core/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PAGE_SIZE 1000

struct found {
	char *rel;
	struct stat st;
};

struct found_list {
	struct found *items;
	size_t count, capacity;
};

static void found_list_clear(struct found_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].rel);
	free(list->items);
}

static int found_list_add(struct found_list *list, char *rel, const struct stat *st)
{
	if (list->count == list->capacity) {
		size_t grown = list->capacity ? list->capacity * 2 : 64;
		struct found *items = realloc(list->items, grown * sizeof(*items));
		if (!items)
			return vrp_error_oom();
		list->items = items;
		list->capacity = grown;
	}
	list->items[list->count++] = (struct found){ rel, *st };
	return 0;
}

static int walk(int dirfd, const char *root, const char *rel, struct found_list *out);

/*
 * Symlinks are skipped, never followed: one could list (and later serve)
 * files outside the root. Folders are entered through their descriptor
 * without following links, so a folder swapped for a link after the
 * fstatat is refused rather than walked.
 */
static int walk_entry(int dirfd, const char *root, const char *rel, const char *name,
		      struct found_list *out)
{
	struct stat st;
	char *child = rel ? vrp_path_join(rel, name) : strdup(name);
	if (!child)
		return vrp_error_oom();
	int rc = 0, sub = -1;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
		/* Removed since the readdir: it is simply not there. */
		if (errno != ENOENT)
			rc = localdir_errno(errno, "cannot read %s/%s", root, child);
	} else if (S_ISDIR(st.st_mode)) {
		rc = vrp_fs_openat_dir(dirfd, name, child, false, &sub);
		if (rc == 0)
			rc = walk(sub, root, child, out);
		else if (rc == VRP_ENOTFOUND || rc == VRP_ENOTFILE)
			rc = 0;
		else
			rc = localdir_remap(rc);
	} else if (S_ISREG(st.st_mode) && !localdir_is_part(name)) {
		rc = found_list_add(out, child, &st);
		if (rc == 0)
			return 0;
	}
	free(child);
	return rc;
}

/* Lists the folder open as `dirfd` (closed here) and those under it. */
static int walk(int dirfd, const char *root, const char *rel, struct found_list *out)
{
	DIR *dir = fdopendir(dirfd);
	if (!dir) {
		int err = errno;
		close(dirfd);
		return localdir_errno(err, "cannot list %s/%s", root, rel ? rel : "");
	}
	int rc = 0;
	const struct dirent *entry;
	while (rc == 0 && (entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		rc = walk_entry(dirfd, root, rel, entry->d_name, out);
	}
	closedir(dir);
	return rc;
}

static int compare_found(const void *a, const void *b)
{
	return strcmp(((const struct found *)a)->rel, ((const struct found *)b)->rel);
}

static int fill_page(const struct found_list *found, const char *token, size_t page_size,
		     vrp_remote_page *page)
{
	size_t capacity = 0, i = 0;
	while (token && i < found->count && strcmp(found->items[i].rel, token) <= 0)
		i++;
	size_t end = i + page_size < found->count ? i + page_size : found->count;
	for (; i < end; i++) {
		vrp_remote_object *object =
			localdir_object(found->items[i].rel, &found->items[i].st);
		int rc = object ? vrp_remote_page_append(page, &capacity, object) : VRP_ENOMEM;
		if (rc < 0) {
			vrp_remote_object_free(object);
			return rc;
		}
	}
	if (end < found->count && !(page->next_page_token = strdup(found->items[end - 1].rel)))
		return vrp_error_oom();
	return 0;
}

/*
 * The prefix is opened component by component without following links: a
 * symlinked app folder is refused (ERR_PERMANENT) as uploads into it are,
 * so listing and upload agree. A prefix not there yet holds nothing.
 */
static int walk_prefix(const struct localdir *ld, const char *prefix, struct found_list *out)
{
	int fd = -1;
	int rc = vrp_fs_open_dir_beneath(ld->root, prefix, false, &fd);
	if (rc == VRP_ENOTFOUND || rc == VRP_ENOTFILE)
		return 0;
	if (rc < 0)
		return localdir_remap(rc);
	return walk(fd, ld->root, prefix && *prefix ? prefix : NULL, out);
}

int localdir_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		  vrp_remote_page **out)
{
	const struct localdir *ld = state;
	struct found_list found = { 0 };
	vrp_remote_page *page = NULL;
	int rc = localdir_check_root(ld);
	if (rc == 0)
		rc = walk_prefix(ld, prefix, &found);
	if (rc < 0)
		goto done;
	if (found.count > 1)
		qsort(found.items, found.count, sizeof(*found.items), compare_found);
	page = calloc(1, sizeof(*page));
	if (!page) {
		rc = vrp_error_oom();
		goto done;
	}
	rc = fill_page(&found, page_token, page_size ? page_size : DEFAULT_PAGE_SIZE, page);
done:
	found_list_clear(&found);
	if (rc < 0)
		vrp_remote_page_free(page);
	else
		*out = page;
	return rc;
}
