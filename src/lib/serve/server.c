/*
 * server.c - the HTTP server: libmicrohttpd, the request lifecycle and the
 * checks every request passes before a handler sees it (security.c says
 * why each exists).
 *
 * libmicrohttpd calls on_request at least twice per request: first with
 * the headers only (where the checks run and an upload is set up), then
 * with pieces of the body, then once more with none, when the handler
 * answers. Each connection has a thread of its own, so a handler may block
 * (an event stream does, between events) without stalling other requests.
 */
#include "serve/serve_internal.h"

#include "core/error_set.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* PATCH bodies and sync requests are small: anything larger is refused, never held. */
#define JSON_BODY_MAX (1u << 20)

static enum MHD_Result answer_early(struct serve_request *req, unsigned status, const char *code,
				    const char *message)
{
	req->answered = true;
	return serve_send_error(req->connection, status, code, message);
}

/* GET /?token=T: the page's way in. The cookie keeps the token out of the URL bar. */
static enum MHD_Result login(struct serve_request *req, const char *token)
{
	if (!serve_token_equal(token, req->server->token))
		return answer_early(req, MHD_HTTP_UNAUTHORIZED, "ERR_AUTH",
				    "wrong token: use the URL that `vrp serve` printed");
	struct MHD_Response *r =
		vrp_mhd->create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	char cookie[160];
	snprintf(cookie, sizeof(cookie), SERVE_COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/",
		 req->server->token);
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	vrp_mhd->add_response_header(r, MHD_HTTP_HEADER_LOCATION, "/");
	req->answered = true;
	return serve_send(req->connection, MHD_HTTP_SEE_OTHER, r);
}

/* The checks of the first call; answers (and returns true) when one fails. */
static bool refuse(struct serve_request *req, enum MHD_Result *result)
{
	vrp_server *s = req->server;
	struct MHD_Connection *c = req->connection;
	*result = MHD_YES;
	if (!serve_host_allowed(s, c)) {
		*result = answer_early(req, MHD_HTTP_MISDIRECTED_REQUEST, "ERR_MISDIRECTED",
				       "the Host header does not name this server");
		return true;
	}
	const char *token = vrp_mhd->lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "token");
	if (token && !strcmp(req->url, "/") && !strcmp(req->method, "GET")) {
		*result = login(req, token);
		return true;
	}
	if (!serve_request_authorized(s, c)) {
		*result = answer_early(req, MHD_HTTP_UNAUTHORIZED, "ERR_AUTH",
				       "missing or wrong token: open the URL `vrp serve` printed");
		return true;
	}
	bool allowed = false;
	req->route = serve_route_find(req->method, req->url, req->id, sizeof(req->id), &allowed);
	if (!req->route) {
		*result = allowed ? answer_early(req, MHD_HTTP_METHOD_NOT_ALLOWED,
						 "ERR_METHOD_NOT_ALLOWED",
						 "that method is not allowed here")
				  : answer_early(req, MHD_HTTP_NOT_FOUND, "ERR_NOT_FOUND",
						 "no such endpoint (see /api/openapi.json)");
		return true;
	}
	if (req->route->body == SERVE_BODY_NONE)
		return false;
	if (!serve_origin_allowed(s, c)) {
		*result = answer_early(req, MHD_HTTP_FORBIDDEN, "ERR_FORBIDDEN_ORIGIN",
				       "requests from other sites may not change anything");
		return true;
	}
	if (!serve_content_type_allowed(c, req->route->body)) {
		*result = answer_early(req, MHD_HTTP_FORBIDDEN, "ERR_FORBIDDEN_CONTENT_TYPE",
				       req->route->body == SERVE_BODY_JSON
					       ? "this request needs Content-Type: application/json"
					       : "an upload needs multipart/form-data, "
						 "application/octet-stream or audio/*");
		return true;
	}
	if (req->route->body == SERVE_BODY_UPLOAD) {
		int rc = serve_upload_begin(req);
		if (rc < 0) {
			req->answered = true;
			*result = serve_send_vrp_error(c, rc);
			return true;
		}
	}
	return false;
}

static bool take_body(struct serve_request *req, const char *data, size_t size)
{
	if (req->route->body == SERVE_BODY_UPLOAD)
		return serve_upload_feed(req, data, size);
	if (req->route->body != SERVE_BODY_JSON)
		return true;
	if (req->body_too_large || req->body_len + size > JSON_BODY_MAX) {
		req->body_too_large = true;
		return true;
	}
	char *grown = realloc(req->body, req->body_len + size + 1);
	if (!grown)
		return false;
	memcpy(grown + req->body_len, data, size);
	req->body = grown;
	req->body_len += size;
	req->body[req->body_len] = '\0';
	return true;
}

