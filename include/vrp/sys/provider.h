/*
 * vrp/sys/provider.h - the provider vtable, for those who implement a provider.
 *
 * Users of providers include <vrp/provider.h> only. Each provider is one
 * `struct vrp_provider_ops` in its own file (src/lib/cloud/providers/<type>.c),
 * listed in the registry; the core calls through the table and nothing else.
 *
 * `version` comes first so the table can grow: a table declaring an older
 * version has NULL for every member added after it, and the core treats a
 * NULL operation as VRP_ENOTSUP. Start from VRP_PROVIDER_OPS_INIT.
 *
 * Contracts every implementation keeps:
 * - Return 0 or a VRP_E* code, after recording the detail (remote, path,
 *   HTTP status) with the library's error functions. Classify remote
 *   failures as described in <vrp/provider.h>; set a Retry-After hint with
 *   the registry's helper when the remote sends one.
 * - Remote paths arrive already checked (relative, no "..", no control
 *   characters); providers may check again but need not.
 * - upload must not leave a partial object at the final name: write to a
 *   session or a temporary name and make it visible only when complete and
 *   verified. When interrupted, return resume state if it can continue.
 * - download writes the object's bytes to `fd` from its current offset and
 *   nothing else; the core owns the temporary file, the fsync, the checksum
 *   and the rename, so every provider gets the same guarantee.
 * - A provider never touches the database.
 * - Operations may be called from several threads on different instances;
 *   one instance is used by one thread at a time.
 */
#ifndef VRP_SYS_PROVIDER_H
#define VRP_SYS_PROVIDER_H

#include "vrp/provider.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VRP_PROVIDER_OPS_VERSION 4

/* A setting a provider accepts. Tables end with an entry whose name is NULL. */
struct vrp_provider_setting {
	const char *name;
	bool required;
	const char *help;
};

/* What open() receives; valid only during the call (copy what you keep). */
struct vrp_provider_config {
	const char *name; /* the remote's name */
	const vrp_kv *settings;
	size_t settings_count;
	vrp_secret_fn secret;
	void *secret_ctx;
	vrp_secret_put_fn put_secret; /* may be NULL: the provider cannot store secrets */
	vrp_secret_lock_fn lock_secret; /* may be NULL: see vrp_secret_lock_fn */
	vrp_secret_unlock_fn unlock_secret;
};

struct vrp_provider_ops {
	unsigned version; /* VRP_PROVIDER_OPS_VERSION when the table was written */
	const char *type; /* the registry key: "localdir" */
	const char *description;
	const struct vrp_provider_setting *settings;

	/* Creates the instance state from validated settings; close frees it. */
	int (*open)(void **state, const struct vrp_provider_config *config);
	void (*close)(void *state);

	int (*authenticate)(void *state);
	int (*is_authenticated)(void *state, bool *out);
	int (*upload)(void *state, const vrp_upload_request *request, vrp_remote_object **out,
		      char **resume_state);
	/* Writes the object's bytes to `fd`; see the contract above. */
	int (*download)(void *state, const char *remote_id, int fd,
			vrp_transfer_progress_fn progress, void *progress_ctx);
	int (*list)(void *state, const char *prefix, const char *page_token, size_t page_size,
		    vrp_remote_page **out);
	int (*stat)(void *state, const char *remote_path, unsigned flags, vrp_remote_object **out);
	int (*delete_object)(void *state, const char *remote_id);
	/* Fills `out` (initialised to -1 everywhere). */
	int (*storage_info)(void *state, vrp_storage_info *out);
	/* Fills `out` (initialised to zero). */
	int (*capabilities)(void *state, vrp_provider_capabilities *out);
	int (*normalize_remote_id)(void *state, const char *id, char **out);

	/* ---- version 2 ---- */

	/* Interactive sign-in (OAuth); stores what it gets with put_secret. */
	int (*authorize)(void *state, const vrp_authorize_request *request);

	/*
	 * For providers that check a server's host key (sftp): connects, and
	 * when the key is not yet known records it as trusted; `*fingerprint`
	 * receives the key's fingerprint (malloc'd). A key that differs from the
	 * recorded one is VRP_EAUTH and is never recorded. NULL: VRP_ENOTSUP.
	 */
	int (*accept_host_key)(void *state, char **fingerprint);

	/* ---- version 3 ---- */

	/*
	 * Whether the remote can be reached now, found cheaply and without
	 * changing anything there: 0, or VRP_EUNAVAILABLE saying why (for a
	 * folder, a missing root is an unplugged disk: never create it here).
	 * NULL: the remote counts as reachable until an operation says otherwise.
	 */
	int (*probe)(void *state);

	/* ---- version 4 ---- */

	/*
	 * true for path-addressed providers whose remote keeps no metadata of
	 * its own (a folder, an SFTP server): the core keeps an upload's
	 * metadata_json in a sidecar object beside it, through this table's own
	 * upload, download and delete, and hides sidecars from list. false: the
	 * provider keeps metadata_json itself (or drops it) and fills
	 * vrp_remote_object.metadata_json when it lists the object.
	 */
	bool metadata_sidecar;

	/* See vrp_provider_list_changes(); NULL: VRP_ENOTSUP. */
	int (*list_changes)(void *state, const char *prefix, const char *cursor,
			    const char *page_token, vrp_remote_page **out);
};

#define VRP_PROVIDER_OPS_INIT                                                                      \
	{                                                                                          \
		.version = VRP_PROVIDER_OPS_VERSION                                                \
	}

#ifdef __cplusplus
}
#endif

#endif
