/* control_proto — see include/control_proto.h */
#include "control_proto.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <time.h>

#include "jsonutil.h"
#include "config.h"
#include "units.h"

static const char *const verb_names[CONTROL_VERB_COUNT] = {
    [CONTROL_VERB_STATUS] = "status",       [CONTROL_VERB_HISTORY] = "history",
    [CONTROL_VERB_SET_LIMIT] = "set-limit", [CONTROL_VERB_CLEAR] = "clear",
    [CONTROL_VERB_PAUSE] = "pause",         [CONTROL_VERB_RESUME] = "resume",
    [CONTROL_VERB_CLEANUP] = "cleanup",     [CONTROL_VERB_RELOAD] = "reload",
    [CONTROL_VERB_METRICS] = "metrics",     [CONTROL_VERB_EXPLAIN] = "explain",
};

const char *control_verb_name(enum control_verb v)
{
        if ((unsigned)v >= CONTROL_VERB_COUNT)
                return NULL;
        return verb_names[v];
}

int control_verb_from_name(const char *s, enum control_verb *ret)
{
        assert(s);
        assert(ret);
        for (size_t i = 0; i < CONTROL_VERB_COUNT; i++)
                if (strcmp(s, verb_names[i]) == 0) {
                        *ret = (enum control_verb)i;
                        return 0;
                }
        return -EINVAL;
}

bool control_request_is_reading(const struct control_request *req)
{
        assert(req);
        switch (req->verb) {
        case CONTROL_VERB_STATUS:
        case CONTROL_VERB_HISTORY:
        case CONTROL_VERB_METRICS:
        case CONTROL_VERB_EXPLAIN:
                return true;
        case CONTROL_VERB_CLEANUP:
                return req->dry_run;
        default:
                return false;
        }
}

/* ---- request parsing ---- */

/* Which keys each verb accepts, as a bit set over the key table. */
enum {
        KEY_VERB = 1 << 0,
        KEY_NAME = 1 << 1,
        KEY_MEMORY_MAX = 1 << 2,
        KEY_MEMORY_MAX_PERCENT = 1 << 3,
        KEY_FOR_USEC = 1 << 4,
        KEY_DRY_RUN = 1 << 5,
        KEY_COUNT = 1 << 6,
};

static const struct {
        const char *name;
        unsigned bit;
} request_keys[] = {
    {"verb", KEY_VERB},
    {"name", KEY_NAME},
    {"memory_max", KEY_MEMORY_MAX},
    {"memory_max_percent", KEY_MEMORY_MAX_PERCENT},
    {"for_usec", KEY_FOR_USEC},
    {"dry_run", KEY_DRY_RUN},
    {"count", KEY_COUNT},
};

