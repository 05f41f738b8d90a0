/*
 * sftp_session.c - the libssh2 transport's SSH connection: TCP, the
 * handshake, the host key check against known_hosts, user authentication
 * and the SFTP channel.
 *
 * The host key is checked before any credential is sent: an unknown key
 * stops with its fingerprint and how to accept it; a changed or revoked one
 * always stops (VRP_EAUTH) and logs a warning. Authentication tries, in
 * order: the key file (passphrase from the secret "key_passphrase" when the
 * store has one), else the agent at SSH_AUTH_SOCK, then the secret
 * "password" (password or keyboard-interactive) when the server offers it.
 */
#include "cloud/providers/sftp.h"

#include "cloud/providers/sftp_known_hosts.h"
#include "core/error_set.h"
#include "core/log.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init_libssh2(void) { init_rc = libssh2_init(0); }

/* Waits for a non-blocking connect; 0 when connected, else an errno value. */
static int finish_connect(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLOUT };
	int n;
	while ((n = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (n == 0)
		return ETIMEDOUT;
	int err = 0;
	socklen_t len = sizeof(err);
	if (n < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0)
		return errno;
	return err;
}

static int try_address(const struct addrinfo *ai, int timeout_ms, int *fd_out)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			ai->ai_protocol);
	if (fd < 0)
		return errno;
	int err = connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
	if (err == EINPROGRESS)
		err = finish_connect(fd, timeout_ms);
	int one = 1;
	if (err == 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
		err = errno;
	/* Requests are small and answered one by one: Nagle would hold them back. */
	if (err == 0)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (err) {
		close(fd);
		return err;
	}
	*fd_out = fd;
	return 0;
}

static int tcp_connect(struct sftp *s)
{
	char port[16];
	snprintf(port, sizeof(port), "%d", s->set.port);
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *list = NULL;
	int gai = getaddrinfo(s->set.host, port, &hints, &list);
	if (gai != 0)
		return vrp_error_set(VRP_EUNAVAILABLE, "cannot resolve %s: %s", s->set.host,
				     gai_strerror(gai));
	int err = ENOENT;
	for (const struct addrinfo *ai = list; ai && err; ai = ai->ai_next)
		err = try_address(ai, s->set.timeout_ms, &s->sock);
	freeaddrinfo(list);
	if (err == ECONNREFUSED)
		return vrp_error_set(VRP_EUNAVAILABLE,
				     "%s:%d refused the connection; is the SSH server running?",
				     s->set.host, s->set.port);
	if (err)
		return vrp_error_set(VRP_EUNAVAILABLE, "cannot connect to %s:%d: %s", s->set.host,
				     s->set.port, strerror(err));
	return 0;
}

static const char *session_message(struct sftp *s)
{
	char *msg = NULL;
	libssh2_session_last_error(s->session, &msg, NULL, 0);
	return msg && *msg ? msg : "no detail";
}

/*
 * Sets the host key preference to the methods of `methods` this libssh2
 * supports: libssh2 1.10 corrupts the list while dropping one it does not
 * know (an overlapping memcpy), so none is left for it to drop.
 */
static void set_host_key_methods(LIBSSH2_SESSION *session, char *methods)
{
	const char **algs = NULL;
	int n = libssh2_session_supported_algs(session, LIBSSH2_METHOD_HOSTKEY, &algs);
	char *out = methods;
	for (char *m = methods; n > 0 && *m;) {
		size_t len = strcspn(m, ",");
		bool known = false;
		for (int i = 0; i < n && !known; i++)
			known = strlen(algs[i]) == len && strncmp(algs[i], m, len) == 0;
		char *next = m + len + (m[len] == ',');
		if (known) {
			if (out != methods)
				*out++ = ',';
			memmove(out, m, len);
			out += len;
		}
		m = next;
	}
	*out = '\0';
	if (algs)
		libssh2_free(session, (void *)algs);
	if (n > 0 && *methods)
		libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY, methods);
}

/* Known key types are offered first so the server shows a key we can check. */
static int start_session(struct sftp *s, const char *known_name)
{
	struct sftp_host_key probe = { .base64 = (char *)"" };
	enum sftp_host_key_status status;
	char *types = NULL;
	int rc = sftp_known_hosts_check(s->set.known_hosts, known_name, &probe, &status, &types);
	char *methods = rc == 0 ? sftp_host_key_methods(types) : NULL;
	free(types);
	if (rc < 0)
		return rc;
	s->session = methods ? libssh2_session_init_ex(NULL, NULL, NULL, s) : NULL;
	if (!s->session) {
		free(methods);
		return vrp_error_oom();
	}
	libssh2_session_set_blocking(s->session, 1);
	libssh2_session_set_timeout(s->session, s->set.timeout_ms);
	set_host_key_methods(s->session, methods);
	free(methods);
	if (libssh2_session_handshake(s->session, s->sock) != 0)
		return vrp_error_set(VRP_EUNAVAILABLE, "SSH handshake with %s:%d failed: %s",
				     s->set.host, s->set.port, session_message(s));
	return 0;
}

