/* schedule.c - a systemd user timer or a crontab line that runs `vrp worker --once`. */
#include "vrp/schedule.h"

#include "core/error_set.h"
#include "core/fsutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_text(void *ctx, int fd)
{
	const char *text = ctx;
	return vrp_fs_write_all(fd, text, strlen(text)) == 0
		       ? 0
		       : vrp_error_from_errno(errno, "cannot write a unit file");
}

static int unit_dir(char **out)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	char *dir = NULL;
	if (xdg && *xdg == '/')
		dir = vrp_path_join(xdg, "systemd/user");
	else if (home && *home)
		dir = vrp_path_join(home, ".config/systemd/user");
	else
		return vrp_error_set(VRP_ENOTFOUND, "neither XDG_CONFIG_HOME nor HOME is set");
	*out = dir;
	return dir ? vrp_fs_mkdir_p(dir, 0700) : vrp_error_oom();
}

/* A systemd ExecStart word: quoted, with the characters systemd treats specially escaped. */
static void quoted(char *out, size_t len, const char *word)
{
	size_t used = 0;
	if (len < 3)
		return;
	out[used++] = '"';
	for (const char *p = word; *p && used + 4 < len; p++) {
		if (*p == '"' || *p == '\\')
			out[used++] = '\\';
		if (*p == '%')
			out[used++] = '%';
		out[used++] = *p;
	}
	out[used++] = '"';
	out[used] = '\0';
}

static int write_unit(const char *dir, const char *name, const char *text)
{
	char *path = vrp_path_join(dir, name);
	int rc = path ? vrp_fs_replace_file(path, write_text, (void *)text) : vrp_error_oom();
	free(path);
	return rc;
}

int vrp_schedule_install_systemd(vrp_library *lib, const char *vrp_path, int64_t every_s,
				 char **dir)
{
	*dir = NULL;
	char exe[4200], root[4200], service[9000], timer[512];
	quoted(exe, sizeof(exe), vrp_path);
	quoted(root, sizeof(root), vrp_library_root(lib));
	snprintf(service, sizeof(service),
		 "# Written by `vrp schedule install`.\n"
		 "[Unit]\n"
		 "Description=vrp: sync queue and scheduled verification\n\n"
		 "[Service]\n"
		 "Type=oneshot\n"
		 "ExecStart=%s --library %s -q worker --once\n",
		 exe, root);
	snprintf(timer, sizeof(timer),
		 "# Written by `vrp schedule install`.\n"
		 "[Unit]\n"
		 "Description=Run vrp worker --once every %llds\n\n"
		 "[Timer]\n"
		 "OnBootSec=5min\n"
		 "OnUnitActiveSec=%llds\n"
		 "Persistent=true\n\n"
		 "[Install]\n"
		 "WantedBy=timers.target\n",
		 (long long)(every_s < 60 ? 60 : every_s),
		 (long long)(every_s < 60 ? 60 : every_s));
	int rc = unit_dir(dir);
	if (rc == 0)
		rc = write_unit(*dir, "vrp-worker.service", service);
	if (rc == 0)
		rc = write_unit(*dir, "vrp-worker.timer", timer);
	if (rc < 0) {
		free(*dir);
		*dir = NULL;
	}
	return rc;
}

/* A shell word in single quotes. */
static void shell_quoted(char *out, size_t len, const char *word)
{
	size_t used = 0;
	out[used++] = '\'';
	for (const char *p = word; *p && used + 5 < len; p++) {
		if (*p == '\'') {
			memcpy(out + used, "'\\''", 4);
			used += 4;
		} else if (*p == '%') { /* cron turns % into a newline */
			memcpy(out + used, "'\\%'", 4);
			used += 4;
		} else {
			out[used++] = *p;
		}
	}
	out[used++] = '\'';
	out[used] = '\0';
}

int vrp_schedule_crontab_line(vrp_library *lib, const char *vrp_path, int64_t every_s, char **line)
{
	char when[64], exe[4200], root[4200];
	int64_t minutes = every_s < 60 ? 1 : every_s / 60;
	if (minutes < 60)
		snprintf(when, sizeof(when), "*/%lld * * * *", (long long)minutes);
	else if (minutes < 24 * 60)
		snprintf(when, sizeof(when), "0 */%lld * * *", (long long)(minutes / 60));
	else
		snprintf(when, sizeof(when), "0 3 * * *");
	shell_quoted(exe, sizeof(exe), vrp_path);
	shell_quoted(root, sizeof(root), vrp_library_root(lib));
	size_t len = strlen(when) + strlen(exe) + strlen(root) + 64;
	if (!(*line = malloc(len)))
		return vrp_error_oom();
	snprintf(*line, len, "%s %s --library %s -q worker --once", when, exe, root);
	return 0;
}
