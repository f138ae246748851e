/* policy — see include/policy.h */
#include "policy.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "units.h"

/* Everything one evaluation looks at, so helpers take one argument. */
struct context {
        const struct policy_input *in;
        const struct policy_state *state;
        /* Groups a tier action may target (managed, unprotected, with a key),
         * sorted once in victim order; walks over it are linear. Built only at
         * warning and above. */
        size_t *order;
        size_t n_order;
        bool *targeted; /* [group index]: a tier action is planned on it */
        /* [group index]: a plain cgroup that is also a container's cgroup
         * (governed as that container only); NULL when there is none */
        bool *cgroup_is_container;
};

static const char *const action_kind_names[ACTION_KIND_COUNT] = {
    /* memory.high settings are limits too in the history's vocabulary */
    [ACTION_LIMIT] = "limit",       [ACTION_HIGH] = "limit", [ACTION_RECLAIM] = "reclaim",
    [ACTION_THROTTLE] = "throttle", [ACTION_STOP] = "stop",  [ACTION_KILL] = "kill",
};

const char *action_kind_name(enum action_kind k)
{
        if ((unsigned)k >= ACTION_KIND_COUNT)
                return "unknown";
        return action_kind_names[k];
}

bool action_is_destructive(enum action_kind k)
{
        return k == ACTION_STOP || k == ACTION_KILL;
}

/* Harshness of the actions that start a group's cooldown; 0 for the others. */
static int action_severity(enum action_kind k)
{
        switch (k) {
        case ACTION_RECLAIM:
                return 1;
        case ACTION_THROTTLE:
                return 2;
        case ACTION_STOP:
                return 3;
        case ACTION_KILL:
                return 4;
        default:
                return 0;
        }
}

static bool in_cooldown(usec_t last_usec, usec_t cooldown_usec, usec_t now)
{
        if (last_usec == USEC_INFINITY)
                return false;
        /* A "last" in the future means a clock we cannot trust: stay careful. */
        if (now < last_usec)
                return true;
        return now - last_usec < cooldown_usec;
}

void policy_state_init(struct policy_state *s)
{
        assert(s);

        memset(s, 0, sizeof *s);
        tier_tracker_init(&s->memory);
        s->last_destructive_usec = USEC_INFINITY;
        s->last_used_usec = USEC_INFINITY;
}

void policy_state_done(struct policy_state *s)
{
        assert(s);

        free(s->groups);
        policy_state_init(s);
}

void plan_init(struct plan *p)
{
        assert(p);

        memset(p, 0, sizeof *p);
}

void plan_done(struct plan *p)
{
        assert(p);

        free(p->actions);
        plan_init(p);
}

/* Empty the plan for a new evaluation, keeping its allocation. */
static void plan_reset(struct plan *p)
{
        struct action *actions = p->actions;
        size_t allocated = p->allocated;

        memset(p, 0, sizeof *p);
        p->actions = actions;
        p->allocated = allocated;
}

static struct action *plan_add(struct plan *p)
{
        struct action *a;

        if (p->n_actions == p->allocated) {
                size_t n = p->allocated ? p->allocated * 2 : 8;
                struct action *actions = realloc(p->actions, n * sizeof *actions);
                if (!actions)
                        return NULL;
                p->actions = actions;
                p->allocated = n;
        }
        a = &p->actions[p->n_actions++];
        memset(a, 0, sizeof *a);
        return a;
}

/* The group table is kept sorted by key: lookups are a binary search, so a
 * host with thousands of groups does not pay quadratic costs per tick. */
static int state_key_compare(const void *key, const void *member)
{
        return strcmp(key, ((const struct policy_group_state *)member)->key);
}

static struct policy_group_state *state_find(const struct policy_state *s, const char *key)
{
        if (s->n_groups == 0)
                return NULL;
        return bsearch(key, s->groups, s->n_groups, sizeof *s->groups, state_key_compare);
}

static struct policy_group_state *state_get(struct policy_state *s, const char *key)
{
        struct policy_group_state *gs = state_find(s, key);
        size_t at = 0;

        if (gs)
                return gs;
        if (s->n_groups == s->allocated) {
                size_t n = s->allocated ? s->allocated * 2 : 16;
                struct policy_group_state *groups = realloc(s->groups, n * sizeof *groups);
                if (!groups)
                        return NULL;
                s->groups = groups;
                s->allocated = n;
        }
        /* Insertion point; inserting is rare (an action was carried out). */
        for (size_t lo = 0, hi = s->n_groups; lo < hi;) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(s->groups[mid].key, key) < 0)
                        lo = at = mid + 1;
                else
                        hi = at = mid;
        }
        memmove(&s->groups[at + 1], &s->groups[at], (s->n_groups - at) * sizeof *s->groups);
        s->n_groups++;
        gs = &s->groups[at];
        memset(gs, 0, sizeof *gs);
        util_strlcpy(gs->key, key, sizeof gs->key);
        gs->last_action_usec = USEC_INFINITY;
        gs->memory_high_before = BYTES_MAX;
        gs->limit_max_usec = gs->limit_high_usec = USEC_INFINITY;
        return gs;
}

