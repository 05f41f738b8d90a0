/*
 * sftp_connect.c - which transport an sftp remote uses, and connecting
 * through it (see sftp.h for the choice).
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"
#include "core/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Whether the store holds `key` for this remote (looked up, then wiped). */
static bool has_secret(struct sftp *s, const char *key)
{
	char *value = NULL;
	if (!s->secret || s->secret(s->secret_ctx, s->name, key, &value) != 0 || !value)
		return false;
	for (volatile char *p = value; *p; p++)
		*p = '\0';
	free(value);
	return true;
}

static const struct sftp_transport_ops *choose(struct sftp *s)
{
	static atomic_bool noted;
	if (s->set.transport == SFTP_TRANSPORT_OPENSSH)
		return &sftp_openssh_transport;
	if (s->set.transport == SFTP_TRANSPORT_LIBSSH2)
		return &sftp_libssh2_transport;
	/* BatchMode ssh cannot ask for a password or a passphrase: libssh2 can use stored ones. */
	if (has_secret(s, "password") || has_secret(s, "key_passphrase"))
		return &sftp_libssh2_transport;
	const char *program = s->set.ssh_command ? s->set.ssh_command[0] : "ssh";
	if (sftp_program_on_path(program))
		return &sftp_openssh_transport;
	if (!atomic_exchange(&noted, true))
		VRP_LOG_INFO("sftp", json_pack("{s:s, s:s}", "remote", s->name, "program", program),
			     "no %s program on PATH: sftp remotes use libssh2 (set transport to "
			     "choose)",
			     program);
	return &sftp_libssh2_transport;
}

int sftp_connect(struct sftp *s)
{
	if (s->broken)
		sftp_disconnect(s);
	/* Chosen again for each new connection: a secret stored meanwhile changes the choice. */
	if (!s->ops->connected(s)) {
		sftp_forget_checked(s);
		s->ops = choose(s);
	}
	s->reused = s->ops->connected(s);
	return s->ops->connect(s, false, NULL);
}

int sftp_accept_host_key(struct sftp *s, char **fingerprint)
{
	*fingerprint = NULL;
	/* Always a fresh connection, so the key checked is the one the server shows now. */
	sftp_disconnect(s);
	s->ops = choose(s);
	return s->ops->connect(s, true, fingerprint);
}

void sftp_disconnect(struct sftp *s)
{
	s->ops->disconnect(s);
	sftp_forget_checked(s);
	s->broken = false;
	s->reused = false;
}
