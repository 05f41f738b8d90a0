/* mhd_lib.c - libmicrohttpd, loaded when the server starts. */
#include "serve/mhd_lib.h"

#include "core/error_set.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifndef VRP_MHD_SONAME
#define VRP_MHD_SONAME "libmicrohttpd.so.12"
#endif
#define VRP_MHD_PACKAGE "libmicrohttpd12"

const struct vrp_mhd *vrp_mhd;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/* Written once under load_once, read-only afterwards. */
static struct vrp_mhd table;
static int load_result;
static char load_message[512];

static int load_failed(void)
{
	const char *reason = dlerror();
	snprintf(load_message, sizeof(load_message),
		 "cannot load libmicrohttpd (%s): %s; install %s", VRP_MHD_SONAME,
		 reason ? reason : "not found", VRP_MHD_PACKAGE);
	return VRP_ENOTSUP;
}

/* POSIX guarantees that dlsym()'s object pointer converts to the function it stands for. */
#define VRP_MHD_RESOLVE(member, function)                                                          \
	table.member = (__typeof__(table.member))dlsym(handle, #function);                         \
	if (!table.member)                                                                         \
		return load_failed();

/* The handle is never closed: the TLS library under it keeps global state. */
static int resolve_all(void)
{
	/* RTLD_NOW: a missing symbol fails here, not in the middle of a request. */
	void *handle = dlopen(VRP_MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return load_failed();
	dlerror();
	VRP_MHD_FUNCTIONS(VRP_MHD_RESOLVE)
	return 0;
}

#undef VRP_MHD_RESOLVE

static void load(void)
{
	load_result = resolve_all();
	if (load_result == 0)
		vrp_mhd = &table;
}

int vrp_mhd_load(void)
{
	pthread_once(&load_once, load);
	if (load_result < 0)
		return vrp_error_set(load_result, "%s", load_message);
	return 0;
}
