/*
 * sftp_openssh.c - the ssh process behind an openssh-transport remote:
 * starting it, the bytes to and from it, its stderr (to the log, redacted;
 * kept for the error message), and stopping it (see sftp_openssh.h).
 */
#include "cloud/providers/sftp_openssh.h"

#include "core/error_set.h"
#include "core/log.h"
#include "core/redact.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

void sftp_openssh_broke(struct sftp_openssh *o, bool timeout, const char *fmt, ...)
{
	o->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_TRANSPORT, .timeout = timeout };
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(o->failure.detail, sizeof(o->failure.detail), fmt, ap);
	va_end(ap);
}

/* Keeps the tail of ssh's messages: the last lines say why it stopped. */
static void keep_message(struct sftp_openssh *o, const char *line)
{
	size_t n = strlen(line) + 1;
	if (n >= sizeof(o->messages))
		return;
	if (o->messages_len + n >= sizeof(o->messages)) {
		size_t drop = o->messages_len + n - sizeof(o->messages) + 1;
		memmove(o->messages, o->messages + drop, o->messages_len - drop);
		o->messages_len -= drop;
	}
	memcpy(o->messages + o->messages_len, line, n - 1);
	o->messages_len += n - 1;
	o->messages[o->messages_len++] = '\n';
	o->messages[o->messages_len] = '\0';
}

static void stderr_line(struct sftp *s, struct sftp_openssh *o, const char *line)
{
	static const char host_key[] = "Server host key: ";
	const char *k = strstr(line, host_key);
	/* ssh -v's chatter: the banner, debug lines, the byte counts at exit. */
	if (strncmp(line, "debug", 5) == 0 || strncmp(line, "OpenSSH_", 8) == 0 ||
	    strncmp(line, "Transferred: ", 13) == 0 || strncmp(line, "Bytes per second", 16) == 0) {
		if (k)
			snprintf(o->host_key, sizeof(o->host_key), "%s", k + strlen(host_key));
		return;
	}
	keep_message(o, line);
	char *clean = vrp_redact_text(line);
	VRP_LOG_INFO("sftp", json_pack("{s:s}", "remote", s->name), "ssh: %s",
		     clean ? clean : "(out of memory)");
	free(clean);
}

/* Reads what ssh wrote to stderr; its lines go to the log as they end. */
static void drain_stderr(struct sftp *s, struct sftp_openssh *o)
{
	char buf[4096];
	ssize_t n = read(o->err_fd, buf, sizeof(buf));
	if (n <= 0 && !(n < 0 && (errno == EAGAIN || errno == EINTR))) {
		close(o->err_fd);
		o->err_fd = -1;
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		char c = buf[i];
		if (c == '\r')
			continue;
		if (c != '\n' && o->line_len < sizeof(o->line) - 1) {
			o->line[o->line_len++] = c;
			continue;
		}
		if (c != '\n')
			continue; /* an over-long line is cut, its end dropped */
		o->line[o->line_len] = '\0';
		stderr_line(s, o, o->line);
		o->line_len = 0;
	}
}

static int64_t now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int sftp_openssh_wait(struct sftp *s, struct sftp_openssh *o, short events, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	for (;;) {
		struct pollfd p[2] = { { .fd = o->fd, .events = events },
				       { .fd = o->err_fd, .events = POLLIN } };
		int left = (int)(deadline - now_ms());
		if (left < 0)
			return 0;
		int n = poll(p, o->err_fd >= 0 ? 2 : 1, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		if (o->err_fd >= 0 && p[1].revents)
			drain_stderr(s, o);
		if (p[0].revents)
			return 1;
	}
}

static int spawn_actions(posix_spawn_file_actions_t *fa, int child_end, int err_w)
{
	return posix_spawn_file_actions_adddup2(fa, child_end, 0) ||
	       posix_spawn_file_actions_adddup2(fa, child_end, 1) ||
	       posix_spawn_file_actions_adddup2(fa, err_w, 2);
}

int sftp_openssh_spawn(struct sftp *s, char **argv, struct sftp_openssh *o)
{
	(void)s;
	int pair[2] = { -1, -1 }, err[2] = { -1, -1 };
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0 ||
	    pipe2(err, O_CLOEXEC) != 0) {
		int rc = vrp_error_from_errno(errno, "cannot create pipes for ssh");
		for (int i = 0; i < 2; i++) {
			if (pair[i] >= 0)
				close(pair[i]);
			if (err[i] >= 0)
				close(err[i]);
		}
		return rc;
	}
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	/* Its own session: a Ctrl-C meant for vrp must not kill the transfer's ssh under it. */
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID);
	int e = spawn_actions(&fa, pair[1], err[1]);
	if (e == 0)
		e = posix_spawnp(&o->pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pair[1]);
	close(err[1]);
	if (e != 0) {
		close(pair[0]);
		close(err[0]);
		o->pid = 0;
		return vrp_error_set(VRP_EUNAVAILABLE, "cannot run %s: %s", argv[0], strerror(e));
	}
	o->fd = pair[0];
	o->err_fd = err[0];
	fcntl(o->fd, F_SETFL, fcntl(o->fd, F_GETFL) | O_NONBLOCK);
	fcntl(o->err_fd, F_SETFL, fcntl(o->err_fd, F_GETFL) | O_NONBLOCK);
	return 0;
}

