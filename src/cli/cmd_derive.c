/* cmd_derive.c - `vrp derive`: make recordings' missing or stale derived assets. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char derive_usage[] =
	"usage: vrp derive [--kind K[,K...]] [--force] [-j N] --all | ID...\n"
	"       vrp derive --queue [--retry-failed]\n\n"
	"Makes the derived assets (waveform, spectrogram, compressed) of recordings\n"
	"that are missing or stale: made from other audio (checksum) or by another\n"
	"generator version. Each recording is decoded once for all its assets.\n"
	"Import queues them; `vrp worker` and `vrp sync` make queued ones.\n\n"
	"  --kind K[,K...]  which kinds (default: every kind vrp can make but\n"
	"                   transcript, which vrp transcribe makes)\n"
	"  --all            every active and archived recording\n"
	"  --force          make them again even when fresh\n"
	"  -j, --jobs N     recordings derived at once (default: one per core)\n"
	"  --queue          show the derive queue: queued, running, failed\n"
	"  --retry-failed   with --queue: queue failed derivations again\n";

struct derive_args {
	unsigned kinds;
	unsigned jobs;
	bool all, force, queue, retry;
	int status; /* the exit status of the first failure */
};

static int parse_kinds(struct cli *cli, const char *text, unsigned *kinds)
{
	char *copy = strdup(text);
	if (!copy)
		return cli_out_of_memory(cli);
	int status = 0;
	char *save = NULL;
	for (char *word = strtok_r(copy, ",", &save); word && !status;
	     word = strtok_r(NULL, ",", &save)) {
		enum vrp_derived_kind kind;
		if (vrp_derived_kind_from_string(word, &kind) < 0)
			status = cli_usage_error(cli, "derive: unknown kind '%s'", word);
		else
			*kinds |= VRP_DERIVE_KIND(kind);
	}
	free(copy);
	return status;
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct derive_args *a = ctx;
	if (c == 'k')
		return parse_kinds(cli, arg, &a->kinds);
	long long n = 0;
	if (c == 'j' && !cli_parse_int(arg, 1, 256, &n))
		return cli_usage_error(cli, "--jobs needs a whole number from 1 to 256, not '%s'",
				       arg);
	if (c == 'j')
		a->jobs = (unsigned)n;
	else if (c == 'a')
		a->all = true;
	else if (c == 'q')
		a->queue = true;
	else if (c == 'r')
		a->retry = true;
	else /* --force */
		a->force = true;
	return 0;
}

static void report(const struct cli *cli, int64_t id, unsigned kinds, unsigned made)
{
	for (unsigned k = 0; kinds >> k; k++) {
		if (!(kinds & VRP_DERIVE_KIND(k)))
			continue;
		const char *kind = vrp_derived_kind_to_string((enum vrp_derived_kind)k);
		const char *status = made & VRP_DERIVE_KIND(k) ? "made" : "fresh";
		if (cli->json)
			cli_print_json(json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "kind",
						 kind, "status", status));
		else
			cli_say(cli, "%lld %s %s\n", (long long)id, kind, status);
	}
}

struct derive_run {
	struct cli *cli;
	struct derive_args *args;
};

/*
 * One recording's outcome; a failure is reported and remembered, and the
 * others go on. It runs on the thread that derived it, whose last error
 * is the failure's.
 */
static void on_result(void *ctx, int64_t id, unsigned made, int rc, const char *message)
{
	struct derive_run *run = ctx;
	(void)message;
	if (rc < 0) {
		int status = cli_fail(run->cli, rc);
		if (!run->args->status)
			run->args->status = status;
	} else {
		report(run->cli, id, run->args->kinds, made);
	}
}

/* Every active and archived recording's id, in listing order. */
static int all_ids(struct cli *cli, vrp_library *lib, int64_t **ids, size_t *count)
{
	vrp_recording_filter filter = { .limit = VRP_LIST_MAX_LIMIT };
	size_t cap = 0;
	*ids = NULL;
	*count = 0;
	for (;;) {
		vrp_recording_list *page = NULL;
		int rc = vrp_recordings_list(lib, &filter, &page);
		if (rc < 0)
			return cli_fail(cli, rc);
		if (*count + page->count > cap) {
			cap = (*count + page->count) * 2;
			int64_t *grown = realloc(*ids, cap * sizeof(**ids));
			if (!grown) {
				vrp_recording_list_free(page);
				return cli_out_of_memory(cli);
			}
			*ids = grown;
		}
		for (size_t i = 0; i < page->count; i++)
			(*ids)[(*count)++] = page->items[i]->id;
		filter.cursor = page->next_cursor;
		vrp_recording_list_free(page);
		if (!filter.cursor)
			return 0;
	}
}

static int show_queue(struct cli *cli, vrp_library *lib, bool retry)
{
	int64_t requeued = 0;
	vrp_derive_queue_status q;
	int rc = retry ? vrp_derive_queue_retry(lib, &requeued) : 0;
	if (rc == 0)
		rc = vrp_derive_queue_status_read(lib, &q);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json) {
		json_t *o = json_pack("{s:I, s:I, s:I}", "queued", (json_int_t)q.queued, "running",
				      (json_int_t)q.running, "failed", (json_int_t)q.failed);
		if (retry)
			json_object_set_new(o, "requeued", json_integer(requeued));
		cli_print_json(o);
		return 0;
	}
	if (retry)
		cli_say(cli, "queued again %lld\n", (long long)requeued);
	cli_say(cli, "derive queue: queued %lld, running %lld, failed %lld\n", (long long)q.queued,
		(long long)q.running, (long long)q.failed);
	return 0;
}

static int derive_ids(struct cli *cli, vrp_library *lib, struct derive_args *a, int argc,
		      char **argv)
{
	int64_t *ids = NULL;
	size_t count = 0;
	int status = a->all ? all_ids(cli, lib, &ids, &count)
			    : cli_resolve_ids(cli, lib, argc, argv, &ids, &count);
	struct derive_run run = { cli, a };
	int rc = vrp_derive_many(lib, ids, count, a->kinds, a->force, a->jobs, on_result, &run);
	if (rc < 0)
		status = cli_fail(cli, rc);
	free(ids);
	return status ? status : a->status;
}

int cmd_derive(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "queue", no_argument, NULL, 'q' },
		{ "retry-failed", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "derive", "hj:", options, derive_usage,
						     on_option };
	struct derive_args a = { 0 };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (a.retry && !a.queue)
		return cli_usage_error(cli, "derive: --retry-failed goes with --queue");
	if (a.queue && (a.all || optind < argc))
		return cli_usage_error(cli, "derive --queue takes no recordings");
	if (!a.queue && a.all == (optind < argc))
		return cli_usage_error(cli, "derive needs --all or recording ids, not both");
	if (!a.kinds)
		a.kinds = vrp_derive_kinds_default();
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	if (a.queue)
		status = show_queue(cli, lib, a.retry);
	else
		status = derive_ids(cli, lib, &a, argc - optind, argv + optind);
	vrp_library_free(lib);
	return status;
}
