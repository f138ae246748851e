/* test-overrides — set/clear/expire, pause, the JSON state file and its
 * recovery from corruption. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "overrides.h"
#include "test.h"

#define SEC USEC_PER_SEC
#define NOW (1700000000ULL * SEC)

struct seen {
        char names[8][GROUP_NAME_MAX];
        size_t n;
        size_t pauses;
};

static void on_expired(const struct override *o, void *userdata)
{
        struct seen *s = userdata;

        if (!o) {
                s->pauses++;
                return;
        }
        if (s->n < 8)
                util_strlcpy(s->names[s->n++], o->name, GROUP_NAME_MAX);
}

static void test_set_clear(void)
{
        struct overrides *o;
        const struct override *list;
        size_t n;

        CHECK_EQ_INT(overrides_new(&o), 0);
        CHECK_EQ_INT(overrides_set(o, "ollama", 12ULL << 30, NOW + 3600 * SEC), 0);
        CHECK_EQ_INT(overrides_set(o, "backend", 1ULL << 30, 0), 0);
        CHECK_EQ_INT(overrides_set(o, "ollama", 10ULL << 30, NOW + 60 * SEC), 1); /* replaced */
        list = overrides_get(o, &n);
        CHECK_EQ_INT(n, 2);
        CHECK_STREQ(list[0].name, "ollama");
        CHECK_EQ_U64(list[0].memory_max, 10ULL << 30);
        CHECK_EQ_U64(overrides_find(o, "ollama")->expires_realtime_usec, NOW + 60 * SEC);
        CHECK(overrides_find(o, "nope") == NULL);

        CHECK_EQ_INT(overrides_set(o, "", 1, 0), -EINVAL);
        CHECK_EQ_INT(overrides_set(o, "a\nb", 1, 0), -EINVAL);

        CHECK_EQ_INT(overrides_clear(o, "ollama"), 0);
        CHECK_EQ_INT(overrides_clear(o, "ollama"), -ENOENT);
        list = overrides_get(o, &n);
        CHECK_EQ_INT(n, 1);
        CHECK_STREQ(list[0].name, "backend");
        overrides_free(o);

        /* bounded */
        CHECK_EQ_INT(overrides_new(&o), 0);
        for (int i = 0; i < OVERRIDES_MAX; i++) {
                char name[32];
                snprintf(name, sizeof name, "g%d", i);
                CHECK_EQ_INT(overrides_set(o, name, 1 << 20, 0), 0);
        }
        CHECK_EQ_INT(overrides_set(o, "one-too-many", 1 << 20, 0), -E2BIG);
        CHECK_EQ_INT(overrides_set(o, "g7", 2 << 20, 0), 1); /* replacing still works */
        overrides_free(o);
}

static void test_expiry(void)
{
        struct overrides *o;
        struct seen seen = {0};
        size_t n;

        CHECK_EQ_INT(overrides_new(&o), 0);
        CHECK_EQ_U64(overrides_next_expiry(o), USEC_INFINITY);
        overrides_set(o, "a", 1 << 30, NOW + 10 * SEC);
        overrides_set(o, "b", 1 << 30, 0);
        overrides_set(o, "c", 1 << 30, NOW + 5 * SEC);
        overrides_pause(o, NOW + 7 * SEC);
        CHECK(overrides_paused(o));
        CHECK_EQ_U64(overrides_paused_until(o), NOW + 7 * SEC);
        CHECK_EQ_U64(overrides_next_expiry(o), NOW + 5 * SEC);

        CHECK_EQ_INT(overrides_expire(o, NOW + 4 * SEC, on_expired, &seen), 0);
        CHECK_EQ_INT(overrides_expire(o, NOW + 5 * SEC, on_expired, &seen), 1); /* at, not after */
        CHECK_EQ_INT(seen.n, 1);
        CHECK_STREQ(seen.names[0], "c");
        CHECK_EQ_U64(overrides_next_expiry(o), NOW + 7 * SEC);

        CHECK_EQ_INT(overrides_expire(o, NOW + 8 * SEC, on_expired, &seen), 1);
        CHECK_EQ_INT(seen.pauses, 1);
        CHECK(!overrides_paused(o));
        CHECK_EQ_U64(overrides_next_expiry(o), NOW + 10 * SEC);

        CHECK_EQ_INT(overrides_expire(o, NOW + 3600 * SEC, on_expired, &seen), 1);
        CHECK_EQ_INT(seen.n, 2);
        CHECK_STREQ(seen.names[1], "a");
        (void)overrides_get(o, &n);
        CHECK_EQ_INT(n, 1); /* "b" never expires */
        CHECK_EQ_U64(overrides_next_expiry(o), USEC_INFINITY);

        /* a pause without end never expires; resume reports whether it was paused */
        overrides_pause(o, 0);
        CHECK_EQ_INT(overrides_expire(o, UINT64_MAX - 1, NULL, NULL), 0);
        CHECK(overrides_paused(o));
        CHECK_EQ_INT(overrides_resume(o), 1);
        CHECK_EQ_INT(overrides_resume(o), 0);
        overrides_free(o);
}

