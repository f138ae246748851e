/* oomguard — the writer half (include/oomguard.h). Only the actuator calls
 * oomguard_run(). */
#include "oomguard.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs.h"
#include "log.h"
#include "sdunit.h"
#include "units.h"

#define OOM_SCORE_ADJ_FILE "oom_score_adj"

struct guard_pid {
        int pid;
        int before; /* its value before the guard first changed it */
};

struct guard_group {
        char key[GROUP_CGROUP_MAX];
        char cgroup[GROUP_CGROUP_MAX];
        char name[GROUP_NAME_MAX];
        bool has_adj; /* adj applied (or, in dry-run, announced) */
        int adj;
        bool has_effective;
        int effective;
        bool oom_group_set; /* we wrote memory.oom.group = 1 */
        bool oom_group_announced;
        bool has_pids_current;
        uint64_t pids_current;
        bool scan_pending; /* due at a pass whose budget was spent */
        struct guard_pid *pids; /* processes we changed */
        size_t n_pids, allocated;
        /* processes that carried adj at the last scan, sorted: between full
         * scans only the others' values are read */
        int *settled;
        size_t n_settled;
        usec_t full_usec; /* last full scan; USEC_INFINITY: never */
        /* memory.low/min last sent (BYTES_MAX: never) and when */
        uint64_t low_sent, min_sent;
        usec_t mem_sent_usec;
        unsigned unmanaged_passes; /* consecutive passes present but unmatched */
        bool seen;
};

/* A directory holding managed groups, and its pids.current (the pass's
 * gate: see oomguard.h). */
struct guard_parent {
        char *cgroup; /* relative, "" the cgroup root */
        uint64_t pids_current;
        bool has;     /* pids.current read at the last pass that looked */
        bool changed; /* this pass: new, unreadable or a different count */
        bool seen;    /* a target of this pass lives below it */
};

struct oomguard {
        struct guard_group **groups;
        size_t n_groups, allocated;
        struct guard_parent parents[OOMGUARD_PARENTS_MAX];
        size_t n_parents;
        bool parent_missing; /* this pass: a target had no parent (no gate) */
        /* The plan is made again only for a new sample or configuration. */
        usec_t plan_time;
        size_t plan_groups;
        const struct config *plan_config;
        bool plan_made;
        /* The last pass that went over the targets left every one gated (a
         * parent with a count, its own count known, no scan pending, nothing
         * waiting to be restored) until next_full_usec: while the parents'
         * counts stand still, a pass is those reads alone. */
        bool settled;
        usec_t next_full_usec;
        usec_t status_time; /* snapshot.time fill_status() last wrote */
        struct oomguard_plan plan;
        usec_t last_pass_usec; /* USEC_INFINITY: never */
        size_t cursor; /* the target a pass starts at (round robin under the budget) */
        bool told_no_capability;
        struct cgfs *fs; /* from the last pass, for bus replies that fall back to files */
        bool dry_run;
};

int oomguard_new(struct oomguard **ret)
{
        struct oomguard *g = calloc(1, sizeof *g);

        if (!g)
                return -ENOMEM;
        oomguard_plan_init(&g->plan);
        g->last_pass_usec = USEC_INFINITY;
        *ret = g;
        return 0;
}

static void group_free(struct guard_group *gg)
{
        if (!gg)
                return;
        free(gg->pids);
        free(gg->settled);
        free(gg);
}

struct oomguard *oomguard_free(struct oomguard *g)
{
        if (!g)
                return NULL;
        for (size_t i = 0; i < g->n_groups; i++)
                group_free(g->groups[i]);
        free(g->groups);
        for (size_t i = 0; i < g->n_parents; i++)
                free(g->parents[i].cgroup);
        oomguard_plan_done(&g->plan);
        free(g);
        return NULL;
}

/* The first index whose key is not below key (groups are sorted by key, so
 * a pass over thousands of managed groups stays O(n log n)). */
