/* cmd_remote.c - `vrp remote add|set|ls|rm|test|secret|auth`: the configured remotes. */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

const char remote_add_usage[] =
	"usage: vrp remote add NAME TYPE [key=value...]\n\n"
	"Adds a remote: a named place recordings are synced to. Settings go into the\n"
	"library's config.ini under [remote \"NAME\"]; secrets are never settings (see\n"
	"`vrp remote secret` and `vrp remote auth`). A localdir path must be an\n"
	"existing folder, unless create=true is given (then vrp makes it).\n\n";
const char remote_set_usage[] =
	"usage: vrp remote set NAME key=value...\n\n"
	"Changes settings of remote NAME (the others stay), checked as `remote add`\n"
	"checks them; its type cannot change. The remote keeps its sync state: what\n"
	"was uploaded stays uploaded. A new localdir path must exist, unless\n"
	"create=true is given.\n";
const char remote_ls_usage[] = "usage: vrp remote ls\n\n"
			       "Lists the remotes: name, type, path, and why one is paused.\n";
const char remote_rm_usage[] = "usage: vrp remote rm NAME\n\n"
			       "Removes a remote and its sync state; files on it are left alone.\n";
const char remote_test_usage[] =
	"usage: vrp remote test NAME [--accept-host-key]\n\n"
	"Checks the remote is reachable, signed in and writable (a probe file is\n"
	"written and removed). --accept-host-key trusts a new SFTP server's host\n"
	"key after showing its fingerprint.\n";
const char remote_secret_usage[] =
	"usage: vrp remote secret NAME KEY\n\n"
	"Stores a secret (e.g. password, key_passphrase) for remote NAME, read from\n"
	"stdin or a prompt that does not echo: never from the command line.\n";
const char remote_auth_usage[] =
	"usage: vrp remote auth NAME [--device] [--no-browser] [--timeout SECONDS]\n\n"
	"Signs remote NAME in with OAuth: a browser on this machine, or with\n"
	"--device a code entered on any other device.\n";

void cli_remote_types_help(FILE *out)
{
	fputs("Types: ", out);
	for (const char *const *t = vrp_provider_types(); *t; t++)
		fprintf(out, "%s%s", t == vrp_provider_types() ? "" : ", ", *t);
	fputs("\n  localdir: path=DIR [create=true] (a folder: NAS mount, USB disk)\n", out);
	fputs("  sftp:     host=H path=DIR [port=22] [user=U] [key_file=F] [known_hosts=F]\n"
	      "            [verify=size|sample|full] [hash_command=sha256sum] [timeout=S]\n"
	      "            secrets: key_passphrase, password\n",
	      out);
	fputs("  gdrive:   [folder=NAME] [client_id=ID]; then `vrp remote auth NAME`\n", out);
	fputs("  onedrive: [client_id=ID] [tenant=T] [scope=appfolder|files] [folder=NAME]\n"
	      "            [chunk_size=N]; then `vrp remote auth NAME [--device]`\n",
	      out);
}

/* key=value words (checked by the caller) as pairs pointing into argv; caller frees. */
static vrp_kv *split_settings(int argc, char **argv, size_t *n)
{
	vrp_kv *kv = calloc((size_t)argc + 1, sizeof(*kv));
	*n = 0;
	for (int i = 0; kv && i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		*eq = '\0';
		kv[(*n)++] = (vrp_kv){ argv[i], eq + 1 };
	}
	return kv;
}

static int check_settings_words(struct cli *cli, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (argv[i][0] == '=' || !strchr(argv[i], '='))
			return cli_usage_error(cli, "settings are key=value, not '%s'", argv[i]);
	return 0;
}

