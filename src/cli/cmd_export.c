/* cmd_export.c - `vrp export DIR`: every recording under its original name + metadata.json. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

const char export_usage[] =
	"usage: vrp export [--include-deleted] [--no-assets] DIR\n\n"
	"Writes every recording's file into DIR under its original name (names\n"
	"already taken become \"name (2).ext\"), each checked against its checksum,\n"
	"and DIR/metadata.json with every field of every recording. For a data\n"
	"export request, or to take your recordings elsewhere. Running it again\n"
	"into the same DIR finishes an interrupted export: files already there\n"
	"are kept, not copied twice. Derived assets (waveform, spectrogram,\n"
	"compressed copy) go to DIR/derived/<file>.<kind>.<ext>.\n\n"
	"  --include-deleted   also export soft-deleted recordings\n"
	"  --no-assets         leave the derived assets out\n\n"
	"Exit status: 0 when every recording was exported, 65 when some were left\n"
	"out (a missing or damaged file; see `vrp verify`).\n";

/* The recordings left out, to name them at the end. */
struct left_out {
	const struct cli *cli;
	int64_t *ids;
	size_t count, capacity;
};

static void on_each(void *ctx, const vrp_recording *rec, const char *exported_as, int error,
		    const char *message)
{
	struct left_out *left = ctx;
	const struct cli *cli = left->cli;
	(void)message;
	if (error) {
		cli_fail(cli, error);
		if (left->count == left->capacity) {
			size_t grown = left->capacity ? left->capacity * 2 : 16;
			int64_t *ids = realloc(left->ids, grown * sizeof(*ids));
			if (!ids)
				return;
			left->ids = ids;
			left->capacity = grown;
		}
		left->ids[left->count++] = rec->id;
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

/* The summary line; 65 when recordings were left out, naming them by id. */
static int report(const struct cli *cli, const char *dir, const vrp_export_summary *s,
		  const struct left_out *left)
{
	if (cli->json) {
		json_t *ids = json_array();
		for (size_t i = 0; i < left->count; i++)
			json_array_append_new(ids, json_integer(left->ids[i]));
		cli_print_json(json_pack("{s:{s:I, s:I, s:I, s:o, s:I}}", "summary", "exported",
					 (json_int_t)s->exported, "kept", (json_int_t)s->kept,
					 "left_out", (json_int_t)s->left_out, "left_out_ids", ids,
					 "assets", (json_int_t)s->assets));
	} else {
		cli_say(cli,
			"%lld %s, %lld derived %s and metadata.json written to %s (%lld already "
			"there)\n",
			(long long)s->exported, cli_plural(s->exported, "file", "files"),
			(long long)s->assets, cli_plural(s->assets, "asset", "assets"), dir,
			(long long)s->kept);
	}
	if (s->left_out == 0)
		return 0;
	if (!cli->json) {
		fprintf(stderr, "%lld %s left out (missing or damaged; see `vrp verify`):",
			(long long)s->left_out, cli_plural(s->left_out, "recording", "recordings"));
		for (size_t i = 0; i < left->count; i++)
			fprintf(stderr, " %lld", (long long)left->ids[i]);
		fputc('\n', stderr);
	}
	return vrp_error_exit_status(VRP_ECHECKSUM);
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	vrp_export_options *o = ctx;
	(void)cli;
	(void)arg;
	if (c == 'n')
		o->no_assets = true;
	else
		o->include_deleted = true;
	return 0;
}

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "include-deleted", no_argument, NULL, 'd' },
		{ "no-assets", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct left_out left = { .cli = cli };
	vrp_export_options o = { .on_each = on_each, .ctx = &left };
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
	vrp_export_summary summary = { 0 };
	int rc = vrp_export(lib, argv[optind], &o, &summary);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else
		status = report(cli, argv[optind], &summary, &left);
	free(left.ids);
	vrp_library_free(lib);
	return status;
}
