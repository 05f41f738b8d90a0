/*
 * recording_table.c - recordings as an aligned table for humans: id, when
 * created (UTC, to the minute), duration, size, status, title, tags.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Long titles would push the tags off the screen; the rest is in `vrp show`. */
#define TITLE_MAX 40

struct row {
	char id[24];
	char created[24];
	char duration[CLI_SHORT_LEN];
	char size[CLI_SHORT_LEN];
	const char *status;
	char *title; /* escaped, cut */
	char *tags;  /* escaped, ", " between */
};

static char *joined_tags(const vrp_recording *rec)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&buf, &len);
	if (!mem)
		return NULL;
	for (size_t i = 0; i < rec->tag_count; i++) {
		fputs(i ? ", " : "", mem);
		cli_put_escaped(mem, rec->tags[i], false);
	}
	if (fclose(mem) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int fill_row(const vrp_recording *rec, bool recorded, struct row *row)
{
	snprintf(row->id, sizeof(row->id), "%lld", (long long)rec->id);
	/* "2026-03-01T09:30:00.000Z" -> "2026-03-01 09:30" */
	const char *date = recorded ? rec->recorded_at : rec->created_at;
	snprintf(row->created, sizeof(row->created), "%.16s", date ? date : "");
	if (strlen(row->created) > 10)
		row->created[10] = ' ';
	cli_format_duration(rec->duration, row->duration);
	cli_format_size(rec->filesize_bytes, row->size);
	row->status = vrp_recording_status_to_string(rec->status);
	/* The audio is on remotes only: the one thing a reader of the list must not miss. */
	if (rec->offloaded_at)
		row->status = rec->status == VRP_RECORDING_ACTIVE     ? "offloaded"
			      : rec->status == VRP_RECORDING_ARCHIVED ? "archived,offloaded"
								      : "deleted,offloaded";
	char *title = cli_escape(rec->title);
	row->title = title ? cli_truncate(title, TITLE_MAX) : NULL;
	free(title);
	row->tags = joined_tags(rec);
	return row->title && row->tags ? 0 : -1;
}

struct widths {
	size_t id, duration, size, status, title;
};

static void widen(size_t *width, const char *text)
{
	size_t w = cli_display_width(text);
	if (w > *width)
		*width = w;
}

static void print_row(const struct widths *w, const char *id, const char *created,
		      const char *duration, const char *size, const char *status, const char *title,
		      const char *tags)
{
	printf("%*s  %-16s  %*s  %*s  ", (int)w->id, id, created, (int)w->duration, duration,
	       (int)w->size, size);
	cli_put_padded(stdout, status, w->status);
	fputs("  ", stdout);
	if (*tags) {
		cli_put_padded(stdout, title, w->title);
		printf("  %s\n", tags);
	} else {
		printf("%s\n", title);
	}
}

int cli_print_recording_table(const struct cli *cli, const vrp_recording_list *list, bool recorded)
{
	if (list->count == 0) {
		cli_say(cli, "no recordings\n");
		return 0;
	}
	struct row *rows = calloc(list->count, sizeof(*rows));
	int rc = rows ? 0 : -1;
	struct widths w = { 2, 8, 4, 6, 5 }; /* the headings' widths */
	for (size_t i = 0; rc == 0 && i < list->count; i++) {
		rc = fill_row(list->items[i], recorded, &rows[i]);
		if (rc == 0) {
			widen(&w.id, rows[i].id);
			widen(&w.duration, rows[i].duration);
			widen(&w.size, rows[i].size);
			widen(&w.status, rows[i].status);
			widen(&w.title, rows[i].title);
		}
	}
	if (rc == 0) {
		print_row(&w, "ID", recorded ? "RECORDED" : "CREATED", "DURATION", "SIZE", "STATUS",
			  "TITLE", "TAGS");
		for (size_t i = 0; i < list->count; i++)
			print_row(&w, rows[i].id, rows[i].created, rows[i].duration, rows[i].size,
				  rows[i].status, rows[i].title, rows[i].tags);
	}
	for (size_t i = 0; rows && i < list->count; i++) {
		free(rows[i].title);
		free(rows[i].tags);
	}
	free(rows);
	return rc < 0 ? cli_out_of_memory(cli) : 0;
}
