/* Unit tests for the explain verb's wire and screen forms: the request with
 * and without NAME, control_explain_json over a real policy_explain, the NAME
 * filter, and the rendered table against tests/fixtures/govctl/explain.txt
 * (UPDATE_GOLDEN=1 rewrites it). */
#include <errno.h>

#include "control_explain.h"
#include "control_proto.h"
#include "control_render.h"
#include "test.h"
#include "test-snapshot.h"

#define S   USEC_PER_SEC
#define GiB (1024ULL * 1024 * 1024)

static const char *golden_dir = "tests/fixtures/govctl";
static struct rule rules[3];
static struct config config;
static struct snapshot snap;

static void add(const char *name, int rule, uint64_t bytes, bool running)
{
        struct group_sample *g = test_add_container(&snap, name, rule, bytes);

        g->has_memory_high = true;
        g->running = running;
}

static void test_request(void)
{
        struct control_request req;
        char err[256], *line = NULL;

        CHECK_EQ_INT(control_request_parse("{\"verb\":\"explain\"}", 18, &req, err, sizeof err), 0);
        CHECK_EQ_INT(req.verb, CONTROL_VERB_EXPLAIN);
        CHECK_STREQ(req.name, "");
        CHECK(control_request_is_reading(&req));
        CHECK_EQ_INT(control_request_format(&req, &line), 0);
        CHECK_STREQ(line, "{\"verb\":\"explain\"}\n");
        free(line);
        const char *named = "{\"verb\":\"explain\",\"name\":\"ollama\"}";
        CHECK_EQ_INT(control_request_parse(named, strlen(named), &req, err, sizeof err), 0);
        CHECK_STREQ(req.name, "ollama");
        CHECK_EQ_INT(control_request_format(&req, &line), 0);
        CHECK_STREQ(line, "{\"verb\":\"explain\",\"name\":\"ollama\"}\n");
        free(line);
        const char *bad = "{\"verb\":\"explain\",\"name\":\"\"}";
        CHECK_EQ_INT(control_request_parse(bad, strlen(bad), &req, err, sizeof err), -EINVAL);
        const char *extra = "{\"verb\":\"explain\",\"count\":1}";
        CHECK_EQ_INT(control_request_parse(extra, strlen(extra), &req, err, sizeof err), -EINVAL);
        /* set-limit still needs its name */
        const char *noname = "{\"verb\":\"clear\"}";
        CHECK_EQ_INT(control_request_parse(noname, strlen(noname), &req, err, sizeof err), -EINVAL);
}

static char *render(const cJSON *j)
{
        struct control_render_options opts = {.colour = false, .now_realtime = 0};
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        CHECK_EQ_INT(control_render(CONTROL_VERB_EXPLAIN, j, &opts, f), 0);
        fclose(f);
        return text;
}

