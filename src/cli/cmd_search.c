/* cmd_search.c - `vrp search QUERY...`: full-text search, best match first. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char search_usage[] =
	"usage: vrp search [--limit N] [--offset N] [--all] [--since DATE] [--until DATE]\n"
	"                  [--by recorded|created] [--sort match|date] [--] WORD...\n"
	"\n"
	"Finds recordings whose title, description or tags hold every WORD (the last\n"
	"may be the start of a word), or in which every WORD was said in one\n"
	"utterance (vrp transcribe), best match first. Quotes and operators are\n"
	"taken literally. Prints id, title and an excerpt with the matches marked\n"
	"(bold on a terminal unless NO_COLOR is set, else [brackets]), and for\n"
	"spoken words when they were said (12:34); with --json one object per hit\n"
	"{id, uuid, title, rank, snippet}, and for a transcript hit\n"
	"matches:[{field, start, end, excerpt}]; matches in the snippet and\n"
	"excerpts between [ and ].\n"
	"\n"
	"  --limit N   at most N hits (default 50, at most 1000)\n"
	"  --offset N  skip the first N hits\n"
	"  --all       include deleted recordings\n"
	"  --since DATE, --until DATE\n"
	"              only recordings dated at/after, before DATE (as `vrp ls`)\n"
	"  --by recorded|created\n"
	"              which date: recorded (the container's, else the file's\n"
	"              mtime) or created (the import time, the default)\n"
	"  --sort match|date\n"
	"              best match first (the default), or newest by that date\n";

/* Markers the catalogue's text never holds, swapped for bold or brackets when printed. */
#define MARK_OPEN  "\x01"
#define MARK_CLOSE "\x02"

struct search_args {
	vrp_search_options options;
	char *query;
	char since[CLI_TIME_LEN], until[CLI_TIME_LEN];
};

static int date_option(struct cli *cli, int c, const char *arg, struct search_args *a)
{
	if (c == 'S' || c == 'U') {
		if (cli_parse_time(arg, c == 'U', c == 'S' ? a->since : a->until) < 0)
			return cli_usage_error(cli, "--%s: '%s' is not a date (YYYY-MM-DD)",
					       c == 'S' ? "since" : "until", arg);
		if (c == 'S')
			a->options.since = a->since;
		else
			a->options.until = a->until;
		return 0;
	}
	if (c == 'b' && (!strcmp(arg, "recorded") || !strcmp(arg, "created"))) {
		a->options.by_recorded = !strcmp(arg, "recorded");
		return 0;
	}
	if (c == 's' && (!strcmp(arg, "match") || !strcmp(arg, "date"))) {
		a->options.sort_by_date = !strcmp(arg, "date");
		return 0;
	}
	return cli_usage_error(cli, "--%s: '%s' is not %s", c == 'b' ? "by" : "sort", arg,
			       c == 'b' ? "recorded or created" : "match or date");
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct search_args *a = ctx;
	long long n = 0;
	switch (c) {
	case 'l':
		if (!cli_parse_int(arg, 1, VRP_SEARCH_MAX_LIMIT, &n))
			return cli_usage_error(cli, "--limit needs a number from 1 to %d",
					       VRP_SEARCH_MAX_LIMIT);
		a->options.limit = (int)n;
		return 0;
	case 'o':
		if (!cli_parse_int(arg, 0, 1000000000, &n))
			return cli_usage_error(cli, "--offset needs a number of hits to skip");
		a->options.offset = (int)n;
		return 0;
	case 'a':
		a->options.include_deleted = true;
		return 0;
	default:
		return date_option(cli, c, arg, a);
	}
}

