/* test-snapshot.h — the containers the policy, explain and govctl tests put
 * in a snapshot: named as the Docker client names them (id "id-NAME",
 * cgroup "docker/id-NAME"), so that the golden explain and status output
 * read the same whichever test made the snapshot. */
#pragma once

#include <stdlib.h>

#include "snapshot.h"
#include "util.h"

/* A running container NAME under RULE (-1: none) using CURRENT_BYTES, its
 * limits as snapshot_add_group leaves them (unlimited). */
static inline struct group_sample *test_add_container(struct snapshot *s, const char *name,
                                                      int rule, uint64_t current_bytes)
{
        struct group_sample *g = snapshot_add_group(s);

        if (!g)
                abort();
        g->kind = GROUP_CONTAINER;
        util_strlcpy(g->name, name, sizeof g->name);
        snprintf(g->id, sizeof g->id, "id-%s", name);
        snprintf(g->cgroup, sizeof g->cgroup, "docker/id-%s", name);
        g->rule = rule;
        g->has_memory = true;
        g->memory_current = current_bytes;
        g->running = true;
        return g;
}
