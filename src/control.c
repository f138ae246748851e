/* control — see include/control.h */
#include "control.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <systemd/sd-daemon.h>

#include "control_explain.h"
#include "control_proto.h"
#include "control_status.h"
#include "disks.h"
#include "history.h"
#include "log.h"
#include "metrics.h"
#include "overrides.h"
#include "startup.h"
#include "status.h"
#include "units.h"

#define CONTROL_PEER_GROUPS_MAX      256 /* supplementary groups checked per peer */
#define CONTROL_EXPIRY_ACCURACY_USEC (100 * USEC_PER_MSEC)
#define HISTORY_FILE                 "history.json"

struct control_client {
        struct control *control; /* NULL once the server is gone (deferred reply pending) */
        struct control_client *prev, *next;
        int fd;
        sd_event_source *io;
        sd_event_source *timeout;
        struct ucred cred;
        bool may_read;   /* root or member of CONTROL_GROUP */
        bool may_change; /* root */
        char *in;
        size_t in_len;
        char *out;
        size_t out_len, out_pos;
        bool deferred; /* waiting for an asynchronous result (cleanup) */
};

struct control {
        sd_event *event;
        const struct status *status; /* published by the owner once per evaluation */
        struct overrides *overrides; /* the operator's state: changed here only */
        struct control_ops ops;      /* requests that change things beyond overrides */
        int listen_fd;
        char *path; /* the socket we created and unlink at exit; NULL if passed in */
        sd_event_source *listen_source;
        sd_event_source *expiry;
        struct control_client *clients; /* newest first */
        size_t n_clients;
        size_t n_unprivileged; /* clients that are not root: at most CONTROL_CLIENTS_MAX */
        gid_t group_gid;       /* CONTROL_GROUP, looked up at start-up and reload only */
        bool group_known;
        uint64_t refused_busy;
        uint64_t history_saved_total;
        bool metrics_dir_missing_logged;
        bool metrics_error_logged;
};

/* ---- paths -------------------------------------------------------------- */

static int state_path(const char *dir, const char *file, char *buf, size_t size)
{
        if (!dir || !dir[0])
                return -ENOENT;
        if (snprintf(buf, size, "%s/%s", dir, file) >= (int)size)
                return -ENAMETOOLONG;
        return 0;
}

/* ---- state: overrides and history --------------------------------------- */

/* An operator's change is acknowledged only once durable. before: the
 * state as it was (overrides_format_json) to put back when the save fails.
 * 0 saved (or no state directory: nothing is kept, as logged at start-up),
 * else -errno with the change undone and err filled. */
static int save_overrides(struct control *c, const char *before, char *err, size_t size)
{
        char path[PATH_MAX];
        int r;

        if (state_path(c->status->state_dir, OVERRIDES_FILE, path, sizeof path) < 0)
                return 0;
        r = overrides_save(c->overrides, path);
        if (r < 0) {
                snprintf(err, size, "cannot save %s: %s; the change is not made", path,
                         strerror(-r));
                log_warning("%s", err);
                if (before)
                        (void)overrides_parse_json(c->overrides, before, strlen(before),
                                                   util_realtime_usec());
        }
        return r;
}

static void save_history(struct control *c)
{
        const struct history *h = c->status->history;
        char path[PATH_MAX];
        int r;

        if (!h || history_total(h) == c->history_saved_total)
                return;
        c->history_saved_total = history_total(h);
        if (state_path(c->status->state_dir, HISTORY_FILE, path, sizeof path) < 0)
                return;
        r = history_save(h, path);
        if (r < 0)
                log_warning("cannot save %s: %s", path, strerror(-r));
}

int control_state_open(const char *dir, struct history *history, struct overrides **ret)
{
        struct overrides *o;
        char path[PATH_MAX];
        size_t n_overrides = 0;
        int r;

        assert(ret);

        r = overrides_new(&o);
        if (r < 0)
                return r;
        *ret = o; /* the caller owns it from here, whatever follows */
        if (!dir || !dir[0]) {
                log_warning("no state directory configured: overrides and history are not kept");
                return 0;
        }
        if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
                log_warning("cannot create state directory %s: %s", dir, strerror(errno));
                return 0;
        }

        if (state_path(dir, OVERRIDES_FILE, path, sizeof path) == 0) {
                r = overrides_load(o, path, util_realtime_usec());
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && r != -ENOENT && r != -EINVAL)
                        log_warning("cannot read %s: %s", path, strerror(-r));
        }
        if (history && state_path(dir, HISTORY_FILE, path, sizeof path) == 0) {
                r = history_load(history, path);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 && r != -ENOENT && r != -EINVAL)
                        log_warning("cannot read %s: %s", path, strerror(-r));
        }
        (void)overrides_get(o, &n_overrides);
        if (n_overrides > 0 || overrides_paused(o))
                log_event(LOG_NOTICE, MSGID_OVERRIDE, NULL, "restored %zu override(s)%s from %s",
                          n_overrides, overrides_paused(o) ? ", enforcement paused" : "", dir);
        return 0;
}

