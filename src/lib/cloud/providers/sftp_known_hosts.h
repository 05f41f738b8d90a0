/*
 * sftp_known_hosts.h - checking a server's host key against an OpenSSH
 * known_hosts file, and recording a key the user accepted (internal).
 *
 * The file is read here rather than by libssh2's reader, which stops at the
 * first line it cannot parse (a @cert-authority line, a key type it does not
 * know): every entry after it would be missed, and a changed key would look
 * merely unknown. Lines are matched as OpenSSH does: comma-separated
 * patterns with * and ?, negated patterns (!pattern), hashed names
 * (|1|salt|hash) and "[host]:port" for ports other than 22. @revoked keys
 * are refused; @cert-authority lines are ignored (certificates are not
 * supported).
 *
 * A host that has entries, none of them the presented key, is "changed":
 * never trusted, whichever key type the entries have.
 */
#ifndef VRP_CLOUD_SFTP_KNOWN_HOSTS_H
#define VRP_CLOUD_SFTP_KNOWN_HOSTS_H

#include <stddef.h>

enum sftp_host_key_status {
	SFTP_HOST_KEY_MATCH,   /* the host is recorded with this key */
	SFTP_HOST_KEY_UNKNOWN, /* the host is not in the file (or there is no file) */
	SFTP_HOST_KEY_CHANGED, /* the host is recorded with other keys only */
	SFTP_HOST_KEY_REVOKED, /* the key is marked @revoked */
};

/* A server's host key, described from its wire-format blob. */
struct sftp_host_key {
	char type[64];        /* "ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256"... */
	char *base64;         /* the blob as known_hosts stores it (malloc'd) */
	char fingerprint[64]; /* "SHA256:<unpadded base64>", as OpenSSH prints it */
};

/* Fills `key` from `blob`; VRP_EINVAL for a malformed blob. Clear with sftp_host_key_clear(). */
int sftp_host_key_describe(const unsigned char *blob, size_t len, struct sftp_host_key *key);

/* Frees what sftp_host_key_describe() allocated; NULL is a no-op. */
void sftp_host_key_clear(struct sftp_host_key *key);

/* The name known_hosts uses for `host`: "host" on port 22, else "[host]:port". */
void sftp_known_hosts_name(const char *host, int port, char *out, size_t size);

/*
 * Looks `name` (from sftp_known_hosts_name) up in the file at `path` (a
 * missing file knows no host). `*known_types`, when not NULL, receives the
 * key types recorded for the host, comma-separated in file order (malloc'd,
 * "" when none), so the connection can ask for a key type we can check.
 */
int sftp_known_hosts_check(const char *path, const char *name, const struct sftp_host_key *key,
			   enum sftp_host_key_status *status, char **known_types);

/*
 * Appends "<name> <type> <base64>" to the file at `path`, creating it 0600
 * (and its folder 0700) when missing, and syncs it.
 */
int sftp_known_hosts_append(const char *path, const char *name, const struct sftp_host_key *key);

/* The hostkey method preference for libssh2: `known_types`' methods first (malloc'd). */
char *sftp_host_key_methods(const char *known_types);

/* Exposed for tests: whether `hostname` matches the known_hosts pattern list `patterns`. */
int sftp_known_hosts_match(const char *patterns, size_t len, const char *hostname);

#endif
