/* library_config.h - a library's own config.ini, where its remotes live (internal). */
#ifndef VRP_SERVICES_LIBRARY_CONFIG_H
#define VRP_SERVICES_LIBRARY_CONFIG_H

#include "vrp/config.h"
#include "vrp/library.h"

/* Loads the library's own file (see vrp_settings_library_file()); free with vrp_config_free(). */
int vrp_library_config_load(const vrp_library *lib, vrp_config **out);

/*
 * Moves each [remote "NAME"] section of the user-wide file whose remote has
 * a row in this library's catalogue into the library's file (once: it
 * leaves the user-wide file), logging a note for each. The library's file
 * is saved before the user-wide one, so a crash between the two leaves a
 * copy, never nothing. A section the library's file already has stays where
 * it is. Nothing to do with $VRP_CONFIG set (one file for everything).
 */
int vrp_library_config_migrate(vrp_library *lib);

#endif
