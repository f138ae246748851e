/* hog — the kernel lab's memory allocator: allocate and touch anonymous
 * memory at a controlled rate up to a target, then hold it.
 *
 *   hog --target MB [--rate MB_PER_SEC] [--hold SECONDS] [--ready FILE] [--quiet]
 *
 * --rate 0 (the default) allocates as fast as the machine allows; otherwise
 * allocation is paced against CLOCK_MONOTONIC with absolute sleeps, so the
 * average rate holds even when single steps are slow (TCG). Every page is
 * written with a non-zero byte, so it is real, private, unshared memory (no
 * zero page, no KSM merge). --hold -1 (the default) holds until killed;
 * --hold 0 exits (and frees) as soon as the target is reached. --ready FILE
 * is created once the target is reached, so scenario scripts can wait for
 * "the protected group holds its memory" without sleeping blindly.
 *
 * Output: one line when the target is reached,
 *   "hog: pid=N allocated_mb=M elapsed_ms=T"
 * and, unless --quiet, one line per 64 MiB on the way. Exit 0 on success,
 * 1 on mmap failure, 2 on usage errors. Killed by SIGKILL otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB           ((uint64_t)1024 * 1024) /* bytes */
#define STEP_BYTES    (1ULL * MIB)  /* allocation granularity: fine enough to pace 1 MB/s */
#define REPORT_BYTES  (64ULL * MIB) /* progress line interval */
#define NSEC_PER_SEC  ((uint64_t)1000000000)
#define NSEC_PER_MSEC ((uint64_t)1000000)
#define HOLD_FOREVER  (-1L)
#define TARGET_MAX_MB (1024ULL * 1024ULL) /* 1 TiB: a sanity bound on --target */

struct hog_options {
        uint64_t target_bytes;
        uint64_t rate_bytes_per_sec; /* 0 = unpaced */
        long hold_sec;               /* HOLD_FOREVER or >= 0 */
        const char *ready_path;
        bool quiet;
};

static uint64_t now_nsec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

static void sleep_until_nsec(uint64_t deadline_nsec)
{
        struct timespec ts = {
            .tv_sec = (time_t)(deadline_nsec / NSEC_PER_SEC),
            .tv_nsec = (long)(deadline_nsec % NSEC_PER_SEC),
        };

        /* EINTR: just retry the same absolute deadline. */
        while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
                ;
}

static int parse_u64(const char *s, uint64_t max, uint64_t *ret_value)
{
        char *end;
        unsigned long long v;

        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || end == s || *end != '\0' || s[0] == '-' || v > max)
                return -EINVAL;
        *ret_value = v;
        return 0;
}

static int parse_options(int argc, char **argv, struct hog_options *ret)
{
        static const struct option longopts[] = {
            {"target", required_argument, NULL, 't'}, {"rate", required_argument, NULL, 'r'},
            {"hold", required_argument, NULL, 'H'},   {"ready", required_argument, NULL, 'R'},
            {"quiet", no_argument, NULL, 'q'},        {},
        };
        struct hog_options o = {.hold_sec = HOLD_FOREVER};
        uint64_t v;
        int c;

        while ((c = getopt_long(argc, argv, "t:r:H:R:q", longopts, NULL)) >= 0) {
                switch (c) {
                case 't':
                        if (parse_u64(optarg, TARGET_MAX_MB, &v) < 0 || v == 0)
                                return -EINVAL;
                        o.target_bytes = v * MIB;
                        break;
                case 'r':
                        if (parse_u64(optarg, TARGET_MAX_MB, &v) < 0)
                                return -EINVAL;
                        o.rate_bytes_per_sec = v * MIB;
                        break;
                case 'H':
                        if (strcmp(optarg, "-1") == 0) {
                                o.hold_sec = HOLD_FOREVER;
                                break;
                        }
                        if (parse_u64(optarg, 365ULL * 24 * 3600, &v) < 0)
                                return -EINVAL;
                        o.hold_sec = (long)v;
                        break;
                case 'R':
                        o.ready_path = optarg;
                        break;
                case 'q':
                        o.quiet = true;
                        break;
                default:
                        return -EINVAL;
                }
        }
        if (optind != argc || o.target_bytes == 0)
                return -EINVAL;
        *ret = o;
        return 0;
}

/* Map and touch one step. Pages are written, not read, so each is backed by
 * its own frame. The mapping is never unmapped: the hog holds it. */
static int allocate_step(uint64_t bytes)
{
        long page_size = sysconf(_SC_PAGESIZE);
        uint8_t *p;

        p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
                return -errno;
        for (uint64_t off = 0; off < bytes; off += (uint64_t)page_size)
                p[off] = 0x5a;
        return 0;
}

static int mark_ready(const char *path)
{
        int fd;

        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

int main(int argc, char **argv)
{
        struct hog_options o;
        uint64_t start_nsec, allocated = 0, next_report = REPORT_BYTES;
        int r;

        if (parse_options(argc, argv, &o) < 0) {
                fprintf(stderr, "usage: hog --target MB [--rate MB_PER_SEC] [--hold SECONDS|-1] "
                                "[--ready FILE] [--quiet]\n");
                return 2;
        }
        setvbuf(stdout, NULL, _IOLBF, 0);

        start_nsec = now_nsec();
        while (allocated < o.target_bytes) {
                uint64_t step = o.target_bytes - allocated < STEP_BYTES ? o.target_bytes - allocated
                                                                        : STEP_BYTES;

                r = allocate_step(step);
                if (r < 0) {
                        fprintf(stderr, "hog: mmap after %" PRIu64 " MiB: %s\n", allocated / MIB,
                                strerror(-r));
                        return 1;
                }
                allocated += step;
                if (!o.quiet && allocated >= next_report) {
                        printf("hog: pid=%d progress_mb=%" PRIu64 " elapsed_ms=%" PRIu64 "\n",
                               (int)getpid(), allocated / MIB,
                               (now_nsec() - start_nsec) / NSEC_PER_MSEC);
                        next_report += REPORT_BYTES;
                }
                if (o.rate_bytes_per_sec > 0) {
                        /* The moment this many bytes are due at the configured rate. */
                        uint64_t due_nsec =
                            start_nsec +
                            (uint64_t)((double)allocated * NSEC_PER_SEC / o.rate_bytes_per_sec);
                        sleep_until_nsec(due_nsec);
                }
        }
        printf("hog: pid=%d allocated_mb=%" PRIu64 " elapsed_ms=%" PRIu64 "\n", (int)getpid(),
               allocated / MIB, (now_nsec() - start_nsec) / NSEC_PER_MSEC);

        if (o.ready_path) {
                r = mark_ready(o.ready_path);
                if (r < 0) {
                        fprintf(stderr, "hog: %s: %s\n", o.ready_path, strerror(-r));
                        return 1;
                }
        }

        if (o.hold_sec == HOLD_FOREVER) {
                for (;;)
                        pause();
        }
        sleep_until_nsec(now_nsec() + (uint64_t)o.hold_sec * NSEC_PER_SEC);
        return 0;
}
