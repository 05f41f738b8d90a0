/* cli.h - what the vrp commands share: global options and output helpers. */
#ifndef VRP_CLI_H
#define VRP_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vrp/vrp.h"

struct cli {
	const char *library; /* --library, or NULL for the default */
	bool json;           /* --json: JSON Lines on stdout, JSON errors on stderr */
	int verbosity;       /* -q: -1, default 0, -v: 1, -vv: 2 */
	const char *prog;    /* "vrp" */
	char command[64];    /* the command being run, "remote add": named in usage errors */
};

/* A command: gets argv from the command name on; returns a process exit status. */
typedef int (*cli_command_fn)(struct cli *cli, int argc, char **argv);

/*
 * A command or subcommand as help.c lists it. Help (-h or --help anywhere
 * before "--", or `vrp help COMMAND [SUB]`) is answered from this table
 * before the command runs, so it needs no library.
 */
struct cli_command {
	const char *name;
	/* Gets argv from its own name on. NULL for a subcommand: its parent's
	 * function runs (with argv from the parent's name) and dispatches it;
	 * NULL for a parent: a subcommand is required. */
	cli_command_fn fn;
	const char *summary; /* one line, for the parent's list */
	/* Printed for help. NULL for a subcommand: the parent's; NULL for a
	 * parent: generated from its subcommands' summaries. */
	const char *usage;
	void (*more_help)(FILE *out);          /* appended to usage when set (generated text) */
	const struct cli_command *subcommands; /* ends with a zero entry; NULL for none */
};

/* help.c: every command, and how help and dispatch find them. */

/* The top-level commands, ending with a zero entry. */
extern const struct cli_command cli_commands[];

/* The entry called `name` in `table` (a zero-terminated array), or NULL. */
const struct cli_command *cli_find_command(const struct cli_command *table, const char *name);

/* Prints the help of `cmd` (and of its subcommand `sub`, may be NULL) on `out`. */
void cli_print_command_help(FILE *out, const struct cli_command *cmd,
			    const struct cli_command *sub);

/* Prints vrp's own usage and command list (`vrp --help`) on `out`. */
void cli_print_main_help(FILE *out);

/* Prints the exit statuses and the error codes that give each (`vrp help exit-codes`). */
void cli_print_exit_codes(FILE *out);

/* help_man.c: the manual page (roff) from the help table (`vrp help man`). */
void cli_print_man_page(FILE *out);

/* `vrp help [COMMAND [SUB] | exit-codes | man]`. */
int cli_help_command(struct cli *cli, int argc, char **argv);

/* Usage texts, each beside the options it describes in its command's file. */
extern const char audit_usage[], db_usage[], edit_usage[], export_usage[], import_usage[],
	log_usage[], ls_usage[], metrics_usage[], purge_usage[], queue_usage[], search_usage[],
	show_usage[], sync_usage[], worker_usage[], check_usage[], pull_usage[], verify_usage[],
	init_usage[], rm_usage[], restore_usage[], archive_usage[], remote_add_usage[],
	remote_ls_usage[], remote_rm_usage[], remote_test_usage[], remote_secret_usage[],
	remote_auth_usage[], remote_set_usage[], config_usage[], derive_usage[], waveform_usage[],
	spectrogram_usage[], serve_usage[], transcribe_usage[], transcript_usage[];
extern const char offload_usage[], get_usage[], schedule_usage[];
/* The provider types remote add accepts and their settings (generated from the registry). */
void cli_remote_types_help(FILE *out);
/* The known settings and their docs, for `vrp config --help` (from the library's table). */
void cli_config_settings_help(FILE *out);
/* The operations `vrp audit --operation` takes (from the library). */
void cli_audit_operations_help(FILE *out);

