/* cmd_schedule.c - `vrp schedule install`: run `vrp worker --once` periodically. */
#include "cli.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char schedule_usage[] =
	"usage: vrp schedule install [--every DURATION] [--cron]\n\n"
	"Makes `vrp worker --once` run periodically for this library, so the sync\n"
	"queue drains and the verification set by verify.local_interval and\n"
	"verify.remote_interval runs without a long-lived process. Writes a systemd\n"
	"user timer (vrp-worker.service and vrp-worker.timer in\n"
	"$XDG_CONFIG_HOME/systemd/user) and says how to enable it; where there is\n"
	"no systemctl (or with --cron) it prints the crontab line instead.\n\n"
	"  --every DURATION   how often (default 1h)\n"
	"  --cron             print the crontab line; write nothing\n";

struct schedule_args {
	int64_t every_s;
	bool cron;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct schedule_args *a = ctx;
	if (c == 'c') {
		a->cron = true;
		return 0;
	}
	if (vrp_duration_parse(arg, &a->every_s) < 0 || a->every_s < 60)
		return cli_usage_error(cli, "--every: \"%s\" is not a duration of a minute or more",
				       arg);
	return 0;
}

/* Whether `systemctl` is on PATH: a user timer is only of use where systemd runs. */
static bool have_systemctl(void)
{
	const char *path = getenv("PATH");
	char dir[PATH_MAX];
	for (const char *p = path ? path : ""; *p;) {
		size_t len = strcspn(p, ":");
		snprintf(dir, sizeof(dir), "%.*s/systemctl", (int)len, p);
		if (len && access(dir, X_OK) == 0)
			return true;
		p += len + (p[len] == ':');
	}
	return false;
}

static int install(struct cli *cli, vrp_library *lib, const struct schedule_args *a,
		   const char *exe)
{
	char *text = NULL;
	int rc = 0;
	if (a->cron || !have_systemctl()) {
		rc = vrp_schedule_crontab_line(lib, exe, a->every_s, &text);
		if (rc == 0)
			printf("%s\n", text);
		if (rc == 0 && !a->cron)
			fprintf(stderr,
				"no systemctl here: add the line above with `crontab -e`\n");
	} else {
		rc = vrp_schedule_install_systemd(lib, exe, a->every_s, &text);
		if (rc == 0)
			printf("wrote %s/vrp-worker.service and vrp-worker.timer\n"
			       "enable it with: systemctl --user daemon-reload && "
			       "systemctl --user enable --now vrp-worker.timer\n",
			       text);
	}
	free(text);
	return rc < 0 ? cli_fail(cli, rc) : 0;
}

int cmd_schedule(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "every", required_argument, NULL, 'e' },
		{ "cron", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "schedule", "h", options, schedule_usage,
						     on_option };
	struct schedule_args a = { .every_s = 3600 };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (optind >= argc || strcmp(argv[optind], "install") || optind + 1 < argc)
		return cli_usage_error(cli, "the only subcommand is `vrp schedule install`");
	char exe[PATH_MAX];
	if (!realpath("/proc/self/exe", exe)) {
		fprintf(stderr, "vrp: error: cannot tell where the vrp program is\n");
		return vrp_error_exit_status(VRP_EIO);
	}
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	status = install(cli, lib, &a, exe);
	vrp_library_free(lib);
	return status;
}
