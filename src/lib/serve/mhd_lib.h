/*
 * mhd_lib.h - libmicrohttpd, loaded when `vrp serve` starts (internal).
 *
 * libvrp does not link libmicrohttpd: through GnuTLS it brings p11-kit,
 * nettle, hogweed, gmp, idn2, unistring, tasn1 and ffi, whose loading,
 * relocation and constructors cost every vrp command some 18 ms of CPU
 * (measured: an empty program linked with vrp's libraries took 11.5 ms
 * without it and 29 ms with it), when only the server uses it. The serve
 * modules call it through this table; the header still gives the types and
 * constants.
 */
#ifndef VRP_SERVE_MHD_LIB_H
#define VRP_SERVE_MHD_LIB_H

#include <microhttpd.h>

/* Every libmicrohttpd function vrp calls: X(member, function). */
#define VRP_MHD_FUNCTIONS(X)                                                                       \
	X(start_daemon, MHD_start_daemon)                                                          \
	X(stop_daemon, MHD_stop_daemon)                                                            \
	X(get_daemon_info, MHD_get_daemon_info)                                                    \
	X(lookup_connection_value, MHD_lookup_connection_value)                                    \
	X(queue_response, MHD_queue_response)                                                      \
	X(create_response_from_buffer, MHD_create_response_from_buffer)                            \
	X(create_response_from_callback, MHD_create_response_from_callback)                        \
	X(create_response_from_fd_at_offset64, MHD_create_response_from_fd_at_offset64)            \
	X(add_response_header, MHD_add_response_header)                                            \
	X(get_response_header, MHD_get_response_header)                                            \
	X(destroy_response, MHD_destroy_response)                                                  \
	X(create_post_processor, MHD_create_post_processor)                                        \
	X(post_process, MHD_post_process)                                                          \
	X(destroy_post_processor, MHD_destroy_post_processor)

/* Typed from microhttpd.h's own declarations, so a prototype can never drift. */
/* NOLINTNEXTLINE(bugprone-macro-parentheses): a member name cannot be parenthesised. */
#define VRP_MHD_MEMBER(member, function) __typeof__(&(function)) member;

struct vrp_mhd {
	VRP_MHD_FUNCTIONS(VRP_MHD_MEMBER)
};

#undef VRP_MHD_MEMBER

/*
 * Loads libmicrohttpd (libmicrohttpd.so.12) and resolves every function,
 * once per process; the library then stays loaded. Thread-safe. Returns 0,
 * or VRP_ENOTSUP when the library or a function is missing (the message
 * names the package to install). A failure is final.
 */
int vrp_mhd_load(void);

/*
 * The table, valid once vrp_mhd_load() succeeded: the server loads it
 * before it starts, so its handlers call through it without checking.
 */
extern const struct vrp_mhd *vrp_mhd;

#endif
