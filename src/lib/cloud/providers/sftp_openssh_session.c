/*
 * sftp_openssh_session.c - the openssh transport's connection: ssh started
 * once per provider instance (one per sync worker) and kept for the run,
 * the SFTP version exchange and the server's extensions, and hash_command
 * through a second, short-lived ssh.
 *
 * ssh checks the host key itself (StrictHostKeyChecking=yes, or accept-new
 * for `vrp remote test --accept-host-key`) against the known_hosts of the
 * user's ssh config or the remote's known_hosts setting; when ssh stops
 * before SFTP starts, its stderr says why (sftp_ssh_errors.c).
 */
#include "cloud/providers/sftp_openssh.h"

#include "core/error_set.h"
#include "core/fsutil.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define DEFAULT_IO_LEN 32768
#define REQUEST_BUFFER (64 * 1024)
#define OUTPUT_MAX     4096
#define QUIT_WAIT_MS   2000

static void free_state(struct sftp_openssh *o)
{
	if (!o)
		return;
	if (o->fd >= 0)
		close(o->fd);
	if (o->err_fd >= 0)
		close(o->err_fd);
	free(o->in);
	free(o->out);
	free(o);
}

static struct sftp_openssh *new_state(void)
{
	struct sftp_openssh *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	o->fd = o->err_fd = -1;
	o->read_len = o->write_len = DEFAULT_IO_LEN;
	return o;
}

/* Request sizes from limits@openssh.com, kept under what our parser accepts. */
static int ask_limits(struct sftp *s)
{
	struct sftp_openssh *o = s->ossh;
	struct sftp_writer w;
	struct sftp_reply r;
	struct sftp_limits l;
	uint32_t id = sftp_client_begin(s, &w, SFTP_EXTENDED);
	sftp_proto_put_cstring(&w, "limits@openssh.com");
	if (sftp_client_send(s, &w) < 0 || sftp_client_recv(s, &r) < 0)
		return -1;
	if (r.id != id)
		return sftp_client_bad(s, "a reply to a request that was not sent");
	if (r.type != SFTP_EXTENDED_REPLY)
		return 0;
	if (sftp_proto_parse_limits(r.u.extended.bytes, r.u.extended.len, &l) != SFTP_PROTO_OK)
		return sftp_client_bad(s, "a malformed limits reply");
	const uint64_t cap = SFTP_PACKET_MAX - 1024;
	uint64_t packet = l.packet_length > 1024 ? l.packet_length - 1024 : cap;
	uint64_t rlen = l.read_length ? l.read_length : DEFAULT_IO_LEN;
	uint64_t wlen = l.write_length ? l.write_length : DEFAULT_IO_LEN;
	o->read_len = (size_t)(rlen < cap ? rlen : cap);
	o->write_len = (size_t)(wlen < cap ? wlen : cap);
	if (o->write_len > packet)
		o->write_len = (size_t)packet;
	if (o->read_len < 512)
		o->read_len = 512;
	if (o->write_len < 512)
		o->write_len = 512;
	return 0;
}

static bool named(const char *name, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(name, want, len) == 0;
}

/* INIT, VERSION and what the server offers. */
static int handshake(struct sftp *s, bool *limits)
{
	struct sftp_openssh *o = s->ossh;
	struct sftp_writer w;
	sftp_client_begin(s, &w, SFTP_INIT);
	sftp_proto_put_u32(&w, 3);
	const unsigned char *body = NULL;
	size_t len = 0;
	struct sftp_reply r;
	if (sftp_client_send(s, &w) < 0 || sftp_openssh_recv(s, &body, &len) < 0)
		return -1;
	if (sftp_proto_parse(body, len, &r) != SFTP_PROTO_OK || r.type != SFTP_VERSION)
		return sftp_client_bad(s, "its first packet is not a VERSION");
	if (r.u.version.version < 3)
		return sftp_client_bad(s, "it speaks a version below 3");
	const char *name, *data;
	size_t name_len, data_len;
	int more;
	while ((more = sftp_proto_next_extension(&r, &name, &name_len, &data, &data_len)) == 1) {
		o->posix_rename |= named(name, name_len, "posix-rename@openssh.com");
		o->fsync |= named(name, name_len, "fsync@openssh.com");
		o->statvfs |= named(name, name_len, "statvfs@openssh.com");
		*limits |= named(name, name_len, "limits@openssh.com");
	}
	return more < 0 ? sftp_client_bad(s, "a malformed extension list") : 0;
}

/* Why ssh or the server stopped before SFTP started (recorded). */
static int start_failed(struct sftp *s)
{
	struct sftp_openssh *o = s->ossh;
	struct sftp_failure f = o->failure;
	int status = -1;
	shutdown(o->fd, SHUT_RDWR);
	sftp_openssh_reap(s, o, QUIT_WAIT_MS, &status);
	/* ssh exits 255 for its own errors; anything else came from the server side. */
	if (status == 255 ||
	    (f.kind == SFTP_FAILURE_TRANSPORT && o->messages_len > 0 && strstr(f.detail, "closed")))
		return sftp_ssh_error(s, o->messages, o->host_key);
	if (f.kind == SFTP_FAILURE_OOM)
		return vrp_error_oom();
	return vrp_error_set(VRP_EUNAVAILABLE, "cannot start SFTP with %s: %s", s->set.host,
			     f.detail);
}

static int fingerprint_out(struct sftp_openssh *o, char **fingerprint)
{
	const char *fp = strstr(o->host_key, "SHA256:");
	if (!fp)
		return vrp_error_set(VRP_EUNAVAILABLE,
				     "ssh did not show the server's host key fingerprint");
	*fingerprint = strndup(fp, strcspn(fp, " \n"));
	return *fingerprint ? 0 : vrp_error_oom();
}

