/* cmd_show.c - `vrp show ID|UUID`: every field of one recording. */
#include "cli.h"

#include <stdio.h>

static const char show_usage[] =
	"usage: vrp show ID|UUID\n"
	"\n"
	"Prints every field of one recording (deleted and archived ones too), one\n"
	"`field: value` line each, or one JSON object with --json.\n";

int cmd_show(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && cli_is_help(argv[1])) {
		fputs(show_usage, stdout);
		return 0;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1]))
		return argc < 2   ? cli_usage_error(cli, "show needs a recording id or uuid")
		       : argc > 2 ? cli_usage_error(cli, "show takes one recording id or uuid")
				  : cli_usage_error(cli, "show: unknown option '%s'", argv[1]);
	vrp_library *lib = NULL;
	int status = cli_open_library(cli, 0, &lib);
	if (status)
		return status;
	vrp_recording *rec = NULL;
	int rc = vrp_recordings_find(lib, argv[1], &rec);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (cli->json)
		cli_print_json(cli_recording_json(rec));
	else
		cli_print_recording(rec);
	vrp_recording_free(rec);
	vrp_library_free(lib);
	return status;
}
