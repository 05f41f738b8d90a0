/*
 * test_sftp.c - the sftp provider against a real OpenSSH server on
 * 127.0.0.1 (tests/servers/sshd.sh), started once for the file and stopped
 * by its PID at the end. Each test gets its own remote folder.
 */
#include "provider_symlink_tests.h"
#include "provider_test_util.h"

#include <fcntl.h>
#include <unistd.h>

#define BIG (700 * 1024 + 123)

static char *server_dir; /* the sshd's keys, config and known_hosts */
static char port[16];

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char command[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(command, sizeof(command), fmt, ap);
	va_end(ap);
	return system(command);
}

static int start_server(void **state)
{
	(void)state;
	const char *script = getenv("VRP_TEST_SSHD");
	if (!script || access("/usr/sbin/sshd", X_OK) != 0)
		return 0;
	server_dir = test_tmpdir();
	if (sh("sh '%s' start '%s/s' >/dev/null", script, server_dir) != 0) {
		test_rmtree(server_dir);
		server_dir = NULL;
		return 0;
	}
	char *port_file = test_path(server_dir, "s/port");
	FILE *in = fopen(port_file, "r");
	assert_non_null(fgets(port, sizeof(port), in));
	port[strcspn(port, "\n")] = '\0';
	fclose(in);
	free(port_file);
	return 0;
}

static int stop_server(void **state)
{
	(void)state;
	if (server_dir) {
		sh("sh '%s' stop '%s/s'", getenv("VRP_TEST_SSHD"), server_dir);
		test_rmtree(server_dir);
	}
	return 0;
}

struct secrets {
	const char *passphrase, *password;
};

static int secret(void *ctx, const char *remote, const char *key, char **out)
{
	const struct secrets *s = ctx;
	(void)remote;
	const char *v = !strcmp(key, "key_passphrase") ? s->passphrase
			: !strcmp(key, "password")     ? s->password
						       : NULL;
	if (!v)
		return VRP_ENOTFOUND;
	*out = strdup(v);
	return 0;
}

struct fixture {
	char *dir, *remote, *local, *key, *known_hosts;
	struct secrets secrets;
	vrp_provider *p;
};

/* Opens "srv" with the fixture's settings and `extra` key=value pairs. */
static int open_with(struct fixture *f, const vrp_kv *extra, size_t n_extra)
{
	vrp_kv settings[16] = {
		{ "host", "127.0.0.1" },
		{ "port", port },
		{ "path", f->remote },
		{ "key_file", f->key },
		{ "known_hosts", f->known_hosts },
		{ "timeout", "10" },
	};
	size_t n = 6;
	/* VRP_TEST_SFTP_TRANSPORT=libssh2 runs every test on the other transport. The openssh
	 * one reads no ssh config (-F /dev/null): the tests must not depend on the machine's. */
	const char *transport = getenv("VRP_TEST_SFTP_TRANSPORT");
	if (transport && *transport)
		settings[n++] = (vrp_kv){ "transport", transport };
	else
		settings[n++] = (vrp_kv){ "ssh_command", "ssh -F /dev/null" };
	for (size_t i = 0; i < n_extra; i++) {
		size_t j = 0;
		while (j < n && strcmp(settings[j].key, extra[i].key) != 0)
			j++;
		settings[j] = extra[i];
		n += j == n;
	}
	vrp_provider_free(f->p);
	f->p = NULL;
	return vrp_provider_new(&f->p, "sftp", "srv", settings, n, secret, &f->secrets);
}

static int setup(void **state)
{
	if (!server_dir)
		skip();
	struct fixture *f = calloc(1, sizeof(*f));
	f->dir = test_tmpdir();
	f->remote = test_path(f->dir, "remote");
	f->local = test_path(f->dir, "local");
	f->key = test_path(server_dir, "s/user_ed25519");
	f->known_hosts = test_path(server_dir, "s/known_hosts");
	mkdir(f->local, 0755);
	assert_ok(open_with(f, NULL, 0));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	if (!f)
		return 0;
	vrp_provider_free(f->p);
	free(f->remote);
	free(f->local);
	free(f->key);
	free(f->known_hosts);
	test_rmtree(f->dir);
	free(f);
	return 0;
}

