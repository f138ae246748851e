/* units — see include/units.h */
#include "units.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define KIB 1024ULL /* bytes */
#define MIB (KIB * 1024ULL)
#define GIB (MIB * 1024ULL)
#define TIB (GIB * 1024ULL)

#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR   (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY    (24ULL * USEC_PER_HOUR)

/* Nine fractional digits keep the scale (10^9) and any product with it far
 * from overflow, and are more precision than any figure here needs. */
#define FRACTION_DIGITS_MAX 9

/* A non-negative decimal as written: integer part plus fraction / scale. */
struct decimal {
        uint64_t integer;
        uint64_t fraction;
        uint64_t scale; /* 10^digits after the point; 1 when there is no point */
};

static bool is_blank(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Strip leading and trailing blanks: [*ret_begin, *ret_end). */
static void trim(const char *s, const char **ret_begin, const char **ret_end)
{
        const char *e = s + strlen(s);

        while (is_blank(*s))
                s++;
        while (e > s && is_blank(e[-1]))
                e--;
        *ret_begin = s;
        *ret_end = e;
}

/* Parse "D+[.D+]" at *p, advancing *p. Signs, exponents, a bare "." and
 * "5." are rejected: configuration figures are written plainly. */
static int parse_decimal(const char **p, const char *end, struct decimal *ret)
{
        const char *s = *p;
        struct decimal d = {.scale = 1};
        unsigned digits = 0;

        if (s >= end || !util_is_digit(*s))
                return -EINVAL;
        for (; s < end && util_is_digit(*s); s++) {
                if (__builtin_mul_overflow(d.integer, 10, &d.integer) ||
                    __builtin_add_overflow(d.integer, (uint64_t)(*s - '0'), &d.integer))
                        return -ERANGE;
        }
        if (s < end && *s == '.') {
                s++;
                if (s >= end || !util_is_digit(*s))
                        return -EINVAL;
                for (; s < end && util_is_digit(*s); s++) {
                        if (++digits > FRACTION_DIGITS_MAX)
                                return -EINVAL;
                        d.fraction = d.fraction * 10 + (uint64_t)(*s - '0');
                        d.scale *= 10;
                }
        }
        *p = s;
        *ret = d;
        return 0;
}

/* integer * unit + fraction * unit / scale, truncated, with overflow checks. */
static int decimal_scale(const struct decimal *d, uint64_t unit, uint64_t *ret)
{
        uint64_t whole, part;
        unsigned __int128 frac = (unsigned __int128)d->fraction * unit / d->scale;

        if (__builtin_mul_overflow(d->integer, unit, &whole))
                return -ERANGE;
        part = (uint64_t)frac; /* < unit, since fraction < scale */
        if (__builtin_add_overflow(whole, part, ret))
                return -ERANGE;
        return 0;
}

static double decimal_value(const struct decimal *d)
{
        return (double)d->integer + (double)d->fraction / (double)d->scale;
}

static bool span_equal_nocase(const char *b, const char *e, const char *word)
{
        size_t n = strlen(word);

        return (size_t)(e - b) == n && strncasecmp(b, word, n) == 0;
}

int units_parse_bytes(const char *s, uint64_t *ret_bytes)
{
        const char *b, *e, *p;
        struct decimal d;
        uint64_t unit = 1, bytes;
        int r;

        assert(s);
        assert(ret_bytes);

        trim(s, &b, &e);
        if (span_equal_nocase(b, e, "max")) {
                *ret_bytes = BYTES_MAX;
                return 0;
        }
        p = b;
        r = parse_decimal(&p, e, &d);
        if (r < 0)
                return r;
        if (p < e) {
                switch (*p) {
                case 'k':
                case 'K':
                        unit = KIB;
                        break;
                case 'm':
                case 'M':
                        unit = MIB;
                        break;
                case 'g':
                case 'G':
                        unit = GIB;
                        break;
                case 't':
                case 'T':
                        unit = TIB;
                        break;
                case 'b':
                case 'B':
                        break;
                default:
                        return -EINVAL;
                }
                if (unit != 1) {
                        p++;
                        /* "8G", "8GB" and "8GiB" all mean 8 * 1024^3. */
                        if (span_equal_nocase(p, e, "ib"))
                                p += 2;
                        else if (span_equal_nocase(p, e, "b"))
                                p += 1;
                } else {
                        p++; /* "512B" */
                }
        }
        if (p != e)
                return -EINVAL;
        /* A fraction of a byte is meaningless: "1.5" alone is not a size. */
        if (unit == 1 && d.scale != 1)
                return -EINVAL;
        r = decimal_scale(&d, unit, &bytes);
        if (r < 0)
                return r;
        /* BYTES_MAX is reserved for "max". */
        if (bytes == BYTES_MAX)
                return -ERANGE;
        *ret_bytes = bytes;
        return 0;
}

/* "N%" or "N.N%" in [0, 100]. */
int units_parse_percent(const char *s, double *ret_percent)
{
        const char *b, *e, *p;
        struct decimal d;
        double value;
        int r;

        assert(s);
        assert(ret_percent);

        trim(s, &b, &e);
        p = b;
        r = parse_decimal(&p, e, &d);
        if (r < 0)
                return r;
        if (p + 1 != e || *p != '%')
                return -EINVAL;
        value = decimal_value(&d);
        if (value > 100.0)
                return -ERANGE;
        *ret_percent = value;
        return 0;
}

int units_parse_size(const char *s, struct size_spec *ret)
{
        const char *b, *e;
        int r;

        assert(s);
        assert(ret);

        trim(s, &b, &e);
        if (e > b && e[-1] == '%') {
                double percent;

                r = units_parse_percent(s, &percent);
                if (r < 0)
                        return r;
                /* "0%" of host memory is no limit anyone means. */
                if (percent <= 0.0)
                        return -ERANGE;
                *ret = (struct size_spec){.set = true, .is_percent = true, .percent = percent};
                return 0;
        }

        uint64_t bytes;
        r = units_parse_bytes(s, &bytes);
        if (r < 0)
                return r;
        *ret = (struct size_spec){.set = true, .bytes = bytes};
        return 0;
}

int units_parse_duration(const char *s, usec_t *ret_usec)
{
        static const struct {
                const char *suffix;
                usec_t usec;
        } suffixes[] = {
            {"", USEC_PER_SEC}, /* a bare number is seconds */
            {"us", 1},
            {"ms", USEC_PER_MSEC},
            {"s", USEC_PER_SEC},
            {"m", USEC_PER_MINUTE},
            {"min", USEC_PER_MINUTE},
            {"h", USEC_PER_HOUR},
            {"d", USEC_PER_DAY},
        };
        const char *b, *e, *p;
        struct decimal d;
        int r;

        assert(s);
        assert(ret_usec);

        trim(s, &b, &e);
        p = b;
        r = parse_decimal(&p, e, &d);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++) {
                size_t n = strlen(suffixes[i].suffix);
                usec_t usec;

                if ((size_t)(e - p) != n || strncmp(p, suffixes[i].suffix, n) != 0)
                        continue;
                r = decimal_scale(&d, suffixes[i].usec, &usec);
                if (r < 0)
                        return r;
                if (usec == USEC_INFINITY)
                        return -ERANGE;
                *ret_usec = usec;
                return 0;
        }
        return -EINVAL;
}