/* Forget groups that are gone, so the table stays as small as the host. */
static void state_prune(struct policy_state *s, const struct snapshot *snap)
{
        size_t kept = 0;

        if (s->n_groups == 0)
                return;
        for (size_t i = 0; i < s->n_groups; i++)
                s->groups[i].seen = false;
        for (size_t i = 0; i < snap->n_groups; i++) {
                struct policy_group_state *gs = state_find(s, group_key(&snap->groups[i]));
                if (gs)
                        gs->seen = true;
        }
        /* compacting in place keeps the order, so the table stays sorted */
        for (size_t i = 0; i < s->n_groups; i++)
                if (s->groups[i].seen)
                        s->groups[kept++] = s->groups[i];
        s->n_groups = kept;
}

/* A LIMIT/HIGH that took effect (the group shows the value sent) is no
 * longer "in flight": forget it, so the group drifting back to the value it
 * showed when we sent — the same wrong value re-applied — is corrected at
 * once rather than after the cooldown. */
static void state_forget_landed(struct policy_state *s, const struct snapshot *snap)
{
        bool swap_matters = snap->host.mem.swap_total_bytes > 0;

        for (size_t i = 0; i < snap->n_groups && s->n_groups > 0; i++) {
                const struct group_sample *g = &snap->groups[i];
                struct policy_group_state *gs = state_find(s, group_key(g));

                if (!gs)
                        continue;
                if (g->has_memory && g->memory_max == gs->limit_max_sent &&
                    (!swap_matters || g->memory_swap_max == gs->limit_swap_sent))
                        gs->limit_max_usec = USEC_INFINITY;
                if (g->has_memory_high && g->memory_high == gs->limit_high_sent)
                        gs->limit_high_usec = USEC_INFINITY;
        }
}

static const struct rule *group_rule(const struct config *c, const struct group_sample *g)
{
        /* An index beyond the rules can only come from a snapshot taken under
         * an older config: treat the group as unmanaged until re-matched. */
        if (g->rule < 0 || (size_t)g->rule >= c->n_rules)
                return NULL;
        return &c->rules[g->rule];
}

/* Resolve a size against MemTotal; false when unset, or a percentage while
 * MemTotal is unknown (resolving it to 0 bytes would starve the group). */
static bool size_resolve(const struct size_spec *spec, const struct snapshot *s,
                         uint64_t *ret_bytes)
{
        uint64_t total = s->host.mem.mem_total_bytes;

        if (!spec->set)
                return false;
        if (spec->is_percent && total == 0)
                return false;
        *ret_bytes = units_size_resolve(spec, total);
        return true;
}

static const struct override *override_find(const struct policy_input *in,
                                            const struct group_sample *g, const struct rule *rule)
{
        const struct override *by_rule = NULL;

        for (size_t i = 0; i < in->n_overrides; i++) {
                const struct override *o = &in->overrides[i];

                /* The group itself is more specific than its rule. */
                if (strcmp(o->name, g->name) == 0 || (g->id[0] && strcmp(o->name, g->id) == 0))
                        return o;
                if (!by_rule && rule->name && strcmp(o->name, rule->name) == 0)
                        by_rule = o;
        }
        return by_rule;
}

struct desired {
        bool max_set;
        uint64_t max_bytes;
        uint64_t swap_bytes;
        bool high_set;
        uint64_t high_bytes;
        bool from_override;
};

static void desired_limits(const struct policy_input *in, const struct group_sample *g,
                           const struct rule *rule, struct desired *ret)
{
        const struct snapshot *s = in->snapshot;
        const struct override *o = override_find(in, g, rule);
        uint64_t rule_max = BYTES_MAX, rule_high = BYTES_MAX;
        bool rule_max_set = size_resolve(&rule->memory_max, s, &rule_max);
        bool rule_high_set = size_resolve(&rule->memory_high, s, &rule_high);

        memset(ret, 0, sizeof *ret);

        if (o) {
                ret->from_override = true;
                ret->max_set = true;
                ret->max_bytes = o->memory_max;
        } else if (rule_max_set) {
                ret->max_set = true;
                ret->max_bytes = rule_max;
        }

        if (ret->max_bytes == BYTES_MAX)
                /* swap beyond an unlimited memory.max is unlimited too */
                ret->swap_bytes = BYTES_MAX;
        else if (!size_resolve(&rule->memory_swap, s, &ret->swap_bytes))
                ret->swap_bytes = 0;

        if (!rule_high_set)
                return;
        ret->high_set = true;
        if (!o) {
                ret->high_bytes = rule_high;
                return;
        }
        if (rule_max_set && rule_max != BYTES_MAX && rule_high < rule_max &&
            o->memory_max != BYTES_MAX && o->memory_max > rule_max - rule_high)
                ret->high_bytes = o->memory_max - (rule_max - rule_high);
        else
                ret->high_bytes = BYTES_MAX;
}

