/*
 * provider_symlink_tests.h - what every provider whose remote is a folder on
 * a filesystem (localdir, sftp) must do with symlinks under its root: skip
 * them in listings and refuse, with ERR_PERMANENT, every upload, download,
 * stat, delete or listing whose path passes through one. Each test file
 * calls these with its own provider, opened on `remote`.
 */
#ifndef VRP_PROVIDER_SYMLINK_TESTS_H
#define VRP_PROVIDER_SYMLINK_TESTS_H

#include "provider_test_util.h"

#include <dirent.h>
#include <unistd.h>

struct symlink_case {
	vrp_provider *p;
	const char *remote;  /* the provider's root, on this machine */
	const char *local;   /* where local files are made */
	const char *scratch; /* where the folder outside the root goes */
};

/* A folder outside the remote holding one 100-byte file; malloc'd path. */
static inline char *symlink_outside(const struct symlink_case *c)
{
	char *outside = test_path(c->scratch, "outside");
	mkdir(outside, 0755);
	free(make_file(outside, "x.wav", 100, 20));
	mkdir(c->remote, 0755);
	return outside;
}

static inline int symlink_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d)) != NULL;)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	if (d)
		closedir(d);
	return n;
}

static inline void symlink_link(const char *target, const char *dir, const char *name)
{
	char *link = test_path(dir, name);
	assert_int_equal(symlink(target, link), 0);
	free(link);
}

static inline int symlink_upload(const struct symlink_case *c, const char *local,
				 const char *remote_path)
{
	char sha[VRP_SHA256_HEX_LEN];
	sha256_of(local, sha);
	vrp_upload_request r = { .local_path = local, .remote_path = remote_path, .sha256 = sha };
	vrp_remote_object *o = NULL;
	int rc = vrp_provider_upload(c->p, &r, &o, NULL);
	vrp_remote_object_free(o);
	return rc;
}

static inline void assert_refused_as_symlink(int rc)
{
	assert_int_equal(rc, VRP_EPERMANENT);
	assert_non_null(strstr(vrp_error_last()->message, "is a symbolic link"));
}

/* Download, stat and delete of `id` are all refused, and nothing arrives locally. */
static inline void assert_reads_refused(const struct symlink_case *c, const char *id)
{
	char *back = test_path(c->local, "back.wav");
	vrp_download_request d = { .remote_id = id, .local_path = back };
	assert_refused_as_symlink(vrp_provider_download(c->p, &d));
	assert_int_equal(access(back, F_OK), -1);
	vrp_remote_object *o = NULL;
	assert_refused_as_symlink(vrp_provider_stat(c->p, id, VRP_STAT_CHECKSUM, &o));
	assert_refused_as_symlink(vrp_provider_delete(c->p, id));
	free(back);
}

static inline void symlinked_app_folder_is_refused_everywhere(const struct symlink_case *c)
{
	char *outside = symlink_outside(c);
	symlink_link(outside, c->remote, "VoiceRecorderPro");
	char *local = make_file(c->local, "a.wav", 1000, 21);
	vrp_remote_page *page = NULL;
	assert_refused_as_symlink(vrp_provider_list(c->p, "VoiceRecorderPro", NULL, 0, &page));
	assert_ok(vrp_provider_list(c->p, NULL, NULL, 0, &page));
	assert_int_equal(page->count, 0);
	vrp_remote_page_free(page);
	assert_refused_as_symlink(symlink_upload(c, local, "VoiceRecorderPro/2026/a.wav"));
	assert_reads_refused(c, "VoiceRecorderPro/x.wav");
	assert_int_equal(symlink_entries(outside), 1);
	free(local);
	free(outside);
}

/* A symlinked folder on the way, a symlinked name and a symlinked .part: none is written through.
 */
