/*
 * setting_table.c - every setting vrp reads from a config file, in one
 * table, and the checks a value must pass. The config readers (log
 * settings, retention, sync, derive) validate through here, so `vrp config
 * set` refuses exactly what reading the file would, with the same message.
 */
#include "vrp/settings.h"

#include "vrp/duration.h"

#include "core/error_set.h"

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const log_levels[] = {
	"debug", "info", "warning", "warn", "error", "off", NULL
};
static const char *const booleans[] = { "true", "false", NULL };
static const char *const derive_kinds[] = { "waveform", "spectrogram", "compressed", "transcript",
					    NULL };

/* Kept in README order: a test holds the README's table to this one. */
static const vrp_setting_info settings[] = {
	{ "log.level", VRP_SETTING_ENUM, "info", 0, 0, log_levels,
	  "the lowest level written to the log files" },
	{ "log.max_file_bytes", VRP_SETTING_INT, "5242880", 1024, LONG_MAX, NULL,
	  "rotate vrp.log before it grows past this many bytes" },
	{ "log.max_files", VRP_SETTING_INT, "10", 1, 10000, NULL,
	  "rotated log files kept at most" },
	{ "log.retention_days", VRP_SETTING_INT, "30", 1, 36500, NULL,
	  "rotated log files older than this many days are removed" },
	{ "log.dir", VRP_SETTING_STRING, NULL, 0, 0, NULL,
	  "where logs go; a relative directory is inside the library" },
	{ "retention.purge_deleted_after_days", VRP_SETTING_INT, NULL, 0, 36500, NULL,
	  "`vrp purge --expired` removes recordings deleted more than this many days ago" },
	{ "sync.concurrency", VRP_SETTING_INT, "4", 1, 64, NULL,
	  "transfers at once in `vrp sync` and `vrp worker` without --concurrency" },
	{ "sync.max_attempts", VRP_SETTING_INT, "8", 1, 1000, NULL,
	  "tries of a task before it fails, without --max-attempts" },
	{ "derive.opus_bitrate", VRP_SETTING_INT, "32000", 6000, 510000, NULL,
	  "bit rate of the compressed (Opus) copy, in bit/s" },
	{ "derive.kinds", VRP_SETTING_LIST, "waveform,spectrogram,compressed,transcript", 0, 0,
	  derive_kinds,
	  "the derived assets import queues for each recording (`vrp worker`/`vrp sync` make "
	  "them; a transcript only where pocketsphinx is installed)" },
	{ "transcribe.auto_title", VRP_SETTING_ENUM, "true", 0, 0, booleans,
	  "give recordings still named after their file a title from their transcript" },
	{ "offload.numcopies", VRP_SETTING_INT, "1", 1, 100, NULL,
	  "verified copies on trusted remotes a recording needs before `vrp offload` lets its "
	  "local audio go (and that purging remote copies of an offloaded one must leave)" },
	{ "verify.max_age", VRP_SETTING_DURATION, "30d", 0, 0, NULL,
	  "a remote copy's proof older than this is checked again before it counts" },
	{ "verify.local_interval", VRP_SETTING_DURATION, NULL, 0, 0, NULL,
	  "`vrp worker` re-hashes local files incrementally this often (unset: never)" },
	{ "verify.remote_interval", VRP_SETTING_DURATION, NULL, 0, 0, NULL,
	  "`vrp worker` proves remote copies incrementally this often (unset: never)" },
	{ "verify.time_budget", VRP_SETTING_DURATION, "10m", 0, 0, NULL,
	  "how long one scheduled verification pass may run before it stops and continues next "
	  "time" },
};

#define SETTING_COUNT (sizeof(settings) / sizeof(*settings))

size_t vrp_settings_count(void) { return SETTING_COUNT; }

const vrp_setting_info *vrp_settings_at(size_t index)
{
	return index < SETTING_COUNT ? &settings[index] : NULL;
}

const vrp_setting_info *vrp_settings_find(const char *key)
{
	for (size_t i = 0; key && i < SETTING_COUNT; i++)
		if (!strcmp(settings[i].key, key))
			return &settings[i];
	return NULL;
}

const char *vrp_setting_type_name(enum vrp_setting_type type)
{
	switch (type) {
	case VRP_SETTING_INT:
		return "integer";
	case VRP_SETTING_ENUM:
		return "choice";
	case VRP_SETTING_LIST:
		return "list";
	case VRP_SETTING_STRING:
		return "text";
	case VRP_SETTING_DURATION:
		return "duration";
	}
	return "text";
}

