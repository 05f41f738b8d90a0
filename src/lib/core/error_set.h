/*
 * error_set.h - how library code records a failure (internal).
 *
 * Set the error where the failure is detected, with what a user needs to act
 * on it, and return the code; callers pass the code up unchanged.
 */
#ifndef VRP_CORE_ERROR_SET_H
#define VRP_CORE_ERROR_SET_H

#include "vrp/error.h"

#define VRP_PRINTF(a, b) __attribute__((format(printf, a, b)))

/* Records `code` with a formatted message and an empty context; returns `code`. */
int vrp_error_set(int code, const char *fmt, ...) VRP_PRINTF(2, 3);

/* Sets the context (path, remote, statement) of the current error; returns its code. */
int vrp_error_set_context(const char *fmt, ...) VRP_PRINTF(1, 2);

/*
 * Maps an errno value to a code (ENOSPC and EDQUOT to VRP_ENOSPC, EACCES and
 * EPERM to VRP_EPERM, EROFS to VRP_EREADONLY, ENOENT to VRP_ENOTFOUND, ENOMEM
 * to VRP_ENOMEM, anything else to VRP_EIO) and records the message followed
 * by ": " and strerror(err). Returns the code.
 */
int vrp_error_from_errno(int err, const char *fmt, ...) VRP_PRINTF(2, 3);

/* The code errno value `err` maps to, without recording anything. */
int vrp_error_code_from_errno(int err);

/* Prepends "<prefix>: " to the current message, keeping code and context; returns the code. */
int vrp_error_prefix(const char *fmt, ...) VRP_PRINTF(1, 2);

/* Records VRP_ENOMEM (an out-of-line record, so the analyser sees the constant). */
void vrp_error_record_oom(void);

/* Records VRP_ENOMEM; returns it. Inline so static analysis knows it is never 0. */
static inline int vrp_error_oom(void)
{
	vrp_error_record_oom();
	return VRP_ENOMEM;
}

#endif
