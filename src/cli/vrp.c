/* vrp.c - the vrp command: global options, then dispatch to a command. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Takes the global options out of argv wherever they stand (before a "--"),
 * so `vrp ls --json` works as well as `vrp --json ls`. Returns -1 on a usage
 * error (already reported: -q with -v too), else the new argc.
 */
static int take_global_options(struct cli *cli, int argc, char **argv)
{
	bool quiet = false;
	int out = 1;
	bool rest = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (rest || a[0] != '-') {
			argv[out++] = argv[i];
			continue;
		}
		if (!strcmp(a, "--")) {
			rest = true;
			argv[out++] = argv[i];
		} else if (!strcmp(a, "--json")) {
			cli->json = true;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = true;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			cli->verbosity = cli->verbosity > 0 ? 2 : 1;
		} else if (!strcmp(a, "-vv")) {
			cli->verbosity = 2;
		} else if (!strncmp(a, "--library=", 10)) {
			cli->library = a + 10;
		} else if (!strcmp(a, "--library")) {
			if (i + 1 >= argc) {
				cli_usage_error(cli, "--library needs a directory");
				return -1;
			}
			cli->library = argv[++i];
		} else {
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	if (quiet && cli->verbosity > 0) {
		cli_usage_error(cli, "-q and -v contradict each other: give one");
		return -1;
	}
	if (quiet)
		cli->verbosity = -1;
	return out;
}

/* Whether -h or --help stands among `argv` (before a "--"). */
static bool wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (cli_is_help(argv[i]))
			return true;
	return false;
}

static int print_version(const struct cli *cli)
{
	if (cli->json)
		cli_print_json(json_pack("{s:s, s:i}", "version", vrp_version(), "schema_version",
					 vrp_db_schema_latest()));
	else
		printf("vrp %s (database schema %d)\n", vrp_version(), vrp_db_schema_latest());
	return 0;
}

/*
 * Finds the command (and subcommand) argv names, answers help from the
 * table before anything runs, then runs the command's function.
 */
static int dispatch(struct cli *cli, int argc, char **argv)
{
	/* For the shell completions only: not a command, so not in the help table. */
	if (!strcmp(argv[1], "__complete"))
		return cli_complete(cli, argc - 2, argv + 2);
	const struct cli_command *cmd = cli_find_command(cli_commands, argv[1]);
	if (!cmd)
		return cli_usage_error(cli, "unknown command '%s'", argv[1]);
	const struct cli_command *sub =
		argc > 2 ? cli_find_command(cmd->subcommands, argv[2]) : NULL;
	snprintf(cli->command, sizeof(cli->command), "%s%s%s", cmd->name, sub ? " " : "",
		 sub ? sub->name : "");
	if (wants_help(argc - 1, argv + 1)) {
		cli_print_command_help(stdout, cmd, sub);
		return 0;
	}
	if (!cmd->fn && !sub) {
		if (argc > 2)
			return cli_usage_error(cli, "unknown %s command '%s'", cmd->name, argv[2]);
		cli_print_command_help(stderr, cmd, NULL);
		return vrp_error_exit_status(VRP_EUSAGE);
	}
	cli_start_logging(cli);
	int status = sub && sub->fn ? sub->fn(cli, argc - 2, argv + 2)
				    : cmd->fn(cli, argc - 1, argv + 1);
	vrp_log_close();
	return status;
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "vrp" };
	argc = take_global_options(&cli, argc, argv);
	if (argc < 0)
		return vrp_error_exit_status(VRP_EUSAGE);
	if (argc < 2) {
		cli_print_main_help(stderr);
		return vrp_error_exit_status(VRP_EUSAGE);
	}
	if (cli_is_help(argv[1])) {
		cli_print_main_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V") || !strcmp(argv[1], "version"))
		return print_version(&cli);
	return dispatch(&cli, argc, argv);
}
