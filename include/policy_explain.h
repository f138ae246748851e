/* policy_explain — "what would the governor do now, and why?", pure.
 *
 *   policy_explain(input, state, &explanation)
 *
 * No I/O, no clock, and the state is not changed: the plan is what
 * policy_evaluate() would return on a copy of the state (with pause ignored,
 * so a paused governor still says what is held back), and every group of the
 * snapshot gets a verdict for the tier's action:
 *
 *   tier        judged for    (the action a group could be chosen for)
 *   normal      reclaim       what warning would do first
 *   warning     reclaim
 *   critical    stop          (plus throttle and reclaim, in the plan)
 *   emergency   kill
 *
 * Verdicts, checked in this order (the first that applies):
 *   unmanaged        no rule matches: never touched
 *   protected        its rule says protect
 *   no-identity      no container id or cgroup yet: nothing to act on
 *   structural       structural protection (policy_structural_block): a
 *                    container's cgroup governed as the container, or a cgroup
 *                    holding a protected group; detail says which
 *   not-running      stop/kill: nothing runs in it
 *   not-sacrificial  stop (critical): only sacrificial containers are stopped
 *   no-memory-high   reclaim: no memory.high/memory.reclaim (hybrid cgroups)
 *   below-usage      reclaim: less than one page in use, nothing to free
 *   cooldown         acted on within memory.cooldown by as harsh an action
 *   candidate        would be chosen, in rank order (1 = first)
 *
 * Candidates are ranked in the policy's victim order (priority ascending,
 * usage descending, name, key); the list holds candidates first, then the
 * other managed groups in victim order, then protected and unmanaged groups
 * by name. -ENOMEM is the only error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

enum explain_verdict {
        EXPLAIN_CANDIDATE,
        EXPLAIN_UNMANAGED,
        EXPLAIN_PROTECTED,
        EXPLAIN_NO_IDENTITY,
        EXPLAIN_STRUCTURAL,
        EXPLAIN_NOT_RUNNING,
        EXPLAIN_NOT_SACRIFICIAL,
        EXPLAIN_NO_MEMORY_HIGH,
        EXPLAIN_BELOW_USAGE,
        EXPLAIN_COOLDOWN,
        EXPLAIN_VERDICT_COUNT,
};

/* "candidate", "unmanaged", ... as listed above */
const char *explain_verdict_name(enum explain_verdict v);

struct explain_group {
        size_t group; /* index into the snapshot's groups */
        enum explain_verdict verdict;
        unsigned rank;             /* 1-based place among candidates; 0 = not one */
        usec_t cooldown_left_usec; /* EXPLAIN_COOLDOWN: until the group may be chosen */
        char detail[256];          /* EXPLAIN_STRUCTURAL: why; "" otherwise */
};

struct explanation {
        enum tier tier;          /* what an evaluation now would decide */
        enum tier previous_tier; /* the governor's tier before it */
        double memory_used_percent;
        double marks_percent[TIER_COUNT]; /* [TIER_WARNING..TIER_EMERGENCY]; [0] = 0 */
        enum action_kind judged_kind;     /* RECLAIM, STOP or KILL (table above) */
        bool paused;                      /* the plan would be held back */
        usec_t host_cooldown_left_usec;   /* stop/kill held back host-wide; 0 = not */
        struct plan plan;                 /* the actions due now (pause ignored) */
        struct explain_group *groups;     /* one per snapshot group, ordered as above */
        size_t n_groups;
};

void explanation_init(struct explanation *e);
void explanation_done(struct explanation *e);

/* Fill e (initialised; previous content replaced). 0, or -ENOMEM. */
int policy_explain(const struct policy_input *in, const struct policy_state *state,
                   struct explanation *e);
