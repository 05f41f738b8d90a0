/* log_read.c - reading the log back: records in time order, filtered, redacted again. */
#include "core/log.h"

#include "core/log_files.h"
#include "core/redact.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *vrp_log_record_format(const vrp_log_record *r)
{
	const char *level = vrp_log_level_to_string(r->level);
	char *out = NULL;
	int n = asprintf(&out, "%s %-7s %s: %s%s%s%s%s%s", r->timestamp ? r->timestamp : "-",
			 level ? level : "?", r->logger ? r->logger : "-",
			 r->message ? r->message : "", r->context ? " " : "",
			 r->context ? r->context : "", r->correlation_id ? " [" : "",
			 r->correlation_id ? r->correlation_id : "", r->correlation_id ? "]" : "");
	return n < 0 ? NULL : out;
}

/* Like vrp_log_level_from_string(), without recording an error for a stray line. */
static bool level_of(const char *text, enum vrp_log_level *out)
{
	for (int i = VRP_LOG_LEVEL_DEBUG; i < VRP_LOG_LEVEL_OFF; i++)
		if (text && !strcmp(text, vrp_log_level_to_string((enum vrp_log_level)i))) {
			*out = (enum vrp_log_level)i;
			return true;
		}
	return false;
}

static const char *get_string(json_t *record, const char *key)
{
	return json_string_value(json_object_get(record, key));
}

static bool matches(const vrp_log_filter *f, const vrp_log_record *r)
{
	if (!f)
		return true;
	if (f->correlation_id &&
	    (!r->correlation_id || strcmp(f->correlation_id, r->correlation_id) != 0))
		return false;
	if (f->since && strcmp(r->timestamp, f->since) < 0)
		return false;
	if (f->until && strcmp(r->timestamp, f->until) >= 0)
		return false;
	return r->level >= f->min_level;
}

/* Parses, redacts and filters one line, then hands it on; 0 to go on reading. */
static int read_line(const char *line, const vrp_log_filter *filter, vrp_log_record_fn fn,
		     void *ctx)
{
	json_t *record = json_loads(line, 0, NULL);
	vrp_log_record r = { 0 };
	bool ok = json_is_object(record) && vrp_redact_json(record) &&
		  (r.timestamp = get_string(record, "timestamp")) &&
		  level_of(get_string(record, "level"), &r.level);
	int stop = 0;
	if (ok) {
		r.logger = get_string(record, "logger");
		r.message = get_string(record, "message");
		r.func = get_string(record, "func");
		r.line = (int)json_integer_value(json_object_get(record, "line"));
		r.correlation_id = get_string(record, "correlation_id");
	}
	if (ok && matches(filter, &r)) {
		char *context = json_dumps(json_object_get(record, "context"), JSON_COMPACT);
		char *json = json_dumps(record, JSON_COMPACT);
		r.context = context;
		r.json = json;
		stop = json ? fn(ctx, &r) : vrp_error_oom();
		free(context);
		free(json);
	}
	json_decref(record);
	return stop;
}

static int read_file(const char *path, const vrp_log_filter *filter, vrp_log_record_fn fn,
		     void *ctx)
{
	FILE *f = fopen(path, "re");
	if (!f) /* rotated away or pruned since it was listed */
		return errno == ENOENT
			       ? 0
			       : vrp_error_from_errno(errno, "cannot read the log %s", path);
	char *line = NULL;
	size_t size = 0;
	int stop = 0;
	while (!stop && getline(&line, &size, f) >= 0)
		stop = read_line(line, filter, fn, ctx);
	free(line);
	fclose(f);
	return stop;
}

static int resolve_dir(const char *dir, char **out)
{
	if (!dir)
		dir = vrp_log_dir();
	if (!dir)
		return vrp_log_default_dir(out);
	*out = strdup(dir);
	return *out ? 0 : vrp_error_oom();
}

int vrp_log_read(const char *dir, const vrp_log_filter *filter, vrp_log_record_fn fn, void *ctx)
{
	char *resolved = NULL;
	int rc = resolve_dir(dir, &resolved);
	char **files = NULL;
	size_t count = 0;
	if (rc == 0 && vrp_log_files(resolved, &files, &count) < 0)
		rc = vrp_error_from_errno(errno, "cannot list the log directory %s", resolved);
	for (size_t i = 0; rc == 0 && i < count; i++)
		rc = read_file(files[i], filter, fn, ctx);
	vrp_log_files_free(files, count);
	free(resolved);
	return rc;
}
