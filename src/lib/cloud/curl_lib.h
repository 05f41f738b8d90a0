/*
 * curl_lib.h - libcurl, loaded when HTTP is first needed (internal).
 *
 * libvrp does not link libcurl: its dependency closure (OpenSSL's TLS,
 * GnuTLS through librtmp, Kerberos, LDAP, SASL, nghttp2, brotli, libpsl...)
 * is some 25 shared libraries, whose mapping and relocation took 3.5 of the
 * 5 ms that every vrp command spent starting, when only the HTTP providers
 * use it. http.c calls libcurl through this table; the header still gives
 * the types and constants.
 */
#ifndef VRP_CLOUD_CURL_LIB_H
#define VRP_CLOUD_CURL_LIB_H

#include <curl/curl.h>

/*
 * Every libcurl function vrp calls: X(member, function). The members drop
 * the "curl_" prefix because curl.h defines some of the functions as
 * type-checking macros, which would swallow `api->curl_easy_setopt(`.
 */
#define VRP_CURL_FUNCTIONS(X)                                                                      \
	X(global_init, curl_global_init)                                                           \
	X(easy_init, curl_easy_init)                                                               \
	X(easy_cleanup, curl_easy_cleanup)                                                         \
	X(easy_reset, curl_easy_reset)                                                             \
	X(easy_setopt, curl_easy_setopt)                                                           \
	X(easy_perform, curl_easy_perform)                                                         \
	X(easy_getinfo, curl_easy_getinfo)                                                         \
	X(easy_strerror, curl_easy_strerror)                                                       \
	X(slist_append, curl_slist_append)                                                         \
	X(slist_free_all, curl_slist_free_all)                                                     \
	X(url, curl_url)                                                                           \
	X(url_set, curl_url_set)                                                                   \
	X(url_get, curl_url_get)                                                                   \
	X(url_cleanup, curl_url_cleanup)                                                           \
	X(free, curl_free)                                                                         \
	X(getdate, curl_getdate)

/* Typed from curl.h's own declarations, so a prototype can never drift. */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): a member name cannot be parenthesised. */
#define VRP_CURL_MEMBER(member, function) __typeof__(&(function)) member;

struct vrp_curl {
	VRP_CURL_FUNCTIONS(VRP_CURL_MEMBER)
};

#undef VRP_CURL_MEMBER

/*
 * Loads libcurl (libcurl.so.4, the soname since 2006), resolves every
 * function and runs curl_global_init() - once per process; the library then
 * stays loaded, and every call sets `*out` to the same table.
 *
 * Thread-safe. Returns 0, or VRP_ENOTSUP when the library or a function is
 * missing (the message names the package to install), or VRP_ERROR when
 * libcurl cannot initialise. A failure is final: later calls return it again.
 */
int vrp_curl_load(const struct vrp_curl **out);

#endif
