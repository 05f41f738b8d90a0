/* log_files.c - naming, rotating, pruning and ordering the files of a log directory. */
#include "core/log_files.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define ROTATED_PREFIX "vrp-"
#define ROTATED_SUFFIX ".log"
#define DAY_MS         (24LL * 60 * 60 * 1000)

bool vrp_log_is_rotated_name(const char *name)
{
	size_t len = strlen(name);
	size_t fixed = strlen(ROTATED_PREFIX) + strlen(ROTATED_SUFFIX);
	return len > fixed && !strncmp(name, ROTATED_PREFIX, strlen(ROTATED_PREFIX)) &&
	       !strcmp(name + len - strlen(ROTATED_SUFFIX), ROTATED_SUFFIX);
}

static char *join(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	if (path)
		snprintf(path, len, "%s/%s", dir, name);
	return path;
}

static void rotated_name(char *out, size_t size, int64_t now_ms, int seq)
{
	time_t secs = (time_t)(now_ms / 1000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char stamp[32];
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(out, size, ROTATED_PREFIX "%s%03dZ-%02d" ROTATED_SUFFIX, stamp,
		 (int)(now_ms % 1000), seq);
}

int vrp_log_rotate(const char *dir, int64_t now_ms)
{
	char *current = join(dir, VRP_LOG_CURRENT_NAME);
	if (!current)
		return -1;
	int rc = -1;
	for (int seq = 0; seq < 100 && rc < 0; seq++) {
		char name[64];
		rotated_name(name, sizeof(name), now_ms, seq);
		char *target = join(dir, name);
		if (!target)
			break;
		rc = link(current, target);
		int err = errno;
		free(target);
		if (rc < 0 && err != EEXIST) {
			errno = err;
			break;
		}
	}
	if (rc == 0)
		rc = unlink(current);
	free(current);
	return rc;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rotated files' names in `dir`, sorted (so oldest first). */
static int rotated_names(const char *dir, char ***out, size_t *count)
{
	*out = NULL;
	*count = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	size_t capacity = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!vrp_log_is_rotated_name(e->d_name))
			continue;
		if (*count == capacity) {
			capacity = capacity ? capacity * 2 : 16;
			char **grown = realloc(*out, capacity * sizeof(**out));
			if (!grown) {
				rc = -1;
				break;
			}
			*out = grown;
		}
		if (!((*out)[*count] = strdup(e->d_name)))
			rc = -1;
		else
			(*count)++;
	}
	closedir(d);
	if (*count)
		qsort(*out, *count, sizeof(**out), by_name);
	return rc;
}

void vrp_log_files_free(char **files, size_t count)
{
	for (size_t i = 0; files && i < count; i++)
		free(files[i]);
	free(files);
}

static bool older_than(const char *path, int64_t cutoff_ms)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return false;
	int64_t mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	return mtime_ms < cutoff_ms;
}

void vrp_log_prune(const char *dir, int retention_days, int max_files, int64_t now_ms)
{
	char **names = NULL;
	size_t count = 0;
	if (rotated_names(dir, &names, &count) < 0) {
		vrp_log_files_free(names, count);
		return;
	}
	int64_t cutoff = now_ms - retention_days * DAY_MS;
	size_t kept = count;
	for (size_t i = 0; i < count; i++) {
		char *path = join(dir, names[i]);
		/* Oldest first: while too many remain, the oldest go whatever their age. */
		if (path && (kept > (size_t)max_files || older_than(path, cutoff)) &&
		    unlink(path) == 0)
			kept--;
		free(path);
	}
	char *current = join(dir, VRP_LOG_CURRENT_NAME);
	if (current && older_than(current, cutoff))
		unlink(current);
	free(current);
	vrp_log_files_free(names, count);
}

int vrp_log_files(const char *dir, char ***out, size_t *count)
{
	char **names = NULL;
	size_t n = 0;
	*out = NULL;
	*count = 0;
	if (rotated_names(dir, &names, &n) < 0) {
		vrp_log_files_free(names, n);
		return -1;
	}
	char **paths = calloc(n + 1, sizeof(*paths));
	int rc = paths ? 0 : -1;
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (!(paths[i] = join(dir, names[i])))
			rc = -1;
	vrp_log_files_free(names, n);
	char *current = rc == 0 ? join(dir, VRP_LOG_CURRENT_NAME) : NULL;
	if (rc == 0 && !current)
		rc = -1;
	if (rc < 0) {
		vrp_log_files_free(paths, n);
		return -1;
	}
	size_t total = n;
	if (access(current, F_OK) == 0)
		paths[total++] = current;
	else
		free(current);
	*out = paths;
	*count = total;
	return 0;
}
