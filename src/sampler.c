/* sampler — see include/sampler.h */
#include "sampler.h"

#include <errno.h>
#include <string.h>

#include "config-match.h"
#include "docker.h"
#include "log.h"
#include "policy.h"

/* The cgroup tree is walked again at least this often (µs). A cgroup made or
 * removed changes the root's cgroup.stat count, so it is seen on the next
 * sample anyway (cgfs_walk_cached), and one removed and made again under the
 * same name (a restarted service) is read afresh through its path. This
 * bounds only one cgroup removed and another, differently named, made
 * between two samples: the new one gets its limit within this bound, the
 * same 5 s the kernel test gives a new cgroup. The walk lists every cgroup
 * directory and was half the idle CPU when done every 1 s tick. */
#define SAMPLER_REWALK_USEC (5 * USEC_PER_SEC)
/* The figures that change without an event, memory.current and
 * memory.pressure, are read again at least this often (µs) when nothing
 * asks sooner: for status and metrics. */
#define SAMPLER_REFRESH_USEC (30 * USEC_PER_SEC)
/* Every other file of a group (its limits, memory.events, cgroup.events)
 * raises a change event when it changes (a write by anyone, the kernel's
 * counters): it is read again at least this often (µs) all the same, for
 * a kernel that raised none. Reading only the two changing figures on the
 * calm minute's refresh saves five reads of seven a group. */
#define SAMPLER_LIMITS_REFRESH_USEC (300 * USEC_PER_SEC)
/* At most this many groups get that refresh in one sample, so a sample's
 * cost stays bounded at any scale: beyond ~7 500 groups at a 1 s tick the
 * refresh takes longer than SAMPLER_REFRESH_USEC to go round. */
#define SAMPLER_REFRESH_MAX_GROUPS 256
/* Kept-open files not read for this long are closed (µs): those of groups
 * that vanished or stopped matching (a removed cgroup's file reads -ENODEV;
 * each still holds an fd and a page of kernel memory). Twice the limits'
 * refresh, so a group whose files a sample left unread (the refresh
 * budget, a calm refresh of the changing figures alone) keeps them open
 * until a refresh reads them; closing them on every sample reopened them
 * at that refresh. Sooner when they crowd their budget (many containers
 * come and gone): the live groups' files must find room. */
#define SAMPLER_KEPT_SWEEP_USEC (2 * SAMPLER_LIMITS_REFRESH_USEC)
/* Groups gone since the previous sample whose kept files are closed one
 * group at a time; beyond this many, by one sweep. */
#define SAMPLER_FORGET_MAX 64