static int unknown_host(struct sftp *s, const char *known_name, const struct sftp_host_key *key)
{
	return vrp_error_set(VRP_EAUTH,
			     "the host key of %s is not known (it is not in %s): %s %s; if that "
			     "is the server's key, accept it with: vrp remote test %s "
			     "--accept-host-key",
			     known_name, s->set.known_hosts, key->type, key->fingerprint, s->name);
}

static int changed_host(struct sftp *s, const char *known_name, const struct sftp_host_key *key,
			bool revoked)
{
	VRP_LOG_WARNING("sftp",
			json_pack("{s:s, s:s, s:s}", "remote", s->name, "host", known_name,
				  "fingerprint", key->fingerprint),
			"the host key of %s is %s: someone may be intercepting the connection; "
			"nothing was sent",
			known_name, revoked ? "revoked" : "not the one recorded");
	if (revoked)
		return vrp_error_set(VRP_EAUTH, "the host key of %s (%s) is marked @revoked in %s",
				     known_name, key->fingerprint, s->set.known_hosts);
	return vrp_error_set(VRP_EAUTH,
			     "WARNING: the host key of %s has CHANGED: the server presented %s %s, "
			     "which is not the key recorded in %s. Someone may be intercepting the "
			     "connection, or the server was reinstalled. Nothing was sent. If the "
			     "change is expected, remove the old entry from %s and accept the new "
			     "key with: vrp remote test %s --accept-host-key",
			     known_name, key->type, key->fingerprint, s->set.known_hosts,
			     s->set.known_hosts, s->name);
}

static int check_host_key(struct sftp *s, const char *known_name, bool accept, char **fingerprint)
{
	size_t len = 0;
	int type = 0;
	const char *blob = libssh2_session_hostkey(s->session, &len, &type);
	struct sftp_host_key key;
	enum sftp_host_key_status status = SFTP_HOST_KEY_UNKNOWN;
	int rc = blob ? sftp_host_key_describe((const unsigned char *)blob, len, &key)
		      : vrp_error_set(VRP_EUNAVAILABLE, "%s sent no host key", known_name);
	if (rc < 0)
		return rc;
	rc = sftp_known_hosts_check(s->set.known_hosts, known_name, &key, &status, NULL);
	if (rc == 0 && (status == SFTP_HOST_KEY_CHANGED || status == SFTP_HOST_KEY_REVOKED))
		rc = changed_host(s, known_name, &key, status == SFTP_HOST_KEY_REVOKED);
	else if (rc == 0 && status == SFTP_HOST_KEY_UNKNOWN && !accept)
		rc = unknown_host(s, known_name, &key);
	else if (rc == 0 && status == SFTP_HOST_KEY_UNKNOWN) {
		rc = sftp_known_hosts_append(s->set.known_hosts, known_name, &key);
		if (rc == 0)
			VRP_LOG_INFO("sftp",
				     json_pack("{s:s, s:s, s:s}", "remote", s->name, "host",
					       known_name, "fingerprint", key.fingerprint),
				     "host key accepted and added to %s", s->set.known_hosts);
	}
	if (rc == 0 && fingerprint && !(*fingerprint = strdup(key.fingerprint)))
		rc = vrp_error_oom();
	sftp_host_key_clear(&key);
	return rc;
}

/* Looks up a secret; *out stays NULL when the store has none. */
static int get_secret(struct sftp *s, const char *key, char **out)
{
	*out = NULL;
	if (!s->secret)
		return 0;
	int rc = s->secret(s->secret_ctx, s->name, key, out);
	return rc == VRP_ENOTFOUND ? 0 : rc;
}

static void free_secret(char *secret)
{
	if (!secret)
		return;
	/* volatile: the compiler may not drop a wipe of memory about to be freed. */
	for (volatile char *p = secret; *p; p++)
		*p = '\0';
	free(secret);
}

static int auth_key_file(struct sftp *s, char *tried, size_t size)
{
	char *passphrase = NULL;
	int rc = get_secret(s, "key_passphrase", &passphrase);
	if (rc < 0)
		return rc;
	rc = libssh2_userauth_publickey_fromfile_ex(s->session, s->set.user,
						    (unsigned)strlen(s->set.user), NULL,
						    s->set.key_file, passphrase);
	free_secret(passphrase);
	if (rc == LIBSSH2_ERROR_FILE)
		snprintf(tried + strlen(tried), size - strlen(tried),
			 "key file %s (cannot be read, or it needs its passphrase: vrp remote "
			 "secret %s key_passphrase); ",
			 s->set.key_file, s->name);
	else if (rc != 0)
		snprintf(tried + strlen(tried), size - strlen(tried), "key file %s; ",
			 s->set.key_file);
	return 0;
}

static int auth_agent(struct sftp *s, char *tried, size_t size)
{
	LIBSSH2_AGENT *agent = libssh2_agent_init(s->session);
	if (!agent)
		return vrp_error_oom();
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	int done = -1;
	if (libssh2_agent_connect(agent) == 0 && libssh2_agent_list_identities(agent) == 0) {
		while (done != 0 && libssh2_agent_get_identity(agent, &id, prev) == 0) {
			done = libssh2_agent_userauth(agent, s->set.user, id);
			prev = id;
		}
		libssh2_agent_disconnect(agent);
	}
	libssh2_agent_free(agent);
	if (done != 0)
		snprintf(tried + strlen(tried), size - strlen(tried), "the agent's keys; ");
	return 0;
}

