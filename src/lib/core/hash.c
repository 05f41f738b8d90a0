/* hash.c - streaming SHA-256 through OpenSSL's EVP (SHA-NI where the CPU has it). */
#include "core/hash.h"

#include "core/error_set.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <unistd.h>

struct vrp_sha256 {
	EVP_MD_CTX *ctx;
};

int vrp_sha256_new(vrp_sha256 **out)
{
	*out = NULL;
	vrp_sha256 *h = calloc(1, sizeof(*h));
	if (!h || !(h->ctx = EVP_MD_CTX_new())) {
		free(h);
		return vrp_error_oom();
	}
	if (EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1) {
		vrp_sha256_free(h);
		vrp_error_set(VRP_ERROR, "cannot start a SHA-256 hash");
		return VRP_ERROR;
	}
	*out = h;
	return 0;
}

int vrp_sha256_update(vrp_sha256 *h, const void *data, size_t len)
{
	if (EVP_DigestUpdate(h->ctx, data, len) != 1)
		return vrp_error_set(VRP_ERROR, "SHA-256 update failed");
	return 0;
}

int vrp_sha256_final_hex(vrp_sha256 *h, char out[VRP_SHA256_HEX_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (EVP_DigestFinal_ex(h->ctx, digest, &len) != 1 || len != 32)
		return vrp_error_set(VRP_ERROR, "SHA-256 final failed");
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0x0f];
	}
	out[64] = '\0';
	return 0;
}

void vrp_sha256_free(vrp_sha256 *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->ctx);
	free(h);
}

#define HASH_BUFFER (1 << 20)

int vrp_sha256_fd(int fd, const char *shown, char out[VRP_SHA256_HEX_LEN])
{
	vrp_sha256 *h = NULL;
	unsigned char *buf = malloc(HASH_BUFFER);
	int rc = buf ? vrp_sha256_new(&h) : vrp_error_oom();
	for (off_t at = 0; rc == 0;) {
		ssize_t n = pread(fd, buf, HASH_BUFFER, at);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = vrp_error_from_errno(errno, "cannot read %s", shown);
		else if (n == 0)
			break;
		else
			rc = vrp_sha256_update(h, buf, (size_t)n);
		at += n > 0 ? n : 0;
	}
	if (rc == 0)
		rc = vrp_sha256_final_hex(h, out);
	vrp_sha256_free(h);
	free(buf);
	return rc;
}

int vrp_sha256_file(const char *path, char out[VRP_SHA256_HEX_LEN])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return vrp_error_from_errno(errno, "cannot open %s", path);
	int rc = vrp_sha256_fd(fd, path, out);
	close(fd);
	return rc;
}
