/*
 * oauth_loopback.c - the loopback redirect of OAuth for installed apps
 * (RFC 8252 section 7.3): a one-shot HTTP listener on 127.0.0.1 that takes
 * the browser's redirect with the code, and opening the browser.
 *
 * Only 127.0.0.1 is bound, so nothing off the machine can reach it; the
 * state parameter ties the redirect to the request we made, so another
 * local process cannot slip us its own code.
 */
#include "cloud/oauth.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define REQUEST_MAX 8192

struct vrp_oauth_listener {
	int fd;
	char redirect_uri[64];
};

int vrp_oauth_listener_open(struct vrp_oauth_listener **out, const char **redirect_uri)
{
	*out = NULL;
	struct vrp_oauth_listener *l = calloc(1, sizeof(*l));
	if (!l)
		return vrp_error_oom();
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(addr);
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    listen(l->fd, 8) != 0 || getsockname(l->fd, (struct sockaddr *)&addr, &len) != 0) {
		int rc = vrp_error_from_errno(errno, "cannot listen on 127.0.0.1 for the "
						     "OAuth redirect");
		vrp_oauth_listener_free(l);
		return rc;
	}
	snprintf(l->redirect_uri, sizeof(l->redirect_uri), "http://127.0.0.1:%u/",
		 (unsigned)ntohs(addr.sin_port));
	*redirect_uri = l->redirect_uri;
	*out = l;
	return 0;
}

void vrp_oauth_listener_free(struct vrp_oauth_listener *listener)
{
	if (!listener)
		return;
	if (listener->fd >= 0)
		close(listener->fd);
	free(listener);
}

/* Waits for `fd` to be readable until `deadline_ms`; false on timeout. */
static bool wait_readable(int fd, int64_t deadline_ms)
{
	for (;;) {
		int64_t left = deadline_ms - vrp_oauth_now_ms();
		if (left <= 0)
			return false;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = poll(&p, 1, left > 1000 ? 1000 : (int)left);
		if (n > 0)
			return true;
		if (n < 0 && errno != EINTR)
			return false;
	}
}

/* Reads the request head (up to the blank line) into `buf`; false when it does not come. */
static bool read_head(int fd, char *buf, size_t size, int64_t deadline_ms)
{
	size_t got = 0;
	while (got + 1 < size) {
		if (!wait_readable(fd, deadline_ms))
			return false;
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
		buf[got] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return true;
	}
	return false;
}

static void answer(int fd, int status, const char *reason, const char *message)
{
	char page[512], whole[1024];
	int body = snprintf(page, sizeof(page),
			    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>vrp</title>"
			    "</head><body><p>%s</p></body></html>\n",
			    message);
	int n = snprintf(
		whole, sizeof(whole),
		"HTTP/1.1 %d %s\r\nContent-Type: text/html; charset=utf-8\r\n"
		"Content-Length: %d\r\nConnection: close\r\nCache-Control: no-store\r\n\r\n%s",
		status, reason, body, page);
	/* A browser that went away is no failure of ours: the code is what matters. */
	if (n > 0)
		(void)vrp_fs_write_all(fd, whole, (size_t)n);
}

/* The decoded value of query parameter `key` in "GET /?a=b&c=d HTTP/1.1"; malloc'd or NULL. */
static char *query_param(const char *request_line, const char *key)
{
	const char *q = strchr(request_line, '?');
	const char *end = q ? q + strcspn(q, " \r\n#") : NULL;
	size_t klen = strlen(key);
	for (const char *p = q ? q + 1 : NULL; p && p < end;) {
		size_t len = strcspn(p, "& \r\n#");
		if (p + len > end)
			len = (size_t)(end - p);
		if (len > klen && !strncmp(p, key, klen) && p[klen] == '=')
			return vrp_http_unescape(p + klen + 1, len - klen - 1);
		p += len + 1;
	}
	return NULL;
}

/* Handles one connection: 1 and `*code` (or an error) when it was the redirect, 0 to go on. */
static int handle(int fd, const char *state, int64_t deadline_ms, char **code)
{
	char buf[REQUEST_MAX];
	if (!read_head(fd, buf, sizeof(buf), deadline_ms) || strncmp(buf, "GET ", 4) != 0)
		return 0;
	char *got_state = query_param(buf, "state");
	char *got_code = query_param(buf, "code");
	char *error = query_param(buf, "error");
	int rc = 0;
	if (!got_state || strcmp(got_state, state) != 0) {
		/* A favicon fetch, a stray tab, or someone else's redirect: not ours. */
		answer(fd, 400, "Bad Request", "This is not the answer vrp is waiting for.");
	} else if (error) {
		answer(fd, 200, "OK", "Authorization was not given. You can close this window.");
		rc = vrp_error_set(VRP_EAUTH, "the authorization was refused: %.64s", error);
	} else if (got_code && *got_code) {
		answer(fd, 200, "OK", "vrp is authorized. You can close this window.");
		*code = got_code;
		got_code = NULL;
		rc = 1;
	} else {
		answer(fd, 400, "Bad Request", "The answer holds no authorization code.");
	}
	free(got_state);
	free(got_code);
	free(error);
	return rc;
}

int vrp_oauth_listener_wait(struct vrp_oauth_listener *listener, const char *state,
			    int64_t deadline_ms, char **code)
{
	*code = NULL;
	for (;;) {
		if (!wait_readable(listener->fd, deadline_ms))
			return vrp_error_set(VRP_EAUTH,
					     "no answer came back from the browser in time");
		int fd = accept4(listener->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED || errno == EAGAIN)
				continue;
			return vrp_error_from_errno(errno, "cannot accept the OAuth redirect");
		}
		int rc = handle(fd, state, deadline_ms, code);
		close(fd);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
}

bool vrp_oauth_open_browser(const char *url)
{
	const char *display = getenv("DISPLAY"), *wayland = getenv("WAYLAND_DISPLAY");
	if ((!display || !*display) && (!wayland || !*wayland))
		return false;
	char *argv[] = { "xdg-open", (char *)url, NULL };
	posix_spawn_file_actions_t actions;
	if (posix_spawn_file_actions_init(&actions) != 0)
		return false;
	/* xdg-open's chatter must not mix with our output. */
	posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, "xdg-open", &actions, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&actions);
	if (rc != 0)
		return false;
	int status = 0;
	/* xdg-open hands the URL to the browser and exits; its status says whether it could. */
	return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}
