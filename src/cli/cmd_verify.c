/* cmd_verify.c - `vrp verify`: re-hash recordings, find orphaned and stale files. */
#include "cli.h"
#include "verify_remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char verify_usage[] =
	"usage: vrp verify [--all | ID...] [--fix] [--incremental] [--time-limit DURATION]\n"
	"       vrp verify --remote NAME [--incremental] [--time-limit DURATION] [--download]\n"
	"                  [ID...]\n\n"
	"Re-hashes each recording's file and compares it with the stored sha256,\n"
	"marking the recording ok, missing or corrupt. Without IDs (or with --all)\n"
	"it also reports files in recordings/raw/ that no recording owns, and\n"
	"temporary files left in tmp/ by an interrupted import. Each recording's\n"
	"derived assets are checked too: every row's file is there with its size,\n"
	"and every file under derived/ has a row.\n\n"
	"An offloaded recording (`vrp offload`) has no local file and is fine.\n\n"
	"  --fix   remove those abandoned temporary files and asset files no row\n"
	"          names, make missing or damaged assets again from the audio, and\n"
	"          restore a missing or damaged recording from a verified remote copy\n\n"
	"  --incremental          continue after the recording where the last pass\n"
	"                         stopped (the stray-file scans run at a pass's end)\n"
	"  --time-limit DURATION  stop cleanly after this long (90s, 15m, 2h)\n\n"
	"With --remote, proves each copy on remote NAME against the catalogue's sha256\n"
	"by the remote's own hash (Drive sha256, OneDrive QuickXorHash, SFTP exec), by\n"
	"a streamed download with --download, else by size only (weaker; it does not\n"
	"count for offload). A missing or damaged copy is reported, stops counting,\n"
	"and is queued for upload again.\n"
	"  --incremental          continue where the last pass stopped (from the start\n"
	"                         once a pass completed)\n"
	"  --time-limit DURATION  stop cleanly after this long (90s, 15m, 2h)\n"
	"  --download             hash a download even when the remote has a hash\n\n"
	"Exit status: 0 when everything is whole, 65 when anything is wrong.\n";

static void on_item(void *ctx, const vrp_verify_item *item)
{
	const struct cli *cli = ctx;
	const char *finding = vrp_verify_finding_to_string(item->finding);
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:s}", "finding", finding, "path", item->path);
		json_object_set_new(o, "recording_id",
				    item->recording_id ? json_integer(item->recording_id)
						       : json_null());
		json_object_set_new(o, "error",
				    item->error ? json_pack("{s:s, s:s}", "code",
							    vrp_error_code_name(item->error),
							    "message", item->message)
						: json_null());
		json_object_set_new(o, "fixed", json_boolean(item->fixed));
		cli_print_json(o);
		return;
	}
	if (item->finding == VRP_VERIFY_OK || item->finding == VRP_VERIFY_OFFLOADED) {
		if (cli->verbosity > 0 || item->fixed)
			printf("%-11s %-6lld %s%s%s\n", finding, (long long)item->recording_id,
			       item->path, item->message ? ": " : "",
			       item->message ? item->message : "");
		return;
	}
	char id[24] = "-";
	if (item->recording_id)
		snprintf(id, sizeof(id), "%lld", (long long)item->recording_id);
	printf("%-11s %-6s %s [%s]\n", finding, id, item->message,
	       vrp_error_code_name(item->error));
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct verify_args *a = ctx;
	switch (c) {
	case 'f':
		a->fix = true;
		return 0;
	case 'a':
		a->all = true;
		return 0;
	case 'r':
		a->remote = arg;
		return 0;
	case 'i':
		a->incremental = true;
		return 0;
	case 'd':
		a->download = true;
		return 0;
	default:
		if (vrp_duration_parse(arg, &a->time_limit_s) < 0)
			return cli_usage_error(cli, "--time-limit: %s", vrp_error_last()->message);
		a->time_limited = true;
		return 0;
	}
}

