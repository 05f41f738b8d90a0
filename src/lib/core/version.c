/* version.c - the linked library's version. */
#include "vrp/version.h"

const char *vrp_version(void) { return VRP_VERSION; }
