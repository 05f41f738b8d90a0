/* cmd_db.c - `vrp db status|migrate|backup`. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char db_usage[] =
	"usage: vrp db status            schema version, pending migrations, integrity\n"
	"       vrp db migrate [--to N]  back up, then apply pending migrations\n"
	"       vrp db backup [--output FILE]\n"
	"                                copy the database (default: into backups/,\n"
	"                                keeping the newest 5)\n";

static int db_status(struct cli *cli, vrp_library *lib)
{
	vrp_db *db = vrp_library_db(lib);
	int version = 0;
	int rc = vrp_db_schema_version(db, &version);
	if (rc < 0)
		return cli_fail(cli, rc);
	char *report = NULL;
	int check = vrp_db_quick_check(db, &report);
	if (check < 0 && check != VRP_ECORRUPTDB) {
		free(report);
		return cli_fail(cli, check);
	}
	int latest = vrp_db_schema_latest();
	if (cli->json) {
		cli_print_json(json_pack("{s:s, s:i, s:i, s:i, s:s, s:s}", "path", vrp_db_path(db),
					 "schema_version", version, "latest_version", latest,
					 "pending_migrations", latest - version, "integrity",
					 check == 0 ? "ok" : "corrupt", "integrity_report",
					 report ? report : ""));
	} else {
		cli_say(cli, "database:       %s\n", vrp_db_path(db));
		cli_say(cli, "schema version: %d (this vrp: %d)\n", version, latest);
		if (version < latest)
			cli_say(cli, "pending:        %d %s; run `vrp db migrate`\n",
				latest - version,
				cli_plural(latest - version, "migration", "migrations"));
		cli_say(cli, "integrity:      %s\n", check == 0 ? "ok" : "CORRUPT");
	}
	free(report);
	return check < 0 ? cli_fail(cli, check) : 0;
}

static int db_migrate(struct cli *cli, vrp_library *lib, int target)
{
	vrp_migrate_result result = { 0 };
	int rc = vrp_db_migrate(vrp_library_db(lib), vrp_library_backup_dir(lib), target, &result);
	if (rc < 0) {
		vrp_migrate_result_clear(&result);
		return cli_fail(cli, rc);
	}
	if (cli->json) {
		json_t *o = json_pack("{s:i, s:i, s:i}", "from_version", result.from_version,
				      "to_version", result.to_version, "applied", result.applied);
		json_object_set_new(o, "backup",
				    result.backup_path ? json_string(result.backup_path)
						       : json_null());
		cli_print_json(o);
	} else if (result.applied == 0) {
		cli_say(cli, "schema is up to date (version %d)\n", result.to_version);
	} else {
		cli_say(cli, "migrated from version %d to %d\n", result.from_version,
			result.to_version);
		if (result.backup_path)
			cli_say(cli, "backup: %s\n", result.backup_path);
	}
	vrp_migrate_result_clear(&result);
	return 0;
}

static int db_backup(struct cli *cli, vrp_library *lib, const char *output)
{
	char *path = NULL;
	int rc;
	if (output) {
		rc = vrp_db_backup_to(vrp_library_db(lib), output);
		path = rc == 0 ? strdup(output) : NULL;
	} else {
		rc = vrp_db_backup(vrp_library_db(lib), vrp_library_backup_dir(lib), &path);
	}
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_print_json(json_pack("{s:s}", "backup", path ? path : output));
	else
		cli_say(cli, "backup: %s\n", path ? path : output);
	free(path);
	return 0;
}

struct db_args {
	const char *sub;
	const char *output;
	int target;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct db_args *args = ctx;
	if (c == 'o') {
		args->output = arg;
		return 0;
	}
	char *end = NULL;
	args->target = (int)strtol(arg, &end, 10);
	if (!*arg || *end || args->target <= 0)
		return cli_usage_error(cli, "--to needs a positive version number");
	return 0;
}

static int parse(struct cli *cli, int argc, char **argv, struct db_args *args)
{
	static const struct option options[] = {
		{ "to", required_argument, NULL, 't' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "db", "+o:h", options, db_usage, on_option };
	int status = cli_options(cli, &spec, argc, argv, args);
	if (status)
		return status;
	if (optind < argc)
		return cli_usage_error(cli, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* argv from the subcommand's name (status, migrate or backup) on. */
int cmd_db(struct cli *cli, int argc, char **argv)
{
	struct db_args args = { .sub = argv[0] };
	unsigned flags = VRP_LIBRARY_NO_MIGRATE;
	int status = parse(cli, argc, argv, &args);
	if (status)
		return status < 0 ? 0 : status;
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, flags, &lib)))
		return status;
	if (!strcmp(args.sub, "status"))
		status = db_status(cli, lib);
	else if (!strcmp(args.sub, "migrate"))
		status = db_migrate(cli, lib, args.target);
	else
		status = db_backup(cli, lib, args.output);
	vrp_library_free(lib);
	return status;
}
