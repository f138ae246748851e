/* test-control-proto — the control socket's wire format and the CLI's
 * rendering. argv[1]: the golden directory (tests/fixtures/govctl). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <time.h>

#include "config.h"
#include "control_proto.h"
#include "control_render.h"
#include "control_status.h"
#include "test.h"

static const char *golden_dir = "tests/fixtures/govctl";

static int parse(const char *s, struct control_request *req, char *err, size_t size)
{
        return control_request_parse(s, strlen(s), req, err, size);
}

static void test_parse_valid(void)
{
        struct control_request req;
        char err[256];

        CHECK_EQ_INT(parse("{\"verb\":\"status\"}\n", &req, err, sizeof err), 0);
        CHECK_EQ_INT(req.verb, CONTROL_VERB_STATUS);

        CHECK_EQ_INT(parse("{\"verb\":\"history\",\"count\":5}", &req, err, sizeof err), 0);
        CHECK_EQ_INT(req.verb, CONTROL_VERB_HISTORY);
        CHECK_EQ_INT(req.count, 5);

        CHECK_EQ_INT(parse("{\"verb\":\"set-limit\",\"name\":\"ollama\",\"memory_max\":12884901888,"
                           "\"for_usec\":3600000000}",
                           &req, err, sizeof err),
                     0);
        CHECK_EQ_INT(req.verb, CONTROL_VERB_SET_LIMIT);
        CHECK_STREQ(req.name, "ollama");
        CHECK_EQ_U64(req.memory_max, 12884901888ULL);
        CHECK_EQ_U64(req.for_usec, 3600000000ULL);
        CHECK(!req.memory_max_is_percent);

        CHECK_EQ_INT(parse("{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max\":\"max\"}", &req,
                           err, sizeof err),
                     0);
        CHECK_EQ_U64(req.memory_max, BYTES_MAX);
        CHECK_EQ_U64(req.for_usec, 0);

        CHECK_EQ_INT(parse("{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max_percent\":12.5}",
                           &req, err, sizeof err),
                     0);
        CHECK(req.memory_max_is_percent);
        CHECK(req.memory_max_percent == 12.5);

        CHECK_EQ_INT(
            parse(" { \"name\" : \"a b\", \"verb\" : \"clear\" } \r\n", &req, err, sizeof err), 0);
        CHECK_EQ_INT(req.verb, CONTROL_VERB_CLEAR);
        CHECK_STREQ(req.name, "a b");

        CHECK_EQ_INT(parse("{\"verb\":\"cleanup\",\"dry_run\":true}", &req, err, sizeof err), 0);
        CHECK(req.dry_run);
        CHECK(control_request_is_reading(&req));
        CHECK_EQ_INT(parse("{\"verb\":\"cleanup\"}", &req, err, sizeof err), 0);
        CHECK(!req.dry_run);
        CHECK(!control_request_is_reading(&req));
}

static void test_reading_verbs(void)
{
        static const struct {
                enum control_verb verb;
                bool reading;
        } table[] = {
            {CONTROL_VERB_STATUS, true},   {CONTROL_VERB_HISTORY, true},
            {CONTROL_VERB_METRICS, true},  {CONTROL_VERB_SET_LIMIT, false},
            {CONTROL_VERB_CLEAR, false},   {CONTROL_VERB_PAUSE, false},
            {CONTROL_VERB_RESUME, false},  {CONTROL_VERB_RELOAD, false},
            {CONTROL_VERB_CLEANUP, false},
        };

        for (size_t i = 0; i < ELEMENTSOF(table); i++) {
                struct control_request req = {.verb = table[i].verb};
                CHECK_EQ_INT(control_request_is_reading(&req), table[i].reading);
        }
}

static void test_parse_hostile(void)
{
        static const char *const bad[] = {
            "",
            "\n",
            "null",
            "[]",
            "\"status\"",
            "{}",
            "{\"verb\":1}",
            "{\"verb\":\"nope\"}",
            "{\"verb\":\"status\"",                       /* truncated */
            "{\"verb\":\"status\"}{\"verb\":\"status\"}", /* two requests */
            "{\"verb\":\"status\"} x",                    /* trailing garbage */
            "{\"verb\":\"status\",\"verb\":\"status\"}",  /* duplicate */
            "{\"verb\":\"status\",\"extra\":1}",          /* unknown key */
            "{\"verb\":\"status\",\"name\":\"x\"}",       /* key of another verb */
            "{\"verb\":\"history\",\"count\":-1}",
            "{\"verb\":\"history\",\"count\":1.5}",
            "{\"verb\":\"history\",\"count\":1e999}",
            "{\"verb\":\"history\",\"count\":\"5\"}",
            "{\"verb\":\"history\",\"count\":99999999999}",
            "{\"verb\":\"set-limit\",\"name\":\"x\"}",   /* no size */
            "{\"verb\":\"set-limit\",\"memory_max\":1}", /* no name */
            "{\"verb\":\"set-limit\",\"name\":\"\",\"memory_max\":1}",
            "{\"verb\":\"set-limit\",\"name\":\"a\\nb\",\"memory_max\":1}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max\":0}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max\":-5}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max\":\"8G\"}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max\":1e300}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max\":1,\"memory_max_percent\":5}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max_percent\":0}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max_percent\":101}",
            "{\"verb\":\"set-limit\",\"name\":\"x\",\"memory_max\":1,\"for_usec\":-1}",
            "{\"verb\":\"pause\",\"for_usec\":true}",
            "{\"verb\":\"cleanup\",\"dry_run\":1}",
            "{\"verb\":\"clear\",\"name\":null}",
            "\xff\xfe\x00\x01",
        };
        struct control_request req = {.verb = CONTROL_VERB_RELOAD, .count = 77};
        char err[256];

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                err[0] = '\0';
                int r = control_request_parse(bad[i], strlen(bad[i]), &req, err, sizeof err);
                if (r != -EINVAL)
                        fprintf(stderr, "accepted: %s\n", bad[i]);
                CHECK_EQ_INT(r, -EINVAL);
                CHECK(err[0] != '\0');
        }
        /* a failed parse leaves the output alone */
        CHECK_EQ_INT(req.verb, CONTROL_VERB_RELOAD);
        CHECK_EQ_INT(req.count, 77);

        /* an embedded NUL, with the length covering it */
        CHECK_EQ_INT(control_request_parse("{\"verb\":\"status\"}\0x", 19, &req, err, sizeof err),
                     -EINVAL);
        CHECK(strstr(err, "NUL") != NULL);

        /* oversized */
        {
                size_t n = CONTROL_REQUEST_MAX + 10;
                char *big = malloc(n);
                memset(big, ' ', n);
                memcpy(big, "{\"verb\":\"status\"}", 17);
                CHECK_EQ_INT(control_request_parse(big, n, &req, err, sizeof err), -EINVAL);
                CHECK(strstr(err, "too large") != NULL);
                free(big);
        }
        /* deep nesting is refused, not a stack overflow */
        {
                size_t depth = 50000;
                char *deep = malloc(depth * 2 + 32);
                size_t p = 0;
                p += (size_t)sprintf(deep, "{\"verb\":");
                for (size_t i = 0; i < depth; i++)
                        deep[p++] = '[';
                for (size_t i = 0; i < depth; i++)
                        deep[p++] = ']';
                deep[p++] = '}';
                CHECK_EQ_INT(control_request_parse(deep, p, &req, err, sizeof err), -EINVAL);
                free(deep);
        }
}

