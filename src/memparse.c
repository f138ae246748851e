/* memparse — see include/memparse.h */
#include "memparse.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "util.h"

/* /proc/meminfo figures are in KiB. */
#define MEMINFO_KB_BYTES 1024ULL

static bool key_equal(const char *key, size_t key_len, const char *want)
{
        return strlen(want) == key_len && memcmp(key, want, key_len) == 0;
}

/* One line [*p, eol) of a file; advances *p past the '\n'. 0 at the end of
 * the buffer, 1 with a line. */
static int next_line(const char **p, const char *end, const char **ret_line, size_t *ret_len)
{
        const char *eol;

        if (*p >= end)
                return 0;
        eol = memchr(*p, '\n', (size_t)(end - *p));
        *ret_line = *p;
        *ret_len = (size_t)((eol ? eol : end) - *p);
        *p = eol ? eol + 1 : end;
        return 1;
}

static bool is_flat_key_char(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || util_is_digit(c) || c == '_' ||
               c == '.';
}

/* "key value" (cgroup "flat keyed" files). */
static int parse_flat_line(const char *line, size_t len, const char **ret_key, size_t *ret_key_len,
                           uint64_t *ret_value)
{
        size_t i = 0, key_len;

        while (i < len && is_flat_key_char(line[i]))
                i++;
        key_len = i;
        if (key_len == 0 || i >= len || line[i] != ' ')
                return -EINVAL;
        while (i < len && line[i] == ' ')
                i++;
        if (util_parse_u64(line + i, len - i, ret_value) < 0)
                return -EINVAL;
        *ret_key = line;
        *ret_key_len = key_len;
        return 0;
}

struct flat_field {
        const char *key;
        uint64_t *value;
        bool seen;
};

/* Fill the known fields of a flat-keyed file; unknown keys are validated and
 * ignored, a known key twice is an error. */
static int parse_flat_fields(const char *buf, size_t len, struct flat_field *fields,
                             size_t n_fields)
{
        const char *p = buf, *end = buf + len, *line;
        size_t line_len;

        while (next_line(&p, end, &line, &line_len)) {
                const char *key;
                size_t key_len;
                uint64_t value;
                int r;

                r = parse_flat_line(line, line_len, &key, &key_len, &value);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n_fields; i++) {
                        if (!key_equal(key, key_len, fields[i].key))
                                continue;
                        if (fields[i].seen)
                                return -EINVAL;
                        fields[i].seen = true;
                        *fields[i].value = value;
                }
        }
        return 0;
}

static bool is_meminfo_key_char(char c)
{
        /* "Active(anon)", "HugePages_Total", "DirectMap4k" */
        return is_flat_key_char(c) || c == '(' || c == ')';
}

/* "Key:      1234 kB" or "Key:      1234"; value in bytes when kB given. */
static int parse_meminfo_line(const char *line, size_t len, const char **ret_key,
                              size_t *ret_key_len, uint64_t *ret_value)
{
        size_t i = 0, key_len, digits_start;
        uint64_t value;
        bool kb = false;

        while (i < len && is_meminfo_key_char(line[i]))
                i++;
        key_len = i;
        if (key_len == 0 || i >= len || line[i] != ':')
                return -EINVAL;
        i++;
        while (i < len && line[i] == ' ')
                i++;
        digits_start = i;
        while (i < len && util_is_digit(line[i]))
                i++;
        if (util_parse_u64(line + digits_start, i - digits_start, &value) < 0)
                return -EINVAL;
        if (i < len) {
                if (len - i != 3 || memcmp(line + i, " kB", 3) != 0)
                        return -EINVAL;
                kb = true;
        }
        if (kb) {
                if (value > UINT64_MAX / MEMINFO_KB_BYTES)
                        return -EINVAL;
                value *= MEMINFO_KB_BYTES;
        }
        *ret_key = line;
        *ret_key_len = key_len;
        *ret_value = value;
        return 0;
}

