/* actuator — see include/actuator.h */
#include "actuator.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "daemon.h"
#include "docker.h"
#include "log.h"
#include "oomguard.h"
#include "overrides.h"
#include "sampler.h"
#include "sdunit.h"
#include "units.h"

static const char *group_kind_field(const struct group_sample *g)
{
        return g->kind == GROUP_CONTAINER ? "GOVERNOR_CONTAINER" : "GOVERNOR_CGROUP";
}

/* One journal entry for an action (carried out, planned in dry-run, or failed). */
static void log_action(struct daemon *d, int priority, const char *message_id,
                       const struct action *a, const struct group_sample *g, const char *outcome)
{
        char f_action[64], f_tier[64], f_target[GROUP_NAME_MAX + 32], f_bytes[64],
                f_reason[sizeof a->reason + 32], f_dry[32], f_key[GROUP_CGROUP_MAX + 32],
                human[32];
        const char *fields[8];
        size_t n = 0;

        snprintf(f_action, sizeof f_action, "GOVERNOR_ACTION=%s", action_kind_name(a->kind));
        snprintf(f_tier, sizeof f_tier, "GOVERNOR_TIER=%s", tier_name(a->tier));
        snprintf(f_target, sizeof f_target, "%s=%s", group_kind_field(g), a->target);
        snprintf(f_bytes, sizeof f_bytes, "GOVERNOR_BYTES=%" PRIu64, a->bytes);
        snprintf(f_reason, sizeof f_reason, "GOVERNOR_REASON=%s", a->reason);
        snprintf(f_dry, sizeof f_dry, "GOVERNOR_DRY_RUN=%d", d->dry_run ? 1 : 0);
        snprintf(f_key, sizeof f_key, "GOVERNOR_CGROUP_PATH=%s", g->cgroup);
        fields[n++] = f_action;
        fields[n++] = f_tier;
        fields[n++] = f_target;
        fields[n++] = f_bytes;
        fields[n++] = f_reason;
        fields[n++] = f_dry;
        if (g->kind == GROUP_CONTAINER && g->cgroup[0])
                fields[n++] = f_key;
        fields[n] = NULL;

        /* stop and kill carry no size: the reason says how much the target used */
        if (action_is_destructive(a->kind))
                human[0] = '\0';
        else if (a->bytes == BYTES_MAX)
                util_strlcpy(human, " (max)", sizeof human);
        else {
                char size[24];
                snprintf(human, sizeof human, " (%s)",
                         units_format_bytes_human(a->bytes, size, sizeof size));
        }
        log_event(priority, message_id, fields, "%s%s %s%s: %s [%s]", d->dry_run ? "dry-run: " : "",
                  action_kind_name(a->kind), a->target, human, a->reason, outcome);
}

static void record_action(struct daemon *d, const struct action *a)
{
        bool has_bytes = a->kind != ACTION_STOP && a->kind != ACTION_KILL && a->bytes != BYTES_MAX;

        daemon_record(d, action_kind_name(a->kind), a->target, a->reason, a->bytes, has_bytes);
}

struct pending {
        struct daemon *daemon;
        struct action action;
        struct group_sample group;
};

static void on_docker_done(int result, const char *container_id, void *userdata)
{
        struct pending *p = userdata;

        if (result < 0) {
                p->daemon->counters.actions_failed++;
                log_action(p->daemon, LOG_ERR, MSGID_ACTION_FAILED, &p->action, &p->group,
                           strerror(-result));
        }
        free(p);
}

static int docker_action(struct daemon *d, const struct action *a, const struct group_sample *g)
{
        struct pending *p;
        int r;

        if (!d->docker || !docker_is_connected(d->docker))
                return -ENOTCONN;
        p = calloc(1, sizeof *p);
        if (!p)
                return -ENOMEM;
        p->daemon = d;
        p->action = *a;
        p->group = *g;
        switch (a->kind) {
        case ACTION_LIMIT: {
                int64_t total = -1; /* Docker: memory + swap; -1 = unlimited swap */
                if (a->swap_bytes != BYTES_MAX && a->bytes != BYTES_MAX)
                        total = (int64_t)(a->bytes + a->swap_bytes);
                r = docker_container_update(d->docker, g->id, a->bytes == BYTES_MAX ? 0 : a->bytes,
                                            total, on_docker_done, p);
                break;
        }
        case ACTION_STOP:
                r = docker_container_stop(d->docker, g->id,
                                          (unsigned)(d->config->memory.stop_timeout_usec /
                                                     USEC_PER_SEC),
                                          on_docker_done, p);
                break;
        case ACTION_KILL:
                r = docker_container_kill(d->docker, g->id, on_docker_done, p);
                break;
        default:
                r = -EOPNOTSUPP;
        }
        if (r < 0)
                free(p);
        return r;
}

