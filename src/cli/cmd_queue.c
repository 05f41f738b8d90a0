/* cmd_queue.c - `vrp queue ls|retry|cancel`: looking at and steering the sync queue. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char queue_usage[] =
	"usage: vrp queue ls [--state S] [--remote NAME] [--limit N]\n"
	"       vrp queue retry TASK | --remote NAME RECORDING... | --all-failed [--remote NAME]\n"
	"       vrp queue cancel TASK | --remote NAME RECORDING...\n\n"
	"TASK is a task id from `vrp queue ls`. With --remote, the arguments are\n"
	"recording ids or uuids instead: retry requeues their failed or cancelled\n"
	"tasks on that remote, cancel stops their queued or running ones.\n"
	"States: queued, running, done, failed, cancelled (ls default: all but done).\n"
	"ls shows each task's recording title.\n";

struct queue_args {
	unsigned states;
	const char *remote;
	int limit;
	bool all_failed;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct queue_args *a = ctx;
	vrp_sync_task_state state;
	long long n = 0;
	if (c == 's' && vrp_sync_task_state_from_string(arg, &state) == 0)
		a->states |= 1u << state;
	else if (c == 'R')
		a->remote = arg;
	else if (c == 'l' && cli_parse_int(arg, 1, 1000000, &n))
		a->limit = (int)n;
	else if (c == 'a')
		a->all_failed = true;
	else
		return cli_usage_error(cli, "queue: bad value '%s' for --%s", arg,
				       c == 's' ? "state" : "limit");
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct queue_args *a)
{
	static const struct option options[] = {
		{ "state", required_argument, NULL, 's' },
		{ "remote", required_argument, NULL, 'R' },
		{ "limit", required_argument, NULL, 'l' },
		{ "all-failed", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "queue", "+h", options, queue_usage,
						     on_option };
	return cli_options(cli, &spec, argc, argv, a);
}

/* The title of the task's recording ("" when it has none, NULL once purged); caller frees. */
static char *task_title(vrp_library *lib, const vrp_sync_task *t)
{
	char id[32];
	snprintf(id, sizeof(id), "%lld", (long long)t->recording_id);
	vrp_recording *rec = NULL;
	char *title = NULL;
	if (vrp_recordings_find(lib, id, &rec) == 0)
		title = strdup(rec->title);
	vrp_recording_free(rec);
	vrp_error_clear();
	return title;
}

static void print_task(const struct cli *cli, vrp_library *lib, const vrp_sync_task *t)
{
	char *title = task_title(lib, t);
	if (!cli->json) {
		printf("%-6lld %-8s %-9s rec %-6lld %-12s attempts %-3lld next %s%s%s  ",
		       (long long)t->id, vrp_sync_op_to_string(t->op),
		       vrp_sync_task_state_to_string(t->state), (long long)t->recording_id,
		       t->remote, (long long)t->attempts, t->next_attempt_at,
		       t->error_code ? "  " : "", t->error_code ? t->error_code : "");
		char *cut = title ? cli_truncate(title, 40) : NULL;
		cli_put_escaped(stdout, cut ? cut : "-", false);
		fputc('\n', stdout);
		free(cut);
		free(title);
		return;
	}
	json_t *o = json_pack(
		"{s:I, s:s, s:s, s:I, s:s, s:s, s:I, s:s, s:s}", "id", (json_int_t)t->id, "uuid",
		t->uuid, "op", vrp_sync_op_to_string(t->op), "recording_id",
		(json_int_t)t->recording_id, "remote", t->remote, "state",
		vrp_sync_task_state_to_string(t->state), "attempts", (json_int_t)t->attempts,
		"next_attempt_at", t->next_attempt_at, "idempotency_key", t->idempotency_key);
	json_object_set_new(o, "lease_owner", cli_json_string(t->lease_owner));
	json_object_set_new(o, "lease_until", cli_json_string(t->lease_until));
	json_object_set_new(o, "error_code", cli_json_string(t->error_code));
	json_object_set_new(o, "error_message", cli_json_string(t->error_message));
	json_object_set_new(o, "finished_at", cli_json_string(t->finished_at));
	json_object_set_new(o, "variant", json_string(vrp_upload_variant_to_string(t->variant)));
	json_object_set_new(o, "title", cli_json_string(title));
	free(title);
	cli_print_json(o);
}

