/*
 * sync_pull_name.h - the local name of a pulled object (internal).
 */
#ifndef VRP_SERVICES_SYNC_PULL_NAME_H
#define VRP_SERVICES_SYNC_PULL_NAME_H

/*
 * The local name of a pulled object: its remote name without the short uuid
 * vrp added ("memo 6256b0cd.flac" -> "memo.flac"), so the new recording's
 * title and original name are the ones the other device had; made safe as
 * one path component whatever the remote sent: control characters and '/'
 * become '_', so do leading dots (never ".", ".." or hidden), an empty name
 * becomes "recording", and a long one keeps its extension and is cut to
 * leave room for a temporary name within NAME_MAX. Malloc'd; NULL on OOM.
 */
char *sync_pull_local_name(const char *remote_path);

#endif
