/* Unit tests for memparse: meminfo, single values, flat-keyed files,
 * memory.events and v1 memory.oom_control, with hostile input. */
#include <errno.h>
#include <stdlib.h>

#include "memparse.h"
#include "test.h"
#include "util.h"

#define LEN(s) (sizeof(s) - 1)

/* --- memparse_value ----------------------------------------------------- */

struct value_case {
        const char *text;
        size_t len;
        int expect_r;
        uint64_t expect_value;
};

#define V_OK(s, v)                                                                                 \
        {                                                                                          \
                s, LEN(s), 0, v                                                                    \
        }
#define V_BAD(s)                                                                                   \
        {                                                                                          \
                s, LEN(s), -EINVAL, 0                                                              \
        }

static const struct value_case value_cases[] = {
    V_OK("0\n", 0),
    V_OK("536870912\n", 536870912),
    V_OK("536870912", 536870912),
    V_OK("max\n", BYTES_MAX),
    V_OK("max", BYTES_MAX),
    V_OK("18446744073709551615\n", UINT64_MAX),
    V_OK("9223372036854771712\n", 9223372036854771712ULL),
    V_BAD(""),
    V_BAD("\n"),
    V_BAD("\n\n"),
    V_BAD("12\n\n"),
    V_BAD("18446744073709551616\n"),
    V_BAD("99999999999999999999999\n"),
    V_BAD("-1\n"),
    V_BAD("+1\n"),
    V_BAD(" 1\n"),
    V_BAD("1 \n"),
    V_BAD("1\n2\n"),
    V_BAD("12abc\n"),
    V_BAD("0x10\n"),
    V_BAD("MAX\n"),
    V_BAD("maximum\n"),
    V_BAD("ma\n"),
    V_BAD("1\0\n"),
    V_BAD("\0"),
    V_BAD("1.5\n"),
};

static void test_value(void)
{
        for (size_t i = 0; i < ELEMENTSOF(value_cases); i++) {
                const struct value_case *c = &value_cases[i];
                uint64_t v = 4242;
                int r = memparse_value(c->text, c->len, &v);

                if (r != c->expect_r)
                        fprintf(stderr, "value case %zu: r=%d expected %d\n", i, r, c->expect_r);
                CHECK_EQ_INT(r, c->expect_r);
                CHECK_EQ_U64(v, c->expect_r == 0 ? c->expect_value : 4242);
        }
}

/* --- memparse_meminfo --------------------------------------------------- */

static const char meminfo_real[] = "MemTotal:       24684084 kB\n"
                                   "MemFree:        23950308 kB\n"
                                   "MemAvailable:   24253112 kB\n"
                                   "Buffers:            5128 kB\n"
                                   "Active(anon):      12345 kB\n"
                                   "SwapTotal:       2097148 kB\n"
                                   "SwapFree:        2000000 kB\n"
                                   "HugePages_Total:       0\n"
                                   "Hugepagesize:       2048 kB\n"
                                   "DirectMap1G:    16777216 kB\n";

struct meminfo_case {
        const char *name;
        const char *text;
        size_t len;
        int expect_r;
};

#define M_OK(n, s)                                                                                 \
        {                                                                                          \
                n, s, LEN(s), 0                                                                    \
        }
#define M_BAD(n, s)                                                                                \
        {                                                                                          \
                n, s, LEN(s), -EINVAL                                                              \
        }

