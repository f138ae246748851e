/* disks-state — what the parts of the disk module share (not a public
 * interface): disks-state.c holds the state and the helpers both use;
 * disks.c watches the disks (statvfs, tiers, status, the image LRU file) and
 * starts cleanups; disks-cleanup.c runs a cleanup job on the event loop: it
 * asks the pure policy for the next disk action (disks_next_action) and
 * hands it to the actuator (actuator_run_disk), every change through the
 * actuator's disk gate (actuator.h).
 * Calls go one way: disks.c -> disks-cleanup.c -> disks-state.c. */
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

#define JOURNAL_TIMEOUT_USEC (60 * USEC_PER_SEC) /* journalctl --vacuum-* time limit */
#define JOURNAL_OUTPUT_MAX   4096                /* bytes of journalctl output logged */
#define IMAGELRU_SAVE_USEC   (60 * USEC_PER_SEC) /* save images.json at most this often */
#define EVICT_SKIP_MAX       64                  /* images that refused removal, per run */
#define IMAGELRU_FILE        "images.json"
/* files a [logs:] stage deletes (or lists, in dry-run) per loop iteration */
#define LOGS_SLICE_FILES 64
/* directory entries a [logs:] scan reads (one statx each) per loop
 * iteration: well under 1 ms, so a 100k-file directory never holds the loop */
#define LOGS_SCAN_SLICE_ENTRIES 128
/* usec a cleanup's slices may run back to back, then the loop sleeps for
 * JOB_REST_USEC: a cleanup takes at most about half of one CPU */
#define JOB_BURST_USEC (2 * USEC_PER_MSEC)
#define JOB_REST_USEC  (2 * USEC_PER_MSEC)
/* files kept for max_total per section (the oldest); a section needing
 * more goes on at the next cleanup. ~100 bytes each. */
#define LOGS_TOTAL_KEEP 4096
/* items a cleanup report carries; beyond, only counted (items_left_out) */
#define DISKS_REPORT_ITEMS_MAX 1000

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

struct job_item {
        struct disks_item item; /* strings below are owned */
        char *target;
        char *reason;
        char *disk;
};

struct job {
        struct disks *disks; /* NULL: orphaned by disks_free, waiting for a callback */
        bool dry_run;
        bool manual;
        char *disk_path; /* automatic: the disk cleaned; manual: the disk to evict on, or NULL */
        enum tier tier;  /* automatic: tier that started it */
        enum disk_action_kind stage; /* the action taken last (NONE: none yet) */
        struct disk_action action;   /* that action, as planned */
        bool again;   /* the action's last slice asked to run it again */
        bool paused;  /* ended by a pause: no cooldown follows */
        usec_t burst_start_usec; /* monotonic start of the slices run back to back; 0: resting */
        bool waiting; /* an asynchronous step is outstanding */
        bool evict_exhausted;
        bool docker_skipped; /* a Docker stage was due while Docker was disconnected */
        char *evict_skip[EVICT_SKIP_MAX];
        size_t n_evict_skip;
        /* the image being evicted: its refs are removed one by one */
        char evict_id[80];
        char **evict_refs;
        size_t n_evict_refs, evict_ref_next;
        uint64_t evict_bytes;
        char *evict_reason;
        /* the [logs:] stage, in slices: the section; its scan, a slice of
         * entries read at a time, whose expired files are removed before the
         * next slice is read; then the oldest files max_total takes */
        size_t logs_section;
        struct logprune_scan logs_scan;
        bool logs_scan_open;
        bool logs_walk_over;
        struct logprune_oldest logs_oldest; /* files not expired, bounded */
        bool logs_total_planned;
        size_t logs_next; /* next file of the slice, then of logs_oldest */
        size_t logs_removed, logs_failed;
        uint64_t logs_freed;
        int logs_result; /* the first failure; -ECANCELED: a pause came */
        /* stopped containers to remove, one by one, by id */
        char **rm_ids, **rm_targets, **rm_reasons;
        size_t n_rm, rm_next, rm_done;
        int rm_result; /* the first failed removal */
        /* statvfs of the job's disks: before the run and before the stage */
        uint64_t avail_start, avail_stage;
        struct job_item *items;
        size_t n_items, allocated;
        size_t items_left_out; /* beyond DISKS_REPORT_ITEMS_MAX: counted only */
        uint64_t bytes_freed;
        struct spawner *spawn;
        sd_event_source *defer; /* the next step: a defer, or the rest timer */
        disks_cleanup_fn done;
        void *userdata;
};

struct disks {
        struct disks_env env; /* the daemon's parts, refreshed by disks_set_env */
        struct disk_watch *watches;
        size_t n_watches;
        struct job *job;
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

/* disks-cleanup.c */
int disks_job_start(struct disks *disks, bool manual, bool dry_run, const char *disk_path,
                    enum tier tier, disks_cleanup_fn done, void *userdata);
void disks_job_free(struct job *job);
