/* cmd_derive.c - `vrp derive`: make recordings' missing or stale derived assets. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char derive_usage[] =
	"usage: vrp derive [--kind K[,K...]] [--force] --all | ID...\n\n"
	"Makes the derived assets (waveform, ...) of recordings that are missing or\n"
	"stale: made from other audio (checksum) or by another generator version.\n"
	"Each recording is decoded once for all its assets.\n\n"
	"  --kind K[,K...]  which kinds (default: every kind vrp can make but\n"
	"                   transcript, which vrp transcribe makes)\n"
	"  --all            every active and archived recording\n"
	"  --force          make them again even when fresh\n";

struct derive_args {
	unsigned kinds;
	bool all, force;
};

static int parse_kinds(struct cli *cli, const char *text, unsigned *kinds)
{
	char *copy = strdup(text);
	if (!copy)
		return cli_out_of_memory(cli);
	int status = 0;
	char *save = NULL;
	for (char *word = strtok_r(copy, ",", &save); word && !status;
	     word = strtok_r(NULL, ",", &save)) {
		enum vrp_derived_kind kind;
		if (vrp_derived_kind_from_string(word, &kind) < 0)
			status = cli_usage_error(cli, "derive: unknown kind '%s'", word);
		else
			*kinds |= VRP_DERIVE_KIND(kind);
	}
	free(copy);
	return status;
}

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	struct derive_args *a = ctx;
	if (c == 'k')
		return parse_kinds(cli, arg, &a->kinds);
	if (c == 'a')
		a->all = true;
	else /* --force */
		a->force = true;
	return 0;
}

static void report(const struct cli *cli, int64_t id, unsigned kinds, unsigned made)
{
	for (unsigned k = 0; kinds >> k; k++) {
		if (!(kinds & VRP_DERIVE_KIND(k)))
			continue;
		const char *kind = vrp_derived_kind_to_string((enum vrp_derived_kind)k);
		const char *status = made & VRP_DERIVE_KIND(k) ? "made" : "fresh";
		if (cli->json)
			cli_print_json(json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "kind",
						 kind, "status", status));
		else
			cli_say(cli, "%lld %s %s\n", (long long)id, kind, status);
	}
}

/* Derives one recording; a failure is reported and remembered, and the others go on. */
static void derive_one(struct cli *cli, vrp_library *lib, int64_t id, const struct derive_args *a,
		       int *status)
{
	unsigned made = 0;
	int rc = vrp_derive(lib, id, a->kinds, a->force, &made);
	if (rc < 0)
		*status = cli_fail(cli, rc);
	else
		report(cli, id, a->kinds, made);
}

static int derive_all(struct cli *cli, vrp_library *lib, const struct derive_args *a)
{
	vrp_recording_filter filter = { .limit = VRP_LIST_MAX_LIMIT };
	int status = 0;
	for (;;) {
		vrp_recording_list *page = NULL;
		int rc = vrp_recordings_list(lib, &filter, &page);
		if (rc < 0)
			return cli_fail(cli, rc);
		for (size_t i = 0; i < page->count; i++)
			derive_one(cli, lib, page->items[i]->id, a, &status);
		filter.cursor = page->next_cursor;
		vrp_recording_list_free(page);
		if (!filter.cursor)
			return status;
	}
}

int cmd_derive(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "all", no_argument, NULL, 'a' },
		{ "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "derive", "h", options, derive_usage,
						     on_option };
	struct derive_args a = { 0 };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (a.all == (optind < argc))
		return cli_usage_error(cli, "derive needs --all or recording ids, not both");
	if (!a.kinds)
		a.kinds = vrp_derive_kinds_default();
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	if (a.all) {
		status = derive_all(cli, lib, &a);
	} else {
		int64_t *ids = NULL;
		size_t count = 0;
		status = cli_resolve_ids(cli, lib, argc - optind, argv + optind, &ids, &count);
		for (size_t i = 0; i < count; i++)
			derive_one(cli, lib, ids[i], &a, &status);
		free(ids);
	}
	vrp_library_free(lib);
	return status;
}