static void test_json(void)
{
        struct overrides *o, *p;
        const struct override *list;
        char *text = NULL;
        size_t n;

        CHECK_EQ_INT(overrides_new(&o), 0);
        overrides_set(o, "ollama", 12ULL << 30, NOW + 3600 * SEC + 123);
        overrides_set(o, "unlimited \"quoted\"", BYTES_MAX, 0);
        overrides_set(o, "gone", 1 << 30, NOW - SEC);
        overrides_pause(o, NOW + 60 * SEC);
        CHECK_EQ_INT(overrides_format_json(o, &text), 0);

        CHECK_EQ_INT(overrides_new(&p), 0);
        CHECK_EQ_INT(overrides_parse_json(p, text, strlen(text), NOW), 0);
        list = overrides_get(p, &n);
        CHECK_EQ_INT(n, 2); /* the expired one is dropped */
        CHECK_STREQ(list[0].name, "ollama");
        CHECK_EQ_U64(list[0].memory_max, 12ULL << 30);
        CHECK_EQ_U64(list[0].expires_realtime_usec, NOW + 3600 * SEC + 123);
        CHECK_STREQ(list[1].name, "unlimited \"quoted\"");
        CHECK_EQ_U64(list[1].memory_max, BYTES_MAX);
        CHECK(overrides_paused(p));
        CHECK_EQ_U64(overrides_paused_until(p), NOW + 60 * SEC);

        /* a pause that ended while the daemon was down is over */
        CHECK_EQ_INT(overrides_parse_json(p, text, strlen(text), NOW + 61 * SEC), 0);
        CHECK(!overrides_paused(p));
        free(text);

        static const char *const corrupt[] = {
            "",
            "{",
            "[]",
            "{\"version\":2,\"paused\":false,\"overrides\":[]}",
            "{\"version\":1,\"overrides\":[]}",
            "{\"version\":1,\"paused\":false}",
            "{\"version\":1,\"paused\":false,\"overrides\":{}}",
            "{\"version\":1,\"paused\":false,\"overrides\":[{\"name\":\"a\"}]}",
            "{\"version\":1,\"paused\":false,\"overrides\":[{\"name\":\"a\",\"memory_max\":-1,"
            "\"expires_usec\":0}]}",
            "{\"version\":1,\"paused\":false,\"overrides\":[{\"name\":\"\",\"memory_max\":1,"
            "\"expires_usec\":0}]}",
            "{\"version\":1,\"paused\":false,\"overrides\":[{\"name\":\"a\",\"memory_max\":1,"
            "\"expires_usec\":0},{\"name\":\"a\",\"memory_max\":2,\"expires_usec\":0}]}",
            "{\"version\":1,\"paused\":false,\"overrides\":[{\"name\":\"a\",\"memory_max\":1,"
            "\"expires_usec\":\"soon\"}]}",
        };
        for (size_t i = 0; i < ELEMENTSOF(corrupt); i++) {
                int r = overrides_parse_json(p, corrupt[i], strlen(corrupt[i]), NOW);
                if (r != -EINVAL)
                        fprintf(stderr, "accepted: %s\n", corrupt[i]);
                CHECK_EQ_INT(r, -EINVAL);
        }
        /* and p kept what it had */
        (void)overrides_get(p, &n);
        CHECK_EQ_INT(n, 2);
        overrides_free(p);
        overrides_free(o);
}

static void test_files(void)
{
        char dir[] = "/tmp/test-overrides.XXXXXX", path[256], aside[256];
        struct overrides *o, *p;
        struct stat st;
        size_t n;
        int fd;

        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/overrides.json", dir);
        snprintf(aside, sizeof aside, "%s/overrides.json.corrupt", dir);

        CHECK_EQ_INT(overrides_new(&o), 0);
        CHECK_EQ_INT(overrides_load(o, path, NOW), -ENOENT);
        overrides_set(o, "ollama", 12ULL << 30, NOW + 3600 * SEC);
        CHECK_EQ_INT(overrides_save(o, path), 0);
        CHECK_EQ_INT(stat(path, &st), 0);
        CHECK_EQ_INT(st.st_mode & 0777, 0600);

        CHECK_EQ_INT(overrides_new(&p), 0);
        CHECK_EQ_INT(overrides_load(p, path, NOW), 0);
        (void)overrides_get(p, &n);
        CHECK_EQ_INT(n, 1);
        /* after its expiry, a restart drops it */
        CHECK_EQ_INT(overrides_load(p, path, NOW + 3600 * SEC), 0);
        (void)overrides_get(p, &n);
        CHECK_EQ_INT(n, 0);

        /* a corrupt file is moved aside, and the set is clean */
        fd = open(path, O_WRONLY | O_TRUNC);
        CHECK(write(fd, "{\"version\":1,garbage", 20) == 20);
        close(fd);
        overrides_free(p);
        CHECK_EQ_INT(overrides_new(&p), 0);
        CHECK_EQ_INT(overrides_load(p, path, NOW), -EINVAL);
        (void)overrides_get(p, &n);
        CHECK_EQ_INT(n, 0);
        CHECK(access(path, F_OK) < 0);
        CHECK_EQ_INT(access(aside, F_OK), 0);
        CHECK_EQ_INT(overrides_load(p, path, NOW), -ENOENT);

        /* a symlink planted in its place is not followed */
        CHECK_EQ_INT(symlink("/etc/passwd", path), 0);
        CHECK_EQ_INT(overrides_load(p, path, NOW), -EINVAL);
        CHECK_EQ_INT(lstat(aside, &st), 0);
        CHECK(S_ISLNK(st.st_mode));

        unlink(aside);
        unlink(path);
        rmdir(dir);
        overrides_free(p);
        overrides_free(o);
}

int main(void)
{
        test_set_clear();
        test_expiry();
        test_json();
        test_files();
        return TEST_RESULT();
}