struct progress_log {
	int64_t first, last;
	int calls;
	int64_t cancel_at;
};

static int log_progress(void *ctx, int64_t done, int64_t total)
{
	struct progress_log *log = ctx;
	(void)total;
	if (log->calls++ == 0)
		log->first = done;
	log->last = done;
	return log->cancel_at && done >= log->cancel_at;
}

static int upload(struct fixture *f, const char *local, const char *rel, struct progress_log *log,
		  vrp_remote_object **out)
{
	char sha[VRP_SHA256_HEX_LEN];
	sha256_of(local, sha);
	vrp_upload_request req = { .local_path = local, .remote_path = rel, .sha256 = sha };
	if (log) {
		req.progress = log_progress;
		req.progress_ctx = log;
	}
	return vrp_provider_upload(f->p, &req, out, NULL);
}

static void assert_same_file(const char *a, const char *b)
{
	char x[VRP_SHA256_HEX_LEN], y[VRP_SHA256_HEX_LEN];
	sha256_of(a, x);
	sha256_of(b, y);
	assert_string_equal(x, y);
}

static void test_upload_lands_verified_with_no_part_left(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "a.wav", BIG, 1);
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, local, "VoiceRecorderPro/2026/05/a.wav", NULL, &o));
	char *stored = test_path(f->remote, "VoiceRecorderPro/2026/05/a.wav");
	assert_same_file(local, stored);
	char *part = test_path(f->remote, "VoiceRecorderPro/2026/05/a.wav.part");
	assert_int_equal(file_size(part), -1);
	free(part);
	assert_string_equal(o->verification, "size+sample");
	assert_int_equal(o->size, BIG);
	char sha[VRP_SHA256_HEX_LEN];
	sha256_of(local, sha);
	assert_string_equal(o->checksum, sha);
	assert_int_equal(o->checksum_kind, VRP_CHECKSUM_SHA256);
	assert_non_null(o->created_at);
	vrp_remote_object_free(o);
	free(stored);
	free(local);
}

static void test_verify_modes_say_what_was_checked(void **state)
{
	struct fixture *f = *state;
	char *big = make_file(f->local, "big.wav", BIG, 2);
	char *small = make_file(f->local, "small.wav", 5000, 3);
	const char *modes[] = { "size", "full", "sample" };
	const char *big_says[] = { "size", "size+full", "size+sample" };
	for (int i = 0; i < 3; i++) {
		vrp_kv verify = { "verify", modes[i] };
		assert_ok(open_with(f, &verify, 1));
		vrp_remote_object *o = NULL;
		assert_ok(upload(f, big, "big.wav", NULL, &o));
		assert_string_equal(o->verification, big_says[i]);
		vrp_remote_object_free(o);
	}
	/* Sampling a small file would read most of it: it is read back whole. */
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, small, "small.wav", NULL, &o));
	assert_string_equal(o->verification, "size+full");
	vrp_remote_object_free(o);
	free(big);
	free(small);
}

static void test_hash_command_hashes_on_the_server(void **state)
{
	struct fixture *f = *state;
	if (access("/usr/bin/sha256sum", X_OK) != 0)
		skip();
	vrp_kv hash = { "hash_command", "sha256sum" };
	assert_ok(open_with(f, &hash, 1));
	char *local = make_file(f->local, "it's here.wav", BIG, 4);
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, local, "a folder/it's here.wav", NULL, &o));
	assert_string_equal(o->verification, "sha256-exec");
	vrp_remote_object_free(o);
	/* stat's checksum comes from the server too. */
	assert_ok(vrp_provider_stat(f->p, "a folder/it's here.wav", VRP_STAT_CHECKSUM, &o));
	char sha[VRP_SHA256_HEX_LEN];
	sha256_of(local, sha);
	assert_string_equal(o->checksum, sha);
	vrp_remote_object_free(o);
	free(local);
}

