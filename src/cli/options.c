/*
 * options.c - the one getopt_long loop every command's options go through,
 * so help, unknown options and missing values behave the same everywhere.
 */
#include "cli.h"

#include <stdio.h>

int cli_options(struct cli *cli, const struct cli_option_spec *spec, int argc, char **argv,
		void *ctx)
{
	int c;
	optind = 1;
	opterr = 0; /* reported below, in the CLI's own words and exit status */
	while ((c = getopt_long(argc, argv, spec->shortopts, spec->options, NULL)) != -1) {
		if (c == 'h') {
			fputs(spec->usage, stdout);
			return -1;
		}
		if (c == '?' || c == ':')
			return cli_usage_error(cli, "%s: unknown option or missing value in '%s'",
					       spec->command, argv[optind - 1]);
		int status = spec->on_option(cli, c, optarg, ctx);
		if (status)
			return status;
	}
	return 0;
}
