/* policy_explain — see include/policy_explain.h. */
#include "policy_explain.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[EXPLAIN_VERDICT_COUNT] = {
    [EXPLAIN_CANDIDATE] = "candidate",
    [EXPLAIN_UNMANAGED] = "unmanaged",
    [EXPLAIN_PROTECTED] = "protected",
    [EXPLAIN_NO_IDENTITY] = "no-identity",
    [EXPLAIN_STRUCTURAL] = "structural",
    [EXPLAIN_NOT_RUNNING] = "not-running",
    [EXPLAIN_NOT_SACRIFICIAL] = "not-sacrificial",
    [EXPLAIN_NO_MEMORY_HIGH] = "no-memory-high",
    [EXPLAIN_BELOW_USAGE] = "below-usage",
    [EXPLAIN_COOLDOWN] = "cooldown",
};

const char *explain_verdict_name(enum explain_verdict v)
{
        return v < EXPLAIN_VERDICT_COUNT ? verdict_names[v] : "unknown";
}

void explanation_init(struct explanation *e)
{
        assert(e);
        memset(e, 0, sizeof *e);
        plan_init(&e->plan);
}

void explanation_done(struct explanation *e)
{
        assert(e);
        plan_done(&e->plan);
        free(e->groups);
        explanation_init(e);
}

static const struct rule *rule_of(const struct config *c, const struct group_sample *g)
{
        if (g->rule < 0 || (size_t)g->rule >= c->n_rules)
                return NULL;
        return &c->rules[g->rule];
}

/* The group's own cooldown as policy.c keeps it: an action of at least this
 * harshness within memory.cooldown (tier actions are ordered by harshness in
 * enum action_kind). Time left, 0 when none. */
static usec_t cooldown_left(const struct policy_input *in, const struct policy_state *state,
                            const struct group_sample *g, enum action_kind kind)
{
        usec_t cooldown = in->config->memory.cooldown_usec;

        for (size_t i = 0; i < state->n_groups; i++) {
                const struct policy_group_state *gs = &state->groups[i];

                if (strcmp(gs->key, group_key(g)) != 0)
                        continue;
                if (gs->last_action_usec == USEC_INFINITY || gs->last_action_kind < kind ||
                    gs->last_action_kind < ACTION_RECLAIM)
                        return 0;
                if (in->now < gs->last_action_usec) /* a clock we cannot trust: careful */
                        return cooldown;
                return in->now - gs->last_action_usec < cooldown
                           ? cooldown - (in->now - gs->last_action_usec)
                           : 0;
        }
        return 0;
}

static enum explain_verdict judge(const struct policy_input *in, const struct policy_state *state,
                                  const struct group_sample *g, enum action_kind kind,
                                  struct explain_group *ret)
{
        const struct rule *rule = rule_of(in->config, g);

        ret->cooldown_left_usec = 0;
        ret->detail[0] = '\0';
        if (!rule)
                return EXPLAIN_UNMANAGED;
        if (rule->protect)
                return EXPLAIN_PROTECTED;
        if (group_key(g)[0] == '\0')
                return EXPLAIN_NO_IDENTITY;
        /* as the policy: blocked for the harshest action = never a candidate */
        if (policy_structural_block(in->config, in->snapshot, g, ACTION_KILL, ret->detail,
                                    sizeof ret->detail))
                return EXPLAIN_STRUCTURAL;
        switch (kind) {
        case ACTION_STOP:
                if (!g->running)
                        return EXPLAIN_NOT_RUNNING;
                if (g->kind != GROUP_CONTAINER || !rule->sacrificial)
                        return EXPLAIN_NOT_SACRIFICIAL;
                break;
        case ACTION_KILL:
                if (!g->running)
                        return EXPLAIN_NOT_RUNNING;
                break;
        default:
                if (!g->has_memory || !g->has_memory_high)
                        return EXPLAIN_NO_MEMORY_HIGH;
                if (g->memory_current < POLICY_PAGE_BYTES)
                        return EXPLAIN_BELOW_USAGE;
                break;
        }
        ret->cooldown_left_usec = cooldown_left(in, state, g, kind);
        return ret->cooldown_left_usec > 0 ? EXPLAIN_COOLDOWN : EXPLAIN_CANDIDATE;
}

