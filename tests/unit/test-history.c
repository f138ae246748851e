/* test-history — the action ring, its `history --json` form, the state
 * file and its recovery from corruption, per-kind totals. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "history.h"
#include "test.h"

#define NOW (1700000000ULL * USEC_PER_SEC)

static struct history_entry entry(unsigned i, const char *kind)
{
        struct history_entry e = {
            .time_realtime_usec = NOW + i * USEC_PER_SEC + 999999,
            .bytes = (uint64_t)i << 20,
            .has_bytes = i % 2 == 0,
            .dry_run = i % 3 == 0,
        };
        util_strlcpy(e.kind, kind, sizeof e.kind);
        snprintf(e.target, sizeof e.target, "target-%u", i);
        snprintf(e.reason, sizeof e.reason, "reason \"%u\"\n", i);
        return e;
}

static void test_ring(void)
{
        struct history *h;

        CHECK_EQ_INT(history_new(0, &h), -EINVAL);
        CHECK_EQ_INT(history_new(3, &h), 0);
        CHECK_EQ_INT(history_count(h), 0);
        CHECK(history_get(h, 0) == NULL);
        for (unsigned i = 0; i < 5; i++) {
                struct history_entry e = entry(i, "kill");
                CHECK_EQ_INT(history_add(h, &e), 0);
        }
        CHECK_EQ_INT(history_count(h), 3);
        CHECK_EQ_U64(history_total(h), 5);
        CHECK_STREQ(history_get(h, 0)->target, "target-2"); /* oldest kept */
        CHECK_STREQ(history_get(h, 2)->target, "target-4");
        CHECK(history_get(h, 3) == NULL);
        history_free(h);
}

static void test_kind_totals(void)
{
        struct history *h;
        struct history_entry e;

        CHECK_EQ_INT(history_new(2, &h), 0);
        e = entry(1, "kill"); /* not dry-run */
        history_add(h, &e);
        e = entry(3, "kill"); /* dry-run */
        history_add(h, &e);
        e = entry(1, "prune-logs");
        history_add(h, &e);
        e = entry(1, "surprise");
        history_add(h, &e);
        /* totals count everything added, not only what the ring keeps */
        CHECK_EQ_U64(history_kind_total(h, "kill", false), 1);
        CHECK_EQ_U64(history_kind_total(h, "kill", true), 1);
        CHECK_EQ_U64(history_kind_total(h, "prune-logs", false), 1);
        CHECK_EQ_U64(history_kind_total(h, "other", false), 1);
        CHECK_EQ_U64(history_kind_total(h, "evict-image", false), 0);
        history_free(h);
}

static void test_contract_json(void)
{
        struct history *h;
        cJSON *arr, *e;

        CHECK_EQ_INT(history_new(10, &h), 0);
        for (unsigned i = 0; i < 4; i++) {
                struct history_entry en = entry(i, i == 3 ? "prune-images" : "limit");
                history_add(h, &en);
        }
        arr = history_to_json(h, 0);
        CHECK_EQ_INT(cJSON_GetArraySize(arr), 4);
        cJSON_Delete(arr);

        arr = history_to_json(h, 2); /* the last two, oldest first */
        CHECK_EQ_INT(cJSON_GetArraySize(arr), 2);
        e = cJSON_GetArrayItem(arr, 0);
        CHECK_EQ_U64(cJSON_GetObjectItem(e, "time")->valuedouble, 1700000002); /* whole seconds */
        CHECK_STREQ(cJSON_GetObjectItem(e, "kind")->valuestring, "limit");
        CHECK_STREQ(cJSON_GetObjectItem(e, "target")->valuestring, "target-2");
        CHECK_STREQ(cJSON_GetObjectItem(e, "reason")->valuestring, "reason \"2\"\n");
        CHECK_EQ_U64(cJSON_GetObjectItem(e, "bytes")->valuedouble, 2ULL << 20);
        CHECK(cJSON_IsFalse(cJSON_GetObjectItem(e, "dry_run")));
        CHECK(cJSON_GetObjectItem(e, "time_usec") == NULL);
        e = cJSON_GetArrayItem(arr, 1);
        CHECK(cJSON_GetObjectItem(e, "bytes") == NULL); /* no bytes for this one */
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(e, "dry_run")));
        CHECK_STREQ(cJSON_GetObjectItem(e, "kind")->valuestring, "prune-images");
        cJSON_Delete(arr);

        arr = history_to_json(h, 100);
        CHECK_EQ_INT(cJSON_GetArraySize(arr), 4);
        cJSON_Delete(arr);
        history_free(h);
}

