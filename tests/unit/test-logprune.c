/* test-logprune — the pure parts of logprune: glob, age, plan (age and
 * max_total, oldest first), the bounded set of the oldest files, escaping of
 * hostile names; and the scan in slices over a temporary tree. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logprune.h"
#include "test.h"

#define DAY_USEC (24ULL * 3600 * USEC_PER_SEC)
#define NOW      (1700000000ULL * USEC_PER_SEC)

static struct logprune_file file(const char *dir, const char *name, usec_t age, uint64_t bytes)
{
        return (struct logprune_file){
            .dir = (char *)dir,
            .name = (char *)name,
            .disk_bytes = bytes,
            .sole_link = true,
            .mtime_realtime_usec = NOW - age,
            .reason = LOGPRUNE_TOTAL, /* must be overwritten by the plan */
        };
}

static void test_match(void)
{
        CHECK(logprune_name_matches("*.log", "app.log"));
        CHECK(logprune_name_matches("*.log", "with space.log"));
        CHECK(logprune_name_matches("*.log", "new\nline.log"));
        CHECK(!logprune_name_matches("*.log", ".hidden.log")); /* FNM_PERIOD */
        CHECK(!logprune_name_matches("*.log", "app.log.gz"));
        CHECK(!logprune_name_matches("*.log", "app.txt"));
        CHECK(logprune_name_matches("app-*.log.[0-9]", "app-x.log.3"));
        CHECK(!logprune_name_matches("app-*.log.[0-9]", "app-x.log.a"));
}

static void test_expired(void)
{
        CHECK(!logprune_is_expired(NOW - 7 * DAY_USEC, NOW, 7 * DAY_USEC)); /* exactly max: kept */
        CHECK(logprune_is_expired(NOW - 7 * DAY_USEC - 1, NOW, 7 * DAY_USEC));
        CHECK(!logprune_is_expired(NOW + DAY_USEC, NOW, 0)); /* from the future */
        CHECK(!logprune_is_expired(NOW, NOW, 0));
        CHECK(logprune_is_expired(0, NOW, 7 * DAY_USEC));
}

static void test_plan_age(void)
{
        struct logprune_file f[] = {
            file("", "fresh.log", 1 * DAY_USEC, 4096),
            file("", "old.log", 8 * DAY_USEC, 4096),
            file("sub", "older.log", 30 * DAY_USEC, 4096),
        };
        size_t n = logprune_plan(f, ELEMENTSOF(f), 7 * DAY_USEC, BYTES_MAX, NOW);

        CHECK_EQ_INT(n, 2);
        /* sorted oldest first */
        CHECK_STREQ(f[0].name, "older.log");
        CHECK_EQ_INT(f[0].reason, LOGPRUNE_AGE);
        CHECK_STREQ(f[1].name, "old.log");
        CHECK_EQ_INT(f[1].reason, LOGPRUNE_AGE);
        CHECK_STREQ(f[2].name, "fresh.log");
        CHECK_EQ_INT(f[2].reason, LOGPRUNE_KEEP);
}

static void test_plan_total(void)
{
        /* All young; 4 files of 10 KiB, limit 25 KiB: the two oldest go. */
        struct logprune_file f[] = {
            file("", "d.log", 1 * USEC_PER_SEC, 10240),
            file("", "a.log", 4 * USEC_PER_SEC, 10240),
            file("", "c.log", 2 * USEC_PER_SEC, 10240),
            file("", "b.log", 3 * USEC_PER_SEC, 10240),
        };
        size_t n = logprune_plan(f, ELEMENTSOF(f), 7 * DAY_USEC, 25600, NOW);

        CHECK_EQ_INT(n, 2);
        CHECK_STREQ(f[0].name, "a.log");
        CHECK_EQ_INT(f[0].reason, LOGPRUNE_TOTAL);
        CHECK_STREQ(f[1].name, "b.log");
        CHECK_EQ_INT(f[1].reason, LOGPRUNE_TOTAL);
        CHECK_EQ_INT(f[2].reason, LOGPRUNE_KEEP);
        CHECK_EQ_INT(f[3].reason, LOGPRUNE_KEEP);

        /* Exactly at the limit: nothing more goes. */
        n = logprune_plan(f, ELEMENTSOF(f), 7 * DAY_USEC, 40960, NOW);
        CHECK_EQ_INT(n, 0);

        /* Age first, then the total of what is left. */
        struct logprune_file g[] = {
            file("", "old.log", 9 * DAY_USEC, 1 << 20),
            file("", "mid.log", 2 * DAY_USEC, 1 << 20),
            file("", "new.log", 1 * DAY_USEC, 1 << 20),
        };
        n = logprune_plan(g, ELEMENTSOF(g), 7 * DAY_USEC, 1 << 20, NOW);
        CHECK_EQ_INT(n, 2);
        CHECK_EQ_INT(g[0].reason, LOGPRUNE_AGE);
        CHECK_EQ_INT(g[1].reason, LOGPRUNE_TOTAL);
        CHECK_STREQ(g[1].name, "mid.log");
        CHECK_EQ_INT(g[2].reason, LOGPRUNE_KEEP);

        /* Ties in age are broken by dir then name: deterministic. */
        struct logprune_file t[] = {
            file("b", "x.log", DAY_USEC, 100),
            file("a", "y.log", DAY_USEC, 100),
            file("a", "x.log", DAY_USEC, 100),
        };
        n = logprune_plan(t, ELEMENTSOF(t), 7 * DAY_USEC, 150, NOW);
        CHECK_EQ_INT(n, 2);
        CHECK_STREQ(t[0].dir, "a");
        CHECK_STREQ(t[0].name, "x.log");
        CHECK_STREQ(t[1].name, "y.log");
        CHECK_EQ_INT(t[2].reason, LOGPRUNE_KEEP);

        CHECK_EQ_INT(logprune_plan(NULL, 0, 0, 0, NOW), 0);
}

