/* test_sftp_known_hosts.c - host key lookup and recording in OpenSSH known_hosts files. */
#include "test_support.h"

#include "cloud/providers/sftp_known_hosts.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Two real ed25519 public keys (wire blobs, base64) and an RSA one. */
#define KEY_A    "AAAAC3NzaC1lZDI1NTE5AAAAIJa73zECLs56hSr5u5KbNEnrlyuthhaJtZvLBWZ4JUBq"
#define KEY_B    "AAAAC3NzaC1lZDI1NTE5AAAAINfulbOBe8SRsoaQg7ZQtR8yC0yqzSBUBSjuVSR0D5QR"
#define KEY_A_FP "SHA256:0nC+sd9VUxojyUudQz6F7484WYTDw7xOQ8vNHQ9D/Z8"

struct fixture {
	char *dir, *file;
	struct sftp_host_key key;
};

static void describe(const char *base64, struct sftp_host_key *key)
{
	unsigned char blob[256];
	int n = EVP_DecodeBlock(blob, (const unsigned char *)base64, (int)strlen(base64));
	assert_true(n > 0);
	for (const char *p = base64 + strlen(base64); p > base64 && p[-1] == '='; p--)
		n--;
	assert_ok(sftp_host_key_describe(blob, (size_t)n, key));
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_tmpdir();
	f->file = test_path(f->dir, "known_hosts");
	describe(KEY_A, &f->key);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	sftp_host_key_clear(&f->key);
	free(f->file);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	fputs(text, out);
	fclose(out);
}

static enum sftp_host_key_status check(const struct fixture *f, const char *name)
{
	enum sftp_host_key_status status;
	assert_ok(sftp_known_hosts_check(f->file, name, &f->key, &status, NULL));
	return status;
}

static void test_describe_gives_type_and_openssh_fingerprint(void **state)
{
	const struct fixture *f = *state;
	assert_string_equal(f->key.type, "ssh-ed25519");
	assert_string_equal(f->key.base64, KEY_A);
	/* What `ssh-keygen -lf` prints for this key. */
	assert_string_equal(f->key.fingerprint, KEY_A_FP);
}

static void test_describe_refuses_a_truncated_blob(void **state)
{
	(void)state;
	struct sftp_host_key key;
	const unsigned char blob[] = { 0, 0, 0, 11, 's', 's', 'h' };
	assert_int_equal(sftp_host_key_describe(blob, sizeof(blob), &key), VRP_EINVAL);
}

static void test_name_is_bracketed_with_a_port_other_than_22(void **state)
{
	(void)state;
	char name[64];
	sftp_known_hosts_name("nas.lan", 22, name, sizeof(name));
	assert_string_equal(name, "nas.lan");
	sftp_known_hosts_name("127.0.0.1", 2222, name, sizeof(name));
	assert_string_equal(name, "[127.0.0.1]:2222");
}

static void test_missing_file_knows_no_host(void **state)
{
	assert_int_equal(check(*state, "[127.0.0.1]:2222"), SFTP_HOST_KEY_UNKNOWN);
}

static void test_recorded_key_matches_after_unparsable_lines(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, "# comment\n\ngarbage\n@cert-authority *.lan ssh-ed25519 " KEY_B "\n"
			    "other.lan sk-ssh-ed25519@openssh.com AAAAx\n"
			    "[127.0.0.1]:2222 ssh-ed25519 " KEY_A " a comment\n");
	assert_int_equal(check(f, "[127.0.0.1]:2222"), SFTP_HOST_KEY_MATCH);
}

static void test_same_host_on_another_port_is_unknown(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, "127.0.0.1 ssh-ed25519 " KEY_B "\n");
	assert_int_equal(check(f, "[127.0.0.1]:2222"), SFTP_HOST_KEY_UNKNOWN);
}

static void test_other_key_for_the_host_is_a_change(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, "[127.0.0.1]:2222 ssh-ed25519 " KEY_B "\n");
	assert_int_equal(check(f, "[127.0.0.1]:2222"), SFTP_HOST_KEY_CHANGED);
}

static void test_only_another_key_type_for_the_host_is_a_change(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, "nas.lan,10.0.0.2 ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7\n");
	enum sftp_host_key_status status;
	char *types = NULL;
	assert_ok(sftp_known_hosts_check(f->file, "10.0.0.2", &f->key, &status, &types));
	assert_int_equal(status, SFTP_HOST_KEY_CHANGED);
	assert_string_equal(types, "ssh-rsa");
	free(types);
}

