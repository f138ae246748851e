/* test-docker-json — the Docker JSON mapping on fixtures captured from a real
 * dockerd (tests/fixtures/docker, Docker 20.10, API 1.41) and on hostile
 * variants of them. argv[1]: the fixtures directory. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "docker_json.h"
#include "test.h"

static const char *fixtures_dir;

static char *load(const char *name, size_t *ret_len)
{
        char path[4096];
        static char buf[1 << 20];
        ssize_t n;
        int fd;

        snprintf(path, sizeof(path), "%s/%s", fixtures_dir, name);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
                fprintf(stderr, "cannot open fixture %s: %m\n", path);
                exit(1);
        }
        n = util_read_fd(fd, buf, sizeof(buf));
        close(fd);
        if (n < 0) {
                fprintf(stderr, "cannot read fixture %s\n", path);
                exit(1);
        }
        *ret_len = (size_t)n;
        return strdup(buf);
}

/* Replace the first occurrence of from with to in a fresh copy. */
static char *patch(const char *s, const char *from, const char *to)
{
        const char *at = strstr(s, from);
        size_t pre, len;
        char *out;

        if (!at) {
                fprintf(stderr, "patch: \"%s\" not in input\n", from);
                exit(1);
        }
        pre = (size_t)(at - s);
        len = strlen(s) - strlen(from) + strlen(to);
        out = malloc(len + 1);
        memcpy(out, s, pre);
        strcpy(out + pre, to);
        strcat(out, at + strlen(from));
        return out;
}

static bool has_label(char **labels, const char *kv)
{
        for (; labels && *labels; labels++)
                if (strcmp(*labels, kv) == 0)
                        return true;
        return false;
}

static void test_api_version(void)
{
        unsigned major = 0, minor = 0;
        char v[16];
        size_t len;
        char *json = load("version.json", &len);

        CHECK_EQ_INT(docker_json_parse_version(json, len, v, sizeof(v)), 0);
        CHECK_STREQ(v, "1.41");

        CHECK_EQ_INT(docker_json_parse_api_version("1.41", &major, &minor), 0);
        CHECK_EQ_INT(major, 1);
        CHECK_EQ_INT(minor, 41);
        CHECK_EQ_INT(docker_json_parse_api_version("1.", &major, &minor), -EINVAL);
        CHECK_EQ_INT(docker_json_parse_api_version("1.41x", &major, &minor), -EINVAL);
        CHECK_EQ_INT(docker_json_parse_api_version("", &major, &minor), -EINVAL);
        CHECK_EQ_INT(docker_json_parse_api_version("99999999999999999999.1", &major, &minor),
                     -EINVAL);

        /* Older than 1.41 is refused; newer is capped at what we support. */
        const char *old = "{\"ApiVersion\":\"1.40\"}";
        CHECK_EQ_INT(docker_json_parse_version(old, strlen(old), v, sizeof(v)), -ENOTSUP);
        const char *newer = "{\"ApiVersion\":\"1.47\",\"MinAPIVersion\":\"1.24\"}";
        CHECK_EQ_INT(docker_json_parse_version(newer, strlen(newer), v, sizeof(v)), 0);
        CHECK_STREQ(v, "1.47");
        const char *major2 = "{\"ApiVersion\":\"2.0\"}";
        CHECK_EQ_INT(docker_json_parse_version(major2, strlen(major2), v, sizeof(v)), 0);
        CHECK_STREQ(v, "1.52");
        const char *bad[] = {
            "{\"ApiVersion\":141}",
            "{\"apiversion\":\"1.41\"}",
            "[\"1.41\"]",
            "{",
            "{\"ApiVersion\":null}",
            "{\"ApiVersion\":\"1.41\"} x",
            "{\"ApiVersion\":\"1.44\",\"MinAPIVersion\":44}",
            "{\"ApiVersion\":\"1.44\",\"Version\":\"25\\n0\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK_EQ_INT(docker_json_parse_version(bad[i], strlen(bad[i]), v, sizeof(v)),
                             -EINVAL);
        free(json);
}

/* Negotiation against what each supported Engine answers on /version
 * (values from moby's api/common.go and daemon config at each release). */
