/* cmd_export.c - `vrp export DIR`: every recording under its original name + metadata.json. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

const char export_usage[] =
	"usage: vrp export [--include-deleted] DIR\n\n"
	"Writes every recording's file into DIR under its original name (names\n"
	"already taken become \"name (2).ext\"), each checked against its checksum,\n"
	"and DIR/metadata.json with every field of every recording. For a data\n"
	"export request, or to take your recordings elsewhere.\n\n"
	"  --include-deleted   also export soft-deleted recordings\n";

static void on_each(void *ctx, const vrp_recording *rec, const char *exported_as, int error,
		    const char *message)
{
	const struct cli *cli = ctx;
	if (error) {
		(void)message;
		cli_fail(cli, error);
		return;
	}
	if (cli->json) {
		json_t *o = json_pack("{s:I}", "id", (json_int_t)rec->id);
		json_object_set_new(o, "exported_as", cli_json_string(exported_as));
		cli_print_json(o);
	} else if (cli->verbosity >= 0) {
		char *shown = cli_escape(exported_as);
		printf("%-6lld %s\n", (long long)rec->id, shown);
		free(shown);
	}
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	vrp_export_options *o = ctx;
	(void)cli;
	(void)c;
	(void)arg;
	o->include_deleted = true;
	return 0;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "include-deleted", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	vrp_export_options o = { .on_each = on_each, .ctx = cli };
	static const struct cli_option_spec spec = { "export", "h", options, export_usage,
						     on_option };
	int status = cli_options(cli, &spec, argc, argv, &o);
	if (status)
		return status < 0 ? 0 : status;
	if (argc - optind != 1)
		return cli_usage_error(cli, "export needs one DIR");
	vrp_library *lib = NULL;
	status = cli_open_library(cli, 0, &lib);
	if (status)
		return status;
	int64_t exported = 0;
	int rc = vrp_export(lib, argv[optind], &o, &exported);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (!cli->json)
		cli_say(cli, "%lld file(s) and metadata.json written to %s\n", (long long)exported,
			argv[optind]);
	vrp_library_free(lib);
	return status;
}