int cmd_init(struct cli *cli, int argc, char **argv);
int cmd_db(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_verify(struct cli *cli, int argc, char **argv);
int cmd_offload(struct cli *cli, int argc, char **argv);
int cmd_get(struct cli *cli, int argc, char **argv);
int cmd_schedule(struct cli *cli, int argc, char **argv);
int cmd_purge(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_remote_add(struct cli *cli, int argc, char **argv);
int cmd_remote_ls(struct cli *cli, int argc, char **argv);
int cmd_remote_rm(struct cli *cli, int argc, char **argv);
int cmd_remote_test(struct cli *cli, int argc, char **argv);
int cmd_remote_secret(struct cli *cli, int argc, char **argv);
int cmd_remote_auth(struct cli *cli, int argc, char **argv);
int cmd_remote_set(struct cli *cli, int argc, char **argv);
int cmd_config(struct cli *cli, int argc, char **argv);
int cmd_derive(struct cli *cli, int argc, char **argv);
int cmd_waveform(struct cli *cli, int argc, char **argv);

/* Draws `rec`'s waveform across the terminal with a time axis; nothing when it cannot be made. */
void cli_draw_waveform(vrp_library *lib, const vrp_recording *rec);
int cmd_audit(struct cli *cli, int argc, char **argv);
int cmd_metrics(struct cli *cli, int argc, char **argv);
int cmd_log(struct cli *cli, int argc, char **argv);
int cmd_sync(struct cli *cli, int argc, char **argv);
/* `vrp sync check` and `vrp sync pull` (argv from "check"/"pull" on). */
int cmd_sync_check(struct cli *cli, int argc, char **argv);
int cmd_sync_pull(struct cli *cli, int argc, char **argv);
int cmd_queue(struct cli *cli, int argc, char **argv);
int cmd_worker(struct cli *cli, int argc, char **argv);
int cmd_serve(struct cli *cli, int argc, char **argv);
int cmd_spectrogram(struct cli *cli, int argc, char **argv);
int cmd_transcribe(struct cli *cli, int argc, char **argv);
int cmd_transcript(struct cli *cli, int argc, char **argv);

/* Takes one parsed option (`arg` is its value or NULL); 0, or an exit status to stop. */
typedef int (*cli_option_fn)(struct cli *cli, int c, const char *arg, void *ctx);

/* A command's options. `options` ends with a zero entry and maps "help" to 'h'. */
struct cli_option_spec {
	const char *command; /* "ls", "sync pull": named in usage errors */
	const char
		*shortopts; /* getopt's; "h" at least; a leading "+" stops at the first operand */
	const struct option *options;
	const char *usage; /* printed for -h / --help */
	cli_option_fn on_option;
};

/*
 * Parses argv's options (argv[0] is the command): help prints the usage and
 * returns -1 (the command then exits 0); an unknown option or a missing value
 * is a usage error; every other option goes to spec->on_option with `ctx`.
 * Returns 0 with optind at the first operand, else the exit status.
 */
int cli_options(struct cli *cli, const struct cli_option_spec *spec, int argc, char **argv,
		void *ctx);

/* Opens the file log as the config file says, and the -v copy on stderr; never fails. */
void cli_start_logging(const struct cli *cli);

/*
 * Finds the recording each ID or UUID argument names into `found` (a list
 * the caller empties with cli_recordings_clear()). Every argument that names
 * none is reported and the rest are still found, as rm and restore do;
 * returns the exit status of the first that failed, 0 when all were found.
 */
int cli_find_recordings(const struct cli *cli, vrp_library *lib, int argc, char **argv,
			vrp_recording_list *found);

/* Frees the records of a list cli_find_recordings() filled (not the list itself). */
void cli_recordings_clear(vrp_recording_list *list);

/* cli_find_recordings() giving only their ids, in a malloc'd `*ids` (caller frees). */
int cli_resolve_ids(const struct cli *cli, vrp_library *lib, int argc, char **argv, int64_t **ids,
		    size_t *count);
int cmd_ls(struct cli *cli, int argc, char **argv);
int cmd_show(struct cli *cli, int argc, char **argv);
int cmd_search(struct cli *cli, int argc, char **argv);
int cmd_edit(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_restore(struct cli *cli, int argc, char **argv);
int cmd_archive(struct cli *cli, int argc, char **argv);

/* Reports libvrp's last error (code `code`) on stderr; returns its exit status. */
int cli_fail(const struct cli *cli, int code);

/* Reports that the CLI itself ran out of memory; returns 71. */
int cli_out_of_memory(const struct cli *cli);

/* Reports a usage problem on stderr, pointing at the command's help; returns 64. */
int cli_usage_error(const struct cli *cli, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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

/*
 * Whether escape sequences (a progress line redrawn in place) may go to
 * `fd`: it is a terminal, and TERM is not "dumb".
 */
bool cli_terminal_escapes(int fd);

/* Whether colour and bold may go to `fd`: cli_terminal_escapes(), and NO_COLOR unset or empty. */
bool cli_use_color(int fd);

/* True when `arg` is -h or --help. */
bool cli_is_help(const char *arg);

/* text.c: catalogue text for a terminal. */

/*
 * Writes `text` with invalid UTF-8 bytes and control characters (newlines too,
 * unless `keep_newlines`) as \xNN, so what the catalogue holds can neither
 * garble nor command the terminal.
 */
void cli_put_escaped(FILE *out, const char *text, bool keep_newlines);

/* cli_put_escaped() into a malloc'd string (NULL text gives ""); NULL when out of memory. */
char *cli_escape(const char *text);

/* Columns `text` (UTF-8) takes on a terminal: 2 for wide characters, 0 for marks. */
size_t cli_display_width(const char *text);

/* width.c: columns code point `cp` takes (0, 1 or 2), as wcwidth() in a UTF-8 locale. */
int cli_char_width(uint32_t cp);

/* Writes `text` and pads it with spaces to `width` columns. */
void cli_put_padded(FILE *out, const char *text, size_t width);

/* A malloc'd copy of `text` cut to at most `max_width` columns, ending in "..." when cut. */
char *cli_truncate(const char *text, size_t max_width);

/* `one` when `n` is 1, else `many`: "1 orphan file", "2 orphan files". */
const char *cli_plural(long long n, const char *one, const char *many);

#define CLI_SHORT_LEN 24
/* "mm:ss", "h:mm:ss" when an hour or more, "-" when unknown (0). */
void cli_format_duration(double seconds, char out[CLI_SHORT_LEN]);
/* "512 B", "1.5 KiB", "3.2 MiB"... */
void cli_format_size(int64_t bytes, char out[CLI_SHORT_LEN]);

/* recording_json.c, recording_print.c: one recording, as JSON or as "field: value" lines. */

/* A JSON string of `text`, with invalid UTF-8 bytes as U+FFFD; null for NULL. */
json_t *cli_json_string(const char *text);

/*
 * The recording as an object with the data model's field names (null for
 * absent values, tags as an array). When original_filename is not UTF-8,
 * "original_filename" holds it with U+FFFD for each invalid byte and
 * "original_filename_hex" its exact bytes in hex.
 */
json_t *cli_recording_json(const vrp_recording *rec);

/* Every field on stdout, one "name: value" line each, text escaped. */
void cli_print_recording(const vrp_recording *rec);

/* recording_table.c: a list as an aligned table on stdout; returns an exit status. */
/* The date column is recorded_at when `recorded`, else created_at. */
int cli_print_recording_table(const struct cli *cli, const vrp_recording_list *list, bool recorded);

/* cmd_complete.c: `vrp __complete WORD...`, what the shell completions offer. */
int cli_complete(struct cli *cli, int argc, char **argv);

/* args.c: values typed on the command line. */

/* A decimal integer in [min, max] (digits only: no sign, no blanks). */
bool cli_parse_int(const char *text, long long min, long long max, long long *out);

/* A non-negative decimal number of seconds, such as 90 or 2.5. */
bool cli_parse_seconds(const char *text, double *out);

#define CLI_TIME_LEN 25 /* VRP_TIMESTAMP_LEN */
/* vrp_timestamp_parse(), returning -1 (no error kept) when `text` is not such a time. */
int cli_parse_time(const char *text, bool end_of_day, char out[CLI_TIME_LEN]);

#endif
