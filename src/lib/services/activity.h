/*
 * activity.h - what a long run of this process is doing, told to other
 * processes (internal).
 *
 * A `vrp sync`, `vrp worker` or `vrp import` in a terminal changes the
 * catalogue, and the change log tells a server about that; but how far the
 * run has got (the bytes of a transfer, the files so far) is nowhere on
 * disk. Each such run keeps its latest state in <library>/run/PID-KIND.json,
 * replaced atomically at most four times a second, and its last state
 * marked finished when it ends, and `vrp serve` shows the runs of other
 * processes from these files (serve/watch_activity.c). A file stays until a
 * reader or the next run finds its writer dead, so a reader that looks
 * only twice a second still learns how a short run ended. Reporting is best
 * effort: failing to write never fails the run, and nothing is fsynced.
 */
#ifndef VRP_SERVICES_ACTIVITY_H
#define VRP_SERVICES_ACTIVITY_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

struct vrp_activity;

/* Starts reporting a run of `kind` ("sync", "import"); NULL when it cannot. */
struct vrp_activity *vrp_activity_begin(const char *root, const char *kind);

/*
 * Replaces the run's state with `state` (a JSON object; stolen, NULL is
 * ignored). A state that only says how far the run has got (`progress`) is
 * written only when the last write was 250 ms ago or more (the latest is
 * kept for the end); others are always written. Not thread-safe: callers
 * serialise their updates.
 */
void vrp_activity_update(struct vrp_activity *a, json_t *state, bool progress);

/* Writes the latest state as the finished one and frees `a`; accepts NULL. */
void vrp_activity_end(struct vrp_activity *a);

/* One run of another process, as vrp_activity_scan finds it. */
struct vrp_activity_entry {
	const char *name; /* the file's name: PID-KIND.json */
	int64_t pid;
	const char *kind;
	int64_t seq;         /* grows with every write of the run */
	bool finished;       /* the run is over: this is its last state */
	const json_t *state; /* borrowed, valid during the callback */
};

typedef void (*vrp_activity_fn)(void *ctx, const struct vrp_activity_entry *entry);

/*
 * Calls `fn` (NULL: none) for each run of a process other than this one in
 * the library at `root`, and removes the files of processes that are gone
 * (a pid reused since is told apart by its start time) once `fn` has seen
 * them: a finished run is reported once more, a crashed one not at all.
 */
int vrp_activity_scan(const char *root, vrp_activity_fn fn, void *ctx);

#endif