static int queue_ls(struct cli *cli, vrp_library *lib, const struct queue_args *a)
{
	unsigned states =
		a->states ? a->states
			  : ~(1u << VRP_SYNC_TASK_DONE) & ((1u << VRP_SYNC_TASK_STATE_COUNT) - 1);
	int remaining = a->limit ? a->limit : 1000000;
	int64_t after = 0;
	while (remaining > 0) {
		vrp_sync_task_list *page = NULL;
		int want = remaining < 500 ? remaining : 500;
		int rc = vrp_sync_queue_list(lib, states, a->remote, after, want, &page);
		if (rc < 0)
			return cli_fail(cli, rc);
		for (size_t i = 0; i < page->count; i++)
			print_task(cli, lib, page->items[i]);
		size_t got = page->count;
		if (got)
			after = page->items[got - 1]->id;
		vrp_sync_task_list_free(page);
		remaining -= (int)got;
		if ((int)got < want)
			break;
	}
	return 0;
}

static int task_id(struct cli *cli, int argc, char **argv, int64_t *id)
{
	long long n = 0;
	if (optind + 1 != argc || !cli_parse_int(argv[optind], 1, INT64_MAX, &n))
		return cli_usage_error(cli,
				       "give exactly one task ID (a number from `vrp queue ls`)");
	*id = n;
	return 0;
}

/* retry|cancel --remote NAME RECORDING...: every recording is tried; the first failure's status. */
static int change_recordings(struct cli *cli, vrp_library *lib, bool retry, int argc, char **argv,
			     const char *remote, int64_t *count)
{
	int64_t *ids = NULL;
	size_t n = 0;
	if (optind >= argc)
		return cli_usage_error(cli, "give the recordings (ids or uuids) to %s on %s",
				       retry ? "retry" : "cancel", remote);
	int status = cli_resolve_ids(cli, lib, argc - optind, argv + optind, &ids, &n);
	for (size_t i = 0; i < n; i++) {
		int64_t changed = 0;
		int rc = retry ? vrp_sync_queue_retry_recording(lib, ids[i], remote, &changed)
			       : vrp_sync_queue_cancel_recording(lib, ids[i], remote, &changed);
		*count += changed;
		if (rc < 0 && !status)
			status = cli_fail(cli, rc);
		else if (rc < 0)
			cli_fail(cli, rc);
	}
	free(ids);
	return status;
}

static int queue_change(struct cli *cli, vrp_library *lib, const char *sub, int argc, char **argv,
			const struct queue_args *a)
{
	int64_t id = 0, count = 0;
	int rc = 0, status = 0;
	if (a->remote && !a->all_failed) {
		status = change_recordings(cli, lib, !strcmp(sub, "retry"), argc, argv, a->remote,
					   &count);
		if (status && !count)
			return status;
	} else if (!strcmp(sub, "retry") && a->all_failed) {
		if (optind < argc)
			return cli_usage_error(cli, "--all-failed takes no task ID");
		rc = vrp_sync_queue_retry_failed(lib, a->remote, &count);
	} else {
		if ((status = task_id(cli, argc, argv, &id)))
			return status;
		rc = !strcmp(sub, "retry") ? vrp_sync_queue_retry(lib, id)
					   : vrp_sync_queue_cancel(lib, id);
		count = 1;
	}
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_print_json(json_pack("{s:s, s:I}", "action", sub, "tasks", (json_int_t)count));
	else
		cli_say(cli, "%s: %lld task%s\n", !strcmp(sub, "retry") ? "requeued" : "cancelled",
			(long long)count, count == 1 ? "" : "s");
	return status;
}

int cmd_queue(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		fputs(queue_usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? vrp_error_exit_status(VRP_EUSAGE) : 0;
	}
	const char *sub = argv[1];
	if (strcmp(sub, "ls") != 0 && strcmp(sub, "retry") != 0 && strcmp(sub, "cancel") != 0)
		return cli_usage_error(cli, "unknown queue command '%s'", sub);
	struct queue_args a = { 0 };
	int status = parse(cli, argc - 1, argv + 1, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (!strcmp(sub, "ls") && optind < argc - 1)
		return cli_usage_error(cli, "queue ls takes no arguments");
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	status = !strcmp(sub, "ls") ? queue_ls(cli, lib, &a)
				    : queue_change(cli, lib, sub, argc - 1, argv + 1, &a);
	vrp_library_free(lib);
	return status;
}
