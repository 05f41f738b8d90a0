/* cmd_remote.c - `vrp remote add|ls|rm|test`: the configured remotes. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char remote_usage[] =
	"usage: vrp remote add NAME TYPE [key=value...]\n"
	"       vrp remote ls\n"
	"       vrp remote rm NAME\n"
	"       vrp remote test NAME [--accept-host-key]\n"
	"       vrp remote secret NAME KEY   (reads the secret from stdin or a prompt)\n\n"
	"A remote is a named place recordings are synced to. Settings go into the\n"
	"config file under [remote \"NAME\"]; secrets are never settings.\n"
	"Types: ";

static void print_usage(FILE *out)
{
	fputs(remote_usage, out);
	for (const char *const *t = vrp_provider_types(); *t; t++)
		fprintf(out, "%s%s", t == vrp_provider_types() ? "" : ", ", *t);
	fputs("\n  localdir: path=DIR (a folder: NAS mount, USB disk)\n", out);
	fputs("  sftp: host=H path=DIR [port=22] [user=U] [key_file=F] [known_hosts=F]\n"
	      "        [verify=size|sample|full] [hash_command=sha256sum] [timeout=S]\n"
	      "        secrets: key_passphrase, password; --accept-host-key trusts a new\n"
	      "        server's host key after showing its fingerprint\n",
	      out);
}

static int remote_add(struct cli *cli, vrp_library *lib, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(cli, "remote add needs NAME and TYPE");
	vrp_kv *kv = calloc((size_t)argc, sizeof(*kv));
	if (!kv)
		return cli_fail(cli, VRP_ENOMEM);
	size_t n = 0;
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i]) {
			free(kv);
			return cli_usage_error(cli, "settings are key=value, not '%s'", argv[i]);
		}
		*eq = '\0';
		kv[n++] = (vrp_kv){ argv[i], eq + 1 };
	}
	int rc = vrp_remotes_add(lib, argv[0], argv[1], kv, n);
	free(kv);
	if (rc < 0)
		return cli_fail(cli, rc);
	if (cli->json)
		cli_print_json(json_pack("{s:s, s:s}", "name", argv[0], "type", argv[1]));
	else
		cli_say(cli, "remote %s (%s) added\n", argv[0], argv[1]);
	return 0;
}

static int remote_ls(struct cli *cli, vrp_library *lib)
{
	vrp_remote_list *list = NULL;
	int rc = vrp_remotes_list(lib, &list);
	if (rc < 0)
		return cli_fail(cli, rc);
	for (size_t i = 0; i < list->count; i++) {
		const vrp_remote *r = list->items[i];
		char *path = NULL;
		vrp_remotes_setting(lib, r->name, "path", &path);
		if (cli->json) {
			json_t *o = json_pack("{s:s, s:s, s:s}", "name", r->name, "type",
					      r->provider_key, "created_at", r->created_at);
			json_object_set_new(o, "path", path ? cli_json_string(path) : json_null());
			json_object_set_new(o, "paused_reason", cli_json_string(r->paused_reason));
			cli_print_json(o);
		} else {
			printf("%-16s %-10s %s%s%s\n", r->name, r->provider_key, path ? path : "",
			       r->paused_reason ? "  PAUSED: " : "",
			       r->paused_reason ? r->paused_reason : "");
		}
		free(path);
	}
	vrp_remote_list_free(list);
	return 0;
}

/* Reads one line without echoing it when stdin is a terminal. */
static char *read_secret(const struct cli *cli, const char *name, const char *key)
{
	struct termios saved, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
	if (tty) {
		fprintf(stderr, "%s: %s for remote %s (not echoed): ", cli->prog, key, name);
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t len = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	if (len <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static int remote_secret(struct cli *cli, vrp_library *lib, const char *name, const char *key)
{
	char *secret = read_secret(cli, name, key);
	if (!secret || !*secret) {
		vrp_credentials_free_secret(secret);
		return cli_usage_error(cli, "no secret given on stdin");
	}
	int rc = vrp_credentials_set(lib, name, key, secret);
	vrp_credentials_free_secret(secret);
	/* A new secret is a re-authentication: audited, and queued work runs again. */
	if (rc == 0)
		rc = vrp_remotes_authenticated(lib, name, key);
	if (rc < 0)
		return cli_fail(cli, rc);
	cli_say(cli, "secret %s stored for %s (%s store)\n", key, name, vrp_credentials_store(lib));
	return 0;
}

static int remote_test(struct cli *cli, vrp_library *lib, const char *name, unsigned flags)
{
	vrp_remote_test_result result;
	int rc = vrp_remotes_test_opts(lib, name, flags, &result);
	if (result.host_key && !cli->json)
		cli_say(cli, "%s: host key %s trusted\n", name, result.host_key);
	if (cli->json) {
		json_t *o = json_pack("{s:s, s:b, s:b}", "name", name, "reachable",
				      result.reachable, "writable", result.writable);
		if (result.host_key)
			json_object_set_new(o, "host_key", cli_json_string(result.host_key));
		cli_print_json(o);
	} else if (rc == 0) {
		cli_say(cli,
			"%s: reachable, authenticated, writable (probe %s written and removed)\n",
			name, result.probe_path);
	}
	vrp_remote_test_result_clear(&result);
	return rc < 0 ? cli_fail(cli, rc) : 0;
}

int cmd_remote(struct cli *cli, int argc, char **argv)
{
	if (argc < 2 || cli_is_help(argv[1])) {
		print_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? vrp_error_exit_status(VRP_EUSAGE) : 0;
	}
	const char *sub = argv[1];
	bool known = !strcmp(sub, "add") || !strcmp(sub, "ls") || !strcmp(sub, "rm") ||
		     !strcmp(sub, "test") || !strcmp(sub, "secret");
	if (!known)
		return cli_usage_error(cli, "unknown remote command '%s'", sub);
	unsigned test_flags = 0;
	if (!strcmp(sub, "test") && argc == 4 && !strcmp(argv[3], "--accept-host-key")) {
		test_flags = VRP_REMOTE_TEST_ACCEPT_HOST_KEY;
		argc--;
	}
	if ((!strcmp(sub, "rm") || !strcmp(sub, "test")) && argc != 3)
		return cli_usage_error(cli, "remote %s needs exactly one NAME", sub);
	if (!strcmp(sub, "secret") && argc != 4)
		return cli_usage_error(cli, "remote secret needs NAME and KEY");
	vrp_library *lib = NULL;
	int status = cli_open_library(cli, 0, &lib);
	if (status)
		return status;
	if (!strcmp(sub, "add"))
		status = remote_add(cli, lib, argc - 2, argv + 2);
	else if (!strcmp(sub, "ls"))
		status = remote_ls(cli, lib);
	else if (!strcmp(sub, "test"))
		status = remote_test(cli, lib, argv[2], test_flags);
	else if (!strcmp(sub, "secret"))
		status = remote_secret(cli, lib, argv[2], argv[3]);
	else {
		int rc = vrp_remotes_remove(lib, argv[2]);
		status = rc < 0 ? cli_fail(cli, rc) : 0;
		if (rc == 0)
			cli_say(cli, "remote %s removed (files on it were left alone)\n", argv[2]);
	}
	vrp_library_free(lib);
	return status;
}
