/* verify_remote.c - `vrp verify --remote NAME`: proving the copies on a remote. */
#include "verify_remote.h"

#include <stdio.h>

static void on_item(void *ctx, const vrp_remote_verify_item *item)
{
	const struct cli *cli = ctx;
	const char *finding = vrp_remote_verify_finding_to_string(item->finding);
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:I, s:s, s:s}", "finding", finding, "recording_id",
				      (json_int_t)item->recording_id, "remote", item->remote,
				      "remote_path", item->remote_path);
		json_object_set_new(o, "verify_method",
				    item->method ? json_string(item->method) : json_null());
		json_object_set_new(o, "error",
				    item->error ? json_pack("{s:s, s:s}", "code",
							    vrp_error_code_name(item->error),
							    "message", item->message)
						: json_null());
		json_object_set_new(o, "requeued", json_boolean(item->requeued));
		cli_print_json(o);
		return;
	}
	if (item->finding == VRP_REMOTE_VERIFY_OK && cli->verbosity <= 0)
		return;
	printf("%-8s %-6lld %s%s%s%s\n", finding, (long long)item->recording_id, item->message,
	       item->error ? " [" : "", item->error ? vrp_error_code_name(item->error) : "",
	       item->error ? "]" : "");
}

static void print_summary(const struct cli *cli, const char *remote,
			  const vrp_remote_verify_summary *s)
{
	if (cli->json) {
		cli_print_json(json_pack(
			"{s:{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:b}}", "summary", "remote",
			remote, "checked", (json_int_t)s->checked, "ok", (json_int_t)s->ok, "weak",
			(json_int_t)s->weak, "missing", (json_int_t)s->missing, "corrupt",
			(json_int_t)s->corrupt, "errors", (json_int_t)s->errors, "requeued",
			(json_int_t)s->requeued, "stopped", s->stopped));
		return;
	}
	if (cli->verbosity < 0)
		return;
	if (s->resumed)
		fprintf(stderr, "continued after recording %lld\n", (long long)s->resumed_after);
	fprintf(stderr,
		"remote %s: checked %lld: %lld ok, %lld size only, %lld missing, %lld corrupt, "
		"%lld not checked; %lld queued for upload again\n",
		remote, (long long)s->checked, (long long)s->ok, (long long)s->weak,
		(long long)s->missing, (long long)s->corrupt, (long long)s->errors,
		(long long)s->requeued);
	if (s->stopped)
		fprintf(stderr,
			"stopped at the time limit; `vrp verify --remote %s --incremental` "
			"continues\n",
			remote);
}

int cli_verify_remote(struct cli *cli, vrp_library *lib, const struct verify_args *a,
		      const int64_t *ids, size_t count)
{
	vrp_remote_verify_options o = {
		.ids = count ? ids : NULL,
		.id_count = count,
		.incremental = a->incremental,
		.time_limit_ms = a->time_limit_s * 1000,
		.download = a->download,
		.on_item = on_item,
		.ctx = cli,
	};
	vrp_remote_verify_summary s;
	int rc = vrp_verify_remote(lib, a->remote, &o, &s);
	if (rc < 0)
		return cli_fail(cli, rc);
	print_summary(cli, a->remote, &s);
	if (s.missing || s.corrupt)
		return vrp_error_exit_status(VRP_ECHECKSUM);
	return 0;
}
