/*
 * cmd_serve.c - `vrp serve`: the local HTTP API and web page (libvrp's
 * vrp_server) until SIGINT or SIGTERM.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

const char serve_usage[] =
	"usage: vrp serve [--listen HOST:PORT] [--open] [--no-worker]\n\n"
	"Serves the library over HTTP: a JSON API (described at /api/openapi.json)\n"
	"and a web page to browse, play, search, edit, import and sync. The first\n"
	"line on stdout is the URL to open, with this run's token in it; the token\n"
	"changes at every start and every request needs it.\n\n"
	"  --listen HOST:PORT  where to listen (default 127.0.0.1:0: loopback, a free\n"
	"                      port); a non-loopback address is allowed, with a warning\n"
	"  --open              open the page in the desktop's browser (xdg-open)\n"
	"  --no-worker         do not run the sync/derive worker in this process\n"
	"                      (`vrp worker` elsewhere does the queued work)\n\n"
	"Stops on SIGINT or SIGTERM, handing running sync tasks back to the queue.\n";

struct serve_args {
	vrp_serve_options options;
	bool open;
};

static int on_option(struct cli *cli, int c, const char *arg, void *ctx)
{
	(void)cli;
	struct serve_args *a = ctx;
	if (c == 'l')
		a->options.listen = arg;
	else if (c == 'o')
		a->open = true;
	else
		a->options.worker = false;
	return 0;
}

/*
 * Opens the page without putting the token on a command line (which every
 * user of the machine can read in ps): xdg-open gets a private file that
 * redirects the browser to the URL.
 */
static void open_browser(const char *url)
{
	const char *dir = getenv("XDG_RUNTIME_DIR");
	char path[4096];
	snprintf(path, sizeof(path), "%s/vrp-serve-XXXXXX.html", dir && *dir ? dir : "/tmp");
	int fd = mkstemps(path, 5);
	if (fd < 0) {
		fprintf(stderr, "vrp serve: cannot write the page to open: %s\n", strerror(errno));
		return;
	}
	dprintf(fd,
		"<!doctype html><meta charset=utf-8><title>vrp</title>"
		"<meta http-equiv=refresh content=\"0;url=%s\"><a href=\"%s\">open vrp</a>\n",
		url, url);
	close(fd);
	pid_t pid;
	char *argv[] = { "xdg-open", path, NULL };
	if (posix_spawnp(&pid, "xdg-open", NULL, NULL, argv, environ) != 0)
		fprintf(stderr, "vrp serve: cannot run xdg-open; open the URL above\n");
	else
		waitpid(pid, NULL, 0);
	/* The browser has read it by the time xdg-open returns, or will not at all. */
	sleep(2);
	unlink(path);
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "open", no_argument, NULL, 'o' },
		{ "no-worker", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct cli_option_spec spec = { "serve", "h", options, serve_usage,
						     on_option };
	struct serve_args a = { .options = { .worker = true } };
	int status = cli_options(cli, &spec, argc, argv, &a);
	if (status)
		return status < 0 ? 0 : status;
	if (optind < argc)
		return cli_usage_error(cli, "serve takes no arguments ('%s')", argv[optind]);
	vrp_library *lib = NULL;
	if ((status = cli_open_library(cli, 0, &lib)))
		return status;
	/* Blocked before the server's threads start, so they inherit it and only
	 * sigwait() below sees the signals. */
	sigset_t stop;
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	vrp_server *server = NULL;
	int rc = vrp_server_start(vrp_library_root(lib), &a.options, &server);
	if (rc < 0) {
		status = cli_fail(cli, rc);
		vrp_library_free(lib);
		return status;
	}
	printf("%s\n", vrp_server_url(server));
	fflush(stdout);
	if (!vrp_server_is_loopback(server))
		fprintf(stderr,
			"vrp serve: warning: listening on a non-loopback address: anyone who can "
			"reach it and learns the token can read and change the library, over "
			"plain HTTP\n");
	if (a.open)
		open_browser(vrp_server_url(server));
	int sig = 0;
	sigwait(&stop, &sig);
	if (cli->verbosity >= 0)
		fprintf(stderr, "vrp serve: stopping\n");
	vrp_server_free(server);
	vrp_library_free(lib);
	return 0;
}
