/* fuzz_config.c - the INI reader, then every key it found through the settings checks. */
#include "fuzz_file.h"
#include "vrp/config.h"
#include "vrp/settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int visit(void *ctx, const char *key, const char *value)
{
	(void)ctx;
	(void)key;
	(void)value;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[64];
	int fd = fuzz_file(data, size, path);
	if (fd < 0)
		return 0;
	vrp_config *config = NULL;
	if (vrp_config_load(&config, path) == 0) {
		for (size_t i = 0; i < vrp_config_section_count(config); i++)
			vrp_config_each(config, vrp_config_section_name(config, i), visit, NULL);
		for (size_t i = 0; i < vrp_settings_count(); i++)
			vrp_settings_validate_in(config, vrp_settings_at(i)->key);
	}
	vrp_config_free(config);
	close(fd);
	return 0;
}
