/*
 * config.h - the user's settings: a plain INI file the user may edit.
 *
 * Found at $VRP_CONFIG, else $XDG_CONFIG_HOME/vrp/config.ini, else
 * ~/.config/vrp/config.ini; a missing file is an empty configuration.
 * Secrets never live here. Lines are "[section]", "key = value", and
 * comments starting with "#" or ";".
 */
#ifndef VRP_CONFIG_H
#define VRP_CONFIG_H

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_config vrp_config;

/*
 * Loads `path`, or the default location when `path` is NULL. A line that is
 * neither a section, a setting nor a comment is VRP_EINVAL naming the line.
 * Free with vrp_config_free().
 */
int vrp_config_load(vrp_config **out, const char *path);

/* NULL is a no-op. */
void vrp_config_free(vrp_config *config);

/* The value of `key` in `section`, or NULL; owned by `config`. */
const char *vrp_config_get(const vrp_config *config, const char *section, const char *key);

/*
 * An integer setting: `*out` gets `fallback` when the key is absent;
 * VRP_EINVAL when it is present but not an integer.
 */
int vrp_config_get_int(const vrp_config *config, const char *section, const char *key,
		       long fallback, long *out);

#ifdef __cplusplus
}
#endif

#endif
