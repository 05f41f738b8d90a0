/* log_setup.c - where the vrp command logs: the [log] settings (library, user-wide), -v on stderr.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>

/*
 * Logging must never stop a command: a config file that does not parse, or
 * a log directory that cannot be made, leaves the file log off (said only
 * with -v) and the command goes on. The command itself reports a bad config
 * file when it needs one.
 */
void cli_start_logging(const struct cli *cli)
{
	char *root = NULL;
	if (!cli->library && vrp_library_default_root(&root) < 0)
		root = NULL;
	/* The library's own [log] settings over the user-wide ones. */
	vrp_config *config = NULL;
	if (vrp_settings_load_effective(cli->library ? cli->library : root, &config) < 0)
		config = NULL;
	vrp_log_settings settings;
	int rc = vrp_log_settings_load(&settings, config, cli->library ? cli->library : root);
	if (rc == 0)
		rc = vrp_log_open(&settings);
	if (rc < 0 && cli->verbosity > 0)
		fprintf(stderr, "%s: warning: not logging to files: %s [%s]\n", cli->prog,
			vrp_error_last()->message, vrp_error_code_name(rc));
	vrp_log_settings_clear(&settings);
	vrp_config_free(config);
	free(root);
	vrp_error_clear();
	if (cli->verbosity > 1)
		vrp_log_set_stderr_level(VRP_LOG_LEVEL_DEBUG);
	else if (cli->verbosity == 1)
		vrp_log_set_stderr_level(VRP_LOG_LEVEL_INFO);
}
