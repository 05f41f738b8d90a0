/*
 * schedule.h - running `vrp worker --once` periodically, so the scheduled
 * verification (verify.local_interval, verify.remote_interval) and the sync
 * queue run without a long-lived process: a systemd user timer, or a
 * crontab line where there is no systemd.
 */
#ifndef VRP_SCHEDULE_H
#define VRP_SCHEDULE_H

#include "vrp/library.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Writes vrp-worker.service and vrp-worker.timer (each atomically) into
 * $XDG_CONFIG_HOME/systemd/user (else ~/.config/systemd/user), running
 * `<vrp_path> --library <lib's root> worker --once` every `every_s` seconds
 * (at least 60). `*dir` receives the directory written (caller frees).
 * Enabling the timer is left to the user (`systemctl --user enable --now
 * vrp-worker.timer`): writing files never starts anything.
 */
int vrp_schedule_install_systemd(vrp_library *lib, const char *vrp_path, int64_t every_s,
				 char **dir);

/*
 * The crontab line that runs the same command about every `every_s`
 * seconds (cron's steps: minutes below an hour, hours below a day, else
 * daily at 03:00), malloc'd into `*line` (caller frees).
 */
int vrp_schedule_crontab_line(vrp_library *lib, const char *vrp_path, int64_t every_s, char **line);

#ifdef __cplusplus
}
#endif

#endif
