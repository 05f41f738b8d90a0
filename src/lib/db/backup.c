/* backup.c - consistent copies of the live database, and their rotation. */
#include "core/clock.h"
#include "core/durable.h"
#include "core/error_set.h"
#include "core/fsutil.h"
#include "db/db_internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_SUFFIX ".tmp"

static int copy_into(vrp_db *db, const char *tmp_path)
{
	sqlite3 *dest = NULL;
	int rc = sqlite3_open_v2(tmp_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_backup *b = sqlite3_backup_init(dest, "main", vrp_db_handle(db), "main");
		if (!b) {
			rc = sqlite3_errcode(dest);
		} else {
			/* -1 copies everything in one step, holding the read lock once, so
			 * the copy is a single consistent snapshot. */
			rc = sqlite3_backup_step(b, -1);
			sqlite3_backup_finish(b);
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
	}
	int code = 0;
	if (rc != SQLITE_OK) {
		code = vrp_db_code_from_sqlite(rc);
		vrp_error_set(code ? code : VRP_EDB, "cannot back up the database to %s: %s",
			      tmp_path, dest ? sqlite3_errmsg(dest) : sqlite3_errstr(rc));
		code = code ? code : VRP_EDB;
	}
	sqlite3_close_v2(dest);
	return code;
}

/*
 * The copy holds titles, descriptions and tags: created 0600 whatever the
 * umask or the mode of a file it replaces. The flock tells
 * vrp_db_backup_remove_stale() that a live process is still writing it.
 */
static int create_locked(const char *tmp, int *fd)
{
	vrp_durable_unlink(tmp);
	*fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (*fd < 0)
		return vrp_error_from_errno(errno, "cannot back up the database to %s", tmp);
	if (fchmod(*fd, 0600) != 0 || flock(*fd, LOCK_EX) != 0) {
		int rc = vrp_error_from_errno(errno, "cannot back up the database to %s", tmp);
		close(*fd);
		*fd = -1;
		vrp_durable_unlink(tmp);
		return rc;
	}
	return 0;
}

int vrp_db_backup_to(vrp_db *db, const char *dest_path)
{
	size_t len = strlen(dest_path) + 8;
	char *tmp = malloc(len);
	if (!tmp)
		return vrp_error_oom();
	snprintf(tmp, len, "%s" TMP_SUFFIX, dest_path);
	int fd = -1;
	int rc = create_locked(tmp, &fd);
	if (rc == 0)
		rc = copy_into(db, tmp);
	if (rc == 0 && vrp_durable_fsync(fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s", tmp);
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, dest_path);
	if (rc < 0 && fd >= 0)
		vrp_durable_unlink(tmp);
	if (fd >= 0)
		close(fd);
	free(tmp);
	return rc;
}

static bool has_suffix(const char *name, const char *suffix)
{
	size_t len = strlen(name), n = strlen(suffix);
	return len >= n && strcmp(name + len - n, suffix) == 0;
}

/* A temporary copy no process holds any more (one killed while backing up). */
static void remove_if_stale(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		vrp_durable_unlink(path);
	close(fd);
}

int vrp_db_backup_remove_stale(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : vrp_error_from_errno(errno, "cannot list %s", dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "library-v", 9) != 0 ||
		    !has_suffix(e->d_name, ".db" TMP_SUFFIX))
			continue;
		char *path = vrp_path_join(dir, e->d_name);
		if (path)
			remove_if_stale(path);
		free(path);
	}
	closedir(d);
	return 0;
}

static int is_backup_name(const char *name)
{
	return strncmp(name, "library-v", 9) == 0 && strlen(name) > 12 && has_suffix(name, ".db");
}

/* Orders by the timestamp after the version, so v10 does not sort before v9. */
static const char *stamp_of(const char *name)
{
	const char *dash = strchr(name + 9, '-');
	return dash ? dash + 1 : name;
}

static int by_stamp(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	int c = strcmp(stamp_of(x), stamp_of(y));
	return c ? c : strcmp(x, y);
}

static int prune(const char *dir, size_t keep)
{
	DIR *d = opendir(dir);
	if (!d)
		return vrp_error_from_errno(errno, "cannot list backups in %s", dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(d))) {
		if (!is_backup_name(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			char **grown = realloc(names, cap * sizeof(*names));
			if (!grown) {
				rc = vrp_error_oom();
				break;
			}
			names = grown;
		}
		if (!(names[n] = strdup(e->d_name)))
			rc = vrp_error_oom();
		else
			n++;
	}
	closedir(d);
	if (rc == 0 && n > keep) {
		qsort(names, n, sizeof(*names), by_stamp);
		for (size_t i = 0; i < n - keep; i++) {
			char *path = vrp_path_join(dir, names[i]);
			if (path)
				vrp_durable_unlink(path);
			free(path);
		}
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static void compact_stamp(char out[32])
{
	char iso[VRP_TIME_ISO_LEN];
	vrp_time_now_iso(iso);
	/* 2026-11-24T21:07:00.123Z -> 20261124T210700.123Z: no ':' in file names. */
	size_t j = 0;
	for (size_t i = 0; iso[i] && j < 31; i++)
		if (iso[i] != '-' && iso[i] != ':')
			out[j++] = iso[i];
	out[j] = '\0';
}

int vrp_db_backup(vrp_db *db, const char *dir, char **out_path)
{
	if (out_path)
		*out_path = NULL;
	int version = 0;
	int rc = vrp_db_schema_version(db, &version);
	if (rc == 0)
		rc = vrp_fs_mkdir_p(dir, 0700);
	if (rc == 0)
		rc = vrp_db_backup_remove_stale(dir);
	if (rc < 0)
		return rc;
	char stamp[32], name[64];
	compact_stamp(stamp);
	snprintf(name, sizeof(name), "library-v%d-%s.db", version, stamp);
	char *path = vrp_path_join(dir, name);
	if (!path)
		return vrp_error_oom();
	/* Two backups in the same millisecond get distinct names. */
	for (int i = 1; access(path, F_OK) == 0 && i < 100; i++) {
		free(path);
		snprintf(name, sizeof(name), "library-v%d-%s-%d.db", version, stamp, i);
		if (!(path = vrp_path_join(dir, name)))
			return vrp_error_oom();
	}
	rc = vrp_db_backup_to(db, path);
	if (rc == 0)
		rc = prune(dir, VRP_DB_BACKUPS_KEPT);
	if (rc == 0 && out_path)
		*out_path = path;
	else
		free(path);
	return rc;
}
