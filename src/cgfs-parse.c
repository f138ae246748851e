/* cgfs-parse — see cgfs-parse.h */
#include "cgfs-parse.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs-path.h"
#include "util.h"

/* Is word one of the comma-separated items of list[0..len)? */
static bool list_has(const char *list, size_t len, const char *word, char sep)
{
        size_t wlen = strlen(word);
        const char *p = list, *end = list + len;

        while (p < end) {
                const char *q = memchr(p, sep, (size_t)(end - p));
                size_t n = (size_t)((q ? q : end) - p);

                if (n == wlen && memcmp(p, word, wlen) == 0)
                        return true;
                p = q ? q + 1 : end;
        }
        return false;
}

/* Bytes a cgroup path may hold: not NUL, not control characters (a name
 * with a newline would forge the next line). */
static bool path_byte_ok(unsigned char c)
{
        return c >= 0x20 && c != 0x7f;
}

/* The path of the line for controller (v1), or of the "0::" line (v2) when
 * controller is NULL. */
static int parse_proc_cgroup(const char *buf, size_t len, const char *controller, char **ret_path)
{
        static const char deleted[] = " (deleted)";
        const char *p = buf, *end = buf + len, *found = NULL;
        size_t found_len = 0;
        char *path;

        assert(buf || len == 0);
        assert(ret_path);

        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                const char *line_end = eol ? eol : end;
                const char *c = p, *controllers;
                size_t controllers_len;
                bool match;

                /* hierarchy-ID:controller-list:cgroup-path */
                while (c < line_end && util_is_digit(*c))
                        c++;
                if (c == p || c - p > 10 || c >= line_end || *c != ':')
                        return -EINVAL;
                controllers = ++c;
                while (c < line_end && *c != ':') {
                        if (!path_byte_ok((unsigned char)*c))
                                return -EINVAL;
                        c++;
                }
                if (c >= line_end)
                        return -EINVAL;
                controllers_len = (size_t)(c - controllers);
                c++;
                if (c >= line_end || *c != '/')
                        return -EINVAL;
                for (const char *q = c; q < line_end; q++)
                        if (!path_byte_ok((unsigned char)*q))
                                return -EINVAL;

                if (controller)
                        match = !(controllers - p == 2 && p[0] == '0') &&
                                list_has(controllers, controllers_len, controller, ',');
                else
                        match = controllers - p == 2 && p[0] == '0' && controllers_len == 0;
                if (match) {
                        if (found)
                                return -EINVAL;
                        found = c + 1; /* without the leading '/' */
                        found_len = (size_t)(line_end - found);
                }
                p = eol ? eol + 1 : end;
        }
        if (!found)
                return -ENOENT;
        /* The kernel marks a cgroup2 cgroup removed while a task still names it. */
        if (found_len >= sizeof deleted - 1 &&
            memcmp(found + found_len - (sizeof deleted - 1), deleted, sizeof deleted - 1) == 0)
                return -ENOENT;
        if (found_len > 0 && found[found_len - 1] == '/')
                found_len--; /* never printed by the kernel, but harmless */
        if (found_len >= PATH_MAX)
                return -EINVAL;
        path = strndup(found, found_len);
        if (!path)
                return -ENOMEM;
        /* Outside our cgroup namespace the path climbs ("/../.."): such a
         * cgroup is not addressable beneath our root. */
        if (!cgfs_rel_ok(path)) {
                free(path);
                return -EINVAL;
        }
        *ret_path = path;
        return 0;
}

int cgfs_parse_proc_cgroup(const char *buf, size_t len, char **ret_path)
{
        return parse_proc_cgroup(buf, len, NULL, ret_path);
}

int cgfs_parse_proc_cgroup_v1(const char *buf, size_t len, const char *controller, char **ret_path)
{
        assert(controller);

        if (!controller[0] || strchr(controller, ',') || strchr(controller, ':'))
                return -EINVAL;
        return parse_proc_cgroup(buf, len, controller, ret_path);
}

