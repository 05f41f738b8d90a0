/*
 * sftp.c - an SSH server as a remote, over SFTP: the settings, the
 * instance, and the small operations. Uploads are in sftp_upload.c, listing
 * in sftp_list.c, downloads and read-back in sftp_read.c, the connection in
 * sftp_connect.c and its transports (sftp_transport.h).
 *
 * Settings: transport (openssh | libssh2), ssh_command (the ssh program and
 * its first arguments, for openssh), host (for openssh also a Host alias of
 * the ssh config), port (22), user (the local user), path (the remote root,
 * absolute or relative to the login folder), key_file, known_hosts
 * (~/.ssh/known_hosts), verify (size | sample | full), hash_command (a
 * command the server may run to hash a file, e.g. sha256sum; without it no
 * command is ever run), timeout (seconds, 30). Secrets, from the credential
 * store: key_passphrase, password.
 */
#include "cloud/providers/sftp.h"

#include "cloud/remote_name.h"
#include "core/error_set.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 30

static const struct vrp_provider_setting sftp_settings[] = {
	{ "transport", false,
	  "openssh (the ssh program; the default when it is on PATH) or libssh2" },
	{ "ssh_command", false, "the ssh program and leading arguments, e.g. ssh -F FILE" },
	{ "host", true, "the SSH server's host name, address or (openssh) ssh config Host alias" },
	{ "port", false, "the SSH port (22)" },
	{ "user", false, "the login name (the local user's)" },
	{ "path", true, "the folder to sync into, absolute or relative to the login folder" },
	{ "key_file", false, "a private key file (passphrase: secret key_passphrase)" },
	{ "known_hosts", false, "the known hosts file (~/.ssh/known_hosts)" },
	{ "verify", false, "size, sample (default) or full: how much of an upload is read back" },
	{ "hash_command", false, "a command the server may run to hash a file, e.g. sha256sum" },
	{ "timeout", false, "seconds to wait for the server (30)" },
	{ NULL, false, NULL },
};

/* "~/x" is the user's home, as ssh and the shell have it. */
static char *expand_home(const char *path)
{
	if (strncmp(path, "~/", 2) != 0)
		return strdup(path);
	const char *home = getenv("HOME");
	const struct passwd *pw = home && *home ? NULL : getpwuid(getuid());
	if (pw)
		home = pw->pw_dir;
	char *out = NULL;
	if (asprintf(&out, "%s%s", home ? home : "", path + 1) < 0)
		return NULL;
	return out;
}

static int parse_int(const char *text, int min, int max, const char *name, int *out)
{
	char *end = NULL;
	long v = strtol(text, &end, 10);
	if (!*text || *end || v < min || v > max)
		return vrp_error_set(VRP_EINVAL,
				     "setting '%s' must be a number from %d to %d, not '%s'", name,
				     min, max, text);
	*out = (int)v;
	return 0;
}

static int parse_verify(const char *text, enum sftp_verify_mode *out)
{
	static const char *const names[] = { "size", "sample", "full" };
	for (int i = 0; i < 3; i++)
		if (strcmp(text, names[i]) == 0) {
			*out = (enum sftp_verify_mode)i;
			return 0;
		}
	return vrp_error_set(VRP_EINVAL, "setting 'verify' must be size, sample or full, not '%s'",
			     text);
}

static char *default_user(void)
{
	const struct passwd *pw = getpwuid(getuid());
	const char *user = pw ? pw->pw_name : getenv("USER");
	return strdup(user ? user : "root");
}

static int parse_transport(const char *text, enum sftp_transport_kind *out)
{
	if (strcmp(text, "openssh") == 0)
		*out = SFTP_TRANSPORT_OPENSSH;
	else if (strcmp(text, "libssh2") == 0)
		*out = SFTP_TRANSPORT_LIBSSH2;
	else
		return vrp_error_set(VRP_EINVAL,
				     "setting 'transport' must be openssh or libssh2, not '%s'",
				     text);
	return 0;
}

static int copy_transport(struct sftp_settings *set, const struct vrp_provider_config *c)
{
	const char *get = vrp_provider_config_get(c, "transport");
	int rc = get ? parse_transport(get, &set->transport) : 0;
	if (rc == 0 && (get = vrp_provider_config_get(c, "ssh_command")))
		rc = sftp_split_command(get, &set->ssh_command);
	return rc;
}