static size_t group_lower_bound(const struct oomguard *g, const char *key)
{
        size_t lo = 0, hi = g->n_groups;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (strcmp(g->groups[mid]->key, key) < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo;
}

static struct guard_group *group_find(struct oomguard *g, const char *key)
{
        size_t i = group_lower_bound(g, key);

        return i < g->n_groups && strcmp(g->groups[i]->key, key) == 0 ? g->groups[i] : NULL;
}

static struct guard_group *group_add(struct oomguard *g, const struct group_sample *s)
{
        struct guard_group *gg;
        size_t at;

        if (g->n_groups == g->allocated) {
                size_t n = g->allocated ? g->allocated * 2 : 16;
                struct guard_group **ng = realloc(g->groups, n * sizeof *ng);
                if (!ng)
                        return NULL;
                g->groups = ng;
                g->allocated = n;
        }
        gg = calloc(1, sizeof *gg);
        if (!gg)
                return NULL;
        util_strlcpy(gg->key, group_key(s), sizeof gg->key);
        util_strlcpy(gg->cgroup, s->cgroup, sizeof gg->cgroup);
        util_strlcpy(gg->name, s->name, sizeof gg->name);
        gg->full_usec = USEC_INFINITY;
        gg->low_sent = gg->min_sent = BYTES_MAX;
        gg->mem_sent_usec = USEC_INFINITY;
        at = group_lower_bound(g, gg->key);
        memmove(g->groups + at + 1, g->groups + at, (g->n_groups - at) * sizeof *g->groups);
        g->groups[at] = gg;
        g->n_groups++;
        return gg;
}

static struct guard_pid *pid_find(struct guard_group *gg, int pid)
{
        for (size_t i = 0; i < gg->n_pids; i++)
                if (gg->pids[i].pid == pid)
                        return &gg->pids[i];
        return NULL;
}

static int pid_remember(struct guard_group *gg, int pid, int before)
{
        if (pid_find(gg, pid))
                return 0;
        if (gg->n_pids == gg->allocated) {
                size_t n = gg->allocated ? gg->allocated * 2 : 8;
                struct guard_pid *np = realloc(gg->pids, n * sizeof *np);
                if (!np)
                        return -ENOMEM;
                gg->pids = np;
                gg->allocated = n;
        }
        gg->pids[gg->n_pids++] = (struct guard_pid){pid, before};
        return 0;
}

/* Forget processes that left the group (exited): their PIDs may come back
 * as someone else's. */
static void pids_prune(struct guard_group *gg, const int *pids, size_t n)
{
        size_t kept = 0;

        for (size_t i = 0; i < gg->n_pids; i++) {
                bool present = false;
                for (size_t j = 0; j < n && !present; j++)
                        present = pids[j] == gg->pids[i].pid;
                if (present)
                        gg->pids[kept++] = gg->pids[i];
        }
        gg->n_pids = kept;
}

static void refused(struct oomguard *g, const struct guard_group *gg, int adj, int r)
{
        if ((r == -EACCES || r == -EPERM) && !g->told_no_capability) {
                g->told_no_capability = true;
                log_warning("cannot lower oom_score_adj to %d for %s (%s): lowering it needs "
                            "CAP_SYS_RESOURCE; protected groups keep the kernel's default "
                            "ranking, everything else goes on",
                            adj, gg->name, strerror(-r));
        } else if (r != -EACCES && r != -EPERM)
                log_debug("oom_score_adj %d for a process of %s: %s", adj, gg->name,
                          strerror(-r));
}

static int int_cmp(const void *a, const void *b)
{
        int x = *(const int *)a, y = *(const int *)b;

        return (x > y) - (x < y);
}

/* Give every process of the group adj (restore: each its value before, 0
 * for those the guard never saw). full: read every process's value; else
 * only those not settled at the last scan. Returns how many processes the
 * group has, or -errno (-ENOENT: the group is gone). */
static int apply_adj(struct oomguard *g, const struct oomguard_context *ctx,
                     struct guard_group *gg, int adj, bool restore, bool full)
{
        _cleanup_free_ int *pids = NULL, *settled = NULL;
        size_t n = 0, n_settled = 0;
        bool all = true, first = true;
        int r;

        r = cgfs_read_pids(ctx->fs, gg->cgroup, &pids, &n);
        if (r < 0)
                return r;
        if (!restore && n > 0 && !(settled = malloc(n * sizeof *settled)))
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                struct guard_pid *known;
                int current, want = adj;

                if (!restore && !full && gg->settled &&
                    bsearch(&pids[i], gg->settled, gg->n_settled, sizeof(int), int_cmp)) {
                        settled[n_settled++] = pids[i];
                        if (first)
                                gg->effective = adj;
                        first = false;
                        continue;
                }
                known = pid_find(gg, pids[i]);
                r = cgfs_pid_read_int(ctx->fs, pids[i], OOM_SCORE_ADJ_FILE, &current);
                if (r < 0)
                        continue; /* gone between the two reads */
                if (restore)
                        want = known ? known->before
                               : current == gg->adj ? OOMGUARD_ADJ_DEFAULT
                                                    : current; /* someone else's value */
                if (current != want && !ctx->dry_run) {
                        if (!restore && pid_remember(gg, pids[i], current) < 0)
                                return -ENOMEM;
                        r = cgfs_pid_write_int(ctx->fs, pids[i], OOM_SCORE_ADJ_FILE, want);
                        if (r == -ESRCH)
                                continue;
                        if (r < 0) {
                                refused(g, gg, want, r);
                                all = false;
                        } else
                                current = want;
                }
                if (first) {
                        gg->effective = current;
                        first = false;
                }
                all = all && current == want;
                if (!restore && current == want)
                        settled[n_settled++] = pids[i];
        }
        gg->has_effective = n > 0 && !first;
        if (all && n > 0 && !ctx->dry_run)
                gg->effective = adj;
        if (!restore) {
                pids_prune(gg, pids, n);
                if (n_settled)
                        qsort(settled, n_settled, sizeof *settled, int_cmp);
                free(gg->settled);
                gg->settled = TAKE_PTR(settled);
                gg->n_settled = n_settled;
        }
        return (int)n;
}

