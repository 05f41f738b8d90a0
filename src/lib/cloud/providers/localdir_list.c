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
#include "core/ptrarray.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PAGE_SIZE 1000

struct path_list {
	char **items;
	size_t count, capacity;
};

static void path_list_clear(struct path_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
}

static int path_list_add(struct path_list *list, const char *rel)
{
	char *copy = strdup(rel);
	if (!copy || vrp_ptr_array_reserve(&list->items, &list->capacity, list->count + 1) < 0) {
		free(copy);
		return vrp_error_oom();
	}
	list->items[list->count++] = copy;
	return 0;
}

static int walk(const char *root, const char *rel, struct path_list *out);

/* Symlinks are skipped: following them could list (and later serve) files outside the root. */
static int walk_entry(const char *root, const char *rel, const char *name, struct path_list *out)
{
	char *child = rel ? vrp_path_join(rel, name) : strdup(name);
	char *full = child ? vrp_path_join(root, child) : NULL;
	struct stat st;
	int rc = 0;
	if (!full)
		rc = vrp_error_oom();
	else if (lstat(full, &st) != 0)
		rc = errno == ENOENT ? 0 : localdir_errno(errno, "cannot read %s", full);
	else if (S_ISDIR(st.st_mode))
		rc = walk(root, child, out);
	else if (S_ISREG(st.st_mode) && !localdir_is_part(name))
		rc = path_list_add(out, child);
	free(child);
	free(full);
	return rc;
}

static int walk(const char *root, const char *rel, struct path_list *out)
{
	char *dir_path = rel ? vrp_path_join(root, rel) : strdup(root);
	if (!dir_path)
		return vrp_error_oom();
	int rc = 0;
	DIR *dir = opendir(dir_path);
	if (!dir) {
		/* A folder that does not exist yet holds nothing. */
		if (errno != ENOENT && errno != ENOTDIR)
			rc = localdir_errno(errno, "cannot list %s", dir_path);
		goto done;
	}
	const struct dirent *entry;
	while (rc == 0 && (entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		rc = walk_entry(root, rel, entry->d_name, out);
	}
	closedir(dir);
done:
	free(dir_path);
	return rc;
}

static int compare_paths(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_object(const char *root, const char *rel, vrp_remote_page *page, size_t *capacity)
{
	char *full = vrp_path_join(root, rel);
	if (!full)
		return vrp_error_oom();
	struct stat st;
	int rc = 0;
	/* Removed since the walk: leave it out rather than fail the page. */
	if (lstat(full, &st) == 0 && S_ISREG(st.st_mode)) {
		vrp_remote_object *object = localdir_object(rel, &st);
		rc = object ? vrp_remote_page_append(page, capacity, object) : VRP_ENOMEM;
		if (rc < 0)
			vrp_remote_object_free(object);
	}
	free(full);
	return rc;
}

static int fill_page(const char *root, const struct path_list *paths, const char *token,
		     size_t page_size, vrp_remote_page *page)
{
	size_t capacity = 0, i = 0;
	while (token && i < paths->count && strcmp(paths->items[i], token) <= 0)
		i++;
	size_t end = i + page_size < paths->count ? i + page_size : paths->count;
	for (; i < end; i++) {
		int rc = add_object(root, paths->items[i], page, &capacity);
		if (rc < 0)
			return rc;
	}
	if (end < paths->count) {
		page->next_page_token = strdup(paths->items[end - 1]);
		if (!page->next_page_token)
			return vrp_error_oom();
	}
	return 0;
}

int localdir_list(void *state, const char *prefix, const char *page_token, size_t page_size,
		  vrp_remote_page **out)
{
	const struct localdir *ld = state;
	struct path_list paths = { 0 };
	vrp_remote_page *page = NULL;
	int rc = localdir_check_root(ld);
	if (rc < 0)
		goto done;
	rc = walk(ld->root, prefix, &paths);
	if (rc < 0)
		goto done;
	if (paths.count > 1)
		qsort(paths.items, paths.count, sizeof(*paths.items), compare_paths);
	page = calloc(1, sizeof(*page));
	if (!page) {
		rc = vrp_error_oom();
		goto done;
	}
	rc = fill_page(ld->root, &paths, page_token, page_size ? page_size : DEFAULT_PAGE_SIZE,
		       page);
done:
	path_list_clear(&paths);
	if (rc < 0)
		vrp_remote_page_free(page);
	else
		*out = page;
	return rc;
}
