/* cgfs — see include/cgfs.h */
#include "cgfs-private.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libcgroup.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgfs-kept.h"
#include "cgfs-path.h"
#include "cgfs-watch.h"
#include "memparse.h"
#include "psi.h"
#include "util.h"

const char *cgfs_layout_name(enum cgfs_layout l)
{
        switch (l) {
        case CGFS_LAYOUT_V2:
                return "v2";
        case CGFS_LAYOUT_HYBRID:
                return "hybrid";
        case CGFS_LAYOUT_V1:
                return "v1";
        case CGFS_LAYOUT_UNKNOWN:
        default:
                return "unknown";
        }
}

/* --- open / free -------------------------------------------------------- */

static bool fs_magic_is(int fd, long magic)
{
        struct statfs sfs;

        return fstatfs(fd, &sfs) == 0 && sfs.f_type == magic;
}

static int open_root(const char *path, int *ret_fd)
{
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        *ret_fd = fd;
        return 0;
}

int cgfs_open(const char *cgroup_root, const char *v1_memory_root, const char *proc_root,
              struct cgfs **ret)
{
        _cleanup_close_ int cgroup_fd = -1, v1_fd = -1, proc_fd = -1;
        struct cgfs *fs;
        struct stat st;
        int r;

        assert(cgroup_root);
        assert(proc_root);
        assert(ret);

        r = open_root(cgroup_root, &cgroup_fd);
        if (r < 0)
                return r;
        if (fstat(cgroup_fd, &st) < 0)
                return -errno;
        if (v1_memory_root) {
                r = open_root(v1_memory_root, &v1_fd);
                if (r < 0)
                        return r;
        }
        r = open_root(proc_root, &proc_fd);
        if (r < 0)
                return r;

        fs = malloc(sizeof *fs);
        if (!fs)
                return -ENOMEM;
        *fs = (struct cgfs){
            .cgroup_fd = TAKE_FD(cgroup_fd),
            .cgroup_dev = st.st_dev,
            .v1_memory_fd = TAKE_FD(v1_fd),
            .proc_fd = TAKE_FD(proc_fd),
            .kept_max = cgfs_kept_budget(),
            .inotify_fd = -1,
        };
        /* Without inotify (limits reached, old kernel) groups are simply
         * read on every sample, as before watches existed. */
        fs->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        fs->cgroup_generated = fs_magic_is(fs->cgroup_fd, CGROUP2_SUPER_MAGIC) ||
                               fs_magic_is(fs->cgroup_fd, CGROUP_SUPER_MAGIC);
        fs->proc_generated = fs_magic_is(fs->proc_fd, PROC_SUPER_MAGIC);
        *ret = fs;
        return 0;
}

struct cgfs *cgfs_free(struct cgfs *fs)
{
        if (!fs)
                return NULL;
        cgfs_kept_free(fs);
        free(fs->meminfo_buf);
        cgfs_walk_cache_clear(fs);
        util_closep(&fs->cgroup_fd);
        util_closep(&fs->v1_memory_fd);
        util_closep(&fs->proc_fd);
        cgfs_watch_free(fs);
        free(fs);
        return NULL;
}

/* --- cgroup files ------------------------------------------------------- */

ssize_t cgfs_read(struct cgfs *fs, const char *rel, const char *name, char *buf, size_t size)
{
        char path[PATH_MAX];
        int r;

        assert(fs);
        assert(rel);
        assert(name);
        assert(buf);

        r = cgfs_join_path(rel, name, path, sizeof path);
        if (r < 0)
                return r;
        return cgfs_read_kept(fs, KEPT_ROOT_CGROUP, path, buf, size);
}

int cgfs_read_value(struct cgfs *fs, const char *rel, const char *name, uint64_t *ret_value)
{
        char buf[CGFS_VALUE_BUF_BYTES];
        uint64_t value;
        ssize_t n;
        int r;

        assert(ret_value);

        n = cgfs_read(fs, rel, name, buf, sizeof buf);
        if (n < 0)
                return (int)n;
        r = memparse_value(buf, (size_t)n, &value);
        if (r < 0)
                return r;
        *ret_value = value;
        return 0;
}

