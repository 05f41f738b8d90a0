/*
 * help.c - every vrp command in one table, and the help printed from it:
 * `vrp --help`, `vrp COMMAND [SUB] --help`, `vrp help exit-codes`.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_command remote_commands[] = {
	{ "add", cmd_remote_add, "add a remote (secrets come from stdin, never argv)",
	  remote_add_usage, cli_remote_types_help, NULL },
	{ "set", cmd_remote_set, "change a remote's settings (its sync state stays)",
	  remote_set_usage, NULL, NULL },
	{ "ls", cmd_remote_ls, "list the remotes", remote_ls_usage, NULL, NULL },
	{ "rm", cmd_remote_rm, "remove a remote (files on it stay)", remote_rm_usage, NULL, NULL },
	{ "test", cmd_remote_test, "check a remote is reachable and writable", remote_test_usage,
	  NULL, NULL },
	{ "secret", cmd_remote_secret, "store a password or passphrase for a remote",
	  remote_secret_usage, NULL, NULL },
	{ "auth", cmd_remote_auth, "sign a remote in with OAuth", remote_auth_usage, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct cli_command sync_commands[] = {
	{ "status", NULL, "what is synced, queued and failed, per remote", NULL, NULL, NULL },
	{ "check", NULL, "compare the catalogue with a remote's listing", check_usage, NULL, NULL },
	{ "pull", NULL, "import what another device uploaded to a remote", pull_usage, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct cli_command queue_commands[] = {
	{ "ls", NULL, "list sync tasks", NULL, NULL, NULL },
	{ "retry", NULL, "run failed tasks again", NULL, NULL, NULL },
	{ "cancel", NULL, "cancel a task", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct cli_command config_commands[] = {
	{ "get", NULL, "a setting's value in effect", NULL, cli_config_settings_help, NULL },
	{ "set", NULL, "set a setting (library, or --global)", NULL, cli_config_settings_help,
	  NULL },
	{ "unset", NULL, "remove a setting (library, or --global)", NULL, cli_config_settings_help,
	  NULL },
	{ "ls", NULL, "every setting, its value and where it comes from", NULL,
	  cli_config_settings_help, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct cli_command db_commands[] = {
	{ "status", cmd_db, "schema version, pending migrations, integrity", NULL, NULL, NULL },
	{ "migrate", cmd_db, "back up, then apply pending migrations", NULL, NULL, NULL },
	{ "backup", cmd_db, "copy the database", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

static const struct cli_command log_commands[] = {
	{ "bundle", NULL, "pack the log for a bug report", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct cli_command cli_commands[] = {
	{ "init", cmd_init, "create a library (safe to run again)", init_usage, NULL, NULL },
	{ "import", cmd_import, "copy audio files into the library", import_usage, NULL, NULL },
	{ "ls", cmd_ls, "list recordings, filtered and sorted, a page at a time", ls_usage, NULL,
	  NULL },
	{ "show", cmd_show, "every field of one recording", show_usage, NULL, NULL },
	{ "search", cmd_search, "search titles, descriptions, tags and what was said", search_usage,
	  NULL, NULL },
	{ "edit", cmd_edit, "change a recording's title, description or tags", edit_usage, NULL,
	  NULL },
	{ "rm", cmd_rm, "soft-delete recordings (files stay until a purge)", rm_usage, NULL, NULL },
	{ "restore", cmd_restore, "bring deleted or archived recordings back", restore_usage, NULL,
	  NULL },
	{ "archive", cmd_archive, "archive recordings", archive_usage, NULL, NULL },
	{ "verify", cmd_verify, "re-hash files; find missing, damaged and stray files",
	  verify_usage, NULL, NULL },
	{ "offload", cmd_offload, "free local space once enough verified copies exist",
	  offload_usage, NULL, NULL },
	{ "get", cmd_get, "fetch offloaded (or repair damaged) audio from a remote", get_usage,
	  NULL, NULL },
	{ "schedule", cmd_schedule, "run the worker and scheduled verification periodically",
	  schedule_usage, NULL, NULL },
	{ "purge", cmd_purge, "delete recordings for good (files included)", purge_usage, NULL,
	  NULL },
	{ "export", cmd_export, "copy every recording out, with metadata.json", export_usage, NULL,
	  NULL },
	{ "derive", cmd_derive, "make missing or stale waveforms and other derived assets",
	  derive_usage, NULL, NULL },
	{ "waveform", cmd_waveform, "a recording's waveform peaks (audiowaveform JSON or .dat)",
	  waveform_usage, NULL, NULL },
	{ "spectrogram", cmd_spectrogram, "a recording's spectrogram as a PNG", spectrogram_usage,
	  NULL, NULL },
	{ "transcribe", cmd_transcribe, "transcribe recordings offline; search finds what was said",
	  transcribe_usage, NULL, NULL },
	{ "transcript", cmd_transcript, "a recording's transcript (text, SRT, WebVTT or JSON)",
	  transcript_usage, NULL, NULL },
	{ "remote", NULL, "add, list, remove and test remotes to sync to", NULL, NULL,
	  remote_commands },
	{ "sync", cmd_sync, "upload what is not yet on the remotes; `sync status`", sync_usage,
	  NULL, sync_commands },
	{ "queue", cmd_queue, "the sync queue: ls, retry, cancel", queue_usage, NULL,
	  queue_commands },
	{ "worker", cmd_worker, "run the sync queue until stopped, picking up new work",
	  worker_usage, NULL, NULL },
	{ "serve", cmd_serve, "a local HTTP API and web page to browse, play, edit and sync",
	  serve_usage, NULL, NULL },
	{ "config", cmd_config, "read and change settings: get, set, unset, ls", config_usage,
	  cli_config_settings_help, config_commands },
	{ "db", NULL, "database status, migrations and backups", db_usage, NULL, db_commands },
	{ "audit", cmd_audit, "the audit log of deletions, purges, exports, imports", audit_usage,
	  cli_audit_operations_help, NULL },
	{ "metrics", cmd_metrics, "local counters, in Prometheus text format or JSON",
	  metrics_usage, NULL, NULL },
	{ "log", cmd_log, "read the diagnostic log; bundle it for a bug report", log_usage, NULL,
	  log_commands },
	{ "help", cli_help_command, "help on a command, or `vrp help exit-codes`",
	  "usage: vrp help [COMMAND [SUBCOMMAND] | exit-codes | man]\n\n"
	  "Prints a command's help (as `vrp COMMAND --help` does), the exit\n"
	  "statuses and the error codes that give each, or the manual page vrp.1\n"
	  "(roff, made from this same help). With --json: every command\n"
	  "and subcommand, or every error code with its exit status.\n",
	  NULL, NULL },
	{ NULL, NULL, NULL, NULL, NULL, NULL },
};

const struct cli_command *cli_find_command(const struct cli_command *table, const char *name)
{
	for (; table && table->name; table++)
		if (!strcmp(table->name, name))
			return table;
	return NULL;
}

static void print_list(FILE *out, const struct cli_command *table)
{
	for (; table->name; table++)
		fprintf(out, "  %-11s %s\n", table->name, table->summary);
}

void cli_print_command_help(FILE *out, const struct cli_command *cmd, const struct cli_command *sub)
{
	const struct cli_command *own = sub && sub->usage ? sub : cmd;
	if (own->usage) {
		fputs(own->usage, out);
	} else {
		fprintf(out, "usage: vrp %s COMMAND [ARGS...]\n\n%s.\n\nCommands:\n", cmd->name,
			cmd->summary);
		print_list(out, cmd->subcommands);
		fprintf(out, "\n`vrp %s COMMAND --help` shows a command's own usage.\n", cmd->name);
	}
	if (own->more_help)
		own->more_help(out);
}

void cli_print_main_help(FILE *out)
{
	fprintf(out, "usage: vrp [--library DIR] [--json] [-q|-v] COMMAND [ARGS...]\n"
		     "       vrp -V | --version | -h | --help | COMMAND --help\n\n"
		     "Global options (accepted before or after the command):\n"
		     "  --library DIR  the library (default: $VRP_LIBRARY, else "
		     "$XDG_DATA_HOME/vrp)\n"
		     "  --json         JSON Lines on stdout; errors as JSON on stderr\n"
		     "  -q, --quiet    print only errors\n"
		     "  -v, --verbose  say more, including where an error happened, and copy\n"
		     "                 the log to stderr (-vv: debug records too)\n\n"
		     "Commands:\n");
	print_list(out, cli_commands);
	fputc('\n', out);
	cli_print_exit_codes(out);
}

/* The exit statuses in the order sysexits.h lists them. */
static const int exit_statuses[] = { 0, 64, 65, 66, 69, 70, 71, 73, 74, 75, 77 };
#define EXIT_STATUS_COUNT (sizeof(exit_statuses) / sizeof(*exit_statuses))

