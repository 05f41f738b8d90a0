/* progress.h - a one-line progress display on stderr, only when it is a terminal. */
#ifndef VRP_CLI_PROGRESS_H
#define VRP_CLI_PROGRESS_H

#include "cli.h"

#include <stddef.h>
#include <stdint.h>

struct cli_progress {
	bool enabled;
	bool drawn;
	long files_total, files_done;
	int64_t bytes_total, bytes_done;
	double started, last_draw;
};

/* What one progress line says. */
struct cli_progress_line {
	long files_done, files_total;
	int64_t bytes_done, bytes_total;
	int64_t bytes_sent; /* what moved, for the rate (bytes_done counts skipped ones too) */
	double started;     /* cli_progress_now() at the start */
};

/*
 * "[2/5 files] 961.8 MiB / 2.0 GiB  47%  12.3 MiB/s  ETA 01:23" into `out`
 * ("elapsed 00:42" instead of the ETA once every byte or file is done).
 */
void cli_progress_format(const struct cli_progress_line *line, char *out, size_t len);

/* Seconds on the monotonic clock. */
double cli_progress_now(void);

/* Counts the files and bytes under `paths` (for the ETA) when the display is on. */
void cli_progress_start(struct cli_progress *p, const struct cli *cli, const char *const *paths,
			size_t count, bool recursive);

/* `bytes_done`: bytes processed so far in the whole run. Redraws at most 10 times a second. */
void cli_progress_update(struct cli_progress *p, int64_t bytes_done);

/* One more file finished (whatever its outcome). */
void cli_progress_file_done(struct cli_progress *p, int64_t bytes);

/* Erases the line so other output can be printed. */
void cli_progress_clear(struct cli_progress *p);

#endif
