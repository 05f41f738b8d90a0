/* ids.c - turning ID or UUID arguments into recording ids. */
#include "cli.h"

#include <stdlib.h>

int cli_resolve_ids(const struct cli *cli, vrp_library *lib, int argc, char **argv, int64_t **ids,
		    size_t *count)
{
	*count = 0;
	*ids = argc > 0 ? calloc((size_t)argc, sizeof(**ids)) : NULL;
	if (argc > 0 && !*ids)
		return cli_fail(cli, VRP_ENOMEM);
	for (int i = 0; i < argc; i++) {
		vrp_recording *rec = NULL;
		int rc = vrp_recordings_find(lib, argv[i], &rec);
		if (rc < 0) {
			free(*ids);
			*ids = NULL;
			*count = 0;
			return cli_fail(cli, rc);
		}
		(*ids)[(*count)++] = rec->id;
		vrp_recording_free(rec);
	}
	return 0;
}
