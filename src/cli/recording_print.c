/*
 * recording_print.c - a recording for humans: one "field: value" line per
 * field of the data model (what `show` and `edit` print).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_WIDTH 24 /* "created_by_app_version: " */

static void key(const char *name)
{
	printf("%s:%*s", name, (int)(KEY_WIDTH - 1 - strlen(name)), "");
}

static void text_line(const char *name, const char *value)
{
	key(name);
	if (value)
		cli_put_escaped(stdout, value, false);
	else
		fputs("-", stdout);
	fputc('\n', stdout);
}

/* A description may run over several lines; each goes under the first. */
static void multiline(const char *name, const char *value)
{
	key(name);
	for (const char *p = value; *p; p++) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *line = strndup(p, n);
		if (line)
			cli_put_escaped(stdout, line, false);
		free(line);
		p += n;
		if (!*p)
			break;
		printf("\n%*s", KEY_WIDTH, "");
	}
	fputc('\n', stdout);
}

static void int_line(const char *name, int64_t value, const char *unit)
{
	key(name);
	if (value > 0)
		printf("%lld%s\n", (long long)value, unit);
	else
		puts("-");
}

void cli_print_recording(const vrp_recording *rec)
{
	char shortform[CLI_SHORT_LEN];
	printf("%s:%*s%lld\n", "id", KEY_WIDTH - 3, "", (long long)rec->id);
	text_line("uuid", rec->uuid);
	text_line("title", rec->title);
	multiline("description", rec->description ? rec->description : "");
	text_line("original_filename", rec->original_filename);
	text_line("stored_filename", rec->stored_filename);
	text_line("local_path", rec->local_path);
	cli_format_duration(rec->duration, shortform);
	key("duration");
	printf("%.3f s (%s)\n", rec->duration, shortform);
	cli_format_size(rec->filesize_bytes, shortform);
	key("filesize_bytes");
	printf("%lld (%s)\n", (long long)rec->filesize_bytes, shortform);
	text_line("mime_type", rec->mime_type);
	text_line("codec", rec->codec);
	int_line("sample_rate", rec->sample_rate, " Hz");
	int_line("channels", rec->channels, "");
	int_line("bit_depth", rec->bit_depth, "");
	text_line("checksum", rec->checksum);
	text_line("status", vrp_recording_status_to_string(rec->status));
	text_line("offloaded_at", rec->offloaded_at);
	text_line("deleted_at", rec->deleted_at);
	text_line("retention_policy", rec->retention_policy);
	text_line("ingest_source", rec->ingest_source);
	text_line("created_by_app_version", rec->created_by_app_version);
	if (rec->recorded_at) {
		key("recorded_at");
		printf("%s (from %s)\n", rec->recorded_at,
		       !rec->recorded_at_source ? "?"
		       : !strcmp(rec->recorded_at_source, "container")
			       ? "the container creation date"
		       : !strcmp(rec->recorded_at_source, "bwf")   ? "the BWF origination date"
		       : !strcmp(rec->recorded_at_source, "mtime") ? "the file modification time"
								   : "the import time");
	}
	text_line("created_at", rec->created_at);
	text_line("modified_at", rec->modified_at);
	text_line("integrity", vrp_integrity_to_string(rec->integrity));
	text_line("verified_at", rec->verified_at);
	key("tags");
	for (size_t i = 0; i < rec->tag_count; i++) {
		fputs(i ? ", " : "", stdout);
		cli_put_escaped(stdout, rec->tags[i], false);
	}
	fputs(rec->tag_count ? "\n" : "-\n", stdout);
}