static const unsigned verb_keys[CONTROL_VERB_COUNT] = {
    [CONTROL_VERB_STATUS] = KEY_VERB,
    [CONTROL_VERB_HISTORY] = KEY_VERB | KEY_COUNT,
    [CONTROL_VERB_SET_LIMIT] =
        KEY_VERB | KEY_NAME | KEY_MEMORY_MAX | KEY_MEMORY_MAX_PERCENT | KEY_FOR_USEC,
    [CONTROL_VERB_CLEAR] = KEY_VERB | KEY_NAME,
    [CONTROL_VERB_PAUSE] = KEY_VERB | KEY_FOR_USEC,
    [CONTROL_VERB_RESUME] = KEY_VERB,
    [CONTROL_VERB_CLEANUP] = KEY_VERB | KEY_DRY_RUN,
    [CONTROL_VERB_RELOAD] = KEY_VERB,
    [CONTROL_VERB_METRICS] = KEY_VERB,
    [CONTROL_VERB_EXPLAIN] = KEY_VERB | KEY_NAME, /* name optional: one group or rule */
};

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...)
{
        va_list ap;

        if (err && err_size > 0) {
                va_start(ap, fmt);
                vsnprintf(err, err_size, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

/* A JSON number that is a non-negative integer representable exactly. */
/* Names are rule or group names: printable, no control characters. */
static bool name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n >= GROUP_NAME_MAX)
                return false;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

int control_request_parse(const char *buf, size_t len, struct control_request *ret, char *err,
                          size_t err_size)
{
        struct control_request req = {0};
        unsigned seen = 0;
        cJSON *root, *item;
        const char *end = NULL;
        int r = 0;

        assert(buf || len == 0);
        assert(ret);

        if (len > 0 && buf[len - 1] == '\n')
                len--;
        if (len == 0)
                return fail(err, err_size, "empty request");
        if (len >= CONTROL_REQUEST_MAX)
                return fail(err, err_size, "request too large (limit %u bytes)",
                            CONTROL_REQUEST_MAX);
        if (memchr(buf, '\0', len))
                return fail(err, err_size, "request contains a NUL byte");

        root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
        if (!root)
                return fail(err, err_size, "malformed JSON request");
        /* Only blanks may follow the object: one request per connection. */
        for (; end && end < buf + len; end++)
                if (*end != ' ' && *end != '\t' && *end != '\r') {
                        r = fail(err, err_size, "trailing data after the request");
                        goto out;
                }
        if (!cJSON_IsObject(root)) {
                r = fail(err, err_size, "request must be a JSON object");
                goto out;
        }

        cJSON_ArrayForEach(item, root)
        {
                unsigned bit = 0;

                for (size_t i = 0; i < ELEMENTSOF(request_keys); i++)
                        if (item->string && strcmp(item->string, request_keys[i].name) == 0)
                                bit = request_keys[i].bit;
                if (bit == 0) {
                        r = fail(err, err_size, "unknown key \"%.64s\"",
                                 item->string ? item->string : "");
                        goto out;
                }
                if (seen & bit) {
                        r = fail(err, err_size, "duplicate key \"%s\"", item->string);
                        goto out;
                }
                seen |= bit;
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "verb");
        if (!cJSON_IsString(item)) {
                r = fail(err, err_size, "missing \"verb\"");
                goto out;
        }
        if (control_verb_from_name(item->valuestring, &req.verb) < 0) {
                r = fail(err, err_size, "unknown verb \"%.64s\"", item->valuestring);
                goto out;
        }
        if (seen & ~verb_keys[req.verb]) {
                r = fail(err, err_size, "unexpected key for verb %s", verb_names[req.verb]);
                goto out;
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "name");
        if ((verb_keys[req.verb] & KEY_NAME) && (item || req.verb != CONTROL_VERB_EXPLAIN)) {
                if (!cJSON_IsString(item) || !name_is_valid(item->valuestring)) {
                        r = fail(err, err_size, "\"name\" must be a non-empty printable string");
                        goto out;
                }
                util_strlcpy(req.name, item->valuestring, sizeof req.name);
        }

        if (req.verb == CONTROL_VERB_SET_LIMIT) {
                const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(root, "memory_max");
                const cJSON *pct = cJSON_GetObjectItemCaseSensitive(root, "memory_max_percent");

                if (!!bytes == !!pct) {
                        r = fail(err, err_size,
                                 "set-limit needs exactly one of \"memory_max\" and "
                                 "\"memory_max_percent\"");
                        goto out;
                }
                if (bytes && cJSON_IsString(bytes) && strcmp(bytes->valuestring, "max") == 0)
                        req.memory_max = BYTES_MAX;
                else if (bytes) {
                        if (jsonutil_get_u64(bytes, CONTROL_JSON_INT_MAX, &req.memory_max) < 0 ||
                            req.memory_max == 0) {
                                r = fail(err, err_size,
                                         "\"memory_max\" must be a positive integer of bytes or "
                                         "\"max\"");
                                goto out;
                        }
                } else {
                        if (!cJSON_IsNumber(pct) || !isfinite(pct->valuedouble) ||
                            pct->valuedouble <= 0 || pct->valuedouble > 100) {
                                r = fail(err, err_size,
                                         "\"memory_max_percent\" must be in (0, 100]");
                                goto out;
                        }
                        req.memory_max_is_percent = true;
                        req.memory_max_percent = pct->valuedouble;
                }
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "for_usec");
        if (item && jsonutil_get_u64(item, CONTROL_FOR_MAX_USEC, &req.for_usec) < 0) {
                r = fail(err, err_size, "\"for_usec\" must be an integer from 0 to 3650 days");
                goto out;
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "dry_run");
        if (item) {
                if (!cJSON_IsBool(item)) {
                        r = fail(err, err_size, "\"dry_run\" must be true or false");
                        goto out;
                }
                req.dry_run = cJSON_IsTrue(item);
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "count");
        if (item) {
                uint64_t count;
                if (jsonutil_get_u64(item, UINT32_MAX, &count) < 0) {
                        r = fail(err, err_size, "\"count\" must be a non-negative integer");
                        goto out;
                }
                req.count = (unsigned)count;
        }

        *ret = req;
out:
        cJSON_Delete(root);
        return r;
}

int control_request_format(const struct control_request *req, char **ret_line)
{
        cJSON *root;
        char *line;
        bool ok = true;

        assert(req);
        assert(ret_line);

        root = cJSON_CreateObject();
        if (!root)
                return -ENOMEM;
        ok = ok && cJSON_AddStringToObject(root, "verb", control_verb_name(req->verb));
        if ((verb_keys[req->verb] & KEY_NAME) &&
            (req->name[0] || req->verb != CONTROL_VERB_EXPLAIN))
                ok = ok && cJSON_AddStringToObject(root, "name", req->name);
        if (req->verb == CONTROL_VERB_SET_LIMIT) {
                if (req->memory_max_is_percent)
                        ok = ok && cJSON_AddNumberToObject(root, "memory_max_percent",
                                                           req->memory_max_percent);
                else if (req->memory_max == BYTES_MAX)
                        ok = ok && cJSON_AddStringToObject(root, "memory_max", "max");
                else
                        ok = ok &&
                             cJSON_AddNumberToObject(root, "memory_max", (double)req->memory_max);
        }
        if ((verb_keys[req->verb] & KEY_FOR_USEC) && req->for_usec > 0)
                ok = ok && cJSON_AddNumberToObject(root, "for_usec", (double)req->for_usec);
        if (req->verb == CONTROL_VERB_CLEANUP)
                ok = ok && cJSON_AddBoolToObject(root, "dry_run", req->dry_run);
        if (req->verb == CONTROL_VERB_HISTORY && req->count > 0)
                ok = ok && cJSON_AddNumberToObject(root, "count", req->count);

        line = ok ? jsonutil_print_line(root, false) : NULL;
        cJSON_Delete(root);
        if (!line)
                return -ENOMEM;
        *ret_line = line;
        return 0;
}

char *control_response_ok(cJSON *result)
{
        cJSON *root = cJSON_CreateObject();
        char *line;

        if (!root) {
                cJSON_Delete(result);
                return NULL;
        }
        if (!cJSON_AddBoolToObject(root, "ok", true)) {
                cJSON_Delete(result);
                cJSON_Delete(root);
                return NULL;
        }
        if (!result)
                result = cJSON_CreateNull();
        if (!result) {
                cJSON_Delete(root);
                return NULL;
        }
        cJSON_AddItemToObject(root, "result", result);
        line = jsonutil_print_line(root, false);
        cJSON_Delete(root);
        return line;
}

char *control_response_error(const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        cJSON *root;
        char *line = NULL;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        root = cJSON_CreateObject();
        if (root && cJSON_AddBoolToObject(root, "ok", false) &&
            cJSON_AddStringToObject(root, "error", msg))
                line = jsonutil_print_line(root, false);
        cJSON_Delete(root);
        return line;
}

int control_response_parse(const char *buf, size_t len, cJSON **ret_result, char *err,
                           size_t err_size)
{
        cJSON *root, *ok, *item;
        int r;

        assert(buf || len == 0);
        assert(ret_result);

        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
        if (len == 0)
                return fail(err, err_size, "empty response");
        root = cJSON_ParseWithLength(buf, len);
        if (!root)
                return fail(err, err_size, "malformed response");
        ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
        if (!cJSON_IsObject(root) || !cJSON_IsBool(ok)) {
                cJSON_Delete(root);
                return fail(err, err_size, "malformed response");
        }
        if (cJSON_IsFalse(ok)) {
                item = cJSON_GetObjectItemCaseSensitive(root, "error");
                fail(err, err_size, "%s",
                     cJSON_IsString(item) ? item->valuestring : "request failed");
                cJSON_Delete(root);
                return 1;
        }
        item = cJSON_DetachItemFromObjectCaseSensitive(root, "result");
        if (cJSON_IsNull(item)) {
                cJSON_Delete(item);
                item = NULL;
        }
        cJSON_Delete(root);
        *ret_result = item;
        r = 0;
        return r;
}

/* ---- status JSON ---- */

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

/* ---- rendering ---- */

#define ANSI_RESET  "\033[0m"
#define ANSI_BOLD   "\033[1m"
#define ANSI_RED    "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_GREEN  "\033[32m"

static const char *tier_colour(const char *tier)
{
        if (strcmp(tier, "warning") == 0)
                return ANSI_YELLOW;
        if (strcmp(tier, "critical") == 0)
                return ANSI_RED;
        if (strcmp(tier, "emergency") == 0)
                return ANSI_BOLD ANSI_RED;
        return ANSI_GREEN;
}

static void put_coloured(FILE *f, const struct control_render_options *o, const char *colour,
                         const char *s)
{
        if (o->colour)
                fprintf(f, "%s%s%s", colour, s, ANSI_RESET);
        else
                fputs(s, f);
}

/* Names come from Docker and cgroupfs: never let them drive the terminal. */
static void sanitize(const char *in, char *out, size_t size)
{
        size_t n = 0;

        for (; *in && n + 1 < size; in++)
                out[n++] = ((unsigned char)*in < 0x20 || *in == 0x7f) ? '?' : *in;
        out[n] = '\0';
}

static const char *json_str(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Responses come from a socket: never cast a number C cannot hold. */
#define RENDER_SECONDS_MAX (UINT64_C(1) << 40) /* Unix seconds: year 36812, and usec fit */

static bool json_number_in(const cJSON *v, double max, uint64_t *ret)
{
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
            v->valuedouble > max)
                return false;
        *ret = (uint64_t)v->valuedouble;
        return true;
}

/* A size member as people read it: "7.5G", "max" for null. */
static const char *json_size(const cJSON *o, const char *key, const char *null_text, char *buf,
                             size_t size)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        uint64_t bytes;

        /* 2^63: well beyond any real size, and exactly castable */
        if (json_number_in(v, 9223372036854775808.0, &bytes))
                return units_format_bytes_human(bytes, buf, size);
        util_strlcpy(buf, null_text, size);
        return buf;
}

/* "1h", "59m58s", "2d3h": the two largest non-zero units, for people. */
static void format_remaining(uint64_t secs, char *buf, size_t size)
{
        static const struct {
                uint64_t secs;
                char unit;
        } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
        size_t used = 0, shown = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(units) && shown < 2; i++) {
                uint64_t n = secs / units[i].secs;
                if (n == 0) {
                        if (shown > 0)
                                break; /* "1h5s" reads oddly: stop at the first gap */
                        continue;
                }
                secs -= n * units[i].secs;
                used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%" PRIu64 "%c",
                                         n, units[i].unit);
                shown++;
        }
        if (shown == 0)
                snprintf(buf, size, "0s");
}