static void test_format_roundtrip(void)
{
        struct control_request in[] = {
            {.verb = CONTROL_VERB_STATUS},
            {.verb = CONTROL_VERB_HISTORY, .count = 3},
            {.verb = CONTROL_VERB_SET_LIMIT,
             .name = "ollama",
             .memory_max = 12ULL << 30,
             .for_usec = 3600ULL * USEC_PER_SEC},
            {.verb = CONTROL_VERB_SET_LIMIT, .name = "x", .memory_max = BYTES_MAX},
            {.verb = CONTROL_VERB_SET_LIMIT,
             .name = "x",
             .memory_max_is_percent = true,
             .memory_max_percent = 50},
            {.verb = CONTROL_VERB_CLEAR, .name = "with \"quotes\" and \\"},
            {.verb = CONTROL_VERB_PAUSE, .for_usec = 250 * USEC_PER_MSEC},
            {.verb = CONTROL_VERB_RESUME},
            {.verb = CONTROL_VERB_CLEANUP, .dry_run = true},
            {.verb = CONTROL_VERB_RELOAD},
            {.verb = CONTROL_VERB_METRICS},
        };

        for (size_t i = 0; i < ELEMENTSOF(in); i++) {
                struct control_request out;
                char *line = NULL, err[256];

                CHECK_EQ_INT(control_request_format(&in[i], &line), 0);
                CHECK(line && line[strlen(line) - 1] == '\n');
                CHECK(line && strchr(line, '\n') == line + strlen(line) - 1);
                CHECK_EQ_INT(control_request_parse(line, strlen(line), &out, err, sizeof err), 0);
                CHECK_EQ_INT(out.verb, in[i].verb);
                CHECK_STREQ(out.name, in[i].name);
                CHECK_EQ_U64(out.memory_max, in[i].memory_max);
                CHECK_EQ_INT(out.memory_max_is_percent, in[i].memory_max_is_percent);
                CHECK(out.memory_max_percent == in[i].memory_max_percent);
                CHECK_EQ_U64(out.for_usec, in[i].for_usec);
                CHECK_EQ_INT(out.dry_run, in[i].dry_run);
                CHECK_EQ_INT(out.count, in[i].count);
                free(line);
        }
}

