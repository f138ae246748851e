/* control_verbs_read — the reading verbs; see include/control_verbs.h */
#include "control_verbs.h"

#include <stdio.h>
#include <stdlib.h>

#include "control_explain.h"
#include "control_status.h"
#include "history.h"
#include "metrics.h"
#include "overrides.h"
#include "status.h"

/* A result builder returns NULL only on -ENOMEM: say so rather than "null". */
static char *ok_or_nomem(cJSON *result)
{
        if (!result)
                return control_response_error("out of memory");
        return control_response_ok(result);
}

/* What the governor would do now and why (policy_explain: pure, acts on
 * nothing, leaves the policy state as it is). */
char *control_verb_explain(const struct control_verb_env *env, const struct control_request *req)
{
        const struct status *st = env->status;
        const struct overrides *o = env->overrides;
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

char *control_verb_metrics(const struct control_verb_env *env)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        f = open_memstream(&buf, &len);
        if (!f)
                return NULL;
        r = metrics_format(env->status, env->overrides, f);
        if (fclose(f) != 0 || r < 0)
                return control_response_error("cannot format metrics");
        return control_response_ok(cJSON_CreateString(buf));
}

char *control_verb_status(const struct control_verb_env *env)
{
        const struct status *st = env->status;
        const struct overrides *o = env->overrides;
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

char *control_verb_history(const struct control_verb_env *env, const struct control_request *req)
{
        return env->status->history ? ok_or_nomem(history_to_json(env->status->history, req->count))
                                    : control_response_ok(cJSON_CreateArray());
}
