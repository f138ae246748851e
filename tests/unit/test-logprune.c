/* test-logprune — the pure parts of logprune: glob, age, plan (age and
 * max_total, oldest first), and escaping of hostile names. */
#include <stdlib.h>

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
        return TEST_RESULT();
}
