/* retry.c - exponential backoff with full jitter, and what each failure means. */
#include "core/retry.h"

#include "core/clock.h"
#include "vrp/error.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/random.h>
#include <time.h>

vrp_retry_class vrp_retry_classify(int code)
{
	switch (code) {
	case VRP_ETRANSIENT:
	case VRP_ERATE_LIMIT:
	case VRP_EUNAVAILABLE:
	case VRP_EBUSY:
		return VRP_RETRY_CLASS_RETRY;
	/* The bytes were damaged on the way: sending them again may fix it, a few times. */
	case VRP_ECHECKSUM:
		return VRP_RETRY_CLASS_INTEGRITY;
	case VRP_EAUTH_EXPIRED:
		return VRP_RETRY_CLASS_PAUSE_REMOTE;
	case VRP_EQUOTA:
		return VRP_RETRY_CLASS_STOP_UPLOADS;
	case VRP_ECANCELLED:
		return VRP_RETRY_CLASS_CANCELLED;
	default:
		return VRP_RETRY_CLASS_FAIL;
	}
}

const char *vrp_retry_class_name(vrp_retry_class cls)
{
	static const char *const names[] = { "retry", "pause_remote", "stop_uploads",
					     "fail",  "cancelled",    "integrity" };
	return (unsigned)cls < sizeof(names) / sizeof(names[0]) ? names[cls] : "fail";
}

static int64_t real_clock(void *ctx)
{
	(void)ctx;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t real_random(void *ctx)
{
	(void)ctx;
	uint64_t value = 0;
	/* Jitter needs spread, not secrecy: fall back to the clock if the pool says no. */
	if (getrandom(&value, sizeof(value), GRND_NONBLOCK) != (ssize_t)sizeof(value))
		value = (uint64_t)vrp_time_now_ms() * 0x9e3779b97f4a7c15u;
	return value;
}

static int real_sleep(void *ctx, int64_t ms)
{
	(void)ctx;
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	return 0;
}

/* min(cap, base * 2^(retry-1)), without overflowing on a large retry number. */
static int64_t ceiling_ms(const vrp_retry_policy *policy, int retry)
{
	int64_t ceiling = policy->base_ms > 0 ? policy->base_ms : 0;
	for (int i = 1; i < retry && ceiling < policy->cap_ms; i++)
		ceiling = ceiling > policy->cap_ms / 2 ? policy->cap_ms : ceiling * 2;
	return ceiling < policy->cap_ms ? ceiling : policy->cap_ms;
}

int64_t vrp_retry_delay_ms(const vrp_retry_policy *policy, const vrp_retry_env *env, int retry,
			   int64_t retry_after_ms)
{
	int64_t ceiling = ceiling_ms(policy, retry);
	vrp_retry_random_fn random = env && env->random ? env->random : real_random;
	int64_t delay = ceiling > 0
				? (int64_t)(random(env ? env->ctx : NULL) % (uint64_t)(ceiling + 1))
				: 0;
	return retry_after_ms > delay ? retry_after_ms : delay;
}

void vrp_retry_decide(const vrp_retry_policy *policy, const vrp_retry_env *env, int code,
		      int attempts, int64_t retry_after_ms, vrp_retry_decision *out)
{
	vrp_retry_clock_fn clock = env && env->clock ? env->clock : real_clock;
	*out = (vrp_retry_decision){ .cls = vrp_retry_classify(code) };
	int64_t now = clock(env ? env->ctx : NULL);
	out->not_before_ms = now;
	int limit = policy->max_attempts;
	if (out->cls == VRP_RETRY_CLASS_INTEGRITY && limit > VRP_RETRY_INTEGRITY_ATTEMPTS)
		limit = VRP_RETRY_INTEGRITY_ATTEMPTS;
	bool retries = out->cls == VRP_RETRY_CLASS_RETRY || out->cls == VRP_RETRY_CLASS_INTEGRITY;
	if (!retries || attempts >= limit)
		return;
	out->retry = 1;
	out->delay_ms = vrp_retry_delay_ms(policy, env, attempts, retry_after_ms);
	out->not_before_ms = now + out->delay_ms;
}

int vrp_retry_run(const vrp_retry_policy *policy, const vrp_retry_env *env, int (*op)(void *op_ctx),
		  void *op_ctx, int64_t (*retry_after)(void), int *attempts)
{
	vrp_retry_sleep_fn sleep = env && env->sleep ? env->sleep : real_sleep;
	int rc = 0;
	int n = 0;
	for (;;) {
		rc = op(op_ctx);
		n++;
		if (rc == 0)
			break;
		vrp_retry_decision d;
		vrp_retry_decide(policy, env, rc, n, retry_after ? retry_after() : -1, &d);
		if (!d.retry || sleep(env ? env->ctx : NULL, d.delay_ms) != 0)
			break;
	}
	if (attempts)
		*attempts = n;
	return rc;
}