int cgfs_read_psi(struct cgfs *fs, const char *rel, const char *name, struct psi_stats *ret)
{
        char buf[CGFS_SMALL_BUF_BYTES];
        struct psi_stats stats;
        ssize_t n;
        int r;

        assert(ret);

        n = cgfs_read(fs, rel, name, buf, sizeof buf);
        if (n < 0)
                return (int)n;
        r = psi_parse(buf, (size_t)n, &stats);
        if (r < 0)
                return r;
        *ret = stats;
        return 0;
}

int cgfs_read_events(struct cgfs *fs, const char *rel, struct memory_events *ret)
{
        char buf[CGFS_SMALL_BUF_BYTES];
        struct memory_events events;
        ssize_t n;
        int r;

        assert(ret);

        n = cgfs_read(fs, rel, "memory.events", buf, sizeof buf);
        if (n < 0)
                return (int)n;
        r = memparse_memory_events(buf, (size_t)n, &events);
        if (r < 0)
                return r;
        *ret = events;
        return 0;
}

int cgfs_write_string(struct cgfs *fs, const char *rel, const char *name, const char *value)
{
        char path[PATH_MAX];
        int r;

        assert(fs);
        assert(rel);
        assert(name);
        assert(value);

        if (value[0] == '\0')
                return -EINVAL;
        r = cgfs_join_path(rel, name, path, sizeof path);
        if (r < 0)
                return r;
        return cgfs_write_at(fs->cgroup_fd, path, value, strlen(value));
}

int cgfs_write_value(struct cgfs *fs, const char *rel, const char *name, uint64_t value)
{
        char buf[CGFS_VALUE_BUF_BYTES];

        if (value == BYTES_MAX)
                snprintf(buf, sizeof buf, "max\n");
        else
                snprintf(buf, sizeof buf, "%" PRIu64 "\n", value);
        return cgfs_write_string(fs, rel, name, buf);
}

int cgfs_open_pressure(struct cgfs *fs, const char *rel, const char *name)
{
        char path[PATH_MAX];
        int r;

        assert(fs);
        assert(rel);
        assert(name);

        r = cgfs_join_path(rel, name, path, sizeof path);
        if (r < 0)
                return r;
        return cgfs_open_beneath(fs->cgroup_fd, path, O_RDWR | O_NONBLOCK);
}

/* --- cgroup v1 memory --------------------------------------------------- */

int cgfs_read_v1_memory(struct cgfs *fs, const char *rel, struct cgfs_v1_memory *ret)
{
        _cleanup_close_ int dir_fd = -1;
        struct memory_oom_control oom;
        char buf[CGFS_SMALL_BUF_BYTES];
        uint64_t usage, limit;
        ssize_t n;
        int r;

        assert(fs);
        assert(rel);
        assert(ret);

        if (fs->v1_memory_fd < 0)
                return -EOPNOTSUPP;
        if (!cgfs_rel_ok(rel))
                return -EINVAL;
        /* Read all three files through one directory fd so they describe the
         * same cgroup even if a new one of that name appears meanwhile. */
        dir_fd = rel[0] ? cgfs_open_beneath(fs->v1_memory_fd, rel, O_RDONLY | O_DIRECTORY)
                        : cgfs_open_beneath(fs->v1_memory_fd, ".", O_RDONLY | O_DIRECTORY);
        if (dir_fd < 0)
                return dir_fd;

        n = cgfs_read_at(dir_fd, "memory.usage_in_bytes", buf, sizeof buf);
        if (n < 0)
                return (int)n;
        r = memparse_value(buf, (size_t)n, &usage);
        if (r < 0)
                return r;

        n = cgfs_read_at(dir_fd, "memory.limit_in_bytes", buf, sizeof buf);
        if (n < 0)
                return (int)n;
        r = memparse_value(buf, (size_t)n, &limit);
        if (r < 0)
                return r;
        if (limit >= CGFS_V1_UNLIMITED_BYTES)
                limit = BYTES_MAX;

        n = cgfs_read_at(dir_fd, "memory.oom_control", buf, sizeof buf);
        if (n < 0)
                return (int)n;
        r = memparse_oom_control(buf, (size_t)n, &oom);
        if (r < 0)
                return r;

        *ret = (struct cgfs_v1_memory){
            .usage_bytes = usage,
            .limit_bytes = limit,
            .oom_kill = oom.oom_kill,
            .under_oom = oom.under_oom,
        };
        return 0;
}

