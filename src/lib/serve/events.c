/*
 * events.c - Server-Sent Events: import, derive and sync progress and
 * recording changes, fanned out to every open page.
 *
 * Events go into a ring of the last RING_SIZE, each with a sequence number
 * that is its SSE id, so a page that reconnects (Last-Event-ID) gets what it
 * missed while the ring still holds it. A stream's reader runs on its
 * connection's own thread and sleeps on a condition variable; when nothing
 * happens for HEARTBEAT_S it sends a comment so proxies and the browser
 * keep the connection.
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RING_SIZE   256
#define HEARTBEAT_S 15

struct serve_events {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	char *ring[RING_SIZE]; /* the wire text of event `seq` at ring[seq % RING_SIZE] */
	uint64_t next_seq;     /* the sequence number the next event gets; starts at 1 */
	bool closed;
};

struct stream {
	struct serve_events *hub;
	uint64_t last_seq;
	char *pending; /* wire text not yet handed to MHD */
	size_t pending_len, pending_off;
	bool greeted;
};

int serve_events_new(struct serve_events **out)
{
	struct serve_events *e = calloc(1, sizeof(*e));
	if (!e)
		return vrp_error_oom();
	pthread_mutex_init(&e->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&e->changed, &attr);
	pthread_condattr_destroy(&attr);
	e->next_seq = 1;
	*out = e;
	return 0;
}

void serve_events_publish(struct serve_events *events, const char *type, json_t *data)
{
	char *json = data ? json_dumps(data, JSON_COMPACT) : NULL;
	json_decref(data);
	if (!json)
		return;
	pthread_mutex_lock(&events->lock);
	uint64_t seq = events->next_seq++;
	/* JSON from json_dumps is one line, so one data: field carries it. */
	size_t len = strlen(json) + strlen(type) + 64;
	char *wire = malloc(len);
	if (wire) {
		snprintf(wire, len, "id: %llu\nevent: %s\ndata: %s\n\n", (unsigned long long)seq,
			 type, json);
		free(events->ring[seq % RING_SIZE]);
		events->ring[seq % RING_SIZE] = wire;
	}
	pthread_cond_broadcast(&events->changed);
	pthread_mutex_unlock(&events->lock);
	free(json);
}

void serve_events_close(struct serve_events *events)
{
	if (!events)
		return;
	pthread_mutex_lock(&events->lock);
	events->closed = true;
	pthread_cond_broadcast(&events->changed);
	pthread_mutex_unlock(&events->lock);
}

void serve_events_free(struct serve_events *events)
{
	if (!events)
		return;
	for (size_t i = 0; i < RING_SIZE; i++)
		free(events->ring[i]);
	pthread_cond_destroy(&events->changed);
	pthread_mutex_destroy(&events->lock);
	free(events);
}

/* The next event after s->last_seq into s->pending, waiting up to the heartbeat; locked. */
static void next_locked(struct stream *s)
{
	struct serve_events *e = s->hub;
	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += HEARTBEAT_S;
	while (!e->closed && s->last_seq + 1 >= e->next_seq)
		if (pthread_cond_timedwait(&e->changed, &e->lock, &deadline) == ETIMEDOUT)
			break;
	if (e->closed)
		return;
	if (s->last_seq + 1 >= e->next_seq) {
		s->pending = strdup(": keep-alive\n\n");
	} else {
		/* Fallen behind the ring: continue with the oldest event it still holds. */
		uint64_t oldest = e->next_seq > RING_SIZE ? e->next_seq - RING_SIZE : 1;
		uint64_t seq = s->last_seq + 1 < oldest ? oldest : s->last_seq + 1;
		const char *wire = e->ring[seq % RING_SIZE];
		s->pending = strdup(wire ? wire : ": lost\n\n");
		s->last_seq = seq;
	}
	s->pending_len = s->pending ? strlen(s->pending) : 0;
	s->pending_off = 0;
}

static ssize_t read_events(void *cls, uint64_t pos, char *buf, size_t max)
{
	(void)pos;
	struct stream *s = cls;
	if (!s->pending) {
		if (!s->greeted) {
			/* Tells the browser how soon to reconnect, and flushes the headers now. */
			s->pending = strdup("retry: 2000\n: connected\n\n");
			s->pending_len = s->pending ? strlen(s->pending) : 0;
			s->pending_off = 0;
			s->greeted = true;
		} else {
			pthread_mutex_lock(&s->hub->lock);
			next_locked(s);
			bool closed = s->hub->closed;
			pthread_mutex_unlock(&s->hub->lock);
			if (closed)
				return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (!s->pending)
			return MHD_CONTENT_READER_END_WITH_ERROR;
	}
	size_t n = s->pending_len - s->pending_off;
	if (n > max)
		n = max;
	memcpy(buf, s->pending + s->pending_off, n);
	s->pending_off += n;
	if (s->pending_off == s->pending_len) {
		free(s->pending);
		s->pending = NULL;
	}
	return (ssize_t)n;
}

static void free_stream(void *cls)
{
	struct stream *s = cls;
	free(s->pending);
	free(s);
}

struct MHD_Response *serve_events_response(struct serve_events *events, uint64_t last_id)
{
	struct stream *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->hub = events;
	pthread_mutex_lock(&events->lock);
	/* Without Last-Event-ID a stream starts with what happens next. */
	s->last_seq = last_id && last_id < events->next_seq ? last_id : events->next_seq - 1;
	pthread_mutex_unlock(&events->lock);
	struct MHD_Response *r = vrp_mhd->create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
								   read_events, s, free_stream);
	if (!r) {
		free(s);
		return NULL;
	}
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	return r;
}
