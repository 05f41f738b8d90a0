/*
 * process.h - telling a live process from a dead one (internal), so a lock
 * or lease whose holder was killed can be taken over at once. A pid alone
 * is not enough, pids are reused: a process is named by its pid and its
 * start time, which a new process under the same pid does not share.
 */
#ifndef VRP_CORE_PROCESS_H
#define VRP_CORE_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * The start time of process `pid` in clock ticks after boot (field 22 of
 * /proc/PID/stat) into `*out`. VRP_ENOTFOUND when there is no such process;
 * another code (VRP_ENOTSUP without /proc) when it cannot be told.
 */
int vrp_process_start_time(pid_t pid, int64_t *out);

/* This machine's host name into `out` ("localhost" when it has none). */
void vrp_process_host(char *out, size_t len);

#endif
