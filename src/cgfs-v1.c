/* cgfs-v1 — the cgroup v1 memory controller of hybrid hosts, read only
 * (cgfs_read_v1_memory, include/cgfs.h). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>

#include "cgfs-path.h"
#include "cgfs-private.h"
#include "memparse.h"
#include "util.h"

/* The v1 memory controller reports "unlimited" as PAGE_COUNTER_MAX pages in
 * bytes (9223372036854771712 on x86-64); anything this large is no limit. */
#define CGFS_V1_UNLIMITED_BYTES (UINT64_C(1) << 62)

/* A one-value file (memory.usage_in_bytes, ...) of the cgroup open at dir_fd. */
static int read_value_at(int dir_fd, const char *name, uint64_t *ret_value)
{
        char buf[CGFS_SMALL_BUF_BYTES];
        ssize_t n = cgfs_read_at(dir_fd, name, buf, sizeof buf);

        return n < 0 ? (int)n : memparse_value(buf, (size_t)n, ret_value);
}

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
        dir_fd = cgfs_open_beneath(fs->v1_memory_fd, rel[0] ? rel : ".", O_RDONLY | O_DIRECTORY);
        if (dir_fd < 0)
                return dir_fd;

        r = read_value_at(dir_fd, "memory.usage_in_bytes", &usage);
        if (r < 0)
                return r;
        r = read_value_at(dir_fd, "memory.limit_in_bytes", &limit);
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
