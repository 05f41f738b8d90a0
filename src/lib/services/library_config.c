/*
 * library_config.c - the library's own config.ini, and moving remotes that
 * older versions kept in the user-wide file into the library that has them.
 */
#include "services/library_config.h"

#include "core/error_set.h"
#include "core/log.h"
#include "db/remote_repo.h"
#include "vrp/settings.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vrp_library_config_load(const vrp_library *lib, vrp_config **out)
{
	char *path = NULL;
	int rc = vrp_settings_library_file(vrp_library_root(lib), &path);
	if (rc == 0)
		rc = vrp_config_load(out, path);
	free(path);
	return rc;
}

/* The NAME of a `remote "NAME"` section into `out`, or false. */
static bool remote_section_name(const char *section, char *out, size_t len)
{
	static const char prefix[] = "remote \"";
	size_t n = strlen(section), p = sizeof(prefix) - 1;
	if (n <= p + 1 || strncmp(section, prefix, p) != 0 || section[n - 1] != '"' ||
	    n - p - 1 >= len)
		return false;
	snprintf(out, len, "%.*s", (int)(n - p - 1), section + p);
	return true;
}

struct copy {
	vrp_config *dst;
	const char *section;
};

static int copy_setting(void *ctx, const char *key, const char *value)
{
	struct copy *c = ctx;
	return vrp_config_set(c->dst, c->section, key, value);
}

/* Whether this library's catalogue has a row for remote `name`. */
static bool has_row(vrp_library *lib, const char *name)
{
	vrp_remote *row = NULL;
	int rc = vrp_remote_repo_get_by_name(vrp_library_db(lib), name, &row);
	vrp_remote_free(row);
	vrp_error_clear();
	return rc == 0;
}

/* Copies the remotes to move into `own`; their section names into `moved`. */
static int copy_remotes(vrp_library *lib, vrp_config *user, vrp_config *own, char **moved,
			size_t *count)
{
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < vrp_config_section_count(user); i++) {
		const char *section = vrp_config_section_name(user, i);
		char name[128];
		if (!remote_section_name(section, name, sizeof(name)) || !has_row(lib, name) ||
		    vrp_config_get(own, section, "type"))
			continue;
		struct copy c = { own, section };
		rc = vrp_config_each(user, section, copy_setting, &c);
		if (rc == 0 && !(moved[(*count)++] = strdup(section)))
			rc = vrp_error_oom();
	}
	return rc;
}

static void log_moved(const char *section, const char *from, const char *to)
{
	VRP_LOG_INFO(
		"config", json_pack("{s:s, s:s, s:s}", "section", section, "from", from, "to", to),
		"moved [%s] from the user-wide config into the library's own config.ini", section);
}

int vrp_library_config_migrate(vrp_library *lib)
{
	const char *env = getenv("VRP_CONFIG");
	if (env && *env)
		return 0;
	vrp_config *user = NULL, *own = NULL;
	int rc = vrp_config_load(&user, NULL);
	size_t sections = rc == 0 ? vrp_config_section_count(user) : 0, count = 0;
	char **moved = sections ? calloc(sections, sizeof(*moved)) : NULL;
	if (sections && !moved)
		rc = vrp_error_oom();
	if (rc == 0 && sections)
		rc = vrp_library_config_load(lib, &own);
	if (rc == 0 && sections)
		rc = copy_remotes(lib, user, own, moved, &count);
	if (rc == 0 && count)
		rc = vrp_config_save(own);
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = vrp_config_remove_section(user, moved[i]);
	if (rc == 0 && count)
		rc = vrp_config_save(user);
	for (size_t i = 0; i < count; i++) {
		if (rc == 0)
			log_moved(moved[i], vrp_config_path(user), vrp_config_path(own));
		free(moved[i]);
	}
	free(moved);
	vrp_config_free(own);
	vrp_config_free(user);
	return rc;
}