static void test_file_json(void)
{
        struct history *h, *small, *big;
        char *text = NULL;

        CHECK_EQ_INT(history_new(5, &h), 0);
        for (unsigned i = 0; i < 7; i++) {
                struct history_entry e = entry(i, "reclaim");
                history_add(h, &e);
        }
        CHECK_EQ_INT(history_format_json(h, &text), 0);

        CHECK_EQ_INT(history_new(10, &big), 0);
        CHECK_EQ_INT(history_parse_json(big, text, strlen(text)), 0);
        CHECK_EQ_INT(history_count(big), 5);
        for (size_t i = 0; i < 5; i++) {
                const struct history_entry *a = history_get(h, i), *b = history_get(big, i);
                CHECK_EQ_U64(a->time_realtime_usec, b->time_realtime_usec);
                CHECK_STREQ(a->kind, b->kind);
                CHECK_STREQ(a->target, b->target);
                CHECK_STREQ(a->reason, b->reason);
                CHECK_EQ_INT(a->has_bytes, b->has_bytes);
                CHECK_EQ_U64(a->has_bytes ? a->bytes : 0, b->has_bytes ? b->bytes : 0);
                CHECK_EQ_INT(a->dry_run, b->dry_run);
        }
        /* appending after a load continues the ring */
        {
                struct history_entry e = entry(50, "kill");
                history_add(big, &e);
                CHECK_STREQ(history_get(big, 5)->target, "target-50");
        }

        /* a smaller history_size keeps the newest */
        CHECK_EQ_INT(history_new(2, &small), 0);
        CHECK_EQ_INT(history_parse_json(small, text, strlen(text)), 0);
        CHECK_EQ_INT(history_count(small), 2);
        CHECK_STREQ(history_get(small, 0)->target, "target-5");
        CHECK_STREQ(history_get(small, 1)->target, "target-6");

        static const char *const corrupt[] = {
            "",
            "{}",
            "{\"version\":1}",
            "{\"version\":1,\"entries\":{}}",
            "{\"version\":9,\"entries\":[]}",
            "{\"version\":1,\"entries\":[1]}",
            "{\"version\":1,\"entries\":[{\"kind\":\"kill\",\"target\":\"\",\"reason\":\"\"}]}",
            "{\"version\":1,\"entries\":[{\"time_usec\":1,\"kind\":\"\",\"target\":\"\","
            "\"reason\":\"\"}]}",
            "{\"version\":1,\"entries\":[{\"time_usec\":-1,\"kind\":\"k\",\"target\":\"\","
            "\"reason\":\"\"}]}",
            "{\"version\":1,\"entries\":[{\"time_usec\":1,\"kind\":\"k\",\"target\":\"\","
            "\"reason\":\"\",\"bytes\":\"many\"}]}",
            "{\"version\":1,\"entries\":[{\"time_usec\":1,\"kind\":"
            "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\",\"target\":\"\",\"reason\":\"\"}]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(corrupt); i++) {
                int r = history_parse_json(small, corrupt[i], strlen(corrupt[i]));
                if (r != -EINVAL)
                        fprintf(stderr, "accepted: %s\n", corrupt[i]);
                CHECK_EQ_INT(r, -EINVAL);
        }
        CHECK_EQ_INT(history_count(small), 2); /* unchanged */

        free(text);
        history_free(h);
        history_free(big);
        history_free(small);
}

static void test_files(void)
{
        char dir[] = "/tmp/test-history.XXXXXX", path[256], aside[256];
        struct history *h, *g;
        struct history_entry e = entry(4, "evict-image");
        struct stat st;
        int fd;

        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/history.json", dir);
        snprintf(aside, sizeof aside, "%s/history.json.corrupt", dir);

        CHECK_EQ_INT(history_new(1000, &h), 0);
        CHECK_EQ_INT(history_load(h, path), -ENOENT);
        history_add(h, &e);
        CHECK_EQ_INT(history_save(h, path), 0);
        CHECK_EQ_INT(stat(path, &st), 0);
        CHECK_EQ_INT(st.st_mode & 0777, 0600);
        CHECK_EQ_INT(history_new(1000, &g), 0);
        CHECK_EQ_INT(history_load(g, path), 0);
        CHECK_EQ_INT(history_count(g), 1);
        CHECK_STREQ(history_get(g, 0)->kind, "evict-image");

        fd = open(path, O_WRONLY | O_TRUNC);
        CHECK(write(fd, "\0\1\2garbage", 10) == 10);
        close(fd);
        CHECK_EQ_INT(history_load(g, path), -EINVAL);
        CHECK_EQ_INT(history_count(g), 1); /* unchanged; the daemon starts with it empty */
        CHECK(access(path, F_OK) < 0);
        CHECK_EQ_INT(access(aside, F_OK), 0);

        unlink(aside);
        rmdir(dir);
        history_free(h);
        history_free(g);
}

