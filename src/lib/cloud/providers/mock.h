/*
 * mock.h - the in-memory provider for tests, and the hooks tests use to
 * script its faults and count its calls (internal).
 *
 * Settings (all optional):
 *   store=NAME       share a process-wide store: instances with the same
 *                    name see the same objects, sessions, faults and counts,
 *                    as clients of one server do (a "restart" is a new
 *                    instance); without it each instance has its own store
 *   faults=SCRIPT    "op:kind[:arg],...": each entry fires once, on the next
 *                    call of `op` ("*" for any), in order
 *   quota_bytes=N    uploads that would store more fail with VRP_EQUOTA
 *   resumable=false  interrupted uploads start again from nothing
 *   chunk_size=N     bytes per transfer step (progress, drops, slowness)
 *   max_file_size=N  reported in the capabilities and enforced
 *   secret=KEY       authenticate() must find secret KEY for the remote
 * Fault kinds: rate_limit[:seconds] (VRP_ERATE_LIMIT with Retry-After),
 * transient[:http status] (VRP_ETRANSIENT), drop:bytes (the connection
 * drops after that many bytes; an upload keeps a resumable session),
 * auth_expired (VRP_EAUTH_EXPIRED until authenticate()), quota (VRP_EQUOTA),
 * corrupt (a byte is flipped in transit), slow:ms (a pause per chunk),
 * permanent (VRP_EPERMANENT), not_found (VRP_EREMOTE_NOT_FOUND).
 */
#ifndef VRP_CLOUD_MOCK_H
#define VRP_CLOUD_MOCK_H

#include "vrp/provider.h"

/* Queues one fault for the next call of `op` ("upload", "download", ..., "*"). */
int vrp_mock_fault_add(vrp_provider *provider, const char *op, const char *kind, int64_t arg);

/* How many times `op` was called; -1 for an unknown op or a provider that is not a mock. */
int64_t vrp_mock_calls(vrp_provider *provider, const char *op);

/* How many uploads continued an earlier session instead of starting over. */
int64_t vrp_mock_resumed_uploads(vrp_provider *provider);

/* Objects stored, and upload sessions left open by interrupted uploads. */
size_t vrp_mock_object_count(vrp_provider *provider);
size_t vrp_mock_session_count(vrp_provider *provider);

/* Forgets every named store (the next instance of a name starts empty). */
void vrp_mock_stores_reset(void);

#endif