/* ---- memory.low / memory.min -------------------------------------------- */

struct mem_call {
        struct oomguard *guard;
        char cgroup[GROUP_CGROUP_MAX];
        char name[GROUP_NAME_MAX];
        struct sdunit_memory mem;
};

static void write_files(struct cgfs *fs, const char *cgroup, const char *name,
                        const struct sdunit_memory *m)
{
        for (int p = 0; p < SDUNIT_MEMORY_PROP_COUNT; p++) {
                int r;
                if (!m->set[p])
                        continue;
                r = cgfs_write_value(fs, cgroup, sdunit_memory_prop_file(p), m->bytes[p]);
                if (r < 0 && r != -ENOENT && r != -ENODEV)
                        log_warning("cannot set %s of %s: %s", sdunit_memory_prop_file(p), name,
                                    strerror(-r));
        }
}

static void on_mem_done(int result, const char *message, void *userdata)
{
        struct mem_call *c = userdata;

        /* the unit is not systemd's after all (or the manager is gone): the
         * file is then the only place to set it */
        if (result == -ENOENT && c->guard && c->guard->fs)
                write_files(c->guard->fs, c->cgroup, c->name, &c->mem);
        else if (result < 0 && result != -ECANCELED)
                log_warning("systemd did not set memory.low/min of %s: %s", c->name,
                            message ? message : strerror(-result));
        free(c);
}

static void set_memory(struct oomguard *g, const struct oomguard_context *ctx,
                       const struct guard_group *gg, const struct sdunit_memory *m)
{
        char unit[SDUNIT_NAME_MAX];
        struct mem_call *c;

        if (ctx->sdunit && sdunit_from_cgroup(gg->cgroup, unit, sizeof unit) > 0 &&
            (c = calloc(1, sizeof *c))) {
                c->guard = g;
                util_strlcpy(c->cgroup, gg->cgroup, sizeof c->cgroup);
                util_strlcpy(c->name, gg->name, sizeof c->name);
                c->mem = *m;
                if (sdunit_set_memory(ctx->sdunit, unit, m, on_mem_done, c) >= 0)
                        return;
                free(c);
        }
        write_files(ctx->fs, gg->cgroup, gg->name, m);
}

static void apply_memory(struct oomguard *g, const struct oomguard_context *ctx,
                         struct guard_group *gg, const struct oomguard_target *t, usec_t now)
{
        struct sdunit_memory m = {0};
        uint64_t low = BYTES_MAX, min = BYTES_MAX;
        bool differs = false, changed;

