/* cgfs — cgfs_open() and cgfs_free() (include/cgfs.h): the roots opened
 * once, and the state every other part of cgfs keeps in struct cgfs
 * (src/cgfs-private.h lists the parts). */
#include "cgfs-private.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "cgfs-kept.h"
#include "cgfs-watch.h"
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
