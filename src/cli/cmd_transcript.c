/* cmd_transcript.c - `vrp transcript ID`: print a recording's transcript. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

const char transcript_usage[] =
	"usage: vrp transcript [--format txt|srt|vtt|json] ID\n\n"
	"Prints the transcript vrp transcribe made: plain text, one line per\n"
	"utterance (txt, the default), SubRip or WebVTT subtitles, or the stored\n"
	"JSON (segments with words, start, end, confidence, and the lattice's\n"
	"alternative words with their posteriors).\n";

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	(void)c;
	if (vrp_transcript_format_from_string(arg, ctx) < 0)
		return cli_usage_error(cli, "transcript: --format is txt, srt, vtt or json");
	return 0;
}

int cmd_transcript(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "format", required_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "transcript", "h", options, transcript_usage,
						     on_option };
	vrp_transcript_format format = VRP_TRANSCRIPT_TXT;
	int status = cli_options(cli, &spec, argc, argv, &format);
	if (status)
		return status < 0 ? 0 : status;
	if (argc - optind != 1)
		return cli_usage_error(cli, "transcript needs one recording ID");
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	int64_t *ids = NULL;
	size_t count = 0;
	vrp_transcript *t = NULL;
	char *text = NULL;
	status = cli_resolve_ids(cli, lib, 1, argv + optind, &ids, &count);
	int rc = status ? 0 : vrp_transcript_get(lib, ids[0], &t);
	if (rc == 0 && !status)
		rc = vrp_transcript_render(t, format, &text);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (text)
		fputs(text, stdout);
	free(text);
	vrp_transcript_free(t);
	free(ids);
	vrp_library_free(lib);
	return status;
}
