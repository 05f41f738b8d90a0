/*
 * test_hook.h - named points where the crash tests stop a process (internal).
 *
 * With VRP_TEST_HOOK=<point> in the environment, reaching <point> prints
 * "vrp: test hook <point>" to stderr and sleeps a minute, so a test can
 * kill -9 the process exactly there; <point>:<ms> sleeps that long instead
 * and goes on (to make a loop slow). Unset, a hook costs one getenv.
 */
#ifndef VRP_CORE_TEST_HOOK_H
#define VRP_CORE_TEST_HOOK_H

void vrp_test_hook(const char *point);

#endif
