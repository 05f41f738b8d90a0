/*
 * cmd_status.c - `vrp rm`, `vrp restore`, `vrp archive`: move recordings
 * between active, archived and deleted. Files on disk are never touched:
 * `rm` is a soft delete until `vrp purge`.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

struct status_command {
	const char *name;
	enum vrp_recording_status status;
	const char *done; /* "deleted" */
};

#define EVERY_ONE_TRIED                                                                            \
	"\nEvery recording named is tried; the exit status is that of the first\n"                 \
	"failure.\n"
const char rm_usage[] =
	"usage: vrp rm ID|UUID...\n\n"
	"Soft-deletes recordings: they leave listings and search, their files\n"
	"stay until `vrp purge`, and `vrp restore` brings them back.\n" EVERY_ONE_TRIED;
const char restore_usage[] = "usage: vrp restore ID|UUID...\n\n"
			     "Makes deleted or archived recordings active again.\n" EVERY_ONE_TRIED;
const char archive_usage[] =
	"usage: vrp archive ID|UUID...\n\n"
	"Archives active recordings: still listed and searchable, marked as archived.\n"
	"A deleted recording is not archived: `vrp restore` it first.\n" EVERY_ONE_TRIED;

static const struct status_command rm_command = { "rm", VRP_RECORDING_DELETED, "deleted" };
static const struct status_command restore_command = { "restore", VRP_RECORDING_ACTIVE,
						       "restored" };
static const struct status_command archive_command = { "archive", VRP_RECORDING_ARCHIVED,
						       "archived" };

static void report(const struct cli *cli, const struct status_command *cmd,
		   const vrp_recording *rec, enum vrp_recording_status before)
{
	const char *was = vrp_recording_status_to_string(before);
	if (cli->json) {
		cli_print_json(json_pack("{s:I, s:o, s:s, s:s, s:b}", "id", (json_int_t)rec->id,
					 "uuid", cli_json_string(rec->uuid), "status",
					 vrp_recording_status_to_string(cmd->status),
					 "previous_status", was, "changed", before != cmd->status));
		return;
	}
	if (before == cmd->status)
		cli_say(cli, "%lld: already %s\n", (long long)rec->id, was);
	else
		cli_say(cli, "%s %lld\n", cmd->done, (long long)rec->id);
}

/* One recording: 0, or the exit status of its failure (already reported). */
static int apply(struct cli *cli, vrp_library *lib, const struct status_command *cmd,
		 const char *target)
{
	vrp_recording *rec = NULL;
	int rc = vrp_recordings_find(lib, target, &rec);
	if (rc == 0)
		rc = vrp_recordings_set_status(lib, rec->id, cmd->status);
	if (rc < 0) {
		vrp_recording_free(rec);
		return cli_fail(cli, rc);
	}
	report(cli, cmd, rec, rec->status);
	vrp_recording_free(rec);
	return 0;
}

static int run(struct cli *cli, const struct status_command *cmd, int argc, char **argv)
{
	int first = 1;
	if (argc > 1 && !strcmp(argv[1], "--"))
		first = 2;
	if (first >= argc)
		return cli_usage_error(cli, "%s needs recording ids or uuids", cmd->name);
	for (int i = first; i < argc; i++)
		if (argv[i][0] == '-' && first == 1)
			return cli_usage_error(cli, "%s: unknown option '%s'", cmd->name, argv[i]);
	vrp_library *lib = NULL;
	int status = cli_open_library(cli, 0, &lib);
	if (status)
		return status;
	/* A bad id does not stop the others: the user sees every outcome at once. */
	for (int i = first; i < argc; i++) {
		int one = apply(cli, lib, cmd, argv[i]);
		if (one && !status)
			status = one;
	}
	vrp_library_free(lib);
	return status;
}

int cmd_rm(struct cli *cli, int argc, char **argv) { return run(cli, &rm_command, argc, argv); }

int cmd_restore(struct cli *cli, int argc, char **argv)
{
	return run(cli, &restore_command, argc, argv);
}

int cmd_archive(struct cli *cli, int argc, char **argv)
{
	return run(cli, &archive_command, argc, argv);
}
