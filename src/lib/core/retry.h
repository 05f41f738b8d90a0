/*
 * retry.h - when to try a failed remote operation again (internal).
 *
 * Exponential backoff with full jitter (the delay before retry n is uniform
 * in [0, min(cap, base * 2^(n-1))]), so many clients that failed together
 * do not come back together. A Retry-After hint from the remote is a floor:
 * we never come back sooner than it asked, even past the cap. The clock, the
 * random source and the sleep are injectable so tests never wait.
 */
#ifndef VRP_CORE_RETRY_H
#define VRP_CORE_RETRY_H

#include <stdint.h>

typedef struct vrp_retry_policy {
	int64_t base_ms;  /* the ceiling of the first delay */
	int64_t cap_ms;   /* the ceiling never grows past this */
	int max_attempts; /* attempts in all, the first included; at least 1 */
} vrp_retry_policy;

/* 1 s, doubling up to 5 minutes, 8 attempts. */
#define VRP_RETRY_POLICY_DEFAULT                                                                   \
	{                                                                                          \
		1000, 300000, 8                                                                    \
	}

/* What to do about a failure, decided by its code alone. */
typedef enum vrp_retry_class {
	VRP_RETRY_CLASS_RETRY = 0,    /* transient: back off and try again */
	VRP_RETRY_CLASS_PAUSE_REMOTE, /* auth expired: hold the remote's tasks until re-auth */
	VRP_RETRY_CLASS_STOP_UPLOADS, /* quota: no more uploads to this remote */
	VRP_RETRY_CLASS_FAIL,         /* permanent: fail now, retrying cannot help */
	VRP_RETRY_CLASS_CANCELLED,    /* the caller stopped it: not a failure of the task */
	VRP_RETRY_CLASS_INTEGRITY,    /* the bytes arrived damaged: a few tries, then fail */
} vrp_retry_class;

/*
 * Attempts in all for a checksum mismatch in transit. Damage that repeats
 * this often is no accident of the network (a faulty disk or memory, a
 * proxy rewriting bodies, a remote that stores something else): trying on
 * for minutes hides it, so the task fails where a person sees it.
 */
#define VRP_RETRY_INTEGRITY_ATTEMPTS 3

/*
 * Classifies a VRP_E* code: transient errors, rate limits, an unreachable
 * remote and a busy lock retry; a checksum mismatch (a corrupted transfer)
 * is its own class, retried at most VRP_RETRY_INTEGRITY_ATTEMPTS times in
 * all; an expired token pauses; a full remote stops uploads; cancellation is its
 * own class; everything else (not found, permission, invalid, auth refused,
 * permanent, local I/O) fails at once.
 */
vrp_retry_class vrp_retry_classify(int code);

/* "retry", "pause_remote", "stop_uploads", "fail", "cancelled", "integrity". */
const char *vrp_retry_class_name(vrp_retry_class cls);

/* Milliseconds since some fixed point. */
typedef int64_t (*vrp_retry_clock_fn)(void *ctx);
/* A uniformly distributed 64-bit value. */
typedef uint64_t (*vrp_retry_random_fn)(void *ctx);
/* Waits `ms` milliseconds (or returns early when asked to stop: non-zero). */
typedef int (*vrp_retry_sleep_fn)(void *ctx, int64_t ms);

/* The outside world a retry loop sees; NULL members use the real one. */
typedef struct vrp_retry_env {
	vrp_retry_clock_fn clock;
	vrp_retry_random_fn random;
	vrp_retry_sleep_fn sleep;
	void *ctx;
} vrp_retry_env;

/*
 * The delay before retry number `retry` (1 for the first retry), with full
 * jitter, never below `retry_after_ms` (ignored when negative).
 */
int64_t vrp_retry_delay_ms(const vrp_retry_policy *policy, const vrp_retry_env *env, int retry,
			   int64_t retry_after_ms);

typedef struct vrp_retry_decision {
	vrp_retry_class cls;
	int retry;             /* true when the operation should run again */
	int64_t delay_ms;      /* how long to wait first; 0 when not retrying */
	int64_t not_before_ms; /* the clock's now + delay_ms */
} vrp_retry_decision;

/*
 * Decides what follows failure `code` after `attempts` attempts (this one
 * included): retry after a delay while the class is RETRY and attempts
 * remain (INTEGRITY: while fewer than VRP_RETRY_INTEGRITY_ATTEMPTS ran),
 * else stop with the class saying why.
 */
void vrp_retry_decide(const vrp_retry_policy *policy, const vrp_retry_env *env, int code,
		      int attempts, int64_t retry_after_ms, vrp_retry_decision *out);

/*
 * Runs `op` until it succeeds or the policy says stop, sleeping between
 * attempts through the env; returns op's last result. `retry_after` (may be
 * NULL) reads the hint of the last failure (vrp_provider_retry_after_ms).
 * `*attempts` (may be NULL) receives how many times op ran.
 */
int vrp_retry_run(const vrp_retry_policy *policy, const vrp_retry_env *env, int (*op)(void *op_ctx),
		  void *op_ctx, int64_t (*retry_after)(void), int *attempts);

#endif
