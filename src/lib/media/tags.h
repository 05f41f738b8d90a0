/*
 * tags.h - what a container says about a recording beyond its audio: when it
 * was made and its title (internal).
 */
#ifndef VRP_MEDIA_TAGS_H
#define VRP_MEDIA_TAGS_H

#include "media/probe.h"

/*
 * A date tag as the catalogue's "YYYY-MM-DDTHH:MM:SS.sssZ" in `out`: `date`
 * is "YYYY-MM-DD", optionally followed by "T" or " " and "HH:MM[:SS[.f...]]"
 * with "Z" or an offset ("+02:00", "+0200"); `time` (may be NULL), a
 * separate "HH:MM:SS" as BWF keeps it (also with ':' replaced by '-', '_',
 * '.' or ' ', which the spec allows). No time is midnight UTC. Returns 0, or
 * -1 for text that is not such a date, a bare year ("2025": too vague to
 * date a memo by), or an obvious placeholder (the MP4 and Unix epochs).
 */
int vrp_media_date_to_iso(const char *date, const char *time, char out[32]);

/* Sets the recording date and where it came from ("container", "bwf"). */
void vrp_media_set_recorded(struct vrp_media_info *info, const char *iso, const char *source);

/*
 * Sets the title, cut to fit at a UTF-8 character boundary, surrounding
 * blanks dropped; an empty or blank title is none.
 */
void vrp_media_set_title(struct vrp_media_info *info, const char *title);

#endif