void cli_print_exit_codes(FILE *out)
{
	fputs("Exit status, and the error codes ([ERR_...] in messages) that give it:\n", out);
	for (size_t s = 0; s < EXIT_STATUS_COUNT; s++) {
		fprintf(out, "  %-3d %s\n", exit_statuses[s],
			vrp_exit_status_meaning(exit_statuses[s]));
		size_t column = 0;
		for (int code = -1; code > -VRP_ERROR_COUNT; code--) {
			if (vrp_error_exit_status(code) != exit_statuses[s])
				continue;
			const char *name = vrp_error_code_name(code);
			if (column + strlen(name) > 66) {
				fputc('\n', out);
				column = 0;
			}
			column += (size_t)fprintf(out, "%s%s", column ? " " : "      ", name);
		}
		if (column)
			fputc('\n', out);
	}
	fputs("Commands that go through many items (import, verify, sync check, sync pull)\n"
	      "exit 65 when some item was rejected, whatever that item's code.\n"
	      "Stopped by a signal (Ctrl-C, SIGTERM), a command exits 128 + the signal\n"
	      "number: 130 or 143, after keeping what it had finished.\n",
	      out);
}

/* With --json: one {"code", "exit_status", "meaning"} object per error code. */
static void print_exit_codes_json(void)
{
	for (int code = 0; code > -VRP_ERROR_COUNT; code--) {
		int status = vrp_error_exit_status(code);
		cli_print_json(json_pack("{s:s, s:i, s:s}", "code", vrp_error_code_name(code),
					 "exit_status", status, "meaning",
					 vrp_exit_status_meaning(status)));
	}
}

