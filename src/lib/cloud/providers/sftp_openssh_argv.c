/*
 * sftp_openssh_argv.c - the command line that runs ssh for an sftp remote:
 * ssh_command split into words without a shell, and the options vrp adds.
 *
 * vrp adds options only for what the user set (port, user, key_file,
 * known_hosts), so a Host alias in the ssh config supplies the rest. The
 * host goes after "--" and may not begin with '-' (checked at open), so no
 * setting can smuggle in an ssh option such as ProxyCommand.
 */
#include "cloud/providers/sftp.h"

#include "core/error_set.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ARGS 64

void sftp_free_command(char **argv)
{
	if (!argv)
		return;
	for (char **a = argv; *a; a++)
		free(*a);
	free(argv);
}

/* One word from `*p` into `out` (at least strlen(*p) + 1 bytes); -1 for an unclosed quote. */
static int next_word(const char **p, char *out)
{
	const char *in = *p;
	char quote = 0;
	for (; *in && (quote || (*in != ' ' && *in != '\t' && *in != '\n')); in++) {
		if (quote == '\'' && *in == '\'')
			quote = 0;
		else if (quote == '"' && *in == '"')
			quote = 0;
		else if (!quote && (*in == '\'' || *in == '"'))
			quote = *in;
		else if (*in == '\\' && quote != '\'' && in[1])
			*out++ = *++in;
		else
			*out++ = *in;
	}
	*out = '\0';
	*p = in;
	return quote ? -1 : 0;
}

int sftp_split_command(const char *command, char ***argv)
{
	char **words = calloc(MAX_ARGS + 1, sizeof(*words));
	char *word = malloc(strlen(command) + 1);
	int rc = words && word ? 0 : vrp_error_oom();
	size_t n = 0;
	for (const char *p = command; rc == 0;) {
		p += strspn(p, " \t\n");
		if (!*p)
			break;
		if (n == MAX_ARGS)
			rc = vrp_error_set(VRP_EINVAL,
					   "setting 'ssh_command' has more than %d words",
					   MAX_ARGS);
		else if (next_word(&p, word) < 0)
			rc = vrp_error_set(VRP_EINVAL,
					   "setting 'ssh_command' has an unclosed quote");
		else if (!(words[n++] = strdup(word)))
			rc = vrp_error_oom();
	}
	if (rc == 0 && n == 0)
		rc = vrp_error_set(VRP_EINVAL, "setting 'ssh_command' is empty");
	free(word);
	if (rc < 0) {
		sftp_free_command(words);
		return rc;
	}
	*argv = words;
	return 0;
}

bool sftp_program_on_path(const char *program)
{
	if (strchr(program, '/'))
		return access(program, X_OK) == 0;
	const char *path = getenv("PATH");
	if (!path)
		path = "/usr/bin:/bin";
	char candidate[4096];
	while (*path) {
		size_t len = strcspn(path, ":");
		snprintf(candidate, sizeof(candidate), "%.*s/%s", (int)len, len ? path : ".",
			 program);
		if (access(candidate, X_OK) == 0)
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

struct args {
	char **v;
	size_t n;
	int rc;
};

/* Appends the argument `prefix` + `value`. */
static void add(struct args *a, const char *prefix, const char *value)
{
	char *arg = NULL;
	if (a->rc < 0)
		return;
	if (a->n == MAX_ARGS * 2 || asprintf(&arg, "%s%s", prefix, value) < 0) {
		a->rc = vrp_error_oom();
		return;
	}
	a->v[a->n++] = arg;
}

/*
 * ssh splits an -o value into words (a path with a space would be several
 * known_hosts files) and expands %-tokens and ${VARIABLES} in these paths
 * (-i's too, after it checked the unexpanded name): so the path goes in
 * double quotes, '"' and '\\' escaped, '%' doubled. "${" has no escape.
 */
static void add_path(struct args *a, const char *option, const char *path, const char *setting)
{
	if (a->rc < 0)
		return;
	if (strstr(path, "${")) {
		a->rc = vrp_error_set(VRP_EINVAL,
				      "setting '%s' contains \"${\", which ssh would expand as a "
				      "variable: rename the file or use transport=libssh2",
				      setting);
		return;
	}
	char *quoted = malloc(strlen(path) * 2 + 3), *q = quoted;
	if (!quoted) {
		a->rc = vrp_error_oom();
		return;
	}
	*q++ = '"';
	for (const char *p = path; *p; p++) {
		if (*p == '"' || *p == '\\')
			*q++ = '\\';
		else if (*p == '%')
			*q++ = '%';
		*q++ = *p;
	}
	*q++ = '"';
	*q = '\0';
	add(a, option, quoted);
	free(quoted);
}

int sftp_ssh_argv(const struct sftp *s, bool accept, const char *command, char ***argv)
{
	const struct sftp_settings *set = &s->set;
	struct args a = { .v = calloc(MAX_ARGS * 2 + 1, sizeof(char *)) };
	if (!a.v)
		return vrp_error_oom();
	char port[16], timeout[16];
	snprintf(port, sizeof(port), "%d", set->port);
	snprintf(timeout, sizeof(timeout), "%d", set->timeout_ms / 1000);
	char *const *base = set->ssh_command;
	static char *const plain[] = { "ssh", NULL };
	for (char *const *w = base ? base : plain; *w; w++)
		add(&a, "", *w);
	/* -v only for the "Server host key:" line: a refused key's message shows it. */
	add(&a, "", "-v");
	add(&a, "", "-oBatchMode=yes");
	add(&a, "-oStrictHostKeyChecking=", accept ? "accept-new" : "yes");
	add(&a, "-oConnectTimeout=", timeout);
	add(&a, "-oServerAliveInterval=", timeout);
	add(&a, "", "-oServerAliveCountMax=1");
	if (set->port_set)
		add(&a, "-p", port);
	if (set->user_set)
		add(&a, "-l", set->user);
	if (set->key_file)
		add_path(&a, "-oIdentityFile=", set->key_file, "key_file");
	if (set->known_hosts_set)
		add_path(&a, "-oUserKnownHostsFile=", set->known_hosts, "known_hosts");
	if (!command)
		add(&a, "", "-s");
	add(&a, "", "--");
	add(&a, "", set->host);
	add(&a, "", command ? command : "sftp");
	if (a.rc < 0) {
		sftp_free_command(a.v);
		return a.rc;
	}
	*argv = a.v;
	return 0;
}
