/* process.c - a process's start time from /proc, and the host name. */
#include "core/process.h"

#include "core/error_set.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int vrp_process_start_time(pid_t pid, int64_t *out)
{
	char path[64], line[1024];
	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return vrp_error_set(VRP_ENOTFOUND, "no process %ld", (long)pid);
		return vrp_error_set(VRP_ENOTSUP, "cannot read %s: %s", path, strerror(errno));
	}
	size_t n = fread(line, 1, sizeof(line) - 1, f);
	fclose(f);
	line[n] = '\0';
	/* The command name (field 2) may hold spaces and ')': count fields after the last ')'. */
	const char *p = strrchr(line, ')');
	unsigned long long start = 0;
	for (int field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return vrp_error_set(VRP_ENOTSUP, "cannot read the start time in %s", path);
	*out = (int64_t)start;
	return 0;
}

void vrp_process_host(char *out, size_t len)
{
	if (gethostname(out, len) != 0 || !*out)
		snprintf(out, len, "localhost");
	out[len - 1] = '\0';
}
