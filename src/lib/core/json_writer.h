/*
 * json_writer.h - compact JSON text appended to a growing buffer (internal).
 *
 * For output that is only ever printed (a page of 50 recordings, a list):
 * building a jansson tree first and dumping it was most of the cost of
 * such a request. The text is what jansson's JSON_COMPACT dump would give
 * for the same values in the same order, so both can be mixed freely.
 *
 * Errors stick: after an allocation failure every call does nothing and
 * vrp_jw_finish() returns NULL, so a caller checks once at the end.
 */
#ifndef VRP_CORE_JSON_WRITER_H
#define VRP_CORE_JSON_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vrp_jw {
	char *buf;
	size_t len, cap;
	bool failed;
	bool need_comma; /* a value was written at this level */
};

/* Starts an empty writer; nothing to free until vrp_jw_finish(). */
void vrp_jw_init(struct vrp_jw *w);

void vrp_jw_object_begin(struct vrp_jw *w);
void vrp_jw_object_end(struct vrp_jw *w);
void vrp_jw_array_begin(struct vrp_jw *w);
void vrp_jw_array_end(struct vrp_jw *w);

/* The name of the next member of an object. */
void vrp_jw_key(struct vrp_jw *w, const char *name);

/* NULL as null; ill-formed UTF-8 replaced byte by byte with U+FFFD. */
void vrp_jw_string(struct vrp_jw *w, const char *s);
void vrp_jw_int(struct vrp_jw *w, int64_t v);
/* Infinities and NaN, which JSON cannot carry, as null. */
void vrp_jw_real(struct vrp_jw *w, double v);
void vrp_jw_bool(struct vrp_jw *w, bool v);
void vrp_jw_null(struct vrp_jw *w);
/* Text that already is one JSON value (e.g. another writer's result). */
void vrp_jw_raw_value(struct vrp_jw *w, const char *json, size_t len);

/*
 * The text, NUL-terminated, owned by the caller (free()); its length in
 * *len when len is not NULL. NULL (and the buffer freed) if anything failed.
 */
char *vrp_jw_finish(struct vrp_jw *w, size_t *len);

#endif
