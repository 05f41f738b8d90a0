/* vrp.h - everything libvrp offers, in one include. */
#ifndef VRP_H
#define VRP_H

#include "vrp/db.h"
#include "vrp/error.h"
#include "vrp/library.h"
#include "vrp/remote.h"
#include "vrp/sync_task.h"
#include "vrp/version.h"

#endif
