/* verify_remote.h - `vrp verify --remote`: its options and its output. */
#ifndef VRP_CLI_VERIFY_REMOTE_H
#define VRP_CLI_VERIFY_REMOTE_H

#include "cli.h"

struct verify_args {
	bool fix, all, incremental, download, time_limited;
	const char *remote;
	int64_t time_limit_s;
};

/* Runs the remote verification `a` asks for (over `ids` when count > 0); the exit status. */
int cli_verify_remote(struct cli *cli, vrp_library *lib, const struct verify_args *a,
		      const int64_t *ids, size_t count);

#endif
