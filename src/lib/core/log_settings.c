/* log_settings.c - where the log goes and how big it may grow: defaults, config, environment. */
#include "core/log.h"

#include "core/fsutil.h"
#include "vrp/settings.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vrp_log_default_dir(char **out)
{
	*out = NULL;
	const char *env = getenv("VRP_LOG_DIR");
	if (env && *env)
		*out = strdup(env);
	else if ((env = getenv("XDG_STATE_HOME")) && *env)
		*out = vrp_path_join(env, "vrp/logs");
	else if ((env = getenv("HOME")) && *env)
		*out = vrp_path_join(env, ".local/state/vrp/logs");
	else
		return vrp_error_set(VRP_ENOTFOUND, "no log directory: set VRP_LOG_DIR or HOME");
	return *out ? 0 : vrp_error_oom();
}

void vrp_log_settings_clear(vrp_log_settings *settings)
{
	free(settings->dir);
	settings->dir = NULL;
}

/* The ranges are the settings table's (vrp/settings.h): `vrp config set` refuses the same. */
static int get_limit(const vrp_config *config, const char *key, long fallback, long *out)
{
	char full[64];
	snprintf(full, sizeof(full), "log.%s", key);
	*out = fallback;
	int rc = vrp_settings_validate_in(config, full);
	if (rc == 0 && config)
		rc = vrp_config_get_int(config, "log", key, fallback, out);
	return rc;
}

static int load_limits(vrp_log_settings *s, const vrp_config *config)
{
	long bytes, files, days;
	int rc = get_limit(config, "max_file_bytes", VRP_LOG_DEFAULT_MAX_FILE_BYTES, &bytes);
	if (rc == 0)
		rc = get_limit(config, "max_files", VRP_LOG_DEFAULT_MAX_FILES, &files);
	if (rc == 0)
		rc = get_limit(config, "retention_days", VRP_LOG_DEFAULT_RETENTION_DAYS, &days);
	if (rc == 0) {
		s->max_file_bytes = bytes;
		s->max_files = (int)files;
		s->retention_days = (int)days;
	}
	return rc;
}

/* $VRP_LOG_DIR, else [log] dir (relative to the library), else the default. */
static int load_dir(vrp_log_settings *s, const vrp_config *config, const char *library_root)
{
	const char *env = getenv("VRP_LOG_DIR");
	const char *dir = config ? vrp_config_get(config, "log", "dir") : NULL;
	if ((env && *env) || !dir || !*dir || (dir[0] != '/' && !library_root))
		return vrp_log_default_dir(&s->dir);
	s->dir = dir[0] == '/' ? strdup(dir) : vrp_path_join(library_root, dir);
	return s->dir ? 0 : vrp_error_oom();
}

int vrp_log_settings_load(vrp_log_settings *out, const vrp_config *config, const char *library_root)
{
	*out = (vrp_log_settings){ .level = VRP_LOG_LEVEL_INFO };
	const char *level = config ? vrp_config_get(config, "log", "level") : NULL;
	int rc = vrp_settings_validate_in(config, "log.level");
	if (rc == 0 && level)
		rc = vrp_log_level_from_string(level, &out->level);
	if (rc == 0)
		rc = load_limits(out, config);
	if (rc == 0)
		rc = load_dir(out, config, library_root);
	if (rc < 0)
		vrp_log_settings_clear(out);
	return rc;
}
