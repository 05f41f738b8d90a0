/* output.c - how the CLI prints results, messages and errors. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void cli_print_json(json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT | JSON_ENSURE_ASCII);
	if (text) {
		fputs(text, stdout);
		fputc('\n', stdout);
		free(text);
	}
	json_decref(obj);
}

void cli_say(const struct cli *cli, const char *fmt, ...)
{
	if (cli->json || cli->verbosity < 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
}

static void print_error(const struct cli *cli, const char *code_name, const char *message,
			const char *context)
{
	if (cli->json) {
		json_t *err = json_object();
		json_object_set_new(err, "code", json_string(code_name));
		json_object_set_new(err, "message", cli_json_string(message));
		if (context && *context)
			json_object_set_new(err, "context", cli_json_string(context));
		json_t *wrapper = json_pack("{s:o}", "error", err);
		char *text = json_dumps(wrapper, JSON_COMPACT | JSON_ENSURE_ASCII);
		if (text)
			fprintf(stderr, "%s\n", text);
		free(text);
		json_decref(wrapper);
		return;
	}
	fprintf(stderr, "%s: error: %s [%s]\n", cli->prog, message, code_name);
	if (context && *context && cli->verbosity > 0)
		fprintf(stderr, "%s:   at %s\n", cli->prog, context);
}

int cli_fail(const struct cli *cli, int code)
{
	const vrp_error *e = vrp_error_last();
	const char *message = e->code == code && *e->message ? e->message : vrp_strerror(code);
	print_error(cli, vrp_error_code_name(code), message, e->code == code ? e->context : "");
	return vrp_error_exit_status(code);
}

int cli_out_of_memory(const struct cli *cli)
{
	print_error(cli, vrp_error_code_name(VRP_ENOMEM), vrp_strerror(VRP_ENOMEM), "");
	return vrp_error_exit_status(VRP_ENOMEM);
}

int cli_usage_error(const struct cli *cli, const char *fmt, ...)
{
	char message[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	print_error(cli, vrp_error_code_name(VRP_EUSAGE), message, "");
	if (!cli->json)
		fprintf(stderr, "%s: see '%s %s%s--help'\n", cli->prog, cli->prog, cli->command,
			*cli->command ? " " : "");
	return vrp_error_exit_status(VRP_EUSAGE);
}

bool cli_terminal_escapes(int fd)
{
	const char *term = getenv("TERM");
	return isatty(fd) && !(term && !strcmp(term, "dumb"));
}

bool cli_use_color(int fd)
{
	const char *no_color = getenv("NO_COLOR");
	return cli_terminal_escapes(fd) && !(no_color && *no_color);
}

bool cli_is_help(const char *arg) { return !strcmp(arg, "-h") || !strcmp(arg, "--help"); }

int cli_open_library(const struct cli *cli, unsigned flags, vrp_library **out)
{
	char *root = NULL;
	int rc = cli->library ? 0 : vrp_library_default_root(&root);
	vrp_migrate_result migration = { 0 };
	if (rc == 0)
		rc = vrp_library_open(out, cli->library ? cli->library : root, flags, &migration);
	free(root);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (migration.applied && migration.from_version > 0 && cli->verbosity >= 0)
		fprintf(stderr, "%s: upgraded the library database from version %d to %d%s%s\n",
			cli->prog, migration.from_version, migration.to_version,
			migration.backup_path ? "; backup at " : "",
			migration.backup_path ? migration.backup_path : "");
	vrp_migrate_result_clear(&migration);
	return 0;
}
