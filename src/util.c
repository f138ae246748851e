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