/* ---- override expiry ---------------------------------------------------- */

static void format_expiry(usec_t expires, char *buf, size_t size)
{
        time_t t = (time_t)(expires / USEC_PER_SEC);
        struct tm tm;

        if (expires == 0)
                util_strlcpy(buf, "cleared", size);
        else if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                snprintf(buf, size, "@%" PRIu64, (uint64_t)(expires / USEC_PER_SEC));
}

static void arm_expiry(struct control *c)
{
        usec_t next = overrides_next_expiry(c->overrides);
        int r;

        if (next == USEC_INFINITY) {
                (void)sd_event_source_set_enabled(c->expiry, SD_EVENT_OFF);
                return;
        }
        r = sd_event_source_set_time(c->expiry, next);
        if (r >= 0)
                r = sd_event_source_set_enabled(c->expiry, SD_EVENT_ONESHOT);
        if (r < 0)
                log_error("cannot arm the override expiry timer: %s", strerror(-r));
}

void control_overrides_changed(struct control *c)
{
        assert(c);
        arm_expiry(c);
}

static void on_expired(const struct override *o, void *userdata)
{
        char f_name[GROUP_NAME_MAX + 32], size[32];
        const char *fields[] = {"GOVERNOR_OVERRIDE_EVENT=expired", f_name, NULL};

        (void)userdata;
        if (!o) {
                fields[1] = NULL;
                log_event(LOG_NOTICE, MSGID_OVERRIDE, fields, "pause expired: enforcement resumed");
                return;
        }
        snprintf(f_name, sizeof f_name, "GOVERNOR_CONTAINER=%s", o->name);
        log_event(LOG_NOTICE, MSGID_OVERRIDE, fields,
                  "override for %s (memory.max %s) expired; the configured limit applies again",
                  o->name, units_format_bytes_human(o->memory_max, size, sizeof size));
}

static int on_expiry_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct control *c = userdata;

        (void)s;
        (void)usec;
        if (overrides_expire(c->overrides, util_realtime_usec(), on_expired, c) > 0) {
                /* an expiry is not undone: the next save or start-up drops it */
                char err[PATH_MAX + 256];
                (void)save_overrides(c, NULL, err, sizeof err);
                arm_expiry(c);
                c->ops.evaluate(c->ops.userdata, "override expired");
        } else
                arm_expiry(c);
        return 0;
}

/* ---- clients ------------------------------------------------------------ */

static void client_free(struct control_client *cl)
{
        struct control *c = cl->control;

        if (c) {
                if (cl->prev)
                        cl->prev->next = cl->next;
                else
                        c->clients = cl->next;
                if (cl->next)
                        cl->next->prev = cl->prev;
                c->n_clients--;
                if (cl->cred.uid != 0)
                        c->n_unprivileged--;
        }
        cl->io = sd_event_source_disable_unref(cl->io);
        cl->timeout = sd_event_source_disable_unref(cl->timeout);
        if (cl->fd >= 0)
                close(cl->fd);
        free(cl->in);
        free(cl->out);
        free(cl);
}

/* The peer went away or misbehaved while a deferred result is pending:
 * stop talking to it, keep the struct for the completion callback. */
