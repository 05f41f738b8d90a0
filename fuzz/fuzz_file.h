/*
 * fuzz_file.h - the fuzzer's bytes as a file, for parsers that read files.
 * A memfd: a regular file with a path (/proc/self/fd/N), never on disk.
 */
#ifndef VRP_FUZZ_FILE_H
#define VRP_FUZZ_FILE_H

#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static inline int fuzz_file(const uint8_t *data, size_t size, char path[64])
{
	int fd = memfd_create("fuzz", MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (size && write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
