/* snapshot — see include/snapshot.h */
#include "snapshot.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void snapshot_init(struct snapshot *s)
{
        memset(s, 0, sizeof *s);
}

void snapshot_done(struct snapshot *s)
{
        free(s->index);
        free(s->groups);
        snapshot_init(s);
}

int snapshot_reserve(struct snapshot *s, size_t n)
{
        struct group_sample *p;

        if (n <= s->allocated)
                return 0;
        p = realloc(s->groups, n * sizeof *p);
        if (!p)
                return -ENOMEM;
        s->groups = p;
        s->allocated = n;
        return 0;
}

struct group_sample *snapshot_add_group(struct snapshot *s)
{
        struct group_sample *g;

        free(s->index);
        s->index = NULL;
        s->index_slots = 0;
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
        g->watch = -1;
        g->memory_max = g->memory_high = g->memory_swap_max = UINT64_MAX;
        return g;
}

const char *group_key(const struct group_sample *g)
{
        return g->kind == GROUP_CONTAINER ? g->id : g->cgroup;
}

static size_t key_hash(const char *key)
{
        uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a, 64 bit */

        for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
                h ^= *p;
                h *= UINT64_C(1099511628211);
        }
        return (size_t)h;
}

int snapshot_index(struct snapshot *s)
{
        size_t slots = 16;

        free(s->index);
        s->index = NULL;
        s->index_slots = 0;
        while (slots < 2 * s->n_groups) /* at most half full: short probes */
                slots *= 2;
        s->index = calloc(slots, sizeof *s->index);
        if (!s->index)
                return -ENOMEM;
        s->index_slots = slots;
        for (size_t i = 0; i < s->n_groups; i++) {
                const char *key = group_key(&s->groups[i]);
                size_t j = key_hash(key) & (slots - 1);

                while (s->index[j]) {
                        if (strcmp(group_key(&s->groups[s->index[j] - 1]), key) == 0)
                                break; /* a repeated key: the first stays */
                        j = (j + 1) & (slots - 1);
                }
                if (!s->index[j])
                        s->index[j] = i + 1;
        }
        return 0;
}

const struct group_sample *snapshot_find(const struct snapshot *s, const char *key)
{
        if (s->index) {
                for (size_t j = key_hash(key) & (s->index_slots - 1); s->index[j];
                     j = (j + 1) & (s->index_slots - 1))
                        if (strcmp(group_key(&s->groups[s->index[j] - 1]), key) == 0)
                                return &s->groups[s->index[j] - 1];
                return NULL;
        }
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
