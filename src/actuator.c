/* actuator — see include/actuator.h */
#include "actuator-private.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-match.h"
#include "docker.h"
#include "history.h"
#include "log.h"
#include "oomguard.h"
#include "overrides.h"
#include "sampler.h"
#include "sdunit.h"
#include "units.h"

/* An action whose outcome is not known yet: a Docker request in flight, a
 * stop's escalation timer armed, or Docker being told of a kill. */
struct pending {
        struct actuator *act;
        struct pending *prev, *next;
        struct action action;
        struct group_sample group;
        bool dry_run;
        bool docker_in_flight;
        bool recorded;  /* the outcome is in the journal and the history */
        bool tell_only; /* Docker is told of a kill the kernel already did */
        sd_event_source *escalation;
        usec_t grace_usec; /* stop: the grace period given to Docker */
};

int actuator_new(const struct actuator_deps *deps, struct actuator **ret)
{
        struct actuator *act;

        assert(deps && deps->fs && deps->layout && ret);
        act = calloc(1, sizeof *act);
        if (!act)
                return -ENOMEM;
        act->deps = *deps;
        *ret = act;
        return 0;
}

static void pending_free(struct pending *p)
{
        struct actuator *act = p->act;

        if (p->prev)
                p->prev->next = p->next;
        else
                act->pending = p->next;
        if (p->next)
                p->next->prev = p->prev;
        act->stats.pending--;
        sd_event_source_disable_unref(p->escalation);
        free(p);
}

struct actuator *actuator_free(struct actuator *act)
{
        if (!act)
                return NULL;
        /* what is left: escalation timers (Docker completed its requests on
         * docker_free) — or requests of a Docker freed after us, which must
         * not call back: the caller frees Docker first */
        while (act->pending)
                pending_free(act->pending);
        free(act);
        return NULL;
}

void actuator_get_stats(const struct actuator *act, struct actuator_stats *ret)
{
        assert(act && ret);
        *ret = act->stats;
        ret->docker_in_flight = 0;
        for (const struct pending *p = act->pending; p; p = p->next)
                ret->docker_in_flight += p->docker_in_flight;
}

/* ---- the outcome: journal and history ------------------------------------ */

static const char *group_kind_field(const struct group_sample *g)
{
        return g->kind == GROUP_CONTAINER ? "GOVERNOR_CONTAINER" : "GOVERNOR_CGROUP";
}

/* One journal entry for an action: done, failed, skipped or dry-run. */
static void log_action(int priority, const char *message_id, const struct action *a,
                       const struct group_sample *g, bool dry_run, const char *outcome)
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
        snprintf(f_dry, sizeof f_dry, "GOVERNOR_DRY_RUN=%d", dry_run ? 1 : 0);
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
        log_event(priority, message_id, fields, "%s%s %s%s: %s [%s]", dry_run ? "dry-run: " : "",
                  action_kind_name(a->kind), a->target, human, a->reason, outcome);
}

static void record(struct actuator *act, const struct action *a, enum history_result result,
                   const char *detail)
{
        actuator_record(act, action_kind_name(a->kind), a->target, a->reason, a->bytes,
                        !action_is_destructive(a->kind) && a->bytes != BYTES_MAX, result, detail);
}

/* The outcome of an action carried out (or tried): r >= 0 done, else failed.
 * how: what confirmed it, for the journal ("cgroup.kill"); may be NULL. */
static void outcome(struct actuator *act, const struct action *a, const struct group_sample *g,
                    int r, const char *how)
{
        char text[128];

        if (r < 0) {
                log_action(LOG_ERR, MSGID_ACTION_FAILED, a, g, false, strerror(-r));
                record(act, a, HISTORY_RESULT_FAILED, strerror(-r));
                return;
        }
        snprintf(text, sizeof text, "done%s%s", how ? ": " : "", how ? how : "");
        log_action(LOG_NOTICE, MSGID_ACTION, a, g, false, text);
        record(act, a, HISTORY_RESULT_DONE, NULL);
}

