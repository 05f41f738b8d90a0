/* keyring.c - the Secret Service store, through libsecret loaded on demand. */
#include "services/keyring.h"

#include "core/error_set.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef VRP_HAVE_LIBSECRET
#include <libsecret/secret.h>

static const SecretSchema schema = {
	"org.voicerecorderpro.vrp.Secret",
	SECRET_SCHEMA_NONE,
	{
		{ "library", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "remote", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ "key", SECRET_SCHEMA_ATTRIBUTE_STRING },
		{ NULL, 0 },
	},
	0,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
	NULL,
};

static struct {
	__typeof__(&secret_password_store_sync) store;
	__typeof__(&secret_password_lookup_sync) lookup;
	__typeof__(&secret_password_clear_sync) clear;
	__typeof__(&secret_password_free) free_password;
	__typeof__(&g_error_free) error_free;
	bool loaded, answers;
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	/* Without a session bus libsecret would try to start one: do not. */
	const char *bus = getenv("DBUS_SESSION_BUS_ADDRESS");
	void *h = bus && *bus ? dlopen("libsecret-1.so.0", RTLD_NOW | RTLD_LOCAL) : NULL;
	if (!h)
		return;
	*(void **)&lib.store = dlsym(h, "secret_password_store_sync");
	*(void **)&lib.lookup = dlsym(h, "secret_password_lookup_sync");
	*(void **)&lib.clear = dlsym(h, "secret_password_clear_sync");
	*(void **)&lib.free_password = dlsym(h, "secret_password_free");
	*(void **)&lib.error_free = dlsym(h, "g_error_free");
	lib.loaded = lib.store && lib.lookup && lib.clear && lib.free_password && lib.error_free;
	if (!lib.loaded)
		return;
	GError *error = NULL;
	gchar *none = lib.lookup(&schema, NULL, &error, "library", "", "remote", "", "key",
				 "vrp-probe", NULL);
	lib.answers = !error;
	if (error)
		lib.error_free(error);
	lib.free_password(none);
}

bool vrp_keyring_available(void)
{
	pthread_once(&once, load);
	return lib.loaded && lib.answers;
}

static int failed(GError *error, const char *what)
{
	int rc = vrp_error_set(VRP_EUNAVAILABLE, "the OS keyring %s: %s", what,
			       error && error->message ? error->message : "failed");
	if (error)
		lib.error_free(error);
	return rc;
}

static int unavailable(void)
{
	return vrp_error_set(VRP_EUNAVAILABLE, "no Secret Service (OS keyring) answers on the "
					       "session bus; use VRP_CREDENTIAL_STORE=file");
}

int vrp_keyring_set(const char *library, const char *remote, const char *key, const char *secret)
{
	if (!vrp_keyring_available())
		return unavailable();
	char label[256];
	snprintf(label, sizeof(label), "vrp: %s for remote %s", key, remote);
	GError *error = NULL;
	gboolean ok = lib.store(&schema, SECRET_COLLECTION_DEFAULT, label, secret, NULL, &error,
				"library", library, "remote", remote, "key", key, NULL);
	return ok && !error ? 0 : failed(error, "refused to store the secret");
}

int vrp_keyring_get(const char *library, const char *remote, const char *key, char **out)
{
	*out = NULL;
	if (!vrp_keyring_available())
		return unavailable();
	GError *error = NULL;
	gchar *found = lib.lookup(&schema, NULL, &error, "library", library, "remote", remote,
				  "key", key, NULL);
	if (error)
		return failed(error, "lookup failed");
	if (!found)
		return vrp_error_set(VRP_ENOTFOUND, "no secret \"%s\" stored for remote \"%s\"",
				     key, remote);
	*out = strdup(found);
	lib.free_password(found);
	return *out ? 0 : vrp_error_oom();
}

int vrp_keyring_delete(const char *library, const char *remote, const char *key)
{
	if (!vrp_keyring_available())
		return unavailable();
	GError *error = NULL;
	if (key)
		lib.clear(&schema, NULL, &error, "library", library, "remote", remote, "key", key,
			  NULL);
	else
		lib.clear(&schema, NULL, &error, "library", library, "remote", remote, NULL);
	return error ? failed(error, "refused to delete the secret") : 0;
}

#else

bool vrp_keyring_available(void) { return false; }

static int absent(void)
{
	return vrp_error_set(VRP_ENOTSUP, "this vrp was built without libsecret: use "
					  "VRP_CREDENTIAL_STORE=file");
}

int vrp_keyring_set(const char *library, const char *remote, const char *key, const char *secret)
{
	(void)library, (void)remote, (void)key, (void)secret;
	return absent();
}

int vrp_keyring_get(const char *library, const char *remote, const char *key, char **out)
{
	(void)library, (void)remote, (void)key;
	*out = NULL;
	return absent();
}

int vrp_keyring_delete(const char *library, const char *remote, const char *key)
{
	(void)library, (void)remote, (void)key;
	return absent();
}

#endif
