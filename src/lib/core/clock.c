/* clock.c - timestamps. */
#include "core/clock.h"

#include <stdio.h>
#include <time.h>

int64_t vrp_time_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void vrp_time_format_iso(int64_t unix_ms, char out[VRP_TIME_ISO_LEN])
{
	time_t secs = (time_t)(unix_ms / 1000);
	int ms = (int)(unix_ms % 1000);
	if (ms < 0) {
		ms += 1000;
		secs -= 1;
	}
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(out, VRP_TIME_ISO_LEN, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, VRP_TIME_ISO_LEN - n, ".%03uZ", (unsigned)ms % 1000u);
}

void vrp_time_now_iso(char out[VRP_TIME_ISO_LEN]) { vrp_time_format_iso(vrp_time_now_ms(), out); }

int64_t vrp_time_parse_iso(const char *text)
{
	struct tm tm = { 0 };
	int ms = 0;
	if (!text || sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
			    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}
