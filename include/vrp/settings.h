/*
 * settings.h - the known settings: one table of every key vrp reads from a
 * config file, with its type, default, accepted values and a line of doc,
 * and where a setting's value comes from for a library.
 *
 * A key is "section.name" ("log.level", "derive.opus_bitrate"): the INI
 * `[section]` with `name = value`. A setting's effective value for a
 * library is its value in the library's own file (<library>/config.ini),
 * else in the user-wide file ($XDG_CONFIG_HOME/vrp/config.ini), else the
 * table's default. With $VRP_CONFIG set, that one file is both.
 *
 * `vrp config get|set|unset|ls` is this API on the command line; services
 * read their settings with vrp_settings_get() / vrp_settings_get_int().
 */
#ifndef VRP_SETTINGS_H
#define VRP_SETTINGS_H

#include "vrp/config.h"
#include "vrp/library.h"

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_setting_type {
	VRP_SETTING_INT = 0,      /* a decimal integer in [min, max] */
	VRP_SETTING_ENUM = 1,     /* one of `choices` */
	VRP_SETTING_LIST = 2,     /* a comma-separated list of `choices`, each at most once */
	VRP_SETTING_STRING = 3,   /* any text on one line */
	VRP_SETTING_DURATION = 4, /* a span of time, as vrp_duration_parse() reads it: "30d" */
};

/* One row of the table; static, never freed. */
typedef struct vrp_setting_info {
	const char *key; /* "section.name" */
	enum vrp_setting_type type;
	const char *default_value;  /* NULL: unset by default (the setting is off) */
	long min, max;              /* VRP_SETTING_INT: the inclusive range */
	const char *const *choices; /* ENUM and LIST: NULL-terminated; NULL otherwise */
	const char *doc;            /* one line */
} vrp_setting_info;

/* How many settings there are, and the `index`th in table order (NULL past the end). */
size_t vrp_settings_count(void);
const vrp_setting_info *vrp_settings_at(size_t index);

/* The setting called `key`, or NULL (no error recorded). */
const vrp_setting_info *vrp_settings_find(const char *key);

/* "integer", "choice", "list" or "text": how the README and `config ls` name a type. */
const char *vrp_setting_type_name(enum vrp_setting_type type);

/*
 * Checks `value` for setting `key`: 0, or VRP_EINVAL with the message the
 * config file's reader gives for the same value ("[log] max_files = 0 is out
 * of range (1 to 10000)", "[log] max_files must be an integer, not \"x\"");
 * an unknown key is VRP_EINVAL naming it.
 */
int vrp_settings_validate(const char *key, const char *value);

/*
 * vrp_settings_validate() of the value `config` holds for `key` (0 when it
 * holds none), for readers that take a loaded configuration.
 */
int vrp_settings_validate_in(const vrp_config *config, const char *key);

/* Where an effective value came from. */
enum vrp_setting_source {
	VRP_SETTING_FROM_DEFAULT = 0,
	VRP_SETTING_FROM_USER = 1,    /* the user-wide file */
	VRP_SETTING_FROM_LIBRARY = 2, /* the library's own file */
};

/* "default", "user", "library". */
const char *vrp_setting_source_name(enum vrp_setting_source source);

/*
 * The effective value of `key` for `lib` (library file, else user-wide
 * file, else default; `lib` NULL: user-wide, else default), malloc'd into
 * `*value` (caller frees; NULL when unset with no default), and where it came
 * from into `*source` (may be NULL). A value in a file is validated:
 * VRP_EINVAL with the reader's message when it is bad. VRP_EINVAL for an
 * unknown key; a file that does not parse gives its error.
 */
int vrp_settings_get(vrp_library *lib, const char *key, char **value,
		     enum vrp_setting_source *source);

/*
 * vrp_settings_get() of an integer setting: `*out` gets the value, or
 * `fallback` when it is unset with no default. VRP_EINVAL for a setting
 * that is not an integer.
 */
int vrp_settings_get_int(vrp_library *lib, const char *key, long fallback, long *out);

/*
 * Sets `key` to `value` (validated first) in the library's file, or in the
 * user-wide file when `lib` is NULL; the file is rewritten atomically with
 * mode 0600, its comments and layout kept.
 */
int vrp_settings_set(vrp_library *lib, const char *key, const char *value);

/* Removes `key` from that file; VRP_ENOTFOUND when it is not set there. */
int vrp_settings_unset(vrp_library *lib, const char *key);

/*
 * The user-wide configuration with the library's file laid over it (in
 * memory only, never saved), as the readers that take a vrp_config want it.
 * `lib_root` NULL: the user-wide file alone. Free with vrp_config_free().
 */
int vrp_settings_load_effective(const char *lib_root, vrp_config **out);

/*
 * The library's own config file: $VRP_CONFIG when set, else
 * <lib_root>/config.ini; malloc'd (caller frees).
 */
int vrp_settings_library_file(const char *lib_root, char **out);

#ifdef __cplusplus
}
#endif

#endif