static void test_api_negotiation(void)
{
        static const struct {
                const char *json, *api, *engine, *server_min;
        } engines[] = {
            {"{\"Version\":\"20.10.24\",\"ApiVersion\":\"1.41\",\"MinAPIVersion\":\"1.12\"}",
             "1.41", "20.10.24", "1.12"},
            {"{\"Version\":\"24.0.9\",\"ApiVersion\":\"1.43\",\"MinAPIVersion\":\"1.12\"}", "1.43",
             "24.0.9", "1.12"},
            {"{\"Version\":\"25.0.5\",\"ApiVersion\":\"1.44\",\"MinAPIVersion\":\"1.24\"}", "1.44",
             "25.0.5", "1.24"},
            {"{\"Version\":\"27.5.1\",\"ApiVersion\":\"1.47\",\"MinAPIVersion\":\"1.24\"}", "1.47",
             "27.5.1", "1.24"},
            {"{\"Version\":\"28.5.2\",\"ApiVersion\":\"1.51\",\"MinAPIVersion\":\"1.24\"}", "1.51",
             "28.5.2", "1.24"},
            /* Docker 29 refuses anything below 1.44: the outage of issue 10. */
            {"{\"Version\":\"29.1.0\",\"ApiVersion\":\"1.52\",\"MinAPIVersion\":\"1.44\"}", "1.52",
             "29.1.0", "1.44"},
            /* Newer than we know: capped at our newest, which it still accepts. */
            {"{\"Version\":\"30.0.0\",\"ApiVersion\":\"1.55\",\"MinAPIVersion\":\"1.44\"}", "1.52",
             "30.0.0", "1.44"},
            /* MinAPIVersion absent (API < 1.25): 1.12 assumed. */
            {"{\"ApiVersion\":\"1.41\"}", "1.41", "", "1.12"},
        };
        struct docker_json_version v;

        CHECK_EQ_INT(DOCKER_API_MAX_MAJOR, 1);
        CHECK_EQ_INT(DOCKER_API_MAX_MINOR, 52);
        for (size_t i = 0; i < ELEMENTSOF(engines); i++) {
                memset(&v, 0x55, sizeof(v));
                CHECK_EQ_INT(
                    docker_json_parse_version_info(engines[i].json, strlen(engines[i].json), &v),
                    0);
                CHECK_STREQ(v.api, engines[i].api);
                CHECK_STREQ(v.engine, engines[i].engine);
                CHECK_STREQ(v.server_min_api, engines[i].server_min);
        }

        /* No common version: an Engine whose minimum is above our maximum,
         * and one older than our minimum. Both ranges are reported. */
        const char *future =
            "{\"Version\":\"35.0\",\"ApiVersion\":\"1.60\",\"MinAPIVersion\":\"1.53\"}";
        CHECK_EQ_INT(docker_json_parse_version_info(future, strlen(future), &v), -ENOTSUP);
        CHECK_STREQ(v.api, "");
        CHECK_STREQ(v.server_api, "1.60");
        CHECK_STREQ(v.server_min_api, "1.53");
        CHECK_STREQ(v.engine, "35.0");
        const char *ancient =
            "{\"Version\":\"19.03.15\",\"ApiVersion\":\"1.40\",\"MinAPIVersion\":\"1.12\"}";
        CHECK_EQ_INT(docker_json_parse_version_info(ancient, strlen(ancient), &v), -ENOTSUP);
        CHECK_STREQ(v.server_api, "1.40");

        CHECK(docker_json_api_version_cmp("1.9", "1.41") < 0);
        CHECK(docker_json_api_version_cmp("1.52", "1.44") > 0);
        CHECK(docker_json_api_version_cmp("2.0", "1.99") > 0);
        CHECK_EQ_INT(docker_json_api_version_cmp("1.44", "1.44"), 0);
}

