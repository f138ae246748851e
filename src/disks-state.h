/* disks-state — what every part of the disk module shares (not a public
 * interface): struct disks and its watched disks; disks-state.c holds the
 * helpers all parts use (finding and sampling a watched disk, the request
 * the actuator judges, I/O pressure, the image LRU file). The parts:
 * disks.c watches the disks (statvfs, tiers, status) and starts cleanups;
 * disks-cleanup.c runs a cleanup job on the event loop: it asks the pure
 * policy for the next disk action (disks_next_action) and hands it to the
 * actuator (actuator_run_disk), every change through the actuator's disk
 * gate (actuator.h); the stages do each action's work (disks-logs.c,
 * disks-journal.c, disks-docker.c, disks-evict.c); disks-job.c holds the
 * job's state and its record.
 * Calls go one way: disks.c -> disks-cleanup.c -> the stages ->
 * disks-job.c -> disks-state.c. */
#pragma once

#include "disks.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "actuator.h"
#include "docker.h"
#include "history.h"
#include "overrides.h"
#include "imagelru.h"
#include "log.h"
#include "logprune.h"
#include "spawner.h"
#include "units.h"

#define IMAGELRU_SAVE_USEC   (60 * USEC_PER_SEC) /* save images.json at most this often */
#define IMAGELRU_FILE        "images.json"

struct disk_watch {
        char *path;
        struct disk_state state;
        struct disk_usage usage;
        bool sampled;
        bool sample_failed_logged;
        dev_t dev;
        bool seen;
        usec_t last_cleanup_realtime_usec;
        bool docker_skipped; /* the last cleanup found Docker disconnected */
};

struct disks {
        struct disks_env env; /* the daemon's parts, refreshed by disks_set_env */
        struct disk_watch *watches;
        size_t n_watches;
        struct job *job; /* the cleanup running (disks-cleanup.h), or NULL */
        struct imagelru lru;
        bool lru_loaded;
        usec_t lru_saved_usec;
};

/* disks-state.c */
/* What the actuator's disk gate needs to judge a cleanup's changes. */
struct actuator_disk_request disks_request(const struct disks *disks, bool manual, bool dry_run);
const struct disk_section *disks_disk_config(const struct disks_env *d, const char *path);
struct disk_watch *disks_watch_find(struct disks *disks, const char *path);
int disks_watch_sample(struct disk_watch *w);
double disks_io_pressure(const struct disks_env *env);
void disks_lru_ensure_loaded(struct disks *disks);
void disks_lru_save(struct disks *disks, usec_t now);