static void test_patterns_wildcards_and_negation(void **state)
{
	(void)state;
	const char *p = "*.lan,!evil.lan,10.0.0.?";
	assert_true(sftp_known_hosts_match(p, strlen(p), "nas.lan"));
	assert_true(sftp_known_hosts_match(p, strlen(p), "NAS.LAN"));
	assert_true(sftp_known_hosts_match(p, strlen(p), "10.0.0.7"));
	assert_false(sftp_known_hosts_match(p, strlen(p), "10.0.0.17"));
	assert_false(sftp_known_hosts_match(p, strlen(p), "evil.lan"));
	const char *bracket = "[127.0.0.1]:2222";
	assert_true(sftp_known_hosts_match(bracket, strlen(bracket), "[127.0.0.1]:2222"));
	assert_false(sftp_known_hosts_match(bracket, strlen(bracket), "[127.0.0.1]:22222"));
	const char *globs = "n*s*.l?n,*a*b*";
	assert_true(sftp_known_hosts_match(globs, strlen(globs), "nas.lan"));
	assert_true(sftp_known_hosts_match(globs, strlen(globs), "xaxxb"));
	assert_false(sftp_known_hosts_match(globs, strlen(globs), "nas.lanx"));
}

/*
 * Found by fuzz_known_hosts: sixty stars and a letter the name lacks took
 * the recursive glob exponential time (the test would hang, not fail).
 */
static void test_many_stars_cost_linear_time(void **state)
{
	(void)state;
	char pattern[128];
	memset(pattern, '*', 60);
	strcpy(pattern + 60, "x");
	assert_false(sftp_known_hosts_match(pattern, strlen(pattern),
					    "a-long-host-name-without-that-letter.lan"));
	assert_true(sftp_known_hosts_match(pattern, strlen(pattern), "box"));
}

/* ssh-keygen -H writes |1|salt|hash names; they must still be found. */
static void test_hashed_names_match(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, "[127.0.0.1]:2222 ssh-ed25519 " KEY_A "\n");
	char command[512];
	snprintf(command, sizeof(command), "ssh-keygen -q -H -f '%s' >/dev/null 2>&1", f->file);
	if (system(command) != 0)
		skip();
	FILE *in = fopen(f->file, "r");
	char line[512] = "";
	assert_non_null(fgets(line, sizeof(line), in));
	fclose(in);
	assert_memory_equal(line, "|1|", 3);
	assert_int_equal(check(f, "[127.0.0.1]:2222"), SFTP_HOST_KEY_MATCH);
	assert_int_equal(check(f, "[127.0.0.1]:2223"), SFTP_HOST_KEY_UNKNOWN);
}

static void test_revoked_key_is_refused_even_when_recorded(void **state)
{
	struct fixture *f = *state;
	write_file(f->file,
		   "[127.0.0.1]:2222 ssh-ed25519 " KEY_A "\n@revoked * ssh-ed25519 " KEY_A "\n");
	assert_int_equal(check(f, "[127.0.0.1]:2222"), SFTP_HOST_KEY_REVOKED);
}

static void test_append_creates_private_file_and_folder(void **state)
{
	struct fixture *f = *state;
	char *file = test_path(f->dir, "ssh/known_hosts");
	assert_ok(sftp_known_hosts_append(file, "[127.0.0.1]:2222", &f->key));
	struct stat st;
	assert_int_equal(stat(file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	char *folder = test_path(f->dir, "ssh");
	assert_int_equal(stat(folder, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	enum sftp_host_key_status status;
	assert_ok(sftp_known_hosts_check(file, "[127.0.0.1]:2222", &f->key, &status, NULL));
	assert_int_equal(status, SFTP_HOST_KEY_MATCH);
	free(folder);
	free(file);
}

static void test_append_keeps_existing_lines_and_ends_the_last(void **state)
{
	struct fixture *f = *state;
	write_file(f->file, "other.lan ssh-ed25519 " KEY_B);
	assert_ok(sftp_known_hosts_append(f->file, "[127.0.0.1]:2222", &f->key));
	FILE *in = fopen(f->file, "r");
	char text[1024] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, in);
	fclose(in);
	text[n] = '\0';
	assert_string_equal(text, "other.lan ssh-ed25519 " KEY_B
				  "\n[127.0.0.1]:2222 ssh-ed25519 " KEY_A "\n");
}

static void test_known_types_come_first_in_host_key_methods(void **state)
{
	(void)state;
	char *methods = sftp_host_key_methods("ssh-rsa,ecdsa-sha2-nistp256");
	assert_non_null(methods);
	assert_string_equal(methods, "rsa-sha2-512,rsa-sha2-256,ssh-rsa,ecdsa-sha2-nistp256,"
				     "ssh-ed25519,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521");
	free(methods);
	methods = sftp_host_key_methods("");
	assert_string_equal(methods, "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,"
				     "ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa");
	free(methods);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		T(test_describe_gives_type_and_openssh_fingerprint),
		T(test_describe_refuses_a_truncated_blob),
		T(test_name_is_bracketed_with_a_port_other_than_22),
		T(test_missing_file_knows_no_host),
		T(test_recorded_key_matches_after_unparsable_lines),
		T(test_many_stars_cost_linear_time),
		T(test_same_host_on_another_port_is_unknown),
		T(test_other_key_for_the_host_is_a_change),
		T(test_only_another_key_type_for_the_host_is_a_change),
		T(test_patterns_wildcards_and_negation),
		T(test_hashed_names_match),
		T(test_revoked_key_is_refused_even_when_recorded),
		T(test_append_creates_private_file_and_folder),
		T(test_append_keeps_existing_lines_and_ends_the_last),
		T(test_known_types_come_first_in_host_key_methods),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
