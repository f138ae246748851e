/* control_status — see include/control_status.h */
#include "control_status.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

static cJSON *bytes_json(uint64_t v)
{
        if (v == BYTES_MAX || v > CONTROL_JSON_INT_MAX)
                return cJSON_CreateNull();
        return cJSON_CreateNumber((double)v);
}

cJSON *control_json_bytes(uint64_t bytes)
{
        return bytes_json(bytes);
}

static cJSON *unix_seconds_json(usec_t realtime_usec)
{
        if (realtime_usec == 0 || realtime_usec == USEC_INFINITY)
                return cJSON_CreateNull();
        return cJSON_CreateNumber((double)(realtime_usec / USEC_PER_SEC));
}

/* Round to 2 decimals: the kernel reports PSI with 2, more is noise. */
static double round2(double v)
{
        return round(v * 100.0) / 100.0;
}

static cJSON *psi_line_json(const struct psi_line *l)
{
        cJSON *o = cJSON_CreateObject();

        cJSON_AddNumberToObject(o, "avg10", round2(l->avg10));
        cJSON_AddNumberToObject(o, "avg60", round2(l->avg60));
        cJSON_AddNumberToObject(o, "avg300", round2(l->avg300));
        cJSON_AddNumberToObject(o, "total_usec", (double)l->total_usec);
        return o;
}

static cJSON *psi_json(const struct psi_stats *p)
{
        cJSON *o = cJSON_CreateObject();

        cJSON_AddItemToObject(o, "some", psi_line_json(&p->some));
        cJSON_AddItemToObject(o, "full",
                              p->has_full ? psi_line_json(&p->full) : cJSON_CreateNull());
        return o;
}

cJSON *control_override_json(const struct override *o)
{
        cJSON *j = cJSON_CreateObject();

        assert(o);
        cJSON_AddStringToObject(j, "name", o->name);
        cJSON_AddItemToObject(j, "memory_max", bytes_json(o->memory_max));
        cJSON_AddItemToObject(j, "expires", unix_seconds_json(o->expires_realtime_usec));
        return j;
}

static const struct override *find_override(const struct control_status_input *in,
                                            const struct group_sample *g)
{
        const char *rule_name = NULL;

        /* policy.c ignores overrides on unmanaged groups: do not show one either. */
        if (g->rule < 0)
                return NULL;
        if (in->config && g->rule >= 0 && (size_t)g->rule < in->config->n_rules)
                rule_name = in->config->rules[g->rule].name;
        /* As policy.c: a group's own name or id is more specific than its rule's. */
        for (size_t i = 0; i < in->n_overrides; i++)
                if (strcmp(in->overrides[i].name, g->name) == 0 ||
                    (g->id[0] && strcmp(in->overrides[i].name, g->id) == 0))
                        return &in->overrides[i];
        for (size_t i = 0; rule_name && i < in->n_overrides; i++)
                if (strcmp(in->overrides[i].name, rule_name) == 0)
                        return &in->overrides[i];
        return NULL;
}

static cJSON *group_json(const struct control_status_input *in, const struct group_sample *g)
{
        const struct rule *rule = NULL;
        const struct override *o;
        cJSON *j = cJSON_CreateObject();

        if (in->config && g->rule >= 0 && (size_t)g->rule < in->config->n_rules)
                rule = &in->config->rules[g->rule];
        o = find_override(in, g);

        cJSON_AddStringToObject(j, "name", g->name);
        cJSON_AddStringToObject(j, "id", g->id);
        cJSON_AddStringToObject(j, "kind", g->kind == GROUP_CONTAINER ? "container" : "cgroup");
        cJSON_AddStringToObject(j, "cgroup", g->cgroup);
        cJSON_AddItemToObject(j, "rule",
                              rule ? cJSON_CreateString(rule->name) : cJSON_CreateNull());
        cJSON_AddBoolToObject(j, "running", g->running);
        cJSON_AddItemToObject(j, "memory_current",
                              g->has_memory ? bytes_json(g->memory_current) : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "memory_max",
                              g->has_memory ? bytes_json(g->memory_max) : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "memory_high",
                              g->has_memory ? bytes_json(g->memory_high) : cJSON_CreateNull());
        /* Unmanaged groups have no priority or protection: the governor never
         * acts on them, and "100 / not protected" would read like a candidate. */
        cJSON_AddBoolToObject(j, "managed", rule != NULL);
        cJSON_AddItemToObject(j, "priority",
                              rule ? cJSON_CreateNumber(rule->priority) : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "protected",
                              rule ? cJSON_CreateBool(rule->protect) : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "override", o ? bytes_json(o->memory_max) : cJSON_CreateNull());
        cJSON_AddItemToObject(j, "psi", g->has_psi ? psi_json(&g->psi) : cJSON_CreateNull());
        /* what its processes carry (oomguard.h); null: not managed or none */
        cJSON_AddItemToObject(j, "oom_score_adj", g->has_oom_score_adj
                                                      ? cJSON_CreateNumber(g->oom_score_adj)
                                                      : cJSON_CreateNull());
        return j;
}

static const struct rule *status_rule(const struct control_status_input *in,
                                      const struct group_sample *g)
{
        if (in->config && g->rule >= 0 && (size_t)g->rule < in->config->n_rules)
                return &in->config->rules[g->rule];
        return NULL;
}

/* Row order an operator reads under pressure: managed groups first, in the
 * order the policy sacrifices them (priority ascending, usage descending),
 * then unmanaged ones by usage; the name breaks ties. */
