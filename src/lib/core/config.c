/*
 * config.c - the user's INI settings, read and rewritten line by line so a
 * hand-edited file keeps its comments, order and layout through `vrp` edits.
 */
#include "vrp/config.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/ptrarray.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum line_kind { LINE_OTHER, LINE_HEADER, LINE_SETTING };

struct line {
	enum line_kind kind;
	char *text;    /* the line as written, without its newline */
	char *section; /* headers and settings: the section they belong to */
	char *key, *value;
};

struct vrp_config {
	char *path;
	struct line **lines;
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

static void line_free(struct line *l)
{
	if (!l)
		return;
	free(l->text);
	free(l->section);
	free(l->key);
	free(l->value);
	free(l);
}

static struct line *line_new(enum line_kind kind, const char *text, const char *section,
			     const char *key, const char *value)
{
	struct line *l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->kind = kind;
	l->text = strdup(text);
	l->section = section ? strdup(section) : NULL;
	l->key = key ? strdup(key) : NULL;
	l->value = value ? strdup(value) : NULL;
	if (!l->text || (section && !l->section) || (key && !l->key) || (value && !l->value)) {
		line_free(l);
		return NULL;
	}
	return l;
}

static int insert_line(vrp_config *c, size_t at, struct line *l)
{
	int rc = l ? vrp_ptr_array_reserve(&c->lines, &c->capacity, c->count + 1) : vrp_error_oom();
	if (rc < 0) {
		line_free(l);
		return rc;
	}
	memmove(c->lines + at + 1, c->lines + at, (c->count - at) * sizeof(*c->lines));
	c->lines[at] = l;
	c->count++;
	return 0;
}

/* A header naming a section that an earlier header already opened: its line, or 0. */
static size_t earlier_header(const vrp_config *c, const char *section)
{
	for (size_t i = 0; i < c->count; i++)
		if (c->lines[i]->kind == LINE_HEADER && !strcmp(c->lines[i]->section, section))
			return i + 1;
	return 0;
}

/*
 * A repeated section is refused rather than merged: `vrp` edits the first
 * one, so a setting in the second would silently stop or start applying.
 */
static int parse_header(vrp_config *c, char *s, char *end, char **section, int number)
{
	*end = '\0';
	char *name = strdup(trim(s + 1));
	if (!name)
		return vrp_error_oom();
	free(*section);
	*section = name;
	size_t first = earlier_header(c, name);
	if (first)
		return vrp_error_set(VRP_EINVAL,
				     "%s:%d: section [%s] appears again (first at line %zu); "
				     "merge the two",
				     c->path, number, name, first);
	return 0;
}

static int parse_line(vrp_config *c, const char *raw, char **section, int number)
{
	char *copy = strdup(raw);
	if (!copy)
		return vrp_error_oom();
	char *s = trim(copy);
	char *end = *s ? s + strlen(s) - 1 : s;
	char *eq = strchr(s, '=');
	struct line *l = NULL;
	int rc = 0;
	if (!*s || *s == '#' || *s == ';') {
		l = line_new(LINE_OTHER, raw, NULL, NULL, NULL);
	} else if (*s == '[' && *end == ']') {
		rc = parse_header(c, s, end, section, number);
		l = rc == 0 ? line_new(LINE_HEADER, raw, *section, NULL, NULL) : NULL;
	} else if (eq) {
		*eq = '\0';
		l = line_new(LINE_SETTING, raw, *section, trim(s), trim(eq + 1));
	} else {
		rc = vrp_error_set(VRP_EINVAL, "%s:%d: expected [section] or key = value", c->path,
				   number);
	}
	free(copy);
	return rc < 0 ? rc : insert_line(c, c->count, l);
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

/*
 * Lines of any length: a fixed buffer would split a long line and make its
 * tail (of a comment, even) a line of its own. A NUL or a carriage return
 * inside a line is refused: either would cut the value short where C
 * strings and `vrp config` see it, unlike the editor that wrote it.
 */
static int read_lines(vrp_config *c, FILE *f)
{
	char *line = NULL, *section = strdup("");
	size_t size = 0;
	ssize_t len;
	int rc = section ? 0 : vrp_error_oom();
	for (int n = 1; rc == 0 && (len = getline(&line, &size, f)) >= 0; n++) {
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		if (strlen(line) != (size_t)len || strchr(line, '\r'))
			rc = vrp_error_set(VRP_EINVAL, "%s:%d: the line holds a %s byte", c->path,
					   n,
					   strlen(line) != (size_t)len ? "NUL" : "carriage return");
		else
			rc = parse_line(c, line, &section, n);
	}
	if (rc == 0 && ferror(f))
		rc = vrp_error_from_errno(errno, "cannot read the configuration %s", c->path);
	free(line);
	free(section);
	return rc;
}

int vrp_config_load(vrp_config **out, const char *path)
{
	*out = NULL;
	vrp_config *c = calloc(1, sizeof(*c));
	if (!c)
		return vrp_error_oom();
	c->path = path ? strdup(path) : default_path();
	FILE *f = c->path ? fopen(c->path, "r") : NULL;
	int rc = 0;
	if (c->path && !f && errno != ENOENT)
		rc = vrp_error_from_errno(errno, "cannot read the configuration %s", c->path);
	if (rc == 0 && f)
		rc = read_lines(c, f);
	if (f)
		fclose(f);
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
	for (size_t i = 0; i < c->count; i++)
		line_free(c->lines[i]);
	free(c->lines);
	free(c->path);
	free(c);
}

const char *vrp_config_path(const vrp_config *c) { return c->path; }

/* The index of the last setting of `key` in `section`, or -1. */
static long find_setting(const vrp_config *c, const char *section, const char *key)
{
	/* The last occurrence wins, as a user appending an override expects. */
	for (size_t i = c->count; i-- > 0;) {
		const struct line *l = c->lines[i];
		if (l->kind == LINE_SETTING && !strcmp(l->section, section) && !strcmp(l->key, key))
			return (long)i;
	}
	return -1;
}

const char *vrp_config_get(const vrp_config *c, const char *section, const char *key)
{
	long i = find_setting(c, section, key);
	return i < 0 ? NULL : c->lines[i]->value;
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

static bool valid_name(const char *s, bool section)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '[' || *s == ']' || (!section && *s == '='))
			return false;
	return true;
}

/* Where a new setting of `section` goes: after its last line, or -1. */
static long section_end(const vrp_config *c, const char *section)
{
	long end = -1;
	for (size_t i = 0; i < c->count; i++) {
		const struct line *l = c->lines[i];
		if (l->kind != LINE_OTHER && !strcmp(l->section, section))
			end = (long)i;
	}
	return end;
}

int vrp_config_set(vrp_config *c, const char *section, const char *key, const char *value)
{
	if (!valid_name(section, true) || !valid_name(key, false) || strchr(value, '\n') ||
	    strchr(value, '\r'))
		return vrp_error_set(VRP_EINVAL,
				     "cannot store [%s] %s: names must be non-empty, "
				     "on one line, without [ ] =",
				     section, key);
	size_t len = strlen(key) + strlen(value) + 4;
	char *text = malloc(len);
	if (!text)
		return vrp_error_oom();
	snprintf(text, len, "%s = %s", key, value);
	struct line *l = line_new(LINE_SETTING, text, section, key, value);
	free(text);
	if (!l)
		return vrp_error_oom();
	long at = find_setting(c, section, key);
	if (at >= 0) {
		line_free(c->lines[at]);
		c->lines[at] = l;
		return 0;
	}
	at = section_end(c, section);
	if (at >= 0)
		return insert_line(c, (size_t)at + 1, l);
	char *header = NULL;
	if (asprintf(&header, "[%s]", section) < 0) {
		line_free(l);
		return vrp_error_oom();
	}
	int rc =
		c->count ? insert_line(c, c->count, line_new(LINE_OTHER, "", NULL, NULL, NULL)) : 0;
	if (rc == 0)
		rc = insert_line(c, c->count, line_new(LINE_HEADER, header, section, NULL, NULL));
	free(header);
	if (rc == 0)
		return insert_line(c, c->count, l);
	line_free(l);
	return rc;
}

int vrp_config_remove_section(vrp_config *c, const char *section)
{
	size_t kept = 0;
	bool inside = false, found = false;
	for (size_t i = 0; i < c->count; i++) {
		struct line *l = c->lines[i];
		if (l->kind == LINE_HEADER)
			inside = !strcmp(l->section, section);
		found |= inside;
		if (inside)
			line_free(l);
		else
			c->lines[kept++] = l;
	}
	c->count = kept;
	return found ? 0 : vrp_error_set(VRP_ENOTFOUND, "no [%s] in the configuration", section);
}

int vrp_config_unset(vrp_config *c, const char *section, const char *key)
{
	size_t kept = 0;
	bool found = false;
	for (size_t i = 0; i < c->count; i++) {
		struct line *l = c->lines[i];
		/* Every occurrence goes: an earlier one would otherwise come back into effect. */
		if (l->kind == LINE_SETTING && !strcmp(l->section, section) &&
		    !strcmp(l->key, key)) {
			line_free(l);
			found = true;
		} else {
			c->lines[kept++] = l;
		}
	}
	c->count = kept;
	return found ? 0
		     : vrp_error_set(VRP_ENOTFOUND, "%s is not set in %s", key,
				     c->path ? c->path : "the configuration");
}

size_t vrp_config_section_count(const vrp_config *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->count; i++)
		n += c->lines[i]->kind == LINE_HEADER;
	return n;
}