/* A file with its own strings, as the scan makes them (logprune_oldest
 * takes them over). */
static struct logprune_file owned(const char *name, usec_t age, uint64_t bytes)
{
        struct logprune_file f = file("", name, age, bytes);

        f.dir = strdup("");
        f.name = strdup(name);
        CHECK(f.dir && f.name);
        return f;
}

static void test_oldest(void)
{
        struct logprune_oldest o;
        char name[32];

        /* 10 files of 100 bytes, ages 1..10 s, offered newest and oldest
         * mixed; 3 kept: the 3 oldest, whatever the order offered. */
        logprune_oldest_init(&o, 3);
        for (unsigned i = 0; i < 10; i++) {
                unsigned age = (i * 7) % 10 + 1;
                struct logprune_file f;

                snprintf(name, sizeof name, "age%02u.log", age);
                f = owned(name, age * USEC_PER_SEC, 100);
                CHECK_EQ_INT(logprune_oldest_offer(&o, &f), 0);
        }
        CHECK_EQ_INT(o.n, 3);
        CHECK_EQ_INT(o.dropped, 7);
        CHECK_EQ_U64(o.bytes, 1000);
        /* limit 750 of 1000: the 3 oldest go (1000 - 300 = 700) */
        CHECK_EQ_INT(logprune_oldest_plan(&o, 750), 3);
        CHECK_STREQ(o.files[0].name, "age10.log");
        CHECK_STREQ(o.files[1].name, "age09.log");
        CHECK_STREQ(o.files[2].name, "age08.log");
        CHECK(!o.short_of_total);
        /* limit 500: the 3 kept are not enough, and it says so */
        CHECK_EQ_INT(logprune_oldest_plan(&o, 500), 3);
        CHECK(o.short_of_total);
        /* no limit: nothing marked */
        CHECK_EQ_INT(logprune_oldest_plan(&o, BYTES_MAX), 0);
        CHECK_EQ_INT(o.files[0].reason, LOGPRUNE_KEEP);
        logprune_oldest_done(&o);
        CHECK_EQ_INT(o.n, 0);
}

