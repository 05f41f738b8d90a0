/* sync_run.h - running vrp_sync_run() for `vrp sync` and `vrp worker`. */
#ifndef VRP_CLI_SYNC_RUN_H
#define VRP_CLI_SYNC_RUN_H

#include "cli.h"

/*
 * Runs the worker with a progress line on a terminal, one JSON line per
 * task outcome with --json, and SIGINT/SIGTERM asking for a clean stop
 * (a second signal kills). Returns the exit status: 0 when nothing failed,
 * else that of the worst failure (auth 77, quota 73, permanent 69,
 * transient 75), 75 when stopped with work left.
 */
int cli_sync_run(const struct cli *cli, vrp_library *lib, const vrp_sync_options *options,
		 vrp_sync_summary *summary);

#endif