static int status_row_compare(const void *x, const void *y, void *userdata)
{
        const struct control_status_input *in = userdata;
        const struct group_sample *a = &in->snapshot->groups[*(const size_t *)x];
        const struct group_sample *b = &in->snapshot->groups[*(const size_t *)y];
        const struct rule *ra = status_rule(in, a), *rb = status_rule(in, b);
        uint64_t ua = a->has_memory ? a->memory_current : 0;
        uint64_t ub = b->has_memory ? b->memory_current : 0;

        if (!ra != !rb)
                return ra ? -1 : 1;
        if (ra && ra->priority != rb->priority)
                return ra->priority < rb->priority ? -1 : 1;
        if (ua != ub)
                return ua > ub ? -1 : 1;
        return strcmp(a->name, b->name);
}

cJSON *control_status_json(const struct control_status_input *in)
{
        const struct snapshot *s;
        cJSON *root, *tiers, *disk_tiers, *host, *docker, *disks, *groups, *overrides, *unavailable;

        assert(in);
        assert(in->snapshot);
        s = in->snapshot;

        root = cJSON_CreateObject();
        if (!root)
                return NULL;
        cJSON_AddStringToObject(root, "version", in->version ? in->version : "");
        cJSON_AddBoolToObject(root, "dry_run", in->dry_run);
        cJSON_AddBoolToObject(root, "paused", in->paused);
        cJSON_AddItemToObject(root, "paused_until",
                              in->paused ? unix_seconds_json(in->paused_until_realtime_usec)
                                         : cJSON_CreateNull());

        tiers = cJSON_AddObjectToObject(root, "tiers");
        cJSON_AddStringToObject(tiers, "memory", tier_name(in->memory_tier));
        disk_tiers = cJSON_AddObjectToObject(tiers, "disk");
        for (size_t i = 0; i < in->n_disks; i++)
                cJSON_AddStringToObject(disk_tiers, in->disks[i].path,
                                        tier_name(in->disks[i].tier));

        host = cJSON_AddObjectToObject(root, "host");
        cJSON_AddItemToObject(host, "memory_total", bytes_json(s->host.mem.mem_total_bytes));
        cJSON_AddItemToObject(host, "memory_available",
                              bytes_json(s->host.mem.mem_available_bytes));
        cJSON_AddNumberToObject(host, "memory_used_percent",
                                round2(snapshot_memory_used_percent(s)));
        cJSON_AddItemToObject(host, "swap_total", bytes_json(s->host.mem.swap_total_bytes));
        cJSON_AddItemToObject(host, "swap_free", bytes_json(s->host.mem.swap_free_bytes));
        if (s->host.has_psi) {
                cJSON *psi = cJSON_AddObjectToObject(host, "psi");
                cJSON_AddItemToObject(psi, "memory", psi_json(&s->host.memory_psi));
                cJSON_AddItemToObject(psi, "io", psi_json(&s->host.io_psi));
        } else
                cJSON_AddNullToObject(host, "psi");

        docker = cJSON_AddObjectToObject(root, "docker");
        cJSON_AddBoolToObject(docker, "configured", in->docker_configured);
        cJSON_AddBoolToObject(docker, "connected", in->docker_connected);
        if (in->docker_version)
                cJSON_AddStringToObject(docker, "version", in->docker_version);
        else
                cJSON_AddNullToObject(docker, "version");
        if (in->docker_api_version)
                cJSON_AddStringToObject(docker, "api_version", in->docker_api_version);
        else
                cJSON_AddNullToObject(docker, "api_version");

        disks = cJSON_AddArrayToObject(root, "disks");
        for (size_t i = 0; i < in->n_disks; i++) {
                const struct control_disk_view *dv = &in->disks[i];
                cJSON *j = cJSON_CreateObject();

                cJSON_AddStringToObject(j, "path", dv->path);
                cJSON_AddStringToObject(j, "tier", tier_name(dv->tier));
                if (dv->used_percent >= 0)
                        cJSON_AddNumberToObject(j, "used_percent", round2(dv->used_percent));
                else
                        cJSON_AddNullToObject(j, "used_percent");
                cJSON_AddItemToObject(j, "size", bytes_json(dv->size_bytes));
                cJSON_AddItemToObject(j, "available", bytes_json(dv->avail_bytes));
                cJSON_AddItemToArray(disks, j);
        }

        groups = cJSON_AddArrayToObject(root, "containers");
        if (s->n_groups > 0) {
                _cleanup_free_ size_t *order = malloc(s->n_groups * sizeof *order);

                if (!order) {
                        cJSON_Delete(root);
                        return NULL;
                }
                for (size_t i = 0; i < s->n_groups; i++)
                        order[i] = i;
                qsort_r(order, s->n_groups, sizeof *order, status_row_compare, (void *)in);
                for (size_t i = 0; i < s->n_groups; i++)
                        cJSON_AddItemToArray(groups, group_json(in, &s->groups[order[i]]));
        }

        unavailable = cJSON_AddArrayToObject(root, "unavailable_actions");
        for (size_t i = 0; i < in->n_unavailable_actions; i++)
                cJSON_AddItemToArray(unavailable,
                                     cJSON_CreateString(in->unavailable_actions[i]));
        if (in->unavailable_reason)
                cJSON_AddStringToObject(root, "unavailable_reason", in->unavailable_reason);
        else
                cJSON_AddNullToObject(root, "unavailable_reason");

        overrides = cJSON_AddArrayToObject(root, "overrides");
        for (size_t i = 0; i < in->n_overrides; i++)
                cJSON_AddItemToArray(overrides, control_override_json(&in->overrides[i]));

        /* Any failed allocation above left a missing member: print to check. */
        if (!groups || !overrides || !disks || !docker || !host || !disk_tiers || !unavailable) {
                cJSON_Delete(root);
                return NULL;
        }
        return root;
}
