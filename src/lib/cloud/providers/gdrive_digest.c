/*
 * gdrive_digest.c - the hashes Drive reports (sha256Checksum, else only
 * md5Checksum), computed locally in one pass, and the check of a file
 * resource against them.
 */
#include "cloud/providers/gdrive.h"

#include "core/error_set.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int gdrive_digest_init(struct gdrive_digest *d)
{
	d->sha256 = EVP_MD_CTX_new();
	d->md5 = EVP_MD_CTX_new();
	if (!d->sha256 || !d->md5 || EVP_DigestInit_ex(d->sha256, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestInit_ex(d->md5, EVP_md5(), NULL) != 1) {
		gdrive_digest_clear(d);
		return vrp_error_oom();
	}
	return 0;
}

int gdrive_digest_update(struct gdrive_digest *d, const void *data, size_t len)
{
	if (EVP_DigestUpdate(d->sha256, data, len) != 1 || EVP_DigestUpdate(d->md5, data, len) != 1)
		return vrp_error_set(VRP_ERROR, "hashing failed");
	return 0;
}

static void to_hex(const unsigned char *bytes, unsigned len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", bytes[i]);
	out[2 * (size_t)len] = '\0';
}

int gdrive_digest_final(struct gdrive_digest *d, char *sha256, char *md5)
{
	unsigned char buf[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	if (EVP_DigestFinal_ex(d->sha256, buf, &len) != 1)
		return vrp_error_set(VRP_ERROR, "hashing failed");
	to_hex(buf, len, sha256);
	if (EVP_DigestFinal_ex(d->md5, buf, &len) != 1)
		return vrp_error_set(VRP_ERROR, "hashing failed");
	to_hex(buf, len, md5);
	return 0;
}

void gdrive_digest_clear(struct gdrive_digest *d)
{
	EVP_MD_CTX_free(d->sha256);
	EVP_MD_CTX_free(d->md5);
	d->sha256 = d->md5 = NULL;
}

const char *gdrive_verify(const json_t *file, int64_t size, const char *sha256, const char *md5,
			  char *message, size_t message_size)
{
	const char *their_sha256 = json_string_value(json_object_get(file, "sha256Checksum"));
	const char *their_md5 = json_string_value(json_object_get(file, "md5Checksum"));
	int64_t their_size = gdrive_bytes(file, "size");
	if (their_size != size) {
		snprintf(message, message_size, "Drive stored %lld bytes, %lld were sent",
			 (long long)their_size, (long long)size);
		return NULL;
	}
	if (their_sha256) {
		if (!strcasecmp(their_sha256, sha256))
			return "sha256";
		snprintf(message, message_size, "Drive computed sha256 %s, the file has %s",
			 their_sha256, sha256);
		return NULL;
	}
	if (their_md5) {
		if (!strcasecmp(their_md5, md5))
			return "md5";
		snprintf(message, message_size, "Drive computed md5 %s, the file has %s", their_md5,
			 md5);
		return NULL;
	}
	return "size"; /* Drive said nothing more; the size is all there is to check */
}
