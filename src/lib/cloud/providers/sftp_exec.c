/*
 * sftp_exec.c - hashing a file on the server with the user's hash_command
 * (e.g. sha256sum) over a libssh2 exec channel.
 *
 * Only ever runs when the remote has a hash_command: a user who sets none
 * never has a command run on their server. The path is single-quoted for
 * the remote shell, so no file name can run anything else.
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUTPUT_MAX 4096

/* "'...'" with each ' written as '\'' ; a relative path gets "./" so it never reads as an option.
 */
char *sftp_shell_quote(const char *path)
{
	size_t n = 3 + 2;
	for (const char *p = path; *p; p++)
		n += *p == '\'' ? 4 : 1;
	char *out = malloc(n + 2);
	if (!out)
		return NULL;
	char *o = out;
	*o++ = '\'';
	if (path[0] != '/') {
		*o++ = '.';
		*o++ = '/';
	}
	for (const char *p = path; *p; p++) {
		if (*p == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *p;
		}
	}
	*o++ = '\'';
	*o = '\0';
	return out;
}

static int channel_refused(struct sftp *s, const char *what)
{
	int err = libssh2_session_last_errno(s->session);
	if (err == LIBSSH2_ERROR_CHANNEL_FAILURE || err == LIBSSH2_ERROR_CHANNEL_REQUEST_DENIED ||
	    err == LIBSSH2_ERROR_CHANNEL_UNKNOWN)
		return vrp_error_set(
			VRP_EPERMANENT,
			"%s refused to run hash_command (%s); remove the setting or allow "
			"commands for this user",
			s->set.host, what);
	return sftp_fail(s, what, NULL);
}

/* Reads a stream of the channel to its end, keeping the first OUTPUT_MAX - 1 bytes. */
static int read_all(struct sftp *s, LIBSSH2_CHANNEL *ch, int stream, char *buf)
{
	size_t got = 0;
	char scratch[1024] = "";
	for (;;) {
		bool keep = got < OUTPUT_MAX - 1;
		char *into = keep ? buf + got : scratch;
		size_t room = keep ? OUTPUT_MAX - 1 - got : sizeof(scratch);
		ssize_t n = libssh2_channel_read_ex(ch, stream, into, room);
		if (n < 0)
			return sftp_fail(s, "cannot read the output of hash_command for", NULL);
		if (n == 0)
			break;
		if (keep)
			got += (size_t)n;
	}
	buf[got] = '\0';
	return 0;
}

int sftp_parse_sha256(const char *output, char out[65])
{
	for (int i = 0; i < 64; i++) {
		if (!isxdigit((unsigned char)output[i]))
			return -1;
		out[i] = (char)tolower((unsigned char)output[i]);
	}
	out[64] = '\0';
	return output[64] == ' ' || output[64] == '\t' || output[64] == '\n' ? 0 : -1;
}

static int run(struct sftp *s, LIBSSH2_CHANNEL *ch, const char *command, const char *full,
	       char out[65])
{
	char *stdout_buf = malloc(OUTPUT_MAX), *stderr_buf = malloc(OUTPUT_MAX);
	int rc = stdout_buf && stderr_buf ? 0 : vrp_error_oom();
	if (rc == 0 && libssh2_channel_exec(ch, command) != 0)
		rc = channel_refused(s, "exec");
	if (rc == 0)
		rc = read_all(s, ch, 0, stdout_buf);
	if (rc == 0)
		rc = read_all(s, ch, SSH_EXTENDED_DATA_STDERR, stderr_buf);
	if (rc == 0 && libssh2_channel_close(ch) != 0)
		rc = sftp_fail(s, "cannot finish hash_command for", full);
	int status = rc == 0 ? libssh2_channel_get_exit_status(ch) : -1;
	if (rc == 0 && (status != 0 || sftp_parse_sha256(stdout_buf, out) != 0)) {
		stderr_buf[strcspn(stderr_buf, "\n")] = '\0';
		rc = vrp_error_set(VRP_EPERMANENT,
				   "hash_command '%s' failed for %s on %s (exit %d): %s",
				   s->set.hash_command, full, s->set.host, status,
				   *stderr_buf ? stderr_buf : "it printed no sha256");
	}
	free(stdout_buf);
	free(stderr_buf);
	return rc;
}

int sftp_libssh2_exec_sha256(struct sftp *s, const char *full, char out[65])
{
	char *quoted = sftp_shell_quote(full);
	char *command = NULL;
	if (!quoted || asprintf(&command, "%s %s", s->set.hash_command, quoted) < 0) {
		free(quoted);
		return vrp_error_oom();
	}
	free(quoted);
	LIBSSH2_CHANNEL *ch = libssh2_channel_open_session(s->session);
	int rc = ch ? run(s, ch, command, full, out) : channel_refused(s, "open channel");
	if (ch)
		libssh2_channel_free(ch);
	free(command);
	return rc;
}
