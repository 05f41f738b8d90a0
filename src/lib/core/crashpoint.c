/*
 * crashpoint.c - test builds only: counts the durable steps of a process, dies
 * at the one VRP_CRASH_AT names, and injects write faults (see durable.h).
 */
#include "core/durable.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_long steps;
static atomic_long writes;

static long env_long(const char *name)
{
	const char *v = getenv(name);
	return v && *v ? strtol(v, NULL, 10) : 0;
}

static void die(const char *what, long n)
{
	/* stderr is unbuffered: the message is out before the process is. */
	fprintf(stderr, "vrp: crash point %ld (%s)\n", n, what);
	const char *mode = getenv("VRP_CRASH_MODE");
	if (mode && strcmp(mode, "kill") == 0)
		raise(SIGKILL);
	_exit(VRP_CRASH_STATUS);
}

void vrp_crashpoint(const char *what)
{
	long n = atomic_fetch_add(&steps, 1) + 1;
	long at = env_long("VRP_CRASH_AT");
	if (at > 0 && n == at)
		die(what, n);
}

/* VRP_FAULT=KIND@N: the fault for write number n, or NULL. */
static const char *fault_for(long n)
{
	const char *v = getenv("VRP_FAULT");
	const char *at = v ? strchr(v, '@') : NULL;
	if (!at || strtol(at + 1, NULL, 10) != n)
		return NULL;
	return v;
}

ssize_t vrp_durable_write(int fd, const void *buf, size_t len)
{
	vrp_crashpoint("write");
	const char *fault = fault_for(atomic_fetch_add(&writes, 1) + 1);
	if (!fault)
		return write(fd, buf, len);
	if (strncmp(fault, "enospc@", 7) == 0) {
		errno = ENOSPC;
		return -1;
	}
	if (strncmp(fault, "short@", 6) == 0 && len > 1)
		return write(fd, buf, len / 2);
	errno = EIO;
	return -1;
}

__attribute__((destructor)) static void write_count(void)
{
	const char *path = getenv("VRP_CRASH_COUNT");
	FILE *f = path && *path ? fopen(path, "w") : NULL;
	if (!f)
		return;
	fprintf(f, "%ld\n", atomic_load(&steps));
	fclose(f);
}
