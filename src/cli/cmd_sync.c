/* cmd_sync.c - `vrp sync [status]` and `vrp worker`: uploading recordings to remotes. */
#include "cli.h"
#include "sync_run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char sync_usage[] =
	"usage: vrp sync [--remote NAME] [--concurrency N] [--max-attempts N]\n"
	"                [--lease SECONDS] [--enqueue-only] [ID...]\n"
	"       vrp sync status [--remote NAME]\n"
	"       vrp sync check [--remote NAME]\n"
	"       vrp sync pull --remote NAME [-j N]\n\n"
	"Queues every recording (or each ID) not yet synced to the remote (default:\n"
	"every remote), then uploads until the queue is drained. Transient failures\n"
	"and rate limits are retried with backoff; an expired login pauses the\n"
	"remote (exit 77); a full remote stops uploads to it (exit 73); other\n"
	"failures exit 69 or 75. `vrp queue` shows and changes the queue.\n"
	"--enqueue-only: queue the uploads for `vrp worker` and return.\n"
	"--lease: how long a claimed task stays with this run without a sign of\n"
	"life (default 60); a killed run's tasks are taken over after it.\n";

const char worker_usage[] =
	"usage: vrp worker [--once] [--remote NAME] [--concurrency N] [--lease SECONDS]\n\n"
	"Runs the sync queue until SIGINT or SIGTERM, picking up new tasks as they\n"
	"are queued; in-flight transfers are handed back cleanly when it stops.\n"
	"When idle it runs the verification that is due (verify.local_interval,\n"
	"verify.remote_interval, each pass within verify.time_budget).\n\n"
	"  --once   drain the queue, run the verification that is due, and exit\n"
	"           (what `vrp schedule install` runs)\n";