static void format_time(usec_t unix_seconds, usec_t now_realtime, char *buf, size_t size)
{
        time_t t = (time_t)unix_seconds;
        struct tm tm;
        char when[64] = "";

        if (localtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", &tm);
        if (now_realtime > 0 && unix_seconds * USEC_PER_SEC > now_realtime) {
                usec_t left = unix_seconds * USEC_PER_SEC - now_realtime;
                /* Round up to whole seconds so "in 1h" is not shown as "in 59m59s". */
                char dur[48];
                format_remaining((left + USEC_PER_SEC - 1) / USEC_PER_SEC, dur, sizeof dur);
                snprintf(buf, size, "%s (in %s)", when, dur);
        } else
                snprintf(buf, size, "%s", when);
}

static const char *json_expires(const cJSON *o, const char *key,
                                const struct control_render_options *opts, char *buf, size_t size)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        uint64_t secs;

        if (!json_number_in(v, (double)RENDER_SECONDS_MAX, &secs)) {
                util_strlcpy(buf, "cleared", size);
                return buf;
        }
        format_time(secs, opts->now_realtime, buf, size);
        return buf;
}

static void psi_avg10_text(const cJSON *psi, const char *line, char *buf, size_t size)
{
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(psi, line);
        const cJSON *avg = cJSON_GetObjectItemCaseSensitive(l, "avg10");

        if (cJSON_IsNumber(avg))
                snprintf(buf, size, "%.2f%%", avg->valuedouble);
        else
                util_strlcpy(buf, "-", size);
}

