/* import_tmp.c - an import's staging files, and telling whose they are. */
#include "services/import_tmp.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define UUID_CHARS 36
#define SUFFIX     ".part"
/* Far longer than a file goes unlocked between its creation and its lock. */
#define STALE_AFTER_SECONDS 60

int vrp_import_tmp_create(vrp_library *lib, const char *uuid, char **path, int *fd)
{
	char name[96];
	snprintf(name, sizeof(name), "tmp/%s.%ld" SUFFIX, uuid, (long)getpid());
	*fd = -1;
	if (!(*path = vrp_library_path(lib, name)))
		return vrp_error_oom();
	*fd = open(*path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0) {
		int rc = vrp_error_from_errno(errno, "cannot create %s", *path);
		free(*path);
		*path = NULL;
		return rc;
	}
	flock(*fd, LOCK_EX);
	return 0;
}

bool vrp_import_file_is_live(const char *path)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return false;
	bool held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

/* The pid in "<uuid>.<pid>.part", or 0 when the name carries none. */
static pid_t owner_of(const char *name)
{
	size_t len = strlen(name), suffix = strlen(SUFFIX);
	if (len <= UUID_CHARS + 1 + suffix || name[UUID_CHARS] != '.')
		return 0;
	char *end = NULL;
	long pid = strtol(name + UUID_CHARS + 1, &end, 10);
	if (pid <= 0 || pid > INT32_MAX || strcmp(end, SUFFIX) != 0)
		return 0;
	return (pid_t)pid;
}

/* EPERM: alive, only not ours to signal. */
static bool is_alive(pid_t pid) { return kill(pid, 0) == 0 || errno == EPERM; }

bool vrp_import_tmp_is_stale(const char *path, const char *name)
{
	struct stat st;
	if (lstat(path, &st) != 0 || vrp_import_file_is_live(path))
		return false;
	pid_t owner = owner_of(name);
	if (!owner || (owner != getpid() && !is_alive(owner)))
		return true;
	return time(NULL) - st.st_mtime >= STALE_AFTER_SECONDS;
}

int vrp_import_tmp_clean(vrp_library *lib, int64_t *removed)
{
	*removed = 0;
	char *dir = vrp_library_path(lib, "tmp");
	DIR *d = dir ? opendir(dir) : NULL;
	int rc = d ? 0 : dir ? vrp_error_from_errno(errno, "cannot read %s", dir) : vrp_error_oom();
	struct dirent *e;
	while (rc == 0 && d && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= strlen(SUFFIX) || strcmp(e->d_name + len - strlen(SUFFIX), SUFFIX) != 0)
			continue;
		char *path = vrp_path_join(dir, e->d_name);
		if (!path)
			rc = vrp_error_oom();
		else if (vrp_import_tmp_is_stale(path, e->d_name) && vrp_durable_unlink(path) == 0)
			(*removed)++;
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	return rc;
}