static void test_container_list(void)
{
        char(*ids)[DOCKER_ID_MAX] = NULL;
        size_t n = 0, len;
        char *json = load("containers-list.json", &len);

        CHECK_EQ_INT(docker_json_parse_container_list(json, len, &ids, &n), 0);
        CHECK_EQ_INT(n, 4);
        if (n == 4) {
                CHECK_STREQ(ids[2],
                            "4b5b1ddfa3710ccb9317c5323034b78b6cfeb14f9fc406492c5db100514881c5");
                CHECK_STREQ(ids[3],
                            "b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39");
        }
        free(ids);

        CHECK_EQ_INT(docker_json_parse_container_list("[]", 2, &ids, &n), 0);
        CHECK_EQ_INT(n, 0);
        free(ids);

        char *p = patch(json, "4b5b1ddfa3710ccb", "4B5B1DDFA3710CCB"); /* ids are lowercase hex */
        ids = NULL;
        CHECK_EQ_INT(docker_json_parse_container_list(p, strlen(p), &ids, &n), -EINVAL);
        CHECK(ids == NULL);
        free(p);
        p = patch(json, "4b5b1ddfa3710ccb", "../../../../../.");
        CHECK_EQ_INT(docker_json_parse_container_list(p, strlen(p), &ids, &n), -EINVAL);
        free(p);
        const char *bad[] = {"{}", "[1]", "[{\"Id\":1}]", "[{}]", "[{\"Id\":\"abc\"}]",
                             "[",  "null"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK_EQ_INT(docker_json_parse_container_list(bad[i], strlen(bad[i]), &ids, &n),
                             -EINVAL);
        /* A truncated body (a connection cut mid-answer) is malformed. */
        CHECK_EQ_INT(docker_json_parse_container_list(json, len / 2, &ids, &n), -EINVAL);
        free(json);
}

static void test_inspect_running(void)
{
        struct docker_container c = {};
        size_t len;
        char *json = load("inspect-running.json", &len);

        CHECK_EQ_INT(docker_json_parse_inspect(json, len, &c), 0);
        CHECK_STREQ(c.id, "b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39");
        CHECK_STREQ(c.name, "sutazai-ollama");
        CHECK_STREQ(c.image, "bb:latest");
        CHECK_STREQ(c.image_id,
                    "sha256:e4ab5a680e4df41c23330b9ead576babe34463e28e20f84bbb362b0ba9e6c77f");
        CHECK(c.running);
        CHECK(c.pid > 0);
        CHECK_EQ_U64(c.memory_bytes, 256ULL << 20);
        CHECK_EQ_INT(c.memory_swap, 512LL << 20); /* docker run -m 256m: swap defaults to 2x */
        CHECK(has_label(c.labels, "com.sutazai.tier=llm"));
        CHECK(has_label(c.labels, "com.sutazai.role=agent"));
        CHECK(c.cgroup == NULL);
        CHECK(c.cgroup_v1_memory == NULL);
        CHECK(c.created_realtime_usec > 1700000000ULL * USEC_PER_SEC);
        CHECK(c.started_realtime_usec >= c.created_realtime_usec);

        struct docker_container copy = {};
        CHECK_EQ_INT(docker_container_copy(&c, &copy), 0);
        CHECK_STREQ(copy.name, c.name);
        CHECK(copy.name != c.name);
        CHECK(has_label(copy.labels, "com.sutazai.tier=llm"));
        docker_container_done(&copy);
        docker_container_done(&c);
        CHECK(c.name == NULL);
        free(json);
}

static void test_inspect_other_states(void)
{
        struct docker_container c = {};
        size_t len;
        char *json;

        json = load("inspect-oom-killed.json", &len);
        CHECK_EQ_INT(docker_json_parse_inspect(json, len, &c), 0);
        CHECK_STREQ(c.name, "oomer");
        CHECK(!c.running);
        CHECK_EQ_INT(c.pid, 0);
        CHECK_EQ_U64(c.memory_bytes, 64ULL << 20);
        CHECK_EQ_INT(c.memory_swap, 64LL << 20);
        CHECK(c.labels && c.labels[0] == NULL);
        docker_container_done(&c);
        free(json);

        json = load("inspect-created.json", &len);
        CHECK_EQ_INT(docker_json_parse_inspect(json, len, &c), 0);
        CHECK_STREQ(c.name, "stopped-two");
        CHECK(!c.running);
        CHECK_EQ_U64(c.memory_bytes, 0);          /* unlimited */
        CHECK_EQ_U64(c.started_realtime_usec, 0); /* "0001-01-01T00:00:00Z" */
        CHECK(has_label(c.labels, "com.sutazai.role=agent"));
        docker_container_done(&c);
        free(json);

        json = load("inspect-updated.json", &len);
        CHECK_EQ_INT(docker_json_parse_inspect(json, len, &c), 0);
        CHECK_EQ_U64(c.memory_bytes, 300ULL << 20);
        CHECK_EQ_INT(c.memory_swap, 300LL << 20);
        docker_container_done(&c);
        free(json);

        json = load("inspect-restarting.json", &len);
        CHECK_EQ_INT(docker_json_parse_inspect(json, len, &c), 0);
        CHECK_EQ_INT(c.restart_count, 4);
        CHECK(!c.running); /* State.Running is true while restarting, but there is no pid */
        docker_container_done(&c);
        free(json);
}

static void test_inspect_hostile(void)
{
        struct docker_container c = {.pid = 4242};
        size_t len;
        char *json = load("inspect-running.json", &len);
        char big_name[600], *p;
        struct {
                const char *from, *to;
        } variants[] = {
            {"\"Running\": true", "\"Running\": \"yes\""},
            {"\"Running\": true", "\"Running\": false"}, /* with a pid: inconsistent */
            {"\"Running\": true", "\"Running\": null"},
            {"\"Memory\": 268435456", "\"Memory\": -5"},
            {"\"Memory\": 268435456", "\"Memory\": 1e300"},
            {"\"Memory\": 268435456", "\"Memory\": 99999999999999999999999"},
            {"\"Memory\": 268435456", "\"Memory\": 2.5"},
            {"\"Memory\": 268435456", "\"Memory\": \"268435456\""},
            {"\"MemorySwap\": 536870912", "\"MemorySwap\": -2"},
            {"\"Pid\": ", "\"Pid\": -"},
            {"\"Name\": \"/sutazai-ollama\"", "\"Name\": \"/a/../../etc\""},
            {"\"Name\": \"/sutazai-ollama\"", "\"Name\": \"/\""},
            {"\"Name\": \"/sutazai-ollama\"", "\"Name\": null"},
            {"\"Id\": \"b29b80831d11", "\"Id\": \"zz9b80831d11"},
            {"\"Created\": \"", "\"Created\": \"yesterday"},
            {"\"RestartCount\": 0", "\"RestartCount\": -1"},
            {"\"Labels\": {", "\"Labels\": [{"},
            {"\"com.sutazai.tier\": \"llm\"", "\"com.sutazai.tier\": 7"},
            {"\"com.sutazai.tier\": \"llm\"", "\"com.sutazai.tier=x\": \"llm\""},
            {"\"State\": {", "\"State\": [{"},
            {"\"HostConfig\": {", "\"HostConfig\": null, \"X\": {"},
        };

        for (size_t i = 0; i < ELEMENTSOF(variants); i++) {
                p = patch(json, variants[i].from, variants[i].to);
                if (docker_json_parse_inspect(p, strlen(p), &c) != -EINVAL)
                        fprintf(stderr, "variant %zu (%s) accepted\n", i, variants[i].to);
                CHECK_EQ_INT(docker_json_parse_inspect(p, strlen(p), &c), -EINVAL);
                free(p);
        }
        /* out-param untouched on failure */
        CHECK_EQ_INT(c.pid, 4242);
        CHECK(c.name == NULL);

        memset(big_name, 'a', sizeof(big_name) - 1);
        big_name[sizeof(big_name) - 1] = '\0';
        char repl[700];
        snprintf(repl, sizeof(repl), "\"Name\": \"/%s\"", big_name);
        p = patch(json, "\"Name\": \"/sutazai-ollama\"", repl);
        CHECK_EQ_INT(docker_json_parse_inspect(p, strlen(p), &c), -EINVAL);
        free(p);

        /* Missing required members. */
        p = patch(json, "\"HostConfig\"", "\"HostConfiguration\"");
        CHECK_EQ_INT(docker_json_parse_inspect(p, strlen(p), &c), -EINVAL);
        free(p);
        p = patch(json, "\"Memory\":", "\"memory\":");
        CHECK_EQ_INT(docker_json_parse_inspect(p, strlen(p), &c), -EINVAL);
        free(p);

        /* Truncated and garbage-suffixed bodies. */
        for (size_t cut = 0; cut < len; cut += len / 37 + 1)
                CHECK_EQ_INT(docker_json_parse_inspect(json, cut, &c), -EINVAL);
        p = malloc(len + 3);
        memcpy(p, json, len);
        memcpy(p + len, "}x", 3);
        CHECK_EQ_INT(docker_json_parse_inspect(p, len + 2, &c), -EINVAL);
        free(p);
        CHECK_EQ_INT(docker_json_parse_inspect("null", 4, &c), -EINVAL);
        CHECK_EQ_INT(docker_json_parse_inspect("", 0, &c), -EINVAL);

        /* Trailing whitespace and newlines (as curl delivers them) are fine. */
        p = malloc(len + 3);
        memcpy(p, json, len);
        memcpy(p + len, "\r\n", 3);
        CHECK_EQ_INT(docker_json_parse_inspect(p, len + 2, &c), 0);
        docker_container_done(&c);
        free(p);
        free(json);
}

static void test_events(void)
{
        size_t len, lines = 0;
        char *json = load("events.jsonl", &len);
        struct docker_json_event e;
        unsigned seen[DOCKER_ACTION_UNPAUSE + 1] = {};
        uint64_t last = 0;
        const char *line = json;

        while (line < json + len) {
                const char *nl = memchr(line, '\n', (size_t)(json + len - line));
                size_t l = nl ? (size_t)(nl - line) : (size_t)(json + len - line);

                CHECK_EQ_INT(docker_json_parse_event(line, l, &e), 0);
                CHECK(e.container);
                CHECK(docker_id_valid(e.id));
                CHECK(e.name[0] != '\0');
                CHECK(e.time_nano >= last); /* the stream is in time order */
                last = e.time_nano;
                seen[e.action]++;
                if (lines == 8) {
                        CHECK_EQ_INT(e.action, DOCKER_ACTION_OOM);
                        CHECK_STREQ(e.name, "oomer");
                        CHECK_STREQ(e.id, "a274ada12de152e40ea1f0c1698d12b9a0e38d0a1ec6341259d654c"
                                          "2656aa567");
                        /* 1795556656075279906 within a double's precision */
                        CHECK(e.time_nano / 1000 / 1000 == 1795556656075ULL);
                }
                lines++;
                line += l + 1;
        }
        CHECK_EQ_INT(lines, 22);
        CHECK_EQ_INT(seen[DOCKER_ACTION_START], 5);
        CHECK_EQ_INT(seen[DOCKER_ACTION_DIE], 3);
        CHECK_EQ_INT(seen[DOCKER_ACTION_OOM], 1);
        CHECK_EQ_INT(seen[DOCKER_ACTION_UPDATE], 1);
        CHECK_EQ_INT(seen[DOCKER_ACTION_RENAME], 1);
        CHECK_EQ_INT(seen[DOCKER_ACTION_RESTART], 1);
        CHECK_EQ_INT(seen[DOCKER_ACTION_DESTROY], 1);
        CHECK_EQ_INT(seen[DOCKER_ACTION_STOP], 1);
        CHECK_EQ_INT(seen[DOCKER_ACTION_KILL], 2);
        CHECK_EQ_INT(seen[DOCKER_ACTION_OTHER], 1); /* attach */
        CHECK_STREQ(docker_action_name(DOCKER_ACTION_OOM), "oom");

        /* Non-container events parse but carry no id. */
        const char *net = "{\"Type\":\"network\",\"Action\":\"connect\",\"Actor\":{\"ID\":\"x\"},"
                          "\"time\":1,\"timeNano\":1000000000}";
        CHECK_EQ_INT(docker_json_parse_event(net, strlen(net), &e), 0);
        CHECK(!e.container);
        CHECK_STREQ(e.id, "");
        /* exec_start: sh and health_status: ... are followed by nothing */
        const char *exec = "{\"Type\":\"container\",\"Action\":\"exec_start: sh -c x\","
                           "\"Actor\":{\"ID\":\"b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922"
                           "ace794a98f24dc39\",\"Attributes\":null},\"time\":1,\"timeNano\":"
                           "1000000001}";
        CHECK_EQ_INT(docker_json_parse_event(exec, strlen(exec), &e), 0);
        CHECK_EQ_INT(e.action, DOCKER_ACTION_OTHER);
        CHECK_STREQ(e.name, "");

        /* Docker's prune event names no container */
        const char *prune = "{\"Type\":\"container\",\"Action\":\"prune\",\"Actor\":{\"ID\":\"\","
                            "\"Attributes\":{\"reclaimed\":\"0\"}},\"scope\":\"local\",\"time\":1,"
                            "\"timeNano\":1000000000}";
        CHECK_EQ_INT(docker_json_parse_event(prune, strlen(prune), &e), 0);
        CHECK_EQ_INT(e.action, DOCKER_ACTION_OTHER);
        CHECK_STREQ(e.id, "");

        const char *bad[] = {
            "",
            "{}",
            "{\"Type\":\"container\",\"Action\":\"start\",\"timeNano\":1}", /* no Actor */
            "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\"},"
            "\"timeNano\":1}",
            "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"b29b80831d11bba6"
            "2eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39\"},\"timeNano\":-1}",
            "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"b29b80831d11bba6"
            "2eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39\"},\"timeNano\":1e400}",
            "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"b29b80831d11bba6"
            "2eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39\",\"Attributes\":{\"name\":5}},"
            "\"timeNano\":1}",
            "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"b29b80831d11bba6"
            "2eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39\"},\"time\":99,"
            "\"timeNano\":1000000000}", /* time and timeNano disagree */
            "{\"Type\":7,\"Action\":\"start\",\"timeNano\":1}",
            "[1,2,3]",
            "{\"Type\":\"container\"}{\"Type\":\"container\"}",
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (docker_json_parse_event(bad[i], strlen(bad[i]), &e) != -EINVAL)
                        fprintf(stderr, "bad event %zu accepted\n", i);
                CHECK_EQ_INT(docker_json_parse_event(bad[i], strlen(bad[i]), &e), -EINVAL);
        }
        free(json);
}

static void test_images(void)
{
        struct docker_image *images = NULL;
        size_t n = 0, len;
        char *json = load("images-list.json", &len);

        CHECK_EQ_INT(docker_json_parse_images(json, len, &images, &n), 0);
        CHECK_EQ_INT(n, 4);
        if (n == 4) {
                /* a dangling image: "<none>:<none>" is not a tag */
                CHECK(images[0].repo_tags && images[0].repo_tags[0] == NULL);
                CHECK_STREQ(images[1].repo_tags[0], "other:1");
                CHECK(images[1].repo_tags[1] == NULL);
                CHECK_STREQ(images[3].id, "sha256:e4ab5a680e4df41c23330b9ead576babe34463e28e20f"
                                          "84bbb362b0ba9e6c77f");
                CHECK_EQ_U64(images[3].size_bytes, 1982256);
                CHECK_EQ_U64(images[3].created_realtime_usec, 1795556650ULL * USEC_PER_SEC);
        }
        docker_images_free(images, n);

        char *p = patch(json, "\"Size\": 1982258", "\"Size\": -1");
        CHECK_EQ_INT(docker_json_parse_images(p, strlen(p), &images, &n), -EINVAL);
        free(p);
        p = patch(json, "\"other:1\"", "1");
        CHECK_EQ_INT(docker_json_parse_images(p, strlen(p), &images, &n), -EINVAL);
        free(p);
        p = patch(json, "\"Id\": \"sha256:732414", "\"Id\": \"md5:732414");
        CHECK_EQ_INT(docker_json_parse_images(p, strlen(p), &images, &n), -EINVAL);
        free(p);
        CHECK_EQ_INT(docker_json_parse_images("{}", 2, &images, &n), -EINVAL);
        free(json);
}

/* What changed for us between API 1.41 and 1.52 (moby api/docs/CHANGELOG.md):
 * image lists lose "<none>" placeholders (1.43) and VirtualSize (1.44) and
 * gain Manifests/Descriptor (1.47/1.48); events lose status/id/from (1.52);
 * inspect loses the legacy NetworkSettings fields, KernelMemory(TCP) and an
 * empty Config.OnBuild (1.42/1.52). None of it is read, all of it parses. */
static void test_newer_api_shapes(void)
{
        const char *images =
            "[{\"Containers\":-1,\"Created\":1795556678,\"Id\":\"sha256:"
            "548270c78dd9cf8efa4dc3e671cbb1bf10aad8533bc60bbeb3ddb297cddfd826\",\"Labels\":null,"
            "\"ParentId\":\"\",\"RepoDigests\":[],\"RepoTags\":[],\"SharedSize\":-1,"
            "\"Size\":1982256},"
            "{\"Containers\":2,\"Created\":1795556679,\"Id\":\"sha256:"
            "732414fdd6e2612fa9ac945fef5a528ce5f3dd5c9cba7e96f3622d33491e5ed1\",\"Labels\":{},"
            "\"ParentId\":\"\",\"RepoDigests\":[\"other@sha256:"
            "732414fdd6e2612fa9ac945fef5a528ce5f3dd5c9cba7e96f3622d33491e5ed1\"],"
            "\"RepoTags\":[\"other:1\"],\"SharedSize\":-1,\"Size\":1982258,"
            "\"Descriptor\":{\"mediaType\":\"application/vnd.oci.image.index.v1+json\","
            "\"digest\":\"sha256:"
            "732414fdd6e2612fa9ac945fef5a528ce5f3dd5c9cba7e96f3622d33491e5ed1\","
            "\"size\":856},\"Manifests\":[{\"ID\":\"sha256:"
            "1111111111111111111111111111111111111111111111111111111111111111\",\"Kind\":\"image\","
            "\"Available\":true}]}]";
        const char *event =
            "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":"
            "\"b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39\",\"Attributes\":{"
            "\"image\":\"bb:latest\",\"name\":\"web-1\"}},\"scope\":\"local\",\"time\":1795556655,"
            "\"timeNano\":1795556655298993301}";
        static const char *const dropped_net[] = {
            "Bridge",
            "HairpinMode",
            "LinkLocalIPv6Address",
            "LinkLocalIPv6PrefixLen",
            "SecondaryIPAddresses",
            "SecondaryIPv6Addresses",
            "EndpointID",
            "Gateway",
            "GlobalIPv6Address",
            "GlobalIPv6PrefixLen",
            "IPAddress",
            "IPPrefixLen",
            "IPv6Gateway",
            "MacAddress",
        };
        struct docker_image *imgs = NULL;
        struct docker_json_event e;
        struct docker_container c = {};
        cJSON *root;
        char *json, *text;
        size_t n = 0, len;

        CHECK_EQ_INT(docker_json_parse_images(images, strlen(images), &imgs, &n), 0);
        CHECK_EQ_INT(n, 2);
        if (n == 2) {
                CHECK(imgs[0].repo_tags && imgs[0].repo_tags[0] == NULL); /* [] = untagged */
                CHECK_EQ_U64(imgs[0].size_bytes, 1982256); /* Size, not VirtualSize */
                CHECK_STREQ(imgs[1].repo_tags[0], "other:1");
        }
        docker_images_free(imgs, n);

        CHECK_EQ_INT(docker_json_parse_event(event, strlen(event), &e), 0);
        CHECK(e.container);
        CHECK_EQ_INT(e.action, DOCKER_ACTION_START);
        CHECK_STREQ(e.id, "b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39");
        CHECK_STREQ(e.name, "web-1");

        json = load("inspect-running.json", &len);
        root = cJSON_ParseWithLength(json, len);
        CHECK(root != NULL);
        if (root) {
                cJSON *net = cJSON_GetObjectItemCaseSensitive(root, "NetworkSettings");
                cJSON *host = cJSON_GetObjectItemCaseSensitive(root, "HostConfig");
                cJSON *config = cJSON_GetObjectItemCaseSensitive(root, "Config");

                for (size_t i = 0; i < ELEMENTSOF(dropped_net); i++)
                        cJSON_DeleteItemFromObjectCaseSensitive(net, dropped_net[i]);
                cJSON_DeleteItemFromObjectCaseSensitive(host, "KernelMemory");
                cJSON_DeleteItemFromObjectCaseSensitive(host, "KernelMemoryTCP");
                cJSON_DeleteItemFromObjectCaseSensitive(config, "OnBuild");
                cJSON_AddItemToObject(root, "ImageManifestDescriptor", cJSON_CreateObject());
                text = cJSON_PrintUnformatted(root);
                CHECK(text != NULL);
                if (text) {
                        CHECK_EQ_INT(docker_json_parse_inspect(text, strlen(text), &c), 0);
                        CHECK_STREQ(c.name, "sutazai-ollama");
                        CHECK(c.running);
                        docker_container_done(&c);
                }
                free(text);
                cJSON_Delete(root);
        }
        free(json);
}

static void test_prune(void)
{
        uint64_t reclaimed = 7;
        char **deleted = NULL;
        size_t len;
        char *json;

        json = load("prune-images.json", &len);
        CHECK_EQ_INT(docker_json_parse_prune(json, len, &reclaimed, &deleted), 0);
        CHECK_EQ_U64(reclaimed, 1982256);
        CHECK(deleted && deleted[0] && deleted[1] && !deleted[2]);
        if (deleted && deleted[0])
                CHECK_STREQ(deleted[0], "sha256:548270c78dd9cf8efa4dc3e671cbb1bf10aad8533bc60bb"
                                        "eb3ddb297cddfd826");
        docker_strv_free(deleted);
        free(json);

        json = load("prune-containers.json", &len);
        CHECK_EQ_INT(docker_json_parse_prune(json, len, &reclaimed, &deleted), 0);
        CHECK_EQ_U64(reclaimed, 0);
        CHECK(deleted && deleted[0] && deleted[1] && !deleted[2]);
        docker_strv_free(deleted);
        free(json);

        json = load("prune-containers-empty.json", &len);
        CHECK_EQ_INT(docker_json_parse_prune(json, len, &reclaimed, &deleted), 0);
        CHECK(deleted && !deleted[0]);
        docker_strv_free(deleted);
        free(json);

        json = load("prune-build.json", &len);
        CHECK_EQ_INT(docker_json_parse_prune(json, len, &reclaimed, &deleted), 0);
        CHECK(deleted && !deleted[0]);
        docker_strv_free(deleted);
        free(json);

        json = load("image-remove.json", &len); /* an array, not a prune answer */
        CHECK_EQ_INT(docker_json_parse_prune(json, len, &reclaimed, &deleted), -EINVAL);
        free(json);

        const char *bad[] = {
            "{\"SpaceReclaimed\":-1}",
            "{\"SpaceReclaimed\":1e30}",
            "{}",
            "{\"SpaceReclaimed\":1,\"ContainersDeleted\":[1]}",
            "{\"SpaceReclaimed\":1,\"ContainersDeleted\":\"x\"}",
            "{\"SpaceReclaimed\":1,\"ImagesDeleted\":[{\"Other\":\"x\"}]}",
        };
        reclaimed = 7;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK_EQ_INT(docker_json_parse_prune(bad[i], strlen(bad[i]), &reclaimed, &deleted),
                             -EINVAL);
        CHECK_EQ_U64(reclaimed, 7);
}

static void test_errors(void)
{
        const char *files[] = {
            "error-no-such-container.json",        "error-update-min-memory.json",
            "error-update-swap-below-memory.json", "error-image-in-use.json",
            "error-kill-not-running.json",         "error-bad-request.json"};
        char msg[256];
        size_t len;

        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                char *json = load(files[i], &len);
                msg[0] = '\0';
                CHECK_EQ_INT(docker_json_parse_error(json, len, msg, sizeof(msg)), 0);
                CHECK(msg[0] != '\0');
                free(json);
        }
        char *json = load("error-update-min-memory.json", &len);
        CHECK_EQ_INT(docker_json_parse_error(json, len, msg, sizeof(msg)), 0);
        CHECK_STREQ(msg, "Minimum memory limit allowed is 6MB");
        free(json);

        /* Control characters never reach a log line. */
        const char *nl = "{\"message\":\"a\\nb\\u001bc\"}";
        CHECK_EQ_INT(docker_json_parse_error(nl, strlen(nl), msg, sizeof(msg)), 0);
        CHECK_STREQ(msg, "a b c");
        CHECK_EQ_INT(docker_json_parse_error("{\"message\":3}", 13, msg, sizeof(msg)), -EINVAL);
        CHECK_EQ_INT(docker_json_parse_error("<html>", 6, msg, sizeof(msg)), -EINVAL);
        /* truncation to the caller's buffer */
        char small[5];
        json = load("error-image-in-use.json", &len);
        CHECK_EQ_INT(docker_json_parse_error(json, len, small, sizeof(small)), 0);
        CHECK_STREQ(small, "conf");
        free(json);
}

