/* uuid.h - random (version 4) UUIDs (internal). */
#ifndef VRP_CORE_UUID_H
#define VRP_CORE_UUID_H

/* 36 characters and a NUL: "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
#define VRP_UUID_LEN 37

/* Writes a new random UUID, lower-case hex, into `out`; 0 or a negative code. */
int vrp_uuid_v4(char out[VRP_UUID_LEN]);

#endif
