/*
 * sftp_known_hosts.c - host key lookup in OpenSSH known_hosts files; see
 * sftp_known_hosts.h for what is supported and why it is not libssh2's reader.
 */
#include "cloud/providers/sftp_known_hosts.h"
#include "core/durable.h"

#include "core/error_set.h"
#include "core/fsutil.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *base64_encode(const unsigned char *data, size_t len)
{
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	return out;
}

/* Decodes into `out` (at least 3/4 of `len`); the decoded length, -1 when malformed. */
static int base64_decode(const char *text, size_t len, unsigned char *out)
{
	if (len == 0 || len % 4 != 0)
		return -1;
	int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)len);
	if (n < 0)
		return -1;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	for (size_t i = len; i > 0 && text[i - 1] == '='; i--)
		n--;
	return n;
}

int sftp_host_key_describe(const unsigned char *blob, size_t len, struct sftp_host_key *key)
{
	memset(key, 0, sizeof(*key));
	/* The blob starts with the key type as an SSH string: a 32-bit length, then the name. */
	uint32_t type_len = len >= 4 ? ((uint32_t)blob[0] << 24 | (uint32_t)blob[1] << 16 |
					(uint32_t)blob[2] << 8 | blob[3])
				     : 0;
	if (type_len == 0 || type_len >= sizeof(key->type) || 4 + (size_t)type_len > len)
		return vrp_error_set(VRP_EINVAL, "the server sent a malformed host key");
	memcpy(key->type, blob + 4, type_len);
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned digest_len = 0;
	char *fp = NULL;
	key->base64 = base64_encode(blob, len);
	if (key->base64 && EVP_Digest(blob, len, digest, &digest_len, EVP_sha256(), NULL) == 1)
		fp = base64_encode(digest, digest_len);
	if (!fp) {
		sftp_host_key_clear(key);
		return vrp_error_oom();
	}
	fp[strcspn(fp, "=")] = '\0';
	snprintf(key->fingerprint, sizeof(key->fingerprint), "SHA256:%s", fp);
	free(fp);
	return 0;
}

void sftp_host_key_clear(struct sftp_host_key *key)
{
	if (!key)
		return;
	free(key->base64);
	key->base64 = NULL;
}

void sftp_known_hosts_name(const char *host, int port, char *out, size_t size)
{
	if (port == 22)
		snprintf(out, size, "%s", host);
	else
		snprintf(out, size, "[%s]:%d", host, port);
}

/*
 * OpenSSH's glob: * and ? only, host names compared without case. Iterative,
 * going back only to the last star: a pattern of many stars (the fuzzer's
 * "****...x") costs pattern x name steps, not exponentially many.
 */
static bool glob_match(const char *pat, size_t plen, const char *s)
{
	size_t p = 0, star_p = 0;
	const char *star_s = NULL;
	while (*s) {
		if (p < plen && pat[p] == '*') {
			star_p = ++p;
			star_s = s;
		} else if (p < plen && (pat[p] == '?' || tolower((unsigned char)pat[p]) ==
								 tolower((unsigned char)*s))) {
			p++;
			s++;
		} else if (star_s) {
			p = star_p;
			s = ++star_s;
		} else {
			return false;
		}
	}
	while (p < plen && pat[p] == '*')
		p++;
	return p == plen;
}

/* "|1|<base64 salt>|<base64 HMAC-SHA1(salt, name)>", as HashKnownHosts writes. */
static bool hashed_match(const char *pat, size_t plen, const char *name)
{
	const char *salt = pat + 3;
	const char *bar = memchr(salt, '|', plen - 3);
	if (!bar)
		return false;
	unsigned char salt_raw[64], hash_raw[64], mac[EVP_MAX_MD_SIZE];
	size_t salt_len = (size_t)(bar - salt), hash_len = plen - 3 - salt_len - 1;
	if (salt_len > 80 || hash_len > 80)
		return false;
	int sn = base64_decode(salt, salt_len, salt_raw);
	int hn = base64_decode(bar + 1, hash_len, hash_raw);
	unsigned mac_len = 0;
	if (sn <= 0 || hn != 20 ||
	    !HMAC(EVP_sha1(), salt_raw, sn, (const unsigned char *)name, strlen(name), mac,
		  &mac_len))
		return false;
	return mac_len == 20 && memcmp(mac, hash_raw, 20) == 0;
}

