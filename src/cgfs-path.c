/* cgfs-path — see cgfs-path.h */
#include "cgfs-path.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

bool cgfs_component_ok(const char *s, size_t len)
{
        if (len == 0 || len > NAME_MAX)
                return false;
        if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
                return false;
        return true;
}

/* A single file name: no '/', not "." or "..". */
bool cgfs_name_ok(const char *name)
{
        return !strchr(name, '/') && cgfs_component_ok(name, strlen(name));
}

/* A relative cgroup path: "" or components joined by single '/'. */
bool cgfs_rel_ok(const char *rel)
{
        size_t len = strlen(rel);
        const char *p = rel;

        if (len == 0)
                return true;
        if (len >= PATH_MAX)
                return false;
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t n = slash ? (size_t)(slash - p) : strlen(p);

                if (!cgfs_component_ok(p, n))
                        return false;
                if (!slash)
                        return true;
                p = slash + 1;
        }
}

int cgfs_join_path(const char *rel, const char *name, char *buf, size_t size)
{
        int n;

        if (!cgfs_rel_ok(rel) || !cgfs_name_ok(name))
                return -EINVAL;
        n = rel[0] ? snprintf(buf, size, "%s/%s", rel, name) : snprintf(buf, size, "%s", name);
        if (n < 0 || (size_t)n >= size)
                return -ENAMETOOLONG;
        return 0;
}

/* Open path beneath dirfd without following any symlink and without leaving
 * the filesystem. Falls back to openat(O_NOFOLLOW) on kernels before 5.6:
 * path was validated to hold no ".." and cgroupfs/procfs hold no symlinks, so
 * only a planted symlink in a directory component escapes that check. */
bool cgfs_openat2_missing; /* the kernel predates openat2 (5.6) */

int cgfs_open_beneath(int dirfd, const char *path, int flags)
{
        int fd;

        if (!cgfs_openat2_missing) {
                struct open_how how = {
                    .flags = (uint64_t)(flags | O_CLOEXEC | O_NOFOLLOW),
                    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV,
                };

                fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
                if (fd >= 0)
                        return fd;
                if (errno != ENOSYS)
                        return -errno;
                cgfs_openat2_missing = true;
        }
        fd = openat(dirfd, path, flags | O_CLOEXEC | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

ssize_t cgfs_read_at(int dirfd, const char *path, char *buf, size_t size)
{
        _cleanup_close_ int fd = -1;

        fd = cgfs_open_beneath(dirfd, path, O_RDONLY);
        if (fd < 0)
                return fd;
        return util_read_fd(fd, buf, size);
}

/* cgroupfs takes a value in a single write(); a short write is a failure. */
int cgfs_write_at(int dirfd, const char *path, const char *value, size_t len)
{
        _cleanup_close_ int fd = -1;
        ssize_t n;

        /* O_TRUNC: harmless on cgroupfs, and a regular fixture file must not
         * keep the tail of a longer old value. No O_CREAT: a missing file
         * means the cgroup is gone or lacks the controller. */
        fd = cgfs_open_beneath(dirfd, path, O_WRONLY | O_TRUNC);
        if (fd < 0)
                return fd;
        do
                n = write(fd, value, len);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return -errno;
        if ((size_t)n != len)
                return -EIO;
        return 0;
}
