/*
 * timestamp.c - dates and times as people type them, turned into the
 * catalogue's timestamp text ("2026-03-01T09:30:00.000Z", UTC), which sorts
 * and compares as text. The CLI's --since/--until and the API's since/until
 * query parameters read them alike.
 */
#include "vrp/timestamp.h"

#include "core/error_set.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* Reads exactly `n` digits at *p; returns -1 when they are not there. */
static int digits(const char **p, int n)
{
	int value = 0;
	for (int i = 0; i < n; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return -1;
		value = value * 10 + (c - '0');
	}
	*p += n;
	return value;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

/* [T| ]HH:MM[:SS[.fff...]]; milliseconds beyond three digits are dropped. */
static bool parse_clock(const char **p, struct tm *tm, int *ms)
{
	if ((tm->tm_hour = digits(p, 2)) < 0 || !expect(p, ':') || (tm->tm_min = digits(p, 2)) < 0)
		return false;
	if (!expect(p, ':'))
		return true;
	if ((tm->tm_sec = digits(p, 2)) < 0)
		return false;
	if (!expect(p, '.'))
		return true;
	int places = 0;
	while (**p >= '0' && **p <= '9') {
		if (places++ < 3)
			*ms = *ms * 10 + (**p - '0');
		(*p)++;
	}
	if (places == 0)
		return false;
	for (; places < 3; places++)
		*ms *= 10;
	return true;
}

/* Z, +HH:MM, +HHMM, -HH:MM... or nothing (UTC); the offset in seconds east. */
static bool parse_zone(const char **p, long *offset)
{
	*offset = 0;
	if (**p == '\0' || expect(p, 'Z') || expect(p, 'z'))
		return **p == '\0';
	int sign = **p == '+' ? 1 : **p == '-' ? -1 : 0;
	if (!sign)
		return false;
	(*p)++;
	int hours = digits(p, 2);
	expect(p, ':');
	int minutes = digits(p, 2);
	if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59 || **p)
		return false;
	*offset = sign * (hours * 3600L + minutes * 60L);
	return true;
}

static int parse(const char *text, bool end_of_day, char out[VRP_TIMESTAMP_LEN])
{
	const char *p = text;
	struct tm tm = { 0 };
	int ms = 0;
	long offset = 0;
	int year = digits(&p, 4);
	if (year < 0 || !expect(&p, '-') || (tm.tm_mon = digits(&p, 2)) < 0 || !expect(&p, '-') ||
	    (tm.tm_mday = digits(&p, 2)) < 0)
		return -1;
	bool date_only = *p == '\0';
	if (!date_only && !(expect(&p, 'T') || expect(&p, 't') || expect(&p, ' ')))
		return -1;
	if (!date_only && (!parse_clock(&p, &tm, &ms) || !parse_zone(&p, &offset)))
		return -1;
	tm.tm_year = year - 1900;
	tm.tm_mon -= 1;
	struct tm check = tm;
	time_t t = timegm(&tm);
	/* timegm normalises 31 February into March; a date that moved was not a date. */
	if (t == (time_t)-1 || tm.tm_mday != check.tm_mday || tm.tm_mon != check.tm_mon ||
	    tm.tm_hour != check.tm_hour || tm.tm_min != check.tm_min || tm.tm_sec != check.tm_sec)
		return -1;
	if (date_only && end_of_day)
		t += (time_t)24 * 3600;
	t -= offset;
	struct tm utc;
	if (!gmtime_r(&t, &utc) || utc.tm_year + 1900 > 9999 || utc.tm_year + 1900 < 0)
		return -1;
	/* Room for any int, so the compiler can see nothing is cut; the checks
	 * above keep the text at VRP_TIMESTAMP_LEN - 1 characters. */
	char text_out[96];
	int len = snprintf(text_out, sizeof(text_out), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			   utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min,
			   utc.tm_sec, ms);
	if (len != VRP_TIMESTAMP_LEN - 1)
		return -1;
	memcpy(out, text_out, VRP_TIMESTAMP_LEN);
	return 0;
}

int vrp_timestamp_parse(const char *text, bool end_of_day, char out[VRP_TIMESTAMP_LEN])
{
	if (text && parse(text, end_of_day, out) == 0)
		return 0;
	return vrp_error_set(VRP_EINVAL,
			     "'%s' is not a date or time (YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS] "
			     "with Z or an offset)",
			     text ? text : "");
}
