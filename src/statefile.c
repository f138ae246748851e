/* statefile — see include/statefile.h */
#include "statefile.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "util.h"

static const char *file_kind(mode_t mode)
{
        return S_ISFIFO(mode)  ? "a FIFO, not a regular file"
               : S_ISSOCK(mode) ? "a socket, not a regular file"
               : S_ISCHR(mode)  ? "a device, not a regular file"
               : S_ISBLK(mode)  ? "a device, not a regular file"
               : S_ISDIR(mode)  ? "a directory, not a regular file"
                                : "not a regular file";
}

/* O_NONBLOCK: opening a FIFO planted as a state file would wait for a
 * writer forever, and start-up with it (issue 13); opened this way it is
 * refused by the fstat() check below without a byte read. */
static int statefile_read(const char *path, size_t max, char **ret_buf, size_t *ret_len,
                          const char **ret_why)
{
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        ssize_t n;

        assert(path);
        assert(ret_buf);

        *ret_why = "not a regular file";
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0) {
                if (errno == ELOOP)
                        *ret_why = "a symbolic link, not a regular file";
                return errno == ELOOP ? -EINVAL : -errno;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode)) {
                *ret_why = file_kind(st.st_mode);
                return -EINVAL;
        }
        if ((uint64_t)st.st_size > max)
                return -EFBIG;
        /* +2: room for the NUL and for util_read_fd's probe of growth. */
        buf = malloc((size_t)st.st_size + 2);
        if (!buf)
                return -ENOMEM;
        n = util_read_fd(fd, buf, (size_t)st.st_size + 2);
        if (n < 0)
                return (int)n;
        *ret_buf = TAKE_PTR(buf);
        if (ret_len)
                *ret_len = (size_t)n;
        return 0;
}

void statefile_quarantine(const char *path, const char *why)
{
        char aside[PATH_MAX];
        char field[PATH_MAX + 32];
        const char *fields[] = {field, NULL};

        assert(path);
        snprintf(field, sizeof field, "GOVERNOR_STATE_FILE=%s", path);

        if (snprintf(aside, sizeof aside, "%s.corrupt", path) >= (int)sizeof aside) {
                log_event(LOG_ERR, MSGID_STATE, fields,
                          "State file %s is corrupt (%s); path too long to move aside, ignoring it",
                          path, why);
                return;
        }
        if (rename(path, aside) < 0) {
                int saved = errno;
                log_event(LOG_ERR, MSGID_STATE, fields,
                          "State file %s is corrupt (%s); moving it aside failed: %s, ignoring it",
                          path, why, strerror(saved));
                return;
        }
        log_event(LOG_WARNING, MSGID_STATE, fields,
                  "State file %s is corrupt (%s); moved aside to %s, starting clean", path, why,
                  aside);
}

int statefile_load(const char *path, char **ret_buf, size_t *ret_len)
{
        const char *why = NULL;
        int r = statefile_read(path, STATEFILE_MAX, ret_buf, ret_len, &why);

        if (r == -EFBIG || r == -EINVAL) {
                statefile_quarantine(path, r == -EFBIG ? "too large" : why);
                return -EINVAL;
        }
        return r;
}