uint64_t units_size_resolve(const struct size_spec *spec, uint64_t mem_total_bytes)
{
        assert(spec);

        if (!spec->set)
                return BYTES_MAX;
        if (!spec->is_percent)
                return spec->bytes;
        /* 128-bit intermediate: mem_total * percent can exceed 2^64. The
         * percent is kept to 1e-9 so the product is exact enough for bytes. */
        unsigned __int128 scaled = (unsigned __int128)(spec->percent * 1e9 + 0.5);
        unsigned __int128 bytes = (unsigned __int128)mem_total_bytes * scaled / 100000000000ULL;
        if (bytes >= BYTES_MAX)
                return BYTES_MAX - 1;
        return (uint64_t)bytes;
}

const char *units_format_bytes_exact(uint64_t bytes, char *buf, size_t size)
{
        static const struct {
                char suffix;
                uint64_t unit;
        } units[] = {{'T', TIB}, {'G', GIB}, {'M', MIB}, {'K', KIB}};

        assert(buf);
        assert(size > 0);

        if (bytes == BYTES_MAX) {
                snprintf(buf, size, "max");
                return buf;
        }
        if (bytes != 0) {
                for (size_t i = 0; i < ELEMENTSOF(units); i++)
                        if (bytes % units[i].unit == 0) {
                                snprintf(buf, size, "%" PRIu64 "%c", bytes / units[i].unit,
                                         units[i].suffix);
                                return buf;
                        }
        }
        snprintf(buf, size, "%" PRIu64, bytes);
        return buf;
}

const char *units_format_bytes_human(uint64_t bytes, char *buf, size_t size)
{
        static const char suffixes[] = "KMGTPE";

        assert(buf);
        assert(size > 0);

        if (bytes == BYTES_MAX) {
                snprintf(buf, size, "max");
                return buf;
        }
        if (bytes < KIB) {
                snprintf(buf, size, "%" PRIu64, bytes);
                return buf;
        }

        double value = (double)bytes / (double)KIB;
        size_t i = 0;
        /* Move up while the one-decimal rendering would reach 1024.0. */
        while (value >= 1023.95 && i + 1 < sizeof(suffixes) - 1) {
                value /= 1024.0;
                i++;
        }
        int n = snprintf(buf, size, "%.1f%c", value, suffixes[i]);
        /* "512.0M" reads better as "512M". */
        if (n >= 3 && (size_t)n < size && buf[n - 3] == '.' && buf[n - 2] == '0') {
                buf[n - 3] = suffixes[i];
                buf[n - 2] = '\0';
        }
        return buf;
}

const char *units_format_duration(usec_t usec, char *buf, size_t size)
{
        static const struct {
                const char *suffix;
                usec_t usec;
        } units[] = {
            {"d", USEC_PER_DAY}, {"h", USEC_PER_HOUR},  {"m", USEC_PER_MINUTE},
            {"s", USEC_PER_SEC}, {"ms", USEC_PER_MSEC},
        };

        assert(buf);
        assert(size > 0);

        if (usec == USEC_INFINITY) {
                snprintf(buf, size, "infinity");
                return buf;
        }
        if (usec == 0) {
                snprintf(buf, size, "0");
                return buf;
        }
        for (size_t i = 0; i < ELEMENTSOF(units); i++)
                if (usec % units[i].usec == 0) {
                        snprintf(buf, size, "%" PRIu64 "%s", usec / units[i].usec, units[i].suffix);
                        return buf;
                }
        snprintf(buf, size, "%" PRIu64 "us", usec);
        return buf;
}

const char *units_format_percent(double percent, char *buf, size_t size)
{
        assert(buf);
        assert(size > 0);

        /* 15 significant digits print back every value parse_decimal made. */
        snprintf(buf, size, "%.15g%%", percent);
        return buf;
}

const char *units_format_size(const struct size_spec *spec, char *buf, size_t size)
{
        assert(spec);
        assert(buf);
        assert(size > 0);

        if (spec->set && spec->is_percent)
                return units_format_percent(spec->percent, buf, size);
        return units_format_bytes_exact(spec->set ? spec->bytes : BYTES_MAX, buf, size);
}
