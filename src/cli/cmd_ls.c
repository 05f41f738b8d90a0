/* cmd_ls.c - `vrp ls`: one page of recordings, filtered and sorted, as a table or JSON Lines. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char ls_usage[] =
	"usage: vrp ls [FILTERS] [--sort KEY] [--reverse] [--limit N] [--cursor ID]\n"
	"\n"
	"Lists recordings (active and archived unless --status says otherwise).\n"
	"\n"
	"Filters (all must hold):\n"
	"  --status S[,S...]     active, archived, deleted or all (repeatable)\n"
	"  --tag NAME            carrying this tag (case-insensitive)\n"
	"  --since DATE          created at or after DATE (YYYY-MM-DD or ISO time, UTC\n"
	"                        unless an offset is given)\n"
	"  --until DATE          created before DATE; a bare date includes that day\n"
	"  --by recorded|created which date --since, --until and the default sort\n"
	"                        use: when it was recorded (the container's date, else\n"
	"                        the file's mtime) or imported (created, the default)\n"
	"  --min-duration SECS   at least this long\n"
	"  --max-duration SECS   at most this long\n"
	"  --mime TYPE           exact MIME type, e.g. audio/mp4\n"
	"  --remote NAME         known to this remote; with --sync-status STATUS, in\n"
	"                        that state there (unsynced, queued, syncing, synced,\n"
	"                        failed, quota_exceeded, conflict)\n"
	"  --integrity S[,S...]  unverified, ok, missing or corrupt (repeatable)\n"
	"\n"
	"Order and paging:\n"
	"  --sort KEY     created (newest first, the default), recorded (newest\n"
	"                 first), title (A to Z), duration (longest first) or size\n"
	"                 (largest first)\n"
	"  -r, --reverse  the opposite order\n"
	"  --limit N      recordings per page (default 50, at most 1000)\n"
	"  --cursor ID    continue after recording ID (the last one of the previous\n"
	"                 page); when more remain, a `more:` line on stderr says how\n";

struct ls_args {
	vrp_recording_filter filter;
	bool reverse;
	bool by_recorded, sorted;
	char since[CLI_TIME_LEN];
	char until[CLI_TIME_LEN];
};

static const char *const status_names[] = { "active", "archived", "deleted" };
static const char *const integrity_names[] = { "unverified", "ok", "missing", "corrupt" };
static const char *const sort_names[] = { "created", "title", "duration", "size", "recorded" };
/* The natural order of each sort: newest, A to Z, longest, largest first, newest. */
static const bool sort_descending[] = { true, false, true, true, true };

#define COUNT(a) (sizeof(a) / sizeof(*(a)))

static int name_index(const char *const *names, size_t count, const char *text, size_t len)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(names[i]) == len && strncmp(names[i], text, len) == 0)
			return (int)i;
	return -1;
}

/* ORs into `*mask` the bits of a comma list of names ("all" allowed when `all` != 0). */
static int parse_set(struct cli *cli, const char *option, const char *list,
		     const char *const *names, size_t count, unsigned all, unsigned *mask)
{
	const char *p = list;
	do {
		size_t len = strcspn(p, ",");
		int i = name_index(names, count, p, len);
		if (i >= 0)
			*mask |= 1u << i;
		else if (all && len == 3 && strncmp(p, "all", 3) == 0)
			*mask |= all;
		else
			return cli_usage_error(cli, "%s: unknown value '%.*s'", option, (int)len,
					       p);
		p += len;
	} while (*p++ == ',');
	return 0;
}

static int parse_number_options(struct cli *cli, int c, const char *arg, struct ls_args *a)
{
	long long n = 0;
	switch (c) {
	case 'd':
		if (!cli_parse_seconds(arg, &a->filter.min_duration))
			return cli_usage_error(cli, "--min-duration needs seconds, such as 90");
		return 0;
	case 'D':
		if (!cli_parse_seconds(arg, &a->filter.max_duration) || a->filter.max_duration <= 0)
			return cli_usage_error(cli, "--max-duration needs seconds above 0");
		return 0;
	case 'l':
		if (!cli_parse_int(arg, 1, VRP_LIST_MAX_LIMIT, &n))
			return cli_usage_error(cli, "--limit needs a number from 1 to %d",
					       VRP_LIST_MAX_LIMIT);
		a->filter.limit = (int)n;
		return 0;
	default:
		if (!cli_parse_int(arg, 1, INT64_MAX, &n))
			return cli_usage_error(cli, "--cursor needs a recording id");
		a->filter.cursor = n;
		return 0;
	}
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct ls_args *a = ctx;
	vrp_recording_filter *f = &a->filter;
	int i;
	switch (c) {
	case 's':
		return parse_set(cli, "--status", arg, status_names, COUNT(status_names), 0x7,
				 &f->statuses);
	case 'i':
		return parse_set(cli, "--integrity", arg, integrity_names, COUNT(integrity_names),
				 0, &f->integrities);
	case 't':
		if (f->tag)
			return cli_usage_error(cli, "--tag can be given once");
		f->tag = arg;
		return 0;
	case 'S':
		if (cli_parse_time(arg, false, a->since) < 0)
			return cli_usage_error(cli, "--since: '%s' is not a date (YYYY-MM-DD)",
					       arg);
		f->created_since = a->since;
		return 0;
	case 'U':
		if (cli_parse_time(arg, true, a->until) < 0)
			return cli_usage_error(cli, "--until: '%s' is not a date (YYYY-MM-DD)",
					       arg);
		f->created_until = a->until;
		return 0;
	case 'm':
		f->mime_type = arg;
		return 0;
	case 'R':
		f->remote = arg;
		return 0;
	case 'y':
		f->sync_status = arg;
		return 0;
	case 'o':
		if ((i = name_index(sort_names, COUNT(sort_names), arg, strlen(arg))) < 0)
			return cli_usage_error(cli,
					       "--sort: unknown key '%s' (created, recorded, "
					       "title, duration or size)",
					       arg);
		f->sort = (enum vrp_recording_sort)i;
		a->sorted = true;
		return 0;
	case 'b':
		if (strcmp(arg, "recorded") != 0 && strcmp(arg, "created") != 0)
			return cli_usage_error(cli, "--by: '%s' is not recorded or created", arg);
		a->by_recorded = !strcmp(arg, "recorded");
		return 0;
	case 'r':
		a->reverse = true;
		return 0;
	default:
		return parse_number_options(cli, c, arg, a);
	}
}