static inline void upload_is_refused_through_symlinks(const struct symlink_case *c)
{
	char *outside = symlink_outside(c);
	char *local = make_file(c->local, "a.wav", 1000, 22);
	char *v = test_path(c->remote, "V");
	mkdir(v, 0755);
	char *target = test_path(outside, "x.wav");
	symlink_link(outside, v, "2026");
	symlink_link(target, v, "b.wav");
	symlink_link(target, v, "c.wav.part");
	const char *paths[] = { "V/2026/11/a.wav", "V/2026/a.wav", "V/b.wav", "V/c.wav" };
	for (int i = 0; i < 4; i++)
		assert_refused_as_symlink(symlink_upload(c, local, paths[i]));
	assert_int_equal(symlink_entries(outside), 1);
	assert_int_equal(file_size(target), 100);
	free(target);
	free(v);
	free(local);
	free(outside);
}

/* Listed as a file, then swapped for a link (or its folder for a link): never read through. */
static inline void file_swapped_for_a_symlink_is_not_read(const struct symlink_case *c)
{
	char *outside = symlink_outside(c);
	char *local = make_file(c->local, "a.wav", 1000, 23);
	assert_ok(symlink_upload(c, local, "V/a.wav"));
	vrp_remote_page *page = NULL;
	assert_ok(vrp_provider_list(c->p, "V", NULL, 0, &page));
	assert_int_equal(page->count, 1);
	vrp_remote_page_free(page);
	char *stored = test_path(c->remote, "V/a.wav");
	char *target = test_path(outside, "x.wav");
	assert_int_equal(unlink(stored), 0);
	assert_int_equal(symlink(target, stored), 0);
	assert_reads_refused(c, "V/a.wav");
	assert_int_equal(file_size(target), 100);

	char *v = test_path(c->remote, "V");
	char *moved = test_path(c->remote, "V.old");
	assert_int_equal(rename(v, moved), 0);
	assert_int_equal(symlink(moved, v), 0);
	assert_reads_refused(c, "V/a.wav");
	free(moved);
	free(v);
	free(target);
	free(stored);
	free(local);
	free(outside);
}

static inline void listing_skips_symlinked_files_and_folders(const struct symlink_case *c)
{
	char *outside = symlink_outside(c);
	char *local = make_file(c->local, "a.wav", 10, 24);
	assert_ok(symlink_upload(c, local, "V/a.wav"));
	char *v = test_path(c->remote, "V");
	char *target = test_path(outside, "x.wav");
	symlink_link(outside, v, "elsewhere");
	symlink_link(target, v, "x.wav");
	const char *prefixes[] = { NULL, "V" };
	for (int i = 0; i < 2; i++) {
		vrp_remote_page *page = NULL;
		assert_ok(vrp_provider_list(c->p, prefixes[i], NULL, 0, &page));
		assert_int_equal(page->count, 1);
		assert_string_equal(page->items[0]->path, "V/a.wav");
		vrp_remote_page_free(page);
	}
	free(target);
	free(v);
	free(local);
	free(outside);
}

/* Runs one of the tests above on the case `symlink_case_of(*state)` gives. */
#define SYMLINK_TEST(name, body)                                                                   \
	static void name(void **state)                                                             \
	{                                                                                          \
		struct symlink_case c = symlink_case_of(*state);                                   \
		body(&c);                                                                          \
	}

/* Defines the four tests in a file that has symlink_case_of(). */
#define SYMLINK_TESTS                                                                              \
	SYMLINK_TEST(test_symlinked_app_folder_is_refused_everywhere,                              \
		     symlinked_app_folder_is_refused_everywhere)                                   \
	SYMLINK_TEST(test_upload_is_refused_through_a_symlinked_subfolder_or_name,                 \
		     upload_is_refused_through_symlinks)                                           \
	SYMLINK_TEST(test_file_swapped_for_a_symlink_after_listing_is_not_read,                    \
		     file_swapped_for_a_symlink_is_not_read)                                       \
	SYMLINK_TEST(test_listing_skips_symlinked_files_and_folders,                               \
		     listing_skips_symlinked_files_and_folders)

#endif
