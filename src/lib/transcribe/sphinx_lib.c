/* sphinx_lib.c - pocketsphinx and sphinxbase, loaded on first use. */
#include "transcribe/sphinx_lib.h"

#include "core/error_set.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifndef VRP_SPHINXBASE_SONAME
#define VRP_SPHINXBASE_SONAME "libsphinxbase.so.3"
#endif
#ifndef VRP_POCKETSPHINX_SONAME
#define VRP_POCKETSPHINX_SONAME "libpocketsphinx.so.3"
#endif

enum library { sphinxbase, pocketsphinx, LIBRARY_COUNT };

static const char *const sonames[LIBRARY_COUNT] = {
	[sphinxbase] = VRP_SPHINXBASE_SONAME,
	[pocketsphinx] = VRP_POCKETSPHINX_SONAME,
};

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/* Written once under load_once, read-only afterwards. */
static struct vrp_sphinx table;
static int load_result;
static char load_message[512];

static int load_failed(enum library library)
{
	const char *reason = dlerror();
	snprintf(load_message, sizeof(load_message),
		 "cannot load the pocketsphinx speech engine (%s): %s; install libpocketsphinx3 "
		 "and pocketsphinx-en-us (apt-get install libpocketsphinx3 pocketsphinx-en-us)",
		 sonames[library], reason ? reason : "not found");
	return VRP_ENOTSUP;
}

/* Never closed: a decoder on another thread may still be inside them. */
static int load_libraries(void **handles)
{
	for (int i = 0; i < LIBRARY_COUNT; i++) {
		handles[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
		if (!handles[i])
			return load_failed((enum library)i);
	}
	return 0;
}

/* POSIX guarantees that dlsym()'s object pointer converts to the function pointer. */
#define VRP_SPHINX_RESOLVE(library, function)                                                      \
	table.function = (__typeof__(table.function))dlsym(handles[library], #function);           \
	if (!table.function)                                                                       \
		return load_failed(library);

static int resolve_all(void **handles)
{
	dlerror();
	VRP_SPHINX_FUNCTIONS(VRP_SPHINX_RESOLVE)
	return 0;
}

#undef VRP_SPHINX_RESOLVE

static void load(void)
{
	void *handles[LIBRARY_COUNT] = { NULL };
	load_result = load_libraries(handles);
	if (load_result == 0)
		load_result = resolve_all(handles);
	/* sphinxbase logs to stderr by default; NULL silences it. */
	if (load_result == 0)
		table.err_set_logfp(NULL);
}

int vrp_sphinx_load(const struct vrp_sphinx **out)
{
	pthread_once(&load_once, load);
	if (load_result < 0) {
		*out = NULL;
		return vrp_error_set(load_result, "%s", load_message);
	}
	*out = &table;
	return 0;
}
