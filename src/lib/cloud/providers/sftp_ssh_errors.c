/*
 * sftp_ssh_errors.c - why ssh stopped before SFTP started, from what it
 * printed on stderr, as a vrp code and a message that says what to do.
 *
 * ssh has no machine-readable errors; these are the messages of OpenSSH
 * 7 to 9 (they have been stable for years). Anything else is
 * VRP_EUNAVAILABLE with ssh's last line, so nothing is hidden.
 */
#include "cloud/providers/sftp_openssh.h"

#include "core/error_set.h"

#include <stdio.h>
#include <string.h>

/* The "SHA256:..." word after `marker` in `text`, into `out`; "" when absent. */
static void fingerprint_after(const char *text, const char *marker, char *out, size_t size)
{
	const char *at = marker ? strstr(text, marker) : text;
	const char *fp = at ? strstr(at, "SHA256:") : NULL;
	*out = '\0';
	if (fp)
		snprintf(out, size, "%.*s", (int)strcspn(fp, " \n"), fp);
}

/* The last non-empty line of `text`, for messages. */
static void last_line(const char *text, char *out, size_t size)
{
	size_t n = strlen(text);
	while (n > 0 && text[n - 1] == '\n')
		n--;
	size_t start = n;
	while (start > 0 && text[start - 1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(n - start), text + start);
}

static int changed_key(const struct sftp *s, const char *messages)
{
	char fp[96];
	fingerprint_after(messages, "sent by the remote host is", fp, sizeof(fp));
	return vrp_error_set(
		VRP_EAUTH,
		"WARNING: the host key of %s has CHANGED (ssh: REMOTE HOST "
		"IDENTIFICATION HAS CHANGED): the server presented %s. Someone may be "
		"intercepting the connection, or the server was reinstalled. Nothing "
		"was sent. If the change is expected, remove the old key (ssh-keygen "
		"-R) and accept the new one with: vrp remote test %s --accept-host-key",
		s->set.host, *fp ? fp : "another key", s->name);
}

static int unknown_key(const struct sftp *s, const char *host_key)
{
	return vrp_error_set(VRP_EAUTH,
			     "the host key of %s is not known to ssh: the server presented %s; if "
			     "that is the server's key, accept it with: vrp remote test %s "
			     "--accept-host-key",
			     s->set.host, *host_key ? host_key : "a key ssh did not show", s->name);
}

int sftp_ssh_error(const struct sftp *s, const char *messages, const char *host_key)
{
	char last[512];
	last_line(messages, last, sizeof(last));
	if (strstr(messages, "REMOTE HOST IDENTIFICATION HAS CHANGED") ||
	    strstr(messages, "has changed and you have requested strict checking"))
		return changed_key(s, messages);
	if (strstr(messages, "Host key verification failed") ||
	    strstr(messages, "host key is known for"))
		return unknown_key(s, host_key);
	if (strstr(messages, "Permission denied ("))
		return vrp_error_set(
			VRP_EAUTH,
			"%s refused the login (ssh: %s); check key_file, the ssh-agent "
			"or the ssh config; a key with a passphrase or a password login "
			"needs it stored (vrp remote secret %s key_passphrase, or "
			"password), then libssh2 is used",
			s->set.host, last, s->name);
	if (strstr(messages, "Connection refused"))
		return vrp_error_set(
			VRP_EUNAVAILABLE,
			"%s refused the connection; is the SSH server running? (ssh: %s)",
			s->set.host, last);
	if (strstr(messages, "Could not resolve hostname"))
		return vrp_error_set(VRP_EUNAVAILABLE, "cannot resolve %s (ssh: %s)", s->set.host,
				     last);
	if (strstr(messages, "subsystem request failed"))
		return vrp_error_set(
			VRP_EPERMANENT,
			"%s has no sftp subsystem (ssh: %s); enable \"Subsystem sftp\" in "
			"the server's sshd_config",
			s->set.host, last);
	if (strstr(messages, "timed out"))
		return vrp_error_set(VRP_EUNAVAILABLE, "cannot connect to %s: %s", s->set.host,
				     last);
	return vrp_error_set(VRP_EUNAVAILABLE, "ssh to %s stopped before SFTP started: %s",
			     s->set.host, *last ? last : "it printed nothing");
}