static void client_detach(struct control_client *cl)
{
        cl->io = sd_event_source_disable_unref(cl->io);
        cl->timeout = sd_event_source_disable_unref(cl->timeout);
        if (cl->fd >= 0) {
                close(cl->fd);
                cl->fd = -1;
        }
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static int arm_client_timeout(struct control_client *cl)
{
        return sd_event_source_set_time_relative(cl->timeout, CONTROL_CLIENT_TIMEOUT_USEC) < 0 ||
                       sd_event_source_set_enabled(cl->timeout, SD_EVENT_ONESHOT) < 0
                   ? -EIO
                   : 0;
}

/* Take ownership of line and start writing it. */
static void client_respond(struct control_client *cl, char *line)
{
        if (!line) {
                log_error("out of memory answering a control request");
                client_free(cl);
                return;
        }
        free(cl->out);
        cl->out = line;
        cl->out_len = strlen(line);
        cl->out_pos = 0;
        cl->deferred = false;
        if (cl->fd < 0 || !cl->control) {
                /* Nobody to answer any more. */
                client_free(cl);
                return;
        }
        if (arm_client_timeout(cl) < 0 || sd_event_source_set_io_events(cl->io, EPOLLOUT) < 0) {
                client_free(cl);
                return;
        }
        /* Try at once: most responses fit in the socket buffer. */
        (void)on_client_io(cl->io, cl->fd, EPOLLOUT, cl);
}

static void log_change(const struct control_client *cl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void log_change(const struct control_client *cl, const char *fmt, ...)
{
        char msg[512], f_uid[32], f_pid[32];
        const char *fields[] = {"GOVERNOR_OVERRIDE_EVENT=request", f_uid, f_pid, NULL};
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        snprintf(f_uid, sizeof f_uid, "GOVERNOR_PEER_UID=%u", (unsigned)cl->cred.uid);
        snprintf(f_pid, sizeof f_pid, "GOVERNOR_PEER_PID=%d", (int)cl->cred.pid);
        log_event(LOG_NOTICE, MSGID_OVERRIDE, fields, "%s (by uid %u, pid %d)", msg,
                  (unsigned)cl->cred.uid, (int)cl->cred.pid);
}

/* A result builder returns NULL only on -ENOMEM: say so rather than "null". */
static char *ok_or_nomem(cJSON *result)
{
        if (!result)
                return control_response_error("out of memory");
        return control_response_ok(result);
}

/* Overrides apply to managed groups (policy.h): a rule name, or the name or
 * id of a group some rule matched. 0 ok, else a message in err. */
static int check_override_target(const struct status *st, const char *name, char *err,
                                 size_t size)
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
                const struct rule *rule =
                        g->rule >= 0 && (size_t)g->rule < st->config->n_rules
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
                snprintf(err, size, "memory.max of %s could not be set: %s; the override is "
                                    "withdrawn",
                         e->target, e->detail[0] ? e->detail : "failed");
                return 1;
        }
        return 0;
}