/* Writes the first `len` bytes of `src` (or `len` other bytes) as the remote's .part. */
static void plant_part(struct fixture *f, const char *src, const char *rel, size_t len, bool same)
{
	char *part_rel = NULL;
	assert_true(asprintf(&part_rel, "%s.part", rel) > 0);
	char *part = test_path(f->remote, part_rel);
	char *dir = strdup(part);
	*strrchr(dir, '/') = '\0';
	sh("mkdir -p '%s'", dir);
	if (same)
		sh("head -c %zu '%s' >'%s'", len, src, part);
	else
		sh("head -c %zu /dev/urandom >'%s'", len, part);
	assert_int_equal(file_size(part), (int64_t)len);
	free(dir);
	free(part);
	free(part_rel);
}

static void test_part_left_by_a_crash_is_resumed_when_it_matches(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "r.wav", 3 * BIG, 5);
	plant_part(f, local, "x/r.wav", 2 * BIG, true);
	struct progress_log log = { 0 };
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, local, "x/r.wav", &log, &o));
	assert_int_equal(log.first, 2 * BIG);
	assert_int_equal(log.last, 3 * BIG);
	char *stored = test_path(f->remote, "x/r.wav");
	assert_same_file(local, stored);
	vrp_remote_object_free(o);
	free(stored);
	free(local);
}

static void test_part_with_other_bytes_is_replaced(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "r.wav", 3 * BIG, 6);
	const char *modes[] = { "sample", "full", "size" };
	for (int i = 0; i < 3; i++) {
		vrp_kv verify = { "verify", modes[i] };
		assert_ok(open_with(f, &verify, 1));
		plant_part(f, local, "y/r.wav", BIG, false);
		struct progress_log log = { 0 };
		vrp_remote_object *o = NULL;
		assert_ok(upload(f, local, "y/r.wav", &log, &o));
		assert_int_equal(log.first, 0);
		char *stored = test_path(f->remote, "y/r.wav");
		assert_same_file(local, stored);
		vrp_remote_object_free(o);
		free(stored);
	}
	/* A part longer than the file cannot be its start. */
	plant_part(f, local, "y/r.wav", 4 * BIG, false);
	struct progress_log log = { 0 };
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, local, "y/r.wav", &log, &o));
	assert_int_equal(log.first, 0);
	vrp_remote_object_free(o);
	free(local);
}

static void test_cancelled_upload_keeps_resume_state_and_part(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "c.wav", 12 << 20, 7);
	struct progress_log log = { .cancel_at = 1 };
	vrp_upload_request req = { .local_path = local,
				   .remote_path = "c.wav",
				   .progress = log_progress,
				   .progress_ctx = &log };
	vrp_remote_object *o = NULL;
	char *resume = NULL;
	assert_int_equal(vrp_provider_upload(f->p, &req, &o, &resume), VRP_ECANCELLED);
	assert_non_null(resume);
	assert_non_null(strstr(resume, "\"provider\":\"sftp\""));
	char *part = test_path(f->remote, "c.wav.part");
	assert_true(file_size(part) > 0);
	char *final = test_path(f->remote, "c.wav");
	assert_int_equal(file_size(final), -1);
	free(resume);
	free(part);
	free(final);
	free(local);
}

static void test_upload_replaces_an_existing_object(void **state)
{
	struct fixture *f = *state;
	char *one = make_file(f->local, "1.wav", BIG, 8);
	char *two = make_file(f->local, "2.wav", BIG / 2, 9);
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, one, "same.wav", NULL, &o));
	vrp_remote_object_free(o);
	assert_ok(upload(f, two, "same.wav", NULL, &o));
	vrp_remote_object_free(o);
	char *stored = test_path(f->remote, "same.wav");
	assert_same_file(two, stored);
	free(stored);
	free(one);
	free(two);
}

