/* looplag — see include/looplag.h */
#include "looplag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "util.h"

#define LOOPLAG_WRITE_USEC   USEC_PER_SEC /* between rewrites of the file */
#define LOOPLAG_BUCKET_USEC  100ULL       /* histogram resolution */
#define LOOPLAG_BUCKETS      100000U      /* 100 µs × 100000 = 10 s; later lands in the last */

static sd_event_source *probe;
static char *probe_path;
static uint32_t *hist; /* LOOPLAG_BUCKETS counters */
static uint64_t samples, max_usec, last_write;
static uint64_t busy_max_usec, cpu_prev_usec; /* the loop's own CPU time between probes */

static void reset(void)
{
        memset(hist, 0, LOOPLAG_BUCKETS * sizeof *hist);
        samples = max_usec = busy_max_usec = 0;
}

/* CPU time of this thread: lateness without it is waiting for a CPU or in
 * a blocking call; with it, work done in a callback. */
static uint64_t cpu_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return (uint64_t)ts.tv_sec * USEC_PER_SEC + (uint64_t)ts.tv_nsec / 1000U;
}

static uint64_t percentile(double q)
{
        uint64_t want = (uint64_t)((double)samples * q), seen = 0;

        for (size_t i = 0; i < LOOPLAG_BUCKETS; i++) {
                seen += hist[i];
                if (seen > want)
                        return (i + 1) * LOOPLAG_BUCKET_USEC; /* the bucket's upper edge */
        }
        return max_usec;
}

static unsigned long rss_kib(void)
{
        char buf[4096], *p;
        FILE *f = fopen("/proc/self/status", "re");
        unsigned long kib = 0;

        if (!f)
                return 0;
        while (fgets(buf, sizeof buf, f))
                if ((p = strstr(buf, "VmRSS:")) == buf)
                        kib = strtoul(buf + 6, NULL, 10);
        fclose(f);
        return kib;
}

static void write_file(void)
{
        char buf[256];
        struct stat st;
        int n;

        if (stat(probe_path, &st) < 0 && errno == ENOENT)
                reset(); /* the benchmark starts a new window */
        n = snprintf(buf, sizeof buf,
                     "samples %llu\nmax_us %llu\np99_us %llu\np50_us %llu\nrss_kib %lu\n"
                     "busy_max_us %llu\n",
                     (unsigned long long)samples, (unsigned long long)max_usec,
                     (unsigned long long)(samples ? percentile(0.99) : 0),
                     (unsigned long long)(samples ? percentile(0.50) : 0), rss_kib(),
                     (unsigned long long)busy_max_usec);
        (void)util_replace_file(probe_path, buf, (size_t)n, 0644);
}

static int on_probe(sd_event_source *s, uint64_t due, void *userdata)
{
        uint64_t now = 0, lag, cpu = cpu_usec();

        (void)userdata;
        if (cpu - cpu_prev_usec > busy_max_usec)
                busy_max_usec = cpu - cpu_prev_usec;
        cpu_prev_usec = cpu;
        (void)sd_event_now(sd_event_source_get_event(s), CLOCK_MONOTONIC, &now);
        lag = now > due ? now - due : 0;
        hist[lag / LOOPLAG_BUCKET_USEC < LOOPLAG_BUCKETS ? lag / LOOPLAG_BUCKET_USEC
                                                          : LOOPLAG_BUCKETS - 1]++;
        samples++;
        if (lag > max_usec)
                max_usec = lag;
        if (now - last_write >= LOOPLAG_WRITE_USEC) {
                last_write = now;
                write_file();
                cpu_prev_usec = cpu_usec(); /* the probe's own writing is not the loop's */
        }
        (void)sd_event_source_set_time(s, now + LOOPLAG_PERIOD_USEC);
        return 0;
}

int looplag_start(sd_event *event)
{
        const char *path = getenv("SUTAZAI_GOVERNOR_LOOP_PROBE");
        uint64_t now;
        int r;

        if (!path || !path[0] || probe)
                return 0;
        probe_path = strdup(path);
        hist = calloc(LOOPLAG_BUCKETS, sizeof *hist);
        if (!probe_path || !hist) {
                looplag_stop();
                return -ENOMEM;
        }
        cpu_prev_usec = cpu_usec();
        r = sd_event_now(event, CLOCK_MONOTONIC, &now);
        if (r >= 0)
                r = sd_event_add_time(event, &probe, CLOCK_MONOTONIC, now + LOOPLAG_PERIOD_USEC, 1,
                                      on_probe, NULL);
        if (r >= 0)
                r = sd_event_source_set_enabled(probe, SD_EVENT_ON); /* re-armed by on_probe */
        if (r >= 0)
                r = sd_event_source_set_priority(probe, SD_EVENT_PRIORITY_IMPORTANT);
        if (r < 0) {
                looplag_stop();
                return r;
        }
        return 0;
}

void looplag_stop(void)
{
        probe = sd_event_source_disable_unref(probe);
        free(probe_path);
        probe_path = NULL;
        free(hist);
        hist = NULL;
}