enum {
        COL_NAME,
        COL_KIND,
        COL_RULE,
        COL_USAGE,
        COL_MAX,
        COL_HIGH,
        COL_PSI,
        COL_PRIO,
        COL_PROT,
        COL_OOMADJ,
        COL_OVERRIDE,
        COL_COUNT,
};

static const char *const col_titles[COL_COUNT] = {
    "NAME", "KIND", "RULE", "USAGE", "MAX", "HIGH", "PSI10", "PRIO", "PROT", "OOMADJ", "OVERRIDE",
};
/* Numbers are right-aligned so digits line up. */
static const bool col_right[COL_COUNT] = {
    [COL_USAGE] = true, [COL_MAX] = true, [COL_HIGH] = true, [COL_PSI] = true, [COL_PRIO] = true,
    [COL_OOMADJ] = true,
};

#define CELL_MAX 128

/* One table: n_rows rows (the title row first, bold with colour) of n_cols
 * cells each, laid out row after row; columns padded to width, right-aligned
 * where right[col], the last column unpadded. */
static void print_table(FILE *f, const char (*cells)[CELL_MAX], size_t n_cols, size_t n_rows,
                        const size_t *width, const bool *right, bool colour)
{
        for (size_t row = 0; row < n_rows; row++) {
                for (size_t col = 0; col < n_cols; col++) {
                        const char *cell = cells[row * n_cols + col];
                        bool last = col == n_cols - 1;

                        if (row == 0 && colour)
                                fputs(ANSI_BOLD, f);
                        if (right[col])
                                fprintf(f, "%*s", (int)width[col], cell);
                        else if (last)
                                fputs(cell, f);
                        else
                                fprintf(f, "%-*s", (int)width[col], cell);
                        if (row == 0 && colour)
                                fputs(ANSI_RESET, f);
                        if (!last)
                                fputs("  ", f);
                }
                fputc('\n', f);
        }
}

/* "Limits:      memory.high, reclaim, throttle unavailable (REASON)" — what
 * the warning tier cannot do on this host, said where the operator looks. */
static void render_unavailable(const cJSON *st, const struct control_render_options *opts,
                               FILE *f)
{
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(st, "unavailable_actions");
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(st, "unavailable_reason");
        const cJSON *item;
        bool first = true;

        if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
                return;
        fputs("Limits:      ", f);
        cJSON_ArrayForEach(item, list)
        {
                char safe[64];

                if (!cJSON_IsString(item))
                        continue;
                sanitize(item->valuestring, safe, sizeof safe);
                fprintf(f, "%s%s", first ? "" : ", ", safe);
                first = false;
        }
        put_coloured(f, opts, ANSI_YELLOW, " unavailable");
        if (cJSON_IsString(reason)) {
                char safe[256];

                sanitize(reason->valuestring, safe, sizeof safe);
                fprintf(f, " (%s)", safe);
        }
        fputc('\n', f);
}

