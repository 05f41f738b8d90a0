/* cmd_audit.c - `vrp audit`: the append-only audit log, newest first. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char audit_usage[] =
	"usage: vrp audit [--since DATE] [--until DATE] [--operation OP] [--recording ID]\n"
	"                 [--remote NAME] [--limit N]\n\n"
	"Lists the audit log, newest first: imports, deletions, restores, purges,\n"
	"exports, uploads, downloads and remote changes, with when, who (a masked\n"
	"user name), the recording, the remote, the result, the correlation id (see\n"
	"`vrp log --correlation`) and details.\n\n"
	"  --since DATE, --until DATE   at or after / before DATE (as for `vrp ls`)\n"
	"  --operation OP               only this operation (listed below)\n"
	"  --recording ID               only entries about recording ID (purged ones too)\n"
	"  --remote NAME                only entries about remote NAME\n"
	"  --limit N                    at most N entries, 1 to 100000 (default 100)\n";

struct audit_args {
	vrp_audit_query query;
	char since[CLI_TIME_LEN], until[CLI_TIME_LEN];
};

void cli_audit_operations_help(FILE *out)
{
	fputs("\nOperations:", out);
	for (const char *const *op = vrp_audit_operations(); *op; op++)
		fprintf(out, "%s %s", op == vrp_audit_operations() ? "" : ",", *op);
	fputc('\n', out);
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct audit_args *a = ctx;
	long long n = 0;
	switch (c) {
	case 's':
	case 'u':
		if (cli_parse_time(arg, c == 'u', c == 's' ? a->since : a->until) < 0)
			return cli_usage_error(cli, "not a date or time: '%s'", arg);
		*(c == 's' ? &a->query.since : &a->query.until) = c == 's' ? a->since : a->until;
		return 0;
	case 'o':
		a->query.operation = arg;
		return 0;
	case 'm':
		a->query.remote = arg;
		return 0;
	case 'r':
		if (!cli_parse_int(arg, 1, INT64_MAX, &n))
			return cli_usage_error(cli, "--recording needs a recording id, not '%s'",
					       arg);
		a->query.recording_id = n;
		return 0;
	default: /* --limit */
		if (!cli_parse_int(arg, 1, 100000, &n))
			return cli_usage_error(cli, "--limit needs a number from 1 to 100000");
		a->query.limit = (int)n;
		return 0;
	}
}

static int parse(struct cli *cli, int argc, char **argv, struct audit_args *a)
{
	static const struct option options[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "operation", required_argument, NULL, 'o' },
		{ "remote", required_argument, NULL, 'm' },
		{ "recording", required_argument, NULL, 'r' },
		{ "limit", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "audit", "h", options, audit_usage,
						     on_option };
	a->query.limit = 100;
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	if (optind < argc)
		return cli_usage_error(cli, "audit takes no arguments, only options");
	return 0;
}

static json_t *entry_json(const vrp_audit_entry *e)
{
	json_t *o = json_pack("{s:I, s:s, s:s}", "id", (json_int_t)e->id, "at", e->at, "operation",
			      e->operation);
	json_object_set_new(o, "recording_id",
			    e->recording_id ? json_integer(e->recording_id) : json_null());
	json_object_set_new(o, "remote", cli_json_string(e->remote));
	json_object_set_new(o, "success", json_boolean(e->success));
	json_object_set_new(o, "actor", cli_json_string(e->actor));
	json_object_set_new(o, "correlation_id", cli_json_string(e->correlation_id));
	json_t *meta = e->meta ? json_loads(e->meta, JSON_DECODE_ANY, NULL) : NULL;
	json_object_set_new(o, "meta", meta ? meta : json_null());
	return o;
}

static void print_table(const vrp_audit_list *list)
{
	printf("%-6s %-24s %-10s %-9s %-6s %-8s %-36s %s\n", "ID", "AT", "OPERATION", "RECORDING",
	       "RESULT", "ACTOR", "CORRELATION", "DETAILS");
	for (size_t i = 0; i < list->count; i++) {
		const vrp_audit_entry *e = list->items[i];
		char recording[24] = "-";
		if (e->recording_id)
			snprintf(recording, sizeof(recording), "%lld", (long long)e->recording_id);
		char *actor = cli_escape(e->actor ? e->actor : "-");
		char *meta = cli_escape(e->meta ? e->meta : "");
		printf("%-6lld %-24s %-10s %-9s %-6s %-8s %-36s %s\n", (long long)e->id, e->at,
		       e->operation, recording, e->success ? "ok" : "failed", actor ? actor : "",
		       e->correlation_id ? e->correlation_id : "-", meta ? meta : "");
		free(actor);
		free(meta);
	}
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	struct audit_args a = { 0 };
	int status = parse(cli, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	vrp_audit_list *list = NULL;
	int rc = vrp_audit_read(lib, &a.query, &list);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (cli->json)
		for (size_t i = 0; i < list->count; i++)
			cli_print_json(entry_json(list->items[i]));
	else
		print_table(list);
	vrp_audit_list_free(list);
	vrp_library_free(lib);
	return status;
}
