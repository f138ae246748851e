/* control — see include/control.h */
#include "control.h"

#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "control_proto.h"
#include "control_server.h"
#include "control_verbs.h"
#include "history.h"
#include "log.h"
#include "metrics.h"
#include "overrides.h"
#include "startup.h"
#include "status.h"
#include "units.h"

#define CONTROL_EXPIRY_ACCURACY_USEC (100 * USEC_PER_MSEC)
#define HISTORY_FILE                 "history.json"

struct control {
        sd_event *event;
        const struct status *status; /* published by the owner once per evaluation */
        struct overrides *overrides; /* the operator's state: changed here only */
        struct control_ops ops;      /* requests that change things beyond overrides */
        struct control_verb_env env; /* what the verbs work with: the three above */
        struct control_server *server;
        sd_event_source *expiry;
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

/* ---- requests ------------------------------------------------------------ */

/* control_verb_env.commit: save, and the expiry timer follows the change. */
static int commit_overrides(void *userdata, const char *before, char *err, size_t size)
{
        struct control *c = userdata;
        int r = save_overrides(c, before, err, size);

        arm_expiry(c);
        return r;
}

static void on_cleanup_done(const struct disks_report *report, void *userdata)
{
        control_server_respond(userdata, control_verb_cleanup_response(report));
}

static void on_request(struct control_server_client *cl, const struct control_peer *peer,
                       const char *buf, size_t len, void *userdata)
{
        struct control *c = userdata;
        const struct control_verb_env *env = &c->env;
        struct control_request req;
        bool started = false;
        char err[256];
        char *line;

        if (control_request_parse(buf, len, &req, err, sizeof err) < 0) {
                control_server_respond(cl, control_response_error("bad request: %s", err));
                return;
        }
        if (!control_request_is_reading(&req) && !peer->may_change) {
                control_server_respond(
                    cl, control_response_error(
                            "permission denied: %s%s changes the governor and requires root",
                            control_verb_name(req.verb),
                            req.verb == CONTROL_VERB_CLEANUP ? " without --dry-run" : ""));
                return;
        }

        switch (req.verb) {
        case CONTROL_VERB_STATUS:
                line = control_verb_status(env);
                break;
        case CONTROL_VERB_HISTORY:
                line = control_verb_history(env, &req);
                break;
        case CONTROL_VERB_SET_LIMIT:
                line = control_verb_set_limit(env, peer, &req);
                break;
        case CONTROL_VERB_CLEAR:
                line = control_verb_clear(env, peer, &req);
                break;
        case CONTROL_VERB_PAUSE:
                line = control_verb_pause(env, peer, &req);
                break;
        case CONTROL_VERB_RESUME:
                line = control_verb_resume(env, peer);
                break;
        case CONTROL_VERB_CLEANUP:
                line = control_verb_cleanup(env, peer, &req, on_cleanup_done, cl, &started);
                if (started) {
                        control_server_defer(cl);
                        return;
                }
                break;
        case CONTROL_VERB_RELOAD:
                line = control_verb_reload(env, peer);
                break;
        case CONTROL_VERB_METRICS:
                line = control_verb_metrics(env);
                break;
        case CONTROL_VERB_EXPLAIN:
                line = control_verb_explain(env, &req);
                break;
        default:
                line = control_response_error("unknown verb");
                break;
        }
        control_server_respond(cl, line);
}

void control_reload(struct control *c)
{
        if (c)
                control_server_reload(c->server);
}

/* ---- life cycle ----------------------------------------------------------- */

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
        c->env = (struct control_verb_env){
            .status = status,
            .overrides = overrides,
            .ops = &c->ops,
            .commit = commit_overrides,
            .userdata = c,
        };
        c->history_saved_total = status->history ? history_total(status->history) : 0;

        r = control_server_new(event, path, on_request, c, &c->server);
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
        c->server = control_server_free(c->server);
        c->expiry = sd_event_source_disable_unref(c->expiry);
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