static int name_cmp(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names a scan found, "dir/name", sorted, in buf. */
static void names(const struct logprune_file *f, size_t n, char *buf, size_t size)
{
        char *list[64];
        size_t used = 0;

        CHECK(n <= 64);
        for (size_t i = 0; i < n && i < 64; i++) {
                list[i] = NULL;
                CHECK(asprintf(&list[i], "%s%s%s", f[i].dir, f[i].dir[0] ? "/" : "", f[i].name) >
                      0);
        }
        qsort(list, n, sizeof *list, name_cmp);
        buf[0] = '\0';
        for (size_t i = 0; i < n && i < 64; i++) {
                used += (size_t)snprintf(buf + used, size > used ? size - used : 0, "%s ", list[i]);
                free(list[i]);
        }
}

/* A scan read one entry per step finds what one whole scan finds. */
static void test_scan_slices(void)
{
        char root[] = "/tmp/test-logprune.XXXXXX", path[256], whole[2048], sliced[2048] = "";
        struct logprune_scan s;
        struct logprune_file all[64];
        size_t n_all = 0;
        int steps = 0, r;

        CHECK(mkdtemp(root) != NULL);
        snprintf(path, sizeof path, "%s/a", root);
        CHECK(mkdir(path, 0755) == 0);
        snprintf(path, sizeof path, "%s/a/b", root);
        CHECK(mkdir(path, 0755) == 0);
        for (int i = 0; i < 12; i++) {
                FILE *f;

                snprintf(path, sizeof path, "%s/%s%d.%s", root,
                         i % 3 == 0 ? "" : i % 3 == 1 ? "a/" : "a/b/", i, i == 5 ? "txt" : "log");
                f = fopen(path, "w");
                CHECK(f != NULL);
                if (f)
                        fclose(f);
        }

        CHECK_EQ_INT(logprune_scan(root, "*.log", true, &s), 0);
        CHECK_EQ_INT(s.n_files, 11);
        names(s.files, s.n_files, whole, sizeof whole);
        logprune_scan_done(&s);

        CHECK_EQ_INT(logprune_scan_open(root, "*.log", true, &s), 0);
        CHECK_EQ_INT(s.n_files, 0);
        do {
                r = logprune_scan_step(&s, 1);
                CHECK(r >= 0);
                CHECK(s.n_files <= 1); /* one entry read: at most one file found */
                for (size_t i = 0; i < s.n_files && n_all < 64; i++) {
                        all[n_all] = s.files[i];
                        all[n_all].dir = strdup(s.files[i].dir);
                        all[n_all].name = strdup(s.files[i].name);
                        n_all++;
                }
                logprune_scan_drop_files(&s);
                steps++;
        } while (r > 0 && steps < 1000);
        CHECK_EQ_INT(r, 0);
        /* 12 files + 2 directories (and . and .. of each of 3) */
        CHECK(steps >= 14);
        names(all, n_all, sliced, sizeof sliced);
        CHECK_STREQ(sliced, whole);
        for (size_t i = 0; i < n_all; i++) {
                free(all[i].dir);
                free(all[i].name);
        }
        logprune_scan_done(&s);
        /* not recursive: the top only */
        CHECK_EQ_INT(logprune_scan_open(root, "*.log", false, &s), 0);
        while (logprune_scan_step(&s, 2) > 0)
                ;
        CHECK_EQ_INT(s.n_files, 4);
        logprune_scan_done(&s);
        CHECK_EQ_INT(logprune_scan_open("/nonexistent-test-logprune", "*.log", false, &s), -ENOENT);

        snprintf(path, sizeof path, "rm -rf '%s'", root);
        CHECK(system(path) == 0);
}

static void test_escape(void)
{
        char buf[64];

        CHECK_STREQ(logprune_escape("plain.log", buf, sizeof(buf)), "plain.log");
        CHECK_STREQ(logprune_escape("with space.log", buf, sizeof(buf)), "with space.log");
        CHECK_STREQ(logprune_escape("new\nline.log", buf, sizeof(buf)), "new\\nline.log");
        CHECK_STREQ(logprune_escape("tab\t\"q\"\\", buf, sizeof(buf)), "tab\\t\\\"q\\\"\\\\");
        CHECK_STREQ(logprune_escape("bell\a", buf, sizeof(buf)), "bell\\x07");
        /* valid UTF-8 kept */
        CHECK_STREQ(logprune_escape("caf\xc3\xa9.log", buf, sizeof(buf)), "caf\xc3\xa9.log");
        CHECK_STREQ(logprune_escape("\xe2\x82\xac", buf, sizeof(buf)), "\xe2\x82\xac");
        /* invalid: lone continuation, truncated sequence, overlong, surrogate, > U+10FFFF */
        CHECK_STREQ(logprune_escape("bad\xff.log", buf, sizeof(buf)), "bad\\xff.log");
        CHECK_STREQ(logprune_escape("\x80", buf, sizeof(buf)), "\\x80");
        CHECK_STREQ(logprune_escape("a\xc3", buf, sizeof(buf)), "a\\xc3");
        CHECK_STREQ(logprune_escape("\xc0\xaf", buf, sizeof(buf)), "\\xc0\\xaf");
        CHECK_STREQ(logprune_escape("\xed\xa0\x80", buf, sizeof(buf)), "\\xed\\xa0\\x80");
        CHECK_STREQ(logprune_escape("\xf4\x90\x80\x80", buf, sizeof(buf)), "\\xf4\\x90\\x80\\x80");

        /* Truncation is visible and always terminated. */
        char small[10];
        logprune_escape("0123456789abcdef", small, sizeof(small));
        CHECK_STREQ(small, "012345...");
        logprune_escape("\xff\xff\xff\xff", small, sizeof(small));
        CHECK_STREQ(small, "\\xff...");
        char tiny[2];
        logprune_escape("abc", tiny, sizeof(tiny));
        CHECK(strlen(tiny) <= 1);

        struct logprune_file f = file("sub dir", "x\ny.log", 0, 0);
        CHECK_STREQ(logprune_file_display(&f, buf, sizeof(buf)), "sub dir/x\\ny.log");
        f.dir = (char *)"";
        CHECK_STREQ(logprune_file_display(&f, buf, sizeof(buf)), "x\\ny.log");

        CHECK_STREQ(logprune_reason_name(LOGPRUNE_AGE), "age");
        CHECK_STREQ(logprune_reason_name(LOGPRUNE_TOTAL), "total");
}

int main(void)
{
        test_match();
        test_expired();
        test_plan_age();
        test_plan_total();
        test_escape();
        test_oldest();
        test_scan_slices();
        return TEST_RESULT();
}
