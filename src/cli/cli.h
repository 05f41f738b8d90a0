/* cli.h - what the vrp commands share: global options and output helpers. */
#ifndef VRP_CLI_H
#define VRP_CLI_H

#include <jansson.h>
#include <stdbool.h>

#include "vrp/vrp.h"

struct cli {
	const char *library; /* --library, or NULL for the default */
	bool json;           /* --json: JSON Lines on stdout, JSON errors on stderr */
	int verbosity;       /* -q: -1, default 0, -v: 1 */
	const char *prog;    /* "vrp" */
};

/* A command: gets argv from the command name on; returns a process exit status. */
typedef int (*cli_command_fn)(struct cli *cli, int argc, char **argv);

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_db(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_verify(struct cli *cli, int argc, char **argv);
int cmd_purge(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);

/*
 * Resolves each ID or UUID argument to a recording id into a malloc'd
 * `*ids` (caller frees). Stops at the first that names no recording,
 * reports it, and returns its exit status; 0 when all resolved.
 */
int cli_resolve_ids(const struct cli *cli, vrp_library *lib, int argc, char **argv, int64_t **ids,
		    size_t *count);

/* Reports libvrp's last error (code `code`) on stderr; returns its exit status. */
int cli_fail(const struct cli *cli, int code);

/* Reports a usage problem on stderr; returns 64. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * A JSON string for bytes that may not be UTF-8 (file names): invalid
 * sequences become U+FFFD, so the output is always valid JSON.
 */
json_t *cli_json_bytes(const char *bytes);

/* A copy of `bytes` for a terminal: invalid UTF-8 and control bytes as \xNN. Caller frees. */
char *cli_escape_bytes(const char *bytes);

/* Writes `obj` as one JSON line on stdout and releases it. */
void cli_print_json(json_t *obj);

/* A message for humans on stdout, unless -q or --json. */
void cli_say(const struct cli *cli, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Opens the library named by --library / VRP_LIBRARY / XDG with `flags`,
 * telling the user (on stderr) when it was migrated. On failure reports the
 * error and returns its exit status; 0 on success.
 */
int cli_open_library(const struct cli *cli, unsigned flags, vrp_library **out);

/* True when `arg` is -h or --help. */
bool cli_is_help(const char *arg);

#endif