/* Outcomes (issue 11): result and its detail in both forms, old files
 * without a result, a bad result refused, totals count only actions taken. */
static void test_results(void)
{
        struct history *h;
        struct history_entry e = entry(1, "limit");
        cJSON *arr;
        const cJSON *j;
        char *text = NULL;

        CHECK_EQ_INT(history_new(8, &h), 0);
        e.result = HISTORY_RESULT_FAILED;
        util_strlcpy(e.detail, "Input/output error", sizeof e.detail);
        history_add(h, &e);
        e = entry(2, "kill");
        e.result = HISTORY_RESULT_SKIPPED;
        util_strlcpy(e.detail, "no longer justified", sizeof e.detail);
        history_add(h, &e);
        e = entry(3, "kill"); /* dry_run set, result left 0: a dry-run, never done */
        util_strlcpy(e.detail, "dropped: not failed", sizeof e.detail);
        history_add(h, &e);
        CHECK_EQ_INT(history_get(h, 2)->result, HISTORY_RESULT_DRY_RUN);
        CHECK_STREQ(history_get(h, 2)->detail, "");
        CHECK_EQ_U64(history_kind_total(h, "limit", false), 0);
        CHECK_EQ_U64(history_kind_total(h, "kill", false), 0);
        CHECK_EQ_U64(history_kind_total(h, "kill", true), 1);

        arr = history_to_json(h, 0);
        CHECK(arr != NULL);
        j = cJSON_GetArrayItem(arr, 0);
        CHECK_STREQ(cJSON_GetObjectItem(j, "result")->valuestring, "failed");
        CHECK_STREQ(cJSON_GetObjectItem(j, "error")->valuestring, "Input/output error");
        CHECK(cJSON_GetObjectItem(j, "why") == NULL);
        j = cJSON_GetArrayItem(arr, 1);
        CHECK_STREQ(cJSON_GetObjectItem(j, "result")->valuestring, "skipped");
        CHECK_STREQ(cJSON_GetObjectItem(j, "why")->valuestring, "no longer justified");
        j = cJSON_GetArrayItem(arr, 2);
        CHECK_STREQ(cJSON_GetObjectItem(j, "result")->valuestring, "dry-run");
        CHECK(cJSON_GetObjectItem(j, "error") == NULL);
        CHECK(cJSON_IsTrue(cJSON_GetObjectItem(j, "dry_run")));
        cJSON_Delete(arr);

        CHECK_EQ_INT(history_format_json(h, &text), 0);
        history_free(h);
        CHECK_EQ_INT(history_new(8, &h), 0);
        CHECK_EQ_INT(history_parse_json(h, text, strlen(text)), 0);
        CHECK_EQ_INT(history_count(h), 3);
        CHECK_EQ_INT(history_get(h, 0)->result, HISTORY_RESULT_FAILED);
        CHECK_STREQ(history_get(h, 0)->detail, "Input/output error");
        CHECK_EQ_INT(history_get(h, 1)->result, HISTORY_RESULT_SKIPPED);
        CHECK_STREQ(history_get(h, 1)->detail, "no longer justified");
        free(text);

        /* a file from before results: done, or dry-run */
        text = "{\"version\":1,\"entries\":[{\"time_usec\":1,\"kind\":\"kill\",\"target\":\"a\","
               "\"reason\":\"r\",\"dry_run\":false},{\"time_usec\":2,\"kind\":\"kill\","
               "\"target\":\"b\",\"reason\":\"r\",\"dry_run\":true}]}";
        CHECK_EQ_INT(history_parse_json(h, text, strlen(text)), 0);
        CHECK_EQ_INT(history_get(h, 0)->result, HISTORY_RESULT_DONE);
        CHECK_EQ_INT(history_get(h, 1)->result, HISTORY_RESULT_DRY_RUN);
        text = "{\"version\":1,\"entries\":[{\"time_usec\":1,\"kind\":\"kill\",\"target\":\"a\","
               "\"reason\":\"r\",\"dry_run\":false,\"result\":\"queued\"}]}";
        CHECK_EQ_INT(history_parse_json(h, text, strlen(text)), -EINVAL);
        CHECK_EQ_INT(history_count(h), 2); /* unchanged */
        history_free(h);
}

int main(void)
{
        test_results();
        test_ring();
        test_kind_totals();
        test_contract_json();
        test_file_json();
        test_files();
        return TEST_RESULT();
}
