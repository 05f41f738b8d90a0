/*
 * credentials.h - where remotes' secrets live (passwords, key passphrases,
 * OAuth tokens). Never in the config file, never on the command line, never
 * in logs.
 *
 * Two stores: the OS keyring through the Secret Service (libsecret), and a
 * file, <library>/credentials.json, mode 0600, written atomically. Which one
 * is used: $VRP_CREDENTIAL_STORE ("keyring" or "file"), else the keyring when
 * a Secret Service answers, else the file.
 */
#ifndef VRP_CREDENTIALS_H
#define VRP_CREDENTIALS_H

#include "vrp/library.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "keyring" or "file": the store this library's secrets go to. */
const char *vrp_credentials_store(vrp_library *lib);

/* Stores `secret` for (`remote`, `key`), replacing any earlier one. */
int vrp_credentials_set(vrp_library *lib, const char *remote, const char *key, const char *secret);

/*
 * The secret for (`remote`, `key`) into `*out` (malloc'd; the caller wipes and
 * frees it with vrp_credentials_free_secret). VRP_ENOTFOUND when none.
 */
int vrp_credentials_get(vrp_library *lib, const char *remote, const char *key, char **out);

/* Zeroes and frees a secret; NULL is a no-op. */
void vrp_credentials_free_secret(char *secret);

/* Forgets one secret, or every secret of `remote` when `key` is NULL. Absent is not an error. */
int vrp_credentials_delete(vrp_library *lib, const char *remote, const char *key);

/*
 * Holds an exclusive lock on refreshing `remote`'s tokens, across every
 * process and thread of this library (a lock file beside the credential
 * store, <library>/.refresh-REMOTE.lock; the kernel drops it if the process
 * dies). Blocks until free. `*fd` is given back with vrp_credentials_unlock().
 */
int vrp_credentials_lock(vrp_library *lib, const char *remote, int *fd);
void vrp_credentials_unlock(int fd);

#ifdef __cplusplus
}
#endif

#endif