static int parse(struct cli *cli, int argc, char **argv, struct ls_args *a)
{
	static const struct option options[] = {
		{ "status", required_argument, NULL, 's' },
		{ "tag", required_argument, NULL, 't' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "min-duration", required_argument, NULL, 'd' },
		{ "max-duration", required_argument, NULL, 'D' },
		{ "mime", required_argument, NULL, 'm' },
		{ "remote", required_argument, NULL, 'R' },
		{ "sync-status", required_argument, NULL, 'y' },
		{ "integrity", required_argument, NULL, 'i' },
		{ "sort", required_argument, NULL, 'o' },
		{ "by", required_argument, NULL, 'b' },
		{ "reverse", no_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ "cursor", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "ls", "+rh", options, ls_usage, on_option };
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	if (optind < argc)
		return cli_usage_error(cli, "ls takes no arguments ('%s'); see vrp ls --help",
				       argv[optind]);
	if (a->filter.sync_status && !a->filter.remote)
		return cli_usage_error(cli, "--sync-status needs --remote NAME");
	vrp_recording_filter *f = &a->filter;
	if (a->by_recorded) {
		f->recorded_since = f->created_since;
		f->recorded_until = f->created_until;
		f->created_since = f->created_until = NULL;
		if (!a->sorted)
			f->sort = VRP_SORT_RECORDED;
	}
	a->filter.descending = sort_descending[a->filter.sort] != a->reverse;
	return 0;
}

/* Writes `arg` so a POSIX shell reads it back unchanged. */
static void put_shell_word(FILE *out, const char *arg)
{
	if (*arg && strspn(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
				"_-./:=,@+%") == strlen(arg)) {
		fputs(arg, out);
		return;
	}
	fputc('\'', out);
	for (const char *p = arg; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", out);
		else
			fputc(*p, out);
	}
	fputc('\'', out);
}

/* Whether `arg` is --cursor, --cursor=ID or an abbreviation getopt would accept. */
static bool is_cursor_option(const char *arg, bool *takes_next)
{
	size_t len = strcspn(arg, "=");
	*takes_next = arg[len] == '\0';
	return len >= 4 && strncmp(arg, "--cursor", len) == 0;
}

/* The command that fetches the next page, for humans and scripts alike. */
static void print_more(const struct cli *cli, int argc, char **argv, int64_t next)
{
	fputs("more: vrp", stderr);
	if (cli->library) {
		fputs(" --library ", stderr);
		put_shell_word(stderr, cli->library);
	}
	fputs(cli->json ? " --json ls" : " ls", stderr);
	for (int i = 1; i < argc; i++) {
		bool takes_next = false;
		if (is_cursor_option(argv[i], &takes_next)) {
			i += takes_next;
			continue;
		}
		fputc(' ', stderr);
		put_shell_word(stderr, argv[i]);
	}
	fprintf(stderr, " --cursor %lld\n", (long long)next);
}

int cmd_ls(struct cli *cli, int argc, char **argv)
{
	struct ls_args args = { .filter = { .limit = 0 } };
	int status = parse(cli, argc, argv, &args);
	if (status)
		return status < 0 ? 0 : status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	vrp_recording_list *list = NULL;
	int rc = vrp_recordings_list(lib, &args.filter, &list);
	if (rc < 0) {
		status = cli_fail(cli, rc);
	} else if (cli->json) {
		for (size_t i = 0; i < list->count; i++)
			cli_print_json(cli_recording_json(list->items[i]));
	} else {
		status = cli_print_recording_table(
			cli, list, args.by_recorded || args.filter.sort == VRP_SORT_RECORDED);
	}
	if (rc == 0 && status == 0 && list->next_cursor && cli->verbosity >= 0)
		print_more(cli, argc, argv, list->next_cursor);
	vrp_recording_list_free(list);
	vrp_library_free(lib);
	return status;
}