static const struct meminfo_case meminfo_cases[] = {
    M_OK("minimal", "MemTotal: 100 kB\nMemAvailable: 50 kB\n"),
    M_OK("no final newline", "MemTotal: 100 kB\nMemAvailable: 50 kB"),
    M_OK("no swap", "MemTotal: 100 kB\nMemAvailable: 100 kB\n"),
    M_OK("unit-less unknown", "MemTotal: 100 kB\nMemAvailable: 50 kB\nHugePages_Free: 0\n"),
    M_OK("duplicate unknown", "MemTotal: 100 kB\nMemAvailable: 50 kB\nFoo: 1 kB\nFoo: 2 kB\n"),
    M_BAD("empty", ""),
    M_BAD("missing MemAvailable", "MemTotal: 100 kB\nMemFree: 50 kB\n"),
    M_BAD("missing MemTotal", "MemAvailable: 50 kB\n"),
    M_BAD("duplicate MemTotal", "MemTotal: 100 kB\nMemAvailable: 50 kB\nMemTotal: 200 kB\n"),
    M_BAD(
        "duplicate SwapFree",
        "MemTotal: 100 kB\nMemAvailable: 50 kB\nSwapTotal: 9 kB\nSwapFree: 1 kB\nSwapFree: 1 kB\n"),
    M_BAD("MemTotal zero", "MemTotal: 0 kB\nMemAvailable: 0 kB\n"),
    M_BAD("available above total", "MemTotal: 100 kB\nMemAvailable: 101 kB\n"),
    M_BAD("swap free above total", "MemTotal: 100 kB\nMemAvailable: 1 kB\nSwapFree: 1 kB\n"),
    M_BAD("overflow digits", "MemTotal: 18446744073709551616 kB\nMemAvailable: 1 kB\n"),
    M_BAD("overflow by kB", "MemTotal: 18446744073709551615 kB\nMemAvailable: 1 kB\n"),
    M_BAD("negative", "MemTotal: -100 kB\nMemAvailable: 1 kB\n"),
    M_BAD("bad unit", "MemTotal: 100 MB\nMemAvailable: 1 kB\n"),
    M_BAD("unit glued", "MemTotal: 100kB\nMemAvailable: 1 kB\n"),
    M_BAD("trailing garbage", "MemTotal: 100 kB\nMemAvailable: 1 kB\ngarbage\n"),
    M_BAD("trailing garbage after unit", "MemTotal: 100 kB x\nMemAvailable: 1 kB\n"),
    M_BAD("blank line", "MemTotal: 100 kB\n\nMemAvailable: 1 kB\n"),
    M_BAD("no colon", "MemTotal 100 kB\nMemAvailable: 1 kB\n"),
    M_BAD("no value", "MemTotal:\nMemAvailable: 1 kB\n"),
    M_BAD("NUL in line", "MemTotal: 1\0 kB\nMemAvailable: 1 kB\n"),
    M_BAD("NUL key", "MemTotal: 100 kB\nMemAvailable: 1 kB\n\0: 1 kB\n"),
    M_BAD("comm junk", "MemTotal: 100 kB\nMemAvailable: 1 kB\nfoo) Z : 1 kB\n"),
    M_BAD("space in key", "Mem Total: 100 kB\nMemAvailable: 1 kB\n"),
    M_BAD("CRLF", "MemTotal: 100 kB\r\nMemAvailable: 1 kB\n"),
};

static void test_meminfo_table(void)
{
        for (size_t i = 0; i < ELEMENTSOF(meminfo_cases); i++) {
                const struct meminfo_case *c = &meminfo_cases[i];
                struct meminfo mi = {.mem_total_bytes = 4242};
                int r = memparse_meminfo(c->text, c->len, &mi);

                if (r != c->expect_r)
                        fprintf(stderr, "meminfo case \"%s\": r=%d expected %d\n", c->name, r,
                                c->expect_r);
                CHECK_EQ_INT(r, c->expect_r);
                if (c->expect_r < 0)
                        CHECK_EQ_U64(mi.mem_total_bytes, 4242);
        }
}

static void test_meminfo_values(void)
{
        struct meminfo mi;

        CHECK_EQ_INT(memparse_meminfo(meminfo_real, LEN(meminfo_real), &mi), 0);
        CHECK_EQ_U64(mi.mem_total_bytes, 24684084ULL * 1024);
        CHECK_EQ_U64(mi.mem_available_bytes, 24253112ULL * 1024);
        CHECK_EQ_U64(mi.swap_total_bytes, 2097148ULL * 1024);
        CHECK_EQ_U64(mi.swap_free_bytes, 2000000ULL * 1024);

        /* Swap fields default to 0; unit-less figures are taken as bytes. */
        static const char no_unit[] = "MemTotal: 4096\nMemAvailable: 1024\n";
        CHECK_EQ_INT(memparse_meminfo(no_unit, LEN(no_unit), &mi), 0);
        CHECK_EQ_U64(mi.mem_total_bytes, 4096);
        CHECK_EQ_U64(mi.mem_available_bytes, 1024);
        CHECK_EQ_U64(mi.swap_total_bytes, 0);
        CHECK_EQ_U64(mi.swap_free_bytes, 0);

        /* The largest figure that still fits once multiplied by 1024. */
        static const char big[] = "MemTotal: 18014398509481983 kB\nMemAvailable: 0 kB\n";
        CHECK_EQ_INT(memparse_meminfo(big, LEN(big), &mi), 0);
        CHECK_EQ_U64(mi.mem_total_bytes, 18014398509481983ULL * 1024);
        static const char too_big[] = "MemTotal: 18014398509481984 kB\nMemAvailable: 0 kB\n";
        CHECK_EQ_INT(memparse_meminfo(too_big, LEN(too_big), &mi), -EINVAL);
}