struct sync_args {
	vrp_sync_options options;
	bool enqueue_only, once;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct sync_args *a = ctx;
	long long n = 0;
	if (c == 'e')
		a->enqueue_only = true;
	else if (c == 'o')
		a->once = true;
	else if (c == 'R')
		a->options.remote = arg;
	else if (c == 'c' && cli_parse_int(arg, 1, 64, &n))
		a->options.concurrency = (int)n;
	else if (c == 'm' && cli_parse_int(arg, 1, 1000, &n))
		a->options.max_attempts = (int)n;
	else if (c == 'l' && cli_parse_int(arg, 1, 86400, &n))
		a->options.lease_ms = n * 1000;
	else
		return cli_usage_error(cli, "--%s needs a whole number in range, not '%s'",
				       c == 'c'   ? "concurrency"
				       : c == 'm' ? "max-attempts"
						  : "lease",
				       arg);
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct sync_args *a, const char *usage)
{
	static const struct option options[] = {
		{ "remote", required_argument, NULL, 'R' },
		{ "concurrency", required_argument, NULL, 'c' },
		{ "max-attempts", required_argument, NULL, 'm' },
		{ "lease", required_argument, NULL, 'l' },
		{ "enqueue-only", no_argument, NULL, 'e' },
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const struct cli_option_spec spec = { argv[0], "+h", options, usage, on_option };
	return cli_options(cli, &spec, argc, argv, a);
}

/* What the command line leaves unsaid comes from the settings (`vrp config`). */
static int apply_settings(struct cli *cli, vrp_library *lib, vrp_sync_options *options)
{
	long n = 0;
	int rc = 0;
	if (!options->concurrency &&
	    (rc = vrp_settings_get_int(lib, "sync.concurrency", 0, &n)) == 0)
		options->concurrency = (int)n;
	if (rc == 0 && !options->max_attempts &&
	    (rc = vrp_settings_get_int(lib, "sync.max_attempts", 0, &n)) == 0)
		options->max_attempts = (int)n;
	return rc < 0 ? cli_fail(cli, rc) : 0;
}

static void say_summary(const struct cli *cli, const vrp_sync_summary *s)
{
	char bytes[CLI_SHORT_LEN];
	cli_format_size(s->bytes_uploaded, bytes);
	cli_say(cli, "synced %lld (%s), already there %lld, failed %lld", (long long)s->synced,
		bytes, (long long)s->already, (long long)s->failed);
	if (s->paused)
		cli_say(cli, ", paused by expired auth %lld", (long long)s->paused);
	if (s->quota)
		cli_say(cli, ", stopped by a full remote %lld", (long long)s->quota);
	if (s->released)
		cli_say(cli, ", handed back %lld", (long long)s->released);
	if (s->unavailable)
		cli_say(cli, ", remotes unavailable %lld", (long long)s->unavailable);
	if (s->deleted)
		cli_say(cli, ", remote copies of purged recordings deleted %lld",
			(long long)s->deleted);
	if (s->derived)
		cli_say(cli, ", recordings given their derived assets %lld", (long long)s->derived);
	if (s->derive_failed)
		cli_say(cli, ", derivations failed %lld (`vrp derive --queue`)",
			(long long)s->derive_failed);
	cli_say(cli, " (%lld retries)\n", (long long)s->retries);
}

/* With no remote there is nowhere to sync to: say how to add one rather than "synced 0". */
static int require_a_remote(const struct cli *cli, vrp_library *lib)
{
	vrp_remote_list *remotes = NULL;
	int rc = vrp_remotes_list(lib, &remotes);
	size_t count = rc == 0 ? remotes->count : 0;
	vrp_remote_list_free(remotes);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (count > 0)
		return 0;
	return cli_usage_error(cli, "no remote to sync to: add one first, e.g. `vrp remote add "
				    "NAME localdir path=DIR` (see `vrp remote --help`)");
}

static int sync_now(struct cli *cli, int argc, char **argv)
{
	struct sync_args a = { 0 };
	int status = parse(cli, argc, argv, &a, sync_usage);
	if (status)
		return status < 0 ? 0 : status;
	if (a.once)
		return cli_usage_error(cli, "--once is an option of `vrp worker`");
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	if (!a.options.remote && (status = require_a_remote(cli, lib))) {
		vrp_library_free(lib);
		return status;
	}
	int64_t *ids = NULL;
	size_t count = 0;
	status = cli_resolve_ids(cli, lib, argc - optind, argv + optind, &ids, &count);
	int64_t queued = 0;
	int rc = status ? 0
			: vrp_sync_enqueue_pending(lib, a.options.remote, count ? ids : NULL, count,
						   &queued);
	if (rc < 0)
		status = cli_fail(cli, rc);
	vrp_sync_summary summary = { 0 };
	if (!status && a.enqueue_only) {
		if (cli->json)
			cli_print_json(json_pack("{s:I}", "queued", (json_int_t)queued));
		else
			cli_say(cli, "queued %lld upload%s\n", (long long)queued,
				queued == 1 ? "" : "s");
		free(ids);
		vrp_library_free(lib);
		return 0;
	}
	if (!status)
		status = apply_settings(cli, lib, &a.options);
	if (!status)
		status = cli_sync_run(cli, lib, &a.options, &summary);
	if (!status || summary.worst_code || summary.released)
		say_summary(cli, &summary);
	free(ids);
	vrp_library_free(lib);
	return status;
}

static void print_problems(const vrp_sync_remote_report *r)
{
	for (size_t i = 0; i < r->problems->count; i++) {
		const vrp_recording_remote *p = r->problems->items[i];
		printf("  recording %lld %s: %s [%s] (%lld %s, at %s)\n",
		       (long long)p->recording_id, vrp_sync_status_to_string(p->sync_status),
		       p->error_message ? p->error_message : "", p->error_code ? p->error_code : "",
		       (long long)p->attempts, cli_plural(p->attempts, "attempt", "attempts"),
		       p->failed_at ? p->failed_at : "-");
	}
}

/* Every status and task state JSON has, so the counts add up in text too. */
static void print_report(const vrp_sync_remote_report *r)
{
	static const vrp_sync_status order[] = { VRP_SYNC_SYNCED,         VRP_SYNC_QUEUED,
						 VRP_SYNC_SYNCING,        VRP_SYNC_FAILED,
						 VRP_SYNC_QUOTA_EXCEEDED, VRP_SYNC_CONFLICT,
						 VRP_SYNC_UNSYNCED };
	printf("%s (%s):", r->remote, r->provider_key);
	for (size_t i = 0; i < sizeof(order) / sizeof(*order); i++)
		printf("%s %s %lld", i ? "," : "", vrp_sync_status_to_string(order[i]),
		       (long long)r->counts.by_status[order[i]]);
	printf("\n  tasks:");
	for (int t = 0; t < VRP_SYNC_TASK_STATE_COUNT; t++)
		printf("%s %s %lld", t ? "," : "",
		       vrp_sync_task_state_to_string((vrp_sync_task_state)t),
		       (long long)r->tasks.by_state[t]);
	printf("\n");
	print_problems(r);
}

static json_t *report_json(const vrp_sync_remote_report *r)
{
	json_t *o = json_pack("{s:s, s:s}", "remote", r->remote, "provider", r->provider_key);
	for (int s = 0; s < VRP_SYNC_STATUS_COUNT; s++)
		json_object_set_new(o, vrp_sync_status_to_string((vrp_sync_status)s),
				    json_integer(r->counts.by_status[s]));
	json_t *tasks = json_object(), *problems = json_array();
	for (int s = 0; s < VRP_SYNC_TASK_STATE_COUNT; s++)
		json_object_set_new(tasks, vrp_sync_task_state_to_string((vrp_sync_task_state)s),
				    json_integer(r->tasks.by_state[s]));
	for (size_t i = 0; i < r->problems->count; i++) {
		const vrp_recording_remote *p = r->problems->items[i];
		json_t *item =
			json_pack("{s:I, s:s, s:I}", "recording_id", (json_int_t)p->recording_id,
				  "sync_status", vrp_sync_status_to_string(p->sync_status),
				  "attempts", (json_int_t)p->attempts);
		json_object_set_new(item, "error_code", cli_json_string(p->error_code));
		json_object_set_new(item, "error_message", cli_json_string(p->error_message));
		json_object_set_new(item, "failed_at", cli_json_string(p->failed_at));
		json_array_append_new(problems, item);
	}
	json_object_set_new(o, "tasks", tasks);
	json_object_set_new(o, "problems", problems);
	return o;
}

static int sync_status(struct cli *cli, int argc, char **argv)
{
	struct sync_args a = { 0 };
	int status = parse(cli, argc, argv, &a, sync_usage);
	if (status)
		return status < 0 ? 0 : status;
	if (optind < argc)
		return cli_usage_error(cli, "sync status takes no arguments ('%s')", argv[optind]);
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, VRP_LIBRARY_READONLY, &lib)))
		return status;
	vrp_sync_report *report = NULL;
	int rc = vrp_sync_status_read(lib, a.options.remote, &report);
	if (rc < 0)
		status = cli_fail(cli, rc);
	for (size_t i = 0; rc == 0 && i < report->count; i++) {
		if (cli->json)
			cli_print_json(report_json(report->items[i]));
		else
			print_report(report->items[i]);
	}
	if (rc == 0 && report->count == 0)
		cli_say(cli, "no remotes: add one with `vrp remote add NAME TYPE ...`\n");
	vrp_sync_report_free(report);
	vrp_library_free(lib);
	return status;
}

