/* fuzz_sftp_proto.c - SFTP v3 replies from a server: every reply type, names, extensions, limits.
 */
#include "cloud/providers/sftp_proto.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sftp_reply r;
	if (sftp_proto_parse(data, size, &r) == SFTP_PROTO_OK) {
		const char *name, *value;
		size_t name_len, value_len;
		struct sftp_attrs attrs;
		if (r.type == SFTP_NAME)
			for (uint32_t i = 0; i < r.u.name.count; i++)
				if (sftp_proto_next_name(&r, &name, &name_len, &attrs) != 0)
					break;
		if (r.type == SFTP_VERSION)
			while (sftp_proto_next_extension(&r, &name, &name_len, &value,
							 &value_len) == 1)
				;
		if (r.type == SFTP_EXTENDED_REPLY) {
			struct sftp_statvfs v;
			struct sftp_limits l;
			sftp_proto_parse_statvfs(r.u.extended.bytes, r.u.extended.len, &v);
			sftp_proto_parse_limits(r.u.extended.bytes, r.u.extended.len, &l);
		}
	}
	return 0;
}
