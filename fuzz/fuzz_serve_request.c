/*
 * fuzz_serve_request.c - what `vrp serve` reads of a request itself
 * (libmicrohttpd parses the HTTP): the route and its {id} from the path,
 * and the Range header of a media download. The first 8 bytes are the
 * file's size; the rest is split at the first newline into the path and
 * the Range value. A range taken must be inside the file and written the
 * way RFC 9110 spells one: "bytes=" digits "-" digits, or "-" digits.
 */
#include "fuzz_text.h"
#include "serve/serve_internal.h"

#include <ctype.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = { "GET", "HEAD", "POST", "PATCH", "DELETE", "PUT" };

static bool digits(const char *p, const char *end)
{
	if (p == end)
		return false;
	for (; p < end; p++)
		if (!isdigit((unsigned char)*p))
			return false;
	return true;
}

/* A single byte-range-spec or suffix-range in the strict grammar. */
static bool well_formed(const char *h)
{
	if (strncmp(h, "bytes=", 6) != 0)
		return false;
	const char *p = h + 6, *dash = strchr(p, '-'), *end = p + strlen(p);
	if (!dash)
		return false;
	if (dash == p)
		return digits(dash + 1, end);
	return digits(p, dash) && (dash + 1 == end || digits(dash + 1, end));
}

static void route(const char *method, const char *url)
{
	char id[64];
	bool allowed = false;
	const struct serve_route *r = serve_route_find(method, url, id, sizeof(id), &allowed);
	if (r && strstr(r->pattern, "{id}")) {
		FUZZ_ASSERT(*id && !strchr(id, '/'));
		FUZZ_ASSERT(strstr(url, id));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 9)
		return 0;
	uint64_t file_size = 0;
	memcpy(&file_size, data, 8);
	/* Sizes a disk holds, and the edges: 0, 1, and the largest. */
	if (data[8] & 1)
		file_size %= 4096;
	char *text = fuzz_text(data + 9, size - 9);
	if (!text)
		return 0;
	char *range = strchr(text, '\n');
	if (range)
		*range++ = '\0';
	route(methods[data[8] % 6], text);
	uint64_t first = 0, last = 0;
	const char *header = range ? range : text;
	int taken = serve_parse_range(header, file_size, &first, &last);
	FUZZ_ASSERT(taken >= -1 && taken <= 1);
	if (taken == 1) {
		FUZZ_ASSERT(file_size > 0 && first <= last && last < file_size);
		FUZZ_ASSERT(well_formed(header));
	}
	if (taken == -1)
		FUZZ_ASSERT(well_formed(header));
	free(text);
	return 0;
}
