/*
 * redact.h - keeping secrets and personal data out of logs, audit entries and
 * bug reports (internal).
 *
 * Every log record passes through here before it is written, and again when
 * logs are read back or bundled. What is removed: the values of credential
 * keys (JSON keys, and "key=value" / "key: value" in text), "Bearer ..."
 * credentials, JSON Web Tokens and Google OAuth access tokens ("ya29...").
 * What is masked: e-mail addresses keep the first character of the local part
 * ("jane@example.com" becomes "j***@example.com") so a user can still tell
 * two accounts apart in a bug report.
 */
#ifndef VRP_CORE_REDACT_H
#define VRP_CORE_REDACT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* What a removed value is replaced with. */
#define VRP_REDACTED "[REDACTED]"

/*
 * True when `key` names a credential: after case folding and ignoring '_',
 * '-', '.' and ' ', it is "authorization", "apikey" or "cookie", or ends in
 * "token", "secret", "password" or "passwd" ("access_token", "clientSecret",
 * "X-Auth-Token" all match).
 */
bool vrp_redact_is_secret_key(const char *key);

/*
 * A malloc'd copy of `text` with credentials removed and e-mail addresses
 * masked; NULL when out of memory. Never sets the thread's last error, so it
 * is safe on error and logging paths.
 */
char *vrp_redact_text(const char *text);

/*
 * Redacts a JSON value in place: the value of every credential key (at any
 * depth) becomes VRP_REDACTED, and every string is passed through
 * vrp_redact_text(). Returns false when memory ran out (the value may then be
 * partly redacted; do not write it).
 */
bool vrp_redact_json(json_t *value);

/*
 * Masks a user name for the audit log: the first character and "***"
 * ("jdoe" -> "j***"); an e-mail address is masked as vrp_redact_text() does.
 * Writes at most `size` bytes (NUL included) into `out`.
 */
void vrp_redact_user(const char *name, char *out, size_t size);

#endif