void sftp_openssh_reap(struct sftp *s, struct sftp_openssh *o, int wait_ms, int *status)
{
	*status = -1;
	if (o->pid <= 0)
		return;
	int64_t deadline = now_ms() + wait_ms;
	int ws = 0;
	pid_t got = 0;
	while ((got = waitpid(o->pid, &ws, WNOHANG)) == 0 && now_ms() < deadline) {
		if (o->err_fd >= 0) {
			struct pollfd p = { .fd = o->err_fd, .events = POLLIN };
			if (poll(&p, 1, 20) > 0)
				drain_stderr(s, o);
		} else {
			struct timespec t = { 0, 20 * 1000000L };
			nanosleep(&t, NULL);
		}
	}
	if (got == 0) {
		kill(o->pid, SIGKILL);
		waitpid(o->pid, &ws, 0);
	}
	while (o->err_fd >= 0)
		drain_stderr(s, o);
	if (got > 0 && WIFEXITED(ws))
		*status = WEXITSTATUS(ws);
	o->pid = 0;
}

int sftp_openssh_send(struct sftp *s, const unsigned char *buf, size_t len)
{
	struct sftp_openssh *o = s->ossh;
	while (len > 0) {
		ssize_t n = send(o->fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			sftp_openssh_broke(o, false, "ssh exited (%s)", strerror(errno));
			return -1;
		}
		int ready = sftp_openssh_wait(s, o, POLLOUT, s->set.timeout_ms);
		if (ready <= 0) {
			sftp_openssh_broke(o, ready == 0, "ssh took no data for %d s",
					   s->set.timeout_ms / 1000);
			return -1;
		}
	}
	return 0;
}

/* Reads more from ssh into the input buffer (growing it to hold `need` bytes). */
static int fill_input(struct sftp *s, struct sftp_openssh *o, size_t need)
{
	if (need > o->in_cap) {
		unsigned char *grown = realloc(o->in, need);
		if (!grown) {
			o->failure = (struct sftp_failure){ .kind = SFTP_FAILURE_OOM };
			return -1;
		}
		o->in = grown;
		o->in_cap = need;
	}
	for (;;) {
		ssize_t n = recv(o->fd, o->in + o->in_len, o->in_cap - o->in_len, 0);
		if (n > 0) {
			o->in_len += (size_t)n;
			return 0;
		}
		if (n == 0) {
			sftp_openssh_broke(o, false, "ssh closed the connection");
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			sftp_openssh_broke(o, false, "reading from ssh: %s", strerror(errno));
			return -1;
		}
		int ready = sftp_openssh_wait(s, o, POLLIN, s->set.timeout_ms);
		if (ready <= 0) {
			sftp_openssh_broke(o, ready == 0, "no reply for %d s",
					   s->set.timeout_ms / 1000);
			return -1;
		}
	}
}

int sftp_openssh_recv(struct sftp *s, const unsigned char **body, size_t *len)
{
	struct sftp_openssh *o = s->ossh;
	/* The packet handed out last time is done with. */
	if (o->in_used) {
		memmove(o->in, o->in + o->in_used, o->in_len - o->in_used);
		o->in_len -= o->in_used;
		o->in_used = 0;
	}
	while (o->in_len < 4)
		if (fill_input(s, o, 64 * 1024) < 0)
			return -1;
	uint32_t n = (uint32_t)o->in[0] << 24 | (uint32_t)o->in[1] << 16 | (uint32_t)o->in[2] << 8 |
		     o->in[3];
	if (n == 0 || n > SFTP_PACKET_MAX) {
		sftp_openssh_broke(o, false, "the server sent a packet of %u bytes (at most %u)", n,
				   (unsigned)SFTP_PACKET_MAX);
		return -1;
	}
	size_t need = 4 + (size_t)n;
	while (o->in_len < need)
		if (fill_input(s, o, need > 64 * 1024 ? need : 64 * 1024) < 0)
			return -1;
	*body = o->in + 4;
	*len = n;
	o->in_used = need;
	return 0;
}
