/* cmd_metrics.c - `vrp metrics`: the library's counters, for people, Prometheus or scripts. */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char metrics_usage[] =
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
 * Every metric vrp keeps is a counter: it only grows. The sync latency is
 * kept as cumulative bucket counters with a sum and a count, printed as one
 * Prometheus histogram.
 */
/* "sync.failures.err_transient" -> vrp_sync_failures_total{code="ERR_TRANSIENT"}. */
static bool print_failure_by_code(const vrp_metric *m)
{
	size_t prefix = strlen(VRP_METRIC_FAILURES_PREFIX);
	if (strncmp(m->name, VRP_METRIC_FAILURES_PREFIX, prefix) != 0)
		return false;
	static bool typed;
	if (!typed)
		printf("# TYPE vrp_sync_failures_total counter\n");
	typed = true;
	printf("vrp_sync_failures_total{code=\"");
	for (const char *c = m->name + prefix; *c; c++)
		putchar(*c >= 'a' && *c <= 'z' ? *c - 'a' + 'A' : *c);
	printf("\"} %lld\n", (long long)m->value);
	return true;
}

static int print_metric(const struct cli *cli, const vrp_metric *m)
{
	if (!cli->json && print_failure_by_code(m))
		return 0;
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

static bool in_histogram(const char *name)
{
	return !strncmp(name, VRP_METRIC_SYNC_LATENCY_BUCKET_PREFIX,
			strlen(VRP_METRIC_SYNC_LATENCY_BUCKET_PREFIX)) ||
	       !strcmp(name, VRP_METRIC_SYNC_LATENCY_MS_TOTAL) ||
	       !strcmp(name, VRP_METRIC_SYNC_LATENCY_COUNT);
}

static int64_t value_of(const vrp_metric_list *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (!strcmp(list->items[i]->name, name))
			return list->items[i]->value;
	return 0;
}

/* The enqueue-to-synced latency as one Prometheus histogram, buckets in bound order. */
static void print_latency_histogram(const vrp_metric_list *list)
{
	static const char *const bounds[] = { "1000",    "10000",    "60000", "600000",
					      "3600000", "86400000", "inf" };
	const char *base = "vrp_sync_latency_ms";
	char name[64];
	snprintf(name, sizeof(name), "%sinf", VRP_METRIC_SYNC_LATENCY_BUCKET_PREFIX);
	if (!value_of(list, name) && !value_of(list, VRP_METRIC_SYNC_LATENCY_COUNT))
		return;
	printf("# TYPE %s histogram\n", base);
	for (size_t i = 0; i < sizeof(bounds) / sizeof(*bounds); i++) {
		snprintf(name, sizeof(name), "%s%s", VRP_METRIC_SYNC_LATENCY_BUCKET_PREFIX,
			 bounds[i]);
		printf("%s_bucket{le=\"%s\"} %lld\n", base,
		       strcmp(bounds[i], "inf") ? bounds[i] : "+Inf",
		       (long long)value_of(list, name));
	}
	printf("%s_sum %lld\n%s_count %lld\n", base,
	       (long long)value_of(list, VRP_METRIC_SYNC_LATENCY_MS_TOTAL), base,
	       (long long)value_of(list, VRP_METRIC_SYNC_LATENCY_COUNT));
}

int cmd_metrics(struct cli *cli, int argc, char **argv)
{
	(void)argv;
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
		if (cli->json || !in_histogram(list->items[i]->name))
			status = print_metric(cli, list->items[i]);
	if (rc == 0 && status == 0 && !cli->json)
		print_latency_histogram(list);
	vrp_metric_list_free(list);
	vrp_library_free(lib);
	return status;
}
