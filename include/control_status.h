/* control_status — the daemon's state as the status verb's JSON, pure
 * (cJSON, no I/O, no clock: the caller passes every value in a struct
 * control_status_input). Also the JSON pieces other results share: sizes
 * (bytes or null) and one override. The wire format around it is
 * control_proto.h's. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "control_proto.h"
#include "policy.h"
#include "snapshot.h"
#include "tier.h"
#include "util.h"

/* What a hybrid cgroup host cannot do, for start-up and status alike: the v1
 * memory controller has neither memory.high nor memory.reclaim, so the
 * warning tier has no action and critical only stops sacrificial containers. */
#define CONTROL_HYBRID_UNAVAILABLE_ACTIONS {"memory.high", "reclaim", "throttle"}
#define CONTROL_HYBRID_UNAVAILABLE_REASON \
        "hybrid cgroups: the v1 memory controller has no memory.high or memory.reclaim"


struct control_disk_view {
        const char *path;
        enum tier tier;
        double used_percent; /* < 0: unknown */
        uint64_t size_bytes;
        uint64_t avail_bytes;
};

struct control_status_input {
        const char *version;
        const struct config *config; /* for rule names, priority, protect; may be NULL */
        const struct snapshot *snapshot;
        enum tier memory_tier;
        const struct control_disk_view *disks;
        size_t n_disks;
        const struct override *overrides;
        size_t n_overrides;
        bool dry_run;
        bool paused;
        usec_t paused_until_realtime_usec; /* 0 = until resumed */
        bool docker_configured;
        bool docker_connected;
        const char *docker_version;     /* the Engine's ("29.1.0"); NULL = not known yet */
        const char *docker_api_version; /* negotiated ("1.52"); NULL = none yet */
        /* actions this host cannot take ("memory.high", "reclaim", "throttle" on
         * hybrid cgroups) and why; none when n_unavailable_actions is 0 */
        const char *const *unavailable_actions;
        size_t n_unavailable_actions;
        const char *unavailable_reason;
};

/* Fields:
 *   version, dry_run, paused, paused_until (Unix s | null),
 *   tiers {memory, disk {PATH: tier}},
 *   host {memory_total, memory_available, memory_used_percent, swap_total,
 *         swap_free, psi {memory, io} | null},
 *   docker {configured, connected, version, api_version} (the last two
 *          strings, or null before the Engine first answered),
 *   disks [{path, tier, used_percent, size, available}],
 *   containers [{name, id, kind ("container"|"cgroup"), cgroup, rule,
 *                managed, running, memory_current, memory_max, memory_high,
 *                priority, protected, override, psi}] — managed groups first
 *                (priority ascending, usage descending), then unmanaged ones
 *                (rule, priority and protected null),
 *   overrides [{name, memory_max, expires}],
 *   unavailable_actions [strings], unavailable_reason (string | null)
 * where psi is {some {avg10, avg60, avg300}, full {...}} or null and sizes
 * are bytes or null (unlimited / unknown). NULL on -ENOMEM. */
cJSON *control_status_json(const struct control_status_input *in);

/* Bytes as the protocol writes them: a number, or null for unlimited. */
cJSON *control_json_bytes(uint64_t bytes);

/* One override as in "overrides": {"name","memory_max","expires"}. */
cJSON *control_override_json(const struct override *o);
