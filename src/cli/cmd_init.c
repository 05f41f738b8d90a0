/* cmd_init.c - `vrp init`: create the library, or confirm it is there. */
#include "cli.h"

#include <stdio.h>

const char init_usage[] =
	"usage: vrp init\n\nCreates the library (directories and database) at --library DIR,\n"
	"$VRP_LIBRARY or $XDG_DATA_HOME/vrp. Running it on an existing library changes\n"
	"nothing but a pending schema upgrade.\n";

int cmd_init(struct cli *cli, int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return cli_usage_error(cli, "init takes no arguments");
	vrp_library *lib = NULL;
	int status = cli_open_library(cli, VRP_LIBRARY_CREATE, &lib);
	if (status)
		return status;
	int version = 0;
	int rc = vrp_db_schema_version(vrp_library_db(lib), &version);
	if (rc < 0) {
		status = cli_fail(cli, rc);
	} else if (cli->json) {
		cli_print_json(json_pack("{s:s, s:i}", "library", vrp_library_root(lib),
					 "schema_version", version));
	} else {
		cli_say(cli, "library ready at %s (schema version %d)\n", vrp_library_root(lib),
			version);
	}
	vrp_library_free(lib);
	return status;
}