        if (t->has_memory_low && cgfs_read_value(ctx->fs, gg->cgroup, "memory.low", &low) >= 0 &&
            low != t->memory_low) {
                m.set[SDUNIT_MEMORY_LOW] = differs = true;
                m.bytes[SDUNIT_MEMORY_LOW] = t->memory_low;
        }
        if (t->has_memory_min && cgfs_read_value(ctx->fs, gg->cgroup, "memory.min", &min) >= 0 &&
            min != t->memory_min) {
                m.set[SDUNIT_MEMORY_MIN] = differs = true;
                m.bytes[SDUNIT_MEMORY_MIN] = t->memory_min;
        }
        if (!differs)
                return;
        changed = (t->has_memory_low && gg->low_sent != t->memory_low) ||
                  (t->has_memory_min && gg->min_sent != t->memory_min);
        /* the same values again only after the resend interval: a reply in
         * flight, or a refusal, would otherwise repeat every pass */
        if (!changed && gg->mem_sent_usec != USEC_INFINITY &&
            now < gg->mem_sent_usec + OOMGUARD_RESEND_USEC)
                return;
        gg->low_sent = t->has_memory_low ? t->memory_low : BYTES_MAX;
        gg->min_sent = t->has_memory_min ? t->memory_min : BYTES_MAX;
        gg->mem_sent_usec = now;
        if (ctx->dry_run) {
                char a[32], b[32];
                log_notice("dry-run: would set memory.low %s, memory.min %s of %s",
                           t->has_memory_low ? units_format_bytes_human(t->memory_low, a, sizeof a)
                                             : "(unchanged)",
                           t->has_memory_min ? units_format_bytes_human(t->memory_min, b, sizeof b)
                                             : "(unchanged)",
                           gg->name);
                return;
        }
        set_memory(g, ctx, gg, &m);
}

static void apply_oom_group(const struct oomguard_context *ctx, struct guard_group *gg, bool want)
{
        uint64_t v;
        int r;

        if (!ctx->v2_memory || cgfs_read_value(ctx->fs, gg->cgroup, "memory.oom.group", &v) < 0)
                return;
        if (want && v != 1) {
                if (ctx->dry_run) {
                        if (!gg->oom_group_announced)
                                log_notice("dry-run: would set memory.oom.group = 1 on %s",
                                           gg->name);
                        gg->oom_group_announced = true;
                        return;
                }
                r = cgfs_write_value(ctx->fs, gg->cgroup, "memory.oom.group", 1);
                if (r >= 0)
                        gg->oom_group_set = true;
                else
                        log_warning("cannot set memory.oom.group of %s: %s", gg->name,
                                    strerror(-r));
        } else if (!want && gg->oom_group_set && v == 1) {
                if (cgfs_write_value(ctx->fs, gg->cgroup, "memory.oom.group", 0) >= 0)
                        gg->oom_group_set = false;
        }
}

/* ---- a pass --------------------------------------------------------------- */

/* Read p's count for this pass. */
static void parent_read(const struct oomguard_context *ctx, struct guard_parent *p)
{
        uint64_t v = 0;
        bool has = cgfs_read_value(ctx->fs, p->cgroup, "pids.current", &v) >= 0;

        p->changed = !has || !p->has || v != p->pids_current;
        p->has = has;
        p->pids_current = v;
        p->seen = true;
}

/* The parent directory of cgroup, its pids.current read once a pass (NULL:
 * more parents than OOMGUARD_PARENTS_MAX or out of memory: no gate). */
static const struct guard_parent *parent_of(struct oomguard *g, const struct oomguard_context *ctx,
                                            const char *cgroup)
{
        const char *slash = strrchr(cgroup, '/');
        size_t len = slash ? (size_t)(slash - cgroup) : 0;
        struct guard_parent *p = NULL;

        for (size_t i = 0; i < g->n_parents && !p; i++)
                if (strlen(g->parents[i].cgroup) == len &&
                    memcmp(g->parents[i].cgroup, cgroup, len) == 0)
                        p = &g->parents[i];
        if (p && p->seen)
                return p; /* read already this pass */
        if (!p) {
                char *copy;

                if (g->n_parents == OOMGUARD_PARENTS_MAX || !(copy = strndup(cgroup, len))) {
                        g->parent_missing = true;
                        return NULL;
                }
                p = &g->parents[g->n_parents++];
                *p = (struct guard_parent){.cgroup = copy};
        }
        parent_read(ctx, p);
        return p;
}

/* A settled pass: every parent's count read, and true when none moved. */
static bool parents_still(struct oomguard *g, const struct oomguard_context *ctx)
{
        bool still = g->n_parents > 0;

        for (size_t i = 0; i < g->n_parents; i++) {
                parent_read(ctx, &g->parents[i]);
                still = still && !g->parents[i].changed;
        }
        return still;
}

