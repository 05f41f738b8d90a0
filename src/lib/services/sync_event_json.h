/*
 * sync_event_json.h - a sync progress report as JSON (internal): the one
 * shape `vrp serve`'s "sync" events and the run-state files of activity.h
 * share, so a page reads a run of its own server and one of a terminal the
 * same way.
 */
#ifndef VRP_SERVICES_SYNC_EVENT_JSON_H
#define VRP_SERVICES_SYNC_EVENT_JSON_H

#include "vrp/sync.h"

#include <jansson.h>

/* A new object (the caller owns it), or NULL when out of memory. */
json_t *vrp_sync_event_json(const vrp_sync_event *ev);

#endif
