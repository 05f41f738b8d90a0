/*
 * args.c - values typed on the command line: counts, seconds, and dates or
 * times, the last turned into the catalogue's timestamp text
 * ("2026-03-01T09:30:00.000Z", UTC), which sorts and compares as text.
 */
#include "cli.h"

#include "vrp/timestamp.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

bool cli_parse_int(const char *text, long long min, long long max, long long *out)
{
	if (*text < '0' || *text > '9')
		return false;
	errno = 0;
	char *end = NULL;
	long long value = strtoll(text, &end, 10);
	if (errno || *end || value < min || value > max)
		return false;
	*out = value;
	return true;
}

bool cli_parse_seconds(const char *text, double *out)
{
	if ((*text < '0' || *text > '9') && *text != '.')
		return false;
	errno = 0;
	char *end = NULL;
	double value = strtod(text, &end);
	if (errno || *end || !isfinite(value) || value < 0)
		return false;
	*out = value;
	return true;
}

int cli_parse_time(const char *text, bool end_of_day, char out[CLI_TIME_LEN])
{
	int rc = vrp_timestamp_parse(text, end_of_day, out);
	vrp_error_clear();
	return rc < 0 ? -1 : 0;
}