static int render_status(const cJSON *st, const struct control_render_options *opts, FILE *f)
{
        const cJSON *tiers = cJSON_GetObjectItemCaseSensitive(st, "tiers");
        const cJSON *host = cJSON_GetObjectItemCaseSensitive(st, "host");
        const cJSON *groups = cJSON_GetObjectItemCaseSensitive(st, "containers");
        const cJSON *overrides = cJSON_GetObjectItemCaseSensitive(st, "overrides");
        const cJSON *disks = cJSON_GetObjectItemCaseSensitive(st, "disks");
        const cJSON *docker = cJSON_GetObjectItemCaseSensitive(st, "docker");
        const cJSON *item, *psi;
        const char *memory_tier;
        char a[64], b[64], c[64], d[64];
        size_t width[COL_COUNT], n_rows, row;
        char(*cells)[COL_COUNT][CELL_MAX];

        if (!cJSON_IsObject(st) || !cJSON_IsObject(tiers) || !cJSON_IsObject(host) ||
            !cJSON_IsArray(groups) || !cJSON_IsArray(overrides))
                return -EINVAL;
        memory_tier = json_str(tiers, "memory");
        if (!memory_tier)
                return -EINVAL;

        fputs("Memory:      ", f);
        put_coloured(f, opts, tier_colour(memory_tier), memory_tier);
        item = cJSON_GetObjectItemCaseSensitive(host, "memory_used_percent");
        fprintf(f, " — %.1f%% used, %s available of %s\n",
                cJSON_IsNumber(item) ? item->valuedouble : 0.0,
                json_size(host, "memory_available", "?", a, sizeof a),
                json_size(host, "memory_total", "?", b, sizeof b));
        psi = cJSON_GetObjectItemCaseSensitive(host, "psi");
        if (cJSON_IsObject(psi)) {
                const cJSON *mem = cJSON_GetObjectItemCaseSensitive(psi, "memory");
                const cJSON *io = cJSON_GetObjectItemCaseSensitive(psi, "io");
                psi_avg10_text(mem, "some", a, sizeof a);
                psi_avg10_text(mem, "full", b, sizeof b);
                psi_avg10_text(io, "some", c, sizeof c);
                psi_avg10_text(io, "full", d, sizeof d);
                fprintf(f, "Pressure:    memory some %s full %s, io some %s full %s (avg10)\n", a,
                        b, c, d);
        } else
                fputs("Pressure:    unavailable\n", f);

        if (cJSON_IsArray(disks) && cJSON_GetArraySize(disks) > 0) {
                cJSON_ArrayForEach(item, disks)
                {
                        const char *path = json_str(item, "path");
                        const char *tier = json_str(item, "tier");
                        const cJSON *used = cJSON_GetObjectItemCaseSensitive(item, "used_percent");
                        char safe[256];

                        if (!path || !tier)
                                return -EINVAL;
                        sanitize(path, safe, sizeof safe);
                        fprintf(f, "Disk %-7s ", safe);
                        put_coloured(f, opts, tier_colour(tier), tier);
                        if (cJSON_IsNumber(used))
                                fprintf(f, " — %.1f%% used, %s available of %s", used->valuedouble,
                                        json_size(item, "available", "?", a, sizeof a),
                                        json_size(item, "size", "?", b, sizeof b));
                        fputc('\n', f);
                }
        } else {
                const cJSON *disk_tiers = cJSON_GetObjectItemCaseSensitive(tiers, "disk");
                cJSON_ArrayForEach(item, disk_tiers)
                {
                        char safe[256];
                        if (!cJSON_IsString(item) || !item->string)
                                return -EINVAL;
                        sanitize(item->string, safe, sizeof safe);
                        fprintf(f, "Disk %-7s ", safe);
                        put_coloured(f, opts, tier_colour(item->valuestring), item->valuestring);
                        fputc('\n', f);
                }
        }

        fputs("Enforcement: ", f);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "paused"))) {
                put_coloured(f, opts, ANSI_YELLOW, "paused");
                fprintf(f, " until %s",
                        cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(st, "paused_until"))
                            ? json_expires(st, "paused_until", opts, a, sizeof a)
                            : "resumed");
        } else
                put_coloured(f, opts, ANSI_GREEN, "active");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "dry_run")))
                fputs(" (dry-run: actions are logged, not taken)", f);
        fputc('\n', f);
        if (cJSON_IsObject(docker)) {
                const cJSON *ev = cJSON_GetObjectItemCaseSensitive(docker, "version");
                const cJSON *av = cJSON_GetObjectItemCaseSensitive(docker, "api_version");

                fputs("Docker:      ", f);
                if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(docker, "configured")))
                        fputs("not configured", f);
                else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(docker, "connected")))
                        put_coloured(f, opts, ANSI_GREEN, "connected");
                else
                        put_coloured(f, opts, ANSI_RED, "disconnected");
                if (cJSON_IsString(ev) || cJSON_IsString(av))
                        fprintf(f, " — Engine %s, API %s",
                                cJSON_IsString(ev) ? ev->valuestring : "?",
                                cJSON_IsString(av) ? av->valuestring : "none in common");
                fputc('\n', f);
        }
        render_unavailable(st, opts, f);

        n_rows = (size_t)cJSON_GetArraySize(groups);
        cells = calloc(n_rows + 1, sizeof *cells);
        if (!cells)
                return -ENOMEM;
        for (size_t col = 0; col < COL_COUNT; col++) {
                util_strlcpy(cells[0][col], col_titles[col], CELL_MAX);
                width[col] = strlen(col_titles[col]);
        }
        row = 1;
        cJSON_ArrayForEach(item, groups)
        {
                const char *name = json_str(item, "name");
                const char *kind = json_str(item, "kind");
                const cJSON *prio = cJSON_GetObjectItemCaseSensitive(item, "priority");
                char(*cell)[CELL_MAX] = cells[row];

                if (!name || !kind) {
                        free(cells);
                        return -EINVAL;
                }
                const cJSON *rule = cJSON_GetObjectItemCaseSensitive(item, "rule");
                /* "managed" absent (an older daemon): a rule name means managed */
                const cJSON *managed_item = cJSON_GetObjectItemCaseSensitive(item, "managed");
                bool managed = managed_item ? cJSON_IsTrue(managed_item) : cJSON_IsString(rule);

                sanitize(name, cell[COL_NAME], CELL_MAX);
                util_strlcpy(cell[COL_KIND], kind, CELL_MAX);
                if (managed && cJSON_IsString(rule))
                        sanitize(rule->valuestring, cell[COL_RULE], CELL_MAX);
                else
                        util_strlcpy(cell[COL_RULE], managed ? "?" : "unmanaged", CELL_MAX);
                json_size(item, "memory_current", "-", cell[COL_USAGE], CELL_MAX);
                /* null means "max" when the group's memory is known, else unknown */
                {
                        bool known = cJSON_IsNumber(
                            cJSON_GetObjectItemCaseSensitive(item, "memory_current"));
                        json_size(item, "memory_max", known ? "max" : "-", cell[COL_MAX], CELL_MAX);
                        json_size(item, "memory_high", known ? "max" : "-", cell[COL_HIGH],
                                  CELL_MAX);
                }
                psi_avg10_text(cJSON_GetObjectItemCaseSensitive(item, "psi"), "some", cell[COL_PSI],
                               CELL_MAX);
                if (managed && cJSON_IsNumber(prio) && fabs(prio->valuedouble) < 1e9)
                        snprintf(cell[COL_PRIO], CELL_MAX, "%d", (int)prio->valuedouble);
                else
                        util_strlcpy(cell[COL_PRIO], "-", CELL_MAX);
                util_strlcpy(cell[COL_PROT],
                             !managed ? "-"
                             : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "protected"))
                                 ? "yes"
                                 : "no",
                             CELL_MAX);
                {
                        const cJSON *adj = cJSON_GetObjectItemCaseSensitive(item, "oom_score_adj");
                        if (cJSON_IsNumber(adj) && fabs(adj->valuedouble) <= 1000)
                                snprintf(cell[COL_OOMADJ], CELL_MAX, "%d", (int)adj->valuedouble);
                        else
                                util_strlcpy(cell[COL_OOMADJ], "-", CELL_MAX);
                }
                json_size(item, "override", "-", cell[COL_OVERRIDE], CELL_MAX);
                if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(item, "override")))
                        util_strlcpy(cell[COL_OVERRIDE], "-", CELL_MAX);
                for (size_t col = 0; col < COL_COUNT; col++)
                        if (strlen(cell[col]) > width[col])
                                width[col] = strlen(cell[col]);
                row++;
        }

        fputc('\n', f);
        print_table(f, &cells[0][0], COL_COUNT, n_rows + 1, width, col_right, opts->colour);
        free(cells);
        if (n_rows == 0)
                fputs("(no containers or cgroups)\n", f);

        if (cJSON_GetArraySize(overrides) > 0) {
                fputs("\nOverrides:\n", f);
                cJSON_ArrayForEach(item, overrides)
                {
                        const char *name = json_str(item, "name");
                        char safe[CELL_MAX];
                        if (!name)
                                return -EINVAL;
                        sanitize(name, safe, sizeof safe);
                        fprintf(f, "  %s memory.max %s until %s\n", safe,
                                json_size(item, "memory_max", "max", a, sizeof a),
                                json_expires(item, "expires", opts, c, sizeof c));
                }
        }
        return 0;
}

