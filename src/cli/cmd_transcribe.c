/* cmd_transcribe.c - `vrp transcribe`: make recordings' transcripts and index what was said. */
#include "cli.h"
#include "progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char transcribe_usage[] =
	"usage: vrp transcribe [--language L] [--force] [--no-auto-title] --all | ID...\n\n"
	"Transcribes recordings offline with pocketsphinx (installed separately:\n"
	"apt-get install libpocketsphinx3 pocketsphinx-en-us) and indexes the words\n"
	"for vrp search. A transcript that is fresh is kept. A recording whose title\n"
	"is still its file name gets one from its first words (marked automatic; an\n"
	"edit always wins). Recordings with no speech get an empty transcript.\n\n"
	"  --all            every active and archived recording\n"
	"  --force          transcribe again even when fresh\n"
	"  --language L     the model's language (default en-us)\n"
	"  --no-auto-title  never title from the transcript (setting:\n"
	"                   transcribe.auto_title = false)\n";

struct transcribe_args {
	vrp_transcribe_options options;
	bool all;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	(void)cli;
	struct transcribe_args *a = ctx;
	if (c == 'l')
		a->options.language = arg;
	else if (c == 'a')
		a->all = true;
	else if (c == 't')
		a->options.no_auto_title = true;
	else /* --force */
		a->options.force = true;
	return 0;
}

static void report(const struct cli *cli, int64_t id, const vrp_transcribe_result *r)
{
	const char *status = r->made ? "made" : "fresh";
	if (cli->json)
		cli_print_json(json_pack("{s:I, s:s, s:I, s:b}", "id", (json_int_t)id, "status",
					 status, "words", (json_int_t)r->words, "auto_title",
					 r->titled));
	else
		cli_say(cli, "%lld transcript %s, %zu words%s\n", (long long)id, status, r->words,
			r->titled ? ", titled" : "");
}

/* The recording's size, for the progress line's bytes; 0 when it cannot be read. */
static int64_t size_of(vrp_library *lib, int64_t id)
{
	char text[24];
	snprintf(text, sizeof(text), "%lld", (long long)id);
	vrp_recording *rec = NULL;
	int64_t size = vrp_recordings_find(lib, text, &rec) == 0 ? rec->filesize_bytes : 0;
	vrp_recording_free(rec);
	return size;
}

static void transcribe_one(struct cli *cli, vrp_library *lib, int64_t id,
			   const struct transcribe_args *a, struct cli_progress *p, int *status)
{
	vrp_transcribe_result r;
	int64_t size = p->enabled ? size_of(lib, id) : 0;
	int rc = vrp_transcribe(lib, id, &a->options, &r);
	cli_progress_clear(p);
	if (rc < 0)
		*status = cli_fail(cli, rc);
	else
		report(cli, id, &r);
	p->bytes_done += size;
	cli_progress_file_done(p, size);
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

int cmd_transcribe(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "language", required_argument, NULL, 'l' },
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "no-auto-title", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "transcribe", "h", options, transcribe_usage,
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
	if (status)
		count = 0;
	/* Recordings done of all, and their bytes for the ETA: a recording's
	 * transcription takes time in proportion to its length. */
	struct cli_progress progress = { .enabled = false };
	cli_progress_start(&progress, cli, NULL, 0, false);
	progress.files_total = (long)count;
	for (size_t i = 0; progress.enabled && i < count; i++)
		progress.bytes_total += size_of(lib, ids[i]);
	/* A recording that fails is reported and the others go on. */
	for (size_t i = 0; i < count; i++)
		transcribe_one(cli, lib, ids[i], &a, &progress, &status);
	cli_progress_clear(&progress);
	free(ids);
	vrp_library_free(lib);
	return status;
}
