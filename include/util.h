/* util — small shared helpers: cleanup attributes, time, bounded string copy.
 *
 * Contract: header-only where possible; nothing here does I/O except
 * util_now_usec() (CLOCK_MONOTONIC) and util_realtime_usec() (CLOCK_REALTIME),
 * which the daemon uses to pass time *into* pure modules. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef uint64_t usec_t;

#define USEC_PER_MSEC 1000ULL
#define USEC_PER_SEC  1000000ULL
#define USEC_INFINITY UINT64_MAX

/* memory.max / memory.high / memory.swap.max value "max" */
#define BYTES_MAX UINT64_MAX

#define ELEMENTSOF(a) (sizeof(a) / sizeof((a)[0]))

static inline void util_freep(void *p)
{
        free(*(void **)p);
}
static inline void util_closep(int *fd)
{
        if (*fd >= 0)
                close(*fd);
}
#define _cleanup_free_  __attribute__((cleanup(util_freep)))
#define _cleanup_close_ __attribute__((cleanup(util_closep)))

/* Returns a pointer and sets *p to NULL, to hand ownership out of a _cleanup_ variable. */
#define TAKE_PTR(p)                                                                                \
        ({                                                                                         \
                typeof(p) _tp = (p);                                                               \
                (p) = NULL;                                                                        \
                _tp;                                                                               \
        })
#define TAKE_FD(fd)                                                                                \
        ({                                                                                         \
                int _tf = (fd);                                                                    \
                (fd) = -1;                                                                         \
                _tf;                                                                               \
        })

usec_t util_now_usec(void);      /* CLOCK_MONOTONIC */
usec_t util_realtime_usec(void); /* CLOCK_REALTIME */

static inline bool util_is_digit(char c)
{
        return c >= '0' && c <= '9';
}

/* Strict decimal u64 over [s, s+len), not NUL-terminated: digits only, no
 * sign, no blanks. -EINVAL when empty or not all digits, -ERANGE on overflow
 * or more than 20 digits. */
int util_parse_u64(const char *s, size_t len, uint64_t *ret);

/* strlcpy semantics: always NUL-terminates when size > 0; returns strlen(src). */
size_t util_strlcpy(char *dst, const char *src, size_t size);

/* Read a whole small file through an fd into buf (NUL-terminated). Returns bytes
 * read (>= 0) or -errno; -EFBIG if the content does not fit in size - 1. */
ssize_t util_read_fd(int fd, char *buf, size_t size);

/* Write all of buf; -errno on failure. */
int util_write_all(int fd, const void *buf, size_t len);

/* Write content to path atomically: temp file in the same dir, fsync, rename,
 * fsync of the dir. mode for the new file. Returns 0 or -errno. */
int util_write_file_atomic(const char *path, const void *buf, size_t len, mode_t mode);
/* The same without the fsyncs: readers never see a partial file, but a crash
 * may lose it. For files rewritten every tick (metrics). */
int util_replace_file(const char *path, const void *buf, size_t len, mode_t mode);
/* seconds: util_replace_file_reuse() writes over the previous version only
 * once the current one has been up this long (a reader that opened the
 * previous one before it was replaced has long finished with it) */
#define UTIL_REPLACE_REUSE_AFTER_SEC 5
/* util_replace_file for a file replaced again and again (metrics_file): the
 * previous version is kept beside it as PATH.prev, written over in place and
 * swapped in (renameat2 RENAME_EXCHANGE), so a write creates and frees no
 * inode (on ext4 that allocation was most of an idle governor's CPU). Falls
 * back to util_replace_file while the current version is younger than
 * UTIL_REPLACE_REUSE_AFTER_SEC, and where PATH.prev is not ours alone or the
 * filesystem refuses the exchange; a missing PATH.prev is made with the
 * same content (the first write makes both). */
int util_replace_file_reuse(const char *path, const void *buf, size_t len, mode_t mode);