#define HISTORY_TARGET_WIDTH_MAX 48 /* columns; longer targets push the row out */

static int render_history(const cJSON *arr, const struct control_render_options *opts, FILE *f)
{
        const cJSON *e;
        int target_width = (int)strlen("TARGET");

        (void)opts;
        if (!cJSON_IsArray(arr))
                return -EINVAL;
        if (cJSON_GetArraySize(arr) == 0) {
                fputs("No actions recorded.\n", f);
                return 0;
        }
        cJSON_ArrayForEach(e, arr)
        {
                const char *target = json_str(e, "target");
                int n = target ? (int)strlen(target) : 0;
                if (n > target_width)
                        target_width = n < HISTORY_TARGET_WIDTH_MAX ? n : HISTORY_TARGET_WIDTH_MAX;
        }
        fprintf(f, "%-19s  %-16s  %-*s  %7s  %-7s  %s\n", "TIME", "KIND", target_width, "TARGET",
                "BYTES", "RESULT", "REASON");
        cJSON_ArrayForEach(e, arr)
        {
                const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "time");
                const char *kind = json_str(e, "kind"), *target = json_str(e, "target");
                const char *reason = json_str(e, "reason");
                /* entries from before results existed: done, or dry-run */
                const char *result = json_str(e, "result")
                                         ?: cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "dry_run"))
                                                ? "dry-run"
                                                : "done";
                const char *detail = json_str(e, "error") ?: json_str(e, "why");
                char when[64] = "", bytes[32], safe_target[256], safe_reason[512], safe_detail[512],
                     safe_result[16];
                struct tm tm;
                time_t secs;

                uint64_t t_secs;

                if (!json_number_in(t, (double)RENDER_SECONDS_MAX, &t_secs) || !kind || !target ||
                    !reason)
                        return -EINVAL;
                secs = (time_t)t_secs;
                if (localtime_r(&secs, &tm))
                        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
                json_size(e, "bytes", "-", bytes, sizeof bytes);
                sanitize(target, safe_target, sizeof safe_target);
                sanitize(reason, safe_reason, sizeof safe_reason);
                sanitize(detail ? detail : "", safe_detail, sizeof safe_detail);
                sanitize(result, safe_result, sizeof safe_result);
                fprintf(f, "%-19s  %-16s  %-*s  %7s  %-7s  %s%s%s%s\n", when, kind, target_width,
                        safe_target, bytes, safe_result, safe_reason, detail ? " (" : "",
                        safe_detail, detail ? ")" : "");
        }
        return 0;
}

static int render_cleanup(const cJSON *res, FILE *f)
{
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(res, "items"), *it;
        bool dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "dry_run"));
        char total[32];

        if (!cJSON_IsArray(items))
                return -EINVAL;
        cJSON_ArrayForEach(it, items)
        {
                const char *kind = json_str(it, "kind"), *target = json_str(it, "target");
                char bytes[32], safe[512];
                if (!kind || !target)
                        return -EINVAL;
                sanitize(target, safe, sizeof safe);
                fprintf(f, "%-16s %8s  %s\n", kind,
                        json_size(it, "bytes", "-", bytes, sizeof bytes), safe);
        }
        uint64_t left_out = 0;
        (void)json_number_in(cJSON_GetObjectItemCaseSensitive(res, "left_out"), 1e15, &left_out);
        if (left_out > 0)
                fprintf(f, "... and %" PRIu64 " more not listed (the journal has them at debug "
                           "level).\n",
                        left_out);
        fprintf(f, "%s %s in %" PRIu64 " item%s.\n", dry ? "Would free" : "Freed",
                json_size(res, "bytes", "0", total, sizeof total),
                (uint64_t)cJSON_GetArraySize(items) + left_out,
                cJSON_GetArraySize(items) + left_out == 1 ? "" : "s");
        return 0;
}

