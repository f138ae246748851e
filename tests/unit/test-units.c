/* test-units — sizes, durations and percentages: good input, hostile input,
 * and that every formatted value parses back to itself. */
#include <errno.h>

#include "test.h"
#include "units.h"

#define K 1024ULL
#define M (1024ULL * K)
#define G (1024ULL * M)
#define T (1024ULL * G)

static void test_parse_bytes(void)
{
        static const struct {
                const char *in;
                int r;
                uint64_t bytes;
        } cases[] = {
            {"0", 0, 0},
            {"512", 0, 512},
            {"512B", 0, 512},
            {"64K", 0, 64 * K},
            {"64k", 0, 64 * K},
            {"512M", 0, 512 * M},
            {"8G", 0, 8 * G},
            {"8GB", 0, 8 * G},
            {"8GiB", 0, 8 * G},
            {"8gib", 0, 8 * G},
            {"1T", 0, T},
            {" 8G ", 0, 8 * G},
            {"\t1k\n", 0, K},
            {"1.5G", 0, 1536 * M},
            {"0.5K", 0, 512},
            {"max", 0, BYTES_MAX},
            {"MAX", 0, BYTES_MAX},
            {"16777215T", 0, 16777215ULL * T},
            {"18446744073709551614", 0, BYTES_MAX - 1},
            /* malformed */
            {"", -EINVAL, 0},
            {" ", -EINVAL, 0},
            {"8X", -EINVAL, 0},
            {"-1G", -EINVAL, 0},
            {"+1G", -EINVAL, 0},
            {"G", -EINVAL, 0},
            {"8 G", -EINVAL, 0},
            {"8G trailing", -EINVAL, 0},
            {"8Gx", -EINVAL, 0},
            {"8GBB", -EINVAL, 0},
            {"8iB", -EINVAL, 0},
            {"0x10", -EINVAL, 0},
            {"1e3", -EINVAL, 0},
            {".5G", -EINVAL, 0},
            {"5.G", -EINVAL, 0},
            {"1.5.5G", -EINVAL, 0},
            {"1.5", -EINVAL, 0},
            {"1.1234567891G", -EINVAL, 0},
            {"maxx", -EINVAL, 0},
            {"50%", -EINVAL, 0},
            /* overflow */
            {"99999999999999999999G", -ERANGE, 0},
            {"99999999999999999999", -ERANGE, 0},
            {"16777216T", -ERANGE, 0},
            {"18446744073709551615", -ERANGE, 0}, /* BYTES_MAX is "max" only */
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                uint64_t bytes = 12345;
                int r = units_parse_bytes(cases[i].in, &bytes);
                if (r != cases[i].r)
                        fprintf(stderr, "units_parse_bytes(\"%s\")\n", cases[i].in);
                CHECK_EQ_INT(r, cases[i].r);
                if (cases[i].r == 0)
                        CHECK_EQ_U64(bytes, cases[i].bytes);
                else
                        CHECK_EQ_U64(bytes, 12345); /* untouched on error */
        }
}

static void test_parse_percent(void)
{
        static const struct {
                const char *in;
                int r;
                double percent;
        } cases[] = {
            {"65%", 0, 65},
            {"12.5%", 0, 12.5},
            {"0%", 0, 0},
            {"100%", 0, 100},
            {" 7% ", 0, 7},
            {"100.0%", 0, 100},
            {"65", -EINVAL, 0},
            {"10%%", -EINVAL, 0},
            {"1.5.5%", -EINVAL, 0},
            {"-1%", -EINVAL, 0},
            {"%", -EINVAL, 0},
            {"", -EINVAL, 0},
            {" ", -EINVAL, 0},
            {"65 %", -EINVAL, 0},
            {"abc%", -EINVAL, 0},
            {"5%x", -EINVAL, 0},
            {"100.5%", -ERANGE, 0},
            {"101%", -ERANGE, 0},
            {"99999999999999999999%", -ERANGE, 0},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                double percent = -1;
                int r = units_parse_percent(cases[i].in, &percent);
                if (r != cases[i].r)
                        fprintf(stderr, "units_parse_percent(\"%s\")\n", cases[i].in);
                CHECK_EQ_INT(r, cases[i].r);
                if (cases[i].r == 0)
                        CHECK(percent == cases[i].percent);
                else
                        CHECK(percent == -1);
        }
}