static void test_json_and_render(void)
{
        struct policy_state state;
        struct explanation e;
        struct policy_input in;
        struct action killed = {.kind = ACTION_KILL, .tier = TIER_EMERGENCY};
        size_t n = 99;
        cJSON *j, *groups, *g;
        char path[1024], *text, *want;

        rules[0] = (struct rule){.kind = RULE_CONTAINER, .name = "agents", .priority = 10,
                                 .sacrificial = true};
        rules[1] = (struct rule){.kind = RULE_CONTAINER, .name = "ollama", .priority = 50};
        rules[2] = (struct rule){.kind = RULE_CONTAINER, .name = "postgres", .priority = 900,
                                 .protect = true};
        config.rules = rules;
        config.n_rules = 3;
        config.memory = (struct memory_section){.warning_percent = 65, .critical_percent = 80,
                                                .emergency_percent = 90, .hysteresis_percent = 5,
                                                .cooldown_usec = 15 * S, .reclaim_percent = 10,
                                                .throttle_percent = 50};
        snapshot_init(&snap);
        snap.host.mem.mem_total_bytes = 100 * GiB;
        snap.host.mem.mem_available_bytes = 5 * GiB; /* 95%: emergency */
        add("sutazai-agent-a", 0, 2 * GiB, true);
        add("sutazai-agent-b", 0, 1 * GiB, false);
        add("sutazai-ollama", 1, 8 * GiB, true);
        add("sutazai-postgres", 2, 1 * GiB, true);
        add("buildkit", -1, 3 * GiB, true);
        add("evil\033[31m", 0, 4 * GiB, true);

        policy_state_init(&state);
        killed.group = 5;
        util_strlcpy(killed.key, group_key(&snap.groups[5]), sizeof killed.key);
        CHECK_EQ_INT(policy_note_action(&state, &killed, 1000 * S - 10 * S), 0);
        in = (struct policy_input){.config = &config, .snapshot = &snap, .now = 1000 * S,
                                   .paused = true};
        explanation_init(&e);
        CHECK_EQ_INT(policy_explain(&in, &state, &e), 0);

        j = control_explain_json(&e, &in, false, NULL, &n);
        CHECK(j != NULL);
        CHECK_EQ_INT(n, 6);
        CHECK_STREQ(cJSON_GetObjectItem(j, "tier")->valuestring, "emergency");
        CHECK_STREQ(cJSON_GetObjectItem(j, "previous_tier")->valuestring, "normal");
        CHECK_STREQ(cJSON_GetObjectItem(j, "judged_action")->valuestring, "kill");
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "paused")));
        CHECK_EQ_INT(cJSON_GetObjectItem(j, "host_cooldown_left")->valueint, 5);
        CHECK(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "marks"), "critical")->valuedouble == 80);
        /* the host-wide cooldown holds the kill back; throttle and reclaim stay */
        {
                const cJSON *a;
                cJSON_ArrayForEach(a, cJSON_GetObjectItem(j, "actions"))
                        CHECK(strcmp(cJSON_GetObjectItem(a, "kind")->valuestring, "kill") != 0);
                a = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "actions"), 0);
                CHECK(a != NULL);
                if (a)
                        CHECK_STREQ(cJSON_GetObjectItem(a, "kind")->valuestring, "throttle");
        }
        groups = cJSON_GetObjectItem(j, "groups");
        g = cJSON_GetArrayItem(groups, 0);
        CHECK_STREQ(cJSON_GetObjectItem(g, "name")->valuestring, "sutazai-agent-a");
        CHECK_EQ_INT(cJSON_GetObjectItem(g, "rank")->valueint, 1);
        CHECK_STREQ(cJSON_GetObjectItem(g, "verdict")->valuestring, "candidate");
        g = cJSON_GetArrayItem(groups, 2);
        CHECK_STREQ(cJSON_GetObjectItem(g, "verdict")->valuestring, "cooldown");
        CHECK_EQ_INT(cJSON_GetObjectItem(g, "cooldown_left")->valueint, 5);
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(g, "rank")));
        g = cJSON_GetArrayItem(groups, 5);
        CHECK_STREQ(cJSON_GetObjectItem(g, "verdict")->valuestring, "unmanaged");
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(g, "rule")));
        CHECK(cJSON_IsNull(cJSON_GetObjectItem(g, "priority")));

        text = render(j);
        snprintf(path, sizeof path, "%s/explain.txt", golden_dir);
        if (getenv("UPDATE_GOLDEN")) {
                FILE *w = fopen(path, "we");
                fputs(text, w);
                fclose(w);
        }
        want = NULL;
        {
                FILE *r = fopen(path, "re");
                size_t cap = 0;
                if (r) {
                        ssize_t got = getdelim(&want, &cap, '\0', r);
                        if (got < 0) {
                                free(want);
                                want = NULL;
                        }
                        fclose(r);
                }
        }
        CHECK(want != NULL);
        if (want && strcmp(want, text) != 0) {
                fprintf(stderr, "%s differs; got:\n%s", path, text);
                test_failures++;
        }
        CHECK(strchr(text, '\033') == NULL); /* names are sanitized */
        free(want);
        free(text);
        cJSON_Delete(j);

        /* NAME: a rule lists its groups, a container itself, an unknown nothing */
        j = control_explain_json(&e, &in, true, "agents", &n);
        CHECK_EQ_INT(n, 3);
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "dry_run")));
        cJSON_Delete(j);
        j = control_explain_json(&e, &in, false, "id-sutazai-ollama", &n);
        CHECK_EQ_INT(n, 1);
        cJSON_Delete(j);
        j = control_explain_json(&e, &in, false, "nosuch", &n);
        CHECK_EQ_INT(n, 0);
        cJSON_Delete(j);

        /* a malformed result is refused, not rendered */
        struct control_render_options opts = {0};
        FILE *devnull = fopen("/dev/null", "we");
        cJSON *bogus = cJSON_Parse("{\"tier\":\"normal\"}");
        CHECK_EQ_INT(control_render(CONTROL_VERB_EXPLAIN, bogus, &opts, devnull), -EINVAL);
        cJSON_Delete(bogus);
        fclose(devnull);

        explanation_done(&e);
        policy_state_done(&state);
        snapshot_done(&snap);
}

int main(int argc, char **argv)
{
        if (argc > 1)
                golden_dir = argv[1];
        test_request();
        test_json_and_render();
        return TEST_RESULT();
}
