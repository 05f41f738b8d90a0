/* cmd_import.c - `vrp import`: bring files into the library, one line per file. */
#include "cli.h"
#include "progress.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char import_usage[] =
	"usage: vrp import [-r] [-j N] [--title T] [--description D] [--tag X]... PATH...\n\n"
	"Copies each audio file into the library (checksummed, identified by its\n"
	"content, durable before it is catalogued). Same content already in the\n"
	"library is reported as a duplicate and not stored twice.\n\n"
	"  -r, --recursive     import what directories hold (skipping dot-files)\n"
	"  -j, --jobs N        files copied and identified at once, 1 to 4\n"
	"                      (default: one per core, at most 4)\n"
	"  --title T           title for every file (default: the file name)\n"
	"  --description D     description for every file\n"
	"  --tag X             add tag X (repeatable)\n"
	"  --no-derive         do not make the waveform of each imported file now\n"
	"                      (`vrp derive` makes it later)\n\n"
	"Results go to stdout (rejections to stderr), one line per file as it\n"
	"commits; the summary goes to stderr. SIGINT or SIGTERM stops the import:\n"
	"files copied whole are committed, partial copies removed.\n\n"
	"Exit status: 0 when nothing was rejected, 65 when some file was,\n"
	"130 (SIGINT) or 143 (SIGTERM) when interrupted.\n";

struct import_run {
	struct cli *cli;
	struct cli_progress progress;
	long imported, duplicates, rejected;
	bool no_derive;
	int64_t *imported_ids; /* waveforms to make once the import is done */
	size_t imported_count;
};

static volatile sig_atomic_t stopped_by; /* the signal that asked the import to stop */

static void on_signal(int sig) { stopped_by = sig; }

static bool should_stop(void *ctx)
{
	(void)ctx;
	return stopped_by != 0;
}

/* The first SIGINT/SIGTERM stops the import cleanly; a second one kills (its
 * partial files are removed by the next import). */
static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* The import polls the flag, so no call needs to fail with EINTR. */
	sa.sa_flags = SA_RESETHAND | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static void print_result(struct import_run *run, const vrp_import_result *r)
{
	const char *status = vrp_import_status_to_string(r->status);
	if (run->cli->json) {
		json_t *o = json_object();
		json_object_set_new(o, "path", cli_json_string(r->path));
		json_object_set_new(o, "status", json_string(status));
		json_object_set_new(o, "id", r->id ? json_integer(r->id) : json_null());
		json_object_set_new(o, "uuid", r->uuid ? json_string(r->uuid) : json_null());
		if (r->status == VRP_IMPORT_REJECTED)
			json_object_set_new(o, "error",
					    json_pack("{s:s, s:s}", "code",
						      vrp_error_code_name(r->error), "message",
						      r->error_message));
		cli_print_json(o);
		return;
	}
	char *shown = cli_escape(r->path);
	if (r->status == VRP_IMPORT_REJECTED)
		fprintf(stderr, "rejected   %s: %s [%s]\n", shown, r->error_message,
			vrp_error_code_name(r->error));
	else if (run->cli->verbosity >= 0)
		printf("%-10s %-6lld %s\n", status, (long long)r->id, shown);
	free(shown);
}

static void on_result(void *ctx, const vrp_import_result *r)
{
	struct import_run *run = ctx;
	run->imported += r->status == VRP_IMPORT_IMPORTED;
	run->duplicates += r->status == VRP_IMPORT_DUPLICATE;
	run->rejected += r->status == VRP_IMPORT_REJECTED;
	if (r->status == VRP_IMPORT_IMPORTED && !run->no_derive) {
		int64_t *ids = realloc(run->imported_ids, sizeof(*ids) * (run->imported_count + 1));
		if (ids) {
			ids[run->imported_count++] = r->id;
			run->imported_ids = ids;
		}
	}
	cli_progress_clear(&run->progress);
	print_result(run, r);
	/* The line is out as its row commits: before the summary on stderr, and
	 * before an interruption could lose it in stdout's buffer. */
	fflush(stdout);
	cli_progress_file_done(&run->progress, r->bytes);
}

static void on_progress(void *ctx, const char *path, int64_t file_bytes, int64_t total_bytes)
{
	(void)path;
	(void)file_bytes;
	struct import_run *run = ctx;
	cli_progress_update(&run->progress, total_bytes);
}

/* What was committed stays; the shell's convention gives the exit status. */
static int report_interrupted(const struct cli *cli, const struct import_run *run)
{
	char message[96];
	snprintf(message, sizeof(message), "interrupted: %ld imported, the rest not",
		 run->imported);
	if (cli->json)
		fprintf(stderr, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}\n",
			vrp_error_code_name(VRP_ECANCELLED), message);
	else
		fprintf(stderr, "%s\n", message);
	return 128 + stopped_by;
}