static int parse(struct cli *cli, int argc, char **argv, struct verify_args *a)
{
	static const struct option options[] = {
		{ "fix", no_argument, NULL, 'f' },
		{ "all", no_argument, NULL, 'a' },
		{ "remote", required_argument, NULL, 'r' },
		{ "incremental", no_argument, NULL, 'i' },
		{ "time-limit", required_argument, NULL, 't' },
		{ "download", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "verify", "h", options, verify_usage,
						     on_option };
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	if (a->all && optind < argc)
		return cli_usage_error(cli, "give either --all or IDs, not both");
	if (!a->remote && (a->incremental || a->time_limited || a->download))
		return cli_usage_error(
			cli, "--incremental, --time-limit and --download go with --remote");
	if (a->remote && a->fix)
		return cli_usage_error(cli, "--fix checks the library; give it without --remote");
	return 0;
}

static void print_summary(const struct cli *cli, const vrp_verify_summary *s)
{
	if (cli->json) {
		json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "checked",
				      (json_int_t)s->checked, "ok", (json_int_t)s->ok, "missing",
				      (json_int_t)s->missing, "corrupt", (json_int_t)s->corrupt,
				      "unreadable", (json_int_t)s->unreadable, "orphan_files",
				      (json_int_t)s->orphan_files, "stale_temps",
				      (json_int_t)s->stale_temps, "fixed", (json_int_t)s->fixed);
		json_object_set_new(o, "offloaded", json_integer(s->offloaded));
		json_object_set_new(o, "stopped", json_boolean(s->stopped));
		json_object_update_new(o,
				       json_pack("{s:I, s:I, s:I, s:I}", "assets_checked",
						 (json_int_t)s->assets_checked, "assets_missing",
						 (json_int_t)s->assets_missing, "assets_mismatched",
						 (json_int_t)s->assets_mismatched, "orphan_assets",
						 (json_int_t)s->orphan_assets));
		cli_print_json(json_pack("{s:o}", "summary", o));
		return;
	}
	if (cli->verbosity < 0)
		return;
	fprintf(stderr,
		"checked %lld: %lld ok, %lld missing, %lld corrupt, %lld unreadable; %lld orphan "
		"%s; %lld stale temporary %s\n",
		(long long)s->checked, (long long)s->ok, (long long)s->missing,
		(long long)s->corrupt, (long long)s->unreadable, (long long)s->orphan_files,
		cli_plural(s->orphan_files, "file", "files"), (long long)s->stale_temps,
		cli_plural(s->stale_temps, "file", "files"));
	if (s->assets_checked || s->orphan_assets)
		fprintf(stderr, "assets %lld: %lld missing, %lld damaged, %lld orphan\n",
			(long long)s->assets_checked, (long long)s->assets_missing,
			(long long)s->assets_mismatched, (long long)s->orphan_assets);
	if (s->offloaded)
		fprintf(stderr, "offloaded %lld (on remotes only, as intended)\n",
			(long long)s->offloaded);
	if (s->fixed)
		fprintf(stderr, "fixed %lld\n", (long long)s->fixed);
	if (s->stopped)
		fprintf(stderr,
			"stopped at the time limit; `vrp verify --incremental` continues\n");
}

int cmd_verify(struct cli *cli, int argc, char **argv)
{
	struct verify_args a = { 0 };
	int status = parse(cli, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	int64_t *ids = NULL;
	size_t count = 0;
	status = cli_resolve_ids(cli, lib, argc - optind, argv + optind, &ids, &count);
	if (a.remote) {
		status = status ? status : cli_verify_remote(cli, lib, &a, ids, count);
		free(ids);
		vrp_library_free(lib);
		return status;
	}
	vrp_verify_options o = { .ids = count ? ids : NULL,
				 .id_count = count,
				 .incremental = a.incremental,
				 .time_limit_ms = a.time_limit_s * 1000,
				 .fix = a.fix,
				 .on_item = on_item,
				 .ctx = cli };
	vrp_verify_summary summary = { 0 };
	int rc = status ? 0 : vrp_verify(lib, &o, &summary);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (!status) {
		print_summary(cli, &summary);
		if (vrp_verify_summary_has_problems(&summary))
			status = vrp_error_exit_status(VRP_ECHECKSUM);
	}
	free(ids);
	vrp_library_free(lib);
	return status;
}