/*
 * ssh adds an accepted key only to a file it can open: the known_hosts
 * setting's folder is created first, and the file 0600 as libssh2's
 * transport makes it.
 */
static int prepare_known_hosts(const struct sftp *s)
{
	if (!s->set.known_hosts_set)
		return 0;
	char *dir = strdup(s->set.known_hosts);
	if (!dir)
		return vrp_error_oom();
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		rc = vrp_fs_mkdir_p(dir, 0700);
	}
	free(dir);
	int fd = rc == 0 ? open(s->set.known_hosts, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600)
			 : -1;
	if (rc == 0 && fd < 0)
		rc = vrp_error_from_errno(errno, "cannot create %s", s->set.known_hosts);
	if (fd >= 0)
		close(fd);
	return rc;
}

int sftp_openssh_connect(struct sftp *s, bool accept, char **fingerprint)
{
	if (s->ossh && !accept)
		return 0;
	sftp_openssh_disconnect(s);
	char **argv = NULL;
	int rc = accept ? prepare_known_hosts(s) : 0;
	if (rc == 0)
		rc = sftp_ssh_argv(s, accept, NULL, &argv);
	if (rc < 0)
		return rc;
	if (!(s->ossh = new_state()) || sftp_client_out(s->ossh, REQUEST_BUFFER) < 0)
		rc = vrp_error_oom();
	if (rc == 0)
		rc = sftp_openssh_spawn(s, argv, s->ossh);
	sftp_free_command(argv);
	bool limits = false;
	if (rc == 0 && (handshake(s, &limits) < 0 || (limits && ask_limits(s) < 0)))
		rc = start_failed(s);
	if (rc == 0 && accept)
		rc = fingerprint_out(s->ossh, fingerprint);
	if (rc < 0) {
		sftp_openssh_disconnect(s);
		return rc;
	}
	VRP_LOG_DEBUG("sftp",
		      json_pack("{s:s, s:i, s:I, s:I}", "remote", s->name, "pid", (int)s->ossh->pid,
				"read_len", (json_int_t)s->ossh->read_len, "write_len",
				(json_int_t)s->ossh->write_len),
		      "connected to %s through ssh", s->set.host);
	return 0;
}

void sftp_openssh_abort(struct sftp *s)
{
	if (s->ossh && s->ossh->pid > 0)
		kill(s->ossh->pid, SIGKILL);
}

void sftp_openssh_disconnect(struct sftp *s)
{
	struct sftp_openssh *o = s->ossh;
	if (!o)
		return;
	int status;
	/* End of input is ssh's cue to close the session and exit. */
	if (o->fd >= 0)
		shutdown(o->fd, SHUT_WR);
	sftp_openssh_reap(s, o, s->broken ? 0 : QUIT_WAIT_MS, &status);
	free_state(o);
	s->ossh = NULL;
}

/* Reads ssh's stdout to its end, keeping the first OUTPUT_MAX - 1 bytes. */
static int read_output(struct sftp *s, struct sftp_openssh *o, char *buf)
{
	size_t got = 0;
	for (;;) {
		char scratch[1024];
		bool keep = got < OUTPUT_MAX - 1;
		ssize_t n = recv(o->fd, keep ? buf + got : scratch,
				 keep ? OUTPUT_MAX - 1 - got : sizeof(scratch), 0);
		if (n > 0 && keep)
			got += (size_t)n;
		if (n > 0 || (n < 0 && errno == EINTR))
			continue;
		if (n == 0)
			break;
		if (errno != EAGAIN || sftp_openssh_wait(s, o, POLLIN, s->set.timeout_ms) <= 0) {
			buf[got] = '\0';
			return -1;
		}
	}
	buf[got] = '\0';
	return 0;
}

static int run_hash(struct sftp *s, char **argv, const char *full, char out[65])
{
	struct sftp_openssh *o = new_state();
	char *output = malloc(OUTPUT_MAX);
	int rc = o && output ? sftp_openssh_spawn(s, argv, o) : vrp_error_oom();
	int status = -1;
	if (rc == 0) {
		bool stalled = read_output(s, o, output) < 0;
		sftp_openssh_reap(s, o, stalled ? 0 : s->set.timeout_ms, &status);
		if (stalled)
			rc = vrp_error_set(VRP_ETRANSIENT,
					   "hash_command for %s on %s stopped "
					   "answering",
					   full, s->set.host);
	}
	if (rc == 0 && status == 255)
		rc = sftp_ssh_error(s, o->messages, o->host_key);
	else if (rc == 0 && (status != 0 || sftp_parse_sha256(output, out) != 0))
		rc = vrp_error_set(VRP_EPERMANENT,
				   "hash_command '%s' failed for %s on %s (exit %d): %s",
				   s->set.hash_command, full, s->set.host, status,
				   o->messages_len ? o->messages : "it printed no sha256");
	free(output);
	free_state(o);
	return rc;
}

int sftp_openssh_exec_sha256(struct sftp *s, const char *full, char out[65])
{
	char *quoted = sftp_shell_quote(full);
	char *command = NULL, **argv = NULL;
	if (!quoted || asprintf(&command, "%s %s", s->set.hash_command, quoted) < 0) {
		free(quoted);
		return vrp_error_oom();
	}
	free(quoted);
	int rc = sftp_ssh_argv(s, false, command, &argv);
	if (rc == 0)
		rc = run_hash(s, argv, full, out);
	sftp_free_command(argv);
	free(command);
	return rc;
}