static int cgroup_action(struct daemon *d, const struct action *a, const struct group_sample *g)
{
        char buf[32];
        int r;

        if (!g->cgroup[0])
                return -ENOENT;
        switch (a->kind) {
        case ACTION_LIMIT:
                r = cgfs_write_value(d->fs, g->cgroup, "memory.max", a->bytes);
                if (r >= 0 && a->swap_bytes != g->memory_swap_max)
                        r = cgfs_write_value(d->fs, g->cgroup, "memory.swap.max", a->swap_bytes);
                return r == -ENOENT && a->swap_bytes == 0 ? 0 : r; /* no swap accounting */
        case ACTION_HIGH:
        case ACTION_THROTTLE:
                return cgfs_write_value(d->fs, g->cgroup, "memory.high", a->bytes);
        case ACTION_RECLAIM:
                snprintf(buf, sizeof buf, "%" PRIu64, a->bytes);
                r = cgfs_write_string(d->fs, g->cgroup, "memory.reclaim", buf);
                /* the kernel could not reclaim all of it: what it got is still progress */
                return r == -EAGAIN ? 0 : r;
        case ACTION_KILL:
                return cgfs_write_string(d->fs, g->cgroup, "cgroup.kill", "1");
        default:
                return -EOPNOTSUPP;
        }
}

/* ---- systemd's units (issue 11 item 3) ----------------------------------
 * Where a unit owns the cgroup (docker-<id>.scope with Docker's systemd
 * driver, a service, a slice), systemd writes memory.max/high/swap.max back
 * from the unit's properties on daemon-reload and scope changes; so those
 * are set through it (SetUnitProperties, runtime) and the outcome is the
 * manager's reply. A throttle is on the critical path: the kernel file is
 * written first (that is its outcome) and systemd is told the same value
 * so that it keeps it. */
struct unit_call {
        struct daemon *daemon;
        struct action action;
        struct group_sample group;
        bool report; /* the reply is the action's outcome */
};

static int cgroup_action(struct daemon *d, const struct action *a, const struct group_sample *g);

static void on_unit_done(int result, const char *message, void *userdata)
{
        struct unit_call *c = userdata;
        struct daemon *d = c->daemon;

        if (result == -ECANCELED) { /* shutting down */
                free(c);
                return;
        }
        if (result == -ENOENT) { /* not one of systemd's units after all */
                result = cgroup_action(d, &c->action, &c->group);
                message = NULL;
        }
        if (!c->report) {
                if (result < 0)
                        log_warning("systemd will not keep memory.high of %s: %s", c->action.target,
                                    message ? message : strerror(-result));
        } else if (result < 0) {
                d->counters.actions_failed++;
                log_action(d, LOG_ERR, MSGID_ACTION_FAILED, &c->action, &c->group,
                           message ? message : strerror(-result));
        } else {
                log_action(d, LOG_NOTICE, MSGID_ACTION, &c->action, &c->group, "done");
                record_action(d, &c->action);
        }
        free(c);
}

/* 1: queued to systemd (on_unit_done reports), 0: no unit owns the cgroup or
 * no manager answers (write the file), -ENOMEM. */
static int unit_action(struct daemon *d, const struct action *a, const struct group_sample *g,
                       bool report)
{
        char unit[SDUNIT_NAME_MAX];
        struct sdunit_memory m = {0};
        struct unit_call *c;
        int r;

        if (!d->sdunit || sdunit_from_cgroup(g->cgroup, unit, sizeof unit) <= 0)
                return 0;
        if (a->kind == ACTION_LIMIT) {
                m.set[SDUNIT_MEMORY_MAX] = true;
                m.bytes[SDUNIT_MEMORY_MAX] = a->bytes;
                m.set[SDUNIT_MEMORY_SWAP_MAX] = a->swap_bytes != g->memory_swap_max;
                m.bytes[SDUNIT_MEMORY_SWAP_MAX] = a->swap_bytes;
        } else if (a->kind == ACTION_HIGH || a->kind == ACTION_THROTTLE) {
                m.set[SDUNIT_MEMORY_HIGH] = true;
                m.bytes[SDUNIT_MEMORY_HIGH] = a->bytes;
        } else
                return 0;
        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        *c = (struct unit_call){.daemon = d, .action = *a, .group = *g, .report = report};
        r = sdunit_set_memory(d->sdunit, unit, &m, on_unit_done, c);
        if (r < 0) {
                free(c);
                return r == -ENOMEM ? r : 0;
        }
        return 1;
}

/* Containers are limited and stopped through Docker (so Docker's view stays
 * true); memory.high and reclaim exist only as cgroup files. A kill goes to
 * Docker when it answers, else straight to cgroup.kill. */
static int carry_out(struct daemon *d, const struct action *a, const struct group_sample *g)
{
        int r;

        if (a->kind == ACTION_THROTTLE) {
                r = cgroup_action(d, a, g);
                if (r >= 0 && unit_action(d, a, g, false) < 0)
                        log_warning("out of memory: systemd not told of %s's memory.high",
                                    a->target);
                return r;
        }
        if (a->kind == ACTION_HIGH ||
            (a->kind == ACTION_LIMIT && (g->kind != GROUP_CONTAINER || a->bytes == BYTES_MAX) &&
             d->layout.v2_memory)) {
                r = unit_action(d, a, g, true);
                if (r != 0)
                        return r;
        }
        /* Docker's update cannot lift a memory limit (0 means "unchanged"): on
         * cgroup v2 the file is written, elsewhere it cannot be done */
        if (g->kind == GROUP_CONTAINER && a->kind == ACTION_LIMIT && a->bytes == BYTES_MAX)
                return d->layout.v2_memory ? cgroup_action(d, a, g) : -EOPNOTSUPP;
        if (g->kind == GROUP_CONTAINER &&
            (a->kind == ACTION_LIMIT || a->kind == ACTION_STOP || a->kind == ACTION_KILL)) {
                r = docker_action(d, a, g);
                if (r != -ENOTCONN || a->kind != ACTION_KILL || !d->layout.v2_memory)
                        return r;
        }
        return cgroup_action(d, a, g);
}

