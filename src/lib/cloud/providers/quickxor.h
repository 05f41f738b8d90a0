/*
 * quickxor.h - Microsoft's QuickXorHash, the content hash OneDrive reports
 * for every file (`file.hashes.quickXorHash`) (internal).
 *
 * A 160-bit register: byte k of the input is XORed in at bit (11 * k) mod
 * 160, wrapping past bit 159 to bit 0; at the end the input length, as 8
 * little-endian bytes, is XORed into the register's last 8 bytes. The
 * canonical form is the 20 bytes in base64 (28 characters).
 *
 * The position depends only on the byte's offset in the whole input, never
 * on how the input was split into updates: implementations that restart the
 * shift per buffer get files over one buffer (64 KiB) of odd sizes wrong.
 */
#ifndef VRP_CLOUD_QUICKXOR_H
#define VRP_CLOUD_QUICKXOR_H

#include <stddef.h>
#include <stdint.h>

#define VRP_QUICKXOR_BYTES  20
#define VRP_QUICKXOR_BASE64 29 /* 28 characters and the NUL */

struct vrp_quickxor {
	uint8_t reg[VRP_QUICKXOR_BYTES];
	uint64_t length; /* bytes hashed so far */
};

void vrp_quickxor_init(struct vrp_quickxor *q);
void vrp_quickxor_update(struct vrp_quickxor *q, const void *data, size_t len);
/* The base64 digest into `out`; `q` is left as it was (more updates may follow). */
void vrp_quickxor_final(const struct vrp_quickxor *q, char out[VRP_QUICKXOR_BASE64]);

#endif
