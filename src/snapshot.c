/* snapshot — see include/snapshot.h */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

void snapshot_init(struct snapshot *s)
{
        memset(s, 0, sizeof *s);
}

void snapshot_done(struct snapshot *s)
{
        free(s->groups);
        snapshot_init(s);
}

struct group_sample *snapshot_add_group(struct snapshot *s)
{
        struct group_sample *g;

        if (s->n_groups == s->allocated) {
                size_t n = s->allocated ? s->allocated * 2 : 16;
                struct group_sample *p = realloc(s->groups, n * sizeof *p);
                if (!p)
                        return NULL;
                s->groups = p;
                s->allocated = n;
        }
        g = &s->groups[s->n_groups++];
        memset(g, 0, sizeof *g);
        g->rule = -1;
        g->memory_max = g->memory_high = g->memory_swap_max = UINT64_MAX;
        return g;
}

const char *group_key(const struct group_sample *g)
{
        return g->kind == GROUP_CONTAINER ? g->id : g->cgroup;
}

const struct group_sample *snapshot_find(const struct snapshot *s, const char *key)
{
        for (size_t i = 0; i < s->n_groups; i++)
                if (strcmp(group_key(&s->groups[i]), key) == 0)
                        return &s->groups[i];
        return NULL;
}

double snapshot_memory_used_percent(const struct snapshot *s)
{
        const struct meminfo *m = &s->host.mem;

        if (m->mem_total_bytes == 0 || m->mem_available_bytes > m->mem_total_bytes)
                return 0.0;
        return 100.0 * (double)(m->mem_total_bytes - m->mem_available_bytes) /
               (double)m->mem_total_bytes;
}