static void test_parse_size(void)
{
        struct size_spec s;

        CHECK_EQ_INT(units_parse_size("50%", &s), 0);
        CHECK(s.set && s.is_percent && s.percent == 50);
        CHECK_EQ_INT(units_parse_size("8G", &s), 0);
        CHECK(s.set && !s.is_percent && s.bytes == 8 * G);
        CHECK_EQ_INT(units_parse_size("max", &s), 0);
        CHECK(s.set && !s.is_percent && s.bytes == BYTES_MAX);
        CHECK_EQ_INT(units_parse_size("0", &s), 0);
        CHECK(s.set && s.bytes == 0);
        CHECK_EQ_INT(units_parse_size("0%", &s), -ERANGE);
        CHECK_EQ_INT(units_parse_size("150%", &s), -ERANGE);
        CHECK_EQ_INT(units_parse_size("", &s), -EINVAL);
        CHECK_EQ_INT(units_parse_size("10%%", &s), -EINVAL);
        CHECK_EQ_INT(units_parse_size("%", &s), -EINVAL);
        CHECK_EQ_INT(units_parse_size("-5%", &s), -EINVAL);
}

static void test_parse_duration(void)
{
        static const struct {
                const char *in;
                int r;
                usec_t usec;
        } cases[] = {
            {"250ms", 0, 250 * USEC_PER_MSEC},
            {"5s", 0, 5 * USEC_PER_SEC},
            {"5", 0, 5 * USEC_PER_SEC},
            {"0", 0, 0},
            {"10m", 0, 600 * USEC_PER_SEC},
            {"10min", 0, 600 * USEC_PER_SEC},
            {"1h", 0, 3600 * USEC_PER_SEC},
            {"7d", 0, 7 * 86400 * USEC_PER_SEC},
            {"1.5s", 0, 1500 * USEC_PER_MSEC},
            {"100us", 0, 100},
            {" 2s\n", 0, 2 * USEC_PER_SEC},
            {"", -EINVAL, 0},
            {" ", -EINVAL, 0},
            {"5x", -EINVAL, 0},
            {"5 s", -EINVAL, 0},
            {"-5s", -EINVAL, 0},
            {"5S", -EINVAL, 0},
            {"s", -EINVAL, 0},
            {"1.5.5s", -EINVAL, 0},
            {"5s5", -EINVAL, 0},
            {"5ss", -EINVAL, 0},
            {"99999999999999999999d", -ERANGE, 0},
            {"213503983d", -ERANGE, 0},
            {"213503982d", 0, 213503982ULL * 86400 * USEC_PER_SEC},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                usec_t usec = 777;
                int r = units_parse_duration(cases[i].in, &usec);
                if (r != cases[i].r)
                        fprintf(stderr, "units_parse_duration(\"%s\")\n", cases[i].in);
                CHECK_EQ_INT(r, cases[i].r);
                CHECK_EQ_U64(usec, cases[i].r == 0 ? cases[i].usec : 777);
        }
}

static void test_resolve(void)
{
        struct size_spec unset = {0};
        struct size_spec abs = {.set = true, .bytes = 3 * G};
        struct size_spec half = {.set = true, .is_percent = true, .percent = 50};
        struct size_spec eighth = {.set = true, .is_percent = true, .percent = 12.5};
        struct size_spec all = {.set = true, .is_percent = true, .percent = 100};

        CHECK_EQ_U64(units_size_resolve(&unset, 8 * G), BYTES_MAX);
        CHECK_EQ_U64(units_size_resolve(&abs, 8 * G), 3 * G);
        CHECK_EQ_U64(units_size_resolve(&half, 8 * G), 4 * G);
        CHECK_EQ_U64(units_size_resolve(&eighth, 8 * G), G);
        CHECK_EQ_U64(units_size_resolve(&all, 24 * G + 12345), 24 * G + 12345);
        /* No overflow on absurd totals. */
        CHECK_EQ_U64(units_size_resolve(&half, BYTES_MAX - 1), (BYTES_MAX - 1) / 2);
}

