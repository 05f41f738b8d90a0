/*
 * config.h - a plain INI file of settings the user may edit.
 *
 * The user-wide file (the default `path`) is $VRP_CONFIG, else
 * $XDG_CONFIG_HOME/vrp/config.ini, else ~/.config/vrp/config.ini; each
 * library has its own too (see vrp/settings.h). A missing file is an empty
 * configuration.
 * Secrets never live here. Lines are "[section]", "key = value", and
 * comments starting with "#" or ";".
 */
#ifndef VRP_CONFIG_H
#define VRP_CONFIG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_config vrp_config;

/*
 * Loads `path`, or the default location when `path` is NULL. Lines may be
 * of any length. VRP_EINVAL naming the line: a line that is neither a
 * section, a setting nor a comment; a section header repeated (naming the
 * first); a NUL or carriage return inside a line. Free with vrp_config_free().
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

/* The file this configuration was loaded from (and is saved to); may be NULL. */
const char *vrp_config_path(const vrp_config *config);

/*
 * Sets `key` in `section` (replacing its last occurrence, else adding it at
 * the end of the section, else adding the section at the end). Comments and
 * the rest of the file are kept as written. Names must be non-empty and on
 * one line; values on one line (VRP_EINVAL otherwise).
 */
int vrp_config_set(vrp_config *config, const char *section, const char *key, const char *value);

/*
 * Removes every setting of `key` in `section` (the section header stays);
 * VRP_ENOTFOUND when there is none.
 */
int vrp_config_unset(vrp_config *config, const char *section, const char *key);

/* Removes a section with its settings and comments; VRP_ENOTFOUND when absent. */
int vrp_config_remove_section(vrp_config *config, const char *section);

/* The sections in file order: how many, and the name of the `index`th (NULL past the end). */
size_t vrp_config_section_count(const vrp_config *config);
const char *vrp_config_section_name(const vrp_config *config, size_t index);

/*
 * Calls `fn` with each setting of `section` in file order (a key set twice
 * is visited twice; the later one is the one in effect). Stops early and
 * returns what `fn` returned when it is not 0.
 */
typedef int (*vrp_config_visit_fn)(void *ctx, const char *key, const char *value);
int vrp_config_each(const vrp_config *config, const char *section, vrp_config_visit_fn fn,
		    void *ctx);

/*
 * Writes the configuration back to its file (mode 0600, creating the
 * directory): to a temporary file beside it, fsynced, then renamed, so the
 * file is never seen half-written.
 */
int vrp_config_save(const vrp_config *config);

#ifdef __cplusplus
}
#endif

#endif
