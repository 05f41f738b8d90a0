/* vrp.c - the vrp command: global options, then dispatch to a command. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	cli_command_fn fn;
	const char *summary;
} commands[] = {
	{ "init", cmd_init, "create a library (safe to run again)" },
	{ "import", cmd_import, "copy audio files into the library" },
	{ "ls", cmd_ls, "list recordings, filtered and sorted, a page at a time" },
	{ "show", cmd_show, "every field of one recording" },
	{ "search", cmd_search, "full-text search of titles, descriptions and tags" },
	{ "edit", cmd_edit, "change a recording's title, description or tags" },
	{ "rm", cmd_rm, "soft-delete recordings (files stay until a purge)" },
	{ "restore", cmd_restore, "bring deleted or archived recordings back" },
	{ "archive", cmd_archive, "archive recordings" },
	{ "verify", cmd_verify, "re-hash files; find missing, damaged and stray files" },
	{ "purge", cmd_purge, "delete recordings for good (files included)" },
	{ "export", cmd_export, "copy every recording out, with metadata.json" },
	{ "derive", cmd_derive, "make missing or stale waveforms and other derived assets" },
	{ "waveform", cmd_waveform, "a recording's waveform peaks (audiowaveform JSON or .dat)" },
	{ "spectrogram", cmd_spectrogram, "a recording's spectrogram as a PNG" },
	{ "remote", cmd_remote, "add, list, remove and test remotes to sync to" },
	{ "sync", cmd_sync, "upload what is not yet on the remotes; `sync status`" },
	{ "queue", cmd_queue, "the sync queue: ls, retry, cancel" },
	{ "worker", cmd_worker, "run the sync queue until stopped, picking up new work" },
	{ "db", cmd_db, "database status, migrations and backups" },
	{ "audit", cmd_audit, "the audit log of deletions, purges, exports, imports" },
	{ "metrics", cmd_metrics, "local counters, in Prometheus text format or JSON" },
	{ "log", cmd_log, "read the diagnostic log; bundle it for a bug report" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: vrp [--library DIR] [--json] [-q|-v] COMMAND [ARGS...]\n"
		     "       vrp --version | --help | COMMAND --help\n\n"
		     "Global options (accepted before or after the command):\n"
		     "  --library DIR  the library (default: $VRP_LIBRARY, else "
		     "$XDG_DATA_HOME/vrp)\n"
		     "  --json         JSON Lines on stdout; errors as JSON on stderr\n"
		     "  -q, --quiet    print only errors\n"
		     "  -v, --verbose  say more, including where an error happened, and copy\n"
		     "                 the log to stderr (-vv: debug records too)\n\n"
		     "Commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\nExit status: 0 ok, 64 usage, 65 bad data, 66 not found, 69 remote "
		     "unavailable,\n74 I/O error, 75 try again later, 77 permission or auth.\n");
}

/*
 * Takes the global options out of argv wherever they stand (before a "--"),
 * so `vrp ls --json` works as well as `vrp --json ls`. Returns -1 on a usage
 * error (already reported), else the new argc.
 */
static int take_global_options(struct cli *cli, int argc, char **argv)
{
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
			cli->verbosity = -1;
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
	return out;
}

int main(int argc, char **argv)
{
	struct cli cli = { .prog = "vrp" };
	argc = take_global_options(&cli, argc, argv);
	if (argc < 0)
		return vrp_error_exit_status(VRP_EUSAGE);
	if (argc < 2) {
		usage(stderr);
		return vrp_error_exit_status(VRP_EUSAGE);
	}
	if (cli_is_help(argv[1]) || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		if (cli.json)
			cli_print_json(json_pack("{s:s, s:i}", "version", vrp_version(),
						 "schema_version", vrp_db_schema_latest()));
		else
			printf("vrp %s (database schema %d)\n", vrp_version(),
			       vrp_db_schema_latest());
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		if (!strcmp(argv[1], commands[i].name)) {
			cli_start_logging(&cli);
			int status = commands[i].fn(&cli, argc - 1, argv + 1);
			vrp_log_close();
			return status;
		}
	return cli_usage_error(&cli, "unknown command '%s'", argv[1]);
}
