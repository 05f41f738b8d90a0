/* fuzz_known_hosts.c - an OpenSSH known_hosts file (hashed names, markers, patterns) and key blobs. */
#include "cloud/providers/sftp_known_hosts.h"
#include "fuzz_file.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sftp_host_key key = { 0 };
	/* The same bytes as a server's key blob, and as the file that must vouch for it. */
	if (sftp_host_key_describe(data, size, &key) != 0) {
		static const unsigned char ed25519[] = {
			0, 0, 0, 11, 's', 's', 'h', '-', 'e', 'd', '2', '5', '5', '1', '9', 0, 0, 0, 32,
			1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21,
			22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32
		};
		sftp_host_key_describe(ed25519, sizeof(ed25519), &key);
	}
	char path[64];
	int fd = fuzz_file(data, size, path);
	if (fd >= 0) {
		enum sftp_host_key_status status;
		char *types = NULL;
		sftp_known_hosts_check(path, "[127.0.0.1]:2222", &key, &status, &types);
		free(types);
		sftp_known_hosts_match((const char *)data, size, "nas.example");
		close(fd);
	}
	sftp_host_key_clear(&key);
	return 0;
}
