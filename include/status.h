/* status — what the governor publishes once per evaluation for those who
 * only read it: the control socket (status, explain, metrics, set-limit's
 * checks) and the metrics file.
 *
 * The daemon owns one struct status and rewrites it at the end of every
 * evaluation (and after a reload), on its own loop; readers get a const
 * pointer and never reach into the daemon. Scalars and disk rows are copied;
 * the pointers name read-only parts (configuration, last sample, policy
 * state, history) that stay valid and unchanged until the next publish, which
 * happens only from the loop, never while a reader runs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "cgfs.h"
#include "tier.h"
#include "util.h"

struct config;
struct snapshot;
struct policy_state;
struct history;

#define STATUS_DISKS_MAX          64 /* [disk:] sections shown; more is not a real host */
#define STATUS_DOCKER_VERSION_MAX 64 /* "20.10.24", "1.41": Docker's own strings, cut */

struct status_counters {
        /* actions by kind are counted from the history (metrics_format);
         * actions_failed and bytes_freed include the actuator's and the
         * disk cleanup's own counts when published */
        uint64_t actions_failed;
        uint64_t oom_events;
        uint64_t bytes_freed;
        uint64_t ticks;
        uint64_t trigger_wakeups;
        usec_t last_tick_usec; /* duration of the last evaluation */
};

struct status_disk {
        const char *path; /* the [disk:] path, from the configuration */
        enum tier tier;
        bool sampled; /* false: statvfs failed or not yet sampled; usage below unset */
        double used_percent;
        uint64_t size_bytes;
        uint64_t avail_bytes;
};

struct status {
        bool published; /* false until the first evaluation */
        const struct config *config;        /* NULL: none loaded */
        const struct snapshot *snapshot;    /* the last sample */
        const struct policy_state *policy;  /* for explain (policy_explain reads it) */
        const struct history *history;      /* NULL: none */
        enum tier memory_tier;
        enum cgfs_layout layout;
        bool dry_run; /* effective: flag or config */
        const char *state_dir;   /* where overrides and history are kept; NULL none */
        const char *metrics_file; /* "" or NULL: not written */
        bool docker_configured;
        bool docker_connected;
        char docker_version[STATUS_DOCKER_VERSION_MAX];     /* "" unknown */
        char docker_api_version[STATUS_DOCKER_VERSION_MAX]; /* "" unknown */
        struct status_counters counters;
        usec_t started_realtime_usec; /* 0 = unknown */
        bool disks_available;         /* a disk watcher runs (cleanup possible) */
        struct status_disk disks[STATUS_DISKS_MAX];
        size_t n_disks;
};

/* Copy a possibly NULL string into a fixed field, cut to fit. */
static inline void status_set_string(char *field, size_t size, const char *value)
{
        util_strlcpy(field, value ? value : "", size);
}