static void test_responses(void)
{
        cJSON *res = NULL, *obj = cJSON_CreateObject();
        char *line, err[256];

        cJSON_AddNumberToObject(obj, "n", 7);
        line = control_response_ok(obj);
        CHECK(line != NULL);
        CHECK(line && line[strlen(line) - 1] == '\n');
        CHECK_EQ_INT(control_response_parse(line, strlen(line), &res, err, sizeof err), 0);
        CHECK(cJSON_IsObject(res));
        CHECK_EQ_INT(cJSON_GetObjectItem(res, "n")->valueint, 7);
        cJSON_Delete(res);
        free(line);

        line = control_response_error("permission denied: %s requires root", "pause");
        res = (cJSON *)0x1;
        CHECK_EQ_INT(control_response_parse(line, strlen(line), &res, err, sizeof err), 1);
        CHECK_STREQ(err, "permission denied: pause requires root");
        CHECK(res == (cJSON *)0x1); /* not written on refusal */
        free(line);

        line = control_response_ok(NULL);
        CHECK_EQ_INT(control_response_parse(line, strlen(line), &res, err, sizeof err), 0);
        CHECK(res == NULL);
        free(line);

        CHECK_EQ_INT(control_response_parse("garbage", 7, &res, err, sizeof err), -EINVAL);
        CHECK_EQ_INT(control_response_parse("{\"result\":1}", 12, &res, err, sizeof err), -EINVAL);
        CHECK_EQ_INT(control_response_parse("", 0, &res, err, sizeof err), -EINVAL);
}

/* A fixed daemon state: two containers, a plain cgroup, an unmanaged one. */
static struct rule rules[] = {
    {.kind = RULE_CONTAINER, .name = "ollama", .priority = 50},
    {.kind = RULE_CGROUP, .name = "postgres-host", .priority = 900, .protect = true},
};
static struct config cfg = {.rules = rules, .n_rules = 2};

