/* sampler — see include/sampler.h */
#include "sampler.h"

#include <errno.h>
#include <string.h>

#include "docker.h"
#include "log.h"

/* The cgroup tree is walked again at least this often (µs). A cgroup made or
 * removed changes the root's cgroup.stat count, so it is seen on the next
 * sample anyway (cgfs_walk_cached), and one removed and made again under the
 * same name (a restarted service) is read afresh through its path. This
 * bounds only one cgroup removed and another, differently named, made
 * between two samples: the new one gets its limit within this bound, the
 * same 5 s the kernel test gives a new cgroup. The walk lists every cgroup
 * directory and was half the idle CPU when done every 1 s tick. */
#define SAMPLER_REWALK_USEC (5 * USEC_PER_SEC)

struct walk_context {
        const struct sampler_context *ctx;
        struct snapshot *snap;
};

/* Memory figures of a cgroup on the v2 hierarchy. */
static int sample_v2_memory(struct cgfs *fs, struct group_sample *g)
{
        int r;

        r = cgfs_read_value(fs, g->cgroup, "memory.current", &g->memory_current);
        if (r < 0)
                return r;
        r = cgfs_read_value(fs, g->cgroup, "memory.max", &g->memory_max);
        if (r < 0)
                return r;
        r = cgfs_read_value(fs, g->cgroup, "memory.high", &g->memory_high);
        if (r < 0)
                return r;
        /* memory.swap.max is absent without swap accounting: then unlimited */
        r = cgfs_read_value(fs, g->cgroup, "memory.swap.max", &g->memory_swap_max);
        if (r == -ENOENT)
                g->memory_swap_max = BYTES_MAX;
        else if (r < 0)
                return r;
        g->has_memory = g->has_memory_high = true;
        if (cgfs_read_events(fs, g->cgroup, &g->events) >= 0)
                g->has_events = true;
        return 0;
}

static bool group_gone(int r)
{
        return r == -ENOENT || r == -ENODEV;
}

/* Pressure and populated state, common to every kind of group. */
static int sample_common(struct cgfs *fs, struct group_sample *g)
{
        char buf[256];
        uint64_t populated = 1;
        ssize_t n;
        int r;

        if (!g->cgroup[0])
                return 0;
        n = cgfs_read(fs, g->cgroup, "cgroup.events", buf, sizeof buf);
        if (n >= 0)
                (void)memparse_flat_keyed(buf, (size_t)n, "populated", &populated);
        g->running = populated != 0;
        r = cgfs_read_psi(fs, g->cgroup, "memory.pressure", &g->psi);
        if (r >= 0)
                g->has_psi = true;
        else if (group_gone(r) &&
                 group_gone(cgfs_read(fs, g->cgroup, "cgroup.procs", buf, sizeof buf)))
                return r; /* the cgroup is gone, not merely a kernel without PSI */
        return 0;
}

static int sample_cgroup(const struct sampler_context *ctx, struct group_sample *g)
{
        int r = sample_common(ctx->fs, g);

        if (r < 0)
                return r;
        if (ctx->layout->v2_memory) {
                r = sample_v2_memory(ctx->fs, g);
                if (r < 0 && group_gone(r))
                        return r;
        }
        return 0;
}

static int visit_cgroup(const char *rel, void *userdata)
{
        struct walk_context *w = userdata;
        struct group_sample *g;
        int rule, r;

        rule = config_rule_find(w->ctx->config, RULE_CGROUP, NULL, NULL, NULL, rel);
        if (rule < 0)
                return 0;
        g = snapshot_add_group(w->snap);
        if (!g)
                return -ENOMEM;
        g->kind = GROUP_CGROUP;
        g->rule = rule;
        util_strlcpy(g->name, rel, sizeof g->name);
        util_strlcpy(g->cgroup, rel, sizeof g->cgroup);
        r = sample_cgroup(w->ctx, g);
        if (r < 0)
                w->snap->n_groups--; /* vanished while we looked: leave it out */
        return 0;
}