static char *do_set_limit(struct control_client *cl, const struct control_request *req)
{
        struct control *c = cl->control;
        const struct status *st = c->status;
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
        if (overrides_format_json(c->overrides, &before) < 0)
                return control_response_error("out of memory");
        r = overrides_set(c->overrides, req->name, bytes, expires);
        if (r == -E2BIG)
                return control_response_error("too many overrides (limit %d)", OVERRIDES_MAX);
        if (r < 0)
                return control_response_error("cannot set override: %s", strerror(-r));
        if (save_overrides(c, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        format_expiry(expires, when, sizeof when);
        log_change(cl, "override for %s: memory.max %s until %s", req->name,
                   units_format_bytes_human(bytes, size, sizeof size), when);
        arm_expiry(cl->control);
        mark = st->history ? history_total(st->history) : 0;
        c->ops.evaluate(c->ops.userdata, "override set");
        /* st is republished by the evaluation: read it again from here on */
        if (limit_failed_since(c->status, mark, req->name, err, sizeof err)) {
                /* an override that cannot be applied is not in force: say so (exit 1)
                 * and put the previous overrides back rather than retry it forever */
                log_warning("override for %s: %s", req->name, err);
                (void)overrides_parse_json(c->overrides, before, strlen(before),
                                           util_realtime_usec());
                (void)save_overrides(c, NULL, undo_err, sizeof undo_err);
                arm_expiry(c);
                c->ops.evaluate(c->ops.userdata, "override withdrawn");
                return control_response_error("%s", err);
        }
        return control_response_ok(control_override_json(overrides_find(c->overrides, req->name)));
}

static char *do_clear(struct control_client *cl, const struct control_request *req)
{
        struct control *c = cl->control;
        _cleanup_free_ char *before = NULL;
        char err[PATH_MAX + 256];
        cJSON *res;

        if (overrides_format_json(c->overrides, &before) < 0)
                return control_response_error("out of memory");
        if (overrides_clear(c->overrides, req->name) < 0)
                return control_response_error("no override for %s", req->name);
        if (save_overrides(c, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        log_change(cl, "override for %s cleared", req->name);
        arm_expiry(c);
        c->ops.evaluate(c->ops.userdata, "override cleared");
        res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "name", req->name);
        cJSON_AddBoolToObject(res, "cleared", true);
        return control_response_ok(res);
}

static char *do_pause(struct control_client *cl, const struct control_request *req)
{
        struct control *c = cl->control;
        usec_t until = req->for_usec > 0 ? util_realtime_usec() + req->for_usec : 0;
        char when[32], err[PATH_MAX + 256];
        _cleanup_free_ char *before = NULL;
        cJSON *res;

        if (overrides_format_json(c->overrides, &before) < 0)
                return control_response_error("out of memory");
        overrides_pause(c->overrides, until);
        if (save_overrides(c, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        format_expiry(until, when, sizeof when);
        log_change(cl, "enforcement paused until %s", until ? when : "resumed");
        arm_expiry(c);
        c->ops.evaluate(c->ops.userdata, "paused");
        res = cJSON_CreateObject();
        cJSON_AddBoolToObject(res, "paused", true);
        if (until)
                cJSON_AddNumberToObject(res, "expires", (double)(until / USEC_PER_SEC));
        else
                cJSON_AddNullToObject(res, "expires");
        return control_response_ok(res);
}

static char *do_resume(struct control_client *cl)
{
        struct control *c = cl->control;
        _cleanup_free_ char *before = NULL;
        char err[PATH_MAX + 256];
        bool resumed;
        cJSON *res;

        if (overrides_format_json(c->overrides, &before) < 0)
                return control_response_error("out of memory");
        resumed = overrides_resume(c->overrides);
        if (save_overrides(c, before, err, sizeof err) < 0)
                return control_response_error("%s", err);
        if (resumed)
                log_change(cl, "enforcement resumed");
        arm_expiry(c);
        c->ops.evaluate(c->ops.userdata, "resumed");
        res = cJSON_CreateObject();
        cJSON_AddBoolToObject(res, "paused", false);
        return control_response_ok(res);
}

static char *do_reload(struct control_client *cl)
{
        char err[1024] = "";
        cJSON *res;

        log_change(cl, "reload requested");
        if (cl->control->ops.reload(cl->control->ops.userdata, err, sizeof err) < 0)
                return control_response_error("reload refused: %s", err[0] ? err : "error");
        res = cJSON_CreateObject();
        cJSON_AddBoolToObject(res, "reloaded", true);
        return control_response_ok(res);
}

/* What the governor would do now and why (policy_explain: pure, acts on
 * nothing, leaves the policy state as it is). */
static char *do_explain(struct control_client *cl, const struct control_request *req)
{
        const struct status *st = cl->control->status;
        const struct overrides *o = cl->control->overrides;
        struct policy_input in = {
            .config = st->config,
            .snapshot = st->snapshot,
            .now = util_now_usec(),
        };
        struct explanation e;
        size_t n_groups = 0;
        cJSON *result;
        int r;

        if (!st->config || !st->snapshot || !st->policy)
                return control_response_error("no configuration loaded");
        in.paused = overrides_paused(o);
        in.overrides = overrides_get(o, &in.n_overrides);
        explanation_init(&e);
        r = policy_explain(&in, st->policy, &e);
        result = r < 0 ? NULL
                       : control_explain_json(&e, &in, st->dry_run, req->name[0] ? req->name : NULL,
                                              &n_groups);
        explanation_done(&e);
        if (result && req->name[0] && n_groups == 0) {
                cJSON_Delete(result);
                return control_response_error("no container, cgroup or rule named %s", req->name);
        }
        return ok_or_nomem(result);
}

static char *do_metrics(struct control_client *cl)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        r = metrics_format(cl->control->status, cl->control->overrides, f);
        if (fclose(f) != 0 || r < 0)
                return control_response_error("cannot format metrics");
        return control_response_ok(cJSON_CreateString(buf));
}

static char *do_status(struct control_client *cl)
{
        const struct status *st = cl->control->status;
        const struct overrides *o = cl->control->overrides;
        struct control_disk_view disks[STATUS_DISKS_MAX];
        struct control_status_input in = {
            .version = VERSION,
            .config = st->config,
            .snapshot = st->snapshot,
            .memory_tier = st->memory_tier,
            .disks = disks,
            .dry_run = st->dry_run,
            .paused = overrides_paused(o),
            .paused_until_realtime_usec = overrides_paused_until(o),
            .docker_configured = st->docker_configured,
            .docker_connected = st->docker_connected,
            .docker_version = st->docker_version[0] ? st->docker_version : NULL,
            .docker_api_version = st->docker_api_version[0] ? st->docker_api_version : NULL,
        };

        static const char *const hybrid_unavailable[] = CONTROL_HYBRID_UNAVAILABLE_ACTIONS;

        if (!st->snapshot)
                return control_response_error("starting: nothing sampled yet");
        if (st->layout == CGFS_LAYOUT_HYBRID) {
                in.unavailable_actions = hybrid_unavailable;
                in.n_unavailable_actions = ELEMENTSOF(hybrid_unavailable);
                in.unavailable_reason = CONTROL_HYBRID_UNAVAILABLE_REASON;
        }
        in.overrides = overrides_get(o, &in.n_overrides);
        for (size_t i = 0; i < st->n_disks && i < STATUS_DISKS_MAX; i++) {
                const struct status_disk *sd = &st->disks[i];

                disks[in.n_disks++] = (struct control_disk_view){
                    .path = sd->path,
                    .tier = sd->tier,
                    .used_percent = sd->sampled ? sd->used_percent : -1,
                    .size_bytes = sd->sampled ? sd->size_bytes : BYTES_MAX,
                    .avail_bytes = sd->sampled ? sd->avail_bytes : BYTES_MAX,
                };
        }
        return ok_or_nomem(control_status_json(&in));
}

static void on_cleanup_done(const struct disks_report *report, void *userdata)
{
        struct control_client *cl = userdata;
        cJSON *res, *items;

        if (report->result < 0) {
                client_respond(
                    cl, control_response_error("cleanup failed: %s", strerror(-report->result)));
                return;
        }
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
        client_respond(cl, control_response_ok(res));
}

static char *do_cleanup(struct control_client *cl, const struct control_request *req)
{
        struct control *c = cl->control;
        int r;

        if (!c->status->disks_available || !c->ops.cleanup)
                return control_response_error("not available: no disk watcher");
        if (!req->dry_run)
                log_change(cl, "disk cleanup requested");
        r = c->ops.cleanup(c->ops.userdata, req->dry_run, on_cleanup_done, cl);
        if (r == -EBUSY)
                return control_response_error("a cleanup is already running");
        if (r < 0)
                return control_response_error("cleanup failed: %s", strerror(-r));
        /* The answer comes from on_cleanup_done; no timeout while the work runs. */
        cl->deferred = true;
        (void)sd_event_source_set_enabled(cl->timeout, SD_EVENT_OFF);
        (void)sd_event_source_set_io_events(cl->io, 0);
        return NULL;
}

static void client_handle(struct control_client *cl)
{
        struct control_request req;
        char err[256];
        char *line;

        /* Nothing more is read; the response ends the conversation. */
        (void)shutdown(cl->fd, SHUT_RD);

        if (!cl->may_read) {
                client_respond(
                    cl, control_response_error("permission denied: only root and members of group "
                                               "%s may use the governor's control socket",
                                               CONTROL_GROUP));
                return;
        }
        if (control_request_parse(cl->in, cl->in_len, &req, err, sizeof err) < 0) {
                client_respond(cl, control_response_error("bad request: %s", err));
                return;
        }
        if (!control_request_is_reading(&req) && !cl->may_change) {
                client_respond(cl,
                               control_response_error(
                                   "permission denied: %s%s changes the governor and "
                                   "requires root",
                                   control_verb_name(req.verb),
                                   req.verb == CONTROL_VERB_CLEANUP ? " without --dry-run" : ""));
                return;
        }

        switch (req.verb) {
        case CONTROL_VERB_STATUS:
                line = do_status(cl);
                break;
        case CONTROL_VERB_HISTORY:
                line = cl->control->status->history
                           ? ok_or_nomem(history_to_json(cl->control->status->history, req.count))
                           : control_response_ok(cJSON_CreateArray());
                break;
        case CONTROL_VERB_SET_LIMIT:
                line = do_set_limit(cl, &req);
                break;
        case CONTROL_VERB_CLEAR:
                line = do_clear(cl, &req);
                break;
        case CONTROL_VERB_PAUSE:
                line = do_pause(cl, &req);
                break;
        case CONTROL_VERB_RESUME:
                line = do_resume(cl);
                break;
        case CONTROL_VERB_CLEANUP:
                line = do_cleanup(cl, &req);
                if (!line && cl->deferred)
                        return;
                break;
        case CONTROL_VERB_RELOAD:
                line = do_reload(cl);
                break;
        case CONTROL_VERB_METRICS:
                line = do_metrics(cl);
                break;
        case CONTROL_VERB_EXPLAIN:
                line = do_explain(cl, &req);
                break;
        default:
                line = control_response_error("unknown verb");
                break;
        }
        client_respond(cl, line);
}

static void client_read(struct control_client *cl)
{
        /* Allocated once the client has something to say: idle connections cost no buffer. */
        if (!cl->in && !(cl->in = malloc(CONTROL_REQUEST_MAX))) {
                log_error("out of memory reading a control request");
                client_free(cl);
                return;
        }
        for (;;) {
                size_t room = CONTROL_REQUEST_MAX - cl->in_len;
                ssize_t n;
                char *nl;

                if (room == 0) {
                        client_respond(cl, control_response_error(
                                               "bad request: request too large (limit %u bytes)",
                                               CONTROL_REQUEST_MAX));
                        return;
                }
                n = recv(cl->fd, cl->in + cl->in_len, room, MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return;
                if (n < 0) {
                        client_free(cl);
                        return;
                }
                if (n == 0) {
                        /* The client shut down its write side: that ends the request. */
                        client_handle(cl);
                        return;
                }
                nl = memchr(cl->in + cl->in_len, '\n', (size_t)n);
                cl->in_len += (size_t)n;
                if (nl) {
                        cl->in_len = (size_t)(nl - cl->in) + 1;
                        client_handle(cl);
                        return;
                }
        }
}

static void client_write(struct control_client *cl)
{
        while (cl->out_pos < cl->out_len) {
                ssize_t n = send(cl->fd, cl->out + cl->out_pos, cl->out_len - cl->out_pos,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return;
                if (n < 0) {
                        client_free(cl);
                        return;
                }
                cl->out_pos += (size_t)n;
        }
        client_free(cl);
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control_client *cl = userdata;

        (void)s;
        (void)fd;
        if (cl->deferred) {
                /* The peer hung up while its cleanup runs: answer nobody. */
                if (revents & (EPOLLHUP | EPOLLERR))
                        client_detach(cl);
                return 0;
        }
        if (cl->out)
                client_write(cl);
        else if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                client_read(cl);
        return 0;
}

static int on_client_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct control_client *cl = userdata;

        (void)s;
        (void)usec;
        log_debug("control client pid %d dropped: too slow", (int)cl->cred.pid);
        if (cl->deferred)
                client_detach(cl);
        else
                client_free(cl);
        return 0;
}

static bool peer_in_group(int fd, const struct ucred *cred, gid_t gid)
{
        gid_t groups[CONTROL_PEER_GROUPS_MAX];
        socklen_t len = sizeof groups;

        if (cred->gid == gid)
                return true;
        /* The peer's groups as they were at connect(): no /proc race. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
                return false;
        for (size_t i = 0; i < len / sizeof groups[0]; i++)
                if (groups[i] == gid)
                        return true;
        return false;
}

/* Who gets a slot (issue 13: 32 idle connections and a reconnect storm
 * locked root out for seconds). Root always does: it has
 * CONTROL_ROOT_CLIENTS_MAX slots of its own, and when even those are taken
 * the oldest unprivileged client makes room. Others share
 * CONTROL_CLIENTS_MAX slots, at most CONTROL_CLIENTS_PER_UID_MAX per uid. */
static bool admit(struct control *c, const struct ucred *cred)
{
        struct control_client *oldest = NULL;
        size_t same_uid = 0;

        if (cred->uid == 0) {
                if (c->n_clients - c->n_unprivileged < CONTROL_ROOT_CLIENTS_MAX)
                        return true;
                for (struct control_client *cl = c->clients; cl; cl = cl->next)
                        if (cl->cred.uid != 0 && !cl->deferred)
                                oldest = cl;
                if (!oldest)
                        return false;
                log_debug("control client pid %d dropped to make room for root",
                          (int)oldest->cred.pid);
                client_free(oldest);
                return true;
        }
        if (c->n_unprivileged >= CONTROL_CLIENTS_MAX)
                return false;
        for (struct control_client *cl = c->clients; cl; cl = cl->next)
                if (cl->cred.uid == cred->uid)
                        same_uid++;
        return same_uid < CONTROL_CLIENTS_PER_UID_MAX;
}

/* No slot: say so at once rather than leave the client in the backlog,
 * where it would queue ahead of root. The response fits in the empty socket
 * buffer of a new connection; if not, it is lost, never waited for. */
static void refuse_busy(struct control *c, int fd)
{
        _cleanup_free_ char *line = control_response_error(
            "busy: too many control connections, try again");

        c->refused_busy++;
        if (line)
                (void)send(fd, line, strlen(line), MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control *c = userdata;
        struct control_client *cl;
        struct ucred cred;
        socklen_t len;
        int cfd, r;

        (void)s;
        (void)revents;
        /* The backlog is drained, never left to fill: a connection waiting
         * there could be root's. A batch per wake-up keeps the loop turning
         * under a reconnect storm; the source is level-triggered. */
        for (unsigned i = 0; i < CONTROL_ACCEPT_BATCH; i++) {
                cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno != EAGAIN && errno != EWOULDBLOCK)
                                log_warning("control socket accept failed: %s", strerror(errno));
                        break;
                }
                len = sizeof cred;
                if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                        close(cfd);
                        continue;
                }
                if (!admit(c, &cred)) {
                        refuse_busy(c, cfd);
                        close(cfd);
                        continue;
                }
                cl = calloc(1, sizeof *cl);
                if (!cl) {
                        close(cfd);
                        log_error("out of memory accepting a control client");
                        break;
                }
                cl->fd = cfd;
                cl->control = c;
                cl->cred = cred;
                cl->next = c->clients;
                if (c->clients)
                        c->clients->prev = cl;
                c->clients = cl;
                c->n_clients++;
                if (cl->cred.uid != 0)
                        c->n_unprivileged++;

                cl->may_change = cl->cred.uid == 0;
                /* The group as looked up at start-up or reload: NSS (LDAP,
                 * sssd) may be slow, and this runs in the loop. */
                cl->may_read = cl->may_change ||
                               (c->group_known && peer_in_group(cfd, &cl->cred, c->group_gid));

                r = sd_event_add_io(c->event, &cl->io, cfd, EPOLLIN, on_client_io, cl);
                if (r >= 0)
                        r = sd_event_add_time_relative(c->event, &cl->timeout, CLOCK_MONOTONIC,
                                                       CONTROL_CLIENT_TIMEOUT_USEC, 0,
                                                       on_client_timeout, cl);
                /* Root's requests first when many clients are ready at once
                 * (still after PSI triggers, which are IMPORTANT). */
                if (r >= 0 && cl->may_change)
                        r = sd_event_source_set_priority(cl->io, CONTROL_ROOT_PRIORITY);
                if (r < 0) {
                        log_warning("cannot watch a control client: %s", strerror(-r));
                        client_free(cl);
                        continue;
                }
        }
        return 0;
}

/* CONTROL_GROUP's gid, looked up now and kept until the next reload. */
static void lookup_group(struct control *c)
{
        struct group *gr;

        errno = 0;
        gr = getgrnam(CONTROL_GROUP);
        c->group_known = gr != NULL;
        if (gr)
                c->group_gid = gr->gr_gid;
}

void control_reload(struct control *c)
{
        bool was_known;
        gid_t was;

        if (!c)
                return;
        was_known = c->group_known;
        was = c->group_gid;
        lookup_group(c);
        if (c->group_known != was_known || c->group_gid != was) {
                if (c->group_known)
                        log_info("control group %s is gid %u", CONTROL_GROUP,
                                 (unsigned)c->group_gid);
                else
                        log_info("control group %s does not exist: only root may use the "
                                 "control socket", CONTROL_GROUP);
        }
}

/* ---- socket set-up ------------------------------------------------------ */

/* The socket's directory must not let anyone else swap the socket. */
static int prepare_directory(const char *path)
{
        char dir[PATH_MAX];
        char *slash;
        struct stat st;

        util_strlcpy(dir, path, sizeof dir);
        slash = strrchr(dir, '/');
        if (!slash)
                return 0; /* relative name in the cwd: the operator's choice */
        if (slash == dir)
                return 0; /* directly in / */
        *slash = '\0';

        if (lstat(dir, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                if (lstat(dir, &st) < 0)
                        return -errno;
        }
        if (!S_ISDIR(st.st_mode)) {
                log_error("control socket directory %s is not a directory (or is a symlink)", dir);
                return -ENOTDIR;
        }
        if (st.st_uid != geteuid()) {
                log_error("control socket directory %s is owned by uid %u, not by us", dir,
                          (unsigned)st.st_uid);
                return -EPERM;
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
                log_error("control socket directory %s is writable by group or others (mode %04o)",
                          dir, (unsigned)(st.st_mode & 07777));
                return -EPERM;
        }
        return 0;
}

static int fill_address(const char *path, struct sockaddr_un *sa, socklen_t *ret_len)
{
        size_t n = strlen(path);

        if (n == 0 || n >= sizeof sa->sun_path)
                return -ENAMETOOLONG;
        memset(sa, 0, sizeof *sa);
        sa->sun_family = AF_UNIX;
        memcpy(sa->sun_path, path, n);
        *ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
        return 0;
}

/* A socket left by a crashed governor is replaced; a live one is not. */
static int remove_stale(const char *path, const struct sockaddr_un *sa, socklen_t sa_len)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(st.st_mode)) {
                log_error("%s exists and is not a socket; not replacing it", path);
                return -EEXIST;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *)sa, sa_len) == 0) {
                log_error("another governor is listening on %s", path);
                return -EADDRINUSE;
        }
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

static int open_socket(const char *path, const struct control *c, int *ret_fd)
{
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        socklen_t sa_len;
        mode_t old_umask;
        int r;

        r = fill_address(path, &sa, &sa_len);
        if (r < 0)
                return r;
        r = prepare_directory(path);
        if (r < 0)
                return r;
        r = remove_stale(path, &sa, sa_len);
        if (r < 0)
                return r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* The socket is born 0660: no window in which others could connect. */
        old_umask = umask(0117);
        r = bind(fd, (const struct sockaddr *)&sa, sa_len) < 0 ? -errno : 0;
        umask(old_umask);
        if (r < 0)
                return r;
        if (c->group_known &&
            fchownat(AT_FDCWD, path, (uid_t)-1, c->group_gid, AT_SYMLINK_NOFOLLOW) < 0)
                log_warning("cannot give %s to group %s: %s", path, CONTROL_GROUP, strerror(errno));
        if (fchmodat(AT_FDCWD, path, 0660, 0) < 0)
                log_warning("cannot chmod %s: %s", path, strerror(errno));
        if (listen(fd, CONTROL_BACKLOG) < 0) {
                r = -errno;
                (void)unlink(path);
                return r;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* A socket systemd passed us (sutazai-governor.socket). 1 found, 0 none. */
static int passed_socket(int *ret_fd)
{
        int n = sd_listen_fds(true);

        for (int i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + i;
                if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0) {
                        int flags = fcntl(fd, F_GETFL);
                        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                                return -errno;
                        *ret_fd = fd;
                        return 1;
                }
        }
        return 0;
}

int control_new(sd_event *event, const char *path, const struct status *status,
                struct overrides *overrides, const struct control_ops *ops, struct control **ret)
{
        struct control *c;
        int r;

        assert(event);
        assert(status);
        assert(overrides);
        assert(ops && ops->evaluate && ops->reload);
        assert(ret);

        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->event = sd_event_ref(event);
        c->status = status;
        c->overrides = overrides;
        c->ops = *ops;
        c->listen_fd = -1;
        c->history_saved_total = status->history ? history_total(status->history) : 0;
        lookup_group(c);

        r = passed_socket(&c->listen_fd);
        if (r == 0) {
                if (!path || !path[0])
                        path = CONTROL_SOCKET_DEFAULT;
                r = open_socket(path, c, &c->listen_fd);
                if (r >= 0) {
                        c->path = strdup(path);
                        if (!c->path)
                                r = -ENOMEM;
                }
                if (r >= 0)
                        log_info("control socket at %s", path);
        } else if (r > 0)
                log_info("control socket passed by systemd");
        if (r < 0)
                goto fail;

        r = sd_event_add_io(event, &c->listen_source, c->listen_fd, EPOLLIN, on_accept, c);
        if (r < 0)
                goto fail;
        /* Armed for real (or disabled) by arm_expiry() right below. */
        r = sd_event_add_time(event, &c->expiry, CLOCK_REALTIME, 1, CONTROL_EXPIRY_ACCURACY_USEC,
                              on_expiry_timer, c);
        if (r < 0)
                goto fail;
        arm_expiry(c);
        /* Overrides that expired while the timer was not running go now. */
        if (overrides_expire(overrides, util_realtime_usec(), on_expired, c) > 0) {
                char err[PATH_MAX + 256];
                (void)save_overrides(c, NULL, err, sizeof err);
                arm_expiry(c);
        }
        *ret = c;
        return 0;
fail:
        control_free(c);
        return r;
}

struct control *control_free(struct control *c)
{
        if (!c)
                return NULL;
        if (c->status)
                save_history(c);
        while (c->clients) {
                struct control_client *cl = c->clients;
                if (cl->deferred) {
                        /* The completion may still come; it finds no server and frees itself. */
                        c->clients = cl->next;
                        if (c->clients)
                                c->clients->prev = NULL;
                        cl->control = NULL;
                        cl->prev = cl->next = NULL;
                        c->n_clients--;
                        if (cl->cred.uid != 0)
                                c->n_unprivileged--;
                        client_detach(cl);
                } else
                        client_free(cl);
        }
        c->listen_source = sd_event_source_disable_unref(c->listen_source);
        c->expiry = sd_event_source_disable_unref(c->expiry);
        if (c->listen_fd >= 0)
                close(c->listen_fd);
        if (c->path) {
                (void)unlink(c->path);
                free(c->path);
        }
        sd_event_unref(c->event);
        free(c);
        return NULL;
}

void control_tick(struct control *c)
{
        const char *path;
        int r;

        assert(c);
        save_history(c);

        path = c->status->metrics_file;
        if (!path || !path[0])
                return;
        r = metrics_write_file(c->status, c->overrides, path);
        if (r == -ENOENT || r == -ENOTDIR) {
                if (!c->metrics_dir_missing_logged)
                        log_info("directory of metrics_file %s is missing; not writing metrics "
                                 "(install the node_exporter textfile collector or change "
                                 "metrics_file)",
                                 path);
                c->metrics_dir_missing_logged = true;
                return;
        }
        if (r < 0) {
                if (!c->metrics_error_logged && (r == -EROFS || r == -EACCES)) {
                        char dir[PATH_MAX], hint[PATH_MAX + 256];

                        util_strlcpy(dir, path, sizeof dir);
                        startup_readonly_hint(dirname(dir), hint, sizeof hint);
                        log_warning("cannot write %s: %s: %s", path, strerror(-r), hint);
                } else if (!c->metrics_error_logged)
                        log_warning("cannot write %s: %s", path, strerror(-r));
                c->metrics_error_logged = true;
                return;
        }
        c->metrics_dir_missing_logged = false;
        c->metrics_error_logged = false;
}
