/* cgfs-v2 — the files of a cgroup v2 cgroup (include/cgfs.h): values,
 * PSI, memory.events and any file read through the kept-open files; values
 * and strings written; pressure files opened for triggers; cgroup.procs. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs-kept.h"
#include "cgfs-path.h"
#include "cgfs-private.h"
#include "memparse.h"
#include "psi.h"
#include "util.h"

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

/* The readers below parse straight into the caller's result: the parsers
 * (psi.h, memparse.h) write it only on success, as ret_* parameters are. */

int cgfs_read_value(struct cgfs *fs, const char *rel, const char *name, uint64_t *ret_value)
{
        char buf[CGFS_VALUE_BUF_BYTES];
        ssize_t n;

        assert(ret_value);

        n = cgfs_read(fs, rel, name, buf, sizeof buf);
        return n < 0 ? (int)n : memparse_value(buf, (size_t)n, ret_value);
}

int cgfs_read_psi(struct cgfs *fs, const char *rel, const char *name, struct psi_stats *ret)
{
        char buf[CGFS_SMALL_BUF_BYTES];
        ssize_t n;

        assert(ret);

        n = cgfs_read(fs, rel, name, buf, sizeof buf);
        return n < 0 ? (int)n : psi_parse(buf, (size_t)n, ret);
}

int cgfs_read_events(struct cgfs *fs, const char *rel, struct memory_events *ret)
{
        char buf[CGFS_SMALL_BUF_BYTES];
        ssize_t n;

        assert(ret);

        n = cgfs_read(fs, rel, "memory.events", buf, sizeof buf);
        return n < 0 ? (int)n : memparse_memory_events(buf, (size_t)n, ret);
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