static void test_update_body(void)
{
        char buf[128];

        CHECK_EQ_INT(docker_json_update_body(256ULL << 20, -1, buf, sizeof(buf)),
                     (int)strlen("{\"Memory\":268435456,\"MemorySwap\":-1}"));
        CHECK_STREQ(buf, "{\"Memory\":268435456,\"MemorySwap\":-1}");
        /* 0 = no swap beyond memory: Docker wants MemorySwap == Memory */
        CHECK(docker_json_update_body(256ULL << 20, 0, buf, sizeof(buf)) > 0);
        CHECK_STREQ(buf, "{\"Memory\":268435456,\"MemorySwap\":268435456}");
        CHECK(docker_json_update_body(256ULL << 20, 512LL << 20, buf, sizeof(buf)) > 0);
        CHECK_STREQ(buf, "{\"Memory\":268435456,\"MemorySwap\":536870912}");
        CHECK_EQ_INT(docker_json_update_body(0, -1, buf, sizeof(buf)), -EINVAL);
        CHECK_EQ_INT(docker_json_update_body(256ULL << 20, 1, buf, sizeof(buf)), -EINVAL);
        CHECK_EQ_INT(docker_json_update_body(256ULL << 20, -2, buf, sizeof(buf)), -EINVAL);
        CHECK_EQ_INT(docker_json_update_body(UINT64_MAX, -1, buf, sizeof(buf)), -EINVAL);
        CHECK_EQ_INT(docker_json_update_body(256ULL << 20, -1, buf, 10), -ENOBUFS);
}

