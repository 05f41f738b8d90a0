/* cmd_waveform.c - `vrp waveform ID`: peaks in audiowaveform's JSON or .dat. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char waveform_usage[] =
	"usage: vrp waveform ID [--samples-per-pixel N | --pixels-per-second N | --width N]\n"
	"                       [--bits 8|16] [--channels mixed|all] [--format json|dat]\n"
	"                       [-o FILE]\n\n"
	"Prints the waveform peaks of a recording in BBC audiowaveform's format (what\n"
	"peaks.js and wavesurfer.js read): JSON on stdout by default. The stored\n"
	"waveform (256 samples per pixel) is made first if missing or stale.\n\n"
	"  -z, --samples-per-pixel N  zoom (default 256; at least 2)\n"
	"  --pixels-per-second N      zoom: the sample rate / N samples per pixel\n"
	"  -w, --width N              zoom: the whole recording in N pixels\n"
	"  -b, --bits 8|16            resolution of the values (default 16)\n"
	"  --channels mixed|all       one mixed channel (default) or each channel\n"
	"  --format json|dat          JSON, or the binary .dat version 2 (default: from\n"
	"                             -o FILE's extension, else json)\n"
	"  -o, --output FILE          write FILE instead of stdout\n";

struct waveform_args {
	vrp_waveform_options options;
	const char *output;
	bool format_given;
};

static int parse_number(struct cli *cli, const char *name, const char *arg, int *out)
{
	long long v = 0;
	if (!cli_parse_int(arg, 1, INT32_MAX, &v))
		return cli_usage_error(cli, "waveform: %s needs a positive number, not '%s'", name,
				       arg);
	*out = (int)v;
	return 0;
}

static int parse_choice(struct cli *cli, const char *name, const char *arg, const char *a,
			const char *b, int *out)
{
	if (strcmp(arg, a) != 0 && strcmp(arg, b) != 0)
		return cli_usage_error(cli, "waveform: %s is %s or %s, not '%s'", name, a, b, arg);
	*out = strcmp(arg, a) == 0 ? 0 : 1;
	return 0;
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct waveform_args *a = ctx;
	vrp_waveform_options *o = &a->options;
	int choice = 0, status = 0;
	switch (c) {
	case 'z':
		return parse_number(cli, "--samples-per-pixel", arg, &o->samples_per_pixel);
	case 'p':
		return parse_number(cli, "--pixels-per-second", arg, &o->pixels_per_second);
	case 'w':
		return parse_number(cli, "--width", arg, &o->width);
	case 'b':
		return parse_number(cli, "--bits", arg, &o->bits);
	case 'c':
		status = parse_choice(cli, "--channels", arg, "mixed", "all", &choice);
		o->channels = choice ? VRP_WAVEFORM_CHANNELS_ALL : VRP_WAVEFORM_CHANNELS_MIXED;
		return status;
	case 'f':
		status = parse_choice(cli, "--format", arg, "json", "dat", &choice);
		o->format = choice ? VRP_WAVEFORM_FORMAT_DAT : VRP_WAVEFORM_FORMAT_JSON;
		a->format_given = true;
		return status;
	default: /* -o */
		a->output = arg;
		return 0;
	}
}

static int parse(struct cli *cli, int argc, char **argv, struct waveform_args *a)
{
	static const struct option options[] = {
		{ "samples-per-pixel", required_argument, NULL, 'z' },
		{ "pixels-per-second", required_argument, NULL, 'p' },
		{ "width", required_argument, NULL, 'w' },
		{ "bits", required_argument, NULL, 'b' },
		{ "channels", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "waveform", "z:w:b:o:h", options,
						     waveform_usage, on_option };
	int status = cli_options(cli, &spec, argc, argv, a);
	if (status)
		return status;
	if (optind + 1 != argc)
		return cli_usage_error(cli, "waveform takes one recording id or uuid");
	size_t len = a->output ? strlen(a->output) : 0;
	if (!a->format_given && len > 4 && strcmp(a->output + len - 4, ".dat") == 0)
		a->options.format = VRP_WAVEFORM_FORMAT_DAT;
	return 0;
}

static int write_waveform(struct cli *cli, vrp_library *lib, int64_t id,
			  const struct waveform_args *a)
{
	int rc = a->output ? vrp_waveform_save(lib, id, &a->options, a->output)
			   : vrp_waveform_write(lib, id, &a->options, STDOUT_FILENO);
	return rc < 0 ? cli_fail(cli, rc) : 0;
}

int cmd_waveform(struct cli *cli, int argc, char **argv)
{
	struct waveform_args a = { 0 };
	int status = parse(cli, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	vrp_recording *rec = NULL;
	int rc = vrp_recordings_find(lib, argv[optind], &rec);
	status = rc < 0 ? cli_fail(cli, rc) : write_waveform(cli, lib, rec->id, &a);
	vrp_recording_free(rec);
	vrp_library_free(lib);
	return status;
}