struct walk_context {
        const struct sampler_context *ctx;
        struct snapshot *snap;
        usec_t now;
        bool usage_needed;     /* read memory.current of every group */
        size_t refresh_budget; /* groups the slow refresh may still read now */
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

/* memory.pressure; <0 only when the group is gone. */
static int sample_psi(struct cgfs *fs, struct group_sample *g)
{
        char buf[256];
        int r = cgfs_read_psi(fs, g->cgroup, "memory.pressure", &g->psi);

        g->has_psi = r >= 0;
        if (r < 0 && group_gone(r) &&
            group_gone(cgfs_read(fs, g->cgroup, "cgroup.procs", buf, sizeof buf)))
                return r; /* the cgroup is gone, not merely a kernel without PSI */
        return 0;
}

/* Pressure and populated state, common to every kind of group. */
static int sample_common(struct cgfs *fs, struct group_sample *g)
{
        char buf[256];
        uint64_t populated = 1;
        ssize_t n;

        if (!g->cgroup[0])
                return 0;
        n = cgfs_read(fs, g->cgroup, "cgroup.events", buf, sizeof buf);
        if (n >= 0)
                (void)memparse_flat_keyed(buf, (size_t)n, "populated", &populated);
        g->running = populated != 0;
        return sample_psi(fs, g);
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

static void container_identity(const struct sampler_context *ctx,
                               const struct docker_container *c, struct group_sample *g)
{
        g->kind = GROUP_CONTAINER;
        util_strlcpy(g->name, c->name ? c->name : c->id, sizeof g->name);
        util_strlcpy(g->id, c->id, sizeof g->id);
        if (c->cgroup)
                util_strlcpy(g->cgroup, c->cgroup, sizeof g->cgroup);
        g->rule = config_rule_find(ctx->config, RULE_CONTAINER, c->name, c->image,
                                   (const char *const *)c->labels, NULL);
        g->restart_count = c->restart_count;
}

/* What Docker's cache says: running, and on hybrid hosts the limits (the
 * kernel's figures live on v1 there; the limits are Docker's). */
static void container_from_docker(const struct sampler_context *ctx,
                                  const struct docker_container *c, struct group_sample *g)
{
        g->running = c->running;
        if (ctx->layout->v2_memory && g->cgroup[0])
                return;
        g->memory_max = c->memory_bytes ? c->memory_bytes : BYTES_MAX;
        g->memory_swap_max = docker_swap_beyond(c);
        g->memory_high = BYTES_MAX;
        g->has_memory = true;
}

static int sample_container(const struct sampler_context *ctx, const struct docker_container *c,
                            struct group_sample *g)
{
        int r;

        container_identity(ctx, c, g);
        r = sample_common(ctx->fs, g);
        if (r < 0)
                return r;
        container_from_docker(ctx, c, g);
        if (ctx->layout->v2_memory && g->cgroup[0]) {
                r = sample_v2_memory(ctx->fs, g);
                if (r < 0 && group_gone(r))
                        return r;
                return 0;
        }
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
        return 0;
}

/* Host memory near the marks: the next decision may rank groups by use. The
 * same reach as the daemon's fast tick (hysteresis below the warning mark)
 * and as the policy's pressure stay (a fraction of the lowest pressure mark,
 * on "some", which is never below "full"). */
static bool host_near_marks(const struct config *c, const struct snapshot *snap)
{
        const struct memory_section *m = &c->memory;
        const struct psi_threshold *th[] = {&m->pressure_warning, &m->pressure_critical,
                                            &m->pressure_emergency};

        if (snapshot_memory_used_percent(snap) >= m->warning_percent - m->hysteresis_percent)
                return true;
        if (!snap->host.has_psi)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(th); i++)
                if (th[i]->set && th[i]->avg10_percent > 0.0 &&
                    snap->host.memory_psi.some.avg10 >=
                        th[i]->avg10_percent * POLICY_PSI_STAY_FRACTION)
                        return true;
        return false;
}

/* What the kernel measured, carried over from the previous sample. */
static void copy_measured(struct group_sample *g, const struct group_sample *prev)
{
        g->has_memory = prev->has_memory;
        g->has_memory_high = prev->has_memory_high;
        g->memory_current = prev->memory_current;
        g->memory_max = prev->memory_max;
        g->memory_high = prev->memory_high;
        g->memory_swap_max = prev->memory_swap_max;
        g->has_events = prev->has_events;
        g->events = prev->events;
        g->has_psi = prev->has_psi;
        g->psi = prev->psi;
        g->running = prev->running;
        g->refreshed = prev->refreshed;
        g->limits_refreshed = prev->limits_refreshed;
}

/* How much of a group a sample reads. */
enum group_read {
        READ_CARRIED, /* nothing: the previous sample's figures stand */
        READ_CHANGING, /* memory.current and memory.pressure; the rest carried */
        READ_ALL,
};

/* How much of this group to read now. Also keeps (or adds) its change
 * watch, before any read, so a change after the read is seen next time.
 * READ_CARRIED: the previous sample stands, but for memory.current when a
 * decision needs it. */
static enum group_read read_needed(struct walk_context *w, struct group_sample *g)
{
        struct cgfs *fs = w->ctx->fs;
        const struct group_sample *prev =
            w->ctx->previous ? snapshot_find(w->ctx->previous, group_key(g)) : NULL;
        int r = -ENOENT;

        if (!g->cgroup[0])
                return READ_ALL;
        if (prev && prev->watch >= 0)
                r = cgfs_watch_take(fs, prev->watch);
        if (r >= 0)
                g->watch = prev->watch;
        else {
                r = cgfs_watch_add(fs, g->cgroup);
                g->watch = r >= 0 ? r : -1;
                return READ_ALL; /* not watched until now: read it */
        }
        if (r != 0 || !prev->refreshed || strcmp(prev->cgroup, g->cgroup) != 0)
                return READ_ALL; /* changed, or never read in full */
        if (w->now >= prev->refreshed && w->now - prev->refreshed < SAMPLER_REFRESH_USEC) {
                copy_measured(g, prev);
                return READ_CARRIED;
        }
        if (w->refresh_budget == 0) {
                copy_measured(g, prev);
                return READ_CARRIED;
        }
        w->refresh_budget--;
        if (w->now < prev->limits_refreshed ||
            w->now - prev->limits_refreshed >= SAMPLER_LIMITS_REFRESH_USEC)
                return READ_ALL;
        copy_measured(g, prev);
        return READ_CHANGING;
}

/* memory.current alone, for a group whose other figures stand. */
static int sample_usage(const struct sampler_context *ctx, const struct docker_container *c,
                        struct group_sample *g)
{
        struct cgfs_v1_memory v1;
        int r;