/* ---- explain ---- */

static const struct {
        const char *verdict;
        const char *text;
} verdict_texts[] = {
    {"candidate", "candidate"},
    {"unmanaged", "unmanaged: no rule matches, never touched"},
    {"protected", "protected by its rule"},
    {"no-identity", "no container id or cgroup yet: nothing to act on"},
    {"structural", "structurally protected"},
    {"not-running", "not running"},
    {"not-sacrificial", "not sacrificial: critical stops only sacrificial containers"},
    {"no-memory-high", "no memory.high: cannot be reclaimed or throttled (hybrid cgroups)"},
    {"below-usage", "below usage: under one page, nothing to reclaim"},
    {"cooldown", "cooldown"},
};

enum { XCOL_RANK, XCOL_NAME, XCOL_KIND, XCOL_RULE, XCOL_PRIO, XCOL_USAGE, XCOL_WHY, XCOL_COUNT };

static int render_explain(const cJSON *ex, const struct control_render_options *opts, FILE *f)
{
        static const char *const titles[XCOL_COUNT] = {"RANK", "NAME", "KIND", "RULE",
                                                       "PRIO", "USAGE", "WHY"};
        static const bool right[XCOL_COUNT] = {[XCOL_PRIO] = true, [XCOL_USAGE] = true};
        const cJSON *marks = cJSON_GetObjectItemCaseSensitive(ex, "marks");
        const cJSON *actions = cJSON_GetObjectItemCaseSensitive(ex, "actions");
        const cJSON *groups = cJSON_GetObjectItemCaseSensitive(ex, "groups");
        const cJSON *used = cJSON_GetObjectItemCaseSensitive(ex, "memory_used_percent");
        const cJSON *cool = cJSON_GetObjectItemCaseSensitive(ex, "host_cooldown_left");
        const char *tier = json_str(ex, "tier"), *prev = json_str(ex, "previous_tier");
        const char *judged = json_str(ex, "judged_action");
        const cJSON *item;
        size_t width[XCOL_COUNT], n_rows, row = 1;
        char(*cells)[XCOL_COUNT][CELL_MAX];
        char buf[64];
        bool first = true, held = false;

        if (!tier || !prev || !judged || !cJSON_IsObject(marks) || !cJSON_IsArray(actions) ||
            !cJSON_IsArray(groups) || !cJSON_IsNumber(used))
                return -EINVAL;

        fputs("Memory:     ", f);
        put_coloured(f, opts, tier_colour(tier), tier);
        if (strcmp(tier, prev) != 0)
                fprintf(f, " (the governor is at %s until its next evaluation)", prev);
        fprintf(f, " — %.1f%% used; marks", used->valuedouble);
        cJSON_ArrayForEach(item, marks)
        {
                if (!cJSON_IsNumber(item) || !item->string)
                        return -EINVAL;
                fprintf(f, "%s %s %g%%", first ? "" : ",", item->string, item->valuedouble);
                first = false;
        }
        fputc('\n', f);

        fputs("Would do:   ", f);
        if (cJSON_GetArraySize(actions) == 0)
                fprintf(f, "nothing%s\n",
                        strcmp(tier, "normal") == 0 ? " (at warning: reclaim the candidates below)"
                                                    : "");
        first = true;
        cJSON_ArrayForEach(item, actions)
        {
                const char *kind = json_str(item, "kind"), *target = json_str(item, "target");
                const char *reason = json_str(item, "reason");
                char safe_target[CELL_MAX], safe_reason[512];

                if (!kind || !target || !reason)
                        return -EINVAL;
                sanitize(target, safe_target, sizeof safe_target);
                sanitize(reason, safe_reason, sizeof safe_reason);
                fprintf(f, "%s%s %s — %s\n", first ? "" : "            ", kind, safe_target,
                        safe_reason);
                first = false;
        }
        fputs("Held back:  ", f);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ex, "paused"))) {
                put_coloured(f, opts, ANSI_YELLOW, "enforcement paused");
                fputs(": none of this is done", f);
                held = true;
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ex, "dry_run"))) {
                fputs(held ? "; " : "", f);
                fputs("dry-run: actions are logged, not taken", f);
                held = true;
        }
        if (cJSON_IsNumber(cool) && cool->valuedouble >= 1 && cool->valuedouble < 1e12) {
                format_remaining((uint64_t)cool->valuedouble, buf, sizeof buf);
                fprintf(f, "%s%s in host-wide cooldown for %s", held ? "; " : "", judged, buf);
                held = true;
        }
        fputs(held ? "\n" : "nothing\n", f);
        fprintf(f, "Judged for: %s (the %s tier's action)\n", judged, tier);

        n_rows = (size_t)cJSON_GetArraySize(groups);
        cells = calloc(n_rows + 1, sizeof *cells);
        if (!cells)
                return -ENOMEM;
        for (size_t col = 0; col < XCOL_COUNT; col++) {
                util_strlcpy(cells[0][col], titles[col], CELL_MAX);
                width[col] = strlen(titles[col]);
        }
        cJSON_ArrayForEach(item, groups)
        {
                const char *name = json_str(item, "name"), *kind = json_str(item, "kind");
                const char *verdict = json_str(item, "verdict");
                const cJSON *rank = cJSON_GetObjectItemCaseSensitive(item, "rank");
                const cJSON *prio = cJSON_GetObjectItemCaseSensitive(item, "priority");
                const cJSON *rule = cJSON_GetObjectItemCaseSensitive(item, "rule");
                const cJSON *left = cJSON_GetObjectItemCaseSensitive(item, "cooldown_left");
                char(*cell)[CELL_MAX] = cells[row];
                const char *text = NULL;

                if (!name || !kind || !verdict) {
                        free(cells);
                        return -EINVAL;
                }
                if (cJSON_IsNumber(rank) && rank->valuedouble >= 1 && rank->valuedouble < 1e9)
                        snprintf(cell[XCOL_RANK], CELL_MAX, "%u", (unsigned)rank->valuedouble);
                else
                        util_strlcpy(cell[XCOL_RANK], "-", CELL_MAX);
                sanitize(name, cell[XCOL_NAME], CELL_MAX);
                util_strlcpy(cell[XCOL_KIND], kind, CELL_MAX);
                if (cJSON_IsString(rule))
                        sanitize(rule->valuestring, cell[XCOL_RULE], CELL_MAX);
                else
                        util_strlcpy(cell[XCOL_RULE], "-", CELL_MAX);
                if (cJSON_IsNumber(prio) && fabs(prio->valuedouble) < 1e9)
                        snprintf(cell[XCOL_PRIO], CELL_MAX, "%d", (int)prio->valuedouble);
                else
                        util_strlcpy(cell[XCOL_PRIO], "-", CELL_MAX);
                json_size(item, "memory_current", "-", cell[XCOL_USAGE], CELL_MAX);
                for (size_t i = 0; i < ELEMENTSOF(verdict_texts); i++)
                        if (strcmp(verdict_texts[i].verdict, verdict) == 0)
                                text = verdict_texts[i].text;
                const cJSON *detail = cJSON_GetObjectItemCaseSensitive(item, "detail");

                if (strcmp(verdict, "structural") == 0 && cJSON_IsString(detail)) {
                        /* the cell is CELL_MAX; the detail is cut to fit after the label */
                        char safe[CELL_MAX - sizeof("structural: ") + 1];

                        sanitize(detail->valuestring, safe, sizeof safe);
                        snprintf(cell[XCOL_WHY], CELL_MAX, "structural: %s", safe);
                } else if (strcmp(verdict, "cooldown") == 0 && cJSON_IsNumber(left) &&
                    left->valuedouble >= 0 && left->valuedouble < 1e12) {
                        format_remaining((uint64_t)left->valuedouble, buf, sizeof buf);
                        snprintf(cell[XCOL_WHY], CELL_MAX, "cooldown: acted on recently, %s left",
                                 buf);
                } else if (text)
                        util_strlcpy(cell[XCOL_WHY], text, CELL_MAX);
                else
                        sanitize(verdict, cell[XCOL_WHY], CELL_MAX); /* a newer daemon's */
                for (size_t col = 0; col < XCOL_COUNT; col++)
                        if (strlen(cell[col]) > width[col])
                                width[col] = strlen(cell[col]);
                row++;
        }
        fputc('\n', f);
        print_table(f, &cells[0][0], XCOL_COUNT, n_rows + 1, width, right, opts->colour);
        free(cells);
        if (n_rows == 0)
                fputs("(no containers or cgroups)\n", f);
        return 0;
}

