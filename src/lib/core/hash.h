/* hash.h - streaming SHA-256 (internal). */
#ifndef VRP_CORE_HASH_H
#define VRP_CORE_HASH_H

#include <stddef.h>

/* 64 hex digits and a NUL. */
#define VRP_SHA256_HEX_LEN 65

typedef struct vrp_sha256 vrp_sha256;

/* Starts a hash; `*out` is freed with vrp_sha256_free(). */
int vrp_sha256_new(vrp_sha256 **out);

/* Adds `len` bytes. */
int vrp_sha256_update(vrp_sha256 *h, const void *data, size_t len);

/* Finishes the hash into lower-case hex; the hash cannot be updated afterwards. */
int vrp_sha256_final_hex(vrp_sha256 *h, char out[VRP_SHA256_HEX_LEN]);

/* NULL is a no-op. */
void vrp_sha256_free(vrp_sha256 *h);

/* Hashes the whole file at `path` with a fixed-size buffer. */
int vrp_sha256_file(const char *path, char out[VRP_SHA256_HEX_LEN]);

/* Hashes the open file `fd` from its start, whatever its offset; `shown` names it in errors. */
int vrp_sha256_fd(int fd, const char *shown, char out[VRP_SHA256_HEX_LEN]);

#endif
