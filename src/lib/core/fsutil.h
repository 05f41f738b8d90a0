/* fsutil.h - durable filesystem steps and path helpers (internal). */
#ifndef VRP_CORE_FSUTIL_H
#define VRP_CORE_FSUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdbool.h>
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

/* Writes a whole file's content to `fd`; 0 or a VRP_E* code with the error set. */
typedef int (*vrp_fs_writer_fn)(void *ctx, int fd);

/*
 * Replaces the file at `path` with what `writer` writes: into a new file
 * beside it (mode 0644), fsynced, then renamed over `path` durably, so
 * `path` is either as it was or whole. On failure the new file is removed
 * and `path` is untouched. Returns 0, the writer's code, or an I/O code.
 */
int vrp_fs_replace_file(const char *path, vrp_fs_writer_fn writer, void *ctx);

/*
 * Opens `path` for reading only if it is a regular file (following
 * symlinks), without blocking on FIFOs and without opening devices at all.
 * Gives VRP_ENOTFOUND, VRP_EPERM, or VRP_ENOTFILE for a directory, FIFO,
 * socket, device or symlink loop. `st` receives the file's status.
 */
int vrp_fs_open_regular(const char *path, int *fd, struct stat *st);

/*
 * Opens `name` in the directory `dirfd` (AT_FDCWD: the current one) for
 * reading, as vrp_fs_open_regular() does, except that a symlink is never
 * followed: it is VRP_EPERM ("... is a symbolic link"). `shown` names the
 * file in messages.
 */
int vrp_fs_openat_regular(int dirfd, const char *name, const char *shown, int *fd, struct stat *st);

/*
 * Opens the directory holding `rel` (a relative path, "a/b/c.wav") under the
 * directory `root` without following a symlink in any component of `rel`:
 * each is opened from the one before with O_NOFOLLOW | O_DIRECTORY, so a
 * link swapped in at any moment is refused, never followed out of the root.
 * `root` itself is followed: it is the user's choice. With `create`, missing
 * directories are made with mode 0755. `*dirfd` gets the directory (close
 * it) and `*name` the last component (a pointer into `rel`).
 *
 * Gives VRP_EPERM for a component that is a symlink ("... is a symbolic
 * link; vrp does not follow links under <root>"), VRP_ENOTFOUND for a
 * missing one, VRP_ENOTFILE for one that is not a directory, VRP_EINVAL for
 * an empty path or a ".." component.
 */
int vrp_fs_open_parent_beneath(const char *root, const char *rel, bool create, int *dirfd,
			       const char **name);

/* The same for the directory `rel` itself (NULL or "" is `root`). */
int vrp_fs_open_dir_beneath(const char *root, const char *rel, bool create, int *dirfd);

/*
 * Opens the directory `name` in `dirfd` without following a symlink, with
 * the errors of vrp_fs_open_dir_beneath(); `shown` names it in messages.
 */
int vrp_fs_openat_dir(int dirfd, const char *name, const char *shown, bool create, int *out);

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
