/* control_verbs — what each verb of control_proto.h does in the daemon,
 * given a parsed request whose peer control.c has already found allowed
 * (reading verbs: root and CONTROL_GROUP; the others: root). Each returns
 * the response line (control_response_ok/_error; NULL only on -ENOMEM), and
 * knows nothing of sockets: control_server carries requests and answers.
 *
 * Two families:
 *   reading (control_verbs_read.c): status, history, metrics, explain —
 *     read the status the owner published and the overrides; change nothing;
 *   changing (control_verbs_change.c): set-limit, clear, pause, resume,
 *     reload, cleanup — change the overrides here, each change made durable
 *     through env->commit before it is acknowledged and logged with the
 *     peer's uid and pid; everything beyond overrides goes through the
 *     owner's struct control_ops (re-evaluate, reload, start a cleanup). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "control_ops.h"
#include "control_proto.h"

#define CONTROL_MIN_LIMIT_BYTES (6ULL * 1024 * 1024) /* Docker refuses less than 6 MiB */

struct control_peer;
struct disks_report;
struct overrides;
struct status;

struct control_verb_env {
        /* published once per evaluation by the owner; ops->evaluate
         * republishes it, so read it again after calling that */
        const struct status *status;
        struct overrides *overrides; /* the operator's state, changed here only */
        const struct control_ops *ops;
        /* Make a change to overrides durable and re-arm the expiry timer.
         * before: the overrides as they were (overrides_format_json), put
         * back when the save fails; NULL: nothing to undo. 0, or -errno with
         * err filled (the change then undone). */
        int (*commit)(void *userdata, const char *before, char *err, size_t err_size);
        void *userdata;
};

/* reading */
char *control_verb_status(const struct control_verb_env *env);
char *control_verb_history(const struct control_verb_env *env, const struct control_request *req);
char *control_verb_metrics(const struct control_verb_env *env);
char *control_verb_explain(const struct control_verb_env *env, const struct control_request *req);

/* changing */
char *control_verb_set_limit(const struct control_verb_env *env, const struct control_peer *peer,
                             const struct control_request *req);
char *control_verb_clear(const struct control_verb_env *env, const struct control_peer *peer,
                         const struct control_request *req);
char *control_verb_pause(const struct control_verb_env *env, const struct control_peer *peer,
                         const struct control_request *req);
char *control_verb_resume(const struct control_verb_env *env, const struct control_peer *peer);
char *control_verb_reload(const struct control_verb_env *env, const struct control_peer *peer);
/* Start a cleanup through ops->cleanup: *ret_started true, NULL returned,
 * and done called once, later, with the report to answer with
 * control_verb_cleanup_response(). Else the error response at once. */
char *control_verb_cleanup(const struct control_verb_env *env, const struct control_peer *peer,
                           const struct control_request *req,
                           void (*done)(const struct disks_report *report, void *userdata),
                           void *userdata, bool *ret_started);
char *control_verb_cleanup_response(const struct disks_report *report);
