/*
 * log.h - the library's diagnostic log: structured records, correlation ids,
 * and reading the log back.
 *
 * libvrp never prints and writes no log file until the application asks:
 * vrp_log_open() starts the file sink (JSON Lines, one record a line, in a
 * directory of its own), vrp_log_set_stderr_level() a human-readable copy on
 * stderr (what `vrp -v` shows). Logging never fails an operation: a log that
 * cannot be written is skipped.
 *
 * A record holds: timestamp (UTC ISO-8601 with milliseconds), level, logger
 * (the module, e.g. "import"), message, func, line, correlation_id (or null),
 * pid, and context (a JSON object, or null). Every record is redacted before
 * it is written: credentials are removed and e-mail addresses masked
 * ("j***@example.com"); titles, descriptions and tags are never logged.
 *
 * Files: <dir>/vrp.log is written; when a write would take it past
 * max_file_bytes it is renamed to vrp-<UTC time>-NN.log and a new vrp.log
 * started. Rotated files older than retention_days, and the oldest beyond
 * max_files, are removed (when the log opens and at each rotation), so the
 * directory never holds more than about (max_files + 1) * max_file_bytes.
 * Several processes may log into one directory at once.
 */
#ifndef VRP_LOG_H
#define VRP_LOG_H

#include "vrp/config.h"

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vrp_log_level {
	VRP_LOG_LEVEL_DEBUG = 0,
	VRP_LOG_LEVEL_INFO = 1,
	VRP_LOG_LEVEL_WARNING = 2,
	VRP_LOG_LEVEL_ERROR = 3,
	VRP_LOG_LEVEL_OFF = 4, /* as a threshold: nothing */
};

/* "debug", "info", "warning", "error", "off"; NULL for an unknown level. */
const char *vrp_log_level_to_string(enum vrp_log_level level);

/* The level named `text` ("warn" is accepted for "warning"); VRP_EINVAL when unknown. */
int vrp_log_level_from_string(const char *text, enum vrp_log_level *out);

#define VRP_LOG_DEFAULT_MAX_FILE_BYTES (5LL << 20)
#define VRP_LOG_DEFAULT_MAX_FILES      10
#define VRP_LOG_DEFAULT_RETENTION_DAYS 30

/* Where and how much to log. Filled by vrp_log_settings_load(); clear with
 * vrp_log_settings_clear(). */
typedef struct vrp_log_settings {
	char *dir;                /* malloc'd */
	enum vrp_log_level level; /* the lowest level written to files (default info) */
	int64_t max_file_bytes;   /* rotate before vrp.log grows past this (default 5 MiB) */
	int max_files;            /* rotated files kept at most (default 10) */
	int retention_days;       /* rotated files older than this are removed (default 30) */
} vrp_log_settings;

/*
 * The default log directory into `*out` (malloc'd; caller frees): $VRP_LOG_DIR,
 * else $XDG_STATE_HOME/vrp/logs, else $HOME/.local/state/vrp/logs.
 * VRP_ENOTFOUND when none of those variables is set.
 */
int vrp_log_default_dir(char **out);

/*
 * Settings from the defaults, then the [log] section of `config` (may be
 * NULL): level, max_file_bytes, max_files, retention_days, and dir (a
 * relative dir is taken relative to `library_root`, so "dir = logs" keeps
 * the logs inside the library; ignored when `library_root` is NULL).
 * $VRP_LOG_DIR, when set, wins over the config file. VRP_EINVAL naming the
 * setting when one is malformed or out of range.
 */
int vrp_log_settings_load(vrp_log_settings *out, const vrp_config *config,
			  const char *library_root);

/* Frees what the settings own; the struct can be loaded again. */
void vrp_log_settings_clear(vrp_log_settings *settings);

/*
 * Starts (or moves) the process-wide file sink: creates the directory (mode
 * 0700), removes files past retention, and opens vrp.log for appending. On
 * failure the file sink stays off and the error is returned; nothing else
 * is affected.
 */
int vrp_log_open(const vrp_log_settings *settings);

/* Stops the file sink (and frees what it holds). Safe to call when not open. */
void vrp_log_close(void);

/* The directory being written to, or NULL when the file sink is off; owned by the log. */
const char *vrp_log_dir(void);

/*
 * Copies records at `level` or above to stderr in human-readable form;
 * VRP_LOG_LEVEL_OFF (the default) turns that off.
 */
void vrp_log_set_stderr_level(enum vrp_log_level level);

/*
 * Correlation ids tie together every log line and audit entry of one
 * high-level operation (an import run; later a sync task). The current id is
 * per thread.
 */
#define VRP_CORRELATION_ID_LEN 37 /* a UUID and its NUL */

/* Writes a new random correlation id (a UUID) into `out`. */
int vrp_correlation_new(char out[VRP_CORRELATION_ID_LEN]);

/* Makes `id` this thread's current correlation id (copied); NULL clears it. */
void vrp_correlation_set(const char *id);

/* This thread's current correlation id, or NULL; valid until the next set on this thread. */
const char *vrp_correlation_current(void);

/* One record read back from the log; valid only during the callback. */
typedef struct vrp_log_record {
	const char *timestamp;
	enum vrp_log_level level;
	const char *logger;
	const char *message;
	const char *func;
	int line;
	const char *correlation_id; /* NULL when none */
	const char *context;        /* the context object as JSON text, or NULL */
	const char *json;           /* the whole (re-redacted) record: one line of JSON */
} vrp_log_record;

/* Return non-zero to stop reading; that value is returned by vrp_log_read(). */
typedef int (*vrp_log_record_fn)(void *ctx, const vrp_log_record *record);

/* Which records to read. Zero/NULL members do not filter. */
typedef struct vrp_log_filter {
	const char *correlation_id;
	const char *since;            /* timestamp >= since (the timestamp format, or a prefix) */
	const char *until;            /* timestamp < until */
	enum vrp_log_level min_level; /* VRP_LOG_LEVEL_DEBUG: all */
} vrp_log_filter;

/*
 * Reads the records of the log directory `dir` (NULL: the open log's, else
 * the default) oldest first: rotated files in time order, then vrp.log.
 * Lines that are not log records are skipped. Each record is redacted again
 * before the callback sees it. A missing directory holds no records.
 */
int vrp_log_read(const char *dir, const vrp_log_filter *filter, vrp_log_record_fn fn, void *ctx);

/*
 * One line for a human: "TIMESTAMP LEVEL LOGGER: MESSAGE {context} [correlation]".
 * malloc'd (caller frees); NULL when out of memory.
 */
char *vrp_log_record_format(const vrp_log_record *record);

/*
 * Writes the records `filter` selects from `dir` (as vrp_log_read) into
 * `path` as gzip-compressed JSON Lines, for a bug report: a first line
 * {"vrp_log_bundle":{...}} describing it, then one record a line, each
 * redacted again. Written to a temporary file (mode 0600) and renamed into
 * place. `*records` (may be NULL) gets how many were written. Nothing is
 * sent anywhere: the user attaches the file if they choose to.
 */
int vrp_log_bundle(const char *dir, const vrp_log_filter *filter, const char *path,
		   int64_t *records);

#ifdef __cplusplus
}
#endif

#endif