static void test_time_and_validators(void)
{
        usec_t t = 1;

        CHECK_EQ_INT(docker_json_parse_time("2026-11-24T21:44:15.328647678Z", &t), 0);
        CHECK_EQ_U64(t, 1795556655328647ULL);
        CHECK_EQ_INT(docker_json_parse_time("1970-01-01T00:00:01Z", &t), 0);
        CHECK_EQ_U64(t, USEC_PER_SEC);
        CHECK_EQ_INT(docker_json_parse_time("1970-01-01T02:00:01.5+02:00", &t), 0);
        CHECK_EQ_U64(t, USEC_PER_SEC + USEC_PER_SEC / 2);
        CHECK_EQ_INT(docker_json_parse_time("0001-01-01T00:00:00Z", &t), 0);
        CHECK_EQ_U64(t, 0);
        const char *bad[] = {"",
                             "2026-11-24",
                             "2026-13-01T00:00:00Z",
                             "2026-11-24T21:44:15",
                             "2026-11-24T21:44:15.Z",
                             "2026-11-24T21:44:15.1234567890Z",
                             "2026-11-24T21:44:15Zjunk",
                             "2026-11-24 21:44:15Z"};
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                CHECK_EQ_INT(docker_json_parse_time(bad[i], &t), -EINVAL);

        CHECK(docker_id_valid("b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39"));
        CHECK(!docker_id_valid("b29b80831d11"));
        CHECK(
            !docker_id_valid("b29b80831d11bba62eba9c9fb3c0e01409368ad5e9ad4922ace794a98f24dc39a"));
        CHECK(docker_name_valid("sutazai-ollama_1.x"));
        CHECK(!docker_name_valid("../x"));
        CHECK(!docker_name_valid("a/b"));
        CHECK(!docker_name_valid("a?b"));
        CHECK(!docker_name_valid(""));
        CHECK(docker_image_ref_valid("sha256:e4ab5a680e4df41c23330b9ead576babe34463e28e20f84bbb3"
                                     "62b0ba9e6c77f"));
        CHECK(docker_image_ref_valid("registry:5000/sutazai/ollama:0.1"));
        CHECK(!docker_image_ref_valid("bb/../../containers/x/kill"));
        CHECK(!docker_image_ref_valid("bb?force=1"));
        CHECK(!docker_image_ref_valid("bb#x"));
}

int main(int argc, char **argv)
{
        fixtures_dir = argc > 1 ? argv[1] : "tests/fixtures/docker";

        test_api_version();
        test_api_negotiation();
        test_newer_api_shapes();
        test_container_list();
        test_inspect_running();
        test_inspect_other_states();
        test_inspect_hostile();
        test_events();
        test_images();
        test_prune();
        test_errors();
        test_update_body();
        test_time_and_validators();
        return TEST_RESULT();
}