static uint64_t docker_swap_beyond(const struct docker_container *c)
{
        /* Docker's MemorySwap is memory + swap; -1 unlimited; 0 "default", which
         * Docker resolves to twice the memory limit */
        if (c->memory_swap < 0 || c->memory_bytes == 0)
                return BYTES_MAX;
        if (c->memory_swap == 0)
                return c->memory_bytes;
        return (uint64_t)c->memory_swap > c->memory_bytes
                   ? (uint64_t)c->memory_swap - c->memory_bytes
                   : 0;
}

static int sample_container(const struct sampler_context *ctx, const struct docker_container *c,
                            struct group_sample *g)
{
        int r;

        g->kind = GROUP_CONTAINER;
        util_strlcpy(g->name, c->name ? c->name : c->id, sizeof g->name);
        util_strlcpy(g->id, c->id, sizeof g->id);
        if (c->cgroup)
                util_strlcpy(g->cgroup, c->cgroup, sizeof g->cgroup);
        g->rule = config_rule_find(ctx->config, RULE_CONTAINER, c->name, c->image,
                                   (const char *const *)c->labels, NULL);
        g->restart_count = c->restart_count;
        r = sample_common(ctx->fs, g);
        if (r < 0)
                return r;
        g->running = c->running;
        if (ctx->layout->v2_memory && g->cgroup[0]) {
                r = sample_v2_memory(ctx->fs, g);
                if (r < 0 && group_gone(r))
                        return r;
                return 0;
        }
        /* hybrid: the kernel's figures live on v1; the limits are Docker's */
        g->memory_max = c->memory_bytes ? c->memory_bytes : BYTES_MAX;
        g->memory_swap_max = docker_swap_beyond(c);
        g->memory_high = BYTES_MAX;
        if (c->cgroup_v1_memory) {
                struct cgfs_v1_memory v1;

                r = cgfs_read_v1_memory(ctx->fs, c->cgroup_v1_memory, &v1);
                if (r < 0 && group_gone(r))
                        return r;
                if (r >= 0) {
                        g->memory_current = v1.usage_bytes;
                        g->events.oom_kill = v1.oom_kill;
                        g->has_events = true;
                }
        }
        g->has_memory = true;
        return 0;
}

int sampler_refresh_group(const struct sampler_context *ctx, struct group_sample *g)
{
        if (g->kind == GROUP_CONTAINER) {
                const struct docker_container *c =
                    ctx->docker ? docker_container_find(ctx->docker, g->id) : NULL;
                if (!c || !c->running)
                        return -ENOENT;
                return sample_container(ctx, c, g);
        }
        return sample_cgroup(ctx, g);
}

int sampler_take(const struct sampler_context *ctx, usec_t now, struct snapshot *snap)
{
        struct walk_context w = {.ctx = ctx, .snap = snap};
        bool any_cgroup_rule = false;
        int r;

        snap->time = now;
        r = cgfs_read_meminfo(ctx->fs, &snap->host.mem);
        if (r < 0)
                return r;
        snap->host.has_psi = cgfs_read_host_psi(ctx->fs, "memory", &snap->host.memory_psi) >= 0;
        (void)cgfs_read_host_psi(ctx->fs, "io", &snap->host.io_psi);

        for (size_t i = 0; i < ctx->config->n_rules; i++)
                any_cgroup_rule |= ctx->config->rules[i].kind == RULE_CGROUP;
        if (any_cgroup_rule) {
                r = cgfs_walk_cached(ctx->fs, now, SAMPLER_REWALK_USEC, visit_cgroup, &w);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        log_debug("cgroup walk incomplete: %s", strerror(-r));
        }

        if (ctx->docker) {
                size_t n;
                const struct docker_container *cs = docker_containers(ctx->docker, &n);

                for (size_t i = 0; i < n; i++) {
                        struct group_sample *g;

                        if (!cs[i].running)
                                continue;
                        g = snapshot_add_group(snap);
                        if (!g)
                                return -ENOMEM;
                        if (sample_container(ctx, &cs[i], g) < 0)
                                snap->n_groups--;
                }
        }
        /* Files of groups that vanished or stopped matching are closed. */
        cgfs_kept_sweep(ctx->fs);
        return 0;
}