/* Candidates, then other managed groups, then protected, then unmanaged;
 * within the first two the policy's victim order, within the last by name. */
static int class_of(const struct explain_group *e)
{
        switch (e->verdict) {
        case EXPLAIN_CANDIDATE:
                return 0;
        case EXPLAIN_PROTECTED:
                return 2;
        case EXPLAIN_UNMANAGED:
                return 3;
        default:
                return 1;
        }
}

static int explain_compare(const void *x, const void *y, void *userdata)
{
        const struct policy_input *in = userdata;
        const struct explain_group *ea = x, *eb = y;
        const struct group_sample *a = &in->snapshot->groups[ea->group];
        const struct group_sample *b = &in->snapshot->groups[eb->group];
        int ca = class_of(ea), cb = class_of(eb), r;

        if (ca != cb)
                return ca < cb ? -1 : 1;
        if (ca <= 1) {
                int pa = rule_of(in->config, a)->priority, pb = rule_of(in->config, b)->priority;
                uint64_t ua = a->has_memory ? a->memory_current : 0;
                uint64_t ub = b->has_memory ? b->memory_current : 0;

                if (pa != pb)
                        return pa < pb ? -1 : 1;
                if (ua != ub)
                        return ua > ub ? -1 : 1;
        }
        r = strcmp(a->name, b->name);
        return r != 0 ? r : strcmp(group_key(a), group_key(b));
}

int policy_explain(const struct policy_input *in, const struct policy_state *state,
                   struct explanation *e)
{
        struct policy_input unpaused;
        struct policy_state copy;
        usec_t cooldown;
        unsigned rank = 0;
        int r;

        assert(in && in->config && in->snapshot && state && e);

        explanation_done(e);

        /* Evaluate on a copy: the tier tracker and cooldowns must not move. */
        copy = *state;
        copy.groups = NULL;
        if (state->n_groups > 0) {
                copy.groups = malloc(state->n_groups * sizeof *copy.groups);
                if (!copy.groups)
                        return -ENOMEM;
                memcpy(copy.groups, state->groups, state->n_groups * sizeof *copy.groups);
        }
        copy.allocated = state->n_groups;
        unpaused = *in;
        unpaused.paused = false;
        r = policy_evaluate(&unpaused, &copy, &e->plan);
        policy_state_done(&copy);
        if (r < 0)
                return r;

        e->tier = e->plan.memory_tier;
        e->previous_tier = e->plan.previous_tier;
        e->memory_used_percent = e->plan.memory_used_percent;
        e->marks_percent[TIER_WARNING] = in->config->memory.warning_percent;
        e->marks_percent[TIER_CRITICAL] = in->config->memory.critical_percent;
        e->marks_percent[TIER_EMERGENCY] = in->config->memory.emergency_percent;
        e->paused = in->paused;
        e->judged_kind = e->tier == TIER_EMERGENCY  ? ACTION_KILL
                         : e->tier == TIER_CRITICAL ? ACTION_STOP
                                                    : ACTION_RECLAIM;
        cooldown = in->config->memory.cooldown_usec;
        if (action_is_destructive(e->judged_kind) && state->last_destructive_usec != USEC_INFINITY)
                e->host_cooldown_left_usec =
                    in->now < state->last_destructive_usec ? cooldown
                    : in->now - state->last_destructive_usec < cooldown
                        ? cooldown - (in->now - state->last_destructive_usec)
                        : 0;

        if (in->snapshot->n_groups == 0)
                return 0;
        e->groups = calloc(in->snapshot->n_groups, sizeof *e->groups);
        if (!e->groups)
                return -ENOMEM;
        for (size_t i = 0; i < in->snapshot->n_groups; i++) {
                struct explain_group *eg = &e->groups[e->n_groups++];

                eg->group = i;
                eg->verdict = judge(in, state, &in->snapshot->groups[i], e->judged_kind, eg);
        }
        qsort_r(e->groups, e->n_groups, sizeof *e->groups, explain_compare, (void *)in);
        for (size_t i = 0; i < e->n_groups; i++)
                if (e->groups[i].verdict == EXPLAIN_CANDIDATE)
                        e->groups[i].rank = ++rank;
        return 0;
}
