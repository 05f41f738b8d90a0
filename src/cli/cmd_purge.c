/* cmd_purge.c - `vrp purge`: delete recordings for good, after confirmation. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static bool confirmed(const struct cli *cli, const char *what, bool yes)
{
	if (yes || !isatty(STDIN_FILENO))
		return true;
	fprintf(stderr, "%s: permanently delete %s, files included? [y/N] ", cli->prog, what);
	char answer[16] = "";
	if (!fgets(answer, sizeof(answer), stdin))
		return false;
	return answer[0] == 'y' || answer[0] == 'Y';
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

static int purge_ids(struct cli *cli, vrp_library *lib, int argc, char **argv, bool yes)
{
	int64_t *ids = NULL;
	size_t count = 0;
	int status = cli_resolve_ids(cli, lib, argc, argv, &ids, &count);
	char what[64];
	snprintf(what, sizeof(what), "%zu recording(s)", count);
	if (status == 0 && !confirmed(cli, what, yes))
		status = cli_usage_error(cli, "nothing purged");
	for (size_t i = 0; status == 0 && i < count; i++) {
		int rc = vrp_purge_recording(lib, ids[i]);
		report(cli, ids[i], rc);
		if (rc < 0)
			status = vrp_error_exit_status(rc);
	}
	free(ids);
	return status;
}

/* The retention policy as a cut-off: now minus the configured days. */
static int expiry_cutoff(struct cli *cli, char out[32])
{
	vrp_config *config = NULL;
	long days = -1;
	int rc = vrp_config_load(&config, NULL);
	if (rc == 0)
		rc = vrp_config_get_int(config, "retention", "purge_deleted_after_days", -1, &days);
	vrp_config_free(config);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (days < 0)
		return cli_usage_error(cli, "no retention policy: set purge_deleted_after_days "
					    "under [retention] in the config file");
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
	if (a.expired && (status = expiry_cutoff(cli, cutoff)))
		return status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	if (!a.before && !a.expired) {
		status = purge_ids(cli, lib, argc - optind, argv + optind, a.yes);
	} else {
		const char *before = a.expired ? cutoff : a.before;
		char what[96];
		snprintf(what, sizeof(what), "every recording deleted before %s", before);
		int64_t purged = 0;
		if (!confirmed(cli, what, a.yes)) {
			status = cli_usage_error(cli, "nothing purged");
		} else {
			int rc = vrp_purge_deleted_before(lib, before, a.expired, on_each, cli,
							  &purged);
			status = rc < 0 ? cli_fail(cli, rc) : 0;
			if (rc == 0 && !cli->json)
				cli_say(cli, "%lld recording(s) purged\n", (long long)purged);
		}
	}
	vrp_library_free(lib);
	return status;
}