int sftp_known_hosts_match(const char *patterns, size_t len, const char *hostname)
{
	bool matched = false;
	const char *end = patterns + len;
	for (const char *p = patterns; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t plen = (size_t)((comma ? comma : end) - p);
		bool negated = plen > 0 && *p == '!';
		const char *pat = negated ? p + 1 : p;
		size_t n = negated ? plen - 1 : plen;
		bool hit = n > 3 && strncmp(pat, "|1|", 3) == 0 ? hashed_match(pat, n, hostname)
								: glob_match(pat, n, hostname);
		/* A negated pattern that matches excludes the host from the whole line. */
		if (hit && negated)
			return 0;
		matched = matched || hit;
		p += plen + 1;
	}
	return matched;
}

struct scan {
	const char *name;
	const struct sftp_host_key *key;
	bool matched, revoked, seen;
	char *types;
	size_t types_len;
};

static int add_type(struct scan *sc, const char *type, size_t len)
{
	for (const char *t = sc->types; t && *t;) {
		size_t n = strcspn(t, ",");
		if (n == len && strncmp(t, type, len) == 0)
			return 0;
		t += n + (t[n] == ',');
	}
	char *grown = realloc(sc->types, sc->types_len + len + 2);
	if (!grown)
		return vrp_error_oom();
	sc->types = grown;
	if (sc->types_len)
		sc->types[sc->types_len++] = ',';
	memcpy(sc->types + sc->types_len, type, len);
	sc->types_len += len;
	sc->types[sc->types_len] = '\0';
	return 0;
}

/* Splits the next whitespace-separated field off `*p`; its length, 0 at the end. */
static size_t field(const char **p, const char **start)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
	*start = *p;
	while (**p && **p != ' ' && **p != '\t' && **p != '\n' && **p != '\r')
		(*p)++;
	return (size_t)(*p - *start);
}

static int scan_line(struct scan *sc, const char *line)
{
	const char *p = line, *hosts, *type, *blob;
	size_t hl = field(&p, &hosts);
	if (hl == 0 || *hosts == '#')
		return 0;
	bool revoked_line = false;
	if (*hosts == '@') {
		/* @cert-authority lines describe CAs, which we do not support. */
		if (hl != 8 || strncmp(hosts, "@revoked", 8) != 0)
			return 0;
		revoked_line = true;
		hl = field(&p, &hosts);
	}
	size_t tl = field(&p, &type);
	size_t bl = field(&p, &blob);
	if (hl == 0 || tl == 0 || bl == 0 || !sftp_known_hosts_match(hosts, hl, sc->name))
		return 0;
	bool same = tl == strlen(sc->key->type) && strncmp(type, sc->key->type, tl) == 0 &&
		    bl == strlen(sc->key->base64) && strncmp(blob, sc->key->base64, bl) == 0;
	if (revoked_line) {
		sc->revoked = sc->revoked || same;
		return 0;
	}
	sc->seen = true;
	sc->matched = sc->matched || same;
	return add_type(sc, type, tl);
}

static int scan_file(FILE *f, struct scan *sc)
{
	char *line = NULL;
	size_t cap = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &cap, f) >= 0)
		rc = scan_line(sc, line);
	free(line);
	return rc;
}