/*
 * Runs the route's handler once fewer than gate_limit others are running.
 * Every connection has a thread, so 64 clients are 64 runnable threads: left
 * alone they share the cores in small slices and every answer comes late;
 * taken a few at a time, in turn, most answers come at once and the slowest
 * wait only for those before them. Imports are not counted (they may take
 * minutes), nor is the streaming of audio and events, which happens after
 * the handler has returned. At least 4, so two slow derivations (an Opus
 * copy made on first play) leave room for the rest.
 */
static enum MHD_Result run_handler(struct serve_request *req)
{
	vrp_server *s = req->server;
	if (req->route->body == SERVE_BODY_UPLOAD)
		return req->route->handler(req);
	pthread_mutex_lock(&s->gate_lock);
	while (s->gate_busy >= s->gate_limit)
		pthread_cond_wait(&s->gate_free, &s->gate_lock);
	s->gate_busy++;
	pthread_mutex_unlock(&s->gate_lock);
	enum MHD_Result result = req->route->handler(req);
	pthread_mutex_lock(&s->gate_lock);
	s->gate_busy--;
	pthread_cond_signal(&s->gate_free);
	pthread_mutex_unlock(&s->gate_lock);
	return result;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	(void)version;
	struct serve_request *req = *con_cls;
	if (!req) {
		if (!(req = calloc(1, sizeof(*req))))
			return MHD_NO;
		req->server = cls;
		req->connection = connection;
		req->method = method;
		req->url = url;
		*con_cls = req;
		enum MHD_Result result;
		refuse(req, &result);
		return result;
	}
	if (*upload_data_size) {
		if (!req->answered && !take_body(req, upload_data, *upload_data_size))
			req->body_too_large = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->answered)
		return MHD_YES;
	req->answered = true;
	if (req->body_too_large && req->route->body == SERVE_BODY_JSON)
		return serve_send_error(connection, MHD_HTTP_CONTENT_TOO_LARGE, "ERR_TOO_LARGE",
					"the request body is over 1 MiB");
	vrp_error_clear();
	return run_handler(req);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls, (void)connection;
	struct serve_request *req = *con_cls;
	if (!req)
		return;
	/* The route's pattern, never the URL: ids are enough, and no query string
	 * (the token travels in one) ever reaches the log. */
	VRP_LOG_DEBUG("serve",
		      json_pack("{s:s, s:s, s:i}", "method", req->method, "route",
				req->route ? req->route->pattern : "-", "termination", (int)toe),
		      "request done");
	serve_upload_free(req->upload);
	free(req->body);
	free(req);
	*con_cls = NULL;
}

/* Parses "HOST:PORT" / "[V6]:PORT" into `addr`; the host must be numeric or "localhost". */
static int parse_listen(const char *listen, struct sockaddr_storage *addr, socklen_t *len)
{
	char host[64];
	const char *colon;
	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');
		if (!close || close[1] != ':' || (size_t)(close - listen - 1) >= sizeof(host))
			goto bad;
		memcpy(host, listen + 1, (size_t)(close - listen - 1));
		host[close - listen - 1] = '\0';
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon || (size_t)(colon - listen) >= sizeof(host))
			goto bad;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end || port < 0 || port > 65535)
		goto bad;
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	memset(addr, 0, sizeof(*addr));
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*len = sizeof(*v4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*v6);
		return 0;
	}
bad:
	return vrp_error_set(VRP_EINVAL,
			     "--listen '%s': expected HOST:PORT with a numeric address "
			     "(127.0.0.1:8080, [::1]:0) or localhost:PORT",
			     listen);
}

static bool is_loopback(const struct sockaddr_storage *addr)
{
	if (addr->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)addr)->sin_addr.s_addr) >> 24) == 127;
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult): inet_pton wrote it. */
	return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)addr)->sin6_addr);
}

static bool is_wildcard(const struct sockaddr_storage *addr)
{
	if (addr->ss_family == AF_INET)
		return ((const struct sockaddr_in *)addr)->sin_addr.s_addr == htonl(INADDR_ANY);
	return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)addr)->sin6_addr);
}

