/*
 * durable.h - the durable filesystem steps (write, fsync, rename, unlink) of
 * the file layer, each one a crash point in a test build (internal).
 *
 * A build with crash points (meson -Dcrashpoints=enabled; on by default in
 * sanitizer builds) counts every step, and every SQLite commit, and reads:
 *   VRP_CRASH_AT=N       die just before the Nth step, as a power cut would
 *   VRP_CRASH_MODE=exit  _exit(VRP_CRASH_STATUS) (the default) or kill (SIGKILL)
 *   VRP_CRASH_COUNT=FILE at exit, write the number of steps passed to FILE
 *   VRP_FAULT=KIND@N     the Nth write fails with EIO (eio) or ENOSPC (enospc),
 *                        or writes only half (short: a caller must write the rest)
 * so a test can enumerate 1..N and check what each death leaves behind. Other
 * builds compile the wrappers to the bare system calls.
 */
#ifndef VRP_CORE_DURABLE_H
#define VRP_CORE_DURABLE_H

#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

/* What a process killed at a crash point exits with in exit mode. */
#define VRP_CRASH_STATUS 99

#ifdef VRP_CRASHPOINTS
/* Counts one durable step and dies there when it is the one asked for. */
void vrp_crashpoint(const char *what);
ssize_t vrp_durable_write(int fd, const void *buf, size_t len);
#else
static inline void vrp_crashpoint(const char *what) { (void)what; }
static inline ssize_t vrp_durable_write(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len);
}
#endif

static inline int vrp_durable_fsync(int fd)
{
	vrp_crashpoint("fsync");
	return fsync(fd);
}

static inline int vrp_durable_rename(const char *from, const char *to)
{
	vrp_crashpoint("rename");
	return rename(from, to);
}

static inline int vrp_durable_renameat(int from_dir, const char *from, int to_dir, const char *to)
{
	vrp_crashpoint("rename");
	return renameat(from_dir, from, to_dir, to);
}

static inline int vrp_durable_renameat2(int from_dir, const char *from, int to_dir, const char *to,
					unsigned flags)
{
	vrp_crashpoint("rename");
	return renameat2(from_dir, from, to_dir, to, flags);
}

static inline int vrp_durable_unlink(const char *path)
{
	vrp_crashpoint("unlink");
	return unlink(path);
}

static inline int vrp_durable_unlinkat(int dir, const char *name, int flags)
{
	vrp_crashpoint("unlink");
	return unlinkat(dir, name, flags);
}

#endif
