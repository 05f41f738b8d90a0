/* fsutil.h - durable filesystem steps and path helpers (internal). */
#ifndef VRP_CORE_FSUTIL_H
#define VRP_CORE_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/types.h>

/* Returns "a/b" (a single slash between them), malloc'd; NULL when out of memory. */
char *vrp_path_join(const char *a, const char *b);

/* Creates `path` and missing parents with `mode`; existing directories are fine. */
int vrp_fs_mkdir_p(const char *path, mode_t mode);

/* fsyncs a directory so entries created or renamed in it survive a crash. */
int vrp_fs_fsync_dir(const char *dir);

/* fsyncs the file at `path`. */
int vrp_fs_fsync_file(const char *path);

/*
 * Renames `from` to `to` (same filesystem) and fsyncs the directory holding
 * `to`, so after return the new name is durable.
 */
int vrp_fs_rename_durable(const char *from, const char *to);

/*
 * Opens `path` for reading only if it is a regular file (following
 * symlinks), without blocking on FIFOs and without opening devices at all.
 * Gives VRP_ENOTFOUND, VRP_EPERM, or VRP_ENOTFILE for a directory, FIFO,
 * socket, device or symlink loop. `st` receives the file's status.
 */
int vrp_fs_open_regular(const char *path, int *fd, struct stat *st);

/* Writes all `len` bytes, retrying after signals; 0, or -1 with errno set. */
int vrp_fs_write_all(int fd, const void *buf, size_t len);

/*
 * Reads up to `len` bytes from the current offset, short only at the end of
 * the file, retrying after signals; the count, or -1 with errno set.
 */
ssize_t vrp_fs_read_full(int fd, void *buf, size_t len);

/*
 * Reads up to `len` bytes at `offset`, short only at the end of the file,
 * retrying after signals; the count, or -1 with errno set.
 */
ssize_t vrp_fs_pread_full(int fd, void *buf, size_t len, int64_t offset);

#endif