static int copy_settings(struct sftp_settings *set, const struct vrp_provider_config *c)
{
	const char *get;
	int rc = copy_transport(set, c);
	if (rc < 0)
		return rc;
	set->port = 22;
	set->timeout_ms = DEFAULT_TIMEOUT_S * 1000;
	set->verify = SFTP_VERIFY_SAMPLE;
	if ((get = vrp_provider_config_get(c, "port")))
		rc = parse_int(get, 1, 65535, "port", &set->port);
	set->port_set = get != NULL;
	if (rc == 0 && (get = vrp_provider_config_get(c, "timeout")) &&
	    (rc = parse_int(get, 1, 3600, "timeout", &set->timeout_ms)) == 0)
		set->timeout_ms *= 1000;
	if (rc == 0 && (get = vrp_provider_config_get(c, "verify")))
		rc = parse_verify(get, &set->verify);
	if (rc < 0)
		return rc;
	set->host = strdup(vrp_provider_config_get(c, "host"));
	get = vrp_provider_config_get(c, "user");
	set->user = get ? strdup(get) : default_user();
	set->user_set = get != NULL;
	set->root = strdup(vrp_provider_config_get(c, "path"));
	get = vrp_provider_config_get(c, "known_hosts");
	set->known_hosts_set = get != NULL;
	set->known_hosts = expand_home(get ? get : "~/.ssh/known_hosts");
	get = vrp_provider_config_get(c, "key_file");
	set->key_file = get ? expand_home(get) : NULL;
	get = vrp_provider_config_get(c, "hash_command");
	set->hash_command = get ? strdup(get) : NULL;
	if (!set->host || !set->user || !set->root || !set->known_hosts ||
	    (get && !set->hash_command))
		return vrp_error_oom();
	/* "x/" and "x" are the same root; "/" stays "/". */
	for (size_t n = strlen(set->root); n > 1 && set->root[n - 1] == '/'; n--)
		set->root[n - 1] = '\0';
	return 0;
}

static void sftp_close(void *state)
{
	struct sftp *s = state;
	if (!s)
		return;
	sftp_disconnect(s);
	free(s->io_buf);
	free(s->checked_dir);
	free(s->name);
	free(s->set.host);
	free(s->set.user);
	free(s->set.root);
	free(s->set.key_file);
	free(s->set.known_hosts);
	free(s->set.hash_command);
	sftp_free_command(s->set.ssh_command);
	free(s);
}

static int sftp_open(void **state, const struct vrp_provider_config *config)
{
	struct sftp *s = calloc(1, sizeof(*s));
	if (!s)
		return vrp_error_oom();
	s->sock = -1;
	s->ops = &sftp_libssh2_transport;
	s->secret = config->secret;
	s->secret_ctx = config->secret_ctx;
	int rc =
		(s->name = strdup(config->name)) ? copy_settings(&s->set, config) : vrp_error_oom();
	if (rc == 0 && (!*s->set.host || !*s->set.root || !*s->set.user))
		rc = vrp_error_set(VRP_EINVAL,
				   "settings 'host', 'user' and 'path' cannot be empty");
	if (rc == 0 && s->set.key_file && !*s->set.key_file)
		rc = vrp_error_set(VRP_EINVAL, "setting 'key_file' cannot be empty");
	/* ssh would read a leading '-' as an option: "-oProxyCommand=..." runs anything. */
	if (rc == 0 && (s->set.host[0] == '-' || s->set.user[0] == '-'))
		rc = vrp_error_set(VRP_EINVAL,
				   "settings 'host' and 'user' cannot begin with '-' (it would be "
				   "read as an ssh option)");
	if (rc < 0) {
		sftp_close(s);
		return rc;
	}
	*state = s;
	return 0;
}

char *sftp_full_path(const struct sftp *s, const char *rel)
{
	char *out = NULL;
	const char *root = s->set.root;
	bool slash = root[strlen(root) - 1] == '/';
	if (asprintf(&out, "%s%s%s", root, rel && !slash ? "/" : "", rel ? rel : "") < 0)
		return NULL;
	return out;
}

int sftp_path_of_id(const struct sftp *s, const char *remote_id, char **full)
{
	char *rel = NULL;
	int rc = vrp_remote_path_normalize(remote_id, &rel);
	if (rc == 0 && !(*full = sftp_full_path(s, rel)))
		rc = vrp_error_oom();
	free(rel);
	return rc;
}

int sftp_lstat(struct sftp *s, const char *path, struct sftp_attrs *attrs)
{
	if (s->ops->stat(s, path, false, attrs) != 0)
		return sftp_fail(s, "cannot read the status of", path);
	if (!(attrs->flags & SFTP_ATTR_PERMISSIONS))
		attrs->permissions = 0;
	return 0;
}

