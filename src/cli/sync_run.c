/* sync_run.c - running the sync worker from the CLI: signals, progress, outcomes. */
#include "sync_run.h"

#include "progress.h"

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

struct display {
	const struct cli *cli;
	bool terminal;
	double started, last_draw;
};

/* Totals, rate and ETA of the whole run, redrawn as bytes move (at most 10 times a second). */
static void draw(struct display *d, const vrp_sync_event *e)
{
	double now = cli_progress_now();
	bool outcome = e->kind != VRP_SYNC_EVENT_PROGRESS;
	if (!outcome && now - d->last_draw < 0.1)
		return;
	d->last_draw = now;
	struct cli_progress_line line = { (long)e->files_done, (long)e->files_total,
					  e->run_bytes_done,   e->run_bytes_total,
					  e->run_bytes_sent,   d->started };
	char text[256];
	cli_progress_format(&line, text, sizeof(text));
	char *path = cli_truncate(e->remote_path ? e->remote_path : "", 40);
	fprintf(stderr, "\r%s  %s: %s\033[K", text, e->remote, path ? path : "");
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
	if (e->code)
		json_object_set_new(o, "code", json_string(vrp_error_code_name(e->code)));
	if (e->code || e->message)
		json_object_set_new(o, "message", cli_json_string(e->message));
	if (e->kind == VRP_SYNC_EVENT_RETRY)
		json_object_set_new(o, "retry_in_ms", json_integer(e->delay_ms));
	if (cli->json) {
		cli_print_json(o);
		return;
	}
	json_decref(o);
	if (e->kind == VRP_SYNC_EVENT_WAITING)
		fprintf(stderr, "%s: %s\n", cli->prog, e->message);
	else if (e->kind == VRP_SYNC_EVENT_UNAVAILABLE)
		fprintf(stderr, "%s: remote %s is unavailable, its uploads stay queued: %s [%s]\n",
			cli->prog, e->remote, e->message, vrp_error_code_name(e->code));
	else if (e->kind == VRP_SYNC_EVENT_FAILED || e->kind == VRP_SYNC_EVENT_PAUSED ||
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
			     cli_progress_now(), 0 };
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