const char *vrp_config_section_name(const vrp_config *c, size_t index)
{
	for (size_t i = 0; i < c->count; i++)
		if (c->lines[i]->kind == LINE_HEADER && index-- == 0)
			return c->lines[i]->section;
	return NULL;
}

int vrp_config_each(const vrp_config *c, const char *section, vrp_config_visit_fn fn, void *ctx)
{
	for (size_t i = 0; i < c->count; i++) {
		const struct line *l = c->lines[i];
		if (l->kind != LINE_SETTING || strcmp(l->section, section) != 0)
			continue;
		int rc = fn(ctx, l->key, l->value);
		if (rc)
			return rc;
	}
	return 0;
}

static int write_lines(const vrp_config *c, const char *tmp)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f) {
		int err = errno;
		if (fd >= 0)
			close(fd);
		return vrp_error_from_errno(err, "cannot write the configuration %s", tmp);
	}
	for (size_t i = 0; i < c->count; i++)
		fprintf(f, "%s\n", c->lines[i]->text);
	int rc = fflush(f) != 0 || vrp_durable_fsync(fileno(f)) != 0
			 ? vrp_error_from_errno(errno, "cannot write the configuration %s", tmp)
			 : 0;
	if (fclose(f) != 0 && rc == 0)
		rc = vrp_error_from_errno(errno, "cannot write the configuration %s", tmp);
	return rc;
}

int vrp_config_save(const vrp_config *c)
{
	if (!c->path)
		return vrp_error_set(VRP_ENOTFOUND,
				     "no configuration file: set VRP_CONFIG or HOME");
	char *dir = strdup(c->path);
	char *slash = dir ? strrchr(dir, '/') : NULL;
	if (slash && slash != dir)
		*slash = '\0';
	int rc = !dir ? vrp_error_oom() : slash && slash != dir ? vrp_fs_mkdir_p(dir, 0700) : 0;
	free(dir);
	size_t len = strlen(c->path) + 8;
	char *tmp = rc == 0 ? malloc(len) : NULL;
	if (rc == 0 && !tmp)
		rc = vrp_error_oom();
	if (rc == 0) {
		snprintf(tmp, len, "%s.tmp", c->path);
		rc = write_lines(c, tmp);
	}
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, c->path);
	if (rc < 0 && tmp)
		vrp_durable_unlink(tmp);
	free(tmp);
	return rc;
}
