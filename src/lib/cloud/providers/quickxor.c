/*
 * quickxor.c - QuickXorHash (see quickxor.h).
 *
 * Byte-wise over a 20-byte register: 160 is a multiple of 8, so a byte
 * placed at bit p lands in register bytes p/8 and p/8 + 1 (mod 20), which
 * is the circular 160-bit register of Microsoft's reference without its
 * 64-bit cells. Fast enough (hundreds of MB/s) next to any network.
 */
#include "cloud/providers/quickxor.h"

#include <openssl/evp.h>
#include <string.h>

#define WIDTH_BITS 160
#define SHIFT      11

void vrp_quickxor_init(struct vrp_quickxor *q) { memset(q, 0, sizeof(*q)); }

void vrp_quickxor_update(struct vrp_quickxor *q, const void *data, size_t len)
{
	const uint8_t *p = data;
	/* The bit where the next byte goes follows from the offset in the whole input. */
	unsigned bit = (unsigned)((q->length % WIDTH_BITS) * SHIFT % WIDTH_BITS);
	for (size_t i = 0; i < len; i++) {
		unsigned at = bit / 8, off = bit % 8;
		unsigned v = (unsigned)p[i] << off;
		q->reg[at] ^= (uint8_t)v;
		if (off)
			q->reg[(at + 1) % VRP_QUICKXOR_BYTES] ^= (uint8_t)(v >> 8);
		bit += SHIFT;
		if (bit >= WIDTH_BITS)
			bit -= WIDTH_BITS;
	}
	q->length += len;
}

void vrp_quickxor_final(const struct vrp_quickxor *q, char out[VRP_QUICKXOR_BASE64])
{
	uint8_t digest[VRP_QUICKXOR_BYTES];
	memcpy(digest, q->reg, sizeof(digest));
	for (unsigned i = 0; i < 8; i++)
		digest[VRP_QUICKXOR_BYTES - 8 + i] ^= (uint8_t)(q->length >> (8 * i));
	EVP_EncodeBlock((unsigned char *)out, digest, VRP_QUICKXOR_BYTES);
}