int cgfs_parse_pids(const char *buf, size_t len, int **ret_pids, size_t *ret_n)
{
        _cleanup_free_ int *pids = NULL;
        size_t n = 0, allocated = 0;

        assert(ret_pids);
        assert(ret_n);
        for (size_t i = 0; i < len;) {
                long long v = 0;
                size_t start = i;

                while (i < len && buf[i] >= '0' && buf[i] <= '9' && i - start < 10)
                        v = v * 10 + (buf[i++] - '0');
                if (i == start || i >= len || buf[i] != '\n' || v <= 0 || v > INT32_MAX)
                        return -EINVAL;
                i++;
                if (n == allocated) {
                        size_t na = allocated ? allocated * 2 : 16;
                        int *np = realloc(pids, na * sizeof *np);
                        if (!np)
                                return -ENOMEM;
                        pids = np;
                        allocated = na;
                }
                pids[n++] = (int)v;
        }
        *ret_pids = TAKE_PTR(pids);
        *ret_n = n;
        return 0;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static int unescape_octal(const char *s, size_t len, char *buf, size_t size)
{
        size_t o = 0;

        for (size_t i = 0; i < len; i++) {
                char c = s[i];

                if (c == '\\') {
                        if (len - i < 4 || s[i + 1] < '0' || s[i + 1] > '3' || s[i + 2] < '0' ||
                            s[i + 2] > '7' || s[i + 3] < '0' || s[i + 3] > '7')
                                return -EINVAL;
                        c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
                        i += 3;
                }
                if (c == '\0' || o + 1 >= size)
                        return -EINVAL;
                buf[o++] = c;
        }
        buf[o] = '\0';
        return 0;
}

/* Is word one of the whitespace-separated items of cgroup.controllers? */
bool cgfs_controllers_have(const char *list, size_t len, const char *word)
{
        size_t wlen = strlen(word);
        size_t i = 0;

        while (i < len) {
                size_t start;

                while (i < len && (list[i] == ' ' || list[i] == '\n'))
                        i++;
                start = i;
                while (i < len && list[i] != ' ' && list[i] != '\n')
                        i++;
                if (i - start == wlen && memcmp(list + start, word, wlen) == 0)
                        return true;
        }
        return false;
}

void cgfs_layout_decide(struct cgfs_layout_info *info)
{
        bool has_v2 = info->v2_root[0], has_v1_memory = info->v1_memory[0];

        if (has_v2 && (info->v2_memory || !has_v1_memory))
                info->layout = CGFS_LAYOUT_V2;
        else if (has_v2)
                info->layout = CGFS_LAYOUT_HYBRID;
        else if (has_v1_memory)
                info->layout = CGFS_LAYOUT_V1;
        else
                info->layout = CGFS_LAYOUT_UNKNOWN;
}

/* Split a line into space-separated fields; returns how many (at most max). */
static size_t split_fields(const char *line, size_t len, const char **starts, size_t *lens,
                           size_t max)
{
        size_t n = 0, i = 0;

        while (i < len && n < max) {
                size_t start;

                while (i < len && line[i] == ' ')
                        i++;
                if (i >= len)
                        break;
                start = i;
                while (i < len && line[i] != ' ')
                        i++;
                starts[n] = line + start;
                lens[n] = i - start;
                n++;
        }
        return n;
}

int cgfs_parse_mountinfo(const char *buf, size_t len, const char *v2_controllers,
                         size_t v2_controllers_len, struct cgfs_layout_info *ret)
{
        /* 6 fixed fields, optional tags, "-", fstype, source, super options */
#define MOUNTINFO_FIELDS_MAX 64
        _cleanup_free_ struct cgfs_layout_info *info = NULL;
        const char *p = buf, *end = buf + len;

        assert(buf || len == 0);
        assert(v2_controllers || v2_controllers_len == 0);
        assert(ret);

        info = calloc(1, sizeof *info);
        if (!info)
                return -ENOMEM;
        while (p < end) {
                const char *eol = memchr(p, '\n', (size_t)(end - p));
                const char *line_end = eol ? eol : end;
                const char *f[MOUNTINFO_FIELDS_MAX];
                size_t fl[MOUNTINFO_FIELDS_MAX], n, sep;

                if (memchr(p, '\0', (size_t)(line_end - p)))
                        return -EINVAL;
                n = split_fields(p, (size_t)(line_end - p), f, fl, MOUNTINFO_FIELDS_MAX);
                p = eol ? eol + 1 : end;
                if (n == 0)
                        continue;
                for (sep = 6; sep < n; sep++)
                        if (fl[sep] == 1 && f[sep][0] == '-')
                                break;
                if (sep + 3 >= n) /* also: no "-" separator, or fewer than 6 fields */
                        return -EINVAL;

                if (fl[sep + 1] == 7 && memcmp(f[sep + 1], "cgroup2", 7) == 0) {
                        if (info->v2_root[0])
                                continue;
                        if (unescape_octal(f[4], fl[4], info->v2_root, sizeof info->v2_root) < 0)
                                return -EINVAL;
                } else if (fl[sep + 1] == 6 && memcmp(f[sep + 1], "cgroup", 6) == 0) {
                        if (info->v1_memory[0] || !list_has(f[sep + 3], fl[sep + 3], "memory", ','))
                                continue;
                        if (unescape_octal(f[4], fl[4], info->v1_memory, sizeof info->v1_memory) <
                            0)
                                return -EINVAL;
                }
        }
        if (!info->v2_root[0] && !info->v1_memory[0])
                return -ENOENT;
        info->v2_memory =
            info->v2_root[0] && cgfs_controllers_have(v2_controllers, v2_controllers_len, "memory");
        cgfs_layout_decide(info);
        *ret = *info;
        return 0;
#undef MOUNTINFO_FIELDS_MAX
}