static void skipped(struct actuator *act, const struct action *a, const struct group_sample *g,
                    bool dry_run, const char *why)
{
        char text[GROUP_CGROUP_MAX * 2 + 96];

        snprintf(text, sizeof text, "skipped: %s", why);
        log_action(LOG_INFO, MSGID_ACTION, a, g, dry_run, text);
        record(act, a, HISTORY_RESULT_SKIPPED, why);
}

/* ---- kernel first ---------------------------------------------------------- */

static int cgroup_kill(struct actuator *act, const struct group_sample *g)
{
        if (!g->cgroup[0])
                return -ENOENT;
        /* cgroup.kill lives in the cgroup2 tree: the unified one on hybrid hosts */
        return cgfs_write_string(act->deps.fs, g->cgroup, "cgroup.kill", "1");
}

static int cgroup_action(struct actuator *act, const struct action *a,
                         const struct group_sample *g)
{
        char buf[32];
        int r;

        if (!g->cgroup[0])
                return -ENOENT;
        switch (a->kind) {
        case ACTION_LIMIT:
                r = cgfs_write_value(act->deps.fs, g->cgroup, "memory.max", a->bytes);
                if (r >= 0 && a->swap_bytes != g->memory_swap_max)
                        r = cgfs_write_value(act->deps.fs, g->cgroup, "memory.swap.max",
                                             a->swap_bytes);
                return r == -ENOENT && a->swap_bytes == 0 ? 0 : r; /* no swap accounting */
        case ACTION_HIGH:
        case ACTION_THROTTLE:
                return cgfs_write_value(act->deps.fs, g->cgroup, "memory.high", a->bytes);
        case ACTION_RECLAIM:
                snprintf(buf, sizeof buf, "%" PRIu64, a->bytes);
                r = cgfs_write_string(act->deps.fs, g->cgroup, "memory.reclaim", buf);
                /* the kernel could not reclaim all of it: what it got is still progress */
                return r == -EAGAIN ? 0 : r;
        case ACTION_KILL:
                return cgroup_kill(act, g);
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
        struct actuator *act;
        struct action action;
        struct group_sample group;
        bool report; /* the reply is the action's outcome */
};

static void on_unit_done(int result, const char *message, void *userdata)
{
        struct unit_call *c = userdata;
        const char *how = "systemd";

        if (result == -ECANCELED) { /* shutting down: no outcome is claimed */
                free(c);
                return;
        }
        if (result == -ENOENT) { /* not one of systemd's units after all */
                result = cgroup_action(c->act, &c->action, &c->group);
                message = NULL;
                how = NULL; /* the file, as for any cgroup no unit owns */
        }
        if (!c->report) {
                if (result < 0)
                        log_warning("systemd will not keep memory.high of %s: %s", c->action.target,
                                    message ? message : strerror(-result));
        } else if (result < 0 && message) {
                log_action(LOG_ERR, MSGID_ACTION_FAILED, &c->action, &c->group, false, message);
                record(c->act, &c->action, HISTORY_RESULT_FAILED, message);
        } else
                outcome(c->act, &c->action, &c->group, result, how);
        free(c);
}

/* 1: queued to systemd (on_unit_done reports), 0: no unit owns the cgroup or
 * no manager answers (write the file), -ENOMEM. */
static int unit_action(struct actuator *act, const struct actuator_env *env,
                       const struct action *a, const struct group_sample *g, bool report)
{
        char unit[SDUNIT_NAME_MAX];
        struct sdunit_memory m = {0};
        struct unit_call *c;
        int r;

        if (!env->sdunit || sdunit_from_cgroup(g->cgroup, unit, sizeof unit) <= 0)
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
        *c = (struct unit_call){.act = act, .action = *a, .group = *g, .report = report};
        r = sdunit_set_memory(env->sdunit, unit, &m, on_unit_done, c);
        if (r < 0) {
                free(c);
                return r == -ENOMEM ? r : 0;
        }
        return 1;
}

/* ---- Docker, asynchronous -------------------------------------------------- */

static struct pending *pending_new(struct actuator *act, const struct action *a,
                                   const struct group_sample *g)
{
        struct pending *p = calloc(1, sizeof *p);

        if (!p)
                return NULL;
        p->act = act;
        p->action = *a;
        p->group = *g;
        p->next = act->pending;
        if (act->pending)
                act->pending->prev = p;
        act->pending = p;
        act->stats.pending++;
        return p;
}

static void pending_maybe_free(struct pending *p)
{
        if (!p->docker_in_flight && !p->escalation)
                pending_free(p);
}

static void on_docker_done(int result, const char *container_id, void *userdata)
{
        struct pending *p = userdata;

        (void)container_id;
        p->docker_in_flight = false;
        if (result == -ECANCELED) {
                /* shutting down: no outcome is known; nothing is claimed */
        } else if (p->tell_only) {
                /* The kernel already killed it. Docker answers "not running"
                 * when it saw the exit first: that is not a failure. */
                if (result < 0)
                        log_debug("Docker told of the kill of %s: %s", p->action.target,
                                  strerror(-result));
        } else if (!p->recorded) {
                p->recorded = true;
                outcome(p->act, &p->action, &p->group, result,
                        p->action.kind == ACTION_STOP ? "Docker stopped it" : NULL);
        }
        p->escalation = sd_event_source_disable_unref(p->escalation);
        pending_maybe_free(p);
}

/* A stop Docker has not confirmed within its grace period + margin: the
 * kernel finishes it. */
static int on_stop_overdue(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct pending *p = userdata;
        char how[96];
        int r;

        (void)s;
        (void)usec;
        p->escalation = sd_event_source_disable_unref(p->escalation);
        if (!p->recorded) {
                r = cgroup_kill(p->act, &p->group);
                /* the cgroup is gone: the container stopped, Docker is just late */
                if (r == -ENOENT && p->group.cgroup[0])
                        r = 0;
                snprintf(how, sizeof how,
                         "Docker did not confirm within %llu s; escalated to cgroup.kill",
                         (unsigned long long)((p->grace_usec + ACTUATOR_STOP_MARGIN_USEC) /
                                              USEC_PER_SEC));
                p->recorded = true;
                outcome(p->act, &p->action, &p->group, r, how);
        }
        pending_maybe_free(p);
        return 0;
}

static int docker_request(struct actuator *act, const struct actuator_env *env,
                          const struct action *a, const struct group_sample *g, bool tell_only)
{
        struct pending *p;
        int r;

        if (!env->docker || !docker_is_connected(env->docker))
                return -ENOTCONN;
        p = pending_new(act, a, g);
        if (!p)
                return -ENOMEM;
        p->tell_only = tell_only;
        switch (a->kind) {
        case ACTION_LIMIT: {
                int64_t total = -1; /* Docker: memory + swap; -1 = unlimited swap */
                if (a->swap_bytes != BYTES_MAX && a->bytes != BYTES_MAX)
                        total = (int64_t)(a->bytes + a->swap_bytes);
                r = docker_container_update(env->docker, g->id,
                                            a->bytes == BYTES_MAX ? 0 : a->bytes, total,
                                            on_docker_done, p);
                break;
        }
        case ACTION_STOP:
                p->grace_usec = env->config->memory.stop_timeout_usec;
                r = docker_container_stop(env->docker, g->id,
                                          (unsigned)(p->grace_usec / USEC_PER_SEC),
                                          on_docker_done, p);
                if (r >= 0 && act->deps.event)
                        /* the escalation is the kernel's: it must not wait on dockerd */
                        (void)sd_event_add_time_relative(
                                act->deps.event, &p->escalation, CLOCK_MONOTONIC,
                                p->grace_usec + ACTUATOR_STOP_MARGIN_USEC, 0, on_stop_overdue, p);
                break;
        case ACTION_KILL:
                r = docker_container_kill(env->docker, g->id, on_docker_done, p);
                break;
        default:
                r = -EOPNOTSUPP;
        }
        if (r < 0) {
                pending_free(p);
                return r;
        }
        p->docker_in_flight = true;
        return 0;
}

/* Carry out one action that passed the gate; records its outcome now, or
 * when the asynchronous part completes. */
static void carry_out(struct actuator *act, const struct actuator_env *env,
                      const struct action *a, const struct group_sample *g)
{
        bool container = g->kind == GROUP_CONTAINER;
        int r;

        if (a->kind == ACTION_THROTTLE) {
                r = cgroup_action(act, a, g);
                if (r >= 0 && unit_action(act, env, a, g, false) < 0)
                        log_warning("out of memory: systemd not told of %s's memory.high",
                                    a->target);
                outcome(act, a, g, r, NULL);
                return;
        }
        if (a->kind == ACTION_HIGH ||
            (a->kind == ACTION_LIMIT && (!container || a->bytes == BYTES_MAX) &&
             act->deps.layout->v2_memory)) {
                r = unit_action(act, env, a, g, true);
                if (r > 0)
                        return; /* the outcome is systemd's reply */
                if (r < 0) {
                        outcome(act, a, g, r, NULL);
                        return;
                }
        }
        switch (a->kind) {
        case ACTION_KILL:
                r = cgroup_kill(act, g);
                if (r >= 0) {
                        outcome(act, a, g, r, "cgroup.kill");
                        /* Docker learns afterwards; its restart policy then
                         * leaves the container stopped */
                        if (container)
                                (void)docker_request(act, env, a, g, true);
                        return;
                }
                /* no cgroup.kill in this kernel (< 5.14): Docker's SIGKILL */
                if (container && r == -ENOENT && docker_request(act, env, a, g, false) >= 0)
                        return;
                break;
        case ACTION_STOP:
                r = container ? docker_request(act, env, a, g, false) : -EOPNOTSUPP;
                if (r >= 0)
                        return;
                break;
        case ACTION_LIMIT:
                /* Docker's update cannot lift a memory limit (0 means
                 * "unchanged"): on cgroup v2 the file is written, elsewhere it
                 * cannot be done. Otherwise containers through Docker, so
                 * Docker's view stays true. */
                if (container && a->bytes == BYTES_MAX)
                        r = act->deps.layout->v2_memory ? cgroup_action(act, a, g) : -EOPNOTSUPP;
                else if (container) {
                        r = docker_request(act, env, a, g, false);
                        if (r >= 0)
                                return;
                } else
                        r = cgroup_action(act, a, g);
                break;
        default:
                r = cgroup_action(act, a, g);
        }
        outcome(act, a, g, r, NULL);
}

/* ---- the gate -------------------------------------------------------------- */

static void log_candidates(const struct actuator_env *env, const struct snapshot *snapshot,
                           const struct plan *plan)
{
        char line[1024] = "";
        size_t used = 0;

        for (size_t i = 0; i < plan->n_candidates; i++) {
                const struct group_sample *g = &snapshot->groups[plan->candidates[i]];
                const struct rule *rule = g->rule >= 0 ? &env->config->rules[g->rule] : NULL;
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
static int reconfirm(struct actuator *act, const struct actuator_env *env,
                     const struct snapshot *snapshot, const struct policy_state *policy,
                     const struct action *a)
{
        struct sampler_context ctx = {
            .config = env->config, .fs = act->deps.fs, .layout = act->deps.layout,
            .docker = env->docker};
        struct snapshot fresh;
        struct policy_input in = {.config = env->config, .snapshot = &fresh,
                                  .now = util_now_usec()};
        struct group_sample *copy;
        const struct group_sample *old = snapshot_find(snapshot, a->key);
        int r;

        if (!old)
                return 0;
        snapshot_init(&fresh);
        fresh.time = in.now;
        r = cgfs_read_meminfo(act->deps.fs, &fresh.host.mem);
        if (r >= 0)
                fresh.host.has_psi =
                        cgfs_read_host_psi(act->deps.fs, "memory", &fresh.host.memory_psi) >= 0;
        copy = r >= 0 ? snapshot_add_group(&fresh) : NULL;
        if (copy) {
                *copy = *old;
                r = sampler_refresh_group(&ctx, copy);
        }
        r = r >= 0 && copy ? policy_confirm(&in, policy, a) : 0;
        snapshot_done(&fresh);
        return r;
}

/* ---- what a plain cgroup holds ------------------------------------------------ */

/* directories looked at below a plain cgroup before giving up (and refusing) */
#define SUBTREE_ENTRIES_MAX 4096
#define SUBTREE_DEPTH_MAX   6
#define CONTAINER_ID_LEN    64

/* A container id in a cgroup directory name ("<id>", "docker-<id>.scope"). */
static bool name_container_id(const char *name, char ret_id[CONTAINER_ID_LEN + 1])
{
        for (const char *p = name; *p; p++) {
                size_t n = strspn(p, "0123456789abcdef");

                if (n == CONTAINER_ID_LEN) {
                        memcpy(ret_id, p, CONTAINER_ID_LEN);
                        ret_id[CONTAINER_ID_LEN] = '\0';
                        return true;
                }
                if (n > 0)
                        p += n - 1;
        }
        return false;
}

struct subtree_walk {
        const struct actuator_env *env;
        size_t entries;
        char *why;
        size_t size;
};

/* 1 (why filled): a container with this id is protected, or unknown. */
static int container_id_check(struct subtree_walk *w, const char *id)
{
        const struct docker_container *c =
                w->env->docker ? docker_container_find(w->env->docker, id) : NULL;
        int rule = c ? config_rule_find(w->env->config, RULE_CONTAINER, c->name, c->image,
                                        (const char *const *)c->labels, NULL)
                     : -1;

        if (!c) {
                snprintf(w->why, w->size, "it holds container %.12s, not known to the governor yet",
                         id);
                return 1;
        }
        if (rule >= 0 && w->env->config->rules[rule].protect) {
                snprintf(w->why, w->size, "it holds protected container %s",
                         c->name ? c->name : id);
                return 1;
        }
        return 0;
}

/* 1: the walk found a reason to refuse (in w->why), 0: nothing found. */
static int subtree_check(struct subtree_walk *w, int fd_dir, unsigned depth)
{
        DIR *dir;
        struct dirent *de;
        int r = 0;

        dir = fdopendir(fd_dir);
        if (!dir) {
                close(fd_dir);
                return 0; /* gone: nothing to protect */
        }
        while (r == 0 && (de = readdir(dir))) {
                char id[CONTAINER_ID_LEN + 1];
                int fd;

                if (de->d_type != DT_DIR || de->d_name[0] == '.')
                        continue;
                if (++w->entries > SUBTREE_ENTRIES_MAX || depth >= SUBTREE_DEPTH_MAX) {
                        snprintf(w->why, w->size, "its cgroup tree is too large to check");
                        r = 1;
                        break;
                }
                if (name_container_id(de->d_name, id)) {
                        r = container_id_check(w, id);
                        continue;
                }
                fd = openat(dirfd(dir), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (fd >= 0)
                        r = subtree_check(w, fd, depth + 1);
        }
        closedir(dir);
        return r;
}

/* A plain cgroup about to be killed, throttled or reclaimed from: does
 * its tree hold a protected container, or one Docker has not told us about
 * yet (before the first sync)? The snapshot cannot say: it knows only the
 * containers Docker listed. Bounded; refuses when the tree is too large. */
static const char *subtree_block(struct actuator *act, const struct actuator_env *env,
                                 const struct group_sample *g, char *buf, size_t size)
{
        char path[PATH_MAX], id[CONTAINER_ID_LEN + 1];
        struct subtree_walk w = {.env = env, .why = buf, .size = size};
        const char *base = strrchr(g->cgroup, '/');
        int fd;

        if (g->kind != GROUP_CGROUP || !g->cgroup[0])
                return NULL;
        /* the cgroup of a container itself, seen as a plain cgroup */
        if (name_container_id(base ? base + 1 : g->cgroup, id) && container_id_check(&w, id))
                return buf;
        if (snprintf(path, sizeof path, "%s/%s", act->deps.layout->v2_root, g->cgroup) >=
            (int)sizeof path)
                return "its cgroup path is too long to check";
        fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return NULL;
        return subtree_check(&w, fd, 0) ? buf : NULL;
}

/* NULL: the action may go ahead; else why not (in buf or a constant).
 * *ret_pace: the refusal is structural, so the policy is paced as if the
 * action had been tried (a pause or a fresh sample may change the next time). */
static const char *gate(struct actuator *act, const struct actuator_env *env,
                        const struct snapshot *snapshot, const struct policy_state *policy,
                        const struct action *a, const struct group_sample *g, char *buf,
                        size_t size, bool *ret_pace)
{
        const char *why;

        *ret_pace = true;
        why = policy_structural_block(env->config, snapshot, g, a->kind, buf, size);
        if (!why && a->kind != ACTION_LIMIT && a->kind != ACTION_HIGH)
                why = subtree_block(act, env, g, buf, size);
        if (why)
                return why;
        *ret_pace = false;
        /* a pause that arrived between plan and action cancels the action */
        if (actuator_paused(env->overrides))
                return ACTUATOR_PAUSED_WHY;
        if (action_is_destructive(a->kind) && reconfirm(act, env, snapshot, policy, a) <= 0)
                return "no longer justified on a fresh sample";
        *ret_pace = true;
        return NULL;
}

/* Defense in depth (issue 14): oom_score_adj, memory.oom.group and
 * memory.low/min after the plan's actions (those are the urgent ones). It
 * runs in pause too: it takes nothing from anyone and is what spares a
 * protected group while the governor does not act. Dry-run writes nothing. */
static void guard_run(struct actuator *act, const struct actuator_env *env,
                      struct snapshot *snapshot)
{
        struct oomguard_context ctx = {
            .fs = act->deps.fs,
            .sdunit = env->sdunit,
            .v2_memory = act->deps.layout->v2_memory,
            .dry_run = env->dry_run,
        };

        if (env->oomguard && oomguard_run(env->oomguard, &ctx, env->config, snapshot,
                                          util_now_usec()) == -ENOMEM)
                log_error("out of memory while protecting groups from the OOM killer");
}

void actuator_run(struct actuator *act, const struct actuator_env *env,
                  struct snapshot *snapshot, const struct plan *plan,
                  struct policy_state *policy)
{
        bool candidates_logged = false;

        assert(act && env && env->config && snapshot && plan && policy);
        /* every evaluation: a pause window ends when enforcement resumes */
        if (!actuator_paused(env->overrides))
                actuator_disk_pause_over(act);
        for (size_t i = 0; i < plan->n_actions; i++) {
                const struct action *a = &plan->actions[i];
                const struct group_sample *g = &snapshot->groups[a->group];
                char buf[GROUP_CGROUP_MAX * 2 + 64];
                const char *why;
                bool pace;

                if (action_is_destructive(a->kind) && !candidates_logged) {
                        log_candidates(env, snapshot, plan);
                        candidates_logged = true;
                }
                why = gate(act, env, snapshot, policy, a, g, buf, sizeof buf, &pace);
                if (why)
                        skipped(act, a, g, env->dry_run, why);
                else if (env->dry_run) {
                        log_action(LOG_NOTICE, MSGID_ACTION, a, g, true, "not carried out");
                        record(act, a, HISTORY_RESULT_DRY_RUN, NULL);
                } else
                        carry_out(act, env, a, g);
                /* a failed action paces the policy too: retrying it every
                 * tick helps no one */
                if (pace)
                        policy_note_action(policy, a, util_now_usec());
        }
        guard_run(act, env, snapshot);
}