const char *vrp_setting_source_name(enum vrp_setting_source source)
{
	return source == VRP_SETTING_FROM_LIBRARY ? "library"
	       : source == VRP_SETTING_FROM_USER  ? "user"
						  : "default";
}

/* "[section] name": how messages name a setting, as the file spells it. */
static void display_name(const char *key, char *out, size_t len)
{
	const char *dot = strchr(key, '.');
	snprintf(out, len, "[%.*s] %s", (int)(dot - key), key, dot + 1);
}

static bool is_choice(const vrp_setting_info *s, const char *value, size_t len)
{
	for (const char *const *c = s->choices; *c; c++)
		if (strlen(*c) == len && !strncmp(*c, value, len))
			return true;
	return false;
}

/* "a, b, c or d" into `out`. */
static void choice_list(const vrp_setting_info *s, char *out, size_t len)
{
	size_t n = 0, used = 0;
	while (s->choices[n])
		n++;
	out[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s",
					 i == 0       ? ""
					 : i + 1 == n ? " or "
						      : ", ",
					 s->choices[i]);
}

static int check_int(const vrp_setting_info *s, const char *name, const char *value)
{
	char *end = NULL;
	errno = 0;
	long n = strtol(value, &end, 10);
	if (!*value || *end || errno)
		return vrp_error_set(VRP_EINVAL, "%s must be an integer, not \"%s\"", name, value);
	if (n < s->min || n > s->max)
		return vrp_error_set(VRP_EINVAL, "%s = %ld is out of range (%ld to %ld)", name, n,
				     s->min, s->max);
	return 0;
}

static int check_duration(const char *name, const char *value)
{
	int64_t seconds = 0;
	if (vrp_duration_parse(value, &seconds) == 0)
		return 0;
	return vrp_error_set(VRP_EINVAL, "%s: %s", name, vrp_error_last()->message);
}

/* Each item a known choice, none twice: "waveform,compressed". */
static int check_list(const vrp_setting_info *s, const char *name, const char *value)
{
	char choices[256];
	for (const char *p = value; *p;) {
		size_t len = strcspn(p, ",");
		if (!is_choice(s, p, len)) {
			choice_list(s, choices, sizeof(choices));
			return vrp_error_set(VRP_EINVAL, "%s: unknown item \"%.*s\" (use %s)", name,
					     (int)len, p, choices);
		}
		for (const char *q = value; q < p; q += strcspn(q, ",") + 1)
			if (strcspn(q, ",") == len && !strncmp(q, p, len))
				return vrp_error_set(VRP_EINVAL, "%s: \"%.*s\" is listed twice",
						     name, (int)len, p);
		p += len;
		if (*p == ',' && !*++p)
			return vrp_error_set(VRP_EINVAL, "%s: an empty item at the end", name);
	}
	return 0;
}

int vrp_settings_validate(const char *key, const char *value)
{
	const vrp_setting_info *s = vrp_settings_find(key);
	if (!s)
		return vrp_error_set(VRP_EINVAL,
				     "unknown setting \"%s\" (`vrp config ls` lists them)",
				     key ? key : "");
	char name[128], choices[256];
	display_name(s->key, name, sizeof(name));
	if (strchr(value, '\n') || strchr(value, '\r'))
		return vrp_error_set(VRP_EINVAL, "%s must be on one line", name);
	switch (s->type) {
	case VRP_SETTING_INT:
		return check_int(s, name, value);
	case VRP_SETTING_ENUM:
		if (is_choice(s, value, strlen(value)))
			return 0;
		choice_list(s, choices, sizeof(choices));
		return vrp_error_set(VRP_EINVAL, "%s must be %s, not \"%s\"", name, choices, value);
	case VRP_SETTING_LIST:
		return check_list(s, name, value);
	case VRP_SETTING_STRING:
		return 0;
	case VRP_SETTING_DURATION:
		return check_duration(name, value);
	}
	return 0;
}

int vrp_settings_validate_in(const vrp_config *config, const char *key)
{
	const char *dot = key ? strchr(key, '.') : NULL;
	if (!dot || !vrp_settings_find(key))
		return vrp_settings_validate(key, "");
	char section[64];
	snprintf(section, sizeof(section), "%.*s", (int)(dot - key), key);
	const char *value = config ? vrp_config_get(config, section, dot + 1) : NULL;
	return value ? vrp_settings_validate(key, value) : 0;
}
