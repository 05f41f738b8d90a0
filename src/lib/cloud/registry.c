/*
 * registry.c - provider type keys, their ops, and creating instances.
 *
 * A new provider is a new file and one line in `registered`; nothing else in
 * the core changes.
 */
#include "cloud/provider_internal.h"

#include "core/error_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vrp_provider_ops *const registered[] = {
	&vrp_provider_localdir_ops, &vrp_provider_mock_ops,     &vrp_provider_sftp_ops,
	&vrp_provider_gdrive_ops,   &vrp_provider_onedrive_ops,
};

#define REGISTERED_COUNT (sizeof(registered) / sizeof(registered[0]))

static const char *const type_keys[] = { "localdir", "mock", "sftp", "gdrive", "onedrive", NULL };

/*
 * Settings every remote may carry that belong to the sync engine, not the
 * provider (DESIGN.md, "Remote settings"); they are accepted and passed on.
 */
static const char *const common_settings[] = { "delete_policy", "concurrency", "trusted", "upload",
					       NULL };

const char *const *vrp_provider_types(void) { return type_keys; }

/* VRP_ENOTSUP naming `type` and every type there is. */
static int unknown_type(const char *type)
{
	char known[128] = "";
	for (const char *const *t = type_keys; *t; t++)
		snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
			 t == type_keys ? "" : ", ", *t);
	return vrp_error_set(VRP_ENOTSUP, "unknown provider type '%s' (known: %s)",
			     type ? type : "", known);
}

const struct vrp_provider_ops *vrp_provider_registry_find(const char *type)
{
	for (size_t i = 0; type && i < REGISTERED_COUNT; i++)
		if (strcmp(registered[i]->type, type) == 0)
			return registered[i];
	return NULL;
}

void *vrp_provider_state_of(vrp_provider *provider, const struct vrp_provider_ops *ops)
{
	return provider && provider->ops == ops ? provider->state : NULL;
}

const char *vrp_provider_config_get(const struct vrp_provider_config *config, const char *key)
{
	for (size_t i = 0; i < config->settings_count; i++)
		if (strcmp(config->settings[i].key, key) == 0)
			return config->settings[i].value;
	return NULL;
}

static bool is_known(const struct vrp_provider_ops *ops, const char *key)
{
	for (const struct vrp_provider_setting *s = ops->settings; s && s->name; s++)
		if (strcmp(s->name, key) == 0)
			return true;
	for (const char *const *c = common_settings; *c; c++)
		if (strcmp(*c, key) == 0)
			return true;
	return false;
}

static int check_settings(const struct vrp_provider_ops *ops, const struct vrp_provider_config *c)
{
	for (size_t i = 0; i < c->settings_count; i++) {
		const vrp_kv *kv = &c->settings[i];
		if (!kv->key || !kv->value)
			return vrp_error_set(VRP_EINVAL,
					     "a setting of remote %s has no key or value", c->name);
		if (!is_known(ops, kv->key))
			return vrp_error_set(VRP_EINVAL, "unknown setting '%s' for a %s remote",
					     kv->key, ops->type);
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->settings[j].key, kv->key) == 0)
				return vrp_error_set(VRP_EINVAL, "setting '%s' is given twice",
						     kv->key);
	}
	for (const struct vrp_provider_setting *s = ops->settings; s && s->name; s++)
		if (s->required && !vrp_provider_config_get(c, s->name))
			return vrp_error_set(VRP_EINVAL, "a %s remote needs the setting '%s' (%s)",
					     ops->type, s->name, s->help);
	return 0;
}

int vrp_provider_new(vrp_provider **out, const char *type, const char *name, const vrp_kv *settings,
		     size_t settings_count, vrp_secret_fn secret, void *secret_ctx)
{
	const vrp_secret_store store = { .get = secret, .ctx = secret_ctx };
	return vrp_provider_new_with_store(out, type, name, settings, settings_count, &store);
}

int vrp_provider_new_with_store(vrp_provider **out, const char *type, const char *name,
				const vrp_kv *settings, size_t settings_count,
				const vrp_secret_store *store)
{
	static const vrp_secret_store none;
	const vrp_secret_store *st = store ? store : &none;
	*out = NULL;
	if (!name || !*name)
		return vrp_error_set(VRP_EINVAL, "a remote needs a name");
	const struct vrp_provider_ops *ops = vrp_provider_registry_find(type);
	if (!ops)
		return unknown_type(type);
	struct vrp_provider_config config = {
		.name = name,
		.settings = settings,
		.settings_count = settings_count,
		.secret = st->get,
		.secret_ctx = st->ctx,
		.put_secret = st->put,
		.lock_secret = st->lock && st->unlock ? st->lock : NULL,
		.unlock_secret = st->lock && st->unlock ? st->unlock : NULL,
	};
	int rc = check_settings(ops, &config);
	if (rc < 0)
		return vrp_error_set_context("remote %s", name);
	vrp_provider *provider = calloc(1, sizeof(*provider));
	if (!provider)
		return vrp_error_oom();
	provider->ops = ops;
	provider->name = strdup(name);
	if (!provider->name) {
		rc = vrp_error_oom();
		goto done;
	}
	rc = ops->open(&provider->state, &config);
	if (rc < 0)
		vrp_error_set_context("remote %s", name);
done:
	if (rc < 0)
		vrp_provider_free(provider);
	else
		*out = provider;
	return rc;
}

void vrp_provider_free(vrp_provider *provider)
{
	if (!provider)
		return;
	if (provider->state)
		provider->ops->close(provider->state);
	free(provider->name);
	free(provider);
}
