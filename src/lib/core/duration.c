/* duration.c - "30d" into seconds. */
#include "vrp/duration.h"

#include "core/error_set.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int64_t unit_seconds(const char *unit)
{
	static const struct {
		const char *name;
		int64_t seconds;
	} units[] = { { "", 1 },     { "s", 1 },     { "m", 60 },
		      { "h", 3600 }, { "d", 86400 }, { "w", 7 * 86400 } };
	for (size_t i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (!strcmp(unit, units[i].name))
			return units[i].seconds;
	return 0;
}

int vrp_duration_parse(const char *text, int64_t *seconds)
{
	*seconds = 0;
	const char *s = text ? text : "";
	char *end = NULL;
	errno = 0;
	long long n = *s >= '0' && *s <= '9' ? strtoll(s, &end, 10) : -1;
	int64_t unit = n >= 0 ? unit_seconds(end) : 0;
	/* A year in seconds is 3.2e7: anything near INT64_MAX is a typo, not a span. */
	if (n < 0 || errno || !unit || n > INT64_MAX / unit / 1000)
		return vrp_error_set(VRP_EINVAL,
				     "\"%s\" is not a duration (a number with s, m, h, d or w: "
				     "90s, 15m, 2h, 30d, 1w)",
				     s);
	*seconds = (int64_t)n * unit;
	return 0;
}