int cmd_sync(struct cli *cli, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "status"))
		return sync_status(cli, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cmd_sync_check(cli, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "pull"))
		return cmd_sync_pull(cli, argc - 1, argv + 1);
	return sync_now(cli, argc, argv);
}

int cmd_worker(struct cli *cli, int argc, char **argv)
{
	struct sync_args a = { 0 };
	int status = parse(cli, argc, argv, &a, worker_usage);
	if (status)
		return status < 0 ? 0 : status;
	if (optind < argc)
		return cli_usage_error(cli, "worker takes no arguments ('%s')", argv[optind]);
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	a.options.forever = !a.once;
	a.options.poll_ms = 2000;
	vrp_sync_summary summary = { 0 };
	if ((status = apply_settings(cli, lib, &a.options))) {
		vrp_library_free(lib);
		return status;
	}
	status = cli_sync_run(cli, lib, &a.options, &summary);
	say_summary(cli, &summary);
	bool verified = false;
	int rc = a.once && !status ? vrp_verify_scheduled(lib, &verified) : 0;
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (verified)
		cli_say(cli, "ran the scheduled verification (`vrp log` has what it found)\n");
	vrp_library_free(lib);
	/* Handing work back on a stop request is what a worker is meant to do. */
	return status == vrp_error_exit_status(VRP_ETRANSIENT) && !summary.worst_code ? 0 : status;
}