uint64_t policy_desired_memory_max(const struct policy_input *in, const struct group_sample *g)
{
        const struct rule *rule;
        struct desired d;

        assert(in);
        assert(g);

        rule = group_rule(in->config, g);
        if (!rule)
                return BYTES_MAX;
        desired_limits(in, g, rule, &d);
        return d.max_set ? d.max_bytes : BYTES_MAX;
}

static double psi_value(const struct psi_stats *s, enum psi_kind kind)
{
        if (kind == PSI_FULL)
                return s->has_full ? s->full.avg10 : 0.0;
        return s->some.avg10;
}

/* The highest tier whose flag is set in cond[] (TIER_NORMAL if none). */
static int highest_tier(const bool cond[TIER_COUNT])
{
        int t = TIER_NORMAL;

        for (int i = TIER_WARNING; i < TIER_COUNT; i++)
                if (cond[i])
                        t = i;
        return t;
}

void policy_memory_conditions(const struct config *c, const struct snapshot *s,
                              struct tier_conditions *ret)
{
        const struct memory_section *m;
        const struct psi_threshold *thresholds[3];
        int psi_enter = TIER_NORMAL, psi_stay = TIER_NORMAL, usage_enter, usage_stay;

        assert(c);
        assert(s);
        assert(ret);

        m = &c->memory;
        thresholds[0] = &m->pressure_warning;
        thresholds[1] = &m->pressure_critical;
        thresholds[2] = &m->pressure_emergency;

        tier_conditions_from_value(
            snapshot_memory_used_percent(s),
            (const double[3]){m->warning_percent, m->critical_percent, m->emergency_percent},
            m->hysteresis_percent, ret);
        usage_enter = highest_tier(ret->enter);
        usage_stay = highest_tier(ret->stay);

        if (!s->host.has_psi)
                return;

        /* A level, not per-mark flags: pressure past the critical mark is past
         * warning too, even when only pressure_critical is configured. */
        for (int t = TIER_WARNING; t < TIER_COUNT; t++) {
                const struct psi_threshold *th = thresholds[t - 1];
                double v;

                if (!th->set || !(th->avg10_percent > 0.0))
                        continue;
                v = psi_value(&s->host.memory_psi, th->kind);
                if (v >= th->avg10_percent)
                        psi_enter = t;
                if (v >= th->avg10_percent * POLICY_PSI_STAY_FRACTION)
                        psi_stay = t;
        }
        if (psi_enter > usage_enter + 1)
                psi_enter = usage_enter + 1;
        if (psi_stay > usage_stay + 1)
                psi_stay = usage_stay + 1;

        for (int t = TIER_WARNING; t < TIER_COUNT; t++) {
                ret->enter[t] = ret->enter[t] || t <= psi_enter;
                ret->stay[t] = ret->stay[t] || t <= psi_stay;
        }
}

/* Victim order: priority ascending, usage descending, then name and key so
 * that equal groups are always chosen the same way. */
static int victim_compare(const void *x, const void *y, void *userdata)
{
        const struct context *ctx = userdata;
        const struct config *c = ctx->in->config;
        const struct group_sample *a = &ctx->in->snapshot->groups[*(const size_t *)x];
        const struct group_sample *b = &ctx->in->snapshot->groups[*(const size_t *)y];
        int pa = group_rule(c, a)->priority, pb = group_rule(c, b)->priority;
        uint64_t ua = a->has_memory ? a->memory_current : 0;
        uint64_t ub = b->has_memory ? b->memory_current : 0;
        int r;

        if (pa != pb)
                return pa < pb ? -1 : 1;
        if (ua != ub)
                return ua > ub ? -1 : 1;
        r = strcmp(a->name, b->name);
        if (r != 0)
                return r;
        return strcmp(group_key(a), group_key(b));
}