/* --- memory.events ------------------------------------------------------ */

static void test_events(void)
{
        static const char real[] = "low 0\nhigh 211\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n";
        static const char partial[] = "high 5\n";
        static const char future[] = "high 5\nsock_throttled 9\n";
        static const char *const bad[] = {
            "high 5\nhigh 6\n",            /* duplicate */
            "high -5\n",                   /* negative */
            "high 18446744073709551616\n", /* overflow */
            "high\n",                      /* no value */
            "high 5 6\n",                  /* trailing garbage */
            "high 5\n\n",                  /* blank line */
            "foo) Z 5\n",                  /* junk key */
            "high 5\njunk",                /* trailing junk line */
            "high  \n",                    /* spaces only */
            "high 0x5\n",                  /* hex */
        };
        static const char nul[] = "high 5\0\n";
        struct memory_events ev;

        CHECK_EQ_INT(memparse_memory_events(real, LEN(real), &ev), 0);
        CHECK_EQ_U64(ev.low, 0);
        CHECK_EQ_U64(ev.high, 211);
        CHECK_EQ_U64(ev.max, 3);
        CHECK_EQ_U64(ev.oom, 1);
        CHECK_EQ_U64(ev.oom_kill, 1);
        CHECK_EQ_U64(ev.oom_group_kill, 0);

        CHECK_EQ_INT(memparse_memory_events(partial, LEN(partial), &ev), 0);
        CHECK_EQ_U64(ev.high, 5);
        CHECK_EQ_U64(ev.oom_kill, 0);
        CHECK_EQ_INT(memparse_memory_events(future, LEN(future), &ev), 0);
        CHECK_EQ_U64(ev.high, 5);
        /* All keys optional per the contract: an empty file reads as zeros. */
        ev.high = 99;
        CHECK_EQ_INT(memparse_memory_events("", 0, &ev), 0);
        CHECK_EQ_U64(ev.high, 0);

        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                struct memory_events keep = {.high = 4242};
                int r = memparse_memory_events(bad[i], strlen(bad[i]), &keep);

                if (r != -EINVAL)
                        fprintf(stderr, "events bad case %zu: r=%d\n", i, r);
                CHECK_EQ_INT(r, -EINVAL);
                CHECK_EQ_U64(keep.high, 4242);
        }
        CHECK_EQ_INT(memparse_memory_events(nul, LEN(nul), &ev), -EINVAL);
}

/* --- flat keyed (memory.stat) ------------------------------------------- */

