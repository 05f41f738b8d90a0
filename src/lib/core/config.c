/* config.c - a small INI reader for the user's settings. */
#include "vrp/config.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/ptrarray.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct setting {
	char *section, *key, *value;
};

struct vrp_config {
	struct setting **items;
	size_t count, capacity;
};

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	char *end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

static int add(vrp_config *c, const char *section, const char *key, const char *value)
{
	struct setting *s = calloc(1, sizeof(*s));
	int rc = s ? vrp_ptr_array_reserve(&c->items, &c->capacity, c->count + 1) : vrp_error_oom();
	if (rc == 0 && (!(s->section = strdup(section)) || !(s->key = strdup(key)) ||
			!(s->value = strdup(value))))
		rc = vrp_error_oom();
	if (rc < 0) {
		if (s) {
			free(s->section);
			free(s->key);
			free(s->value);
		}
		free(s);
		return rc;
	}
	c->items[c->count++] = s;
	return 0;
}

static int parse_line(vrp_config *c, char *line, char *section, size_t section_len,
		      const char *path, int number)
{
	char *s = trim(line);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	char *end = s + strlen(s) - 1;
	if (*s == '[' && *end == ']') {
		*end = '\0';
		snprintf(section, section_len, "%s", trim(s + 1));
		return 0;
	}
	char *eq = strchr(s, '=');
	if (!eq)
		return vrp_error_set(VRP_EINVAL, "%s:%d: expected [section] or key = value", path,
				     number);
	*eq = '\0';
	return add(c, section, trim(s), trim(eq + 1));
}

static char *default_path(void)
{
	const char *env = getenv("VRP_CONFIG");
	if (env && *env)
		return strdup(env);
	if ((env = getenv("XDG_CONFIG_HOME")) && *env)
		return vrp_path_join(env, "vrp/config.ini");
	if ((env = getenv("HOME")) && *env)
		return vrp_path_join(env, ".config/vrp/config.ini");
	return NULL;
}

int vrp_config_load(vrp_config **out, const char *path)
{
	*out = NULL;
	vrp_config *c = calloc(1, sizeof(*c));
	char *chosen = path ? strdup(path) : default_path();
	FILE *f = chosen ? fopen(chosen, "r") : NULL;
	int rc = c ? 0 : vrp_error_oom();
	if (rc == 0 && chosen && !f && errno != ENOENT)
		rc = vrp_error_from_errno(errno, "cannot read the configuration %s", chosen);
	char line[4096], section[256] = "";
	for (int n = 1; rc == 0 && f && fgets(line, sizeof(line), f); n++)
		rc = parse_line(c, line, section, sizeof(section), chosen, n);
	if (f)
		fclose(f);
	free(chosen);
	if (rc < 0) {
		vrp_config_free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void vrp_config_free(vrp_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->count; i++) {
		free(c->items[i]->section);
		free(c->items[i]->key);
		free(c->items[i]->value);
		free(c->items[i]);
	}
	free(c->items);
	free(c);
}

const char *vrp_config_get(const vrp_config *c, const char *section, const char *key)
{
	/* The last occurrence wins, as a user appending an override expects. */
	for (size_t i = c->count; i-- > 0;)
		if (!strcmp(c->items[i]->section, section) && !strcmp(c->items[i]->key, key))
			return c->items[i]->value;
	return NULL;
}

int vrp_config_get_int(const vrp_config *c, const char *section, const char *key, long fallback,
		       long *out)
{
	const char *v = vrp_config_get(c, section, key);
	*out = fallback;
	if (!v)
		return 0;
	char *end = NULL;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (!*v || *end || errno)
		return vrp_error_set(VRP_EINVAL, "[%s] %s must be an integer, not \"%s\"", section,
				     key, v);
	*out = n;
	return 0;
}