static void fill_snapshot(struct snapshot *s)
{
        struct group_sample *g;

        snapshot_init(s);
        s->host.mem.mem_total_bytes = 24ULL << 30;
        s->host.mem.mem_available_bytes = 6ULL << 30;
        s->host.mem.swap_total_bytes = 0;
        s->host.has_psi = true;
        s->host.memory_psi.some.avg10 = 1.25;
        s->host.memory_psi.full.avg10 = 0.5;
        s->host.memory_psi.has_full = true;
        s->host.io_psi.some.avg10 = 3;
        s->host.io_psi.has_full = true;

        /* first in the snapshot, last in status: unmanaged rows follow managed ones */
        g = snapshot_add_group(s);
        g->kind = GROUP_CONTAINER;
        strcpy(g->name, "evil\033[31mname");
        strcpy(g->id, "ffff");
        g->rule = -1;
        g->has_memory = false;

        g = snapshot_add_group(s);
        g->kind = GROUP_CONTAINER;
        strcpy(g->name, "sutazai-ollama");
        strcpy(g->id, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        strcpy(g->cgroup, "docker/0123456789abcdef");
        g->rule = 0;
        g->has_memory = true;
        g->memory_current = 7ULL << 30 | 512ULL << 20;
        g->memory_max = 8ULL << 30;
        g->memory_high = 7ULL << 30;
        g->has_psi = true;
        g->psi.some.avg10 = 12.345;
        g->running = true;
        g->has_oom_score_adj = true;
        g->oom_score_adj = 950;

        g = snapshot_add_group(s);
        g->kind = GROUP_CGROUP;
        strcpy(g->name, "system.slice/postgresql@15-main.service");
        strcpy(g->cgroup, "system.slice/postgresql@15-main.service");
        g->rule = 1;
        g->has_memory = true;
        g->memory_current = 300ULL << 20;
        g->memory_max = BYTES_MAX;
        g->memory_high = 1ULL << 30;
        g->running = true;
        g->has_oom_score_adj = true;
        g->oom_score_adj = -998;

}

static struct override overrides[] = {
    {.name = "ollama",
     .memory_max = 12ULL << 30,
     .expires_realtime_usec = 1700003600ULL * USEC_PER_SEC},
    {.name = "evil\033[31mname", .memory_max = 1ULL << 30},
};

static cJSON *make_status(struct snapshot *s)
{
        static const char *const unavailable[] = {"memory.high", "reclaim", "throttle"};
        struct control_disk_view disks[] = {
            {.path = "/",
             .tier = TIER_WARNING,
             .used_percent = 83.4,
             .size_bytes = 100ULL << 30,
             .avail_bytes = 16ULL << 30},
            {.path = "/var/lib/docker",
             .tier = TIER_NORMAL,
             .used_percent = -1,
             .size_bytes = BYTES_MAX,
             .avail_bytes = BYTES_MAX},
        };
        struct control_status_input in = {
            .version = "0.1.0",
            .config = &cfg,
            .snapshot = s,
            .memory_tier = TIER_CRITICAL,
            .disks = disks,
            .n_disks = ELEMENTSOF(disks),
            .overrides = overrides,
            .n_overrides = ELEMENTSOF(overrides),
            .paused = true,
            .paused_until_realtime_usec = 1700000600ULL * USEC_PER_SEC,
            .docker_configured = true,
            .docker_connected = true,
            .docker_version = "29.1.0",
            .docker_api_version = "1.52",
            .unavailable_actions = unavailable,
            .n_unavailable_actions = ELEMENTSOF(unavailable),
            .unavailable_reason = "hybrid cgroups: v1 memory controller",
        };
        return control_status_json(&in);
}

static void test_status_json(void)
{
        struct snapshot s;
        cJSON *st, *c, *item;

        fill_snapshot(&s);
        st = make_status(&s);
        CHECK(st != NULL);
        CHECK_STREQ(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "tiers"), "memory")->valuestring,
                    "critical");
        item = cJSON_GetObjectItem(cJSON_GetObjectItem(st, "tiers"), "disk");
        CHECK(cJSON_IsObject(item));
        CHECK_STREQ(cJSON_GetObjectItem(item, "/")->valuestring, "warning");
        CHECK_STREQ(cJSON_GetObjectItem(item, "/var/lib/docker")->valuestring, "normal");
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(st, "dry_run")));
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(st, "paused")));
        CHECK_EQ_U64(cJSON_GetObjectItem(st, "paused_until")->valuedouble, 1700000600);
        item = cJSON_GetObjectItem(st, "docker");
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(item, "connected")));
        CHECK_STREQ(cJSON_GetObjectItem(item, "version")->valuestring, "29.1.0");
        CHECK_STREQ(cJSON_GetObjectItem(item, "api_version")->valuestring, "1.52");

        item = cJSON_GetObjectItem(st, "containers");
        CHECK_EQ_INT(cJSON_GetArraySize(item), 3);
        c = cJSON_GetArrayItem(item, 0);
        CHECK_STREQ(cJSON_GetObjectItem(c, "name")->valuestring, "sutazai-ollama");
        CHECK_EQ_INT(strlen(cJSON_GetObjectItem(c, "id")->valuestring), 64);
        CHECK_STREQ(cJSON_GetObjectItem(c, "kind")->valuestring, "container");
        CHECK_EQ_INT(cJSON_GetObjectItem(c, "oom_score_adj")->valuedouble, 950);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(item, 2), "oom_score_adj")));
        CHECK_EQ_U64(cJSON_GetObjectItem(c, "memory_current")->valuedouble,
                     7ULL << 30 | 512ULL << 20);
        CHECK_EQ_U64(cJSON_GetObjectItem(c, "memory_max")->valuedouble, 8ULL << 30);
        CHECK_EQ_U64(cJSON_GetObjectItem(c, "memory_high")->valuedouble, 7ULL << 30);
        CHECK_EQ_INT(cJSON_GetObjectItem(c, "priority")->valueint, 50);
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(c, "protected")));
        /* the override on its rule name applies to it */
        CHECK_EQ_U64(cJSON_GetObjectItem(c, "override")->valuedouble, 12ULL << 30);
        CHECK(
            cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(c, "psi"), "some"), "avg10")
                ->valuedouble == 12.35);

        c = cJSON_GetArrayItem(item, 1);
        CHECK_STREQ(cJSON_GetObjectItem(c, "kind")->valuestring, "cgroup");
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "memory_max"))); /* max */
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(c, "protected")));
        CHECK_EQ_INT(cJSON_GetObjectItem(c, "priority")->valueint, 900);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "override")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "psi")));

        c = cJSON_GetArrayItem(item, 2);
        CHECK_STREQ(cJSON_GetObjectItem(c, "name")->valuestring, "evil\033[31mname");
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "memory_current")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "rule")));
        /* unmanaged: no priority or protection to show */
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(c, "managed")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "priority")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "protected")));
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetArrayItem(item, 0), "managed")));
        /* unmanaged: the policy ignores overrides on it, so status does too */
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(c, "override")));

        item = cJSON_GetObjectItem(st, "unavailable_actions");
        CHECK_EQ_INT(cJSON_GetArraySize(item), 3);
        CHECK_STREQ(cJSON_GetArrayItem(item, 1)->valuestring, "reclaim");

        item = cJSON_GetObjectItem(st, "overrides");
        CHECK_EQ_INT(cJSON_GetArraySize(item), 2);
        c = cJSON_GetArrayItem(item, 0);
        CHECK_STREQ(cJSON_GetObjectItem(c, "name")->valuestring, "ollama");
        CHECK_EQ_U64(cJSON_GetObjectItem(c, "memory_max")->valuedouble, 12ULL << 30);
        CHECK_EQ_U64(cJSON_GetObjectItem(c, "expires")->valuedouble, 1700003600);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(item, 1), "expires")));
        cJSON_Delete(st);
        snapshot_done(&s);
}