int memparse_meminfo(const char *buf, size_t len, struct meminfo *ret)
{
        struct meminfo info = {};
        struct flat_field fields[] = {
            {"MemTotal", &info.mem_total_bytes, false},
            {"MemAvailable", &info.mem_available_bytes, false},
            {"SwapTotal", &info.swap_total_bytes, false},
            {"SwapFree", &info.swap_free_bytes, false},
        };
        const char *p, *end, *line;
        size_t line_len;

        assert(buf || len == 0);
        assert(ret);

        p = buf;
        end = buf + len;
        while (next_line(&p, end, &line, &line_len)) {
                const char *key;
                size_t key_len;
                uint64_t value;
                int r;

                r = parse_meminfo_line(line, line_len, &key, &key_len, &value);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                        if (!key_equal(key, key_len, fields[i].key))
                                continue;
                        if (fields[i].seen)
                                return -EINVAL;
                        fields[i].seen = true;
                        *fields[i].value = value;
                }
        }
        if (!fields[0].seen || !fields[1].seen)
                return -EINVAL;
        /* Callers divide by MemTotal and subtract MemAvailable from it: refuse
         * figures that would make that meaningless rather than underflow. */
        if (info.mem_total_bytes == 0 || info.mem_available_bytes > info.mem_total_bytes ||
            info.swap_free_bytes > info.swap_total_bytes)
                return -EINVAL;
        *ret = info;
        return 0;
}

int memparse_value(const char *buf, size_t len, uint64_t *ret_value)
{
        uint64_t value;

        assert(buf || len == 0);
        assert(ret_value);

        if (len > 0 && buf[len - 1] == '\n')
                len--;
        if (len == 3 && memcmp(buf, "max", 3) == 0) {
                *ret_value = BYTES_MAX;
                return 0;
        }
        if (util_parse_u64(buf, len, &value) < 0)
                return -EINVAL;
        *ret_value = value;
        return 0;
}

int memparse_memory_events(const char *buf, size_t len, struct memory_events *ret)
{
        struct memory_events events = {};
        struct flat_field fields[] = {
            {"low", &events.low, false},
            {"high", &events.high, false},
            {"max", &events.max, false},
            {"oom", &events.oom, false},
            {"oom_kill", &events.oom_kill, false},
            {"oom_group_kill", &events.oom_group_kill, false},
        };
        int r;

        assert(buf || len == 0);
        assert(ret);

        r = parse_flat_fields(buf, len, fields, ELEMENTSOF(fields));
        if (r < 0)
                return r;
        *ret = events;
        return 0;
}

int memparse_flat_keyed(const char *buf, size_t len, const char *key, uint64_t *ret_value)
{
        uint64_t value = 0;
        struct flat_field field = {key, &value, false};
        int r;

        assert(buf || len == 0);
        assert(key);
        assert(ret_value);

        r = parse_flat_fields(buf, len, &field, 1);
        if (r < 0)
                return r;
        if (!field.seen)
                return -ENOENT;
        *ret_value = value;
        return 0;
}

int memparse_oom_control(const char *buf, size_t len, struct memory_oom_control *ret)
{
        uint64_t disable = 0, under = 0, kills = 0;
        struct flat_field fields[] = {
            {"oom_kill_disable", &disable, false},
            {"under_oom", &under, false},
            {"oom_kill", &kills, false},
        };
        int r;

        assert(buf || len == 0);
        assert(ret);

        r = parse_flat_fields(buf, len, fields, ELEMENTSOF(fields));
        if (r < 0)
                return r;
        if (!fields[0].seen || !fields[1].seen || disable > 1 || under > 1)
                return -EINVAL;
        *ret = (struct memory_oom_control){
            .oom_kill_disable = disable == 1,
            .under_oom = under == 1,
            .oom_kill = kills,
        };
        return 0;
}
