/* cgfs-layout — layout detection (cgfs_detect, cgfs_layout_name; see
 * include/cgfs.h): libcgroup for the controllers' mounts, completed by
 * /proc/self/mountinfo for a cgroup2 mount with no controller. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <libcgroup.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "cgfs-parse.h"
#include "cgfs-path.h"
#include "cgfs-private.h"
#include "util.h"

/* mountinfo is one line per mount; hosts with thousands of container mounts
 * exist, so it is read in growing chunks up to this bound. */
#define CGFS_MOUNTINFO_MAX_BYTES (16 * 1024 * 1024)

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
                cgfs_layout_decide(info);
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
                            cgfs_controllers_have(controllers, (size_t)controllers_len, "memory");
        }
        cgfs_layout_decide(info);
        *ret = *info;
        return 0;
}
