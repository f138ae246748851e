/* disks — disk pressure: one watcher per [disk:PATH] and the tiered cleanup.
 *
 * Signals: statvfs of each path, percent used of blocks (as df computes it:
 * used = f_blocks - f_bfree over used + f_bavail) and of inodes
 * (f_files - f_ffree over f_files); the higher of the two drives the disk's
 * tier through the shared tier machine (tier.h) with the section's hold and
 * hysteresis. Host io.pressure is reported alongside, it does not drive tiers.
 *
 * Cleanup (kubelet image-GC style high/low): once a disk reaches warning and
 * its cooldown has passed, the pure policy plans one disk action at a time
 * (disks_next_action), each after statvfs is re-read, stopping as soon as
 * the disk is under its low watermark; the actuator carries each out
 * (actuator_run_disk, actuator.h):
 *   warning   → prune-logs (every [logs:] section whose directory is on the
 *               same filesystem, by st_dev), vacuum-journal (journalctl)
 *   critical  → + prune-containers (stopped, older than container_min_age),
 *               prune-images (dangling), prune-build-cache (Engine API
 *               prune; never volumes)
 *   emergency → + evict-image: least-recently-used unused images, one at a time
 *               (not used by any container, running or stopped; no repo tag
 *               matching keep_image; unused for longer than image_min_age).
 * One cleanup runs at a time. Dry-run (daemon or request) plans and logs every
 * deletion with bytes and reason and deletes nothing.
 *
 * The pure part (disks_usage_from_statvfs, disks_decide, disks_next_action)
 * takes time and samples as arguments and is what test-disks checks. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/statvfs.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "tier.h"
#include "util.h"

struct actuator;
struct disks;
struct docker;
struct overrides;

/* ---- pure part ---------------------------------------------------------- */

struct disk_usage {
        uint64_t bytes_total; /* (f_blocks - f_bfree + f_bavail) * f_frsize: what df shows */
        uint64_t bytes_used;  /* (f_blocks - f_bfree) * f_frsize */
        uint64_t bytes_avail; /* f_bavail * f_frsize */
        uint64_t inodes_total;
        uint64_t inodes_used;
        double blocks_percent; /* 0..100 */
        double inodes_percent; /* 0..100; 0 when the fs reports no inode count */
        double used_percent;   /* max of the two: drives the tier */
};

void disks_usage_from_statvfs(const struct statvfs *st, struct disk_usage *ret);

/* Per-disk state kept between evaluations. */
struct disk_state {
        struct tier_tracker tracker;
        usec_t last_cleanup_usec;    /* monotonic end of the last cleanup; USEC_INFINITY = never */
        enum tier last_cleanup_tier; /* the tier that cleanup ran for */
};

void disk_state_init(struct disk_state *s);

struct disk_decision {
        enum tier tier;
        enum tier previous_tier;
        bool start_cleanup; /* tier >= warning, above low, none running, and the cooldown
                             * is over or the tier rose above the last cleanup's */
};

/* Advance the tier with a fresh sample and decide whether to start cleanup. */
void disks_decide(const struct disk_section *cfg, struct disk_state *state,
                  const struct disk_usage *usage, usec_t now, bool cleanup_running,
                  struct disk_decision *ret);

/* Is the disk at or under its low watermark (cleanup is done)? */
bool disks_under_low(const struct disk_section *cfg, const struct disk_usage *usage);

/* One disk action of a cleanup, planned like a memory action (policy.h): the
 * pure policy returns the next one, the actuator carries it out
 * (actuator_run_disk), the job asks again with the disk re-read. */
enum disk_action_kind {
        DISK_ACTION_NONE = 0,          /* nothing: before the first action, and the end */
        DISK_ACTION_PRUNE_LOGS,        /* [logs:] sections on the disk (all: operator's) */
        DISK_ACTION_VACUUM_JOURNAL,    /* journalctl --vacuum-* */
        DISK_ACTION_PRUNE_CONTAINERS,  /* stopped, older than container_min_age, by id */
        DISK_ACTION_PRUNE_IMAGES,      /* dangling images (Engine API prune) */
        DISK_ACTION_PRUNE_BUILD_CACHE, /* Engine API prune; never volumes */
        DISK_ACTION_EVICT_IMAGE,       /* repeats: one LRU image per action */
};

/* bytes: room for the reason of a disk action */
#define DISK_ACTION_REASON_MAX 160

struct disk_action {
        enum disk_action_kind kind;
        const char *disk; /* the [disk:] path (the caller's string); NULL: an operator's run */
        enum tier tier;   /* the tier the cleanup runs for (emergency: an operator's) */
        char reason[DISK_ACTION_REASON_MAX];
};

/* "prune-logs", "vacuum-journal", "prune-containers", "prune-images",
 * "prune-build-cache", "evict-image" (the history kinds); "none". */
