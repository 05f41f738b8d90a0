/*
 * keyring.h - secrets in the OS keyring through the Secret Service API
 * (internal). libsecret is opened at run time, only when a secret is asked
 * for, so no other command pays for loading GLib and D-Bus.
 */
#ifndef VRP_SERVICES_KEYRING_H
#define VRP_SERVICES_KEYRING_H

#include <stdbool.h>

/* True when libsecret loads and a Secret Service answers on the session bus. */
bool vrp_keyring_available(void);

/* Items are keyed by (library root, remote, key) so libraries never collide. */
int vrp_keyring_set(const char *library, const char *remote, const char *key, const char *secret);
int vrp_keyring_get(const char *library, const char *remote, const char *key, char **out);

/* `key` NULL: every secret of `remote`. */
int vrp_keyring_delete(const char *library, const char *remote, const char *key);

#endif