static void test_list_stat_download_delete(void **state)
{
	struct fixture *f = *state;
	char *a = make_file(f->local, "a.wav", BIG, 10);
	char *b = make_file(f->local, "b.m4a", 1000, 11);
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, a, "V/2026/01/a.wav", NULL, &o));
	vrp_remote_object_free(o);
	assert_ok(upload(f, b, "V/b.m4a", NULL, &o));
	vrp_remote_object_free(o);
	plant_part(f, a, "V/2026/01/c.wav", 10, true);

	vrp_remote_page *page = NULL;
	assert_ok(vrp_provider_list(f->p, NULL, NULL, 1, &page));
	assert_int_equal(page->count, 1);
	assert_string_equal(page->items[0]->path, "V/2026/01/a.wav");
	assert_int_equal(page->items[0]->size, BIG);
	assert_non_null(page->items[0]->created_at);
	assert_string_equal(page->next_page_token, "V/2026/01/a.wav");
	vrp_remote_page *next = NULL;
	assert_ok(vrp_provider_list(f->p, "V", page->next_page_token, 10, &next));
	assert_int_equal(next->count, 1);
	assert_string_equal(next->items[0]->path, "V/b.m4a");
	assert_null(next->next_page_token);
	vrp_remote_page_free(page);
	vrp_remote_page_free(next);

	char sha[VRP_SHA256_HEX_LEN];
	sha256_of(a, sha);
	assert_ok(vrp_provider_stat(f->p, "V/2026/01/a.wav", VRP_STAT_CHECKSUM, &o));
	assert_string_equal(o->checksum, sha);
	vrp_remote_object_free(o);
	assert_int_equal(vrp_provider_stat(f->p, "V/none.wav", 0, &o), VRP_EREMOTE_NOT_FOUND);

	char *copy = test_path(f->local, "copy.wav");
	vrp_download_request d = { .remote_id = "V/2026/01/a.wav",
				   .local_path = copy,
				   .expected_sha256 = sha };
	assert_ok(vrp_provider_download(f->p, &d));
	assert_same_file(a, copy);

	assert_ok(vrp_provider_delete(f->p, "V/2026/01/a.wav"));
	assert_int_equal(vrp_provider_delete(f->p, "V/2026/01/a.wav"), VRP_EREMOTE_NOT_FOUND);
	free(copy);
	free(a);
	free(b);
}

static void test_storage_info_from_statvfs(void **state)
{
	struct fixture *f = *state;
	mkdir(f->remote, 0755);
	vrp_storage_info *info = NULL;
	assert_ok(vrp_provider_storage_info(f->p, &info));
	assert_true(info->total > 0);
	assert_true(info->free >= 0 && info->free <= info->total);
	assert_true(info->used >= 0);
	vrp_storage_info_free(info);
}

static void test_unknown_host_key_shows_fingerprint_until_accepted(void **state)
{
	struct fixture *f = *state;
	char *kh = test_path(f->dir, "home/.ssh/known_hosts");
	vrp_kv set = { "known_hosts", kh };
	assert_ok(open_with(f, &set, 1));
	assert_int_equal(vrp_provider_authenticate(f->p), VRP_EAUTH);
	const char *msg = vrp_error_last()->message;
	assert_non_null(strstr(msg, "SHA256:"));
	assert_non_null(strstr(msg, "vrp remote test srv --accept-host-key"));
	assert_int_equal(file_size(kh), -1);

	char *fingerprint = NULL;
	assert_ok(vrp_provider_accept_host_key(f->p, &fingerprint));
	char expected[256] = "";
	char *pub = test_path(server_dir, "s/host_ed25519.pub");
	char command[600];
	snprintf(command, sizeof(command), "ssh-keygen -lf '%s' | cut -d' ' -f2", pub);
	FILE *p = popen(command, "r");
	assert_non_null(fgets(expected, sizeof(expected), p));
	pclose(p);
	expected[strcspn(expected, "\n")] = '\0';
	assert_string_equal(fingerprint, expected);
	assert_ok(open_with(f, &set, 1));
	assert_ok(vrp_provider_authenticate(f->p));
	free(fingerprint);
	free(pub);
	free(kh);
}

