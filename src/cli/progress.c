/* progress.c - files, bytes, rate and ETA on one redrawn stderr line. */
#include "progress.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
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
	p->started = now();
}

static void human_bytes(double bytes, char *out, size_t len)
{
	const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	size_t u = 0;
	while (bytes >= 1024 && u < 4) {
		bytes /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
}

static void draw(struct cli_progress *p)
{
	double elapsed = now() - p->started;
	double rate = elapsed > 0 ? (double)p->bytes_done / elapsed : 0;
	char done[32], total[32], speed[32], eta[32] = "--:--";
	human_bytes((double)p->bytes_done, done, sizeof(done));
	human_bytes((double)p->bytes_total, total, sizeof(total));
	human_bytes(rate, speed, sizeof(speed));
	if (rate > 0 && p->bytes_total > p->bytes_done) {
		long secs = (long)((double)(p->bytes_total - p->bytes_done) / rate);
		snprintf(eta, sizeof(eta), "%ld:%02ld", secs / 60, secs % 60);
	}
	fprintf(stderr, "\r[%ld/%ld files] %s / %s  %s/s  ETA %s\033[K", p->files_done,
		p->files_total, done, total, speed, eta);
	p->drawn = true;
	p->last_draw = now();
}

void cli_progress_update(struct cli_progress *p, int64_t bytes_done)
{
	if (!p->enabled)
		return;
	p->bytes_done = bytes_done;
	if (now() - p->last_draw >= 0.1)
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