const char *disk_action_kind_name(enum disk_action_kind k);
/* The lowest tier at which an action is planned. */
enum tier disk_action_kind_tier(enum disk_action_kind k);

/* The action to take after `done` (DISK_ACTION_NONE: none yet) for a cleanup
 * of `disk` started at `tier`, given a fresh sample (NULL: the disk could
 * not be read or left the configuration; cfg NULL likewise). Returns true
 * and fills ret, or false: the cleanup is over — under the low mark (unless
 * force), or no action of that tier is left. EVICT_IMAGE follows itself
 * until under low; evict_exhausted says no candidate is left. force (an
 * operator's `cleanup`) takes every warning and critical action, in order,
 * whatever the disk shows, and evicts only on a disk given and above low. */
bool disks_next_action(const struct disk_section *cfg, const char *disk, enum tier tier,
                       enum disk_action_kind done, const struct disk_usage *fresh, bool force,
                       bool evict_exhausted, struct disk_action *ret);

/* ---- the daemon part ---------------------------------------------------- */

/* What disks uses of the daemon's parts (no struct daemon: the daemon wires
 * them). Pointers stay the daemon's; config and docker change on reload and
 * when Docker attaches, so the daemon refreshes the whole set
 * (disks_set_env) before each disks_evaluate and after a reload. */
struct disks_env {
        sd_event *event;
        const struct config *config;
        const char *state_dir;       /* NULL or "": no image LRU file */
        struct docker *docker;       /* NULL: no Docker configured */
        struct overrides *overrides; /* NULL: no pause */
        struct actuator *actuator;   /* carries out each disk action and records its
                                      * outcome (history, journal, counters);
                                      * NULL: outcomes are logged only */
        bool dry_run;
        double io_pressure_some_avg10; /* host io.pressure, reported only */
};

int disks_new(const struct disks_env *env, struct disks **ret);
struct disks *disks_free(struct disks *disks);
void disks_set_env(struct disks *disks, const struct disks_env *env);

/* Sample every [disk:] of the env's config (states follow the config by path across
 * reloads), advance tiers, log tier changes, start cleanup where due. Called
 * on every tick. 0, or -ENOMEM. */
int disks_evaluate(struct disks *disks, usec_t now);

/* Status for `sutazai-govctl status` and metrics, one per configured disk. */
struct disks_status {
        const char *path;
        enum tier tier;
        bool sampled; /* false: statvfs failed or not yet sampled */
        struct disk_usage usage;
        double io_pressure_some_avg10; /* host io.pressure, reported only */
        bool cleaning;
        usec_t last_cleanup_realtime_usec; /* 0 = never */
};
size_t disks_count(const struct disks *disks);
/* 0, or -ENOENT for i out of range. Pointers valid until the next evaluation/reload. */
int disks_get_status(const struct disks *disks, size_t i, struct disks_status *ret);

/* Image last use from Docker container events (start, die, destroy): the
 * daemon's docker event callback calls this with the container's image id. */
void disks_image_used(struct disks *disks, const char *image_id, usec_t now_realtime_usec);

/* One thing removed (or that would be, in dry-run) by a cleanup. */
struct disks_item {
        const char *kind;   /* "file", "journal", "containers", "container", "images",
                             * "image", "build-cache" */
        const char *target; /* path (escaped), container/image id or ref */
        const char *reason; /* "older than 7d (pattern *.log)", "lru: unused since ..." */
        const char *disk;   /* the [disk:] path that caused it; NULL for a manual run */
        uint64_t bytes;     /* freed (or would be) */
        bool has_bytes;     /* false: size unknown (dry-run of prune endpoints) */
        int result;         /* 0 done (or planned in dry-run), -errno failed */
};

struct disks_report {
        bool dry_run;
        int result; /* 0, or the first fatal error (-EBUSY, -ENOMEM) */
        const struct disks_item *items; /* at most DISKS_REPORT_ITEMS_MAX (disks-job.h: 1000) */
        size_t n_items;
        size_t items_left_out; /* removed (or would be) but not listed */
        uint64_t bytes_freed;   /* sum of item bytes (dry-run: would be freed) */
        uint64_t statvfs_freed; /* measured: sum over disks of avail after - before */
};

typedef void (*disks_cleanup_fn)(const struct disks_report *report, void *userdata);

/* `sutazai-govctl cleanup [--dry-run]`: run every stage now on every disk:
 * logs (all [logs:] sections), journal, Docker prunes; image eviction only on
 * disks at emergency, down to their low mark. With dry_run (or the daemon in
 * dry-run) nothing is deleted and the report lists what would go. done is
 * called exactly once, later, from the event loop; the report is valid only
 * during the call. Returns 0 (started), -EBUSY (a cleanup is running), or
 * -ENOMEM. */
int disks_cleanup_now(struct disks *disks, bool dry_run, disks_cleanup_fn done, void *userdata);
