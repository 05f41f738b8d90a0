/* read_only.c - why a database cannot be written, and how it can still be read. */
#include "db/read_only.h"

#include "core/error_set.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* errno's answer for writing `path`, without writing anything: 0, EROFS or EACCES. */
static int write_access(const char *path)
{
	if (access(path, W_OK) == 0)
		return 0;
	return errno == EROFS ? EROFS : errno == ENOENT ? 0 : EACCES;
}

int vrp_db_unwritable_reason(const char *path)
{
	struct statvfs vfs;
	int have_vfs = statvfs(path, &vfs) == 0;
	if (have_vfs && (vfs.f_flag & ST_RDONLY))
		return EROFS;
	int reason = write_access(path);
	char *copy = strdup(path);
	/* SQLite creates library.db-wal and -shm beside the file. */
	if (reason == 0 && copy)
		reason = write_access(dirname(copy));
	free(copy);
	if (reason == 0 && have_vfs && (vfs.f_bavail == 0 || vfs.f_favail == 0))
		reason = ENOSPC;
	return reason;
}

bool vrp_db_wal_has_content(const char *path)
{
	char wal[4096];
	struct stat st;
	if (snprintf(wal, sizeof(wal), "%s-wal", path) >= (int)sizeof(wal))
		return true;
	if (stat(wal, &st) != 0)
		return errno != ENOENT;
	return st.st_size > 0;
}

char *vrp_db_uri(const char *path, const char *query)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = strlen(path);
	char *uri = malloc(sizeof("file:") + 3 * len + 1 + strlen(query));
	if (!uri)
		return NULL;
	char *p = uri + sprintf(uri, "file:");
	/* A '?', '#' or '%' in the path would otherwise start the query or an escape. */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)path[i];
		if (c == '?' || c == '#' || c == '%' || c < 0x21 || c >= 0x7f) {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else {
			*p++ = (char)c;
		}
	}
	sprintf(p, "?%s", query);
	return uri;
}

int vrp_db_refuse_write_because(int reason, const char *path)
{
	char *copy = strdup(path);
	const char *dir = copy ? dirname(copy) : path;
	int rc;
	if (reason == ENOSPC)
		rc = vrp_error_set(VRP_ENOSPC,
				   "the disk holding the library is full: free space on it (%s) "
				   "and try again; reading still works",
				   dir);
	else if (reason == EROFS)
		rc = vrp_error_set(VRP_EREADONLY,
				   "the library is on a read-only file system (%s): reading works, "
				   "changes are refused; remount it read-write to change it",
				   dir);
	else
		rc = vrp_error_set(VRP_EREADONLY,
				   "the library is read-only (%s or its folder is not writable by "
				   "this user): reading works, changes are refused",
				   path);
	free(copy);
	vrp_error_set_context("%s", path);
	return rc;
}
