/* policy — the pure decision core.
 *
 *   policy_evaluate(input, state, &plan)
 *
 * No I/O, no clock, no Docker, no logging: everything comes in through
 * policy_input and the persistent policy_state, everything goes out as a plan
 * the actuator carries out. -ENOMEM is the only error.
 *
 * Memory tier. Usage = snapshot_memory_used_percent() against
 * memory.warning/critical/emergency; a tier is entered once its mark has held
 * for memory.hold (emergency: memory.emergency_hold; each tier its own clock),
 * left as soon as usage falls below mark - memory.hysteresis (tier.h).
 * Emergency is entered without its hold when waiting would mean the OOM
 * killer: usage is past the emergency mark and, at the rate it rose since the
 * previous evaluation, memory runs out within POLICY_EXHAUSTION_HORIZON_USEC
 * (a spike that will stop on its own is not told apart any sooner). Host memory PSI (only when
 * snapshot->host.has_psi) against pressure_warning/critical/emergency (kind
 * some|full, avg10; "full" counts as 0 where the kernel has none) is gated on
 * usage: it raises the tier at most ONE step above the highest tier whose
 * usage mark is met, so with usage below the warning mark PSI reaches warning
 * at most — pressure alone never stops or kills anything. PSI "stays" while
 * avg10 >= POLICY_PSI_STAY_FRACTION of its mark, capped one step above the
 * highest tier usage stays in.
 *
 * Desired limits (managed groups only: rule >= 0; unmanaged groups are never
 * touched, overrides on them are ignored — the control side should refuse):
 *   - memory.max: an override (matched by group name or id first, else by rule
 *     name — it then applies to every group of the rule) else the rule's
 *     memory_max (percentages of MemTotal; none while MemTotal is unknown).
 *     Unset → memory.max is not managed.
 *   - swap beyond memory.max: the rule's memory_swap, unset = 0; "max" when
 *     memory.max is "max". Not compared on a host without swap (there it can
 *     be unreadable and changes nothing).
 *   - memory.high: the rule's memory_high. While an override is active the
 *     soft limit keeps the rule's distance below the hard one
 *     (override - (rule max - rule high)), or "max" if the rule does not set
 *     both — the operator asked for room, a stale memory.high would deny it.
 *   LIMIT is planned when has_memory and memory.max or swap differ; HIGH when
 *   has_memory_high, the group is not throttled by us and memory.high differs.
 *   Neither is held back by tier or cooldown; both are by pause.
 *
 * Graduated actions. Victim order: priority ascending, then memory_current
 * descending (unknown = 0), then name, then key. Only managed, unprotected
 * groups with a non-empty key; at most one tier action per group per plan.
 *   warning+   RECLAIM up to POLICY_RECLAIM_MAX_GROUPS groups (has_memory_high,
 *              usage >= 1 page): memory.reclaim_percent of memory_current,
 *              at least one page;
 *   critical+  THROTTLE the first group in order where it tightens:
 *              memory.high = throttle_percent of usage, floored at
 *              max(1% of usage, POLICY_THROTTLE_FLOOR_BYTES), page aligned,
 *              only if below both the current memory.high and the usage;
 *   critical   STOP the first running sacrificial container;
 *   emergency  KILL the first running group (container or plain cgroup).
 *   normal     HIGH restore of every group we throttled, to the desired
 *              memory.high above, else to the value it had before.
 * Plan order: STOP/KILL, THROTTLE, LIMIT, HIGH, RECLAIM (most urgent first,
 * the slow memory.reclaim writes last).
 *
 * Pacing. One destructive action (STOP/KILL) per memory.cooldown, host-wide
 * (state->last_destructive_usec). Per group, an action is not repeated within
 * the cooldown by one of the same or a milder kind (RECLAIM < THROTTLE < STOP <
 * KILL); a harsher kind is not held back by a milder one, or a reclaim at
 * warning would shield the lowest-priority group from the kill at emergency.
 * A destructive action that was due but held back sets suppressed_cooldown;
 * one that was due with nobody eligible sets no_candidate.
 *
 * While paused the tier is still tracked (and the state pruned) but the plan
 * carries no actions; suppressed_paused says some were due.
 *
 * The state's group table holds only groups acted on, and drops groups that
 * are no longer in the snapshot (so a group missing from one snapshot loses
 * its cooldown and throttle mark).
 *
 * policy_confirm() re-checks one action against a fresh snapshot just before
 * the actuator carries it out. */
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
        enum tier tier;             /* memory tier that caused it */
        size_t group;               /* index into the snapshot's groups */
        char key[GROUP_CGROUP_MAX]; /* group_key() of the target, stable across snapshots */
        char target[GROUP_NAME_MAX];
        uint64_t bytes;      /* LIMIT: memory.max; HIGH/THROTTLE: memory.high; RECLAIM: amount */
        uint64_t swap_bytes; /* LIMIT: swap beyond memory.max (BYTES_MAX = unlimited) */
        uint64_t previous_bytes; /* THROTTLE, HIGH: memory.high before; LIMIT: memory.max before */
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
/* groups reclaimed per plan at warning and above */
#define POLICY_RECLAIM_MAX_GROUPS 3
/* bytes: the kernel's reclaim granularity; the smallest reclaim asked for */
#define POLICY_PAGE_BYTES 4096ULL
/* bytes: a throttle never sets memory.high lower than this (32 MiB): below it
 * a container thrashes without giving back anything that matters */
