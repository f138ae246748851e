/* control_explain — see include/control_explain.h. */
#include "control_explain.h"

#include <assert.h>
#include <math.h>
#include <string.h>

#include "control_status.h"

static cJSON *seconds_or_null(usec_t usec)
{
        if (usec == 0)
                return cJSON_CreateNull();
        /* round up: "1 s left" until it is over, never "0 s" */
        return cJSON_CreateNumber((double)((usec + USEC_PER_SEC - 1) / USEC_PER_SEC));
}

static bool group_named(const struct group_sample *g, const struct rule *rule, const char *name)
{
        return strcmp(g->name, name) == 0 || (g->id[0] && strcmp(g->id, name) == 0) ||
               (rule && strcmp(rule->name, name) == 0);
}

cJSON *control_explain_json(const struct explanation *e, const struct policy_input *in,
                            bool dry_run, const char *name, size_t *ret_n_groups)
{
        cJSON *root, *marks, *actions, *groups;
        size_t n = 0;

        assert(e && in && in->config && in->snapshot);

        root = cJSON_CreateObject();
        if (!root)
                return NULL;
        cJSON_AddStringToObject(root, "tier", tier_name(e->tier));
        cJSON_AddStringToObject(root, "previous_tier", tier_name(e->previous_tier));
        cJSON_AddNumberToObject(root, "memory_used_percent",
                                round(e->memory_used_percent * 100.0) / 100.0);
        marks = cJSON_AddObjectToObject(root, "marks");
        for (int t = TIER_WARNING; t < TIER_COUNT; t++)
                cJSON_AddNumberToObject(marks, tier_name((enum tier)t), e->marks_percent[t]);
        cJSON_AddStringToObject(root, "judged_action", action_kind_name(e->judged_kind));
        cJSON_AddBoolToObject(root, "paused", e->paused);
        cJSON_AddBoolToObject(root, "dry_run", dry_run);
        cJSON_AddItemToObject(root, "host_cooldown_left", seconds_or_null(e->host_cooldown_left_usec));

        actions = cJSON_AddArrayToObject(root, "actions");
        for (size_t i = 0; i < e->plan.n_actions; i++) {
                const struct action *a = &e->plan.actions[i];
                cJSON *j = cJSON_CreateObject();

                cJSON_AddStringToObject(j, "kind", action_kind_name(a->kind));
                cJSON_AddStringToObject(j, "target", a->target);
                cJSON_AddItemToObject(j, "bytes", a->kind == ACTION_STOP || a->kind == ACTION_KILL
                                                      ? cJSON_CreateNull()
                                                      : control_json_bytes(a->bytes));
                cJSON_AddStringToObject(j, "reason", a->reason);
                cJSON_AddItemToArray(actions, j);
        }

        groups = cJSON_AddArrayToObject(root, "groups");
        for (size_t i = 0; i < e->n_groups; i++) {
                const struct explain_group *eg = &e->groups[i];
                const struct group_sample *g = &in->snapshot->groups[eg->group];
                const struct rule *rule =
                    g->rule >= 0 && (size_t)g->rule < in->config->n_rules
                        ? &in->config->rules[g->rule]
                        : NULL;
                cJSON *j;

                if (name && !group_named(g, rule, name))
                        continue;
                j = cJSON_CreateObject();
                cJSON_AddStringToObject(j, "name", g->name);
                cJSON_AddStringToObject(j, "kind",
                                        g->kind == GROUP_CONTAINER ? "container" : "cgroup");
                cJSON_AddItemToObject(j, "rule",
                                      rule ? cJSON_CreateString(rule->name) : cJSON_CreateNull());
                cJSON_AddItemToObject(j, "priority", rule ? cJSON_CreateNumber(rule->priority)
                                                          : cJSON_CreateNull());
                cJSON_AddItemToObject(j, "memory_current", g->has_memory
                                                               ? control_json_bytes(g->memory_current)
                                                               : cJSON_CreateNull());
                cJSON_AddStringToObject(j, "verdict", explain_verdict_name(eg->verdict));
                cJSON_AddItemToObject(j, "rank", eg->rank ? cJSON_CreateNumber(eg->rank)
                                                          : cJSON_CreateNull());
                cJSON_AddItemToObject(j, "cooldown_left", seconds_or_null(eg->cooldown_left_usec));
                cJSON_AddItemToObject(j, "detail", eg->detail[0] ? cJSON_CreateString(eg->detail)
                                                                  : cJSON_CreateNull());
                cJSON_AddItemToArray(groups, j);
                n++;
        }
        if (!marks || !actions || !groups) {
                cJSON_Delete(root);
                return NULL;
        }
        if (ret_n_groups)
                *ret_n_groups = n;
        return root;
}