/* A failure is a warning: the recording is safely in, and `vrp derive` can try again. */
static void on_waveform(void *ctx, int64_t recording_id, unsigned made, int rc, const char *message)
{
	(void)made;
	const struct cli *cli = ctx;
	if (rc < 0 && cli->verbosity >= 0)
		fprintf(stderr, "warning: the waveform of %lld was not made: %s [%s]\n",
			(long long)recording_id, message ? message : "", vrp_error_code_name(rc));
}

/*
 * The waveform is fast (a fraction of the import's own reading of the file)
 * and what a user looks at first, so it is made now. Each one is written
 * durably (its file, its directory, its row), so the time goes into waiting
 * for the disk: several at once overlap the waits (1,000 files of 200 kB,
 * 21.6 s one at a time, 6.4 s four at a time on this machine). Chunks keep
 * an interruption prompt.
 */
#define WAVEFORM_JOBS  4
#define WAVEFORM_CHUNK 64

static void derive_imported(const struct cli *cli, vrp_library *lib, const struct import_run *run)
{
	for (size_t i = 0; i < run->imported_count && !stopped_by; i += WAVEFORM_CHUNK) {
		size_t n = run->imported_count - i;
		vrp_derive_many(lib, run->imported_ids + i, n < WAVEFORM_CHUNK ? n : WAVEFORM_CHUNK,
				VRP_DERIVE_KIND(VRP_DERIVED_WAVEFORM), false, WAVEFORM_JOBS,
				on_waveform, (void *)cli);
	}
}

struct import_args {
	vrp_import_options *options;
	const char **tags;
	bool *no_derive;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct import_args *a = ctx;
	long long n = 0;
	if (c == 'r')
		a->options->recursive = true;
	else if (c == 'j' && cli_parse_int(arg, 1, 4, &n))
		a->options->threads = (unsigned)n;
	else if (c == 'j')
		return cli_usage_error(cli, "--jobs needs a whole number from 1 to 4, not '%s'",
				       arg);
	else if (c == 't')
		a->options->title = arg;
	else if (c == 'd')
		a->options->description = arg;
	else if (c == 'n')
		*a->no_derive = true;
	else /* --tag */
		a->tags[a->options->tag_count++] = arg;
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, vrp_import_options *o, const char ***tags,
		 bool *no_derive)
{
	static const struct option options[] = {
		{ "recursive", no_argument, NULL, 'r' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "title", required_argument, NULL, 't' },
		{ "description", required_argument, NULL, 'd' },
		{ "tag", required_argument, NULL, 'g' },
		{ "no-derive", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "import", "rj:h", options, import_usage,
						     on_option };
	struct import_args a = { o, *tags, no_derive };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status;
	if (optind >= argc)
		return cli_usage_error(cli, "import needs at least one PATH");
	o->tags = *tags;
	return 0;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	const char **tags = calloc((size_t)argc, sizeof(*tags));
	if (!tags)
		return cli_fail(cli, VRP_ENOMEM);
	struct import_run run = { .cli = cli };
	vrp_import_options o = {
		.on_result = on_result, .on_progress = on_progress, .stop = should_stop, .ctx = &run
	};
	int status = parse(cli, argc, argv, &o, &tags, &run.no_derive);
	if (status) {
		free(tags);
		return status < 0 ? 0 : status;
	}
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib))) {
		free(tags);
		return status;
	}
	cli_progress_start(&run.progress, cli, (const char *const *)argv + optind,
			   (size_t)(argc - optind), o.recursive);
	install_handlers();
	vrp_importer *imp = NULL;
	int rc = vrp_importer_new(&imp, lib, &o);
	for (int i = optind; rc == 0 && i < argc; i++)
		rc = vrp_importer_add(imp, argv[i]);
	if (rc == 0 || rc == VRP_ECANCELLED)
		rc = vrp_importer_finish(imp);
	vrp_importer_free(imp);
	cli_progress_clear(&run.progress);
	if (rc == 0)
		derive_imported(cli, lib, &run);
	free(run.imported_ids);
	if (rc == VRP_ECANCELLED && stopped_by)
		status = report_interrupted(cli, &run);
	else if (rc < 0)
		status = cli_fail(cli, rc);
	else if (run.rejected)
		status = vrp_error_exit_status(VRP_EUNSUPPORTED_MEDIA);
	if (!cli->json && cli->verbosity >= 0 && rc != VRP_ECANCELLED)
		fprintf(stderr, "%ld imported, %ld duplicate, %ld rejected\n", run.imported,
			run.duplicates, run.rejected);
	vrp_library_free(lib);
	free(tags);
	return status;
}