static char *read_all(const char *path)
{
        FILE *f = fopen(path, "re");
        char *buf;
        long n;

        if (!f)
                return NULL;
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        buf = calloc(1, (size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
                free(buf);
                buf = NULL;
        }
        fclose(f);
        return buf;
}

/* Render and diff against GOLDEN_DIR/name; UPDATE_GOLDEN=1 rewrites it. */
static void check_golden(const char *name, enum control_verb verb, const cJSON *result, bool colour)
{
        struct control_render_options opts = {
            .colour = colour,
            .now_realtime = 1700000000ULL * USEC_PER_SEC,
        };
        char path[1024], *text = NULL, *want;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        CHECK_EQ_INT(control_render(verb, result, &opts, f), 0);
        fclose(f);
        snprintf(path, sizeof path, "%s/%s", golden_dir, name);
        if (getenv("UPDATE_GOLDEN")) {
                FILE *g = fopen(path, "we");
                fputs(text, g);
                fclose(g);
        }
        want = read_all(path);
        CHECK(want != NULL);
        if (want && strcmp(want, text) != 0) {
                fprintf(stderr, "%s differs; got:\n%s", path, text);
                test_failures++;
        }
        free(want);
        free(text);
}

static void test_render(void)
{
        struct snapshot s;
        cJSON *st, *arr, *e, *res;
        char path[1024], *text;

        fill_snapshot(&s);
        st = make_status(&s);
        if (getenv("UPDATE_GOLDEN")) {
                char *json = cJSON_Print(st);
                snprintf(path, sizeof path, "%s/status.json", golden_dir);
                FILE *g = fopen(path, "we");
                fprintf(g, "%s\n", json);
                fclose(g);
                free(json);
        }
        check_golden("status.txt", CONTROL_VERB_STATUS, st, false);
        check_golden("status-colour.txt", CONTROL_VERB_STATUS, st, true);
        cJSON_Delete(st);
        snapshot_done(&s);

        /* the status a daemon sent, as JSON on disk, renders the same way */
        snprintf(path, sizeof path, "%s/status.json", golden_dir);
        text = read_all(path);
        CHECK(text != NULL);
        st = text ? cJSON_Parse(text) : NULL;
        CHECK(st != NULL);
        if (st)
                check_golden("status.txt", CONTROL_VERB_STATUS, st, false);
        cJSON_Delete(st);
        free(text);

        arr = cJSON_CreateArray();
        check_golden("history-empty.txt", CONTROL_VERB_HISTORY, arr, false);
        e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "time", 1700000000);
        cJSON_AddStringToObject(e, "kind", "kill");
        cJSON_AddStringToObject(e, "target", "sutazai-agent-7");
        cJSON_AddStringToObject(e, "reason", "emergency: memory 93.1% >= 90%, priority 10");
        cJSON_AddBoolToObject(e, "dry_run", false);
        cJSON_AddItemToArray(arr, e);
        e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "time", 1700000123);
        cJSON_AddStringToObject(e, "kind", "prune-logs");
        cJSON_AddStringToObject(e, "target", "/opt/sutazaiapp/logs/a\nb.log");
        cJSON_AddStringToObject(e, "reason", "older than 7d");
        cJSON_AddNumberToObject(e, "bytes", 1536 * 1024);
        cJSON_AddBoolToObject(e, "dry_run", true);
        cJSON_AddStringToObject(e, "result", "dry-run");
        cJSON_AddItemToArray(arr, e);
        e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "time", 1700000200);
        cJSON_AddStringToObject(e, "kind", "limit");
        cJSON_AddStringToObject(e, "target", "sutazai-db");
        cJSON_AddStringToObject(e, "reason", "memory.max 1G differs from rule 512M (db)");
        cJSON_AddNumberToObject(e, "bytes", 512 * 1024 * 1024);
        cJSON_AddBoolToObject(e, "dry_run", false);
        cJSON_AddStringToObject(e, "result", "failed");
        cJSON_AddStringToObject(e, "error", "Input/output error");
        cJSON_AddItemToArray(arr, e);
        check_golden("history.txt", CONTROL_VERB_HISTORY, arr, false);
        cJSON_Delete(arr);

        res = control_override_json(&overrides[0]);
        check_golden("set-limit.txt", CONTROL_VERB_SET_LIMIT, res, false);
        cJSON_Delete(res);

        /* results of the wrong shape are refused, not rendered */
        {
                struct control_render_options opts = {0};
                FILE *f = fopen("/dev/null", "we");
                res = cJSON_CreateString("x");
                CHECK_EQ_INT(control_render(CONTROL_VERB_STATUS, res, &opts, f), -EINVAL);
                CHECK_EQ_INT(control_render(CONTROL_VERB_HISTORY, res, &opts, f), -EINVAL);
                CHECK_EQ_INT(control_render(CONTROL_VERB_SET_LIMIT, res, &opts, f), -EINVAL);
                CHECK_EQ_INT(control_render(CONTROL_VERB_METRICS, res, &opts, f), 0);
                CHECK_EQ_INT(control_render(CONTROL_VERB_STATUS, NULL, &opts, f), -EINVAL);
                cJSON_Delete(res);
                fclose(f);
        }
}

int main(int argc, char **argv)
{
        if (argc > 1)
                golden_dir = argv[1];
        /* people see local time; the goldens are in UTC */
        setenv("TZ", "UTC", 1);
        tzset();
        test_parse_valid();
        test_reading_verbs();
        test_parse_hostile();
        test_format_roundtrip();
        test_responses();
        test_status_json();
        test_render();
        return TEST_RESULT();
}
