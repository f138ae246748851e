/* Unit tests for statefile: a FIFO, a symlink or a directory planted as a
 * state file is refused without blocking (a FIFO opened without O_NONBLOCK
 * waits for a writer forever: alarm() turns that into a failure) and moved
 * aside; a regular file is read whole. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"
#include "test.h"

static char dir[] = "/tmp/test-statefile.XXXXXX";

static void path_of(char *buf, const char *name)
{
        snprintf(buf, PATH_MAX, "%s/%s", dir, name);
}

static void check_refused(const char *name)
{
        char path[PATH_MAX], aside[PATH_MAX + 16];
        char *buf = NULL;
        size_t len = 0;
        struct stat st;

        path_of(path, name);
        snprintf(aside, sizeof aside, "%s.corrupt", path);
        CHECK_EQ_INT(statefile_load(path, &buf, &len), -EINVAL);
        CHECK(buf == NULL);
        CHECK(lstat(path, &st) < 0 && errno == ENOENT); /* moved aside ... */
        CHECK(lstat(aside, &st) == 0);                  /* ... not deleted */
}

int main(void)
{
        char path[PATH_MAX];
        char *buf = NULL;
        size_t len = 0;
        int fd;

        alarm(20);
        CHECK(mkdtemp(dir) != NULL);

        path_of(path, "history.json");
        CHECK(mkfifo(path, 0600) == 0);
        check_refused("history.json");

        /* a FIFO someone holds open for writing: still refused, not read */
        path_of(path, "overrides.json");
        CHECK(mkfifo(path, 0600) == 0);
        fd = open(path, O_RDWR | O_NONBLOCK);
        CHECK(fd >= 0);
        check_refused("overrides.json");
        close(fd);

        path_of(path, "link.json");
        CHECK(symlink("/etc/passwd", path) == 0);
        check_refused("link.json");

        path_of(path, "dir.json");
        CHECK(mkdir(path, 0700) == 0);
        check_refused("dir.json");

        path_of(path, "missing.json");
        CHECK_EQ_INT(statefile_load(path, &buf, &len), -ENOENT);

        path_of(path, "good.json");
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        CHECK(fd >= 0 && write(fd, "{\"v\":1}", 7) == 7);
        close(fd);
        CHECK_EQ_INT(statefile_load(path, &buf, &len), 0);
        CHECK_EQ_INT(len, 7);
        CHECK_STREQ(buf, "{\"v\":1}");
        free(buf);

        /* clean up */
        {
                const char *names[] = {"history.json.corrupt", "overrides.json.corrupt",
                                       "link.json.corrupt", "good.json", NULL};
                for (size_t i = 0; names[i]; i++) {
                        path_of(path, names[i]);
                        unlink(path);
                }
                path_of(path, "dir.json.corrupt");
                rmdir(path);
                rmdir(dir);
        }
        return TEST_RESULT();
}