int sftp_known_hosts_check(const char *path, const char *name, const struct sftp_host_key *key,
			   enum sftp_host_key_status *status, char **known_types)
{
	struct scan sc = { .name = name, .key = key };
	*status = SFTP_HOST_KEY_UNKNOWN;
	if (known_types)
		*known_types = NULL;
	FILE *f = fopen(path, "re");
	int rc = 0;
	if (f) {
		rc = scan_file(f, &sc);
		fclose(f);
	} else if (errno != ENOENT) {
		rc = vrp_error_set(VRP_EAUTH, "cannot read the known hosts file %s: %s", path,
				   strerror(errno));
	}
	if (rc == 0 && known_types && !(*known_types = sc.types ? sc.types : strdup("")))
		rc = vrp_error_oom();
	if (rc == 0 && known_types)
		sc.types = NULL;
	free(sc.types);
	if (rc < 0)
		return rc;
	if (sc.revoked)
		*status = SFTP_HOST_KEY_REVOKED;
	else if (sc.matched)
		*status = SFTP_HOST_KEY_MATCH;
	else if (sc.seen)
		*status = SFTP_HOST_KEY_CHANGED;
	return 0;
}

/* Whether the file's last byte is a newline (or the file is empty). */
static bool ends_in_newline(int fd)
{
	off_t size = lseek(fd, 0, SEEK_END);
	char last = '\n';
	return size <= 0 || (pread(fd, &last, 1, size - 1) == 1 && last == '\n');
}

int sftp_known_hosts_append(const char *path, const char *name, const struct sftp_host_key *key)
{
	char *dir = strdup(path);
	if (!dir)
		return vrp_error_oom();
	char *slash = strrchr(dir, '/');
	int rc = 0;
	if (slash && slash != dir) {
		*slash = '\0';
		rc = vrp_fs_mkdir_p(dir, 0700);
	}
	free(dir);
	if (rc < 0)
		return rc;
	int fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return vrp_error_from_errno(errno, "cannot open the known hosts file %s", path);
	char *line = NULL;
	int len = asprintf(&line, "%s%s %s %s\n", ends_in_newline(fd) ? "" : "\n", name, key->type,
			   key->base64);
	if (len < 0)
		rc = vrp_error_oom();
	else if (vrp_fs_write_all(fd, line, (size_t)len) < 0 || vrp_durable_fsync(fd) != 0)
		rc = vrp_error_from_errno(errno, "cannot write the known hosts file %s", path);
	free(line);
	close(fd);
	return rc;
}

/* The libssh2 hostkey methods that can present a key of known_hosts type `type`. */
static const char *methods_for(const char *type, size_t len)
{
	static const struct {
		const char *type, *methods;
	} map[] = {
		{ "ssh-ed25519", "ssh-ed25519" },
		{ "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256" },
		{ "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384" },
		{ "ecdsa-sha2-nistp521", "ecdsa-sha2-nistp521" },
		{ "ssh-rsa", "rsa-sha2-512,rsa-sha2-256,ssh-rsa" },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (strlen(map[i].type) == len && strncmp(map[i].type, type, len) == 0)
			return map[i].methods;
	return NULL;
}

/* Appends the comma-separated `methods` to `out` (of `size`), skipping those already there. */
static void add_methods(char *out, size_t size, const char *methods)
{
	for (const char *m = methods; *m;) {
		size_t n = strcspn(m, ",");
		bool present = false;
		for (const char *o = out; *o && !present;) {
			size_t on = strcspn(o, ",");
			present = on == n && strncmp(o, m, n) == 0;
			o += on + (o[on] == ',');
		}
		if (!present)
			snprintf(out + strlen(out), size - strlen(out), "%s%.*s", *out ? "," : "",
				 (int)n, m);
		m += n + (m[n] == ',');
	}
}

char *sftp_host_key_methods(const char *known_types)
{
	static const char defaults[] = "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
				       "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa";
	size_t size = sizeof(defaults) + 1;
	char *out = malloc(size);
	if (!out)
		return NULL;
	out[0] = '\0';
	/* Known types first: the server then presents a key we can check, not a new one. */
	for (const char *t = known_types ? known_types : ""; *t;) {
		size_t n = strcspn(t, ",");
		const char *m = methods_for(t, n);
		if (m)
			add_methods(out, size, m);
		t += n + (t[n] == ',');
	}
	add_methods(out, size, defaults);
	return out;
}