static void parents_sweep(struct oomguard *g)
{
        size_t kept = 0;

        for (size_t i = 0; i < g->n_parents; i++) {
                if (!g->parents[i].seen) {
                        free(g->parents[i].cgroup);
                        continue;
                }
                g->parents[i].seen = false;
                g->parents[kept++] = g->parents[i];
        }
        g->n_parents = kept;
}

/* 1 the group's processes were scanned, 0 not (nothing due, or may_scan
 * false: the pass's budget is spent and it waits for the next), -ENOMEM. */
static int guard_target(struct oomguard *g, const struct oomguard_context *ctx,
                        const struct group_sample *s, const struct oomguard_target *t, usec_t now,
                        bool may_scan)
{
        const struct guard_parent *parent = parent_of(g, ctx, s->cgroup);
        struct guard_group *gg = group_find(g, group_key(s));
        uint64_t pids_current = 0;
        bool has_pids, due, full;
        int r;

        if (!gg && !(gg = group_add(g, s)))
                return -ENOMEM;
        gg->seen = true;
        gg->unmanaged_passes = 0;
        full = !gg->has_adj || gg->adj != t->oom_score_adj || gg->full_usec == USEC_INFINITY ||
               now >= gg->full_usec + OOMGUARD_RESCAN_USEC;
        /* the gate: no process came or went anywhere below the parent */
        if (!full && gg->has_pids_current && !gg->scan_pending && parent && !parent->changed)
                return 0;
        has_pids = cgfs_read_value(ctx->fs, gg->cgroup, "pids.current", &pids_current) >= 0;
        due = full || !has_pids || !gg->has_pids_current || pids_current != gg->pids_current;
        /* due but over the pass's budget: the next pass looks again */
        gg->scan_pending = due && !may_scan;
        if (!due || !may_scan)
                return 0;
        if (ctx->dry_run && (!gg->has_adj || gg->adj != t->oom_score_adj))
                log_notice("dry-run: would set oom_score_adj %d on the processes of %s",
                           t->oom_score_adj, gg->name);
        r = apply_adj(g, ctx, gg, t->oom_score_adj, false, full || ctx->dry_run);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 1; /* gone: the next snapshot drops it */
        if (!ctx->dry_run && (!gg->has_adj || gg->adj != t->oom_score_adj))
                log_info("oom_score_adj %d for the processes of %s (%d now): the kernel OOM "
                         "killer %s", t->oom_score_adj, gg->name, r,
                         t->oom_score_adj < 0 ? "avoids them" : "prefers them to the host's own");
        gg->has_adj = true;
        gg->adj = t->oom_score_adj;
        if (full)
                gg->full_usec = now;
        gg->has_pids_current = has_pids;
        gg->pids_current = pids_current;
        apply_oom_group(ctx, gg, t->oom_group);
        if (ctx->v2_memory && (t->has_memory_low || t->has_memory_min))
                apply_memory(g, ctx, gg, t, now);
        return 1;
}

/* The rule no longer applies to a group that still exists: give back what
 * the guard took. */
static void guard_restore(struct oomguard *g, const struct oomguard_context *ctx,
                          struct guard_group *gg)
{
        if (ctx->dry_run) {
                log_notice("dry-run: would restore oom_score_adj of the processes of %s",
                           gg->name);
                return;
        }
        if (gg->has_adj)
                (void)apply_adj(g, ctx, gg, gg->adj, true, true);
        apply_oom_group(ctx, gg, false);
        if (ctx->v2_memory && (gg->low_sent != BYTES_MAX || gg->min_sent != BYTES_MAX)) {
                struct sdunit_memory m = {0};
                m.set[SDUNIT_MEMORY_LOW] = gg->low_sent != BYTES_MAX;
                m.set[SDUNIT_MEMORY_MIN] = gg->min_sent != BYTES_MAX;
                set_memory(g, ctx, gg, &m); /* bytes 0: none kept */
        }
        log_info("oom_score_adj of %s restored: no rule applies any more", gg->name);
}

/* After a pass over the targets: may the next passes be the parents' reads
 * alone (oomguard_run), and until when. */
