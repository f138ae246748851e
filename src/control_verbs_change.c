/* control_verbs_change — the changing verbs; see include/control_verbs.h */
#include "control_verbs.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control_server.h"
#include "control_status.h"
#include "disks.h"
#include "history.h"
#include "log.h"
#include "overrides.h"
#include "status.h"
#include "units.h"

static void format_expiry(usec_t expires, char *buf, size_t size)
{
        time_t t = (time_t)(expires / USEC_PER_SEC);
        struct tm tm;

        if (expires == 0)
                util_strlcpy(buf, "cleared", size);
        else if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, size, "@%" PRIu64, (uint64_t)(expires / USEC_PER_SEC));
}

static void log_change(const struct control_peer *peer, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_change(const struct control_peer *peer, const char *fmt, ...)
{
        char msg[512], f_uid[32], f_pid[32];
        const char *fields[] = {"GOVERNOR_OVERRIDE_EVENT=request", f_uid, f_pid, NULL};
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(f_uid, sizeof f_uid, "GOVERNOR_PEER_UID=%u", (unsigned)peer->uid);
        snprintf(f_pid, sizeof f_pid, "GOVERNOR_PEER_PID=%d", (int)peer->pid);
        log_event(LOG_NOTICE, MSGID_OVERRIDE, fields, "%s (by uid %u, pid %d)", msg,
                  (unsigned)peer->uid, (int)peer->pid);
}

/* Overrides apply to managed groups (policy.h): a rule name, or the name or
 * id of a group some rule matched. 0 ok, else a message in err. */
static int check_override_target(const struct status *st, const char *name, char *err, size_t size)
{
        bool unmanaged = false;

        for (size_t i = 0; st->config && i < st->config->n_rules; i++)
                if (strcmp(st->config->rules[i].name, name) == 0)
                        return 0;
        for (size_t i = 0; i < st->snapshot->n_groups; i++) {
                const struct group_sample *g = &st->snapshot->groups[i];
                if (strcmp(g->name, name) != 0 && strcmp(g->id, name) != 0)
                        continue;
                if (g->rule >= 0)
                        return 0;
                unmanaged = true;
        }
        if (unmanaged)
                snprintf(err, size,
                         "%s is not matched by any [container:] or [cgroup:] rule; overrides "
                         "apply to managed groups only",
                         name);
        else
                snprintf(err, size, "no rule, container or cgroup named %s", name);
        return -ENOENT;
}

/* A limit below what a protected group uses now would have the kernel
 * OOM-kill inside it: true (and err filled) when name (a group, or a rule
 * covering groups) names a protected group using more than bytes. */
static bool protected_usage_above(const struct status *st, const char *name, uint64_t bytes,
                                  char *err, size_t size)
{
        for (size_t i = 0; st->config && i < st->snapshot->n_groups; i++) {
                const struct group_sample *g = &st->snapshot->groups[i];
                const struct rule *rule = g->rule >= 0 && (size_t)g->rule < st->config->n_rules
                                              ? &st->config->rules[g->rule]
                                              : NULL;
                char used[32], limit[32];

                if (!rule || !rule->protect || !g->has_memory || g->memory_current <= bytes)
                        continue;
                if (strcmp(g->name, name) != 0 && strcmp(g->id, name) != 0 &&
                    strcmp(rule->name, name) != 0)
                        continue;
                snprintf(err, size,
                         "%s is protected and uses %s now: a limit of %s would have the kernel "
                         "OOM-kill inside it; refused",
                         g->name, units_format_bytes_human(g->memory_current, used, sizeof used),
                         units_format_bytes_human(bytes, limit, sizeof limit));
                return true;
        }
        return false;
}

/* Does the override called name apply to the group called target (its name,
 * id or rule, as policy.c matches overrides)? */
static bool override_covers(const struct status *st, const char *name, const char *target)
{
        for (size_t i = 0; i < st->snapshot->n_groups; i++) {
                const struct group_sample *g = &st->snapshot->groups[i];

                if (strcmp(g->name, target) != 0)
                        continue;
                if (strcmp(g->name, name) == 0 || (g->id[0] && strcmp(g->id, name) == 0) ||
                    (g->rule >= 0 && st->config && (size_t)g->rule < st->config->n_rules &&
                     strcmp(st->config->rules[g->rule].name, name) == 0))
                        return true;
        }
        return false;
}

/* A limit for the override that failed in the history entries added since
 * mark (history_total before the evaluation): 1 with the target and the
 * error in err, else 0. Only failures known at once are seen here (cgroup
 * writes, an update Docker cannot make); a Docker update still in flight
 * lands in history when it answers. */
static int limit_failed_since(const struct status *st, uint64_t mark, const char *name, char *err,
                              size_t size)
{
        uint64_t added;
        size_t n;

        if (!st->history)
                return 0;
        added = history_total(st->history) - mark;
        n = history_count(st->history);
        for (size_t i = added < n ? n - (size_t)added : 0; i < n; i++) {
                const struct history_entry *e = history_get(st->history, i);

                if (e->result != HISTORY_RESULT_FAILED || strcmp(e->kind, "limit") != 0 ||
                    !override_covers(st, name, e->target))
                        continue;
                snprintf(err, size,
                         "memory.max of %s could not be set: %s; the override is "
                         "withdrawn",
                         e->target, e->detail[0] ? e->detail : "failed");
                return 1;
        }
        return 0;
}

char *control_verb_set_limit(const struct control_verb_env *env, const struct control_peer *peer,
                             const struct control_request *req)
{
        const struct status *st = env->status;
        usec_t expires = 0;
        uint64_t bytes = req->memory_max;
        char err[PATH_MAX + 256], undo_err[PATH_MAX + 256], size[32], when[32];
        _cleanup_free_ char *before = NULL;
        uint64_t mark;
        int r;

        if (check_override_target(st, req->name, err, sizeof err) < 0)
                return control_response_error("%s", err);
        if (req->memory_max_is_percent) {
                uint64_t total = st->snapshot->host.mem.mem_total_bytes;
                if (total == 0)
                        return control_response_error("host memory size not known yet");
                bytes = (uint64_t)((double)total * req->memory_max_percent / 100.0);
        }
        if (bytes < CONTROL_MIN_LIMIT_BYTES)
                return control_response_error("memory limit %s is below the minimum of 6M",
                                              units_format_bytes_human(bytes, size, sizeof size));
        if (protected_usage_above(st, req->name, bytes, err, sizeof err))
                return control_response_error("%s", err);
        if (req->for_usec > 0)
                expires = util_realtime_usec() + req->for_usec;
        if (overrides_format_json(env->overrides, &before) < 0)
                return control_response_error("out of memory");
        r = overrides_set(env->overrides, req->name, bytes, expires);
        if (r == -E2BIG)
                return control_response_error("too many overrides (limit %d)", OVERRIDES_MAX);
        if (r < 0)
                return control_response_error("cannot set override: %s", strerror(-r));
        if (env->commit(env->userdata, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        format_expiry(expires, when, sizeof when);
        log_change(peer, "override for %s: memory.max %s until %s", req->name,
                   units_format_bytes_human(bytes, size, sizeof size), when);
        mark = st->history ? history_total(st->history) : 0;
        env->ops->evaluate(env->ops->userdata, "override set");
        /* st is republished by the evaluation: read it again from here on */
        if (limit_failed_since(env->status, mark, req->name, err, sizeof err)) {
                /* an override that cannot be applied is not in force: say so (exit 1)
                 * and put the previous overrides back rather than retry it forever */
                log_warning("override for %s: %s", req->name, err);
                (void)overrides_parse_json(env->overrides, before, strlen(before),
                                           util_realtime_usec());
                (void)env->commit(env->userdata, NULL, undo_err, sizeof undo_err);
                env->ops->evaluate(env->ops->userdata, "override withdrawn");
                return control_response_error("%s", err);
        }
        return control_response_ok(
            control_override_json(overrides_find(env->overrides, req->name)));
}

char *control_verb_clear(const struct control_verb_env *env, const struct control_peer *peer,
                         const struct control_request *req)
{
        _cleanup_free_ char *before = NULL;
        char err[PATH_MAX + 256];
        cJSON *res;

        if (overrides_format_json(env->overrides, &before) < 0)
                return control_response_error("out of memory");
        if (overrides_clear(env->overrides, req->name) < 0)
                return control_response_error("no override for %s", req->name);
        if (env->commit(env->userdata, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        log_change(peer, "override for %s cleared", req->name);
        env->ops->evaluate(env->ops->userdata, "override cleared");
        res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "name", req->name);
        cJSON_AddBoolToObject(res, "cleared", true);
        return control_response_ok(res);
}

char *control_verb_pause(const struct control_verb_env *env, const struct control_peer *peer,
                         const struct control_request *req)
{
        usec_t until = req->for_usec > 0 ? util_realtime_usec() + req->for_usec : 0;
        char when[32], err[PATH_MAX + 256];
        _cleanup_free_ char *before = NULL;
        cJSON *res;

        if (overrides_format_json(env->overrides, &before) < 0)
                return control_response_error("out of memory");
        overrides_pause(env->overrides, until);
        if (env->commit(env->userdata, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        format_expiry(until, when, sizeof when);
        log_change(peer, "enforcement paused until %s", until ? when : "resumed");
        env->ops->evaluate(env->ops->userdata, "paused");
        res = cJSON_CreateObject();
        cJSON_AddBoolToObject(res, "paused", true);
        if (until)
                cJSON_AddNumberToObject(res, "expires", (double)(until / USEC_PER_SEC));
        else
                cJSON_AddNullToObject(res, "expires");
        return control_response_ok(res);
}

char *control_verb_resume(const struct control_verb_env *env, const struct control_peer *peer)
{
        _cleanup_free_ char *before = NULL;
        char err[PATH_MAX + 256];
        bool resumed;
        cJSON *res;

        if (overrides_format_json(env->overrides, &before) < 0)
                return control_response_error("out of memory");
        resumed = overrides_resume(env->overrides);
        if (env->commit(env->userdata, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        if (resumed)
                log_change(peer, "enforcement resumed");
        env->ops->evaluate(env->ops->userdata, "resumed");
        res = cJSON_CreateObject();
        cJSON_AddBoolToObject(res, "paused", false);
        return control_response_ok(res);
}

char *control_verb_reload(const struct control_verb_env *env, const struct control_peer *peer)
{
        char err[1024] = "";
        cJSON *res;

        log_change(peer, "reload requested");
        if (env->ops->reload(env->ops->userdata, err, sizeof err) < 0)
                return control_response_error("reload refused: %s", err[0] ? err : "error");
        res = cJSON_CreateObject();
        cJSON_AddBoolToObject(res, "reloaded", true);
        return control_response_ok(res);
}

char *control_verb_cleanup_response(const struct disks_report *report)
{
        cJSON *res, *items;

        if (report->result < 0)
                return control_response_error("cleanup failed: %s", strerror(-report->result));
        res = cJSON_CreateObject();
        cJSON_AddBoolToObject(res, "dry_run", report->dry_run);
        cJSON_AddNumberToObject(res, "bytes", (double)report->bytes_freed);
        /* the list is bounded (disks.h); this many more were not listed */
        cJSON_AddNumberToObject(res, "left_out", (double)report->items_left_out);
        items = cJSON_AddArrayToObject(res, "items");
        for (size_t i = 0; i < report->n_items; i++) {
                const struct disks_item *it = &report->items[i];
                cJSON *j = cJSON_CreateObject();

                cJSON_AddStringToObject(j, "kind", it->kind ? it->kind : "");
                cJSON_AddStringToObject(j, "target", it->target ? it->target : "");
                if (it->reason)
                        cJSON_AddStringToObject(j, "reason", it->reason);
                if (it->has_bytes)
                        cJSON_AddNumberToObject(j, "bytes", (double)it->bytes);
                else
                        cJSON_AddNullToObject(j, "bytes");
                if (it->result < 0)
                        cJSON_AddStringToObject(j, "error", strerror(-it->result));
                cJSON_AddItemToArray(items, j);
        }
        return control_response_ok(res);
}

char *control_verb_cleanup(const struct control_verb_env *env, const struct control_peer *peer,
                           const struct control_request *req,
                           void (*done)(const struct disks_report *report, void *userdata),
                           void *userdata, bool *ret_started)
{
        int r;

        *ret_started = false;
        if (!env->status->disks_available || !env->ops->cleanup)
                return control_response_error("not available: no disk watcher");
        if (!req->dry_run)
                log_change(peer, "disk cleanup requested");
        r = env->ops->cleanup(env->ops->userdata, req->dry_run, done, userdata);
        if (r == -EBUSY)
                return control_response_error("a cleanup is already running");
        if (r < 0)
                return control_response_error("cleanup failed: %s", strerror(-r));
        /* The answer comes from done. */
        *ret_started = true;
        return NULL;
}