static void test_changed_host_key_is_refused_even_when_accepting(void **state)
{
	struct fixture *f = *state;
	char *kh = test_path(f->dir, "known_hosts");
	FILE *out = fopen(kh, "w");
	fprintf(out,
		"[127.0.0.1]:%s ssh-ed25519 "
		"AAAAC3NzaC1lZDI1NTE5AAAAIJa73zECLs56hSr5u5KbNEnrlyuthhaJtZvLBWZ4JUBq\n",
		port);
	fclose(out);
	int64_t before = file_size(kh);
	vrp_kv set = { "known_hosts", kh };
	assert_ok(open_with(f, &set, 1));
	assert_int_equal(vrp_provider_authenticate(f->p), VRP_EAUTH);
	assert_non_null(strstr(vrp_error_last()->message, "CHANGED"));
	char *fingerprint = NULL;
	assert_int_equal(vrp_provider_accept_host_key(f->p, &fingerprint), VRP_EAUTH);
	assert_null(fingerprint);
	assert_int_equal(file_size(kh), before);
	free(kh);
}

static void test_key_the_server_does_not_know_is_an_auth_failure(void **state)
{
	struct fixture *f = *state;
	char *other = test_path(f->dir, "other_key");
	assert_int_equal(sh("ssh-keygen -q -t ed25519 -N '' -f '%s'", other), 0);
	vrp_kv set = { "key_file", other };
	assert_ok(open_with(f, &set, 1));
	assert_int_equal(vrp_provider_authenticate(f->p), VRP_EAUTH);
	assert_non_null(strstr(vrp_error_last()->message, "refused the login"));
	free(other);
}

static void test_key_passphrase_comes_from_the_secret_store(void **state)
{
	struct fixture *f = *state;
	char *locked = test_path(f->dir, "locked_key");
	assert_int_equal(sh("ssh-keygen -q -t ed25519 -N 'open sesame' -f '%s' && cat '%s.pub' "
			    ">>'%s/s/authorized_keys'",
			    locked, locked, server_dir),
			 0);
	vrp_kv set = { "key_file", locked };
	assert_ok(open_with(f, &set, 1));
	assert_int_equal(vrp_provider_authenticate(f->p), VRP_EAUTH);
	assert_non_null(strstr(vrp_error_last()->message, "key_passphrase"));
	f->secrets.passphrase = "open sesame";
	assert_ok(vrp_provider_authenticate(f->p));
	free(locked);
}

static void test_nothing_listening_is_unavailable(void **state)
{
	struct fixture *f = *state;
	char free_port[16];
	FILE *p = popen("python3 -c 'import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); "
			"print(s.getsockname()[1])'",
			"r");
	assert_non_null(fgets(free_port, sizeof(free_port), p));
	pclose(p);
	free_port[strcspn(free_port, "\n")] = '\0';
	vrp_kv set = { "port", free_port };
	assert_ok(open_with(f, &set, 1));
	assert_int_equal(vrp_provider_authenticate(f->p), VRP_EUNAVAILABLE);
	assert_non_null(strstr(vrp_error_last()->message, "refused the connection"));
}

/* A connection kept from an earlier task died (the server restarted): the next call reconnects. */
static void test_kept_connection_that_died_is_replaced(void **state)
{
	struct fixture *f = *state;
	char *local = make_file(f->local, "k.wav", 1000, 12);
	vrp_remote_object *o = NULL;
	assert_ok(upload(f, local, "k.wav", NULL, &o));
	vrp_remote_object_free(o);
	const char *script = getenv("VRP_TEST_SSHD");
	assert_int_equal(
		sh(". '%s'; sshd_kill '%s/s' && sshd_start '%s/s'", script, server_dir, server_dir),
		0);
	assert_ok(vrp_provider_stat(f->p, "k.wav", 0, &o));
	assert_int_equal(o->size, 1000);
	vrp_remote_object_free(o);
	free(local);
}