static void settle(struct oomguard *g)
{
        g->settled = !g->parent_missing && g->n_parents > 0;
        g->next_full_usec = USEC_INFINITY;
        for (size_t i = 0; i < g->n_parents && g->settled; i++)
                g->settled = g->parents[i].has;
        for (size_t i = 0; i < g->n_groups && g->settled; i++) {
                const struct guard_group *gg = g->groups[i];

                g->settled = gg->has_pids_current && !gg->scan_pending &&
                             gg->unmanaged_passes == 0 && gg->full_usec != USEC_INFINITY;
                if (g->settled && gg->full_usec + OOMGUARD_RESCAN_USEC < g->next_full_usec)
                        g->next_full_usec = gg->full_usec + OOMGUARD_RESCAN_USEC;
        }
}

static void fill_status(struct oomguard *g, struct snapshot *snap)
{
        g->status_time = snap->time;
        for (size_t i = 0; i < snap->n_groups; i++) {
                struct group_sample *s = &snap->groups[i];
                const struct guard_group *gg = s->rule >= 0 ? group_find(g, group_key(s)) : NULL;

                s->has_oom_score_adj = gg && gg->has_effective;
                s->oom_score_adj = gg ? gg->effective : 0;
        }
}

int oomguard_run(struct oomguard *g, const struct oomguard_context *ctx, const struct config *c,
                 struct snapshot *snap, usec_t now)
{
        size_t kept = 0, scans = 0, n, before;
        int r;

        g->fs = ctx->fs;
        g->dry_run = ctx->dry_run;
        if (g->last_pass_usec != USEC_INFINITY && now < g->last_pass_usec + OOMGUARD_PASS_USEC) {
                if (snap->time != g->status_time)
                        fill_status(g, snap);
                return 0;
        }
        g->last_pass_usec = now;
        /* a new sample or configuration (a reload is followed by a sample:
         * a configuration at a freed one's address is planned anew there) */
        if (!g->plan_made || snap->time != g->plan_time || snap->n_groups != g->plan_groups ||
            c != g->plan_config) {
                r = oomguard_plan(c, snap, &g->plan);
                if (r < 0)
                        return r;
                g->plan_made = true;
                g->plan_time = snap->time;
                g->plan_groups = snap->n_groups;
                g->plan_config = c;
                g->settled = false;
        }
        if (g->settled && now < g->next_full_usec && parents_still(g, ctx)) {
                for (size_t i = 0; i < g->n_parents; i++)
                        g->parents[i].seen = false;
                if (snap->time != g->status_time)
                        fill_status(g, snap);
                return 0;
        }
        /* nothing managed runs, nothing to give back: a pass has no work */
        if (g->plan.n_targets == 0 && g->n_groups == 0) {
                if (snap->time != g->status_time)
                        fill_status(g, snap);
                return 0;
        }
        g->parent_missing = false;
        before = g->n_groups;
        for (size_t i = 0; i < g->n_groups; i++)
                g->groups[i]->seen = false;
        /* round robin from where the last pass ran out of budget */
        n = g->plan.n_targets;
        for (size_t k = 0, start = n ? g->cursor % n : 0; k < n; k++) {
                size_t i = (start + k) % n;
                const struct oomguard_target *t = &g->plan.targets[i];

                r = guard_target(g, ctx, &snap->groups[t->group], t, now,
                                 scans < OOMGUARD_SCANS_PER_PASS);
                if (r < 0)
                        return r;
                scans += (size_t)r;
                if (scans == OOMGUARD_SCANS_PER_PASS && r > 0)
                        g->cursor = i + 1;
        }
        parents_sweep(g);
        for (size_t i = 0; i < g->n_groups; i++) {
                struct guard_group *gg = g->groups[i];
                const struct group_sample *s;

                if (gg->seen) {
                        g->groups[kept++] = gg;
                        continue;
                }
                /* still there but no longer managed: restore, once it was
                 * so for OOMGUARD_RESTORE_PASSES passes in a row (a container
                 * briefly unmatched while Docker's view of it is refreshed
                 * must not lose its protection); gone or stopped: forget */
                s = snapshot_find(snap, gg->key);
                if (s && s->cgroup[0] && s->rule < 0 &&
                    ++gg->unmanaged_passes < OOMGUARD_RESTORE_PASSES) {
                        g->groups[kept++] = gg;
                        continue;
                }
                if (s && s->cgroup[0] && s->rule < 0)
                        guard_restore(g, ctx, gg);
                group_free(gg);
        }
        g->n_groups = kept;
        settle(g);
        /* what the processes carry moves only with a scan or a group come or gone */
        if (scans > 0 || g->n_groups != before || snap->time != g->status_time)
                fill_status(g, snap);
        return 0;
}
