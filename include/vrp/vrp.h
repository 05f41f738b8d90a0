/* vrp.h - everything libvrp offers, in one include. */
#ifndef VRP_H
#define VRP_H

#include "vrp/audit.h"
#include "vrp/config.h"
#include "vrp/credentials.h"
#include "vrp/db.h"
#include "vrp/derive.h"
#include "vrp/derived_asset.h"
#include "vrp/error.h"
#include "vrp/export.h"
#include "vrp/import.h"
#include "vrp/library.h"
#include "vrp/log.h"
#include "vrp/metrics.h"
#include "vrp/provider.h"
#include "vrp/purge.h"
#include "vrp/recording.h"
#include "vrp/recordings.h"
#include "vrp/remote.h"
#include "vrp/remotes.h"
#include "vrp/search.h"
#include "vrp/reconcile.h"
#include "vrp/spectrogram.h"
#include "vrp/sync.h"
#include "vrp/sync_task.h"
#include "vrp/tag.h"
#include "vrp/utf8.h"
#include "vrp/verify.h"
#include "vrp/waveform.h"
#include "vrp/version.h"

#endif
