/*
 * settings.c - a setting's effective value for a library: its own
 * config.ini, else the user-wide file, else the table's default.
 */
#include "vrp/settings.h"

#include "core/error_set.h"
#include "core/fsutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vrp_settings_library_file(const char *lib_root, char **out)
{
	/* VRP_CONFIG names the one file to use for everything (tests, scripts). */
	const char *env = getenv("VRP_CONFIG");
	*out = env && *env ? strdup(env) : vrp_path_join(lib_root, "config.ini");
	return *out ? 0 : vrp_error_oom();
}

static int load_library_file(const char *lib_root, vrp_config **out)
{
	char *path = NULL;
	int rc = vrp_settings_library_file(lib_root, &path);
	if (rc == 0)
		rc = vrp_config_load(out, path);
	free(path);
	return rc;
}

static bool one_file(void)
{
	const char *env = getenv("VRP_CONFIG");
	return env && *env;
}

struct overlay {
	vrp_config *dst;
	const char *section;
};

static int overlay_setting(void *ctx, const char *key, const char *value)
{
	struct overlay *o = ctx;
	return vrp_config_set(o->dst, o->section, key, value);
}

int vrp_settings_load_effective(const char *lib_root, vrp_config **out)
{
	vrp_config *user = NULL, *own = NULL;
	int rc = vrp_config_load(&user, NULL);
	if (rc == 0 && lib_root && !one_file())
		rc = load_library_file(lib_root, &own);
	for (size_t i = 0; rc == 0 && own && i < vrp_config_section_count(own); i++) {
		struct overlay o = { user, vrp_config_section_name(own, i) };
		if (*o.section)
			rc = vrp_config_each(own, o.section, overlay_setting, &o);
	}
	vrp_config_free(own);
	if (rc < 0) {
		vrp_config_free(user);
		user = NULL;
	}
	*out = user;
	return rc;
}

/* "log.level" into "log" and "level"; the key must be in the table. */
static int split_key(const char *key, char section[64], const char **name)
{
	const char *dot = key ? strchr(key, '.') : NULL;
	if (!vrp_settings_find(key) || !dot || dot - key >= 64)
		return vrp_settings_validate(key, "");
	snprintf(section, 64, "%.*s", (int)(dot - key), key);
	*name = dot + 1;
	return 0;
}

/* The file `lib` writes to: its own, or the user-wide one for NULL. */
static int load_target(vrp_library *lib, vrp_config **out)
{
	return lib ? load_library_file(vrp_library_root(lib), out) : vrp_config_load(out, NULL);
}

int vrp_settings_get(vrp_library *lib, const char *key, char **value,
		     enum vrp_setting_source *source)
{
	*value = NULL;
	char section[64];
	const char *name = NULL;
	int rc = split_key(key, section, &name);
	vrp_config *own = NULL, *user = NULL;
	if (rc == 0 && lib && !one_file())
		rc = load_library_file(vrp_library_root(lib), &own);
	if (rc == 0)
		rc = vrp_config_load(&user, NULL);
	const char *found = NULL;
	enum vrp_setting_source from = VRP_SETTING_FROM_DEFAULT;
	if (rc == 0 && own && (found = vrp_config_get(own, section, name)))
		from = VRP_SETTING_FROM_LIBRARY;
	else if (rc == 0 && (found = vrp_config_get(user, section, name)))
		from = lib && one_file() ? VRP_SETTING_FROM_LIBRARY : VRP_SETTING_FROM_USER;
	else if (rc == 0)
		found = vrp_settings_find(key)->default_value;
	if (rc == 0 && found && from != VRP_SETTING_FROM_DEFAULT)
		rc = vrp_settings_validate(key, found);
	if (rc == 0 && found && !(*value = strdup(found)))
		rc = vrp_error_oom();
	if (source)
		*source = from;
	vrp_config_free(own);
	vrp_config_free(user);
	return rc;
}

int vrp_settings_get_int(vrp_library *lib, const char *key, long fallback, long *out)
{
	*out = fallback;
	const vrp_setting_info *info = vrp_settings_find(key);
	if (info && info->type != VRP_SETTING_INT)
		return vrp_error_set(VRP_EINVAL, "setting %s is not an integer", key);
	char *value = NULL;
	int rc = vrp_settings_get(lib, key, &value, NULL);
	if (rc == 0 && value)
		*out = strtol(value, NULL, 10); /* validated by vrp_settings_get() */
	free(value);
	return rc;
}

int vrp_settings_set(vrp_library *lib, const char *key, const char *value)
{
	char section[64];
	const char *name = NULL;
	int rc = split_key(key, section, &name);
	if (rc == 0)
		rc = vrp_settings_validate(key, value);
	vrp_config *config = NULL;
	if (rc == 0)
		rc = load_target(lib, &config);
	if (rc == 0)
		rc = vrp_config_set(config, section, name, value);
	if (rc == 0)
		rc = vrp_config_save(config);
	vrp_config_free(config);
	return rc;
}

int vrp_settings_unset(vrp_library *lib, const char *key)
{
	char section[64];
	const char *name = NULL;
	int rc = split_key(key, section, &name);
	vrp_config *config = NULL;
	if (rc == 0)
		rc = load_target(lib, &config);
	if (rc == 0)
		rc = vrp_config_unset(config, section, name);
	if (rc == 0)
		rc = vrp_config_save(config);
	vrp_config_free(config);
	return rc;
}