static void add_host(vrp_server *s, const char *name, bool v6_literal)
{
	if (s->host_count < sizeof(s->hosts) / sizeof(*s->hosts))
		snprintf(s->hosts[s->host_count++], sizeof(s->hosts[0]),
			 v6_literal ? "[%s]:%d" : "%s:%d", name, s->port);
}

/* The Host values and the URL, once the port is known. */
static int describe(vrp_server *s, const struct sockaddr_storage *addr)
{
	char literal[INET6_ADDRSTRLEN];
	bool v6 = addr->ss_family == AF_INET6;
	inet_ntop(addr->ss_family,
		  v6 ? (const void *)&((const struct sockaddr_in6 *)addr)->sin6_addr
		     : (const void *)&((const struct sockaddr_in *)addr)->sin_addr,
		  literal, sizeof(literal));
	if (s->loopback || is_wildcard(addr)) {
		add_host(s, v6 && s->loopback ? "::1" : "127.0.0.1", v6 && s->loopback);
		add_host(s, "localhost", false);
		add_host(s, v6 && s->loopback ? "127.0.0.1" : "::1", !(v6 && s->loopback));
		char name[64];
		if (!s->loopback && gethostname(name, sizeof(name)) == 0) {
			name[sizeof(name) - 1] = '\0';
			add_host(s, name, false);
		}
	} else {
		add_host(s, literal, v6);
	}
	size_t n = strlen(s->hosts[0]) + SERVE_TOKEN_HEX + 32;
	if (!(s->url = malloc(n)))
		return vrp_error_oom();
	snprintf(s->url, n, "http://%s/?token=%s", s->hosts[0], s->token);
	return 0;
}

int vrp_server_start(const char *root, const vrp_serve_options *options, vrp_server **out)
{
	*out = NULL;
	struct sockaddr_storage addr = { 0 };
	socklen_t addr_len = 0;
	const char *listen = options && options->listen ? options->listen : "127.0.0.1:0";
	int rc = parse_listen(listen, &addr, &addr_len);
	if (rc < 0 || (rc = vrp_mhd_load()) < 0)
		return rc;
	vrp_server *s = calloc(1, sizeof(*s));
	if (!s || !(s->root = strdup(root))) {
		free(s);
		return vrp_error_oom();
	}
	s->loopback = is_loopback(&addr);
	pthread_mutex_init(&s->gate_lock, NULL);
	pthread_cond_init(&s->gate_free, NULL);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	s->gate_limit = cores < 4 ? 4 : cores > 16 ? 16 : (int)cores;
	if ((rc = serve_token_generate(s->token)) < 0 ||
	    (rc = serve_pool_new(&s->pool, root)) < 0 || (rc = serve_events_new(&s->events)) < 0)
		goto fail;
	unsigned flags =
		MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
	if (addr.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->daemon = vrp_mhd->start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
				     (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED,
				     on_completed, s, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)120,
				     MHD_OPTION_END);
	if (!s->daemon) {
		rc = vrp_error_set(VRP_EIO, "cannot listen on %s (in use, or not an address here)",
				   listen);
		goto fail;
	}
	const union MHD_DaemonInfo *info =
		vrp_mhd->get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = info ? info->port : 0;
	if ((rc = describe(s, &addr)) < 0)
		goto fail;
	if (options && options->worker &&
	    (rc = serve_worker_start(&s->worker, root, s->events)) < 0)
		goto fail;
	if ((rc = serve_watch_start(&s->watch, root, s->events)) < 0)
		goto fail;
	VRP_LOG_INFO("serve", json_pack("{s:i, s:b}", "port", s->port, "loopback", s->loopback),
		     "serving the library over HTTP");
	*out = s;
	return 0;
fail:
	vrp_server_free(s);
	return rc;
}

const char *vrp_server_url(const vrp_server *server) { return server->url; }

int vrp_server_port(const vrp_server *server) { return server->port; }

bool vrp_server_is_loopback(const vrp_server *server) { return server->loopback; }

void vrp_server_free(vrp_server *server)
{
	if (!server)
		return;
	/* Streams end first, so the daemon's connection threads can be joined. */
	serve_events_close(server->events);
	if (server->daemon)
		vrp_mhd->stop_daemon(server->daemon);
	serve_worker_stop(server->worker);
	serve_watch_stop(server->watch);
	serve_events_free(server->events);
	serve_pool_free(server->pool);
	pthread_cond_destroy(&server->gate_free);
	pthread_mutex_destroy(&server->gate_lock);
	free(server->url);
	free(server->root);
	free(server);
}
