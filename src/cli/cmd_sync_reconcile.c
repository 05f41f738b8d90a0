/* cmd_sync_reconcile.c - `vrp sync check` and `vrp sync pull`: the catalogue against a remote. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char check_usage[] =
	"usage: vrp sync check [--remote NAME]\n\n"
	"Compares what the catalogue says is on the remote (default: every remote)\n"
	"with the remote's listing under VoiceRecorderPro/, like `rclone check`:\n"
	"missing objects [ERR_REMOTE_NOT_FOUND], extra objects no recording maps to\n"
	"and size differences [ERR_CONFLICT], checksum differences\n"
	"[ERR_CHECKSUM_MISMATCH]. Missing recordings go back to unsynced and\n"
	"differing ones become 'conflict', so the next `vrp sync` uploads them again.\n"
	"An unmapped second copy of a recording is a duplicate, not extra.\n"
	"Exit status: 0 when the remote is in step, 65 when it is not.\n";

/* --remote NAME and --help; returns 0, or -1 after printing help, or a usage status. */
static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	(void)cli;
	(void)c;
	*(const char **)ctx = arg; /* --remote */
	return 0;
}

static int parse_remote(struct cli *cli, int argc, char **argv, const char *usage,
			const char **remote)
{
	static const struct option options[] = {
		{ "remote", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_option_spec spec = { argv[0], "+h", options, usage, on_option };
	int status = cli_options(cli, &spec, argc, argv, (void *)remote);
	if (status)
		return status;
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static void on_finding(void *ctx, const vrp_sync_check_item *item)
{
	const struct cli *cli = ctx;
	if (cli->json) {
		json_t *o =
			json_pack("{s:s, s:s}", "status", vrp_sync_check_kind_to_string(item->kind),
				  "remote", item->remote);
		json_object_set_new(o, "remote_path", cli_json_string(item->remote_path));
		json_object_set_new(o, "recording_id",
				    item->recording_id ? json_integer(item->recording_id)
						       : json_null());
		json_object_set_new(o, "local_size",
				    item->local_size >= 0 ? json_integer(item->local_size)
							  : json_null());
		json_object_set_new(o, "remote_size",
				    item->remote_size >= 0 ? json_integer(item->remote_size)
							   : json_null());
		json_object_set_new(o, "local_sha256", cli_json_string(item->local_sha256));
		json_object_set_new(o, "remote_checksum", cli_json_string(item->remote_checksum));
		json_object_set_new(o, "code",
				    item->code ? json_string(vrp_error_code_name(item->code))
					       : json_null());
		json_object_set_new(o, "message", cli_json_string(item->message));
		cli_print_json(o);
		return;
	}
	printf("%-10s %s ", vrp_sync_check_kind_to_string(item->kind), item->remote);
	cli_put_escaped(stdout, item->message, false);
	if (item->code)
		printf(" [%s]", vrp_error_code_name(item->code));
	putchar('\n');
}

static void check_summary(const struct cli *cli, const vrp_sync_check_summary *s)
{
	if (cli->json) {
		cli_print_json(json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "remotes",
			(json_int_t)s->remotes, "objects", (json_int_t)s->objects, "matched",
			(json_int_t)s->matched, "missing", (json_int_t)s->missing, "extra",
			(json_int_t)s->extra, "size_mismatch", (json_int_t)s->size_mismatch,
			"checksum_mismatch", (json_int_t)s->checksum_mismatch, "unverified",
			(json_int_t)s->unverified, "duplicates", (json_int_t)s->duplicates));
		return;
	}
	cli_say(cli,
		"%lld object(s) on %lld remote(s): %lld matching, %lld missing, %lld extra, "
		"%lld size mismatch(es), %lld checksum mismatch(es), %lld unverified, "
		"%lld duplicate(s)\n",
		(long long)s->objects, (long long)s->remotes, (long long)s->matched,
		(long long)s->missing, (long long)s->extra, (long long)s->size_mismatch,
		(long long)s->checksum_mismatch, (long long)s->unverified,
		(long long)s->duplicates);
}

int cmd_sync_check(struct cli *cli, int argc, char **argv)
{
	const char *remote = NULL;
	int status = parse_remote(cli, argc, argv, check_usage, &remote);
	if (status)
		return status < 0 ? 0 : status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	vrp_sync_check_summary s = { 0 };
	int rc = vrp_sync_check(lib, remote, on_finding, cli, &s);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else
		check_summary(cli, &s);
	if (rc == 0 && s.missing + s.extra + s.size_mismatch + s.checksum_mismatch > 0)
		status = vrp_error_exit_status(VRP_ECONFLICT);
	vrp_library_free(lib);
	return status;
}

const char pull_usage[] =
	"usage: vrp sync pull --remote NAME [-j N]\n\n"
	"Imports the recordings another device uploaded to the remote: every object\n"
	"under VoiceRecorderPro/ that no recording of this library maps to is\n"
	"downloaded, verified and imported like `vrp import` (ingest source\n"
	"cloud:NAME), then recorded as synced there. Content already in the library\n"
	"is a duplicate and is not imported again; content purged from this library\n"
	"is skipped as purged (`vrp import` a copy to bring it back on purpose).\n"
	"A recording keeps the title, description, tags, dates and original name\n"
	"the uploading library kept with it.\n\n"
	"  -j, --jobs N   downloads at once, 1-16 (default: the sync.concurrency\n"
	"                 setting, else 4)\n\n"
	"Exit status: 0 when nothing was rejected, 65 when some object was.\n";

struct pull_args {
	const char *remote;
	int jobs;
};

static int on_pull_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct pull_args *a = ctx;
	long long n = 0;
	if (c == 'R') {
		a->remote = arg;
		return 0;
	}
	if (!cli_parse_int(arg, 1, 16, &n))
		return cli_usage_error(cli, "--jobs must be a whole number from 1 to 16, not '%s'",
				       arg);
	a->jobs = (int)n;
	return 0;
}

static int parse_pull(struct cli *cli, int argc, char **argv, struct pull_args *a)
{
	static const struct option options[] = {
		{ "remote", required_argument, NULL, 'R' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_option_spec spec = { argv[0], "+hj:", options, pull_usage,
					      on_pull_option };
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	return 0;
}

struct pull_view {
	struct cli *cli;
	bool line; /* a progress line is drawn and must be cleared before other output */
	bool tty;
};

static void clear_line(struct pull_view *v)
{
	if (v->line)
		fputs("\r\033[K", stderr);
	v->line = false;
}

static void on_pull_progress(void *ctx, const vrp_sync_pull_progress *p)
{
	struct pull_view *v = ctx;
	if (!v->tty)
		return;
	char bytes[CLI_SHORT_LEN];
	cli_format_size(p->bytes, bytes);
	fprintf(stderr, "\rpull: %lld/%lld%s objects, %s downloaded, %lld downloading\033[K",
		(long long)p->done, (long long)p->listed, p->listing_done ? "" : "+", bytes,
		(long long)p->in_flight);
	v->line = true;
}

static void on_pulled(void *ctx, const vrp_sync_pull_item *item)
{
	struct pull_view *v = ctx;
	const struct cli *cli = v->cli;
	clear_line(v);
	const char *status = vrp_sync_pull_status_to_string(item->status);
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "status", status, "remote",
				      item->remote, "id", (json_int_t)item->recording_id, "bytes",
				      (json_int_t)item->bytes);
		json_object_set_new(o, "remote_path", cli_json_string(item->remote_path));
		json_object_set_new(o, "uuid", cli_json_string(item->uuid));
		if (item->code)
			json_object_set_new(o, "code",
					    json_string(vrp_error_code_name(item->code)));
		if (item->message)
			json_object_set_new(o, "message", cli_json_string(item->message));
		cli_print_json(o);
		return;
	}
	if (item->status == VRP_SYNC_PULL_REJECTED) {
		fprintf(stderr, "%s: ", cli->prog);
		cli_put_escaped(stderr, item->remote_path, false);
		fprintf(stderr, ": %s [%s]\n", item->message ? item->message : "",
			vrp_error_code_name(item->code));
		return;
	}
	if (cli->verbosity < 0)
		return;
	printf("%-10s %-6lld ", status, (long long)item->recording_id);
	cli_put_escaped(stdout, item->remote_path, false);
	if (item->status == VRP_SYNC_PULL_COMPRESSED && item->message)
		printf(" (%s)", item->message);
	putchar('\n');
}

int cmd_sync_pull(struct cli *cli, int argc, char **argv)
{
	struct pull_args a = { 0 };
	int status = parse_pull(cli, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (!a.remote)
		return cli_usage_error(cli, "sync pull needs --remote NAME");
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	long n = 0;
	int rc = a.jobs ? 0 : vrp_settings_get_int(lib, "sync.concurrency", 0, &n);
	if (rc == 0 && !a.jobs)
		a.jobs = n > 16 ? 16 : (int)n;
	struct pull_view view = {
		.cli = cli,
		.tty = !cli->json && cli->verbosity >= 0 && cli_terminal_escapes(STDERR_FILENO),
	};
	vrp_sync_pull_options options = {
		.jobs = a.jobs,
		.on_item = on_pulled,
		.progress = on_pull_progress,
		.ctx = &view,
	};
	vrp_sync_pull_summary s = { 0 };
	if (rc == 0)
		rc = vrp_sync_pull_with(lib, a.remote, &options, &s);
	clear_line(&view);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (s.rejected)
		status = vrp_error_exit_status(VRP_EUNSUPPORTED_MEDIA);
	if (!cli->json)
		cli_say(cli,
			"%lld pulled, %lld duplicate, %lld rejected, %lld already mapped, "
			"%lld purged, %lld compressed copies\n",
			(long long)s.pulled, (long long)s.duplicates, (long long)s.rejected,
			(long long)s.skipped, (long long)s.purged, (long long)s.compressed);
	vrp_library_free(lib);
	return status;
}
