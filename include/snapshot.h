/* snapshot — one sample of everything the policy looks at, taken by the
 * daemon's readers and handed to the pure policy core. Plain data.
 *
 * A group is a cgroup the governor manages or shows: a plain cgroup matched
 * by a [cgroup:NAME] rule, or a Docker container (matched or not). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memparse.h"
#include "psi.h"
#include "util.h"

#define GROUP_NAME_MAX   256
#define GROUP_ID_MAX     65
#define GROUP_CGROUP_MAX 512

enum group_kind {
        GROUP_CGROUP,
        GROUP_CONTAINER,
};

struct group_sample {
        enum group_kind kind;
        char name[GROUP_NAME_MAX];     /* container name, or cgroup path for plain cgroups */
        char id[GROUP_ID_MAX];         /* Docker container id; "" for plain cgroups */
        char cgroup[GROUP_CGROUP_MAX]; /* cgroup2 path relative to the root; "" if unknown */
        int rule;                      /* index into config->rules; -1 = unmanaged */
        bool has_memory;               /* memory_current/max/swap below are valid */
        bool has_memory_high;          /* memory.high and memory.reclaim exist (cgroup v2) */
        uint64_t memory_current;
        uint64_t memory_max;      /* BYTES_MAX = unlimited */
        uint64_t memory_high;     /* BYTES_MAX = unlimited; BYTES_MAX too where unsupported */
        uint64_t memory_swap_max; /* swap beyond memory_max; BYTES_MAX = unlimited */
        bool has_events;
        struct memory_events events;
        bool has_psi;
        struct psi_stats psi; /* memory.pressure */
        bool running;         /* containers: State.Running; cgroups: has processes */
        unsigned restart_count;
        /* the oom_score_adj its processes carry, filled by the actuator's
         * oomguard pass (not by the sampler): for status */
        bool has_oom_score_adj;
        int oom_score_adj;
        /* Sampler bookkeeping: when its changing figures (memory.current,
         * memory.pressure) and when every file of the group were last read
         * (monotonic; 0 never), and its change watch (cgfs_watch_add; -1 none). */
        usec_t refreshed;
        usec_t limits_refreshed;
        int watch;
};

struct host_sample {
        struct meminfo mem;
        bool has_psi;
        struct psi_stats memory_psi;
        struct psi_stats io_psi;
};

struct snapshot {
        usec_t time; /* monotonic, when the sample was taken */
        usec_t kept_swept; /* monotonic, the sampler's last cgfs_kept_sweep() */
        struct host_sample host;
        struct group_sample *groups;
        size_t n_groups;
        size_t allocated;
        /* snapshot_index(): open addressing over groups by key, slots hold
         * index + 1 (0 empty); NULL: snapshot_find() searches linearly. */
        size_t *index;
        size_t index_slots;
};

void snapshot_init(struct snapshot *s);
void snapshot_done(struct snapshot *s);
/* Room for n groups in all (one allocation where the count is known, as
 * the previous sample's). 0 or -ENOMEM. */
int snapshot_reserve(struct snapshot *s, size_t n);
/* Append a zeroed group (rule = -1, limits BYTES_MAX, watch -1); NULL on
 * -ENOMEM. Drops the index. */
struct group_sample *snapshot_add_group(struct snapshot *s);
/* Index the groups by key so that snapshot_find() is O(1) (the daemon looks
 * up each group of one snapshot in the previous one). -ENOMEM leaves the
 * snapshot unindexed, which is slower but correct. */
int snapshot_index(struct snapshot *s);
/* Group with this key (id for containers, cgroup path for cgroups), or NULL.
 * The first such group when keys repeat. */
const struct group_sample *snapshot_find(const struct snapshot *s, const char *key);
/* The identity policy state is keyed by: id for containers, cgroup for cgroups. */
const char *group_key(const struct group_sample *g);
/* Host memory in use, percent: (MemTotal - MemAvailable) / MemTotal. */
double snapshot_memory_used_percent(const struct snapshot *s);
