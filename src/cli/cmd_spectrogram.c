/* cmd_spectrogram.c - `vrp spectrogram ID`: a recording's spectrogram as a PNG. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char spectrogram_usage[] =
	"usage: vrp spectrogram ID|UUID [--width W] [--height H] [--scale linear|log|mel]\n"
	"                       [-o FILE.png]\n\n"
	"Draws the recording's spectrogram: time to the right, frequency upward, power\n"
	"from -100 dBFS (darkest) to 0 dBFS (lightest). The default, 1024 x 256 on the\n"
	"mel scale, is the stored asset (made first when missing or stale); other\n"
	"sizes and scales decode the audio again. The PNG goes to FILE, replacing it\n"
	"only once whole, or to stdout when that is not a terminal.\n\n"
	"  --width W        pixels across the whole recording, 1 to 4096 (default 1024)\n"
	"  --height H       pixels from 0 Hz to half the sample rate, 1 to 4096 (256)\n"
	"  --scale S        frequency axis: linear, log or mel (mel)\n"
	"  -o, --output F   write to F instead of stdout\n";

struct spectrogram_args {
	vrp_spectrogram_options options;
	const char *output;
};

static int parse_side(struct cli *cli, const char *name, const char *arg, int *out)
{
	long long value = 0;
	if (!cli_parse_int(arg, 1, VRP_SPECTROGRAM_MAX_SIDE, &value))
		return cli_usage_error(cli, "spectrogram: --%s must be 1 to %d, not '%s'", name,
				       VRP_SPECTROGRAM_MAX_SIDE, arg);
	*out = (int)value;
	return 0;
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct spectrogram_args *a = ctx;
	if (c == 'W')
		return parse_side(cli, "width", arg, &a->options.width);
	if (c == 'H')
		return parse_side(cli, "height", arg, &a->options.height);
	if (c == 's' && vrp_spectrogram_scale_from_string(arg, &a->options.scale) < 0)
		return cli_usage_error(
			cli, "spectrogram: --scale must be linear, log or mel, not '%s'", arg);
	if (c == 'o')
		a->output = arg;
	return 0;
}

static void report(const struct cli *cli, int64_t id, const struct spectrogram_args *a)
{
	const vrp_spectrogram_options *o = &a->options;
	const char *scale = vrp_spectrogram_scale_to_string(o->scale);
	if (cli->json)
		cli_print_json(json_pack("{s:I, s:o, s:i, s:i, s:s}", "id", (json_int_t)id, "path",
					 cli_json_string(a->output), "width", o->width, "height",
					 o->height, "scale", scale));
	else
		cli_say(cli, "%s: spectrogram of %lld, %dx%d, %s\n", a->output, (long long)id,
			o->width, o->height, scale);
}

static int render(struct cli *cli, vrp_library *lib, int64_t id, const struct spectrogram_args *a)
{
	/* Nothing else may reach stdout when it carries the image. */
	int rc = a->output ? vrp_spectrogram_write_file(lib, id, &a->options, a->output)
			   : vrp_spectrogram_write(lib, id, &a->options, STDOUT_FILENO);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (a->output)
		report(cli, id, a);
	return 0;
}

int cmd_spectrogram(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' },
		{ "scale", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "spectrogram", "ho:", options,
						     spectrogram_usage, on_option };
	struct spectrogram_args a = { .output = NULL };
	vrp_spectrogram_options_default(&a.options);
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (argc - optind != 1)
		return cli_usage_error(cli, "spectrogram needs one recording ID");
	if (!a.output && isatty(STDOUT_FILENO))
		return cli_usage_error(cli, "spectrogram: not writing a PNG to a terminal; "
					    "use -o FILE.png or redirect stdout");
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	int64_t *ids = NULL;
	size_t count = 0;
	status = cli_resolve_ids(cli, lib, 1, argv + optind, &ids, &count);
	if (!status)
		status = render(cli, lib, ids[0], &a);
	free(ids);
	vrp_library_free(lib);
	return status;
}
