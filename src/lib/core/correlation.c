/* correlation.c - the calling thread's correlation id. */
#include "core/log.h"

#include "core/uuid.h"

#include <stdio.h>

_Static_assert(VRP_CORRELATION_ID_LEN == VRP_UUID_LEN, "a correlation id is a UUID");

static _Thread_local char current[VRP_CORRELATION_ID_LEN];
static _Thread_local bool has_current;

int vrp_correlation_new(char out[VRP_CORRELATION_ID_LEN]) { return vrp_uuid_v4(out); }

void vrp_correlation_set(const char *id)
{
	has_current = id && *id;
	if (has_current)
		snprintf(current, sizeof(current), "%s", id);
}

const char *vrp_correlation_current(void) { return has_current ? current : NULL; }

void vrp_correlation_enter(struct vrp_correlation_scope *scope, const char *id)
{
	scope->had_previous = has_current;
	if (has_current)
		snprintf(scope->previous, sizeof(scope->previous), "%s", current);
	if (id) {
		vrp_correlation_set(id);
		return;
	}
	/* Without randomness the operation simply goes uncorrelated: never a reason to fail it. */
	char fresh[VRP_CORRELATION_ID_LEN];
	if (!has_current && vrp_correlation_new(fresh) == 0)
		vrp_correlation_set(fresh);
}

void vrp_correlation_leave(const struct vrp_correlation_scope *scope)
{
	vrp_correlation_set(scope->had_previous ? scope->previous : NULL);
}
