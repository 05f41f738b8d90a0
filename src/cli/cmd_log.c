/* cmd_log.c - `vrp log`: read the diagnostic log; `vrp log bundle`: pack it for a bug report. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char log_usage[] =
	"usage: vrp log [--correlation ID] [--since DATE] [--until DATE] [--level LEVEL]\n"
	"               [--limit N]\n"
	"       vrp log bundle [--since DATE] [--correlation ID] FILE\n\n"
	"Prints the diagnostic log, oldest first (newest last), from the log directory\n"
	"($VRP_LOG_DIR, else [log] dir in the config file, else\n"
	"$XDG_STATE_HOME/vrp/logs). With --json: the records themselves, one a line.\n\n"
	"  --correlation ID   one operation's story: every record of that import run\n"
	"  --since DATE, --until DATE   at or after / before DATE (as for `vrp ls`)\n"
	"  --level LEVEL      only LEVEL and above: debug, info, warning, error\n"
	"  --limit N          only the newest N records (still oldest first), 1 to 100000\n\n"
	"`bundle` writes the records (by default those of the last 7 days) to FILE as\n"
	"gzip-compressed JSON Lines (read it with zcat), credentials removed and\n"
	"e-mail addresses masked, for you to attach to a bug report. Nothing is ever\n"
	"sent anywhere.\n";

struct log_args {
	vrp_log_filter filter;
	char since[CLI_TIME_LEN], until[CLI_TIME_LEN];
	long long limit; /* 0: every record */
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct log_args *a = ctx;
	switch (c) {
	case 'c':
		a->filter.correlation_id = arg;
		return 0;
	case 's':
	case 'u':
		if (cli_parse_time(arg, c == 'u', c == 's' ? a->since : a->until) < 0)
			return cli_usage_error(cli, "not a date or time: '%s'", arg);
		*(c == 's' ? &a->filter.since : &a->filter.until) = c == 's' ? a->since : a->until;
		return 0;
	case 'n': /* --limit */
		if (!cli_parse_int(arg, 1, 100000, &a->limit))
			return cli_usage_error(cli, "--limit needs a number from 1 to 100000");
		return 0;
	default: /* --level */
		if (vrp_log_level_from_string(arg, &a->filter.min_level) < 0 ||
		    a->filter.min_level == VRP_LOG_LEVEL_OFF)
			return cli_usage_error(cli, "--level is debug, info, warning or error");
		return 0;
	}
}

static int parse(struct cli *cli, int argc, char **argv, struct log_args *a)
{
	static const struct option options[] = {
		{ "correlation", required_argument, NULL, 'c' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "level", required_argument, NULL, 'l' },
		{ "limit", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "log", "h", options, log_usage, on_option };
	return cli_options(cli, &spec, argc, argv, a);
}

/* The record as printed: its JSON, or the human line; NULL when out of memory. */
static char *record_text(const struct cli *cli, const vrp_log_record *r)
{
	return cli->json ? strdup(r->json) : vrp_log_record_format(r);
}

static void put_record(const struct cli *cli, const char *text)
{
	if (cli->json)
		fputs(text, stdout);
	else
		cli_put_escaped(stdout, text, false);
	fputc('\n', stdout);
}

static int print_record(void *ctx, const vrp_log_record *r)
{
	const struct cli *cli = ctx;
	char *text = record_text(cli, r);
	if (!text)
		return VRP_ENOMEM;
	put_record(cli, text);
	free(text);
	return 0;
}

/* --limit N: the newest N records, kept in a ring as the log streams past. */
struct tail {
	const struct cli *cli;
	char **ring;
	size_t size, seen;
};

static int keep_record(void *ctx, const vrp_log_record *r)
{
	struct tail *t = ctx;
	char *text = record_text(t->cli, r);
	if (!text)
		return VRP_ENOMEM;
	size_t slot = t->seen++ % t->size;
	free(t->ring[slot]);
	t->ring[slot] = text;
	return 0;
}

static int print_tail(struct cli *cli, const struct log_args *a)
{
	struct tail t = { cli, calloc((size_t)a->limit, sizeof(char *)), (size_t)a->limit, 0 };
	if (!t.ring)
		return cli_out_of_memory(cli);
	int rc = vrp_log_read(NULL, &a->filter, keep_record, &t);
	size_t first = t.seen > t.size ? t.seen - t.size : 0;
	for (size_t i = first; rc == 0 && i < t.seen; i++)
		put_record(cli, t.ring[i % t.size]);
	for (size_t i = 0; i < t.size; i++)
		free(t.ring[i]);
	free(t.ring);
	return rc < 0 ? cli_fail(cli, rc) : 0;
}

/* Seven days ago, in the log's timestamp format. */
static void week_ago(char out[CLI_TIME_LEN])
{
	time_t then = time(NULL) - (time_t)7 * 24 * 60 * 60;
	struct tm tm;
	gmtime_r(&then, &tm);
	strftime(out, CLI_TIME_LEN, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
}

static int bundle(struct cli *cli, struct log_args *a, const char *file)
{
	if (!a->filter.since) {
		week_ago(a->since);
		a->filter.since = a->since;
	}
	int64_t records = 0;
	int rc = vrp_log_bundle(NULL, &a->filter, file, &records);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_print_json(json_pack("{s:o, s:I}", "bundle", cli_json_string(file), "records",
					 (json_int_t)records));
	else
		cli_say(cli, "%lld log %s written to %s (nothing was sent anywhere)\n",
			(long long)records, cli_plural(records, "record", "records"), file);
	return 0;
}

int cmd_log(struct cli *cli, int argc, char **argv)
{
	bool is_bundle = argc > 1 && !strcmp(argv[1], "bundle");
	if (is_bundle) {
		argc--;
		argv++;
	}
	struct log_args a = { 0 };
	int status = parse(cli, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (is_bundle && a.limit)
		return cli_usage_error(cli,
				       "log bundle takes --since and --correlation, not --limit");
	if (is_bundle && argc - optind != 1)
		return cli_usage_error(cli, "log bundle needs one FILE");
	if (is_bundle)
		return bundle(cli, &a, argv[optind]);
	if (optind < argc)
		return cli_usage_error(cli, "unknown argument '%s' for log", argv[optind]);
	if (a.limit)
		return print_tail(cli, &a);
	int rc = vrp_log_read(NULL, &a.filter, print_record, cli);
	return rc < 0 ? cli_fail(cli, rc) : 0;
}