/* Is path the cgroup ancestor, or below it? */
static bool cgroup_at_or_below(const char *path, const char *ancestor)
{
        size_t n;

        /* Docker's paths start with '/', the walk's are relative to the root */
        path += strspn(path, "/");
        ancestor += strspn(ancestor, "/");
        n = strlen(ancestor);

        while (n > 0 && ancestor[n - 1] == '/')
                n--;
        return strncmp(path, ancestor, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static bool cgroup_same(const char *a, const char *b)
{
        return strcmp(a + strspn(a, "/"), b + strspn(b, "/")) == 0;
}

/* The groups structural protection compares with: protected ones, and
 * containers (whose cgroups are governed as containers only). */
static bool group_structural(const struct config *c, const struct group_sample *h)
{
        const struct rule *rule = group_rule(c, h);

        return h->cgroup[0] && (h->kind == GROUP_CONTAINER || (rule && rule->protect));
}

/* policy_structural_block over the groups listed in others (indices into
 * s->groups), or over all of s when others is NULL. */
static const char *structural_block(const struct config *c, const struct snapshot *s,
                                    const size_t *others, size_t n_others,
                                    const struct group_sample *g, enum action_kind kind,
                                    char *buf, size_t size)
{
        size_t n = others ? n_others : s->n_groups;

        if (!g->cgroup[0])
                return NULL;
        for (size_t k = 0; k < n; k++) {
                const struct group_sample *h = &s->groups[others ? others[k] : k];
                const struct rule *rule;

                if (h == g || !h->cgroup[0])
                        continue;
                if (g->kind == GROUP_CGROUP && h->kind == GROUP_CONTAINER &&
                    cgroup_same(h->cgroup, g->cgroup)) {
                        snprintf(buf, size, "%s is the cgroup of container %s, governed as that "
                                 "container only", g->cgroup, h->name);
                        return buf;
                }
                rule = group_rule(c, h);
                if (action_severity(kind) > 0 && rule && rule->protect &&
                    cgroup_at_or_below(h->cgroup, g->cgroup)) {
                        snprintf(buf, size, "%s contains protected %s", g->cgroup, h->name);
                        return buf;
                }
        }
        return NULL;
}

const char *policy_structural_block(const struct config *c, const struct snapshot *s,
                                    const struct group_sample *g, enum action_kind kind, char *buf,
                                    size_t size)
{
        assert(c && s && g && buf);
        return structural_block(c, s, NULL, 0, g, kind, buf, size);
}

/* ctx->cgroup_is_container, only where a managed plain cgroup exists.
 * Containers are listed first: comparing every group with every other was
 * O(n^2), 120 ms a tick at 10 000 plain cgroups and no container. */
static int context_mark_container_cgroups(struct context *ctx)
{
        const struct snapshot *s = ctx->in->snapshot;
        _cleanup_free_ size_t *containers = NULL;
        size_t n_containers = 0;

        for (size_t k = 0; k < s->n_groups; k++) {
                if (s->groups[k].kind != GROUP_CONTAINER)
                        continue;
                if (!containers && !(containers = malloc(s->n_groups * sizeof *containers)))
                        return -ENOMEM;
                containers[n_containers++] = k;
        }
        for (size_t i = 0; i < s->n_groups && n_containers > 0; i++) {
                const struct group_sample *g = &s->groups[i];

                if (g->kind != GROUP_CGROUP || g->rule < 0 || !g->cgroup[0])
                        continue;
                for (size_t k = 0; k < n_containers; k++) {
                        const struct group_sample *h = &s->groups[containers[k]];

                        if (!cgroup_same(h->cgroup, g->cgroup))
                                continue;
                        if (!ctx->cgroup_is_container) {
                                ctx->cgroup_is_container =
                                        calloc(s->n_groups, sizeof *ctx->cgroup_is_container);
                                if (!ctx->cgroup_is_container)
                                        return -ENOMEM;
                        }
                        ctx->cgroup_is_container[i] = true;
                        break;
                }
        }
        return 0;
}

static int context_build_order(struct context *ctx)
{
        const struct snapshot *s = ctx->in->snapshot;
        const struct config *c = ctx->in->config;
        _cleanup_free_ size_t *others = NULL;
        size_t n_others = 0;
        char why[GROUP_CGROUP_MAX * 2 + 64];

        if (s->n_groups == 0)
                return 0;
        ctx->order = malloc(s->n_groups * sizeof *ctx->order);
        ctx->targeted = calloc(s->n_groups, sizeof *ctx->targeted);
        others = malloc(s->n_groups * sizeof *others);
        if (!ctx->order || !ctx->targeted || !others)
                return -ENOMEM;
        for (size_t i = 0; i < s->n_groups; i++)
                if (group_structural(c, &s->groups[i]))
                        others[n_others++] = i;
        for (size_t i = 0; i < s->n_groups; i++) {
                const struct group_sample *g = &s->groups[i];
                const struct rule *rule = group_rule(c, g);

                if (rule && !rule->protect && group_key(g)[0] != '\0' &&
                    !structural_block(c, s, others, n_others, g, ACTION_KILL, why, sizeof why))
                        ctx->order[ctx->n_order++] = i;
        }
        qsort_r(ctx->order, ctx->n_order, sizeof *ctx->order, victim_compare, ctx);
        return 0;
}

/* May kind be planned on group index now (it is in ctx->order, so managed
 * and unprotected)? check_cooldown false asks "would it be, but for the
 * group's own cooldown". */
static bool eligible(const struct context *ctx, size_t index, enum action_kind kind,
                     bool check_cooldown)
{
        const struct group_sample *g = &ctx->in->snapshot->groups[index];
        const struct rule *rule = group_rule(ctx->in->config, g);
        const struct policy_group_state *gs;

        if (ctx->targeted[index])
                return false;

        switch (kind) {
        case ACTION_RECLAIM:
        case ACTION_THROTTLE:
                if (!g->has_memory || !g->has_memory_high || g->memory_current < POLICY_PAGE_BYTES)
                        return false;
                break;
        case ACTION_STOP:
                if (g->kind != GROUP_CONTAINER || !rule->sacrificial || !g->running)
                        return false;
                break;
        case ACTION_KILL:
                if (!g->running)
                        return false;
                break;
        default:
                assert(!"not a tier action");
                return false;
        }

        if (!check_cooldown)
                return true;
        gs = state_find(ctx->state, group_key(g));
        return !(gs &&
                 in_cooldown(gs->last_action_usec, ctx->in->config->memory.cooldown_usec,
                             ctx->in->now) &&
                 action_severity(gs->last_action_kind) >= action_severity(kind));
}

/* The next eligible group at or after *pos in victim order, or -1; *pos
 * moves past it. */
static ssize_t next_victim(const struct context *ctx, enum action_kind kind, bool check_cooldown,
                           size_t *pos)
{
        while (*pos < ctx->n_order) {
                size_t index = ctx->order[(*pos)++];

                if (eligible(ctx, index, kind, check_cooldown))
                        return (ssize_t)index;
        }
        return -1;
}

static const char *fmt_bytes(uint64_t bytes, char *buf, size_t size)
{
        return units_format_bytes_human(bytes, buf, size);
}

static struct action *add_action(struct plan *p, enum action_kind kind, enum tier tier,
                                 const struct snapshot *s, size_t index)
{
        const struct group_sample *g = &s->groups[index];
        struct action *a = plan_add(p);

        if (!a)
                return NULL;
        a->kind = kind;
        a->tier = tier;
        a->group = index;
        util_strlcpy(a->key, group_key(g), sizeof a->key);
        util_strlcpy(a->target, g->name, sizeof a->target);
        return a;
}

static struct action *add_tier_action(const struct context *ctx, struct plan *p,
                                      enum action_kind kind, size_t index)
{
        struct action *a = add_action(p, kind, p->memory_tier, ctx->in->snapshot, index);

        if (a)
                ctx->targeted[index] = true;
        return a;
}

/* STOP at critical, KILL at emergency: one per host-wide cooldown. */
static int plan_destructive(const struct context *ctx, struct plan *plan, enum action_kind kind,
                            const char *why)
{
        const struct policy_input *in = ctx->in;
        const struct snapshot *s = in->snapshot;
        const struct rule *rule;
        struct action *a;
        size_t pos = 0;
        ssize_t i;
        char b[32];

        while (plan->n_candidates < POLICY_MAX_CANDIDATES &&
               (i = next_victim(ctx, kind, true, &pos)) >= 0)
                plan->candidates[plan->n_candidates++] = (size_t)i;

        if (plan->n_candidates == 0) {
                pos = 0;
                if (next_victim(ctx, kind, false, &pos) >= 0)
                        plan->suppressed_cooldown = true;
                else
                        plan->no_candidate = true;
                return 0;
        }
        if (in_cooldown(ctx->state->last_destructive_usec, in->config->memory.cooldown_usec,
                        in->now)) {
                plan->suppressed_cooldown = true;
                return 0;
        }

        a = add_tier_action(ctx, plan, kind, plan->candidates[0]);
        if (!a)
                return -ENOMEM;
        rule = group_rule(in->config, &s->groups[a->group]);
        snprintf(a->reason, sizeof a->reason, "%s; %s priority %d, using %s", why,
                 kind == ACTION_STOP ? "sacrificial," : "lowest", rule->priority,
                 fmt_bytes(s->groups[a->group].memory_current, b, sizeof b));
        return 0;
}

/* THROTTLE the first group in victim order where it tightens memory.high. */
static int plan_throttle(const struct context *ctx, struct plan *plan, const char *why)
{
        const struct policy_input *in = ctx->in;
        const struct snapshot *s = in->snapshot;
        double percent = in->config->memory.throttle_percent;
        size_t pos = 0;

        if (!(percent >= 1.0))
                percent = 1.0;
        if (percent > 100.0)
                percent = 100.0;

        for (ssize_t i; (i = next_victim(ctx, ACTION_THROTTLE, true, &pos)) >= 0;) {
                const struct group_sample *g = &s->groups[i];
                uint64_t usage = g->memory_current;
                uint64_t high = (uint64_t)((double)usage * percent / 100.0);
                uint64_t floor = usage / 100;
                struct action *a;
                char b1[32], b2[32], b3[32];

                if (floor < POLICY_THROTTLE_FLOOR_BYTES)
                        floor = POLICY_THROTTLE_FLOOR_BYTES;
                if (high < floor)
                        high = floor;
                high -= high % POLICY_PAGE_BYTES;
                /* Never raise memory.high, and a mark above usage holds nothing back. */
                if (high >= g->memory_high || high >= usage)
                        continue;

                a = add_tier_action(ctx, plan, ACTION_THROTTLE, (size_t)i);
                if (!a)
                        return -ENOMEM;
                a->bytes = high;
                a->previous_bytes = g->memory_high;
                snprintf(
                    a->reason, sizeof a->reason, "%s; memory.high %s -> %s (%g%% of usage %s)", why,
                    g->memory_high == BYTES_MAX ? "max" : fmt_bytes(g->memory_high, b1, sizeof b1),
                    fmt_bytes(high, b2, sizeof b2), percent, fmt_bytes(usage, b3, sizeof b3));
                return 0;
        }
        return 0;
}

static int plan_reclaim(const struct context *ctx, struct plan *plan, const char *why)
{
        const struct policy_input *in = ctx->in;
        const struct snapshot *s = in->snapshot;
        double percent = in->config->memory.reclaim_percent;
        size_t n = 0, pos = 0;

        if (!(percent >= 0.0))
                percent = 0.0;
        if (percent > 100.0)
                percent = 100.0;

        while (n < POLICY_RECLAIM_MAX_GROUPS) {
                ssize_t i = next_victim(ctx, ACTION_RECLAIM, true, &pos);
                const struct group_sample *g;
                uint64_t bytes;
                struct action *a;
                char b1[32], b2[32];

                if (i < 0)
                        break;
                g = &s->groups[i];
                bytes = (uint64_t)((double)g->memory_current * percent / 100.0);
                if (bytes < POLICY_PAGE_BYTES)
                        bytes = POLICY_PAGE_BYTES;
                a = add_tier_action(ctx, plan, ACTION_RECLAIM, (size_t)i);
                if (!a)
                        return -ENOMEM;
                a->bytes = bytes;
                snprintf(a->reason, sizeof a->reason, "%s; reclaim %s of %s (%g%%)", why,
                         fmt_bytes(bytes, b1, sizeof b1),
                         fmt_bytes(g->memory_current, b2, sizeof b2), percent);
                n++;
        }
        return 0;
}

static const char *fmt_limit(uint64_t bytes, char *buf, size_t size)
{
        if (bytes == BYTES_MAX)
                return "max";
        return fmt_bytes(bytes, buf, size);
}

static bool sent_within_cooldown(const struct context *ctx, usec_t sent_usec)
{
        usec_t now = ctx->in->now;

        return sent_usec != USEC_INFINITY && now >= sent_usec &&
               now - sent_usec < ctx->in->config->memory.cooldown_usec;
}

/* The value was sent within the cooldown and the group still shows what it
 * showed then: the update is in flight, was refused, or this is dry-run. A
 * group that shows anything else has drifted again and is corrected at once. */
static bool limit_recently_sent(const struct context *ctx, const struct policy_group_state *gs,
                                const struct group_sample *g, uint64_t max_bytes,
                                uint64_t swap_bytes)
{
        return gs && gs->limit_max_sent == max_bytes && gs->limit_swap_sent == swap_bytes &&
               gs->limit_max_seen == g->memory_max && sent_within_cooldown(ctx, gs->limit_max_usec);
}

static bool high_recently_sent(const struct context *ctx, const struct policy_group_state *gs,
                               const struct group_sample *g, uint64_t high_bytes)
{
        return gs && gs->limit_high_sent == high_bytes && gs->limit_high_seen == g->memory_high &&
               sent_within_cooldown(ctx, gs->limit_high_usec);
}

/* The plan already stops or kills group i (planned before the limits). */
static bool destructive_planned(const struct plan *plan, size_t i)
{
        for (size_t k = 0; k < plan->n_actions; k++)
                if (plan->actions[k].group == i && action_is_destructive(plan->actions[k].kind))
                        return true;
        return false;
}

/* The group was stopped or killed within the cooldown: it is going away.
 * Docker still lists it as running until its "die" event is inspected, and
 * an update then fails on a dead container. If it comes back (a restart
 * policy), it is limited once the cooldown is over. */
static bool destroyed_recently(const struct context *ctx, const struct policy_group_state *gs)
{
        return gs && action_is_destructive(gs->last_action_kind) &&
               sent_within_cooldown(ctx, gs->last_action_usec);
}

/* LIMIT and HIGH drift for every managed group; HIGH restore at normal. */
static int plan_limits(const struct context *ctx, struct plan *plan)
{
        const struct policy_input *in = ctx->in;
        const struct snapshot *s = in->snapshot;
        bool swap_matters = s->host.mem.swap_total_bytes > 0;

        for (size_t i = 0; i < s->n_groups; i++) {
                const struct group_sample *g = &s->groups[i];
                const struct rule *rule = group_rule(in->config, g);
                const struct policy_group_state *gs;
                const char *source;
                struct desired d;
                struct action *a;
                char b1[32], b2[32];

                if (group_key(g)[0] == '\0')
                        continue;
                gs = state_find(ctx->state, group_key(g));

                if (gs && gs->throttled && plan->memory_tier == TIER_NORMAL) {
                        uint64_t restore;

                        /* Restore even if the rule is gone: we changed it, we undo it. */
                        restore = gs->memory_high_before;
                        if (rule) {
                                desired_limits(in, g, rule, &d);
                                if (d.high_set)
                                        restore = d.high_bytes;
                        }
                        a = add_action(plan, ACTION_HIGH, plan->memory_tier, s, i);
                        if (!a)
                                return -ENOMEM;
                        a->bytes = restore;
                        snprintf(a->reason, sizeof a->reason,
                                 "memory back to normal: restore memory.high to %s",
                                 fmt_limit(restore, b1, sizeof b1));
                }

                /* A group about to be stopped or killed is not limited first:
                 * the update would race the kill and fail on a dead container.
                 * If a fresh sample drops the kill, the next evaluation limits it. */
                if (!rule || destructive_planned(plan, i) || destroyed_recently(ctx, gs))
                        continue;
                if (g->kind == GROUP_CGROUP && ctx->cgroup_is_container &&
                    ctx->cgroup_is_container[i])
                        continue;
                desired_limits(in, g, rule, &d);
                source = d.from_override ? "override" : "rule";

                if (d.max_set && g->has_memory &&
                    (g->memory_max != d.max_bytes ||
                     (swap_matters && g->memory_swap_max != d.swap_bytes)) &&
                    !limit_recently_sent(ctx, gs, g, d.max_bytes, d.swap_bytes)) {
                        a = add_action(plan, ACTION_LIMIT, plan->memory_tier, s, i);
                        if (!a)
                                return -ENOMEM;
                        a->bytes = d.max_bytes;
                        a->swap_bytes = d.swap_bytes;
                        a->previous_bytes = g->memory_max;
                        snprintf(a->reason, sizeof a->reason,
                                 "memory.max %s differs from %s %s (%s)",
                                 fmt_limit(g->memory_max, b1, sizeof b1), source,
                                 fmt_limit(d.max_bytes, b2, sizeof b2), rule->name);
                }

                if (d.high_set && g->has_memory_high && !(gs && gs->throttled) &&
                    !(ctx->targeted && ctx->targeted[i]) && g->memory_high != d.high_bytes &&
                    !high_recently_sent(ctx, gs, g, d.high_bytes)) {
                        a = add_action(plan, ACTION_HIGH, plan->memory_tier, s, i);
                        if (!a)
                                return -ENOMEM;
                        a->bytes = d.high_bytes;
                        a->previous_bytes = g->memory_high;
                        snprintf(a->reason, sizeof a->reason,
                                 "memory.high %s differs from %s %s (%s)",
                                 fmt_limit(g->memory_high, b1, sizeof b1), source,
                                 fmt_limit(d.high_bytes, b2, sizeof b2), rule->name);
                }
        }
        return 0;
}

static void describe_memory(const struct policy_input *in, enum tier tier, char *buf, size_t size)
{
        const struct snapshot *s = in->snapshot;
        const struct psi_stats *psi = &s->host.memory_psi;
        int n;

        n = snprintf(buf, size, "memory %s: %.1f%% used", tier_name(tier),
                     snapshot_memory_used_percent(s));
        if (s->host.has_psi && n >= 0 && (size_t)n < size)
                snprintf(buf + n, size - (size_t)n, ", PSI some %.1f%% full %.1f%%",
                         psi->some.avg10, psi->has_full ? psi->full.avg10 : 0.0);
}

/* Does host memory, rising at the rate it rose since the previous
 * evaluation, run out within window? A hold filters spikes; it must not
 * wait for the OOM killer. */
static bool runs_out_within(const struct policy_input *in, const struct policy_state *state,
                            usec_t window)
{
        double used = snapshot_memory_used_percent(in->snapshot), rate;

        if (state->last_used_usec == USEC_INFINITY || in->now <= state->last_used_usec ||
            in->now - state->last_used_usec < POLICY_RATE_WINDOW_USEC ||
            used <= state->last_used_percent)
                return false;
        rate = (used - state->last_used_percent) / (double)(in->now - state->last_used_usec);
        return (100.0 - used) / rate < (double)window;
}

int policy_evaluate(const struct policy_input *in, struct policy_state *state, struct plan *plan)
{
        struct context ctx = {.in = in, .state = state};
        _cleanup_free_ size_t *order = NULL;
        _cleanup_free_ bool *targeted = NULL;
        _cleanup_free_ bool *cgroup_is_container = NULL;
        struct tier_conditions cond;
        usec_t holds[TIER_COUNT] = {0};
        char why[128];
        int r;

        assert(in);
        assert(in->config);
        assert(in->snapshot);
        assert(in->overrides || in->n_overrides == 0);
        assert(state);
        assert(plan);

        plan_reset(plan);
        state_prune(state, in->snapshot);
        state_forget_landed(state, in->snapshot);

        holds[TIER_WARNING] = holds[TIER_CRITICAL] = in->config->memory.hold_usec;
        holds[TIER_EMERGENCY] = in->config->memory.emergency_hold_usec;
        policy_memory_conditions(in->config, in->snapshot, &cond);
        /* Usage itself past the mark: pressure alone never hurries a kill. */
        if (snapshot_memory_used_percent(in->snapshot) >= in->config->memory.emergency_percent &&
            runs_out_within(in, state, POLICY_EXHAUSTION_HORIZON_USEC))
                holds[TIER_EMERGENCY] = 0;
        /* a rate over a few milliseconds (a trigger right after a tick) is noise */
        if (state->last_used_usec == USEC_INFINITY || in->now < state->last_used_usec ||
            in->now - state->last_used_usec >= POLICY_RATE_WINDOW_USEC) {
                state->last_used_percent = snapshot_memory_used_percent(in->snapshot);
                state->last_used_usec = in->now;
        }
        plan->previous_tier = state->memory.tier;
        plan->memory_tier = tier_update_holds(&state->memory, &cond, holds, in->now);
        plan->memory_used_percent = snapshot_memory_used_percent(in->snapshot);
        describe_memory(in, plan->memory_tier, why, sizeof why);

        if (plan->memory_tier >= TIER_WARNING) {
                r = context_build_order(&ctx);
                order = ctx.order;
                targeted = ctx.targeted;
                if (r < 0)
                        return r;
        }

        /* Most urgent first: the actuator carries the plan out in order. */
        switch (plan->memory_tier) {
        case TIER_EMERGENCY:
                r = plan_destructive(&ctx, plan, ACTION_KILL, why);
                break;
        case TIER_CRITICAL:
                r = plan_destructive(&ctx, plan, ACTION_STOP, why);
                break;
        default:
                r = 0;
        }
        if (r < 0)
                return r;
        if (plan->memory_tier >= TIER_CRITICAL) {
                r = plan_throttle(&ctx, plan, why);
                if (r < 0)
                        return r;
        }
        r = context_mark_container_cgroups(&ctx);
        cgroup_is_container = ctx.cgroup_is_container;
        if (r < 0)
                return r;
        r = plan_limits(&ctx, plan);
        if (r < 0)
                return r;
        if (plan->memory_tier >= TIER_WARNING) {
                r = plan_reclaim(&ctx, plan, why);
                if (r < 0)
                        return r;
        }

        if (in->paused) {
                /* Decide as usual, so the suppression says what was held back. */
                plan->suppressed_paused = plan->n_actions > 0;
                plan->n_actions = 0;
        }
        return 0;
}

int policy_confirm(const struct policy_input *fresh, const struct policy_state *state,
                   const struct action *a)
{
        const struct group_sample *g;
        const struct rule *rule;
        struct tier_conditions cond;

        assert(fresh);
        assert(fresh->config);
        assert(fresh->snapshot);
        assert(state);
        assert(a);

        if (fresh->paused)
                return 0;
        g = snapshot_find(fresh->snapshot, a->key);
        if (!g)
                return 0;
        if (action_severity(a->kind) == 0)
                return 1;

        rule = group_rule(fresh->config, g);
        if (!rule || rule->protect)
                return 0;
        if (a->kind == ACTION_STOP && (!rule->sacrificial || g->kind != GROUP_CONTAINER))
                return 0;
        if (action_is_destructive(a->kind) && !g->running)
                return 0;

        policy_memory_conditions(fresh->config, fresh->snapshot, &cond);
        if ((unsigned)a->tier >= TIER_COUNT)
                return 0;
        return cond.stay[a->tier] ? 1 : 0;
}

int policy_note_action(struct policy_state *state, const struct action *a, usec_t now)
{
        struct policy_group_state *gs;

        assert(state);
        assert(a);

        if (a->kind == ACTION_LIMIT || a->kind == ACTION_HIGH) {
                gs = state_get(state, a->key);
                if (!gs)
                        return -ENOMEM;
                if (a->kind == ACTION_LIMIT) {
                        gs->limit_max_sent = a->bytes;
                        gs->limit_swap_sent = a->swap_bytes;
                        gs->limit_max_seen = a->previous_bytes;
                        gs->limit_max_usec = now;
                } else {
                        gs->throttled = false;
                        gs->limit_high_sent = a->bytes;
                        gs->limit_high_seen = a->previous_bytes;
                        gs->limit_high_usec = now;
                }
                return 0;
        }

        gs = state_get(state, a->key);
        if (!gs)
                return -ENOMEM;
        gs->last_action_usec = now;
        gs->last_action_kind = a->kind;
        if (a->kind == ACTION_THROTTLE && !gs->throttled) {
                /* Keep the value from before the first of a series of throttles. */
                gs->throttled = true;
                gs->memory_high_before = a->previous_bytes;
        }
        if (action_is_destructive(a->kind))
                state->last_destructive_usec = now;
        return 0;
}
