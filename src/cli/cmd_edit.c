/* cmd_edit.c - `vrp edit ID`: change a recording's title, description and tags. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

const char edit_usage[] =
	"usage: vrp edit ID|UUID [--title T] [--description D] [--tag X]... [--untag X]...\n"
	"\n"
	"Changes the recording in one step (all or nothing), then prints it.\n"
	"\n"
	"  --title T        the new title (\"\" clears it)\n"
	"  --description D  the new description (\"\" clears it)\n"
	"  --tag X          add tag X (repeatable; created when new)\n"
	"  --untag X        remove tag X (repeatable; a tag it lacks is fine)\n";

struct edit_args {
	vrp_recording_edit edit;
	const char **add;
	const char **remove;
	const char *target;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct edit_args *a = ctx;
	(void)cli;
	if (c == 't')
		a->edit.title = arg;
	else if (c == 'd')
		a->edit.description = arg;
	else if (c == 'a')
		a->add[a->edit.add_tag_count++] = arg;
	else /* --untag */
		a->remove[a->edit.remove_tag_count++] = arg;
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct edit_args *a)
{
	static const struct option options[] = {
		{ "title", required_argument, NULL, 't' },
		{ "description", required_argument, NULL, 'd' },
		{ "tag", required_argument, NULL, 'a' },
		{ "untag", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "edit", "h", options, edit_usage, on_option };
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	if (optind >= argc)
		return cli_usage_error(cli, "edit needs a recording id or uuid");
	if (optind + 1 < argc)
		return cli_usage_error(cli, "edit takes one recording ('%s' is extra)",
				       argv[optind + 1]);
	a->target = argv[optind];
	if (!a->edit.title && !a->edit.description && !a->edit.add_tag_count &&
	    !a->edit.remove_tag_count)
		return cli_usage_error(cli, "nothing to change: give --title, --description, "
					    "--tag or --untag");
	return 0;
}

static int edit(struct cli *cli, vrp_library *lib, const struct edit_args *a)
{
	vrp_recording *rec = NULL;
	int rc = vrp_recordings_find(lib, a->target, &rec);
	int64_t id = rec ? rec->id : 0;
	vrp_recording_free(rec);
	rec = NULL;
	if (rc == 0)
		rc = vrp_recordings_edit(lib, id, &a->edit);
	if (rc == 0)
		rc = vrp_recordings_find(lib, a->target, &rec);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_print_json(cli_recording_json(rec));
	else if (cli->verbosity >= 0)
		cli_print_recording(rec);
	vrp_recording_free(rec);
	return 0;
}

int cmd_edit(struct cli *cli, int argc, char **argv)
{
	struct edit_args args = { .target = NULL };
	/* Each option takes a value, so there are fewer tags than arguments. */
	args.add = calloc((size_t)argc, sizeof(*args.add));
	args.remove = calloc((size_t)argc, sizeof(*args.remove));
	args.edit.add_tags = args.add;
	args.edit.remove_tags = args.remove;
	int status =
		args.add && args.remove ? parse(cli, argc, argv, &args) : cli_out_of_memory(cli);
	vrp_library *lib = NULL;
	if (status == 0)
		status = cli_open_library(cli, 0, &lib);
	if (status == 0)
		status = edit(cli, lib, &args);
	vrp_library_free(lib);
	free(args.add);
	free(args.remove);
	return status < 0 ? 0 : status;
}