/* sftp_refuse_link() keeping the attributes it read. */
static int sftp_refuse_link_attrs(struct sftp *s, const char *path, struct sftp_attrs *attrs)
{
	int rc = sftp_lstat(s, path, attrs);
	if (rc == 0 && SFTP_S_ISLNK(attrs->permissions))
		return vrp_error_set(
			VRP_EPERMANENT,
			"%s on %s is a symbolic link; links are not followed under the "
			"remote folder (make it a real folder or file)",
			path, s->set.host);
	return rc;
}

int sftp_refuse_link(struct sftp *s, const char *path)
{
	struct sftp_attrs attrs;
	return sftp_refuse_link_attrs(s, path, &attrs);
}

/*
 * SFTP has no openat: each component below the root is lstat'ed before the
 * operation uses the path. A component swapped for a link between this
 * check and the use is still followed; that window is accepted (only
 * someone who can write the remote folder can use it, and they could write
 * the files themselves). The root itself may be a link: the user chose it.
 *
 * The folders found real are remembered for the connection (`checked_dir`,
 * the deepest one): a run uploads many files into few folders, and an lstat
 * per folder per file was most of its round trips. That widens the window
 * above to the connection's life, for the same reason accepted.
 */
static bool dir_checked(const struct sftp *s, const char *path)
{
	const char *c = s->checked_dir;
	size_t n = strlen(path);
	return c && strncmp(c, path, n) == 0 && (c[n] == '\0' || c[n] == '/');
}

void sftp_forget_checked(struct sftp *s)
{
	free(s->checked_dir);
	s->checked_dir = NULL;
}

/* Remembers `full`'s folder as checked (its components were all real folders). */
static void remember_dir(struct sftp *s, const char *full)
{
	const char *slash = strrchr(full, '/');
	char *dir = slash ? strndup(full, (size_t)(slash - full)) : NULL;
	if (!dir || dir_checked(s, dir)) {
		free(dir); /* NULL: only a cache, the next call checks again */
		return;
	}
	free(s->checked_dir);
	s->checked_dir = dir;
}

/* lstat of one folder on the way: 0 when it is a real folder, 1 when it is not there. */
static int check_folder(struct sftp *s, const char *path)
{
	if (dir_checked(s, path))
		return 0;
	int rc = sftp_refuse_link(s, path);
	return rc == VRP_EREMOTE_NOT_FOUND ? 1 : rc;
}

/* Each folder below the root on the way to `path` (edited, restored); 0, 1 (one missing) or a code. */
static int check_folders(struct sftp *s, char *path, char **last)
{
	size_t root = strlen(s->set.root);
	char *p = path + (strncmp(path, s->set.root, root) == 0 ? root : strlen(path));
	*last = p;
	for (char *slash; *p && (slash = strchr(p + (*p == '/'), '/')) != NULL; p = slash) {
		*slash = '\0';
		int rc = check_folder(s, path);
		*slash = '/';
		if (rc != 0)
			return rc;
	}
	*last = p;
	return 0;
}

int sftp_refuse_links_at(struct sftp *s, const char *full, struct sftp_attrs *last, bool *found)
{
	*found = false;
	char *path = strdup(full), *name = NULL;
	if (!path)
		return vrp_error_oom();
	int rc = check_folders(s, path, &name);
	if (rc == 0 && *name) {
		rc = sftp_refuse_link_attrs(s, path, last);
		*found = rc == 0;
		if (rc == 0 || rc == VRP_EREMOTE_NOT_FOUND)
			remember_dir(s, path);
	}
	free(path);
	/* What is not there is no link; the operation itself reports or creates it. */
	return rc == 1 || rc == VRP_EREMOTE_NOT_FOUND ? 0 : rc;
}

int sftp_refuse_links(struct sftp *s, const char *full)
{
	struct sftp_attrs attrs;
	bool found = false;
	return sftp_refuse_links_at(s, full, &attrs, &found);
}

bool sftp_is_part(const char *name)
{
	size_t n = strlen(name), s = strlen(SFTP_PART_SUFFIX);
	return n >= s && strcmp(name + n - s, SFTP_PART_SUFFIX) == 0;
}

static int sftp_authenticate(void *state) { return sftp_connect(state); }

/* Whether the instance holds a live session; no round trip is made to find out. */
static int sftp_is_authenticated(void *state, bool *out)
{
	const struct sftp *s = state;
	*out = s->ops->connected(s);
	return 0;
}

static int sftp_accept(void *state, char **fingerprint)
{
	return sftp_accept_host_key(state, fingerprint);
}

