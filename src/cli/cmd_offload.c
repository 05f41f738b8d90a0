/* cmd_offload.c - `vrp offload` (free local space) and `vrp get` (bring the audio back). */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

const char offload_usage[] =
	"usage: vrp offload [--older-than DURATION] [--tag X] [--dry-run] [ID...]\n\n"
	"Removes the local audio of each recording that has at least offload.numcopies\n"
	"copies on trusted remotes whose sha256 was proven by `vrp verify --remote`\n"
	"within verify.max_age; a copy whose proof is older (or missing) is verified\n"
	"first. Otherwise the recording is refused, and the reason says which copies\n"
	"count. Metadata, tags, transcripts and derived assets stay; the recording's\n"
	"status shows as offloaded, and `vrp get` (or any reader of its audio) fetches\n"
	"it back. Without IDs, every active or archived recording is considered.\n\n"
	"  --older-than DURATION  only recordings made more than DURATION ago (30d, 2w)\n"
	"  --tag X                only recordings tagged X\n"
	"  --dry-run              say what would be freed; remove nothing\n\n"
	"Exit status: 0 when nothing was refused, 65 when some recording was.\n";

const char get_usage[] =
	"usage: vrp get [--repair] ID...\n\n"
	"Fetches each offloaded recording back from the best remote (trusted, proven\n"
	"copies first; a folder before a server before a cloud), checks its sha256,\n"
	"and makes it local again.\n\n"
	"  --repair   also restore a recording whose local file is missing or damaged\n";

struct offload_args {
	vrp_offload_options o;
	bool repair;
};

static void on_item(void *ctx, const vrp_offload_item *item)
{
	const struct cli *cli = ctx;
	const char *outcome = vrp_offload_outcome_to_string(item->outcome);
	if (cli->json) {
		json_t *o =
			json_pack("{s:I, s:s, s:I}", "recording_id", (json_int_t)item->recording_id,
				  "outcome", outcome, "filesize_bytes", (json_int_t)item->bytes);
		json_object_set_new(o, "copies",
				    item->copies && *item->copies ? json_string(item->copies)
								  : json_null());
		json_object_set_new(o, "error",
				    item->error ? json_pack("{s:s, s:s}", "code",
							    vrp_error_code_name(item->error),
							    "message", item->message)
						: json_null());
		cli_print_json(o);
		return;
	}
	char size[CLI_SHORT_LEN];
	cli_format_size(item->bytes, size);
	if (item->outcome == VRP_OFFLOAD_REFUSED)
		printf("refused    %-6lld %s\n", (long long)item->recording_id, item->message);
	else if (item->outcome == VRP_OFFLOAD_ALREADY)
		printf("already    %-6lld offloaded before\n", (long long)item->recording_id);
	else
		printf("%-10s %-6lld %s; copies: %s\n",
		       item->outcome == VRP_OFFLOAD_FREED ? "offloaded" : "would-free",
		       (long long)item->recording_id, size, item->copies);
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct offload_args *a = ctx;
	switch (c) {
	case 'o':
		if (vrp_duration_parse(arg, &a->o.older_than_s) < 0)
			return cli_usage_error(cli, "--older-than: %s", vrp_error_last()->message);
		return 0;
	case 't':
		a->o.tag = arg;
		return 0;
	case 'n':
		a->o.dry_run = true;
		return 0;
	default:
		a->repair = true;
		return 0;
	}
}

static void print_summary(const struct cli *cli, const vrp_offload_summary *s, bool dry_run)
{
	char size[CLI_SHORT_LEN];
	cli_format_size(s->bytes_freed, size);
	if (cli->json) {
		cli_print_json(json_pack("{s:{s:I, s:I, s:I, s:I, s:b}}", "summary", "freed",
					 (json_int_t)s->freed, "refused", (json_int_t)s->refused,
					 "already", (json_int_t)s->already, "bytes_freed",
					 (json_int_t)s->bytes_freed, "dry_run", dry_run));
		return;
	}
	if (cli->verbosity >= 0)
		fprintf(stderr, "%s %lld %s (%s), refused %lld, already offloaded %lld\n",
			dry_run ? "would free" : "freed", (long long)s->freed,
			cli_plural(s->freed, "recording", "recordings"), size,
			(long long)s->refused, (long long)s->already);
}

int cmd_offload(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "tag", required_argument, NULL, 't' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "offload", "h", options, offload_usage,
						     on_option };
	struct offload_args a = { .o = { .on_item = on_item, .ctx = cli } };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	int64_t *ids = NULL;
	size_t count = 0;
	status = cli_resolve_ids(cli, lib, argc - optind, argv + optind, &ids, &count);
	a.o.ids = count ? ids : NULL;
	a.o.id_count = count;
	vrp_offload_summary summary = { 0 };
	int rc = status ? 0 : vrp_offload(lib, &a.o, &summary);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (!status) {
		print_summary(cli, &summary, a.o.dry_run);
		if (summary.refused)
			status = vrp_error_exit_status(VRP_ECHECKSUM);
	}
	free(ids);
	vrp_library_free(lib);
	return status;
}

static int get_one(struct cli *cli, vrp_library *lib, int64_t id, bool repair)
{
	char *remote = NULL;
	int rc = vrp_fetch(lib, id, repair ? VRP_FETCH_REPAIR : 0, &remote);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_print_json(json_pack("{s:I, s:s, s:o}", "recording_id", (json_int_t)id,
					 "outcome",
					 remote ? (repair ? "repaired" : "fetched") : "local",
					 "remote", remote ? json_string(remote) : json_null()));
	else if (remote)
		printf("%-9s %-6lld from %s\n", repair ? "restored" : "fetched", (long long)id,
		       remote);
	else
		printf("local     %-6lld already here and whole\n", (long long)id);
	free(remote);
	return 0;
}

int cmd_get(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "repair", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "get", "h", options, get_usage, on_option };
	struct offload_args a = { 0 };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (optind >= argc)
		return cli_usage_error(cli, "give the IDs of the recordings to fetch");
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	int64_t *ids = NULL;
	size_t count = 0;
	status = cli_resolve_ids(cli, lib, argc - optind, argv + optind, &ids, &count);
	for (size_t i = 0; i < count; i++) {
		int one = get_one(cli, lib, ids[i], a.repair);
		status = status ? status : one;
	}
	free(ids);
	vrp_library_free(lib);
	return status;
}
