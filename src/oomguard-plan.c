/* oomguard-plan — the pure half of oomguard (include/oomguard.h): what the
 * kernel should be told about each managed group. No I/O. */
#include "oomguard.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

int oomguard_score_adj(const struct rule *r)
{
        int p;

        if (r->protect)
                return OOMGUARD_ADJ_PROTECTED;
        if (r->sacrificial)
                return OOMGUARD_ADJ_SACRIFICIAL;
        p = r->priority < 0 ? 0 : r->priority > 1000 ? 1000 : r->priority;
        /* 0..1000 onto 999..2: above every unmanaged process (0), below
         * sacrificial groups (1000), lower priority preferred */
        return 999 - p * 997 / 1000;
}

void oomguard_plan_init(struct oomguard_plan *p)
{
        memset(p, 0, sizeof *p);
}

void oomguard_plan_done(struct oomguard_plan *p)
{
        free(p->targets);
        oomguard_plan_init(p);
}

static bool resolve(const struct size_spec *spec, uint64_t mem_total, uint64_t *ret)
{
        if (!spec->set || (spec->is_percent && mem_total == 0))
                return false;
        *ret = units_size_resolve(spec, mem_total);
        return *ret != BYTES_MAX;
}

struct dedupe_ctx {
        const struct snapshot *s;
        const struct oomguard_target *targets;
};

/* By cgroup path, then the lower oom_score_adj (protection wins), then order. */
static int target_cmp(const void *a, const void *b, void *userdata)
{
        const struct dedupe_ctx *dedupe = userdata;
        const struct oomguard_target *x = &dedupe->targets[*(const size_t *)a],
                                     *y = &dedupe->targets[*(const size_t *)b];
        int r = strcmp(dedupe->s->groups[x->group].cgroup, dedupe->s->groups[y->group].cgroup);

        if (r)
                return r;
        if (x->oom_score_adj != y->oom_score_adj)
                return x->oom_score_adj < y->oom_score_adj ? -1 : 1;
        return x->group < y->group ? -1 : x->group > y->group;
}

/* One target per cgroup: a container matched by its [container:] rule and
 * by a [cgroup:] rule over its cgroup (a glob below "docker/") would
 * otherwise get two values in turn. The lower value wins: a protected group
 * is never exposed by a broader rule. */
static int dedupe_targets(const struct snapshot *s, struct oomguard_plan *p)
{
        size_t *order, kept = 0;
        bool *drop;

        if (p->n_targets < 2)
                return 0;
        order = malloc(p->n_targets * sizeof *order);
        drop = calloc(p->n_targets, sizeof *drop);
        if (!order || !drop) {
                free(order);
                free(drop);
                return -ENOMEM;
        }
        for (size_t i = 0; i < p->n_targets; i++)
                order[i] = i;
        qsort_r(order, p->n_targets, sizeof *order, target_cmp,
                &(struct dedupe_ctx){s, p->targets});
        for (size_t i = 1; i < p->n_targets; i++)
                if (strcmp(s->groups[p->targets[order[i]].group].cgroup,
                           s->groups[p->targets[order[i - 1]].group].cgroup) == 0)
                        drop[order[i]] = true;
        for (size_t i = 0; i < p->n_targets; i++)
                if (!drop[i])
                        p->targets[kept++] = p->targets[i];
        p->n_targets = kept;
        free(order);
        free(drop);
        return 0;
}

int oomguard_plan(const struct config *c, const struct snapshot *s, struct oomguard_plan *p)
{
        uint64_t mem_total = s->host.mem.mem_total_bytes;

        p->n_targets = 0;
        for (size_t i = 0; i < s->n_groups; i++) {
                const struct group_sample *g = &s->groups[i];
                const struct rule *r;
                struct oomguard_target *t;

                if (g->rule < 0 || (size_t)g->rule >= c->n_rules || !g->cgroup[0] || !g->running)
                        continue;
                r = &c->rules[g->rule];
                if (p->n_targets == p->allocated) {
                        size_t n = p->allocated ? p->allocated * 2 : 16;
                        struct oomguard_target *nt = realloc(p->targets, n * sizeof *nt);
                        if (!nt)
                                return -ENOMEM;
                        p->targets = nt;
                        p->allocated = n;
                }
                t = &p->targets[p->n_targets++];
                *t = (struct oomguard_target){
                    .group = i,
                    .oom_score_adj = oomguard_score_adj(r),
                    .oom_group = r->oom_group,
                };
                t->has_memory_low = resolve(&r->memory_low, mem_total, &t->memory_low);
                t->has_memory_min = resolve(&r->memory_min, mem_total, &t->memory_min);
        }
        return dedupe_targets(s, p);
}