/* The words, joined by single spaces, into a->query. */
static int join_words(struct cli *cli, int count, char **words, struct search_args *a)
{
	size_t len = 1;
	for (int i = 0; i < count; i++)
		len += strlen(words[i]) + 1;
	a->query = malloc(len);
	if (!a->query)
		return cli_out_of_memory(cli);
	size_t used = 0;
	for (int i = 0; i < count; i++) {
		size_t n = strlen(words[i]);
		if (i)
			a->query[used++] = ' ';
		memcpy(a->query + used, words[i], n);
		used += n;
	}
	a->query[used] = '\0';
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct search_args *a)
{
	static const struct option options[] = {
		{ "limit", required_argument, NULL, 'l' },
		{ "offset", required_argument, NULL, 'o' },
		{ "all", no_argument, NULL, 'a' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "by", required_argument, NULL, 'b' },
		{ "sort", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* No "+": options may follow the words (`vrp search budget --limit 5`);
	 * a word that starts with '-' goes after `--`. */
	static const struct cli_option_spec spec = { "search", "h", options, search_usage,
						     on_option };
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	if (optind >= argc)
		return cli_usage_error(cli, "search needs words to look for");
	return join_words(cli, argc - optind, argv + optind, a);
}

/* The snippet with the markers made visible and everything else escaped;
 * line breaks become spaces, since a snippet is one line. */
static void put_snippet(const char *snippet, const char *open, const char *close)
{
	const char *p = snippet;
	while (*p) {
		size_t n = strcspn(p, MARK_OPEN MARK_CLOSE);
		char *segment = strndup(p, n);
		if (segment) {
			for (char *s = segment; *s; s++)
				if (*s == '\n' || *s == '\r' || *s == '\t')
					*s = ' ';
			cli_put_escaped(stdout, segment, false);
		}
		free(segment);
		p += n;
		if (*p)
			fputs(*p++ == MARK_OPEN[0] ? open : close, stdout);
	}
}

static json_t *matches_json(const vrp_search_hit *hit)
{
	json_t *array = json_array();
	for (size_t i = 0; array && i < hit->match_count; i++) {
		const vrp_search_match *m = &hit->matches[i];
		json_array_append_new(array, json_pack("{s:s, s:f, s:f, s:o}", "field", m->field,
						       "start", m->start, "end", m->end, "excerpt",
						       cli_json_string(m->excerpt)));
	}
	return array;
}

/* 12:34, or 1:02:03 past an hour: what a player's position shows. */
static void put_time(double seconds)
{
	long s = seconds > 0 ? (long)seconds : 0;
	if (s >= 3600)
		printf("%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		printf("%ld:%02ld", s / 60, s % 60);
}

static void print_hit(const struct cli *cli, const vrp_search_hit *hit, const vrp_recording *rec,
		      bool bold)
{
	if (cli->json) {
		json_t *o = json_pack(
			"{s:I, s:o, s:o, s:f, s:o}", "id", (json_int_t)hit->recording_id, "uuid",
			cli_json_string(rec->uuid), "title", cli_json_string(rec->title), "rank",
			hit->rank, "snippet", cli_json_string(hit->snippet));
		/* Only hits in a transcript say when: a text-field hit reads as it always did. */
		if (o && hit->match_count > 0)
			json_object_set_new(o, "matches", matches_json(hit));
		/* Times to 10 digits: 754.2, not 754.20000000000005 (ten digits keep the rank too).
		 */
		char *text = o ? json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII |
						       JSON_REAL_PRECISION(10))
			       : NULL;
		if (text)
			puts(text);
		free(text);
		json_decref(o);
		return;
	}
	printf("%lld  ", (long long)hit->recording_id);
	cli_put_escaped(stdout, *rec->title ? rec->title : "(untitled)", false);
	if (rec->status != VRP_RECORDING_ACTIVE)
		printf("  (%s)", vrp_recording_status_to_string(rec->status));
	const char *open = bold ? "\033[1m" : "[", *close = bold ? "\033[0m" : "]";
	/* A transcript-only hit's snippet is its first excerpt: printed once, with its time. */
	bool snippet_is_excerpt =
		hit->match_count > 0 && strcmp(hit->snippet, hit->matches[0].excerpt) == 0;
	if (!snippet_is_excerpt) {
		fputs("\n    ", stdout);
		put_snippet(hit->snippet, open, close);
	}
	for (size_t i = 0; i < hit->match_count; i++) {
		fputs("\n    ", stdout);
		put_time(hit->matches[i].start);
		fputs("  ", stdout);
		put_snippet(hit->matches[i].excerpt, open, close);
	}
	fputc('\n', stdout);
}

static int print_hits(const struct cli *cli, vrp_library *lib, const vrp_search_results *hits,
		      bool bold)
{
	if (hits->count == 0 && !cli->json)
		cli_say(cli, "no matches\n");
	for (size_t i = 0; i < hits->count; i++) {
		char id[24];
		snprintf(id, sizeof(id), "%lld", (long long)hits->items[i]->recording_id);
		vrp_recording *rec = NULL;
		int rc = vrp_recordings_find(lib, id, &rec);
		if (rc < 0)
			return cli_fail(cli, rc);
		print_hit(cli, hits->items[i], rec, bold);
		vrp_recording_free(rec);
	}
	return 0;
}

int cmd_search(struct cli *cli, int argc, char **argv)
{
	struct search_args args = { .query = NULL };
	int status = parse(cli, argc, argv, &args);
	if (status) {
		free(args.query);
		return status < 0 ? 0 : status;
	}
	bool bold = !cli->json && cli_use_color(STDOUT_FILENO);
	if (!cli->json) {
		args.options.highlight_open = MARK_OPEN;
		args.options.highlight_close = MARK_CLOSE;
	}
	vrp_library *lib = NULL;
	vrp_search_results *hits = NULL;
	status = cli_open_library(cli, 0, &lib);
	if (status == 0) {
		int rc = vrp_recordings_search(lib, args.query, &args.options, &hits);
		status = rc < 0 ? cli_fail(cli, rc) : print_hits(cli, lib, hits, bold);
	}
	vrp_search_results_free(hits);
	vrp_library_free(lib);
	free(args.query);
	return status;
}
