/* cmd_transcribe.c - `vrp transcribe`: make recordings' transcripts and index what was said. */
#include "cli.h"
#include "progress.h"

#include <unistd.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char transcribe_usage[] =
	"usage: vrp transcribe [--language L] [--force] [--no-auto-title] [-j N] --all | ID...\n\n"
	"Transcribes recordings offline with pocketsphinx (installed separately:\n"
	"apt-get install libpocketsphinx3 pocketsphinx-en-us) and indexes the words\n"
	"for vrp search. A transcript that is fresh is kept. A recording whose title\n"
	"is still its file name gets one from its first words (marked automatic; an\n"
	"edit always wins). Recordings with no speech get an empty transcript.\n\n"
	"  --all            every active and archived recording\n"
	"  --force          transcribe again even when fresh\n"
	"  --language L     the model's language (default en-us)\n"
	"  --no-auto-title  never title from the transcript (setting:\n"
	"                   transcribe.auto_title = false)\n"
	"  -j, --jobs N     recordings transcribed at once, one decoder (~100 MB)\n"
	"                   each (default: one per core)\n";

struct transcribe_args {
	vrp_transcribe_options options;
	unsigned jobs;
	bool all;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct transcribe_args *a = ctx;
	long long n = 0;
	if (c == 'j' && !cli_parse_int(arg, 1, 256, &n))
		return cli_usage_error(cli, "--jobs needs a whole number from 1 to 256, not '%s'",
				       arg);
	if (c == 'j')
		a->jobs = (unsigned)n;
	else if (c == 'l')
		a->options.language = arg;
	else if (c == 'a')
		a->all = true;
	else if (c == 't')
		a->options.no_auto_title = true;
	else /* --force */
		a->options.force = true;
	return 0;
}

/* The run as the progress line and the results see it (calls never overlap). */
struct transcribe_run {
	struct cli *cli;
	bool progress; /* stderr is a terminal */
	bool drawn;
	size_t count, done;
	const int64_t *ids;
	double *durations;     /* per id, seconds */
	double total, skipped; /* audio seconds in all, and of transcripts kept fresh */
	double decoded;        /* audio seconds decoded so far */
	double started, last_draw;
	int status; /* the exit status of the first failure */
};

static void clear_line(struct transcribe_run *run)
{
	if (run->drawn)
		fputs("\r\033[K", stderr);
	run->drawn = false;
}

/* "[2/5 recordings] 3:12 / 10:40 of audio  30%  1.4x real time  ETA 01:23" */
static void draw(struct transcribe_run *run)
{
	double now = cli_progress_now(), elapsed = now - run->started;
	double done = run->decoded + run->skipped;
	if (done > run->total)
		done = run->total;
	double speed = elapsed > 0 ? run->decoded / elapsed : 0;
	char at[CLI_SHORT_LEN], of[CLI_SHORT_LEN], eta[CLI_SHORT_LEN];
	if (done >= 1)
		cli_format_duration(done, at);
	else /* the duration format says "-" for an unknown 0 */
		snprintf(at, sizeof(at), "00:00");
	cli_format_duration(run->total, of);
	if (speed > 0 && run->total > done)
		cli_format_duration(
			(run->total - done) / speed < 1 ? 1 : (run->total - done) / speed, eta);
	else
		snprintf(eta, sizeof(eta), "--:--");
	fprintf(stderr,
		"\r[%zu/%zu recordings] %s / %s of audio  %d%%  %.1fx real time  ETA %s\033[K",
		run->done, run->count, at, of,
		run->total > 0 ? (int)(100.0 * done / run->total) : 100, speed, eta);
	run->drawn = true;
	run->last_draw = now;
}

static int on_progress(void *ctx, double seconds)
{
	struct transcribe_run *run = ctx;
	run->decoded = seconds;
	if (cli_progress_now() - run->last_draw >= 0.2)
		draw(run);
	return 0;
}

static double duration_of(const struct transcribe_run *run, int64_t id)
{
	for (size_t i = 0; i < run->count; i++)
		if (run->ids[i] == id)
			return run->durations[i];
	return 0;
}