/* --- procfs ------------------------------------------------------------- */

int cgfs_read_meminfo(struct cgfs *fs, struct meminfo *ret)
{
        struct meminfo info;
        ssize_t n;
        int r;

        assert(fs);
        assert(ret);

        /* read on every tick: one buffer for the life of fs, not a
         * malloc() and free() per second */
        if (!fs->meminfo_buf && !(fs->meminfo_buf = malloc(CGFS_PROC_BUF_BYTES)))
                return -ENOMEM;
        n = cgfs_read_kept(fs, KEPT_ROOT_PROC, "meminfo", fs->meminfo_buf, CGFS_PROC_BUF_BYTES);
        if (n < 0)
                return (int)n;
        r = memparse_meminfo(fs->meminfo_buf, (size_t)n, &info);
        if (r < 0)
                return r;
        *ret = info;
        return 0;
}

/* The host's PSI files (/proc/pressure/RESOURCE): a fixed table, so the
 * once-a-tick read builds no path. NULL for anything else. */
static const char *host_pressure_path(const char *resource)
{
        static const char *const paths[][2] = {
            {"memory", "pressure/memory"},
            {"io", "pressure/io"},
            {"cpu", "pressure/cpu"},
            {"irq", "pressure/irq"},
        };

        for (size_t i = 0; i < ELEMENTSOF(paths); i++)
                if (strcmp(resource, paths[i][0]) == 0)
                        return paths[i][1];
        return NULL;
}

int cgfs_read_host_psi(struct cgfs *fs, const char *resource, struct psi_stats *ret)
{
        char buf[CGFS_SMALL_BUF_BYTES];
        const char *path;
        struct psi_stats stats;
        ssize_t n;
        int r;

        assert(fs);
        assert(resource);
        assert(ret);

        path = host_pressure_path(resource);
        if (!path)
                return -EINVAL;
        n = cgfs_read_kept(fs, KEPT_ROOT_PROC, path, buf, sizeof buf);
        if (n < 0)
                return (int)n;
        r = psi_parse(buf, (size_t)n, &stats);
        if (r < 0)
                return r;
        *ret = stats;
        return 0;
}

int cgfs_open_host_pressure(struct cgfs *fs, const char *resource)
{
        const char *path;

        assert(fs);
        assert(resource);

        path = host_pressure_path(resource);
        if (!path)
                return -EINVAL;
        return cgfs_open_beneath(fs->proc_fd, path, O_RDWR | O_NONBLOCK);
}

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

static int read_proc_cgroup(struct cgfs *fs, int pid, const char *controller, char **ret_path)
{
        _cleanup_free_ char *buf = NULL;
        char path[32];
        ssize_t n;

        assert(fs);
        assert(ret_path);

        if (pid <= 0)
                return -EINVAL;
        snprintf(path, sizeof path, "%d/cgroup", pid);
        buf = malloc(CGFS_PROC_BUF_BYTES);
        if (!buf)
                return -ENOMEM;
        n = cgfs_read_at(fs->proc_fd, path, buf, CGFS_PROC_BUF_BYTES);
        if (n < 0)
                return (int)n;
        if (controller)
                return cgfs_parse_proc_cgroup_v1(buf, (size_t)n, controller, ret_path);
        return cgfs_parse_proc_cgroup(buf, (size_t)n, ret_path);
}

