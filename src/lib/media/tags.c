/* tags.c - normalising the date and title tags containers carry. */
#include "media/tags.h"

#include "core/clock.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* "HH:MM[:SS]" (any one separator BWF allows) into `tm`; the text after it in `*end`. */
static int parse_clock(const char *s, struct tm *tm, const char **end)
{
	int n = 0;
	char a = 0, b = 0;
	tm->tm_sec = 0;
	if (sscanf(s, "%2d%c%2d%n", &tm->tm_hour, &a, &tm->tm_min, &n) != 3 || !strchr(":-_. ", a))
		return -1;
	s += n;
	if (*s == a && sscanf(s, "%c%2d%n", &b, &tm->tm_sec, &n) == 2)
		s += n;
	if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60)
		return -1;
	*end = s;
	return 0;
}

/* ".ffffff" then "Z", "+hh:mm", "+hhmm" or nothing: the offset east of UTC, in seconds. */
static int parse_zone(const char *s, int *ms, long *offset)
{
	*ms = 0;
	*offset = 0;
	if (*s == '.') {
		int scale = 100;
		for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
			*ms += scale > 0 ? (*s - '0') * scale : 0;
	}
	if (*s == 'Z' && !s[1])
		return 0;
	if (!*s)
		return 0;
	int h = 0, m = 0;
	if ((*s == '+' || *s == '-') &&
	    (sscanf(s + 1, "%2d:%2d", &h, &m) == 2 || sscanf(s + 1, "%2d%2d", &h, &m) == 2) &&
	    h <= 14 && m <= 59) {
		*offset = (*s == '-' ? -1 : 1) * (h * 3600L + m * 60L);
		return 0;
	}
	return -1;
}

int vrp_media_date_to_iso(const char *date, const char *time, char out[32])
{
	struct tm tm = { 0 };
	int n = 0, ms = 0;
	long offset = 0;
	if (!date || sscanf(date, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &n) != 3 ||
	    n != 10 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31)
		return -1;
	const char *rest = date + n, *end = rest;
	/* A clock after the date ("T10:20:30Z"), or BWF's separate time, or none. */
	bool inline_clock = (*rest == 'T' || *rest == ' ') && rest[1];
	bool bad = inline_clock ? parse_clock(rest + 1, &tm, &end) < 0 ||
					  parse_zone(end, &ms, &offset) < 0
				: *rest != '\0' || (time && *time &&
						    (parse_clock(time, &tm, &end) < 0 || *end));
	if (bad)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	int64_t seconds = (int64_t)timegm(&tm) - offset;
	/* 1904-01-01 (MP4's zero) and 1970-01-01 (Unix's) are what unset clocks write. */
	if (seconds == -2082844800LL || seconds == 0)
		return -1;
	char iso[VRP_TIME_ISO_LEN];
	vrp_time_format_iso(seconds * 1000 + ms, iso);
	snprintf(out, 32, "%s", iso);
	return 0;
}

void vrp_media_set_recorded(struct vrp_media_info *info, const char *iso, const char *source)
{
	snprintf(info->recorded_at, sizeof(info->recorded_at), "%s", iso);
	snprintf(info->recorded_at_source, sizeof(info->recorded_at_source), "%s", source);
}

void vrp_media_set_title(struct vrp_media_info *info, const char *title)
{
	info->title[0] = '\0';
	if (!title)
		return;
	while (*title == ' ' || *title == '\t')
		title++;
	size_t len = strlen(title);
	while (len > 0 && (title[len - 1] == ' ' || title[len - 1] == '\t'))
		len--;
	if (len >= sizeof(info->title)) {
		len = sizeof(info->title) - 1;
		/* Never half a character: back off continuation bytes. */
		while (len > 0 && ((unsigned char)title[len] & 0xC0) == 0x80)
			len--;
	}
	memcpy(info->title, title, len);
	info->title[len] = '\0';
}
