/* fsutil.c - durable filesystem steps and path helpers. */
#include "core/fsutil.h"
#include "core/durable.h"

#include "core/error_set.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *vrp_path_join(const char *a, const char *b)
{
	size_t la = strlen(a);
	while (la > 1 && a[la - 1] == '/')
		la--;
	while (*b == '/')
		b++;
	size_t lb = strlen(b);
	size_t size = la + 1 + lb + 1;
	char *out = malloc(size);
	if (out)
		snprintf(out, size, "%.*s/%s", (int)la, a, b);
	return out;
}

int vrp_fs_mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	if (!copy)
		return vrp_error_oom();
	int rc = 0;
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		struct stat st;
		if (mkdir(copy, mode) != 0 && errno != EEXIST) {
			rc = vrp_error_from_errno(errno, "cannot create directory %s", copy);
			break;
		}
		if (stat(copy, &st) != 0 || !S_ISDIR(st.st_mode)) {
			rc = vrp_error_set(VRP_EIO, "%s exists and is not a directory", copy);
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	return rc;
}

static int fsync_path(const char *path, int flags, const char *what)
{
	int fd = open(path, flags | O_CLOEXEC);
	if (fd < 0)
		return vrp_error_from_errno(errno, "cannot open %s %s to sync it", what, path);
	int rc = 0;
	if (vrp_durable_fsync(fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot sync %s %s", what, path);
	close(fd);
	return rc;
}

int vrp_fs_fsync_dir(const char *dir)
{
	return fsync_path(dir, O_RDONLY | O_DIRECTORY, "directory");
}

int vrp_fs_fsync_file(const char *path) { return fsync_path(path, O_RDONLY, "file"); }

int vrp_fs_rename_durable(const char *from, const char *to)
{
	if (vrp_durable_rename(from, to) != 0)
		return vrp_error_from_errno(errno, "cannot rename %s to %s", from, to);
	char *dir = strdup(to);
	if (!dir)
		return vrp_error_oom();
	char *slash = strrchr(dir, '/');
	int rc;
	if (!slash)
		rc = vrp_fs_fsync_dir(".");
	else if (slash == dir)
		rc = vrp_fs_fsync_dir("/");
	else {
		*slash = '\0';
		rc = vrp_fs_fsync_dir(dir);
	}
	free(dir);
	return rc;
}

static int not_regular(const char *path, mode_t mode)
{
	const char *what = S_ISDIR(mode)                    ? "a directory"
			   : S_ISFIFO(mode)                 ? "a FIFO"
			   : S_ISSOCK(mode)                 ? "a socket"
			   : S_ISCHR(mode) || S_ISBLK(mode) ? "a device"
							    : "not a regular file";
	return vrp_error_set(VRP_ENOTFILE, "%s is %s", path, what);
}

static int symlink_refused(const char *shown)
{
	return vrp_error_set(VRP_EPERM,
			     "%s is a symbolic link; links are not followed here (make it a real "
			     "folder or file)",
			     shown);
}

/*
 * Opens what a stat found to be a regular file, checking again on the
 * descriptor: it may have been swapped since. O_NONBLOCK: if it became a
 * FIFO meanwhile, do not hang.
 */
static int open_checked(int dirfd, const char *name, const char *shown, int flags, int *fd,
			struct stat *st)
{
	int f = openat(dirfd, name, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC | flags);
	if (f < 0 && errno == ELOOP && (flags & O_NOFOLLOW))
		return symlink_refused(shown);
	if (f < 0)
		return vrp_error_from_errno(errno, "cannot open %s", shown);
	struct stat again;
	int rc = 0;
	if (fstat(f, &again) != 0)
		rc = vrp_error_from_errno(errno, "cannot read the status of %s", shown);
	else if (!S_ISREG(again.st_mode))
		rc = not_regular(shown, again.st_mode);
	if (rc < 0) {
		close(f);
		return rc;
	}
	fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK);
	*st = again;
	*fd = f;
	return 0;
}

int vrp_fs_open_regular(const char *path, int *fd, struct stat *st)
{
	*fd = -1;
	/* stat first: opening a device can have effects (a tape rewinds). */
	if (stat(path, st) != 0) {
		if (errno == ELOOP)
			return vrp_error_set(VRP_ENOTFILE, "%s is a symlink loop", path);
		return vrp_error_from_errno(errno, "cannot open %s", path);
	}
	if (!S_ISREG(st->st_mode))
		return not_regular(path, st->st_mode);
	return open_checked(AT_FDCWD, path, path, 0, fd, st);
}

int vrp_fs_openat_regular(int dirfd, const char *name, const char *shown, int *fd, struct stat *st)
{
	*fd = -1;
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) != 0)
		return vrp_error_from_errno(errno, "cannot open %s", shown);
	if (S_ISLNK(st->st_mode))
		return symlink_refused(shown);
	if (!S_ISREG(st->st_mode))
		return not_regular(shown, st->st_mode);
	return open_checked(dirfd, name, shown, O_NOFOLLOW, fd, st);
}