/* Answers every keyboard-interactive prompt with the stored password. */
static void kbdint_answer(const char *name, int name_len, const char *instruction,
			  int instruction_len, int num_prompts,
			  const LIBSSH2_USERAUTH_KBDINT_PROMPT *prompts,
			  LIBSSH2_USERAUTH_KBDINT_RESPONSE *responses, void **abstract)
{
	(void)name, (void)name_len, (void)instruction, (void)instruction_len, (void)prompts;
	const struct sftp *s = *abstract;
	for (int i = 0; i < num_prompts; i++) {
		responses[i].text = strdup(s->password ? s->password : "");
		responses[i].length = responses[i].text ? (unsigned)strlen(responses[i].text) : 0;
	}
}

static int auth_password(struct sftp *s, const char *methods, char *tried, size_t size)
{
	int rc = get_secret(s, "password", &s->password);
	if (rc < 0 || !s->password)
		return rc;
	unsigned ulen = (unsigned)strlen(s->set.user);
	int ok = -1;
	if (strstr(methods, "password"))
		ok = libssh2_userauth_password_ex(s->session, s->set.user, ulen, s->password,
						  (unsigned)strlen(s->password), NULL);
	if (ok != 0 && strstr(methods, "keyboard-interactive"))
		ok = libssh2_userauth_keyboard_interactive_ex(s->session, s->set.user, ulen,
							      kbdint_answer);
	free_secret(s->password);
	s->password = NULL;
	if (ok != 0)
		snprintf(tried + strlen(tried), size - strlen(tried), "the stored password; ");
	return 0;
}

static int authenticate_user(struct sftp *s)
{
	const char *methods =
		libssh2_userauth_list(s->session, s->set.user, (unsigned)strlen(s->set.user));
	if (!methods)
		return libssh2_userauth_authenticated(s->session)
			       ? 0
			       : vrp_error_set(VRP_EUNAVAILABLE, "%s:%d closed the connection: %s",
					       s->set.host, s->set.port, session_message(s));
	char tried[1024] = "";
	const char *agent_sock = getenv("SSH_AUTH_SOCK");
	int rc = 0;
	if (s->set.key_file && strstr(methods, "publickey"))
		rc = auth_key_file(s, tried, sizeof(tried));
	else if (agent_sock && *agent_sock && strstr(methods, "publickey"))
		rc = auth_agent(s, tried, sizeof(tried));
	if (rc == 0 && !libssh2_userauth_authenticated(s->session) &&
	    (strstr(methods, "password") || strstr(methods, "keyboard-interactive")))
		rc = auth_password(s, methods, tried, sizeof(tried));
	if (rc < 0 || libssh2_userauth_authenticated(s->session))
		return rc;
	size_t n = strlen(tried);
	if (n >= 2)
		tried[n - 2] = '\0';
	return vrp_error_set(VRP_EAUTH,
			     "%s@%s:%d refused the login (tried: %s; the server accepts: %s); set "
			     "key_file, run an ssh-agent, or store a password with vrp remote "
			     "secret %s password",
			     s->set.user, s->set.host, s->set.port, *tried ? tried : "nothing",
			     methods, s->name);
}

int sftp_libssh2_open(struct sftp *s, bool accept, char **fingerprint)
{
	pthread_once(&init_once, init_libssh2);
	if (init_rc != 0)
		return vrp_error_set(VRP_ERROR, "libssh2 failed to initialise");
	char known_name[300];
	sftp_known_hosts_name(s->set.host, s->set.port, known_name, sizeof(known_name));
	int rc = tcp_connect(s);
	if (rc == 0)
		rc = start_session(s, known_name);
	if (rc == 0)
		rc = check_host_key(s, known_name, accept, fingerprint);
	if (rc == 0)
		rc = authenticate_user(s);
	if (rc == 0 && !(s->sftp = libssh2_sftp_init(s->session)))
		rc = vrp_error_set(VRP_EPERMANENT, "%s:%d did not start SFTP: %s", s->set.host,
				   s->set.port, session_message(s));
	if (rc < 0)
		sftp_libssh2_close(s);
	else
		VRP_LOG_DEBUG("sftp", json_pack("{s:s}", "remote", s->name), "connected to %s",
			      known_name);
	return rc;
}

void sftp_libssh2_close(struct sftp *s)
{
	/* A broken connection is torn down without the polite goodbyes, which would wait. */
	if (s->broken && s->sock >= 0)
		shutdown(s->sock, SHUT_RDWR);
	if (s->sftp)
		libssh2_sftp_shutdown(s->sftp);
	if (s->session) {
		if (!s->broken)
			libssh2_session_disconnect(s->session, "vrp done");
		libssh2_session_free(s->session);
	}
	if (s->sock >= 0)
		close(s->sock);
	s->sftp = NULL;
	s->session = NULL;
	s->sock = -1;
	s->broken = false;
	s->reused = false;
}