static int stat_once(struct sftp *s, const char *full, const char *remote_path, unsigned flags,
		     vrp_remote_object **out)
{
	struct sftp_attrs attrs;
	char sha256[65];
	const char *how = NULL;
	bool found = false;
	int rc = sftp_connect(s);
	/* Not a link, so its lstat is its stat: one round trip. */
	if (rc == 0)
		rc = sftp_refuse_links_at(s, full, &attrs, &found);
	if (rc == 0 && !found)
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND,
				   "cannot read the status of %s on %s: no such file or folder", full,
				   s->set.host);
	if (rc == 0 && !SFTP_S_ISREG(attrs.permissions))
		rc = vrp_error_set(VRP_EREMOTE_NOT_FOUND, "%s on %s is not a file", full,
				   s->set.host);
	if (rc == 0 && (flags & VRP_STAT_CHECKSUM))
		rc = sftp_remote_sha256(s, full, sha256, &how);
	if (rc == 0 && !(*out = sftp_object(remote_path, &attrs)))
		rc = VRP_ENOMEM;
	if (rc == 0 && (flags & VRP_STAT_CHECKSUM)) {
		(*out)->checksum_kind = VRP_CHECKSUM_SHA256;
		rc = vrp_field_set(&(*out)->checksum, sha256);
	}
	return rc;
}

static int sftp_stat(void *state, const char *remote_path, unsigned flags, vrp_remote_object **out)
{
	struct sftp *s = state;
	char *full = sftp_full_path(s, remote_path);
	if (!full)
		return vrp_error_oom();
	int rc = stat_once(s, full, remote_path, flags, out);
	if (sftp_retry_stale(s, rc, 0))
		rc = stat_once(s, full, remote_path, flags, out);
	free(full);
	return rc;
}

static int delete_once(struct sftp *s, const char *full)
{
	int rc = sftp_connect(s);
	if (rc == 0)
		rc = sftp_refuse_links(s, full);
	if (rc == 0 && s->ops->unlink(s, full) != 0)
		rc = sftp_fail(s, "cannot delete", full);
	return rc;
}

static int sftp_delete(void *state, const char *remote_id)
{
	struct sftp *s = state;
	char *full = NULL;
	int rc = sftp_path_of_id(s, remote_id, &full);
	if (rc != 0)
		return rc;
	rc = delete_once(s, full);
	if (sftp_retry_stale(s, rc, 0))
		rc = delete_once(s, full);
	free(full);
	return rc;
}

static int statvfs_once(struct sftp *s, struct sftp_statvfs *vfs)
{
	int rc = sftp_connect(s);
	if (rc < 0 || s->ops->statvfs(s, s->set.root, vfs) == 0)
		return rc;
	if (sftp_status(s) == SFTP_FX_OP_UNSUPPORTED)
		return vrp_error_set(VRP_ENOTSUP,
				     "%s does not report free space (no statvfs@openssh.com)",
				     s->set.host);
	return sftp_fail(s, "cannot read the free space of", s->set.root);
}

static int sftp_storage_info(void *state, vrp_storage_info *out)
{
	struct sftp *s = state;
	struct sftp_statvfs vfs;
	int rc = statvfs_once(s, &vfs);
	if (sftp_retry_stale(s, rc, 0))
		rc = statvfs_once(s, &vfs);
	if (rc < 0)
		return rc;
	out->total = (int64_t)(vfs.f_blocks * vfs.f_frsize);
	out->free = (int64_t)(vfs.f_bavail * vfs.f_frsize);
	out->used = out->total - (int64_t)(vfs.f_bfree * vfs.f_frsize);
	return 0;
}

static int sftp_capabilities(void *state, vrp_provider_capabilities *out)
{
	const struct sftp *s = state;
	out->resumable = true;
	out->checksum_kinds = 1u << VRP_CHECKSUM_SHA256;
	/* Without a hash command, a checksum means reading the whole file back. */
	out->checksum_readback = s->set.hash_command == NULL;
	out->max_file_size = 0;
	return 0;
}

static int sftp_normalize_remote_id(void *state, const char *id, char **out)
{
	(void)state;
	return vrp_remote_path_normalize(id, out);
}

const struct vrp_provider_ops vrp_provider_sftp_ops = {
	.version = VRP_PROVIDER_OPS_VERSION,
	.type = "sftp",
	.description = "an SSH server, over SFTP",
	.settings = sftp_settings,
	.open = sftp_open,
	.close = sftp_close,
	.authenticate = sftp_authenticate,
	.is_authenticated = sftp_is_authenticated,
	.upload = sftp_upload,
	.download = sftp_download,
	.list = sftp_list,
	.stat = sftp_stat,
	.delete_object = sftp_delete,
	.storage_info = sftp_storage_info,
	.capabilities = sftp_capabilities,
	.normalize_remote_id = sftp_normalize_remote_id,
	.accept_host_key = sftp_accept,
	.metadata_sidecar = true,
};