static int dir_open_failure(int dirfd, const char *name, const char *shown, int err)
{
	struct stat st;
	if ((err == ELOOP || err == ENOTDIR) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISLNK(st.st_mode)
			       ? symlink_refused(shown)
			       : vrp_error_set(VRP_ENOTFILE, "%s is not a folder", shown);
	return vrp_error_from_errno(err, "cannot open the folder %s", shown);
}

int vrp_fs_openat_dir(int dirfd, const char *name, const char *shown, bool create, int *out)
{
	const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	int fd = openat(dirfd, name, flags);
	/* EEXIST: made meanwhile by someone else, which is as good. */
	if (fd < 0 && errno == ENOENT && create) {
		if (mkdirat(dirfd, name, 0755) != 0 && errno != EEXIST)
			return vrp_error_from_errno(errno, "cannot create the folder %s", shown);
		fd = openat(dirfd, name, flags);
	}
	if (fd < 0)
		return dir_open_failure(dirfd, name, shown, errno);
	*out = fd;
	return 0;
}

/* Opens the next component of `rel` (starting at `*at`) from `*fd`, replacing it. */
static int open_component(const char *root, const char *rel, const char **at, bool create, int *fd)
{
	const char *p = *at;
	size_t len = strcspn(p, "/");
	*at = p + len + (p[len] == '/');
	if (len == 0 || (len == 1 && p[0] == '.'))
		return 0;
	if (len == 2 && p[0] == '.' && p[1] == '.')
		return vrp_error_set(VRP_EINVAL, "%s: '..' cannot be used under %s", rel, root);
	char *name = strndup(p, len);
	char *shown = NULL;
	if (!name || asprintf(&shown, "%s/%.*s", root, (int)(p + len - rel), rel) < 0) {
		free(name);
		return vrp_error_oom();
	}
	int next = -1;
	int rc = vrp_fs_openat_dir(*fd, name, shown, create, &next);
	if (rc == 0) {
		close(*fd);
		*fd = next;
	}
	free(name);
	free(shown);
	return rc;
}

int vrp_fs_open_dir_beneath(const char *root, const char *rel, bool create, int *dirfd)
{
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vrp_error_from_errno(errno, "cannot open the folder %s", root);
	int rc = 0;
	for (const char *at = rel ? rel : ""; rc == 0 && *at;)
		rc = open_component(root, rel, &at, create, &fd);
	if (rc < 0) {
		close(fd);
		return rc;
	}
	*dirfd = fd;
	return 0;
}

int vrp_fs_open_parent_beneath(const char *root, const char *rel, bool create, int *dirfd,
			       const char **name)
{
	const char *slash = strrchr(rel, '/');
	const char *base = slash ? slash + 1 : rel;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return vrp_error_set(VRP_EINVAL, "'%s' does not name a file under %s", rel, root);
	char *dir = strndup(rel, (size_t)(base - rel));
	if (!dir)
		return vrp_error_oom();
	int rc = vrp_fs_open_dir_beneath(root, dir, create, dirfd);
	free(dir);
	if (rc == 0)
		*name = base;
	return rc;
}

int vrp_fs_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = vrp_durable_write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

ssize_t vrp_fs_read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

ssize_t vrp_fs_pread_full(int fd, void *buf, size_t len, int64_t offset)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (char *)buf + got, len - got, (off_t)offset + (off_t)got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -1 : (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int vrp_fs_replace_file(const char *path, vrp_fs_writer_fn writer, void *ctx)
{
	size_t size = strlen(path) + sizeof(".tmp-XXXXXX");
	char *tmp = malloc(size);
	if (!tmp)
		return vrp_error_oom();
	snprintf(tmp, size, "%s.tmp-XXXXXX", path);
	/* mkstemp: a new name, never one someone else placed there. */
	int fd = mkstemp(tmp);
	int rc = fd < 0 ? vrp_error_from_errno(errno, "cannot create a file beside %s", path) : 0;
	if (rc == 0)
		rc = writer(ctx, fd);
	if (rc == 0 && (fchmod(fd, 0644) != 0 || vrp_durable_fsync(fd) != 0))
		rc = vrp_error_from_errno(errno, "cannot write %s", tmp);
	if (fd >= 0 && close(fd) != 0 && rc == 0)
		rc = vrp_error_from_errno(errno, "cannot write %s", tmp);
	if (rc == 0)
		rc = vrp_fs_rename_durable(tmp, path);
	if (rc != 0 && fd >= 0)
		vrp_durable_unlink(tmp);
	free(tmp);
	return rc;
}
