/* psi — see include/psi.h */
#include "psi.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "util.h"

/* The kernel prints averages as "%lu.%02lu" percent: at most "100.00". */
#define PSI_AVG_INT_DIGITS_MAX  3
#define PSI_AVG_FRAC_DIGITS_MAX 2

/* "12.34" (the kernel's fixed two decimals; fewer accepted) as a percentage
 * 0..100. Parsed by hand: strtod depends on the locale and accepts far more
 * ("1e2", "inf", hex) than the kernel ever writes. */
static int parse_avg(const char *s, size_t len, double *ret)
{
        const char *dot = memchr(s, '.', len);
        size_t int_len = dot ? (size_t)(dot - s) : len;
        size_t frac_len = dot ? len - int_len - 1 : 0;
        uint64_t int_part, frac_part = 0;
        double v;

        if (int_len == 0 || int_len > PSI_AVG_INT_DIGITS_MAX)
                return -EINVAL;
        if (dot && (frac_len == 0 || frac_len > PSI_AVG_FRAC_DIGITS_MAX))
                return -EINVAL;
        if (util_parse_u64(s, int_len, &int_part) < 0)
                return -EINVAL;
        if (dot) {
                if (util_parse_u64(dot + 1, frac_len, &frac_part) < 0)
                        return -EINVAL;
                if (frac_len == 1)
                        frac_part *= 10;
        }
        if (int_part > 100 || (int_part == 100 && frac_part > 0))
                return -EINVAL;
        v = (double)int_part + (double)frac_part / 100.0;
        *ret = v;
        return 0;
}

enum {
        FIELD_AVG10 = 1 << 0,
        FIELD_AVG60 = 1 << 1,
        FIELD_AVG300 = 1 << 2,
        FIELD_TOTAL = 1 << 3,
        FIELD_ALL = FIELD_AVG10 | FIELD_AVG60 | FIELD_AVG300 | FIELD_TOTAL,
};

/* One line's fields after "some"/"full": space-separated key=value tokens. */
static int parse_fields(const char *p, const char *end, struct psi_line *ret)
{
        struct psi_line line = {};
        unsigned seen = 0;

        while (p < end) {
                const char *tok, *eq;
                size_t key_len, val_len;
                unsigned field = 0;
                int r = 0;

                if (*p == ' ') {
                        p++;
                        continue;
                }
                tok = p;
                while (p < end && *p != ' ')
                        p++;
                eq = memchr(tok, '=', (size_t)(p - tok));
                if (!eq || eq == tok)
                        return -EINVAL;
                key_len = (size_t)(eq - tok);
                val_len = (size_t)(p - eq - 1);

                if (key_len == 5 && memcmp(tok, "avg10", 5) == 0) {
                        field = FIELD_AVG10;
                        r = parse_avg(eq + 1, val_len, &line.avg10);
                } else if (key_len == 5 && memcmp(tok, "avg60", 5) == 0) {
                        field = FIELD_AVG60;
                        r = parse_avg(eq + 1, val_len, &line.avg60);
                } else if (key_len == 6 && memcmp(tok, "avg300", 6) == 0) {
                        field = FIELD_AVG300;
                        r = parse_avg(eq + 1, val_len, &line.avg300);
                } else if (key_len == 5 && memcmp(tok, "total", 5) == 0) {
                        field = FIELD_TOTAL;
                        r = util_parse_u64(eq + 1, val_len, &line.total_usec) < 0 ? -EINVAL : 0;
                } else {
                        /* A field a newer kernel added: ignored, but it must
                         * still look like key=value without control bytes. */
                        for (const char *c = tok; c < p; c++)
                                if ((unsigned char)*c < 0x21 || (unsigned char)*c > 0x7e)
                                        return -EINVAL;
                }
                if (r < 0)
                        return r;
                if (field & seen)
                        return -EINVAL;
                seen |= field;
        }
        if (seen != FIELD_ALL)
                return -EINVAL;
        *ret = line;
        return 0;
}

int psi_parse(const char *buf, size_t len, struct psi_stats *ret)
{
        struct psi_stats stats = {};
        bool has_some = false;
        const char *p, *end;

        assert(buf || len == 0);
        assert(ret);

        if (len == 0)
                return -EINVAL;
        p = buf;
        end = buf + len;
        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                const char *line_end = eol ? eol : end;
                size_t line_len = (size_t)(line_end - p);
                struct psi_line *target;
                bool *flag;
                int r;

                if (line_len >= 5 && memcmp(p, "some ", 5) == 0) {
                        target = &stats.some;
                        flag = &has_some;
                } else if (line_len >= 5 && memcmp(p, "full ", 5) == 0) {
                        target = &stats.full;
                        flag = &stats.has_full;
                } else
                        return -EINVAL; /* blank lines, junk, unknown kinds */
                if (*flag)
                        return -EINVAL;
                r = parse_fields(p + 5, line_end, target);
                if (r < 0)
                        return r;
                *flag = true;
                p = eol ? eol + 1 : end;
        }
        if (!has_some)
                return -EINVAL;
        *ret = stats;
        return 0;
}