#define POLICY_THROTTLE_FLOOR_BYTES (32ULL * 1024 * 1024)
/* usec: memory projected to run out within this skips the emergency hold —
 * about two samples of the 100 ms pressure tick: waiting for more would
 * leave the kernel OOM killer to act first */
#define POLICY_EXHAUSTION_HORIZON_USEC (300ULL * 1000)
/* usec: the shortest interval memory's rate of rise is measured over */
#define POLICY_RATE_WINDOW_USEC (100ULL * 1000)
/* share of a PSI mark (0..1) that avg10 must keep for the tier to stay */
#define POLICY_PSI_STAY_FRACTION 0.5

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
        bool no_candidate;        /* a destructive action was due but no group qualified */
};

struct policy_group_state {
        char key[GROUP_CGROUP_MAX];
        usec_t last_action_usec; /* last RECLAIM/THROTTLE/STOP/KILL on it */
        enum action_kind last_action_kind;
        bool throttled;              /* memory.high was tightened by us */
        uint64_t memory_high_before; /* memory.high before the first throttle */
        /* the last LIMIT/HIGH carried out (or logged, in dry-run): the same value
         * is not sent again within the memory cooldown, so an asynchronous
         * Docker update in flight, a refused write or dry-run do not repeat
         * every tick — unless the group shows a new value (drifted again) */
        uint64_t limit_max_sent, limit_swap_sent, limit_high_sent;
        uint64_t limit_max_seen, limit_high_seen; /* what the group showed when sent */
        usec_t limit_max_usec, limit_high_usec; /* USEC_INFINITY = never */
        bool seen;                   /* scratch: mark for pruning vanished groups */
};

struct policy_state {
        struct tier_tracker memory;
        usec_t last_destructive_usec;      /* USEC_INFINITY = never */
        /* the previous evaluation's host memory in use, for its rate */
        double last_used_percent;
        usec_t last_used_usec; /* USEC_INFINITY = none yet */
        struct policy_group_state *groups; /* sorted by key (binary search) */
        size_t n_groups;
        size_t allocated;
};

void policy_state_init(struct policy_state *s);
void policy_state_done(struct policy_state *s);

void plan_init(struct plan *p);
void plan_done(struct plan *p);

/* Evaluate and fill plan (which must be initialised; its previous content is
 * replaced, its allocation reused). 0, or -ENOMEM. */
int policy_evaluate(const struct policy_input *in, struct policy_state *state, struct plan *plan);

/* The desired memory.max for a group: override, else rule, else BYTES_MAX
 * (also for unmanaged groups). */
uint64_t policy_desired_memory_max(const struct policy_input *in, const struct group_sample *g);

/* The memory tier conditions of one snapshot: usage, merged with PSI gated on
 * usage as described above. Used by policy_evaluate and policy_confirm. */
void policy_memory_conditions(const struct config *c, const struct snapshot *s,
                              struct tier_conditions *ret);

/* Is an action still justified on this fresh snapshot? Never while paused.
 * LIMIT/HIGH: the target (by key) still exists. RECLAIM/THROTTLE/STOP/KILL:
 * the target still exists, is still managed by an unprotected rule (STOP: a
 * sacrificial one), is still running (STOP/KILL), and host memory (usage or
 * gated PSI) still meets the stay condition of the action's tier — no hold.
 * 1 yes, 0 no. */
int policy_confirm(const struct policy_input *fresh, const struct policy_state *state,
                   const struct action *a);

/* Structural protection, the same for the policy (a blocked group is never
 * a candidate) and the actuator (which refuses a blocked action whatever
 * planned it). NULL when kind may target g; else why not, written to buf:
 *   - a plain cgroup that is also a container's cgroup is governed as that
 *     container only: no action of any kind on it as a cgroup;
 *   - RECLAIM, THROTTLE, STOP, KILL never target a group whose cgroup
 *     contains (at or below it) the cgroup of a protected group: killing or
 *     throttling an ancestor reaches everything under it.
 * O(groups in s). */
const char *policy_structural_block(const struct config *c, const struct snapshot *s,
                                    const struct group_sample *g, enum action_kind kind, char *buf,
                                    size_t size);

/* Tell the state an action was carried out (cooldown bookkeeping): RECLAIM/
 * THROTTLE/STOP/KILL start the group's cooldown, STOP/KILL the host-wide
 * one, THROTTLE marks the group throttled, HIGH clears that mark; LIMIT and
 * HIGH remember the value sent, which is then not planned again within the
 * cooldown. Call it in
 * dry-run too, so dry-run paces its "would" entries like the real thing.
 * 0, or -ENOMEM. */
int policy_note_action(struct policy_state *state, const struct action *a, usec_t now);
