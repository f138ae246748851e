/* disks-job — one cleanup job's state and its record (not a public
 * interface). struct job is what a cleanup carries from one action to the
 * next: the action in hand, each stage's progress, the report. The record:
 * every thing removed (or that would be, in dry-run) is one report item and
 * one journal entry of detail (disks_job_item_add), at most
 * DISKS_REPORT_ITEMS_MAX items, the rest counted in items_left_out; what
 * statvfs saw an action free goes into its outcome (disks_job_measure); an
 * asynchronous action ends in disks_job_complete, which hands the outcome to
 * the actuator (actuator_disk_complete: the one record of the action) and
 * resumes the job through job->resume.
 * Used by the stages (disks-logs.c, disks-journal.c, disks-docker.c,
 * disks-evict.c) and the job's lifecycle (disks-cleanup.c); it calls none of
 * them: below it are disks-state.c, the actuator's record, and the parts
 * whose objects the job holds (log scans, journalctl's spawner). */
#pragma once

#include "disks-state.h"

#define EVICT_SKIP_MAX 64 /* images that refused removal, per run */
/* items a cleanup report carries; beyond, only counted (items_left_out) */
#define DISKS_REPORT_ITEMS_MAX 1000

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
        bool again;                  /* the action's last slice asked to run it again */
        bool paused;                 /* ended by a pause: no cooldown follows */
        usec_t burst_start_usec; /* monotonic start of the slices run back to back; 0: resting */
        bool waiting;            /* an asynchronous step is outstanding */
        /* the lifecycle's next step (disks-cleanup.c): disks_job_complete
         * calls it, so the record calls no part above it */
        void (*resume)(struct job *job);
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

/* What the actuator's disk gate needs to judge this job's next change. */
struct actuator_disk_request disks_job_request(const struct job *job);

/* Record one removal (or planned removal): report item + one journal
 * entry; action is the history kind, kind the item's. 0, or -ENOMEM. */
int disks_job_item_add(struct job *job, const char *action, const char *kind, const char *target,
                       uint64_t bytes, bool has_bytes, const char *reason, int result);

/* Bytes available on the job's disks (all of them for an operator's run),
 * each re-read with statvfs; 0 once the job is orphaned. */
uint64_t disks_job_avail(struct job *job);
/* What statvfs saw the action free since the last measure: into o. */
void disks_job_measure(struct job *job, struct actuator_disk_outcome *o);
/* An asynchronous action is over: measured, recorded by the actuator, the
 * job resumed (job->resume). */
void disks_job_complete(struct job *job, struct actuator_disk_outcome *o);
/* Fill an action's outcome: result, target, bytes, and what it did. */
void disks_outcome_set(struct actuator_disk_outcome *o, int result, const char *target,
                       uint64_t bytes, bool has_bytes, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Is Docker there for a Docker stage (what: its name, logged)? false: the
 * stage is skipped, and the job remembers it (docker_skipped) so the watcher
 * retries once Docker connects. */
bool disks_job_docker_ready(struct job *job, const char *what);

/* Forget the stopped containers planned for removal. */
void disks_job_rm_clear(struct job *job);
/* Forget the image being evicted (its refs and reason). */
void disks_job_evict_clear(struct job *job);
/* Free the job and all it holds (a running journalctl is killed). NULL: no-op. */
void disks_job_free(struct job *job);
