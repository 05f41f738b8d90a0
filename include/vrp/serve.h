/*
 * serve.h - the local HTTP API and web page (`vrp serve`).
 *
 * An HTTP/1.1 server (libmicrohttpd) over one library: the recordings, their
 * audio and derived assets, import, sync and the event stream, as JSON with
 * the same field names as the CLI's --json, and an embedded web page that
 * uses them. Every request needs the per-start random token (a Bearer header
 * or the cookie that GET /?token= sets); the Host header must name the
 * listening address (DNS rebinding); state-changing requests need a JSON or
 * multipart body and an Origin that is absent or the server's own (CSRF).
 *
 * The server runs on threads of its own; the caller only starts and frees it.
 */
#ifndef VRP_SERVE_H
#define VRP_SERVE_H

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vrp_server vrp_server;

typedef struct vrp_serve_options {
	/* "HOST:PORT" or "[V6]:PORT"; NULL: "127.0.0.1:0". Port 0 picks a free one. A
	 * non-loopback host is accepted only when given here (see vrp_server_is_loopback). */
	const char *listen;
	/* Run the sync (and derive) worker on a thread of the server while serving. */
	bool worker;
} vrp_serve_options;

/*
 * Starts serving the library at `root` (which must exist: open it once first
 * so migrations and errors happen before serving). The server opens its own
 * connections to it. VRP_EINVAL for a bad `listen`, VRP_EIO when the address
 * cannot be bound. Free with vrp_server_free(), which stops it.
 */
int vrp_server_start(const char *root, const vrp_serve_options *options, vrp_server **out);

/* The URL to open, "http://HOST:PORT/?token=TOKEN"; owned by `server`. A secret: never log it. */
const char *vrp_server_url(const vrp_server *server);

/* The port listened on (the one picked when 0 was asked for). */
int vrp_server_port(const vrp_server *server);

/* Whether the listening address is a loopback one (127.0.0.0/8 or ::1). */
bool vrp_server_is_loopback(const vrp_server *server);

/* Stops accepting, ends event streams, stops the worker, waits, frees; NULL is a no-op. */
void vrp_server_free(vrp_server *server);

#ifdef __cplusplus
}
#endif

#endif
