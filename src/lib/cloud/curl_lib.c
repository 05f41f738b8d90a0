/* curl_lib.c - libcurl, loaded when HTTP is first needed. */
#include "cloud/curl_lib.h"

#include "core/error_set.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#ifndef VRP_CURL_SONAME
#define VRP_CURL_SONAME "libcurl.so.4"
#endif
/* Debian's package of the soname (the OpenSSL flavour, which the headers come with). */
#define VRP_CURL_PACKAGE "libcurl4"

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
/* Written once under load_once, read-only afterwards. */
static struct vrp_curl table;
static int load_result;
static char load_message[512];

static int load_failed(void)
{
	const char *reason = dlerror();
	snprintf(load_message, sizeof(load_message), "cannot load libcurl (%s): %s; install %s",
		 VRP_CURL_SONAME, reason ? reason : "not found", VRP_CURL_PACKAGE);
	return VRP_ENOTSUP;
}

/* POSIX guarantees that dlsym()'s object pointer converts to the function it stands for. */
#define VRP_CURL_RESOLVE(member, function)                                                         \
	table.member = (__typeof__(table.member))dlsym(handle, #function);                         \
	if (!table.member)                                                                         \
		return load_failed();

/*
 * The handle is never closed: libcurl keeps global state (its TLS
 * backend's) for the life of the process.
 */
static int resolve_all(void)
{
	/* RTLD_NOW: a missing symbol fails here, not in the middle of a transfer. */
	void *handle = dlopen(VRP_CURL_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return load_failed();
	dlerror();
	VRP_CURL_FUNCTIONS(VRP_CURL_RESOLVE)
	return 0;
}

#undef VRP_CURL_RESOLVE

/* curl_global_init is not thread-safe on old libcurl: once, before any handle. */
static void load(void)
{
	load_result = resolve_all();
	if (load_result < 0)
		return;
	CURLcode rc = table.global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		snprintf(load_message, sizeof(load_message), "cannot initialise libcurl: %s",
			 table.easy_strerror(rc));
		load_result = VRP_ERROR;
	}
}

int vrp_curl_load(const struct vrp_curl **out)
{
	pthread_once(&load_once, load);
	if (load_result < 0) {
		*out = NULL;
		return vrp_error_set(load_result, "%s", load_message);
	}
	*out = &table;
	return 0;
}