int cgfs_pid_cgroup_v1(struct cgfs *fs, int pid, const char *controller, char **ret_path)
{
        assert(controller);
        return read_proc_cgroup(fs, pid, controller, ret_path);
}

int cgfs_pid_cgroup(struct cgfs *fs, int pid, char **ret_path)
{
        return read_proc_cgroup(fs, pid, NULL, ret_path);
}

/* --- processes of a cgroup (oomguard) ------------------------------------ */

/* cgroup.procs is ~8 bytes a process: read it in growing chunks up to this */
#define CGFS_PROCS_MAX_BYTES (8 * 1024 * 1024)

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

int cgfs_read_pids(struct cgfs *fs, const char *rel, int **ret_pids, size_t *ret_n)
{
        char path[PATH_MAX];
        size_t size = CGFS_PROC_BUF_BYTES;
        int r;

        assert(fs);
        r = cgfs_join_path(rel, "cgroup.procs", path, sizeof path);
        if (r < 0)
                return r;
        for (;;) {
                _cleanup_free_ char *buf = malloc(size);
                ssize_t n;

                if (!buf)
                        return -ENOMEM;
                n = cgfs_read_at(fs->cgroup_fd, path, buf, size);
                if (n == -EFBIG && size < CGFS_PROCS_MAX_BYTES) {
                        size *= 4;
                        continue;
                }
                if (n < 0)
                        return (int)n;
                return cgfs_parse_pids(buf, (size_t)n, ret_pids, ret_n);
        }
}

int cgfs_pid_read_int(struct cgfs *fs, int pid, const char *name, int *ret_value)
{
        char path[64], buf[CGFS_VALUE_BUF_BYTES], *end;
        ssize_t n;
        long v;

        assert(fs);
        assert(ret_value);
        if (pid <= 0 || !cgfs_name_ok(name))
                return -EINVAL;
        snprintf(path, sizeof path, "%d/%s", pid, name);
        n = cgfs_read_at(fs->proc_fd, path, buf, sizeof buf);
        if (n < 0)
                return (int)n == -ENOENT ? -ESRCH : (int)n;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno || end == buf || (*end != '\n' && *end != '\0') || v < INT32_MIN || v > INT32_MAX)
                return -EINVAL;
        *ret_value = (int)v;
        return 0;
}

int cgfs_pid_write_int(struct cgfs *fs, int pid, const char *name, int value)
{
        char path[64], buf[32];
        int r;

        assert(fs);
        if (pid <= 0 || !cgfs_name_ok(name))
                return -EINVAL;
        snprintf(path, sizeof path, "%d/%s", pid, name);
        snprintf(buf, sizeof buf, "%d\n", value);
        r = cgfs_write_at(fs->proc_fd, path, buf, strlen(buf));
        return r == -ENOENT ? -ESRCH : r;
}

/* --- layout detection --------------------------------------------------- */

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
static bool controllers_have(const char *list, size_t len, const char *word)
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

static void layout_decide(struct cgfs_layout_info *info)
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
            info->v2_root[0] && controllers_have(v2_controllers, v2_controllers_len, "memory");
        layout_decide(info);
        *ret = *info;
        return 0;
#undef MOUNTINFO_FIELDS_MAX
}

static int read_file_growing(const char *path, size_t max, char **ret_buf, size_t *ret_len)
{
        _cleanup_close_ int fd = -1;
        size_t size = 16 * 1024;

        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        for (;;) {
                char *buf = malloc(size);
                ssize_t n;

                if (!buf)
                        return -ENOMEM;
                if (lseek(fd, 0, SEEK_SET) < 0) {
                        free(buf);
                        return -errno;
                }
                n = util_read_fd(fd, buf, size);
                if (n >= 0) {
                        *ret_buf = buf;
                        *ret_len = (size_t)n;
                        return 0;
                }
                free(buf);
                if (n != -EFBIG || size >= max)
                        return (int)n;
                size *= 4;
        }
}