static int remote_add(struct cli *cli, vrp_library *lib, int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(cli, "remote add needs NAME and TYPE");
	size_t n = 0;
	vrp_kv *kv = split_settings(argc - 2, argv + 2, &n);
	if (!kv)
		return cli_fail(cli, VRP_ENOMEM);
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

/* Shows the user where to go: always on stderr, so --json output stays clean. */
static void show_prompt(void *ctx, const vrp_authorize_prompt *prompt)
{
	const char *name = ctx;
	if (prompt->user_code)
		fprintf(stderr,
			"To let vrp use remote %s, open\n  %s\non any device and "
			"enter the code\n  %s\n",
			name, prompt->url, prompt->user_code);
	else
		fprintf(stderr, "To let vrp use remote %s, open this URL%s:\n  %s\n", name,
			prompt->browser_opened ? " (a browser was started on it)" : "",
			prompt->url);
	if (prompt->expires_in_s > 0)
		fprintf(stderr, "Waiting up to %lld seconds...\n", (long long)prompt->expires_in_s);
	fflush(stderr);
}

/* argv from the first argument after "auth"; `request` gets the options. */
static int parse_auth(struct cli *cli, int argc, char **argv, vrp_authorize_request *request,
		      const char **name)
{
	for (int i = 0; i < argc; i++) {
		long long n = 0;
		if (!strcmp(argv[i], "--device"))
			request->flow = VRP_AUTHORIZE_DEVICE;
		else if (!strcmp(argv[i], "--no-browser"))
			request->open_browser = false;
		else if (!strcmp(argv[i], "--timeout") && i + 1 < argc &&
			 cli_parse_int(argv[i + 1], 1, 86400, &n)) {
			request->timeout_s = (int)n;
			i++;
		} else if (argv[i][0] == '-' || *name)
			return cli_usage_error(cli, "remote auth: unexpected '%s'", argv[i]);
		else
			*name = argv[i];
	}
	if (!*name)
		return cli_usage_error(cli, "remote auth needs NAME");
	return 0;
}

int cmd_remote_auth(struct cli *cli, int argc, char **argv)
{
	vrp_authorize_request request = { .prompt = show_prompt, .open_browser = true };
	const char *name = NULL;
	int status = parse_auth(cli, argc - 1, argv + 1, &request, &name);
	vrp_library *lib = NULL;
	if (status == 0)
		status = cli_open_library(cli, 0, &lib);
	if (status)
		return status;
	request.prompt_ctx = (void *)name;
	int rc = vrp_remotes_authorize(lib, name, &request);
	if (rc < 0)
		status = cli_fail(cli, rc);
	else if (cli->json)
		cli_print_json(json_pack("{s:s, s:b, s:s}", "name", name, "authorized", 1, "store",
					 vrp_credentials_store(lib)));
	else
		cli_say(cli, "remote %s is signed in (tokens in the %s store)\n", name,
			vrp_credentials_store(lib));
	vrp_library_free(lib);
	return status;
}

/* Runs `fn` on the opened library: every remote subcommand needs it. */
static int with_library(struct cli *cli, int (*fn)(struct cli *, vrp_library *, int, char **),
			int argc, char **argv)
{
	vrp_library *lib = NULL;
	int status = cli_open_library(cli, 0, &lib);
	if (status == 0)
		status = fn(cli, lib, argc, argv);
	vrp_library_free(lib);
	return status;
}

/* argc and argv count from the subcommand's name, like every command's. */
static int check_operands(struct cli *cli, int argc, char **argv, int want, const char *what)
{
	for (int i = 1; i < argc; i++)
		if (argv[i][0] == '-')
			return cli_usage_error(cli, "remote %s: unknown option '%s'", argv[0],
					       argv[i]);
	if (argc - 1 != want)
		return cli_usage_error(cli, "remote %s needs %s", argv[0], what);
	return 0;
}

int cmd_remote_add(struct cli *cli, int argc, char **argv)
{
	if (argc < 3)
		return cli_usage_error(cli, "remote add needs NAME and TYPE");
	int status = check_settings_words(cli, argc - 3, argv + 3);
	return status ? status : with_library(cli, remote_add, argc - 1, argv + 1);
}

/* argv from NAME on. */
static int remote_set(struct cli *cli, vrp_library *lib, int argc, char **argv)
{
	size_t n = 0;
	vrp_kv *kv = split_settings(argc - 1, argv + 1, &n);
	if (!kv)
		return cli_fail(cli, VRP_ENOMEM);
	int rc = vrp_remotes_set(lib, argv[0], kv, n);
	if (rc == 0 && cli->json) {
		json_t *o = json_pack("{s:s}", "name", argv[0]);
		json_t *settings = json_object();
		for (size_t i = 0; i < n; i++)
			json_object_set_new(settings, kv[i].key, cli_json_string(kv[i].value));
		json_object_set_new(o, "settings", settings);
		cli_print_json(o);
	} else if (rc == 0) {
		cli_say(cli, "remote %s updated\n", argv[0]);
	}
	free(kv);
	return rc < 0 ? cli_fail(cli, rc) : 0;
}

int cmd_remote_set(struct cli *cli, int argc, char **argv)
{
	if (argc < 3 || argv[1][0] == '-')
		return cli_usage_error(cli, "remote set needs NAME and at least one key=value");
	int status = check_settings_words(cli, argc - 2, argv + 2);
	return status ? status : with_library(cli, remote_set, argc - 1, argv + 1);
}

static int remote_ls_run(struct cli *cli, vrp_library *lib, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return remote_ls(cli, lib);
}

int cmd_remote_ls(struct cli *cli, int argc, char **argv)
{
	int status = check_operands(cli, argc, argv, 0, "no arguments");
	return status ? status : with_library(cli, remote_ls_run, argc, argv);
}

static int remote_rm(struct cli *cli, vrp_library *lib, int argc, char **argv)
{
	(void)argc;
	int rc = vrp_remotes_remove(lib, argv[1]);
	if (rc < 0)
		return cli_fail(cli, rc);
	cli_say(cli, "remote %s removed (files on it were left alone)\n", argv[1]);
	return 0;
}

int cmd_remote_rm(struct cli *cli, int argc, char **argv)
{
	int status = check_operands(cli, argc, argv, 1, "exactly one NAME");
	return status ? status : with_library(cli, remote_rm, argc, argv);
}

/* argv: "test" NAME [--accept-host-key] (checked by cmd_remote_test). */
static int remote_test_run(struct cli *cli, vrp_library *lib, int argc, char **argv)
{
	return remote_test(cli, lib, argv[1], argc == 3 ? VRP_REMOTE_TEST_ACCEPT_HOST_KEY : 0);
}

int cmd_remote_test(struct cli *cli, int argc, char **argv)
{
	bool accept = argc == 3 && !strcmp(argv[2], "--accept-host-key");
	int status = check_operands(cli, argc - accept, argv, 1, "exactly one NAME");
	return status ? status : with_library(cli, remote_test_run, argc, argv);
}

static int remote_secret_run(struct cli *cli, vrp_library *lib, int argc, char **argv)
{
	(void)argc;
	return remote_secret(cli, lib, argv[1], argv[2]);
}

int cmd_remote_secret(struct cli *cli, int argc, char **argv)
{
	int status = check_operands(cli, argc, argv, 2, "NAME and KEY");
	return status ? status : with_library(cli, remote_secret_run, argc, argv);
}