        if (ctx->layout->v2_memory && g->cgroup[0])
                return cgfs_read_value(ctx->fs, g->cgroup, "memory.current", &g->memory_current);
        if (!c || !c->cgroup_v1_memory)
                return 0;
        r = cgfs_read_v1_memory(ctx->fs, c->cgroup_v1_memory, &v1);
        if (r >= 0)
                g->memory_current = v1.usage_bytes;
        return r;
}

/* Read what this sample needs of one group whose identity is filled in;
 * <0 (gone): leave it out. */
static int sample_group(struct walk_context *w, const struct docker_container *c,
                        struct group_sample *g)
{
        int r;

        switch (read_needed(w, g)) {
        case READ_ALL:
                g->refreshed = g->limits_refreshed = w->now;
                return c ? sample_container(w->ctx, c, g) : sample_cgroup(w->ctx, g);
        case READ_CHANGING:
                g->refreshed = w->now;
                if (c)
                        container_from_docker(w->ctx, c, g);
                r = sample_psi(w->ctx->fs, g);
                if (r < 0)
                        return r;
                r = sample_usage(w->ctx, c, g);
                return r < 0 && group_gone(r) ? r : 0;
        case READ_CARRIED:
                break;
        }
        if (c)
                container_from_docker(w->ctx, c, g);
        if (!w->usage_needed)
                return 0;
        r = sample_usage(w->ctx, c, g);
        return r < 0 && group_gone(r) ? r : 0;
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
        r = sample_group(w, NULL, g);
        if (r < 0)
                w->snap->n_groups--; /* vanished while we looked: leave it out */
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

/* The kept files of the previous sample's groups that this one no longer
 * has are closed at once: a removed cgroup's open files are dead weight
 * (and a container's churn leaves many). Past SAMPLER_FORGET_MAX of them,
 * one sweep is cheaper than a search each. */
static void forget_vanished(struct cgfs *fs, const struct snapshot *prev,
                            const struct snapshot *snap)
{
        size_t gone = 0;

        for (size_t i = 0; prev && i < prev->n_groups; i++) {
                const struct group_sample *g = &prev->groups[i];

                if (!g->cgroup[0] || snapshot_find(snap, group_key(g)))
                        continue;
                if (++gone > SAMPLER_FORGET_MAX) {
                        cgfs_kept_sweep(fs);
                        return;
                }
                cgfs_kept_forget(fs, g->cgroup);
        }
}

int sampler_take(const struct sampler_context *ctx, usec_t now, struct snapshot *snap)
{
        struct walk_context w = {.ctx = ctx, .snap = snap, .now = now};
        const struct snapshot *prev = ctx->previous;
        bool any_cgroup_rule = false;
        int r;

        snap->time = now;
        r = cgfs_read_meminfo(ctx->fs, &snap->host.mem);
        if (r < 0)
                return r;
        snap->host.has_psi = cgfs_read_host_psi(ctx->fs, "memory", &snap->host.memory_psi) >= 0;
        (void)cgfs_read_host_psi(ctx->fs, "io", &snap->host.io_psi);
        /* Events queued since the loop last looked count for this sample. */
        r = cgfs_watch_process(ctx->fs);
        if (r < 0)
                log_debug("cgroup change events unreadable: %s", strerror(-r));
        w.usage_needed = ctx->usage_needed || host_near_marks(ctx->config, snap);
        /* The slow refresh, spread: the share of groups its period allots to
         * the time since the previous sample (at least one). */
        w.refresh_budget = SAMPLER_REFRESH_MAX_GROUPS;
        if (prev && prev->time < now) {
                uint64_t share =
                    prev->n_groups * (now - prev->time) / SAMPLER_REFRESH_USEC + 1;

                if (share < w.refresh_budget)
                        w.refresh_budget = (size_t)share;
        }

        /* As many groups as last time, in one allocation (a few more come
         * one doubling later). */
        if (prev && snapshot_reserve(snap, prev->n_groups) < 0)
                return -ENOMEM;
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
                        container_identity(ctx, &cs[i], g);
                        if (sample_group(&w, &cs[i], g) < 0)
                                snap->n_groups--;
                }
        }
        /* The next sample and the daemon look groups up by key. */
        (void)snapshot_index(snap);
        forget_vanished(ctx->fs, prev, snap);
        /* Files of groups that vanished unseen or stopped matching go. */
        if (!prev || now < prev->kept_swept || now - prev->kept_swept >= SAMPLER_KEPT_SWEEP_USEC ||
            cgfs_kept_crowded(ctx->fs)) {
                cgfs_kept_sweep(ctx->fs);
                snap->kept_swept = now;
        } else
                snap->kept_swept = prev->kept_swept;
        cgfs_watch_sweep(ctx->fs);
        return 0;
}