/* With --json: one {"command", "summary"} object per command and subcommand. */
static void print_commands_json(void)
{
	char path[64];
	for (const struct cli_command *c = cli_commands; c->name; c++) {
		cli_print_json(json_pack("{s:s, s:s}", "command", c->name, "summary", c->summary));
		for (const struct cli_command *s = c->subcommands; s && s->name; s++) {
			snprintf(path, sizeof(path), "%s %s", c->name, s->name);
			cli_print_json(
				json_pack("{s:s, s:s}", "command", path, "summary", s->summary));
		}
	}
}

int cli_help_command(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 && cli->json) {
		print_commands_json();
		return 0;
	}
	if (argc < 2) {
		cli_print_main_help(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "man") && argc == 2) {
		cli_print_man_page(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "exit-codes") && argc == 2) {
		if (cli->json)
			print_exit_codes_json();
		else
			cli_print_exit_codes(stdout);
		return 0;
	}
	const struct cli_command *cmd = cli_find_command(cli_commands, argv[1]);
	const struct cli_command *sub =
		cmd && argc > 2 ? cli_find_command(cmd->subcommands, argv[2]) : NULL;
	if (!cmd || (argc > 2 && !sub) || argc > 3)
		return cli_usage_error(cli, "no help for '%s%s%s'", argv[1], argc > 2 ? " " : "",
				       argc > 2 ? argv[2] : "");
	cli_print_command_help(stdout, cmd, sub);
	return 0;
}
