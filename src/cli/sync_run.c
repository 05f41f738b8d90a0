/* sync_run.c - running the sync worker from the CLI: signals, progress, outcomes. */
#include "sync_run.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static atomic_int stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop_requested, 1);
}

static bool should_stop(void *ctx)
{
	(void)ctx;
	return atomic_load(&stop_requested) != 0;
}

/* The first SIGINT/SIGTERM asks the run to finish cleanly; a second one kills. */
static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static double monotonic(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct display {
	const struct cli *cli;
	bool terminal;
	double started, last_draw;
};

static void draw(struct display *d, const vrp_sync_event *e)
{
	double now = monotonic();
	bool outcome = e->kind != VRP_SYNC_EVENT_PROGRESS;
	if (!outcome && now - d->last_draw < 0.1)
		return;
	d->last_draw = now;
	char bytes[CLI_SHORT_LEN], rate[CLI_SHORT_LEN];
	cli_format_size(e->bytes_uploaded + (outcome ? 0 : e->bytes_done), bytes);
	double elapsed = now - d->started;
	cli_format_size(elapsed > 0 ? (int64_t)((double)e->bytes_uploaded / elapsed) : 0, rate);
	char *path = cli_truncate(e->remote_path ? e->remote_path : "", 40);
	fprintf(stderr, "\r[%lld/%lld files] %s  %s/s  %s %s: %s\033[K", (long long)e->files_done,
		(long long)e->files_total, bytes, rate, e->remote,
		vrp_sync_event_kind_to_string(e->kind), path ? path : "");
	free(path);
}

static void print_outcome(const struct cli *cli, const vrp_sync_event *e)
{
	json_t *o =
		json_pack("{s:s, s:I, s:I, s:s, s:I, s:I}", "status",
			  vrp_sync_event_kind_to_string(e->kind), "task_id", (json_int_t)e->task_id,
			  "recording_id", (json_int_t)e->recording_id, "remote", e->remote,
			  "attempt", (json_int_t)e->attempt, "bytes", (json_int_t)e->bytes_total);
	json_object_set_new(o, "remote_path", cli_json_string(e->remote_path));
	if (e->code) {
		json_object_set_new(o, "code", json_string(vrp_error_code_name(e->code)));
		json_object_set_new(o, "message", cli_json_string(e->message));
	}
	if (e->kind == VRP_SYNC_EVENT_RETRY)
		json_object_set_new(o, "retry_in_ms", json_integer(e->delay_ms));
	if (cli->json) {
		cli_print_json(o);
		return;
	}
	json_decref(o);
	if (e->kind == VRP_SYNC_EVENT_FAILED || e->kind == VRP_SYNC_EVENT_PAUSED ||
	    e->kind == VRP_SYNC_EVENT_QUOTA)
		fprintf(stderr, "%s: recording %lld to %s: %s [%s]\n", cli->prog,
			(long long)e->recording_id, e->remote, e->message,
			vrp_error_code_name(e->code));
}

static void on_event(void *ctx, const vrp_sync_event *e)
{
	struct display *d = ctx;
	bool outcome = e->kind != VRP_SYNC_EVENT_PROGRESS && e->kind != VRP_SYNC_EVENT_STARTED;
	if (d->terminal && outcome)
		fputs("\r\033[K", stderr);
	if (outcome)
		print_outcome(d->cli, e);
	if (d->terminal)
		draw(d, e);
	fflush(stdout);
}

int cli_sync_run(const struct cli *cli, vrp_library *lib, const vrp_sync_options *options,
		 vrp_sync_summary *summary)
{
	struct display d = { cli,
			     !cli->json && cli->verbosity >= 0 &&
				     cli_terminal_escapes(STDERR_FILENO),
			     monotonic(), 0 };
	install_handlers();
	vrp_sync_options run = *options;
	run.progress = on_event;
	run.progress_ctx = &d;
	run.stop = should_stop;
	int rc = vrp_sync_run(lib, &run, summary);
	if (d.terminal)
		fputs("\r\033[K", stderr);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (summary->worst_code)
		return vrp_error_exit_status(summary->worst_code);
	/* Interrupted with work handed back: not done, try again later. */
	return summary->released ? vrp_error_exit_status(VRP_ETRANSIENT) : 0;
}
