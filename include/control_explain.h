/* control_explain — policy_explain()'s answer as the control socket's JSON,
 * pure (cJSON). The daemon side of `sutazai-govctl explain`; rendering for
 * people is control_render(CONTROL_VERB_EXPLAIN) in control_proto.
 *
 *   {"tier","previous_tier","memory_used_percent",
 *    "marks":{"warning","critical","emergency"} (percent),
 *    "judged_action":"reclaim"|"stop"|"kill", "paused", "dry_run",
 *    "host_cooldown_left" (seconds, null = none),
 *    "actions":[{"kind","target","bytes"(null = none),"reason"}],
 *    "groups":[{"name","kind","rule"(null = unmanaged),"priority"(null),
 *               "memory_current"(null = unknown),"verdict","rank"(null = not
 *               a candidate),"cooldown_left"(seconds, null),
 *               "detail"(structural: why; else null)}]}
 *
 * groups keep policy_explain's order. With a name, only the groups whose
 * name, container id or rule name is that name are listed. */
#pragma once

#include <stdbool.h>

#include <cjson/cJSON.h>

#include "policy_explain.h"

/* NULL on -ENOMEM. *ret_n_groups (may be NULL): the groups listed. */
cJSON *control_explain_json(const struct explanation *e, const struct policy_input *in,
                            bool dry_run, const char *name, size_t *ret_n_groups);
