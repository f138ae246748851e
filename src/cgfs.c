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