static void test_flat_keyed(void)
{
        static const char stat[] = "anon 3221225472\nfile 4096000\nkernel_stack 65536\n"
                                   "workingset_refault_anon 0\npgfault 12345\n";
        static const char dup[] = "anon 1\nfile 2\nanon 3\n";
        static const char dup_other[] = "anon 1\nfile 2\nfile 3\n";
        static const char broken_later[] = "anon 1\nfile x\n";
        uint64_t v = 7;

        CHECK_EQ_INT(memparse_flat_keyed(stat, LEN(stat), "anon", &v), 0);
        CHECK_EQ_U64(v, 3221225472ULL);
        CHECK_EQ_INT(memparse_flat_keyed(stat, LEN(stat), "pgfault", &v), 0);
        CHECK_EQ_U64(v, 12345);
        v = 7;
        CHECK_EQ_INT(memparse_flat_keyed(stat, LEN(stat), "shmem", &v), -ENOENT);
        /* A prefix of a key is not the key. */
        CHECK_EQ_INT(memparse_flat_keyed(stat, LEN(stat), "kernel", &v), -ENOENT);
        CHECK_EQ_INT(memparse_flat_keyed(stat, LEN(stat), "an", &v), -ENOENT);
        CHECK_EQ_U64(v, 7);
        CHECK_EQ_INT(memparse_flat_keyed(dup, LEN(dup), "anon", &v), -EINVAL);
        /* Duplicates of other keys are tolerated; the file is still validated. */
        CHECK_EQ_INT(memparse_flat_keyed(dup_other, LEN(dup_other), "anon", &v), 0);
        CHECK_EQ_INT(memparse_flat_keyed(broken_later, LEN(broken_later), "anon", &v), -EINVAL);
        CHECK_EQ_INT(memparse_flat_keyed("", 0, "anon", &v), -ENOENT);
        /* Bytes past len are not read. */
        CHECK_EQ_INT(memparse_flat_keyed(stat, 6, "anon", &v), 0);
        CHECK_EQ_U64(v, 3);
}

/* --- memory.oom_control (v1) -------------------------------------------- */

static void test_oom_control(void)
{
        static const char real[] = "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n";
        static const char old_kernel[] = "oom_kill_disable 1\nunder_oom 1\n";
        static const char *const bad[] = {
            "",
            "oom_kill 1\n",                                  /* flags missing */
            "oom_kill_disable 0\noom_kill 1\n",              /* under_oom missing */
            "oom_kill_disable 2\nunder_oom 0\noom_kill 1\n", /* not a flag */
            "oom_kill_disable 0\nunder_oom 0\noom_kill 1\noom_kill 2\n",
            "oom_kill_disable 0\nunder_oom 0\noom_kill -1\n",
            "oom_kill_disable 0\nunder_oom 0\noom_kill 18446744073709551616\n",
            "oom_kill_disable 0\nunder_oom 0\noom_kill 1\ntrailing",
        };
        struct memory_oom_control oc;

        CHECK_EQ_INT(memparse_oom_control(real, LEN(real), &oc), 0);
        CHECK(!oc.oom_kill_disable);
        CHECK(!oc.under_oom);
        CHECK_EQ_U64(oc.oom_kill, 1);
        CHECK_EQ_INT(memparse_oom_control(old_kernel, LEN(old_kernel), &oc), 0);
        CHECK(oc.oom_kill_disable);
        CHECK(oc.under_oom);
        CHECK_EQ_U64(oc.oom_kill, 0);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                int r = memparse_oom_control(bad[i], strlen(bad[i]), &oc);

                if (r != -EINVAL)
                        fprintf(stderr, "oom_control bad case %zu: r=%d\n", i, r);
                CHECK_EQ_INT(r, -EINVAL);
        }
}

/* Huge inputs: a long valid file, and one enormous line. */
static void test_huge(void)
{
        const size_t size = 4 * 1024 * 1024;
        char *buf = malloc(size);
        struct memory_events ev;
        uint64_t v;
        size_t o = 0;

        if (!buf) {
                CHECK(buf);
                return;
        }
        while (o + 16 <= size) {
                memcpy(buf + o, "unknown_key 123\n", 16);
                o += 16;
        }
        CHECK_EQ_INT(memparse_memory_events(buf, o, &ev), 0);
        CHECK_EQ_INT(memparse_flat_keyed(buf, o, "anon", &v), -ENOENT);
        memset(buf, '7', size);
        CHECK_EQ_INT(memparse_value(buf, size, &v), -EINVAL);
        CHECK_EQ_INT(memparse_memory_events(buf, size, &ev), -EINVAL);
        memset(buf, 'a', size);
        CHECK_EQ_INT(memparse_flat_keyed(buf, size, "a", &v), -EINVAL);
        free(buf);
}

int main(void)
{
        test_value();
        test_meminfo_table();
        test_meminfo_values();
        test_events();
        test_flat_keyed();
        test_oom_control();
        test_huge();
        return TEST_RESULT();
}
