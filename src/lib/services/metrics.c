/* metrics.c - the library's metrics, for applications. */
#include "db/metrics_repo.h"
#include "vrp/library.h"

int vrp_metrics_read(vrp_library *lib, const char *prefix, vrp_metric_list **out)
{
	*out = NULL;
	return vrp_metrics_repo_list(vrp_library_db(lib), prefix, out);
}