static bool is_cgroup2(const char *path)
{
        struct statfs sfs;

        return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC;
}

static bool is_cgroup1(const char *path)
{
        struct statfs sfs;

        return statfs(path, &sfs) == 0 && sfs.f_type == CGROUP_SUPER_MAGIC;
}

/* Ask libcgroup where each controller is mounted. Fills v1_memory, v2_root
 * (any cgroup2 mount it names) and v2_memory. 0, or a libcgroup error > 0. */
static int detect_libcgroup(struct cgfs_layout_info *info)
{
        struct cgroup_mount_point mp;
        void *handle = NULL;
        int r;

        r = cgroup_init();
        if (r != 0)
                return r;
        r = cgroup_get_controller_begin(&handle, &mp);
        while (r == 0) {
                /* statfs, not libcgroup's version query: it is not in the
                 * 2.0 headers, and the superblock type is the ground truth. */
                if (is_cgroup2(mp.path)) {
                        if (!info->v2_root[0])
                                util_strlcpy(info->v2_root, mp.path, sizeof info->v2_root);
                        if (strcmp(mp.name, "memory") == 0)
                                info->v2_memory = true;
                } else if (strcmp(mp.name, "memory") == 0 && is_cgroup1(mp.path) &&
                           !info->v1_memory[0])
                        util_strlcpy(info->v1_memory, mp.path, sizeof info->v1_memory);
                r = cgroup_get_controller_next(&handle, &mp);
        }
        cgroup_get_controller_end(&handle);
        return 0;
}

int cgfs_detect(struct cgfs_layout_info *ret)
{
        _cleanup_free_ struct cgfs_layout_info *info = NULL, *from_mounts = NULL;
        _cleanup_free_ char *mountinfo = NULL;
        char controllers[CGFS_SMALL_BUF_BYTES];
        size_t mountinfo_len = 0;
        ssize_t controllers_len = 0;
        bool libcgroup_ok;
        int r;

        assert(ret);

        info = calloc(1, sizeof *info);
        from_mounts = calloc(1, sizeof *from_mounts);
        if (!info || !from_mounts)
                return -ENOMEM;

        libcgroup_ok = detect_libcgroup(info) == 0;
        if (libcgroup_ok && info->v2_root[0] && (info->v2_memory || info->v1_memory[0])) {
                layout_decide(info);
                *ret = *info;
                return 0;
        }

        /* libcgroup lists mounts by controller, so a cgroup2 hierarchy with
         * no controller enabled (hybrid hosts with everything on v1) is
         * invisible to it; mountinfo names every mount. Also the whole
         * answer when libcgroup cannot initialise. */
        r = read_file_growing("/proc/self/mountinfo", CGFS_MOUNTINFO_MAX_BYTES, &mountinfo,
                              &mountinfo_len);
        if (r < 0)
                return r;
        r = cgfs_parse_mountinfo(mountinfo, mountinfo_len, NULL, 0, from_mounts);
        if (r < 0 && r != -ENOENT)
                return r;
        if (r == 0) {
                if (!info->v2_root[0])
                        util_strlcpy(info->v2_root, from_mounts->v2_root, sizeof info->v2_root);
                if (!libcgroup_ok && !info->v1_memory[0])
                        util_strlcpy(info->v1_memory, from_mounts->v1_memory,
                                     sizeof info->v1_memory);
        }
        if (!info->v2_root[0] && !info->v1_memory[0])
                return -ENOENT;
        if (info->v2_root[0] && !info->v2_memory) {
                _cleanup_close_ int fd = open(info->v2_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

                if (fd >= 0)
                        controllers_len =
                            cgfs_read_at(fd, "cgroup.controllers", controllers, sizeof controllers);
                if (controllers_len > 0)
                        info->v2_memory =
                            controllers_have(controllers, (size_t)controllers_len, "memory");
        }
        layout_decide(info);
        *ret = *info;
        return 0;
}
