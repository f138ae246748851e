/* policy — the pure decision core.
 *
 *   policy_evaluate(input, state, &plan)
 *
 * No I/O, no clock, no Docker: everything comes in through policy_input and
 * the persistent policy_state, everything goes out as a plan the actuator
 * carries out. Decides:
 *   - the memory tier (usage % with hold and hysteresis, PSI gated on usage:
 *     pressure raises the tier at most one step above what usage alone says,
 *     so PSI alone reaches warning — never a destructive tier);
 *   - desired limits per managed group (rule or override) → LIMIT on drift;
 *   - graduated actions: warning → RECLAIM of the lowest-priority groups;
 *     critical → THROTTLE (memory.high) of the lowest-priority largest group,
 *     then STOP of a sacrificial one; emergency → KILL of the lowest-priority
 *     largest unprotected group. Protected groups are never chosen;
 *   - pacing: one destructive action (STOP/KILL) per memory cooldown; a group
 *     is not acted on again within the cooldown;
 *   - restore of memory.high once the tier is back to normal.
 * While paused, the tier is still tracked but no action is planned.
 *
 * policy_confirm() re-checks one destructive action against a fresh snapshot
 * just before the actuator carries it out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "snapshot.h"
#include "tier.h"
#include "util.h"

enum action_kind {
        ACTION_LIMIT,    /* set memory.max (+ swap) to the desired value */
        ACTION_HIGH,     /* set memory.high to the rule's value (apply or restore) */
        ACTION_RECLAIM,  /* memory.reclaim bytes */
        ACTION_THROTTLE, /* tighten memory.high to bytes */
        ACTION_STOP,     /* graceful stop (containers) */
        ACTION_KILL,     /* docker kill / cgroup.kill */
        ACTION_KIND_COUNT,
};

/* "limit", "limit", "reclaim", "throttle", "stop", "kill" (history kinds) */
const char *action_kind_name(enum action_kind k);
bool action_is_destructive(enum action_kind k);

struct action {
        enum action_kind kind;
        enum tier tier;         /* memory tier that caused it */
        size_t group;           /* index into the snapshot's groups */
        char key[GROUP_CGROUP_MAX]; /* group_key() of the target, stable across snapshots */
        char target[GROUP_NAME_MAX];
        uint64_t bytes;      /* LIMIT: memory.max; HIGH/THROTTLE: memory.high; RECLAIM: amount */
        uint64_t swap_bytes; /* LIMIT: swap beyond memory.max (BYTES_MAX = unlimited) */
        char reason[256];
};

/* An operator override (sutazai-govctl set-limit). */
struct override {
        char name[GROUP_NAME_MAX]; /* rule name or group name */
        uint64_t memory_max;
        usec_t expires_realtime_usec; /* 0 = never */
};

struct policy_input {
        const struct config *config;
        const struct snapshot *snapshot;
        usec_t now; /* monotonic */
        bool paused;
        const struct override *overrides;
        size_t n_overrides;
};

#define POLICY_MAX_CANDIDATES 3

struct plan {
        enum tier memory_tier;
        enum tier previous_tier;
        double memory_used_percent;
        struct action *actions;
        size_t n_actions;
        size_t allocated;
        /* groups considered for the destructive action, best victim first */
        size_t candidates[POLICY_MAX_CANDIDATES];
        size_t n_candidates;
        bool suppressed_paused;   /* actions were due but enforcement is paused */
        bool suppressed_cooldown; /* a destructive action was due but in cooldown */
};

struct policy_group_state {
        char key[GROUP_CGROUP_MAX];
        usec_t last_action_usec; /* last RECLAIM/THROTTLE/STOP/KILL on it */
        bool throttled;          /* memory.high was tightened by us */
        bool seen;               /* mark for pruning vanished groups */
};

struct policy_state {
        struct tier_tracker memory;
        usec_t last_destructive_usec; /* USEC_INFINITY = never */
        struct policy_group_state *groups;
        size_t n_groups;
        size_t allocated;
};

void policy_state_init(struct policy_state *s);
void policy_state_done(struct policy_state *s);

void plan_init(struct plan *p);
void plan_done(struct plan *p);

/* Evaluate and fill plan (which must be initialised). 0, or -ENOMEM. */
int policy_evaluate(const struct policy_input *in, struct policy_state *state, struct plan *plan);

/* The desired memory.max for a group: override, else rule, else BYTES_MAX. */
uint64_t policy_desired_memory_max(const struct policy_input *in, const struct group_sample *g);

/* Is a destructive action still justified on this fresh snapshot? The target
 * (by key) must still exist, be unprotected, and host memory must still meet
 * the action's tier (stay condition). 1 yes, 0 no. */
int policy_confirm(const struct policy_input *fresh, const struct policy_state *state,
                   const struct action *a);

/* Tell the state an action was carried out (cooldown bookkeeping). */
void policy_note_action(struct policy_state *state, const struct action *a, usec_t now);
