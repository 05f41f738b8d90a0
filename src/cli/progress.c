/* progress.c - files, bytes, rate and ETA on one redrawn stderr line. */
#include "progress.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

double cli_progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_path(struct cli_progress *p, const char *path, bool recursive, int depth)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return;
	if (S_ISREG(st.st_mode)) {
		p->files_total++;
		p->bytes_total += st.st_size;
		return;
	}
	if (!S_ISDIR(st.st_mode) || !recursive || depth > 64)
		return;
	DIR *d = opendir(path);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char child[4096];
		if ((size_t)snprintf(child, sizeof(child), "%s/%s", path, e->d_name) <
		    sizeof(child))
			count_path(p, child, recursive, depth + 1);
	}
	closedir(d);
}

void cli_progress_start(struct cli_progress *p, const struct cli *cli, const char *const *paths,
			size_t count, bool recursive)
{
	memset(p, 0, sizeof(*p));
	p->enabled = !cli->json && cli->verbosity >= 0 && cli_terminal_escapes(STDERR_FILENO);
	if (!p->enabled)
		return;
	for (size_t i = 0; i < count; i++)
		count_path(p, paths[i], recursive, 0);
	p->started = cli_progress_now();
}

void cli_progress_format(const struct cli_progress_line *l, char *out, size_t len)
{
	char done[CLI_SHORT_LEN], total[CLI_SHORT_LEN], speed[CLI_SHORT_LEN], time[CLI_SHORT_LEN];
	double elapsed = cli_progress_now() - l->started;
	double rate = elapsed > 0 ? (double)l->bytes_sent / elapsed : 0;
	cli_format_size(l->bytes_done, done);
	cli_format_size(l->bytes_total, total);
	cli_format_size((int64_t)rate, speed);
	int64_t left = l->bytes_total - l->bytes_done;
	const char *label = "ETA";
	/* Every file done counts as finished, though a refused file was not read to its end. */
	if (left <= 0 || (l->files_total > 0 && l->files_done >= l->files_total)) {
		left = 0;
		/* Finished: how long it took says more than an ETA that cannot be had. */
		label = "elapsed";
		cli_format_duration(elapsed < 1 ? 1 : elapsed, time);
	} else if (rate > 0) {
		cli_format_duration((double)left / rate < 1 ? 1 : (double)left / rate, time);
	} else {
		snprintf(time, sizeof(time), "--:--");
	}
	int percent = l->bytes_total > 0 && left > 0
			      ? (int)(100.0 * (double)l->bytes_done / (double)l->bytes_total)
			      : 100;
	snprintf(out, len, "[%ld/%ld files] %s / %s  %d%%  %s/s  %s %s", l->files_done,
		 l->files_total, done, total, percent > 100 ? 100 : percent, speed, label, time);
}

static void draw(struct cli_progress *p)
{
	struct cli_progress_line line = { p->files_done,  p->files_total, p->bytes_done,
					  p->bytes_total, p->bytes_done,  p->started };
	char text[256];
	cli_progress_format(&line, text, sizeof(text));
	fprintf(stderr, "\r%s\033[K", text);
	p->drawn = true;
	p->last_draw = cli_progress_now();
}

void cli_progress_update(struct cli_progress *p, int64_t bytes_done)
{
	if (!p->enabled)
		return;
	p->bytes_done = bytes_done;
	if (cli_progress_now() - p->last_draw >= 0.1)
		draw(p);
}

void cli_progress_file_done(struct cli_progress *p, int64_t bytes)
{
	(void)bytes;
	if (!p->enabled)
		return;
	p->files_done++;
	draw(p);
}

void cli_progress_clear(struct cli_progress *p)
{
	if (p->enabled && p->drawn) {
		fputs("\r\033[K", stderr);
		p->drawn = false;
	}
}
