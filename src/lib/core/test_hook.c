/* test_hook.c - pausing at a named point for crash tests. */
#include "core/test_hook.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void vrp_test_hook(const char *point)
{
	const char *want = getenv("VRP_TEST_HOOK");
	size_t len = strlen(point);
	if (!want || strncmp(want, point, len) != 0 || (want[len] && want[len] != ':'))
		return;
	long ms = want[len] == ':' ? strtol(want + len + 1, NULL, 10) : 60000;
	if (!want[len]) {
		fprintf(stderr, "vrp: test hook %s\n", point);
		fflush(stderr);
	}
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}
