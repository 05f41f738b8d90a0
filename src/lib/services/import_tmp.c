/* import_tmp.c - an import's staging files, and telling whose they are. */
#include "services/import_tmp.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"
#include "db/recording_repo.h"

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

/* Whether recording `uuid` has a row; true when that cannot be told, so nothing is removed. */
static bool has_row(vrp_library *lib, const char *uuid)
{
	vrp_recording *rec = NULL;
	int rc = vrp_recording_repo_get_by_uuid(vrp_library_db(lib), uuid, &rec);
	vrp_recording_free(rec);
	return rc != VRP_ENOTFOUND;
}

/* Removes recordings/raw/<uuid>.* when it is the inode `st` describes. */
static int remove_twin(vrp_library *lib, const char *uuid, const struct stat *st)
{
	char *raw = vrp_library_path(lib, "recordings/raw");
	DIR *d = raw ? opendir(raw) : NULL;
	int rc = d ? 0 : raw ? vrp_error_from_errno(errno, "cannot read %s", raw) : vrp_error_oom();
	struct dirent *e;
	bool removed = false;
	while (rc == 0 && d && (e = readdir(d))) {
		struct stat twin;
		if (strncmp(e->d_name, uuid, UUID_CHARS) != 0 || e->d_name[UUID_CHARS] != '.' ||
		    fstatat(dirfd(d), e->d_name, &twin, AT_SYMLINK_NOFOLLOW) != 0 ||
		    twin.st_ino != st->st_ino || twin.st_dev != st->st_dev)
			continue;
		if (vrp_durable_unlinkat(dirfd(d), e->d_name, 0) != 0)
			rc = vrp_error_from_errno(errno, "cannot remove %s/%s", raw, e->d_name);
		removed = rc == 0;
	}
	if (rc == 0 && removed && vrp_durable_fsync(dirfd(d)) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s", raw);
	if (d)
		closedir(d);
	free(raw);
	return rc;
}

/*
 * A staging file with a second link was placed in recordings/raw/ by an
 * import that died before or after its row committed (import_batch.c): without
 * the row, the raw file is that import's too, and goes with it.
 */
static int undo_placement(vrp_library *lib, const char *path, const char *name)
{
	struct stat st;
	if (lstat(path, &st) != 0 || st.st_nlink < 2 || owner_of(name) == 0)
		return 0;
	char uuid[UUID_CHARS + 1];
	memcpy(uuid, name, UUID_CHARS);
	uuid[UUID_CHARS] = '\0';
	return has_row(lib, uuid) ? 0 : remove_twin(lib, uuid, &st);
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
		else if (vrp_import_tmp_is_stale(path, e->d_name)) {
			rc = undo_placement(lib, path, e->d_name);
			if (rc == 0 && vrp_durable_unlink(path) == 0)
				(*removed)++;
		}
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

void vrp_import_tmp_sweep(vrp_library *lib, const char *component)
{
	int64_t removed = 0;
	int rc = vrp_import_tmp_clean(lib, &removed);
	if (rc < 0)
		VRP_LOG_WARNING(component, NULL, "cannot look for stale temporary files: %s [%s]",
				vrp_error_last()->message, vrp_error_code_name(rc));
	else if (removed)
		VRP_LOG_INFO(component, json_pack("{s:I}", "files", (json_int_t)removed),
			     "removed %lld temporary file(s) of interrupted runs",
			     (long long)removed);
}
