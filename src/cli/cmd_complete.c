/*
 * cmd_complete.c - `vrp __complete WORD...`: what a shell may offer for the
 * last word of a vrp command line.
 *
 * bash, zsh and fish (scripts/completion/) all ask this one place, so the
 * three completions know what the help table, the remotes, the settings and
 * the catalogue know, and cannot drift apart. The words are the command
 * line after `vrp`, the last being the one typed so far (maybe empty).
 * Prints one candidate per line, or the single line ":file" when a file
 * name is wanted (the shell completes those itself). Never fails: a
 * library that cannot be opened just offers nothing from it.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct line {
	const char *library; /* --library's value, or NULL */
	const char *cmd, *sub;
	const char *prev, *cur;
};

static void offer(const char *cur, const char *word)
{
	if (word && !strncmp(word, cur, strlen(cur)))
		puts(word);
}

static void offer_commands(const char *cur, const struct cli_command *table)
{
	for (const struct cli_command *c = table; c && c->name; c++)
		offer(cur, c->name);
}

#define MAX_OPTIONS 128

/* The long options the help of the command names, each once. */
static void offer_options(const char *cur, const struct cli_command *cmd,
			  const struct cli_command *sub)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return;
	cli_print_command_help(out, cmd, sub);
	fclose(out);
	const char *seen[MAX_OPTIONS];
	size_t count = 0;
	for (char *p = text; (p = strstr(p, "--")) != NULL && count < MAX_OPTIONS;) {
		size_t n = 2;
		while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9') || p[n] == '-')
			n++;
		bool is_option = n > 3 && p[2] >= 'a' && p[2] <= 'z';
		char saved = p[n];
		p[n] = '\0';
		bool dup = false;
		for (size_t k = 0; k < count && !dup; k++)
			dup = !strcmp(seen[k], p);
		if (is_option && !dup) {
			seen[count++] = p;
			offer(cur, p);
		}
		p += n;
		if (saved)
			p++; /* the terminator took the separator's place; skip it */
	}
	free(text);
}

static void offer_remotes(struct cli *cli, const char *cur)
{
	vrp_library *lib = NULL;
	vrp_remote_list *list = NULL;
	if (vrp_library_open(&lib, cli->library, VRP_LIBRARY_READONLY, NULL) == 0 &&
	    vrp_remotes_list(lib, &list) == 0)
		for (size_t i = 0; i < list->count; i++)
			offer(cur, list->items[i]->name);
	vrp_remote_list_free(list);
	vrp_library_free(lib);
}

static void offer_settings(const char *cur)
{
	for (size_t i = 0; i < vrp_settings_count(); i++)
		offer(cur, vrp_settings_at(i)->key);
}

/* The newest 1000 recordings of any status, by id. */
static void offer_recordings(struct cli *cli, const char *cur)
{
	vrp_library *lib = NULL;
	vrp_recording_list *list = NULL;
	vrp_recording_filter filter = {
		.limit = 1000,
		.descending = true,
		.statuses = VRP_STATUS_BIT(VRP_RECORDING_ACTIVE) |
			    VRP_STATUS_BIT(VRP_RECORDING_ARCHIVED) |
			    VRP_STATUS_BIT(VRP_RECORDING_DELETED),
	};
	if (vrp_library_open(&lib, cli->library, VRP_LIBRARY_READONLY, NULL) == 0 &&
	    vrp_recordings_list(lib, &filter, &list) == 0)
		for (size_t i = 0; i < list->count; i++) {
			char id[24];
			snprintf(id, sizeof(id), "%lld", (long long)list->items[i]->id);
			offer(cur, id);
		}
	vrp_recording_list_free(list);
	vrp_library_free(lib);
}

static struct line read_line(int argc, char **argv)
{
	struct line l = { .cur = argc > 0 ? argv[argc - 1] : "" };
	l.prev = argc > 1 ? argv[argc - 2] : "";
	for (int i = 0; i < argc - 1; i++) {
		if (!strcmp(argv[i], "--library") && i + 1 < argc - 1)
			l.library = argv[++i];
		else if (argv[i][0] == '-')
			continue;
		else if (!l.cmd)
			l.cmd = argv[i];
		else if (!l.sub)
			l.sub = argv[i];
	}
	return l;
}

static bool takes_recordings(const char *cmd, const char *sub)
{
	static const char *const ids[] = { "show",        "edit",       "rm",         "restore",
					   "archive",     "purge",      "verify",     "waveform",
					   "spectrogram", "transcribe", "transcript", "sync",
					   "export",      "derive",     NULL };
	for (const char *const *c = ids; *c; c++)
		if (!strcmp(cmd, *c) && !sub)
			return true;
	return !strcmp(cmd, "queue") && sub && (!strcmp(sub, "retry") || !strcmp(sub, "cancel"));
}

/* What follows a command (and subcommand) that is not an option. */
static void offer_arguments(struct cli *cli, const struct line *l)
{
	const char *cmd = l->cmd, *sub = l->sub;
	if ((!strcmp(cmd, "remote") && sub && strcmp(sub, "add") != 0) ||
	    (!strcmp(cmd, "sync") && sub && (!strcmp(sub, "pull") || !strcmp(sub, "check"))))
		offer_remotes(cli, l->cur);
	else if (!strcmp(cmd, "config") && sub && strcmp(sub, "ls") != 0)
		offer_settings(l->cur);
	else if (!strcmp(cmd, "import"))
		puts(":file");
	else if (takes_recordings(cmd, sub))
		offer_recordings(cli, l->cur);
}

int cli_complete(struct cli *cli, int argc, char **argv)
{
	struct line l = read_line(argc, argv);
	if (l.library)
		cli->library = l.library;
	const char *cur = l.cur;
	if (!strcmp(l.prev, "--library") || !strcmp(l.prev, "-o") || !strcmp(l.prev, "--output")) {
		puts(":file");
		return 0;
	}
	if (!strcmp(l.prev, "--remote")) {
		offer_remotes(cli, cur);
		return 0;
	}
	if (!strcmp(l.prev, "--by")) {
		offer(cur, "recorded");
		offer(cur, "created");
		return 0;
	}
	const struct cli_command *cmd = l.cmd ? cli_find_command(cli_commands, l.cmd) : NULL;
	if (!cmd) {
		static const char *const globals[] = { "--library", "--json",    "--quiet",
						       "--verbose", "--version", "--help",
						       NULL };
		if (l.cmd)
			return 0;
		if (cur[0] == '-')
			for (const char *const *g = globals; *g; g++)
				offer(cur, *g);
		else
			offer_commands(cur, cli_commands);
		return 0;
	}
	/* A second word is a subcommand only when the command has one of that name. */
	const struct cli_command *sub = l.sub ? cli_find_command(cmd->subcommands, l.sub) : NULL;
	l.sub = sub ? sub->name : NULL;
	if (cur[0] == '-') {
		offer_options(cur, cmd, sub);
		return 0;
	}
	if (cmd->subcommands && !sub)
		offer_commands(cur, cmd->subcommands);
	if (!cmd->subcommands || sub || cmd->fn)
		offer_arguments(cli, &l);
	return 0;
}
