/* ids.c - turning ID or UUID arguments into recordings. */
#include "cli.h"

#include <stdlib.h>

int cli_find_recordings(const struct cli *cli, vrp_library *lib, int argc, char **argv,
			vrp_recording_list *found)
{
	found->count = 0;
	found->items = argc > 0 ? calloc((size_t)argc, sizeof(*found->items)) : NULL;
	if (argc > 0 && !found->items)
		return cli_out_of_memory(cli);
	int status = 0;
	for (int i = 0; i < argc; i++) {
		vrp_recording *rec = NULL;
		int rc = vrp_recordings_find(lib, argv[i], &rec);
		if (rc < 0) {
			int one = cli_fail(cli, rc);
			status = status ? status : one;
			continue;
		}
		found->items[found->count++] = rec;
	}
	return status;
}

void cli_recordings_clear(vrp_recording_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		vrp_recording_free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

int cli_resolve_ids(const struct cli *cli, vrp_library *lib, int argc, char **argv, int64_t **ids,
		    size_t *count)
{
	vrp_recording_list found = { 0 };
	int status = cli_find_recordings(cli, lib, argc, argv, &found);
	*count = 0;
	*ids = found.count ? calloc(found.count, sizeof(**ids)) : NULL;
	if (found.count && !*ids)
		status = cli_out_of_memory(cli);
	for (size_t i = 0; *ids && i < found.count; i++)
		(*ids)[(*count)++] = found.items[i]->id;
	cli_recordings_clear(&found);
	return status;
}