static void log_candidates(struct daemon *d, const struct plan *plan)
{
        char line[1024] = "";
        size_t used = 0;

        for (size_t i = 0; i < plan->n_candidates; i++) {
                const struct group_sample *g = &d->snapshot.groups[plan->candidates[i]];
                const struct rule *rule = g->rule >= 0 ? &d->config->rules[g->rule] : NULL;
                char size[32];
                int n = snprintf(line + used, sizeof line - used, "%s%s (priority %d, %s)",
                                 i ? ", " : "", g->name, rule ? rule->priority : -1,
                                 units_format_bytes_human(g->memory_current, size, sizeof size));
                if (n < 0 || (size_t)n >= sizeof line - used)
                        break;
                used += (size_t)n;
        }
        if (used)
                log_event(LOG_INFO, MSGID_CANDIDATES, NULL, "candidates considered: %s", line);
}

/* Re-sample host and target; 1 = still justified. */
static int reconfirm(struct daemon *d, const struct action *a)
{
        struct sampler_context ctx = {
            .config = d->config, .fs = d->fs, .layout = &d->layout, .docker = d->docker};
        struct snapshot fresh;
        struct policy_input in = {.config = d->config, .snapshot = &fresh, .now = util_now_usec()};
        struct group_sample *copy;
        const struct group_sample *old = snapshot_find(&d->snapshot, a->key);
        int r;

        if (!old)
                return 0;
        /* a pause that arrived between plan and action cancels the action */
        in.paused = d->overrides && overrides_paused(d->overrides);
        snapshot_init(&fresh);
        fresh.time = in.now;
        r = cgfs_read_meminfo(d->fs, &fresh.host.mem);
        if (r >= 0)
                fresh.host.has_psi =
                        cgfs_read_host_psi(d->fs, "memory", &fresh.host.memory_psi) >= 0;
        copy = r >= 0 ? snapshot_add_group(&fresh) : NULL;
        if (copy) {
                *copy = *old;
                r = sampler_refresh_group(&ctx, copy);
        }
        r = r >= 0 && copy ? policy_confirm(&in, &d->policy, a) : 0;
        snapshot_done(&fresh);
        return r;
}

/* Defense in depth (issue 14): oom_score_adj, memory.oom.group and
 * memory.low/min after the plan's actions (those are the urgent ones). It
 * runs in pause too: it takes nothing from anyone and is what spares a
 * protected group while the governor does not act. Dry-run writes nothing. */
static void guard_run(struct daemon *d)
{
        struct oomguard_context ctx = {
            .fs = d->fs,
            .sdunit = d->sdunit,
            .v2_memory = d->layout.v2_memory,
            .dry_run = d->dry_run,
        };

        if (d->oomguard &&
            oomguard_run(d->oomguard, &ctx, d->config, &d->snapshot, util_now_usec()) == -ENOMEM)
                log_error("out of memory while protecting groups from the OOM killer");
}

void actuator_run(struct daemon *d, const struct plan *plan)
{
        bool candidates_logged = false;

        for (size_t i = 0; i < plan->n_actions; i++) {
                const struct action *a = &plan->actions[i];
                const struct group_sample *g = &d->snapshot.groups[a->group];
                int r;

                if (action_is_destructive(a->kind)) {
                        if (!candidates_logged)
                                log_candidates(d, plan);
                        candidates_logged = true;
                        if (reconfirm(d, a) <= 0) {
                                log_action(d, LOG_INFO, MSGID_ACTION, a, g,
                                           "dropped: no longer justified on a fresh sample");
                                continue;
                        }
                }
                if (d->dry_run) {
                        log_action(d, LOG_NOTICE, MSGID_ACTION, a, g, "not carried out");
                } else {
                        r = carry_out(d, a, g);
                        if (r > 0) { /* the outcome is systemd's reply (on_unit_done) */
                                policy_note_action(&d->policy, a, util_now_usec());
                                continue;
                        }
                        if (r < 0) {
                                d->counters.actions_failed++;
                                log_action(d, LOG_ERR, MSGID_ACTION_FAILED, a, g, strerror(-r));
                                /* still note it: retrying a failing write every tick helps no one */
                                policy_note_action(&d->policy, a, util_now_usec());
                                continue;
                        }
                        log_action(d, LOG_NOTICE, MSGID_ACTION, a, g, "done");
                }
                record_action(d, a);
                policy_note_action(&d->policy, a, util_now_usec());
        }
        guard_run(d);
}
