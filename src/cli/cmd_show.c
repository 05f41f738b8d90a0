/* cmd_show.c - `vrp show ID|UUID`: every field of one recording. */
#include "cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char show_usage[] =
	"usage: vrp show [--no-waveform] ID|UUID\n"
	"\n"
	"Prints every field of one recording (deleted and archived ones too), one\n"
	"`field: value` line each, then its state on each remote it was synced to\n"
	"(where, when, how the copy was verified, the last error), then its derived\n"
	"assets (kind, path, size, generator and version, whether stale); or one\n"
	"JSON object with --json, the remote states under \"remotes\" and the\n"
	"assets under \"derived\". On a terminal, the waveform follows, drawn across\n"
	"its width with a time axis (made first if missing; --no-waveform skips it).\n";

static json_t *remote_state_json(const vrp_recording_remote *r)
{
	json_t *o = json_pack("{s:s, s:s}", "remote", r->remote, "sync_status",
			      vrp_sync_status_to_string(r->sync_status));
	const struct {
		const char *key, *value;
	} fields[] = {
		{ "remote_id", r->remote_id },
		{ "remote_path", r->remote_path },
		{ "remote_checksum", r->remote_checksum },
		{ "verification", r->verification },
		{ "last_synced_at", r->last_synced_at },
		{ "error_code", r->error_code },
		{ "error_message", r->error_message },
	};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		json_object_set_new(o, fields[i].key, cli_json_string(fields[i].value));
	json_object_set_new(o, "variant", json_string(vrp_upload_variant_to_string(r->variant)));
	return o;
}

static void print_remote_state(const vrp_recording_remote *r)
{
	/* Aligned with cli_print_recording's "field: value" column. */
	char name[80];
	snprintf(name, sizeof(name), "%s%s", r->remote,
		 r->variant == VRP_VARIANT_COMPRESSED ? " (opus)" : "");
	printf("remote %-16s %s", name, vrp_sync_status_to_string(r->sync_status));
	if (r->last_synced_at)
		printf(" %s", r->last_synced_at);
	if (r->remote_path) {
		fputs(" ", stdout);
		cli_put_escaped(stdout, r->remote_path, false);
	}
	if (r->verification)
		printf(" (verified: %s)", r->verification);
	if (r->error_code)
		printf(" [%s: %s]", r->error_code, r->error_message ? r->error_message : "");
	fputc('\n', stdout);
}

static json_t *asset_json(const vrp_derived_asset *a, bool stale)
{
	json_t *o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:b}", "kind",
			      vrp_derived_kind_to_string(a->kind), "path", a->path, "size_bytes",
			      (json_int_t)a->size_bytes, "generator", a->generator,
			      "generator_version", a->generator_version, "stale", stale);
	json_object_set_new(o, "mime_type", cli_json_string(a->mime_type));
	return o;
}

static void print_asset(const vrp_derived_asset *a, bool stale)
{
	char size[CLI_SHORT_LEN];
	cli_format_size(a->size_bytes, size);
	printf("derived %-15s %s %s %s %s%s\n", vrp_derived_kind_to_string(a->kind), a->path, size,
	       a->generator, a->generator_version, stale ? " (stale)" : "");
}

static void show(const struct cli *cli, vrp_library *lib, const vrp_recording *rec,
		 const vrp_recording_remote_list *remotes, const vrp_derived_asset_list *assets)
{
	size_t n = remotes ? remotes->count : 0, m = assets ? assets->count : 0;
	if (!cli->json) {
		cli_print_recording(rec);
		for (size_t i = 0; i < n; i++)
			print_remote_state(remotes->items[i]);
		for (size_t i = 0; i < m; i++)
			print_asset(assets->items[i],
				    vrp_derived_asset_is_stale_in(lib, assets->items[i],
								  rec->checksum));
		return;
	}
	json_t *o = cli_recording_json(rec);
	json_t *list = json_array(), *derived = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(list, remote_state_json(remotes->items[i]));
	for (size_t i = 0; i < m; i++)
		json_array_append_new(
			derived, asset_json(assets->items[i],
					    vrp_derived_asset_is_stale_in(lib, assets->items[i],
									  rec->checksum)));
	json_object_set_new(o, "remotes", list);
	json_object_set_new(o, "derived", derived);
	cli_print_json(o);
}

int cmd_show(struct cli *cli, int argc, char **argv)
{
	bool draw = isatty(STDOUT_FILENO) && !cli->json;
	if (argc == 3 && !strcmp(argv[2], "--no-waveform")) {
		draw = false;
		argc--;
	} else if (argc == 3 && !strcmp(argv[1], "--no-waveform")) {
		draw = false;
		argc--, argv++;
	}
	if (argc != 2 || (argv[1][0] == '-' && argv[1][1]))
		return argc < 2   ? cli_usage_error(cli, "show needs a recording id or uuid")
		       : argc > 2 ? cli_usage_error(cli, "show takes one recording id or uuid")
				  : cli_usage_error(cli, "show: unknown option '%s'", argv[1]);
	vrp_library *lib = NULL;
	int status = cli_open_library(cli, 0, &lib);
	if (status)
		return status;
	vrp_recording *rec = NULL;
	vrp_recording_remote_list *remotes = NULL;
	vrp_derived_asset_list *assets = NULL;
	int rc = vrp_recordings_find(lib, argv[1], &rec);
	if (rc == 0)
		rc = vrp_sync_recording_state(lib, rec->id, &remotes);
	if (rc == 0)
		rc = vrp_derived_assets_list(lib, rec->id, &assets);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else
		show(cli, lib, rec, remotes, assets);
	if (rc == 0 && draw)
		cli_draw_waveform(lib, rec);
	vrp_derived_asset_list_free(assets);
	vrp_recording_remote_list_free(remotes);
	vrp_recording_free(rec);
	vrp_library_free(lib);
	return status;
}
