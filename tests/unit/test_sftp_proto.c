/*
 * test_sftp_proto.c - the SFTP v3 reply parser refuses what does not fit
 * the packet, and ssh_command is split into words without a shell.
 */
#include "cloud/providers/sftp.h"
#include "cloud/providers/sftp_proto.h"
#include "test_support.h"

#include <string.h>

static size_t put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
	return 4;
}

static void test_status_reply_is_parsed(void **state)
{
	(void)state;
	unsigned char b[64];
	size_t n = 0;
	b[n++] = SFTP_STATUS;
	n += put32(b + n, 7);
	n += put32(b + n, SFTP_FX_NO_SUCH_FILE);
	n += put32(b + n, 2);
	memcpy(b + n, "no", 2);
	n += 2;
	n += put32(b + n, 0);
	struct sftp_reply r;
	assert_int_equal(sftp_proto_parse(b, n, &r), SFTP_PROTO_OK);
	assert_int_equal(r.id, 7);
	assert_int_equal(r.u.status.code, SFTP_FX_NO_SUCH_FILE);
	assert_int_equal(r.u.status.message_len, 2);
	/* One byte more or less than the packet holds is malformed. */
	assert_int_equal(sftp_proto_parse(b, n + 1, &r), SFTP_PROTO_BAD);
	assert_int_equal(sftp_proto_parse(b, n - 1, &r), SFTP_PROTO_BAD);
}

static void test_short_packets_are_refused(void **state)
{
	(void)state;
	unsigned char b[8] = { SFTP_STATUS, 0, 0, 0 };
	struct sftp_reply r;
	for (size_t n = 0; n < 9; n++)
		assert_int_equal(sftp_proto_parse(b, n, &r), SFTP_PROTO_BAD);
}

static void test_string_longer_than_the_packet_is_refused(void **state)
{
	(void)state;
	unsigned char b[32];
	size_t n = 0;
	b[n++] = SFTP_DATA;
	n += put32(b + n, 1);
	n += put32(b + n, 0xfffffff0u);
	memset(b + n, 'x', 8);
	n += 8;
	struct sftp_reply r;
	assert_int_equal(sftp_proto_parse(b, n, &r), SFTP_PROTO_BAD);
}

static void test_handle_above_256_bytes_is_refused(void **state)
{
	(void)state;
	unsigned char b[300 + 9] = { 0 };
	size_t n = 0;
	b[n++] = SFTP_HANDLE;
	n += put32(b + n, 1);
	n += put32(b + n, 257);
	n += 257;
	struct sftp_reply r;
	assert_int_equal(sftp_proto_parse(b, n, &r), SFTP_PROTO_BAD);
	put32(b + 5, 0); /* an empty handle */
	assert_int_equal(sftp_proto_parse(b, 9, &r), SFTP_PROTO_BAD);
}

static void test_name_count_must_fit_the_packet(void **state)
{
	(void)state;
	unsigned char b[64];
	size_t n = 0;
	b[n++] = SFTP_NAME;
	n += put32(b + n, 3);
	n += put32(b + n, 0x7fffffffu);
	memset(b + n, 0, 24);
	n += 24;
	struct sftp_reply r;
	assert_int_equal(sftp_proto_parse(b, n, &r), SFTP_PROTO_BAD);
	put32(b + 5, 2); /* two empty names with no attributes: 24 bytes */
	assert_int_equal(sftp_proto_parse(b, n, &r), SFTP_PROTO_OK);
	const char *name;
	size_t len;
	struct sftp_attrs a;
	assert_int_equal(sftp_proto_next_name(&r, &name, &len, &a), SFTP_PROTO_OK);
	assert_int_equal(len, 0);
	assert_int_equal(sftp_proto_next_name(&r, &name, &len, &a), SFTP_PROTO_OK);
	assert_int_equal(sftp_proto_next_name(&r, &name, &len, &a), SFTP_PROTO_BAD);
}

static void test_attrs_with_a_huge_extended_count_are_refused(void **state)
{
	(void)state;
	unsigned char b[32];
	size_t n = 0;
	b[n++] = SFTP_ATTRS;
	n += put32(b + n, 9);
	n += put32(b + n, 0x80000000u);
	n += put32(b + n, 0xffffffffu);
	struct sftp_reply r;
	assert_int_equal(sftp_proto_parse(b, n, &r), SFTP_PROTO_BAD);
}

static void test_request_that_does_not_fit_is_reported(void **state)
{
	(void)state;
	unsigned char buf[16];
	struct sftp_writer w;
	sftp_proto_begin(&w, buf, sizeof(buf), SFTP_STAT, 1);
	sftp_proto_put_cstring(&w, "a path longer than the buffer");
	assert_int_equal(sftp_proto_end(&w), 0);
	sftp_proto_begin(&w, buf, sizeof(buf), SFTP_STAT, 1);
	sftp_proto_put_cstring(&w, "/a");
	assert_int_equal(sftp_proto_end(&w), 4 + 1 + 4 + 4 + 2);
	assert_int_equal(buf[3], 11);
}

static void test_ssh_command_is_split_like_a_shell_without_one(void **state)
{
	(void)state;
	char **argv = NULL;
	assert_ok(sftp_split_command("ssh  -F '/etc/my ssh/config' -o \"A=b c\" x\\ y $HOME;",
				     &argv));
	const char *want[] = { "ssh", "-F", "/etc/my ssh/config", "-o", "A=b c", "x y", "$HOME;" };
	for (size_t i = 0; i < sizeof(want) / sizeof(*want); i++)
		assert_string_equal(argv[i], want[i]);
	assert_null(argv[7]);
	sftp_free_command(argv);
	assert_int_equal(sftp_split_command("   ", &argv), VRP_EINVAL);
	assert_int_equal(sftp_split_command("ssh \"x", &argv), VRP_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_reply_is_parsed),
		cmocka_unit_test(test_short_packets_are_refused),
		cmocka_unit_test(test_string_longer_than_the_packet_is_refused),
		cmocka_unit_test(test_handle_above_256_bytes_is_refused),
		cmocka_unit_test(test_name_count_must_fit_the_packet),
		cmocka_unit_test(test_attrs_with_a_huge_extended_count_are_refused),
		cmocka_unit_test(test_request_that_does_not_fit_is_reported),
		cmocka_unit_test(test_ssh_command_is_split_like_a_shell_without_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
