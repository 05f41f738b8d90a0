/* cmd_metrics.c - `vrp metrics`: the library's counters, for people, Prometheus or scripts. */
#include "cli.h"

#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char metrics_usage[] =
	"usage: vrp metrics [--json]\n\n"
	"Prints the library's local counters (files imported, duplicates, rejects;\n"
	"sync counters once sync runs) in the Prometheus text exposition format:\n"
	"a \"# TYPE vrp_<name> counter\" line, then \"vrp_<name> <value>\", where\n"
	"<name> is the metric's name with every character outside [a-zA-Z0-9_]\n"
	"replaced by '_' (import.imported becomes vrp_import_imported). With --json:\n"
	"one {\"name\",\"prometheus_name\",\"value\",\"updated_at\"} object a metric.\n"
	"Nothing is sent anywhere.\n";

/* "import.imported" -> "vrp_import_imported": what a Prometheus metric name may hold. */
static char *prometheus_name(const char *name)
{
	size_t len = strlen(name) + 5;
	char *out = malloc(len);
	if (!out)
		return NULL;
	snprintf(out, len, "vrp_%s", name);
	for (char *p = out; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
	return out;
}

/*
 * Every metric vrp keeps is a counter: it only grows, and a latency is kept
 * as a total and a count (both counters), so rates and means come out right.
 */
static int print_metric(const struct cli *cli, const vrp_metric *m)
{
	char *name = prometheus_name(m->name);
	if (!name)
		return cli_out_of_memory(cli);
	if (cli->json) {
		json_t *o =
			json_pack("{s:s, s:s, s:I, s:s}", "name", m->name, "prometheus_name", name,
				  "value", (json_int_t)m->value, "updated_at", m->updated_at);
		cli_print_json(o);
	} else {
		printf("# TYPE %s counter\n%s %lld\n", name, name, (long long)m->value);
	}
	free(name);
	return 0;
}

int cmd_metrics(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && cli_is_help(argv[1])) {
		fputs(metrics_usage, stdout);
		return 0;
	}
	if (argc > 1)
		return cli_usage_error(cli, "metrics takes no arguments (only --json)");
	vrp_library *lib = NULL;
	int status = cli_open_library(cli, 0, &lib);
	if (status)
		return status;
	vrp_metric_list *list = NULL;
	int rc = vrp_metrics_read(lib, NULL, &list);
	if (rc < 0)
		status = cli_fail(cli, rc);
	for (size_t i = 0; rc == 0 && status == 0 && i < list->count; i++)
		status = print_metric(cli, list->items[i]);
	vrp_metric_list_free(list);
	vrp_library_free(lib);
	return status;
}