static void test_settings_are_checked(void **state)
{
	(void)state;
	vrp_provider *p = NULL;
	vrp_kv bad_port[] = { { "host", "h" }, { "path", "/x" }, { "port", "99999" } };
	assert_int_equal(vrp_provider_new(&p, "sftp", "r", bad_port, 3, NULL, NULL), VRP_EINVAL);
	vrp_kv bad_verify[] = { { "host", "h" }, { "path", "/x" }, { "verify", "most" } };
	assert_int_equal(vrp_provider_new(&p, "sftp", "r", bad_verify, 3, NULL, NULL), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "size, sample or full"));
	vrp_kv no_host[] = { { "path", "/x" } };
	assert_int_equal(vrp_provider_new(&p, "sftp", "r", no_host, 1, NULL, NULL), VRP_EINVAL);
	vrp_kv option_host[] = { { "host", "-oProxyCommand=touch /tmp/x" }, { "path", "/x" } };
	assert_int_equal(vrp_provider_new(&p, "sftp", "r", option_host, 2, NULL, NULL), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "cannot begin with '-'"));
	vrp_kv option_user[] = { { "host", "h" }, { "user", "-F/etc/passwd" }, { "path", "/x" } };
	assert_int_equal(vrp_provider_new(&p, "sftp", "r", option_user, 3, NULL, NULL), VRP_EINVAL);
	vrp_kv bad_transport[] = { { "host", "h" }, { "path", "/x" }, { "transport", "telnet" } };
	assert_int_equal(vrp_provider_new(&p, "sftp", "r", bad_transport, 3, NULL, NULL),
			 VRP_EINVAL);
	vrp_kv open_quote[] = { { "host", "h" }, { "path", "/x" }, { "ssh_command", "ssh -F 'x" } };
	assert_int_equal(vrp_provider_new(&p, "sftp", "r", open_quote, 3, NULL, NULL), VRP_EINVAL);
	assert_non_null(strstr(vrp_error_last()->message, "unclosed quote"));
	vrp_kv fine[] = { { "host", "h" }, { "path", "x/" }, { "verify", "full" } };
	assert_ok(vrp_provider_new(&p, "sftp", "r", fine, 3, NULL, NULL));
	vrp_provider_free(p);
}

static struct symlink_case symlink_case_of(const struct fixture *f)
{
	return (struct symlink_case){ f->p, f->remote, f->local, f->dir };
}

SYMLINK_TESTS

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
		cmocka_unit_test(test_settings_are_checked),
		T(test_upload_lands_verified_with_no_part_left),
		T(test_verify_modes_say_what_was_checked),
		T(test_hash_command_hashes_on_the_server),
		T(test_part_left_by_a_crash_is_resumed_when_it_matches),
		T(test_part_with_other_bytes_is_replaced),
		T(test_cancelled_upload_keeps_resume_state_and_part),
		T(test_upload_replaces_an_existing_object),
		T(test_list_stat_download_delete),
		T(test_storage_info_from_statvfs),
		T(test_unknown_host_key_shows_fingerprint_until_accepted),
		T(test_changed_host_key_is_refused_even_when_accepting),
		T(test_key_the_server_does_not_know_is_an_auth_failure),
		T(test_key_passphrase_comes_from_the_secret_store),
		T(test_nothing_listening_is_unavailable),
		T(test_kept_connection_that_died_is_replaced),
		T(test_symlinked_app_folder_is_refused_everywhere),
		T(test_upload_is_refused_through_a_symlinked_subfolder_or_name),
		T(test_file_swapped_for_a_symlink_after_listing_is_not_read),
		T(test_listing_skips_symlinked_files_and_folders),
#undef T
	};
	return cmocka_run_group_tests(tests, start_server, stop_server);
}