int control_render(enum control_verb verb, const cJSON *result,
                   const struct control_render_options *opts, FILE *f)
{
        char a[64], b[128], safe[GROUP_NAME_MAX];
        const char *name;

        assert(opts);
        assert(f);

        switch (verb) {
        case CONTROL_VERB_STATUS:
                return render_status(result, opts, f);
        case CONTROL_VERB_HISTORY:
                return render_history(result, opts, f);
        case CONTROL_VERB_SET_LIMIT:
                name = json_str(result, "name");
                if (!name)
                        return -EINVAL;
                sanitize(name, safe, sizeof safe);
                fprintf(f, "%s: memory.max override %s until %s\n", safe,
                        json_size(result, "memory_max", "max", a, sizeof a),
                        json_expires(result, "expires", opts, b, sizeof b));
                return 0;
        case CONTROL_VERB_CLEAR:
                name = json_str(result, "name");
                if (!name)
                        return -EINVAL;
                sanitize(name, safe, sizeof safe);
                fprintf(f, "%s: override cleared\n", safe);
                return 0;
        case CONTROL_VERB_PAUSE:
                fprintf(f, "Enforcement paused until %s\n",
                        cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(result, "expires"))
                            ? json_expires(result, "expires", opts, b, sizeof b)
                            : "resumed");
                return 0;
        case CONTROL_VERB_RESUME:
                fputs("Enforcement resumed\n", f);
                return 0;
        case CONTROL_VERB_CLEANUP:
                return render_cleanup(result, f);
        case CONTROL_VERB_EXPLAIN:
                return render_explain(result, opts, f);
        case CONTROL_VERB_RELOAD:
                fputs("Configuration reloaded\n", f);
                return 0;
        case CONTROL_VERB_METRICS:
                if (!cJSON_IsString(result))
                        return -EINVAL;
                fputs(result->valuestring, f);
                return 0;
        default:
                return -EINVAL;
        }
}
