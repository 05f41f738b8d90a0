/* cmd_purge.c - `vrp purge`: delete recordings for good, after confirmation. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

const char purge_usage[] =
	"usage: vrp purge [--yes] ID...\n"
	"       vrp purge [--yes] --deleted-before DATE\n"
	"       vrp purge [--yes] --expired\n\n"
	"Removes recordings for good: the file, its derived assets and its row\n"
	"(an audit entry records it). `vrp rm` only marks a recording deleted;\n"
	"purge is the only command that deletes audio.\n\n"
	"  ID...                   these recordings, whatever their status\n"
	"  --deleted-before DATE   soft-deleted recordings deleted before DATE\n"
	"                          (YYYY-MM-DD or ISO-8601 UTC)\n"
	"  --expired               soft-deleted recordings older than the retention\n"
	"                          policy: [retention] purge_deleted_after_days in the\n"
	"                          config file; recordings whose retention_policy is\n"
	"                          \"keep\" are spared\n"
	"  -y, --yes               do not ask for confirmation (asked on a terminal)\n";

struct purge_args {
	const char *before;
	bool expired, yes;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct purge_args *a = ctx;
	(void)cli;
	if (c == 'b')
		a->before = arg;
	else if (c == 'e')
		a->expired = true;
	else /* --yes */
		a->yes = true;
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct purge_args *a)
{
	static const struct option options[] = {
		{ "deleted-before", required_argument, NULL, 'b' },
		{ "expired", no_argument, NULL, 'e' },
		{ "yes", no_argument, NULL, 'y' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "purge", "yh", options, purge_usage,
						     on_option };
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	int modes = (optind < argc) + (a->before != NULL) + a->expired;
	if (modes != 1)
		return cli_usage_error(cli, "purge needs exactly one of: IDs, --deleted-before "
					    "DATE, --expired");
	return 0;
}

/* Asks on a terminal (stdin); anything but y or yes is a no. */
static bool confirmed(const struct cli *cli, const char *what, bool yes)
{
	if (yes || !isatty(STDIN_FILENO))
		return true;
	fprintf(stderr, "%s: permanently delete %s, files included? [y/N] ", cli->prog, what);
	char answer[16] = "";
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	answer[strcspn(answer, "\r\n")] = '\0';
	return !strcasecmp(answer, "y") || !strcasecmp(answer, "yes");
}

/* Declining is the user's choice, not a failure: said on stderr, status unchanged. */
static void say_declined(const struct cli *cli)
{
	if (cli->verbosity >= 0)
		fprintf(stderr, "%s: nothing purged\n", cli->prog);
}

static void report(const struct cli *cli, int64_t id, int rc)
{
	if (rc < 0) {
		cli_fail(cli, rc);
		return;
	}
	if (cli->json)
		cli_print_json(json_pack("{s:I, s:s}", "id", (json_int_t)id, "status", "purged"));
	else
		cli_say(cli, "purged %lld\n", (long long)id);
}

static void on_each(void *ctx, const vrp_recording *rec, int error, const char *message)
{
	(void)message;
	report(ctx, rec->id, error);
}

/* A screenful: a sweep of thousands is summed up after these. */
#define PROMPT_LIST_MAX 20

/* On the terminal that is asked: each recording, and a warning for active ones. */
static void list_for_prompt(const struct cli *cli, const vrp_recording_list *recs)
{
	if (!isatty(STDIN_FILENO))
		return;
	size_t active = 0;
	for (size_t i = 0; i < recs->count; i++) {
		const vrp_recording *rec = recs->items[i];
		active += rec->status != VRP_RECORDING_DELETED;
		if (i == PROMPT_LIST_MAX)
			fprintf(stderr, "  ... and %zu more\n", recs->count - PROMPT_LIST_MAX);
		if (i >= PROMPT_LIST_MAX)
			continue;
		fprintf(stderr, "  %-6lld %-8s ", (long long)rec->id,
			vrp_recording_status_to_string(rec->status));
		cli_put_escaped(stderr, *rec->title ? rec->title : "(untitled)", false);
		fputc('\n', stderr);
	}
	if (active)
		fprintf(stderr,
			"%s: %zu of %s still active or archived (not deleted with `vrp rm`)\n",
			cli->prog, active, recs->count == 1 ? "it is" : "them are");
}

/* Like rm and restore: every id is tried, and the first failure is the exit status. */
static int purge_ids(struct cli *cli, vrp_library *lib, int argc, char **argv, bool yes)
{
	vrp_recording_list recs = { 0 };
	int status = cli_find_recordings(cli, lib, argc, argv, &recs);
	if (recs.count == 0) {
		cli_recordings_clear(&recs);
		return status;
	}
	char what[64];
	snprintf(what, sizeof(what), "%s%zu %s", recs.count == 1 ? "" : "these ", recs.count,
		 cli_plural((long long)recs.count, "recording", "recordings"));
	if (!yes)
		list_for_prompt(cli, &recs);
	bool go = confirmed(cli, what, yes);
	if (!go)
		say_declined(cli);
	for (size_t i = 0; go && i < recs.count; i++) {
		int rc = vrp_purge_recording(lib, recs.items[i]->id);
		report(cli, recs.items[i]->id, rc);
		if (rc < 0 && !status)
			status = vrp_error_exit_status(rc);
	}
	cli_recordings_clear(&recs);
	return status;
}

/* Names what it will purge when it asks: the same selection the sweep makes. */
static bool confirmed_sweep(struct cli *cli, vrp_library *lib, const char *before, bool by_policy,
			    bool yes, int *status)
{
	if (yes || !isatty(STDIN_FILENO))
		return true;
	vrp_recording_list *candidates = NULL;
	int rc = vrp_purge_candidates(lib, before, by_policy, &candidates);
	if (rc < 0) {
		*status = cli_fail(cli, rc);
		return false;
	}
	bool go = candidates->count == 0;
	if (!go) {
		char what[128];
		snprintf(what, sizeof(what), "the %zu %s deleted before %s", candidates->count,
			 cli_plural((long long)candidates->count, "recording", "recordings"),
			 before);
		list_for_prompt(cli, candidates);
		go = confirmed(cli, what, false);
		if (!go)
			say_declined(cli);
	}
	vrp_recording_list_free(candidates);
	return go;
}

static int purge_before(struct cli *cli, vrp_library *lib, const char *before, bool by_policy,
			bool yes)
{
	int status = 0;
	if (!confirmed_sweep(cli, lib, before, by_policy, yes, &status))
		return status;
	int64_t purged = 0;
	int rc = vrp_purge_deleted_before(lib, before, by_policy, on_each, cli, &purged);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (!cli->json)
		cli_say(cli, "%lld %s purged\n", (long long)purged,
			cli_plural(purged, "recording", "recordings"));
	return 0;
}

/* The retention policy as a cut-off: now minus the configured days. */
static int expiry_cutoff(struct cli *cli, vrp_library *lib, char out[32])
{
	long days = -1;
	int rc = vrp_settings_get_int(lib, "retention.purge_deleted_after_days", -1, &days);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (days < 0)
		return cli_usage_error(cli, "no retention policy: set one with `vrp config set "
					    "retention.purge_deleted_after_days DAYS`");
	time_t cutoff = time(NULL) - (time_t)days * 86400;
	struct tm tm;
	gmtime_r(&cutoff, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
	return 0;
}

int cmd_purge(struct cli *cli, int argc, char **argv)
{
	struct purge_args a = { 0 };
	int status = parse(cli, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	char cutoff[32];
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	if (a.expired && (status = expiry_cutoff(cli, lib, cutoff))) {
		vrp_library_free(lib);
		return status;
	}
	if (!a.before && !a.expired) {
		status = purge_ids(cli, lib, argc - optind, argv + optind, a.yes);
	} else {
		status = purge_before(cli, lib, a.expired ? cutoff : a.before, a.expired, a.yes);
	}
	vrp_library_free(lib);
	return status;
}
