/* util — see include/util.h */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

static usec_t clock_usec(clockid_t id)
{
        struct timespec ts;

        if (clock_gettime(id, &ts) < 0)
                abort(); /* cannot fail with a valid clock id */
        return (usec_t)ts.tv_sec * USEC_PER_SEC + (usec_t)ts.tv_nsec / 1000;
}

usec_t util_now_usec(void)
{
        return clock_usec(CLOCK_MONOTONIC);
}

usec_t util_realtime_usec(void)
{
        return clock_usec(CLOCK_REALTIME);
}

/* UINT64_MAX has 20 decimal digits */
#define UTIL_U64_DIGITS_MAX 20

int util_parse_u64(const char *s, size_t len, uint64_t *ret)
{
        uint64_t v = 0;

        if (len == 0)
                return -EINVAL;
        for (size_t i = 0; i < len; i++)
                if (!util_is_digit(s[i]))
                        return -EINVAL;
        if (len > UTIL_U64_DIGITS_MAX)
                return -ERANGE; /* even with leading zeros: input stays bounded */
        for (size_t i = 0; i < len; i++)
                if (__builtin_mul_overflow(v, 10, &v) ||
                    __builtin_add_overflow(v, (uint64_t)(s[i] - '0'), &v))
                        return -ERANGE;
        *ret = v;
        return 0;
}

size_t util_strlcpy(char *dst, const char *src, size_t size)
{
        size_t len = strlen(src);

        if (size > 0) {
                size_t n = len < size - 1 ? len : size - 1;
                memcpy(dst, src, n);
                dst[n] = '\0';
        }
        return len;
}

ssize_t util_read_fd(int fd, char *buf, size_t size)
{
        size_t used = 0;

        if (size == 0)
                return -EINVAL;
        for (;;) {
                ssize_t n;

                if (used == size - 1) {
                        char probe;
                        n = read(fd, &probe, 1);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                return -errno;
                        if (n > 0)
                                return -EFBIG;
                        break;
                }
                n = read(fd, buf + used, size - 1 - used);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        break;
                used += (size_t)n;
        }
        buf[used] = '\0';
        return (ssize_t)used;
}

int util_write_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t n = write(fd, p, len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

static int replace_file(const char *path, const void *buf, size_t len, mode_t mode, bool durable)
{
        char tmp[PATH_MAX], dir[PATH_MAX];
        _cleanup_close_ int fd = -1;
        _cleanup_close_ int dfd = -1;
        int r;

        if (snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid()) >= (int)sizeof tmp)
                return -ENAMETOOLONG;
        /* A leftover of ours is removed; anything planted in its place
         * between the unlink and the open makes O_EXCL fail, never followed. */
        (void)unlink(tmp);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        r = util_write_all(fd, buf, len);
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0 && durable && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r < 0) {
                (void)unlink(tmp);
                return r;
        }
        if (!durable)
                return 0;
        util_strlcpy(dir, path, sizeof dir);
        dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0)
                (void)fsync(dfd);
        return 0;
}

int util_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode)
{
        return replace_file(path, buf, len, mode, true);
}

int util_replace_file(const char *path, const void *buf, size_t len, mode_t mode)
{
        return replace_file(path, buf, len, mode, false);
}

/* The previous version, kept as PATH.prev: ours alone (a regular file with
 * one link, owned by us), else it is not written through (a hard link
 * planted there could point anywhere). */
static int open_previous(const char *prev)
{
        struct stat st;
        int fd = open(prev, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);

        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
            st.st_uid != geteuid()) {
                close(fd);
                return -EPERM;
        }
        return fd;
}

int util_replace_file_reuse(const char *path, const void *buf, size_t len, mode_t mode)
{
        char prev[PATH_MAX];
        struct stat st;
        _cleanup_close_ int fd = -1;
        bool start_pair = false;
        int r;

        if (snprintf(prev, sizeof prev, "%s.prev", path) >= (int)sizeof prev)
                return -ENAMETOOLONG;
        /* The version on display went up less than UTIL_REPLACE_REUSE_AFTER_SEC
         * ago: the one before it may still be open in a reader. */
        if (stat(path, &st) == 0 && time(NULL) >= st.st_mtime + UTIL_REPLACE_REUSE_AFTER_SEC) {
                fd = open_previous(prev);
                start_pair = fd == -ENOENT;
        } else
                /* no spare yet (the first write): made now, so that the
                 * next write already reuses rather than making two files */
                start_pair = lstat(prev, &st) < 0 && errno == ENOENT;
        /* overwritten, not truncated first: the same blocks serve again, and
         * ext4 does not force them out on close as after a truncation to 0 */
        if (fd >= 0 && pwrite(fd, buf, len, 0) == (ssize_t)len && ftruncate(fd, (off_t)len) == 0 &&
            fchmod(fd, mode) == 0 &&
            renameat2(AT_FDCWD, prev, AT_FDCWD, path, RENAME_EXCHANGE) == 0)
                return 0;
        r = replace_file(path, buf, len, mode, false);
        if (r == 0 && start_pair)
                (void)replace_file(prev, buf, len, mode, false);
        return r;
}
