/*
 * remotes.h - the user's configured remotes: named instances of a provider
 * type ("nas" of type localdir, "work-drive" of type gdrive...). One
 * recording can be synced to several remotes, two of the same type included.
 *
 * A remote's settings live in the library's own config file
 * (<library>/config.ini, or $VRP_CONFIG when set), as a section
 * `[remote "NAME"]` with `type = TYPE` and the provider's key = value
 * settings; the catalogue keeps a row per remote so sync state can refer to
 * it. Secrets are never settings: providers ask the credential store.
 */
#ifndef VRP_REMOTES_H
#define VRP_REMOTES_H

#include "vrp/library.h"
#include "vrp/provider.h"
#include "vrp/remote.h"

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Adds remote `name` of provider `type` with `settings`. The name is 1-64
 * characters of letters, digits, "-", "_" and "."; the type must be
 * registered (see vrp_provider_types()) and the settings must be ones it
 * accepts (checked by opening the provider once). VRP_EEXISTS when the name
 * is taken. A localdir `path` must be an existing folder, unless
 * `create=true` is among `settings` (never stored): then it is made;
 * VRP_ENOTFOUND otherwise. The catalogue row and the config section are
 * written together: if saving the config fails, the row is rolled back.
 */
int vrp_remotes_add(vrp_library *lib, const char *name, const char *type, const vrp_kv *settings,
		    size_t settings_count);

/*
 * Changes settings of remote `name`: each of `settings` replaces the value
 * it has (or is added), the others stay. The settings the remote would end
 * up with are checked as vrp_remotes_add() checks them; a changed `path` of
 * a localdir must exist, unless `create=true` is among `settings` (then it
 * is made). The catalogue row, and so the sync state, stays as it is.
 * Audited as "remote.set". VRP_ENOTFOUND for no such remote.
 */
int vrp_remotes_set(vrp_library *lib, const char *name, const vrp_kv *settings,
		    size_t settings_count);

/* Every configured remote, by name; free with vrp_remote_list_free(). */
int vrp_remotes_list(vrp_library *lib, vrp_remote_list **out);

/*
 * Removes remote `name` from the catalogue (with its per-recording sync
 * state and queued tasks) and from the config file. Files already on the
 * remote are left there. VRP_ENOTFOUND when there is no such remote.
 */
int vrp_remotes_remove(vrp_library *lib, const char *name);

/*
 * The value of `key` for remote `name` in the config file, malloc'd into
 * `*out` (caller frees); VRP_ENOTFOUND when unset.
 */
int vrp_remotes_setting(vrp_library *lib, const char *name, const char *key, char **out);

/*
 * What remote `name`'s setting upload=original|compressed|both (default
 * original) sends of each recording, as VRP_VARIANT_BIT()s in `*variants`.
 * VRP_EINVAL for a value the config file was hand-edited to (the default is
 * left in `*variants`).
 */
int vrp_remotes_upload_variants(vrp_library *lib, const char *name, unsigned *variants);

/* Opens a provider instance for remote `name` from its configuration. */
int vrp_remotes_open(vrp_library *lib, const char *name, vrp_provider **out);

/*
 * Clears a remote's pause (set by the sync worker when its authorisation
 * expired), so its queued tasks run again. vrp_remotes_test() does this when
 * the remote passes; storing a new secret for it does too.
 */
int vrp_remotes_resume(vrp_library *lib, const char *name);

/*
 * Records that remote `name` was (re-)authenticated with credential `key`
 * (the name of the secret, never its value): an audit entry "remote.auth",
 * and the remote resumed if it was paused.
 */
int vrp_remotes_authenticated(vrp_library *lib, const char *name, const char *key);

/*
 * Signs remote `name` in interactively (OAuth for gdrive: a browser on this
 * machine, or a code entered elsewhere with VRP_AUTHORIZE_DEVICE), stores
 * the tokens in the credential store, then records it as
 * vrp_remotes_authenticated() does (audit "remote.auth", pause lifted).
 * VRP_ENOTSUP for a type without interactive sign-in.
 */
int vrp_remotes_authorize(vrp_library *lib, const char *name, const vrp_authorize_request *request);

/* What vrp_remotes_test() found. */
typedef struct vrp_remote_test_result {
	bool reachable;   /* the provider opened and authenticated */
	bool writable;    /* a probe object was written, read back and removed */
	char *probe_path; /* the probe's remote path (malloc'd) */
	char *host_key;   /* with VRP_REMOTE_TEST_ACCEPT_HOST_KEY: the server key's fingerprint */
} vrp_remote_test_result;

/* Frees the strings of a result (not the struct); NULL is a no-op. */
void vrp_remote_test_result_clear(vrp_remote_test_result *result);

/*
 * Checks connectivity, authentication and write permission: opens the
 * provider, authenticates, uploads a small probe object under
 * ".vrp-probe-<uuid>", stats it and deletes it. Returns the first failure's
 * code (classified like any transfer error); `result` says how far it got.
 */
int vrp_remotes_test(vrp_library *lib, const char *name, vrp_remote_test_result *result);

/*
 * vrp_remotes_test() with flags: VRP_REMOTE_TEST_ACCEPT_HOST_KEY first
 * records the server's host key as trusted if it is not known yet (see
 * vrp_provider_accept_host_key(); a changed key still fails with VRP_EAUTH),
 * its fingerprint in `result->host_key`.
 */
#define VRP_REMOTE_TEST_ACCEPT_HOST_KEY 1u
int vrp_remotes_test_opts(vrp_library *lib, const char *name, unsigned flags,
			  vrp_remote_test_result *result);

#ifdef __cplusplus
}
#endif

#endif
