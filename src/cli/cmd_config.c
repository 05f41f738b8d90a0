/* cmd_config.c - `vrp config get|set|unset|ls [--global]`: the settings table on the command line.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char config_usage[] =
	"usage: vrp config get KEY [--global]\n"
	"       vrp config set KEY VALUE [--global]\n"
	"       vrp config unset KEY [--global]\n"
	"       vrp config ls [--global]\n"
	"\n"
	"Reads and writes settings. A key is SECTION.NAME, as `[SECTION] NAME = VALUE`\n"
	"in a config file. set and unset change the library's own config.ini; with\n"
	"--global, the user-wide file, whose settings apply to every library that does\n"
	"not set them itself. get and ls show the value in effect and where it comes\n"
	"from (library, user or default); with --global, what the user-wide file and\n"
	"the defaults give. Values are checked as the config file's reader checks them.\n";

/* The known settings, for `vrp config --help`. */
void cli_config_settings_help(FILE *out)
{
	fputs("\nSettings:\n", out);
	for (size_t i = 0; i < vrp_settings_count(); i++) {
		const vrp_setting_info *s = vrp_settings_at(i);
		fprintf(out, "  %-36s %s (%s", s->key, s->doc, vrp_setting_type_name(s->type));
		fprintf(out, s->default_value ? ", default %s)\n" : ")\n", s->default_value);
	}
}

struct config_args {
	bool global;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	(void)cli;
	(void)arg;
	struct config_args *a = ctx;
	if (c == 'g')
		a->global = true;
	return 0;
}

static json_t *setting_json(const vrp_setting_info *s, const char *value,
			    enum vrp_setting_source source)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "key", s->key, "type",
			      vrp_setting_type_name(s->type), "source",
			      vrp_setting_source_name(source), "doc", s->doc);
	json_object_set_new(o, "value", value ? json_string(value) : json_null());
	json_object_set_new(o, "default",
			    s->default_value ? json_string(s->default_value) : json_null());
	if (s->type == VRP_SETTING_INT) {
		json_object_set_new(o, "min", json_integer(s->min));
		json_object_set_new(o, "max", json_integer(s->max));
	}
	if (s->choices) {
		json_t *choices = json_array();
		for (const char *const *c = s->choices; *c; c++)
			json_array_append_new(choices, json_string(*c));
		json_object_set_new(o, "choices", choices);
	}
	return o;
}

static int config_get(struct cli *cli, vrp_library *lib, const char *key)
{
	char *value = NULL;
	enum vrp_setting_source source;
	int rc = vrp_settings_get(lib, key, &value, &source);
	if (rc < 0)
		return cli_fail(cli, rc);
	/* Unset with no default (the setting is off): nothing to print, as `git config` does. */
	if (cli->json)
		cli_print_json(setting_json(vrp_settings_find(key), value, source));
	else if (value)
		printf("%s\n", value);
	free(value);
	return 0;
}

static int config_ls(struct cli *cli, vrp_library *lib)
{
	for (size_t i = 0; i < vrp_settings_count(); i++) {
		const vrp_setting_info *s = vrp_settings_at(i);
		char *value = NULL;
		enum vrp_setting_source source;
		int rc = vrp_settings_get(lib, s->key, &value, &source);
		if (rc < 0)
			return cli_fail(cli, rc);
		if (cli->json)
			cli_print_json(setting_json(s, value, source));
		else
			printf("%-36s %-32s %s\n", s->key, value ? value : "(unset)",
			       vrp_setting_source_name(source));
		free(value);
	}
	return 0;
}

static int config_change(struct cli *cli, vrp_library *lib, const char *key, const char *value)
{
	int rc = value ? vrp_settings_set(lib, key, value) : vrp_settings_unset(lib, key);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_print_json(json_pack("{s:s, s:s, s:o}", "key", key, "scope",
					 lib ? "library" : "user", "value",
					 value ? json_string(value) : json_null()));
	return 0;
}

/* How many operands each subcommand takes, and whether it writes. */
static int operands_of(const char *sub, bool *writes)
{
	*writes = !strcmp(sub, "set") || !strcmp(sub, "unset");
	return !strcmp(sub, "get") || !strcmp(sub, "unset") ? 1
	       : !strcmp(sub, "set")                        ? 2
	       : !strcmp(sub, "ls")                         ? 0
							    : -1;
}

static int run(struct cli *cli, vrp_library *lib, const char *sub, char **operands)
{
	if (!strcmp(sub, "get"))
		return config_get(cli, lib, operands[0]);
	if (!strcmp(sub, "ls"))
		return config_ls(cli, lib);
	return config_change(cli, lib, operands[0], !strcmp(sub, "set") ? operands[1] : NULL);
}

int cmd_config(struct cli *cli, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(cli, "config needs get, set, unset or ls");
	const char *sub = argv[1];
	bool writes = false;
	int want = operands_of(sub, &writes);
	if (want < 0)
		return cli_usage_error(cli, "unknown config command '%s'", sub);
	snprintf(cli->command, sizeof(cli->command), "config %s", sub);
	static const struct option options[] = {
		{ "global", no_argument, NULL, 'g' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct config_args a = { 0 };
	const struct cli_option_spec spec = { cli->command, "h", options, config_usage, on_option };
	int status = cli_options(cli, &spec, argc - 1, argv + 1, &a);
	if (status)
		return status < 0 ? 0 : status;
	char **operands = argv + 1 + optind;
	if (argc - 1 - optind != want)
		return cli_usage_error(cli, "config %s takes %d argument%s", sub, want,
				       want == 1 ? "" : "s");
	vrp_library *lib = NULL;
	/* get and ls read files only: a library that cannot be written still answers. */
	if (!a.global && (status = cli_open_library(cli, writes ? 0 : VRP_LIBRARY_READONLY, &lib)))
		return status;
	status = run(cli, lib, sub, operands);
	vrp_library_free(lib);
	return status;
}
