/*
 * sftp_verify.c - checking what arrived on the server against the local
 * file, without a shell unless the user allowed one (hash_command):
 *   - after an upload: the size (after fsync), then per `verify` nothing
 *     more, sampled ranges read back and compared byte for byte, or the whole
 *     file read back and hashed; with hash_command, the server's sha256;
 *   - before resuming: whether a .part's bytes are the start of the local
 *     file, checked the same way (with `verify=size` a part is never trusted
 *     and the upload starts over).
 * Samples are the first and last blocks and blocks at random offsets, so a
 * damaged region cannot know in advance where it would be looked for. Files
 * too small for sampling to save anything are read back whole.
 */
#include "cloud/providers/sftp.h"

#include "core/fsutil.h"

#include "core/error_set.h"
#include "core/hash.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SAMPLE_BLOCK (16 << 10)
#define SAMPLE_COUNT 8
/* Below this, reading everything back costs about what sampling would. */
#define SAMPLE_MIN_SIZE ((int64_t)SAMPLE_BLOCK * SAMPLE_COUNT * 2)

static int compare_offsets(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* First block, last block, and random ones between, in file order. */
static void pick_offsets(int64_t size, int64_t offsets[SAMPLE_COUNT])
{
	uint64_t random[SAMPLE_COUNT];
	if (getrandom(random, sizeof(random), 0) != (ssize_t)sizeof(random))
		for (int i = 0; i < SAMPLE_COUNT; i++)
			random[i] = (uint64_t)(i + 1) * 0x9e3779b97f4a7c15ull;
	int64_t span = size - (int64_t)2 * SAMPLE_BLOCK;
	offsets[0] = 0;
	offsets[1] = size - SAMPLE_BLOCK;
	for (int i = 2; i < SAMPLE_COUNT; i++)
		offsets[i] = SAMPLE_BLOCK + (int64_t)(random[i] % (uint64_t)span);
	qsort(offsets, SAMPLE_COUNT, sizeof(*offsets), compare_offsets);
}

static int compare_samples(struct sftp *s, struct sftp_handle *h, const char *part, int fd,
			   int64_t size, bool *equal)
{
	int64_t offsets[SAMPLE_COUNT];
	pick_offsets(size, offsets);
	unsigned char *remote = malloc(SAMPLE_BLOCK), *local = malloc(SAMPLE_BLOCK);
	int rc = remote && local ? 0 : vrp_error_oom();
	*equal = true;
	for (int i = 0; rc == 0 && *equal && i < SAMPLE_COUNT; i++) {
		ssize_t r = sftp_read_at(s, h, remote, SAMPLE_BLOCK, offsets[i], part);
		ssize_t l = r < 0 ? 0 : vrp_fs_pread_full(fd, local, SAMPLE_BLOCK, offsets[i]);
		if (r < 0)
			rc = (int)r;
		else if (l < 0)
			rc = vrp_error_set(VRP_EIO, "cannot read the local file back");
		else
			*equal = r == SAMPLE_BLOCK && l == SAMPLE_BLOCK &&
				 memcmp(remote, local, SAMPLE_BLOCK) == 0;
	}
	free(remote);
	free(local);
	return rc;
}

struct compare {
	int fd;
	int64_t offset;
	bool equal;
	unsigned char *local;
};

/* Compares each piece read back with the local bytes at the same offset. */
static int compare_sink(void *arg, const unsigned char *data, size_t len)
{
	struct compare *c = arg;
	ssize_t l = vrp_fs_pread_full(c->fd, c->local, len, c->offset);
	if (l < 0)
		return vrp_error_set(VRP_EIO, "cannot read the local file back");
	c->equal = c->equal && (size_t)l == len && memcmp(c->local, data, len) == 0;
	c->offset += (int64_t)len;
	return 0;
}

static int compare_all(struct sftp *s, struct sftp_handle *h, const char *part, int fd,
		       int64_t size, bool *equal)
{
	struct compare c = { .fd = fd, .equal = true, .local = malloc(1 << 20) };
	if (!c.local)
		return vrp_error_oom();
	int rc = sftp_read_stream(s, h, 0, size, part, compare_sink, &c);
	*equal = c.equal && c.offset == size;
	free(c.local);
	return rc;
}

static int local_prefix_sha256(int fd, int64_t size, char out[65])
{
	vrp_sha256 *hash = NULL;
	unsigned char *buf = malloc(1 << 20);
	int rc = buf ? vrp_sha256_new(&hash) : vrp_error_oom();
	for (int64_t done = 0; rc == 0 && done < size;) {
		size_t want = size - done < (1 << 20) ? (size_t)(size - done) : (1 << 20);
		ssize_t n = vrp_fs_pread_full(fd, buf, want, done);
		if (n != (ssize_t)want)
			rc = vrp_error_set(VRP_EIO, "cannot read the local file to resume");
		else
			rc = vrp_sha256_update(hash, buf, want);
		done += (int64_t)want;
	}
	if (rc == 0)
		rc = vrp_sha256_final_hex(hash, out);
	vrp_sha256_free(hash);
	free(buf);
	return rc;
}

int sftp_prefix_matches(struct sftp *s, struct sftp_handle *h, const char *part, int fd,
			int64_t existing, bool *keep)
{
	*keep = false;
	if (s->set.hash_command) {
		char local[65] = "", remote[65] = "";
		int rc = local_prefix_sha256(fd, existing, local);
		if (rc == 0)
			rc = sftp_exec_sha256(s, part, remote);
		*keep = rc == 0 && strcmp(local, remote) == 0;
		return rc;
	}
	if (s->set.verify == SFTP_VERIFY_FULL ||
	    (s->set.verify == SFTP_VERIFY_SAMPLE && existing < SAMPLE_MIN_SIZE))
		return compare_all(s, h, part, fd, existing, keep);
	if (s->set.verify == SFTP_VERIFY_SAMPLE)
		return compare_samples(s, h, part, fd, existing, keep);
	return 0;
}

struct hash_back {
	vrp_sha256 *hash;
};

static int hash_sink(void *arg, const unsigned char *data, size_t len)
{
	return vrp_sha256_update(((struct hash_back *)arg)->hash, data, len);
}

static int read_back_sha256(struct sftp *s, struct sftp_handle *h, const char *part, char out[65])
{
	struct hash_back b = { NULL };
	int rc = vrp_sha256_new(&b.hash);
	if (rc == 0)
		rc = sftp_read_stream(s, h, 0, -1, part, hash_sink, &b);
	if (rc == 0)
		rc = vrp_sha256_final_hex(b.hash, out);
	vrp_sha256_free(b.hash);
	return rc;
}

int sftp_verify_upload(struct sftp *s, struct sftp_handle *h, const char *part, int fd,
		       int64_t size, const char *local_sha256, const char **verification)
{
	char remote[65];
	int rc = 0;
	*verification = "size";
	if (s->set.hash_command) {
		*verification = "sha256-exec";
		rc = sftp_exec_sha256(s, part, remote);
	} else if (s->set.verify == SFTP_VERIFY_FULL ||
		   (s->set.verify == SFTP_VERIFY_SAMPLE && size < SAMPLE_MIN_SIZE)) {
		*verification = "size+full";
		rc = read_back_sha256(s, h, part, remote);
	} else if (s->set.verify == SFTP_VERIFY_SAMPLE) {
		bool equal = false;
		*verification = "size+sample";
		rc = compare_samples(s, h, part, fd, size, &equal);
		if (rc == 0 && !equal)
			rc = vrp_error_set(VRP_ECHECKSUM,
					   "%s on %s: a sampled range read back differs from "
					   "what was sent",
					   part, s->set.host);
		return rc;
	} else {
		return 0;
	}
	if (rc == 0 && strcmp(remote, local_sha256) != 0)
		rc = vrp_error_set(VRP_ECHECKSUM, "%s on %s has sha256 %s (%s), sent %s", part,
				   s->set.host, remote, *verification, local_sha256);
	return rc;
}