static void on_result(void *ctx, int64_t id, int rc, const vrp_transcribe_result *r)
{
	struct transcribe_run *run = ctx;
	struct cli *cli = run->cli;
	clear_line(run);
	run->done++;
	if (rc < 0) {
		int status = cli_fail(cli, rc);
		if (!run->status)
			run->status = status;
	} else if (cli->json) {
		cli_print_json(json_pack("{s:I, s:s, s:I, s:b}", "id", (json_int_t)id, "status",
					 r->made ? "made" : "fresh", "words", (json_int_t)r->words,
					 "auto_title", r->titled));
	} else {
		cli_say(cli, "%lld transcript %s, %zu words%s\n", (long long)id,
			r->made ? "made" : "fresh", r->words, r->titled ? ", titled" : "");
	}
	fflush(stdout);
	if (rc == 0 && !r->made)
		run->skipped += duration_of(run, id);
	if (run->progress)
		draw(run);
}

/* Every recording's duration, for the progress line's total and ETA. */
static int measure(struct transcribe_run *run, vrp_library *lib)
{
	run->durations = calloc(run->count ? run->count : 1, sizeof(*run->durations));
	if (!run->durations)
		return cli_out_of_memory(run->cli);
	for (size_t i = 0; i < run->count; i++) {
		char text[24];
		snprintf(text, sizeof(text), "%lld", (long long)run->ids[i]);
		vrp_recording *rec = NULL;
		if (vrp_recordings_find(lib, text, &rec) == 0 && rec->duration > 0)
			run->durations[i] = rec->duration;
		run->total += run->durations[i];
		vrp_recording_free(rec);
	}
	return 0;
}

static int collect_all(struct cli *cli, vrp_library *lib, int64_t **ids, size_t *count)
{
	vrp_recording_filter filter = { .limit = VRP_LIST_MAX_LIMIT };
	for (;;) {
		vrp_recording_list *page = NULL;
		int rc = vrp_recordings_list(lib, &filter, &page);
		if (rc < 0)
			return cli_fail(cli, rc);
		int64_t *more = realloc(*ids, (*count + page->count + 1) * sizeof(**ids));
		if (!more) {
			vrp_recording_list_free(page);
			return cli_out_of_memory(cli);
		}
		*ids = more;
		for (size_t i = 0; i < page->count; i++)
			(*ids)[(*count)++] = page->items[i]->id;
		filter.cursor = page->next_cursor;
		vrp_recording_list_free(page);
		if (!filter.cursor)
			return 0;
	}
}

static int transcribe_ids(struct cli *cli, vrp_library *lib, struct transcribe_args *a,
			  const int64_t *ids, size_t count)
{
	struct transcribe_run run = {
		.cli = cli,
		.progress =
			!cli->json && cli->verbosity >= 0 && cli_terminal_escapes(STDERR_FILENO),
		.count = count,
		.ids = ids,
		.started = cli_progress_now(),
	};
	int status = run.progress ? measure(&run, lib) : 0;
	if (status)
		return status;
	if (run.progress) {
		a->options.on_progress = on_progress;
		a->options.progress_ctx = &run;
		draw(&run);
	}
	int rc = vrp_transcribe_many(lib, ids, count, &a->options, a->jobs, on_result, &run);
	clear_line(&run);
	free(run.durations);
	if (rc < 0)
		return cli_fail(cli, rc);
	return run.status;
}

int cmd_transcribe(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "language", required_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-auto-title", no_argument, NULL, 't' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "transcribe", "hj:", options, transcribe_usage,
						     on_option };
	struct transcribe_args a = { .all = false };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (a.all == (optind < argc))
		return cli_usage_error(cli, "transcribe needs --all or recording ids, not both");
	/* Say what to install before touching any recording. */
	int rc = vrp_transcribe_available(a.options.language);
	if (rc < 0)
		return cli_fail(cli, rc);
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	int64_t *ids = NULL;
	size_t count = 0;
	status = a.all ? collect_all(cli, lib, &ids, &count)
		       : cli_resolve_ids(cli, lib, argc - optind, argv + optind, &ids, &count);
	/* A recording that fails is reported and the others go on. */
	int outcome = !status && count > 0 ? transcribe_ids(cli, lib, &a, ids, count) : 0;
	free(ids);
	vrp_library_free(lib);
	return status ? status : outcome;
}
