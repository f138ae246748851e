/* Unit tests for psi_parse(): real kernel output and hostile input. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "psi.h"
#include "test.h"

#define LEN(s) (sizeof(s) - 1)

static bool close_to(double a, double b)
{
        return a - b < 1e-9 && b - a < 1e-9;
}

struct psi_case {
        const char *name;
        const char *text;
        size_t len; /* explicit so NUL bytes inside count */
        int expect_r;
};

#define OK(n, s)                                                                                   \
        {                                                                                          \
                n, s, LEN(s), 0                                                                    \
        }
#define BAD(n, s)                                                                                  \
        {                                                                                          \
                n, s, LEN(s), -EINVAL                                                              \
        }

static const struct psi_case cases[] = {
    OK("kernel memory", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1381\n"
                        "full avg10=0.00 avg60=0.00 avg300=0.00 total=935\n"),
    OK("no trailing newline", "some avg10=0.00 avg60=0.00 avg300=0.00 total=1"),
    OK("cpu without full", "some avg10=0.67 avg60=1.22 avg300=0.91 total=11962087\n"),
    OK("full before some", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                           "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    OK("extra future field", "some avg10=1.00 avg60=0.00 avg300=0.00 total=5 avg3600=0.00\n"),
    OK("fields reordered", "some total=5 avg300=0.00 avg60=0.00 avg10=1.00\n"),
    OK("exactly 100", "some avg10=100.00 avg60=100 avg300=99.99 total=0\n"),
    OK("total UINT64_MAX", "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551615\n"),
    OK("one decimal", "some avg10=1.5 avg60=0.00 avg300=0.00 total=1\n"),

    BAD("empty", ""),
    BAD("only newline", "\n"),
    BAD("missing some", "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("duplicate some", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                          "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("duplicate full", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                          "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                          "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("duplicate field", "some avg10=0.00 avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("missing total", "some avg10=0.00 avg60=0.00 avg300=0.00\n"),
    BAD("missing avg60", "some avg10=0.00 avg300=0.00 total=0\n"),
    BAD("trailing garbage line", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\ngarbage"),
    BAD("blank line", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\n"),
    BAD("garbage token", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0 junk\n"),
    BAD("total overflow", "some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n"),
    BAD("total very long", "some avg10=0.00 avg60=0.00 avg300=0.00 total=000000000000000000001\n"),
    BAD("total negative", "some avg10=0.00 avg60=0.00 avg300=0.00 total=-1\n"),
    BAD("total plus", "some avg10=0.00 avg60=0.00 avg300=0.00 total=+1\n"),
    BAD("total empty", "some avg10=0.00 avg60=0.00 avg300=0.00 total=\n"),
    BAD("avg negative", "some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg above 100", "some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg 101", "some avg10=101 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg 1000", "some avg10=1000.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg exponent", "some avg10=1e1 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg nan", "some avg10=nan avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg three decimals", "some avg10=1.234 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg bare dot", "some avg10=1. avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg leading dot", "some avg10=.5 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("avg comma", "some avg10=0,50 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("NUL in value", "some avg10=0.0\0 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("NUL in unknown field", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0 x=\0\n"),
    BAD("NUL line", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\0"),
    BAD("comm style junk", "foo) Z some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("unknown kind", "half avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("no space after kind", "someavg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("tab separator", "some avg10=0.00\tavg60=0.00 avg300=0.00 total=0\n"),
    BAD("CRLF", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\r\n"),
    BAD("key without value sign", "some avg10 avg60=0.00 avg300=0.00 total=0\n"),
    BAD("empty key", "some =1 avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"),
};

static void test_table(void)
{
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                struct psi_stats st;
                int r = psi_parse(cases[i].text, cases[i].len, &st);

                if (r != cases[i].expect_r)
                        fprintf(stderr, "case \"%s\": r=%d expected %d\n", cases[i].name, r,
                                cases[i].expect_r);
                CHECK_EQ_INT(r, cases[i].expect_r);
        }
}

static void test_values(void)
{
        static const char text[] = "some avg10=12.34 avg60=8.50 avg300=2.25 total=7654321\n"
                                   "full avg10=10.00 avg60=6.00 avg300=1.75 total=6543210\n";
        struct psi_stats st;

        CHECK_EQ_INT(psi_parse(text, LEN(text), &st), 0);
        CHECK(close_to(st.some.avg10, 12.34));
        CHECK(close_to(st.some.avg60, 8.50));
        CHECK(close_to(st.some.avg300, 2.25));
        CHECK_EQ_U64(st.some.total_usec, 7654321);
        CHECK(st.has_full);
        CHECK(close_to(st.full.avg10, 10.0));
        CHECK(close_to(st.full.avg300, 1.75));
        CHECK_EQ_U64(st.full.total_usec, 6543210);
}

static void test_one_decimal_scaled(void)
{
        static const char text[] = "some avg10=1.5 avg60=0.05 avg300=100 total=1\n";
        struct psi_stats st;

        CHECK_EQ_INT(psi_parse(text, LEN(text), &st), 0);
        CHECK(close_to(st.some.avg10, 1.5));
        CHECK(close_to(st.some.avg60, 0.05));
        CHECK(close_to(st.some.avg300, 100.0));
        CHECK(!st.has_full);
}

/* The length bounds the parse: bytes after len are never looked at. */
static void test_not_nul_terminated(void)
{
        static const char text[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=42GARBAGE";
        struct psi_stats st;

        CHECK_EQ_INT(psi_parse(text, LEN(text) - 7, &st), 0);
        CHECK_EQ_U64(st.some.total_usec, 42);
        CHECK_EQ_INT(psi_parse(text, LEN(text), &st), -EINVAL);
}

/* On failure the output is left untouched. */
static void test_ret_untouched(void)
{
        static const char text[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\njunk\n";
        struct psi_stats st = {.some.total_usec = 777};

        CHECK_EQ_INT(psi_parse(text, LEN(text), &st), -EINVAL);
        CHECK_EQ_U64(st.some.total_usec, 777);
}

/* A huge input of one valid line padded with unknown fields parses in one
 * pass; a huge junk input is refused. */
static void test_huge(void)
{
        const size_t size = 4 * 1024 * 1024;
        char *buf = malloc(size);
        static const char head[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=9";
        struct psi_stats st;
        size_t o;

        if (!buf) {
                CHECK(buf);
                return;
        }
        memcpy(buf, head, LEN(head));
        for (o = LEN(head); o + 4 <= size; o += 4)
                memcpy(buf + o, " x=1", 4);
        CHECK_EQ_INT(psi_parse(buf, o, &st), 0);
        CHECK_EQ_U64(st.some.total_usec, 9);

        memset(buf, '9', size);
        CHECK_EQ_INT(psi_parse(buf, size, &st), -EINVAL);
        free(buf);
}

int main(void)
{
        test_table();
        test_values();
        test_one_decimal_scaled();
        test_not_nul_terminated();
        test_ret_untouched();
        test_huge();
        return TEST_RESULT();
}
