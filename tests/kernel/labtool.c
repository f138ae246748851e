/* labtool — the kernel lab's clock and observer, one static binary with
 * three verbs, so scenario scripts (busybox sh, 10 ms /proc/uptime) can take
 * times on the same CLOCK_MONOTONIC the governor uses:
 *
 *   labtool now
 *       print CLOCK_MONOTONIC in microseconds.
 *   labtool ts
 *       copy stdin to stdout line by line, each prefixed with the monotonic
 *       microseconds at which the line was read ("1234567 NOTICE: ...").
 *       The governor's stderr is piped through it: the time an action's log
 *       line appears is when the action was taken, within the pipe's latency.
 *   labtool psiwatch FILE "some STALL_US WINDOW_US" [POLL_MS]
 *       an independent observer of the kernel: registers its own PSI trigger
 *       on FILE and prints "PSIWATCH event=trigger t_us=T" on each POLLPRI;
 *       with POLL_MS also reads FILE every POLL_MS and prints
 *       "PSIWATCH event=stall-start t_us=T total_us=N" the first time the
 *       "some" total grows (the stall began within POLL_MS before T).
 *       Runs until killed.
 *
 * Exit 0, 1 on errors (with a message), 2 on usage errors. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define USEC_PER_SEC   ((uint64_t)1000000)
#define NSEC_PER_USEC  ((uint64_t)1000)
#define POLL_MS_MAX    1000 /* ms: the slowest stall-start sampling that still means something */
#define LINE_MAX_BYTES 8192

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / NSEC_PER_USEC;
}

static int verb_ts(void)
{
        char line[LINE_MAX_BYTES];

        setvbuf(stdout, NULL, _IOLBF, 0);
        while (fgets(line, sizeof line, stdin)) {
                size_t len = strlen(line);

                if (len > 0 && line[len - 1] == '\n')
                        line[--len] = '\0';
                printf("%" PRIu64 " %s\n", now_usec(), line);
        }
        return 0;
}

/* The "some ... total=N" value of a pressure file, or -errno. */
static int read_some_total(int fd, uint64_t *ret_total)
{
        char buf[512];
        ssize_t n;
        const char *p;

        n = pread(fd, buf, sizeof buf - 1, 0);
        if (n < 0)
                return -errno;
        buf[n] = '\0';
        if (strncmp(buf, "some ", 5) != 0)
                return -EINVAL;
        p = strstr(buf, "total=");
        if (!p)
                return -EINVAL;
        *ret_total = strtoull(p + 6, NULL, 10);
        return 0;
}

static int verb_psiwatch(const char *path, const char *spec, int poll_ms)
{
        int trigger_fd, sample_fd = -1;
        uint64_t baseline = 0, total;
        bool stall_seen = false;
        int r;

        setvbuf(stdout, NULL, _IOLBF, 0);
        trigger_fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
        if (trigger_fd < 0) {
                fprintf(stderr, "labtool: %s: %s\n", path, strerror(errno));
                return 1;
        }
        /* The kernel takes the spec and its NUL in one write. */
        if (write(trigger_fd, spec, strlen(spec) + 1) < 0) {
                fprintf(stderr, "labtool: trigger \"%s\" on %s refused: %s\n", spec, path,
                        strerror(errno));
                return 1;
        }
        if (poll_ms > 0) {
                sample_fd = open(path, O_RDONLY | O_CLOEXEC);
                if (sample_fd < 0 || read_some_total(sample_fd, &baseline) < 0) {
                        fprintf(stderr, "labtool: cannot sample %s\n", path);
                        return 1;
                }
        }
        printf("PSIWATCH event=armed t_us=%" PRIu64 " spec=\"%s\"\n", now_usec(), spec);

        for (;;) {
                struct pollfd pfd = {.fd = trigger_fd, .events = POLLPRI};

                r = poll(&pfd, 1, poll_ms > 0 && !stall_seen ? poll_ms : -1);
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        fprintf(stderr, "labtool: poll: %s\n", strerror(errno));
                        return 1;
                }
                if (r > 0) {
                        if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
                                fprintf(stderr, "labtool: trigger closed by the kernel\n");
                                return 1;
                        }
                        printf("PSIWATCH event=trigger t_us=%" PRIu64 "\n", now_usec());
                }
                if (sample_fd >= 0 && !stall_seen && read_some_total(sample_fd, &total) == 0 &&
                    total > baseline) {
                        stall_seen = true;
                        printf("PSIWATCH event=stall-start t_us=%" PRIu64 " total_us=%" PRIu64 "\n",
                               now_usec(), total - baseline);
                }
        }
}

static int usage(void)
{
        fprintf(stderr, "usage: labtool now | ts | psiwatch FILE \"some STALL_US WINDOW_US\" "
                        "[POLL_MS]\n");
        return 2;
}

int main(int argc, char **argv)
{
        if (argc == 2 && strcmp(argv[1], "now") == 0) {
                printf("%" PRIu64 "\n", now_usec());
                return 0;
        }
        if (argc == 2 && strcmp(argv[1], "ts") == 0)
                return verb_ts();
        if ((argc == 4 || argc == 5) && strcmp(argv[1], "psiwatch") == 0) {
                int poll_ms = 0;

                if (argc == 5) {
                        char *end;
                        long v = strtol(argv[4], &end, 10);

                        if (*end != '\0' || v < 0 || v > POLL_MS_MAX)
                                return usage();
                        poll_ms = (int)v;
                }
                return verb_psiwatch(argv[2], argv[3], poll_ms);
        }
        return usage();
}
