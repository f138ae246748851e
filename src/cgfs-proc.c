/* cgfs-proc — procfs (include/cgfs.h): the host's meminfo and PSI (read
 * through the kept-open files on every tick), host pressure files for
 * triggers, /proc/PID/cgroup, and a process's oom_score_adj. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs-kept.h"
#include "cgfs-path.h"
#include "cgfs-private.h"
#include "memparse.h"
#include "psi.h"
#include "util.h"

/* The readers below parse straight into the caller's result: the parsers
 * (psi.h, memparse.h) write it only on success, as ret_* parameters are. */

int cgfs_read_meminfo(struct cgfs *fs, struct meminfo *ret)
{
        ssize_t n;

        assert(fs);
        assert(ret);

        /* read on every tick: one buffer for the life of fs, not a
         * malloc() and free() per second */
        if (!fs->meminfo_buf && !(fs->meminfo_buf = malloc(CGFS_PROC_BUF_BYTES)))
                return -ENOMEM;
        n = cgfs_read_kept(fs, KEPT_ROOT_PROC, "meminfo", fs->meminfo_buf, CGFS_PROC_BUF_BYTES);
        return n < 0 ? (int)n : memparse_meminfo(fs->meminfo_buf, (size_t)n, ret);
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
        ssize_t n;

        assert(fs);
        assert(resource);
        assert(ret);

        path = host_pressure_path(resource);
        if (!path)
                return -EINVAL;
        n = cgfs_read_kept(fs, KEPT_ROOT_PROC, path, buf, sizeof buf);
        return n < 0 ? (int)n : psi_parse(buf, (size_t)n, ret);
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