static void test_format(void)
{
        char buf[UNITS_FORMAT_MAX];

        CHECK_STREQ(units_format_bytes_exact(0, buf, sizeof(buf)), "0");
        CHECK_STREQ(units_format_bytes_exact(100, buf, sizeof(buf)), "100");
        CHECK_STREQ(units_format_bytes_exact(1025, buf, sizeof(buf)), "1025");
        CHECK_STREQ(units_format_bytes_exact(K, buf, sizeof(buf)), "1K");
        CHECK_STREQ(units_format_bytes_exact(1536 * M, buf, sizeof(buf)), "1536M");
        CHECK_STREQ(units_format_bytes_exact(8 * G, buf, sizeof(buf)), "8G");
        CHECK_STREQ(units_format_bytes_exact(2048 * T, buf, sizeof(buf)), "2048T");
        CHECK_STREQ(units_format_bytes_exact(BYTES_MAX, buf, sizeof(buf)), "max");

        CHECK_STREQ(units_format_bytes_human(0, buf, sizeof(buf)), "0");
        CHECK_STREQ(units_format_bytes_human(1023, buf, sizeof(buf)), "1023");
        CHECK_STREQ(units_format_bytes_human(512 * M, buf, sizeof(buf)), "512M");
        CHECK_STREQ(units_format_bytes_human(7 * G + 512 * M, buf, sizeof(buf)), "7.5G");
        CHECK_STREQ(units_format_bytes_human(M - 1, buf, sizeof(buf)), "1M");
        CHECK_STREQ(units_format_bytes_human(1536, buf, sizeof(buf)), "1.5K");
        CHECK_STREQ(units_format_bytes_human(BYTES_MAX, buf, sizeof(buf)), "max");

        CHECK_STREQ(units_format_duration(0, buf, sizeof(buf)), "0");
        CHECK_STREQ(units_format_duration(1, buf, sizeof(buf)), "1us");
        CHECK_STREQ(units_format_duration(250 * USEC_PER_MSEC, buf, sizeof(buf)), "250ms");
        CHECK_STREQ(units_format_duration(1500 * USEC_PER_MSEC, buf, sizeof(buf)), "1500ms");
        CHECK_STREQ(units_format_duration(90 * USEC_PER_SEC, buf, sizeof(buf)), "90s");
        CHECK_STREQ(units_format_duration(5 * 60 * USEC_PER_SEC, buf, sizeof(buf)), "5m");
        CHECK_STREQ(units_format_duration(24 * 3600 * USEC_PER_SEC, buf, sizeof(buf)), "1d");
        CHECK_STREQ(units_format_duration(USEC_INFINITY, buf, sizeof(buf)), "infinity");

        CHECK_STREQ(units_format_percent(65, buf, sizeof(buf)), "65%");
        CHECK_STREQ(units_format_percent(12.5, buf, sizeof(buf)), "12.5%");
        CHECK_STREQ(units_format_percent(0, buf, sizeof(buf)), "0%");

        struct size_spec pct = {.set = true, .is_percent = true, .percent = 25};
        struct size_spec abs = {.set = true, .bytes = 7 * G};
        struct size_spec unset = {0};
        CHECK_STREQ(units_format_size(&pct, buf, sizeof(buf)), "25%");
        CHECK_STREQ(units_format_size(&abs, buf, sizeof(buf)), "7G");
        CHECK_STREQ(units_format_size(&unset, buf, sizeof(buf)), "max");

        /* A small buffer truncates, never overflows. */
        char tiny[3];
        CHECK_STREQ(units_format_bytes_exact(1536 * M, tiny, sizeof(tiny)), "15");
}

/* What is printed must parse back to the same value. */
static void test_round_trip(void)
{
        static const uint64_t sizes[] = {0,     1,     1023,          K,        1536, 3 * M + 1,
                                         8 * G, 7 * T, BYTES_MAX - 1, BYTES_MAX};
        static const usec_t durations[] = {0,
                                           1,
                                           999,
                                           USEC_PER_MSEC,
                                           1500 * USEC_PER_MSEC,
                                           USEC_PER_SEC,
                                           90 * USEC_PER_SEC,
                                           7 * 86400 * USEC_PER_SEC,
                                           USEC_INFINITY - 1};
        static const char *const percents[] = {"0%",  "0.1%",          "12.345%", "33.333333333%",
                                               "65%", "99.999999999%", "100%"};
        char buf[UNITS_FORMAT_MAX];

        for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
                uint64_t back = 0;
                CHECK_EQ_INT(
                    units_parse_bytes(units_format_bytes_exact(sizes[i], buf, sizeof(buf)), &back),
                    0);
                CHECK_EQ_U64(back, sizes[i]);
        }
        for (size_t i = 0; i < sizeof(durations) / sizeof(durations[0]); i++) {
                usec_t back = 0;
                CHECK_EQ_INT(units_parse_duration(
                                 units_format_duration(durations[i], buf, sizeof(buf)), &back),
                             0);
                CHECK_EQ_U64(back, durations[i]);
        }
        for (size_t i = 0; i < sizeof(percents) / sizeof(percents[0]); i++) {
                double p = -1, back = -2;
                CHECK_EQ_INT(units_parse_percent(percents[i], &p), 0);
                CHECK_EQ_INT(units_parse_percent(units_format_percent(p, buf, sizeof(buf)), &back),
                             0);
                CHECK(p == back);
        }
}

int main(void)
{
        test_parse_bytes();
        test_parse_percent();
        test_parse_size();
        test_parse_duration();
        test_resolve();
        test_format();
        test_round_trip();
        return TEST_RESULT();
}
