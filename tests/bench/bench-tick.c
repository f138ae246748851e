/* bench-tick — the cost of one governor tick (sample + decide) over 100,
 * 1 000 and 10 000 cgroups.
 *
 * Builds a fixture cgroup v2 tree on tmpfs (/dev/shm, else $TMPDIR): N
 * cgroups "bench-NNNNN" with the files the sampler reads (memory.current,
 * .max, .high, .swap.max, .events, .pressure, cgroup.events) and a fake
 * procfs (meminfo, pressure/memory, pressure/io); one [cgroup:bench] rule
 * matches them all and their limits already match it, so a tick plans
 * nothing and measures the steady state the daemon lives in. Then it runs
 * the daemon's own sampler_take() + policy_evaluate() repeatedly and
 * prints a Markdown table: ticks, mean, median and 95th percentile per
 * tick, and the mean per cgroup, with the median sampling (file reads) and
 * decision (policy) parts apart. Files come from the page cache of tmpfs, so this
 * is the governor's CPU cost, not the kernel's cgroupfs cost.
 *
 * The root carries a cgroup.stat as cgroupfs does, so the sampler replays
 * its cached walk between re-walks as in the daemon, and each tick is given
 * the time it would have at the default 1 s interval (the clock is an
 * argument): the mean is then the steady-state cost per tick, walks
 * included (the sampler re-walks every 5 s). On tmpfs a
 * kept file is also checked for having been replaced (one fstat per read),
 * which cgroupfs does not need. Beyond CGFS_KEPT_FILES_MAX files (about 250
 * cgroups here) the rest are opened and closed on each read as before.
 *
 *   bench-tick [N ...]     (default: 100 1000 10000)
 *
 * Exit 0, or 1 with a message if the fixture or the modules fail. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs.h"
#include "config-ini.h"
#include "config.h"
#include "log.h"
#include "policy.h"
#include "sampler.h"
#include "snapshot.h"
#include "util.h"

#define FIXTURE_MEMORY_MAX  "268435456"        /* bytes: 256M, equal to the rule */
#define FIXTURE_MEMORY_HIGH "209715200"        /* bytes: 200M, equal to the rule */
#define TICK_BUDGET_USEC    (2 * USEC_PER_SEC) /* per size: enough ticks for a stable median */
#define TICKS_MIN           5
#define TICKS_MAX           500
#define SIMULATED_TICK_USEC USEC_PER_SEC /* the default [governor] interval */

static const char bench_rules[] = "[cgroup:bench]\n"
                                  "match = path:bench-*\n"
                                  "memory_max = 256M\n"
                                  "memory_high = 200M\n"
                                  "priority = 10\n";

static int write_file(const char *dir, const char *name, const char *content)
{
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -1;

        if (asprintf(&path, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return -errno;
        return util_write_all(fd, content, strlen(content));
}

static int make_cgroup(const char *root, unsigned i)
{
        static const struct {
                const char *name;
                const char *content;
        } files[] = {
            {"memory.current", "104857600\n"},
            {"memory.max", FIXTURE_MEMORY_MAX "\n"},
            {"memory.high", FIXTURE_MEMORY_HIGH "\n"},
            {"memory.swap.max", "0\n"},
            {"memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n"},
            {"memory.pressure", "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                                "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"},
            {"cgroup.events", "populated 1\nfrozen 0\n"},
            {"cgroup.procs", ""},
        };
        char dir[4096];
        int r;

        if ((size_t)snprintf(dir, sizeof dir, "%s/bench-%05u", root, i) >= sizeof dir)
                return -ENAMETOOLONG;
        if (mkdir(dir, 0755) < 0)
                return -errno;
        for (size_t f = 0; f < ELEMENTSOF(files); f++) {
                r = write_file(dir, files[f].name, files[f].content);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int make_proc(const char *proc)
{
        static const char pressure[] = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
                                       "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        char dir[4096];
        int r;

        if (mkdir(proc, 0755) < 0)
                return -errno;
        r = write_file(proc, "meminfo",
                       "MemTotal:       25165824 kB\nMemFree:        20971520 kB\n"
                       "MemAvailable:   20971520 kB\nSwapTotal:             0 kB\n"
                       "SwapFree:              0 kB\n");
        if (r < 0)
                return r;
        if ((size_t)snprintf(dir, sizeof dir, "%s/pressure", proc) >= sizeof dir)
                return -ENAMETOOLONG;
        if (mkdir(dir, 0755) < 0)
                return -errno;
        r = write_file(dir, "memory", pressure);
        if (r < 0)
                return r;
        return write_file(dir, "io", pressure);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)remove(path);
        return 0;
}

/* Remove the fixture, children first, never following symlinks. */
static void remove_tree(const char *path)
{
        (void)nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int compare_usec(const void *a, const void *b)
{
        usec_t x = *(const usec_t *)a, y = *(const usec_t *)b;

        return x < y ? -1 : x > y;
}

struct tick_figures {
        unsigned ticks;
        usec_t mean_usec;
        usec_t median_usec;
        usec_t p95_usec;
        usec_t sample_median_usec; /* sampler_take() alone */
        usec_t decide_median_usec; /* policy_evaluate() alone */
        size_t groups_seen;
};

/* Ticks as the daemon takes them: each sample is given the previous one
 * (groups that raised no change event carry their figures over) and the
 * policy state lives on. *clock is the simulated monotonic time, advanced
 * one interval per tick; prev holds the last snapshot between calls. */
static int run_ticks(struct sampler_context *ctx, struct policy_state *state, usec_t *clock,
                     struct snapshot *prev, unsigned max_ticks, struct tick_figures *ret)
{
        usec_t samples[TICKS_MAX], sample_part[TICKS_MAX], decide_part[TICKS_MAX], budget_end;
        usec_t total_usec = 0;
        struct tick_figures f = {0};
        int r = 0;

        budget_end = util_now_usec() + TICK_BUDGET_USEC;
        while (f.ticks < max_ticks && (f.ticks < TICKS_MIN || util_now_usec() < budget_end)) {
                struct policy_input in = {.config = ctx->config};
                struct snapshot snap;
                struct plan plan;
                usec_t start = util_now_usec(), sampled;

                *clock += SIMULATED_TICK_USEC;
                snapshot_init(&snap);
                plan_init(&plan);
                ctx->previous = prev;
                r = sampler_take(ctx, *clock, &snap);
                sampled = util_now_usec();
                if (r >= 0) {
                        in.snapshot = &snap;
                        in.now = *clock;
                        r = policy_evaluate(&in, state, &plan);
                }
                sample_part[f.ticks] = sampled - start;
                decide_part[f.ticks] = util_now_usec() - sampled;
                samples[f.ticks] = util_now_usec() - start;
                total_usec += samples[f.ticks++];
                f.groups_seen = snap.n_groups;
                if (r >= 0 && plan.n_actions > 0)
                        fprintf(stderr, "bench-tick: unexpected %zu action(s) planned\n",
                                plan.n_actions);
                plan_done(&plan);
                snapshot_done(prev);
                *prev = snap;
                if (r < 0)
                        break;
        }
        if (r < 0)
                return r;
        qsort(samples, f.ticks, sizeof samples[0], compare_usec);
        qsort(sample_part, f.ticks, sizeof sample_part[0], compare_usec);
        qsort(decide_part, f.ticks, sizeof decide_part[0], compare_usec);
        f.sample_median_usec = sample_part[f.ticks / 2];
        f.decide_median_usec = decide_part[f.ticks / 2];
        f.median_usec = samples[f.ticks / 2];
        f.mean_usec = total_usec / f.ticks;
        f.p95_usec = samples[(f.ticks * 95) / 100 < f.ticks ? (f.ticks * 95) / 100 : f.ticks - 1];
        *ret = f;
        return 0;
}

/* The three costs of a tick: the first (every file of every group, as after
 * start-up), idle ticks (steady state: nothing changed, the slow refresh
 * spread over them) and pressed ticks (memory near the marks: memory.current
 * of every group, each tick). */
static int measure(const char *root, const char *proc, const struct config *c,
                   struct tick_figures *ret_first, struct tick_figures *ret_idle,
                   struct tick_figures *ret_pressed)
{
        struct cgfs_layout_info layout = {.layout = CGFS_LAYOUT_V2, .v2_memory = true};
        struct sampler_context ctx = {.config = c, .layout = &layout};
        struct policy_state state;
        struct snapshot prev;
        struct cgfs *fs = NULL;
        usec_t clock = 0;
        int r;

        r = cgfs_open(root, NULL, proc, &fs);
        if (r < 0)
                return r;
        ctx.fs = fs;
        policy_state_init(&state);
        snapshot_init(&prev);
        r = run_ticks(&ctx, &state, &clock, &prev, 1, ret_first);
        if (r >= 0)
                r = run_ticks(&ctx, &state, &clock, &prev, TICKS_MAX, ret_idle);
        ctx.usage_needed = true;
        if (r >= 0)
                r = run_ticks(&ctx, &state, &clock, &prev, TICKS_MAX, ret_pressed);
        snapshot_done(&prev);
        policy_state_done(&state);
        cgfs_free(fs);
        return r;
}

static int run_size(const char *base, unsigned n, const struct config *c)
{
        char root[4096], proc[4096], stat[128];
        struct tick_figures first, f, pressed;
        int r;

        if ((size_t)snprintf(root, sizeof root, "%s/cgroup-%u", base, n) >= sizeof root ||
            (size_t)snprintf(proc, sizeof proc, "%s/proc-%u", base, n) >= sizeof proc)
                return -ENAMETOOLONG;
        if (mkdir(root, 0755) < 0)
                return -errno;
        if ((size_t)snprintf(stat, sizeof stat, "nr_descendants %u\nnr_dying_descendants 0\n", n) >=
            sizeof stat)
                return -ENAMETOOLONG;
        r = write_file(root, "cgroup.stat", stat);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < n; i++) {
                r = make_cgroup(root, i);
                if (r < 0)
                        return r;
        }
        r = make_proc(proc);
        if (r < 0)
                return r;
        r = measure(root, proc, c, &first, &f, &pressed);
        if (r < 0)
                return r;
        if (first.groups_seen != n || f.groups_seen != n || pressed.groups_seen != n) {
                fprintf(stderr, "bench-tick: sampled %zu/%zu/%zu of %u cgroups\n",
                        first.groups_seen, f.groups_seen, pressed.groups_seen, n);
                return -EIO;
        }
        printf("| %7u | %5u | %12.3f | %14.3f | %11.3f | %9.3f | %9.3f | %9.2f | %12.3f | %10.3f "
               "|\n",
               n, f.ticks, (double)f.mean_usec / USEC_PER_MSEC,
               (double)f.median_usec / USEC_PER_MSEC, (double)f.p95_usec / USEC_PER_MSEC,
               (double)f.sample_median_usec / USEC_PER_MSEC,
               (double)f.decide_median_usec / USEC_PER_MSEC, (double)f.mean_usec / n,
               (double)pressed.median_usec / USEC_PER_MSEC,
               (double)first.mean_usec / USEC_PER_MSEC);
        fflush(stdout);
        return 0;
}

int main(int argc, char **argv)
{
        static const unsigned default_sizes[] = {100, 1000, 10000};
        const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
        char base[4096], err[512];
        struct config *c;
        unsigned sizes[16];
        size_t n_sizes = 0;
        int r = 0;

        for (int i = 1; i < argc && n_sizes < ELEMENTSOF(sizes); i++) {
                char *end;
                unsigned long v = strtoul(argv[i], &end, 10);

                if (*end != '\0' || v == 0 || v > 100000) {
                        fprintf(stderr, "usage: bench-tick [N ...] (1..100000)\n");
                        return 2;
                }
                sizes[n_sizes++] = (unsigned)v;
        }
        if (n_sizes == 0) {
                memcpy(sizes, default_sizes, sizeof default_sizes);
                n_sizes = ELEMENTSOF(default_sizes);
        }

        log_init("bench-tick", LOG_TARGET_CONSOLE);
        log_set_max_priority(LOG_WARNING);
        c = config_new_default();
        if (!c || config_parse_string(c, "bench-tick", bench_rules, err, sizeof err) < 0) {
                fprintf(stderr, "bench-tick: config: %s\n", c ? err : "out of memory");
                config_free(c);
                return 1;
        }

        snprintf(base, sizeof base, "%s/sutazai-bench-tick.XXXXXX", tmp ? tmp : "/tmp");
        if (!mkdtemp(base)) {
                fprintf(stderr, "bench-tick: mkdtemp %s: %s\n", base, strerror(errno));
                config_free(c);
                return 1;
        }
        printf("| cgroups | ticks | mean ms/tick | median ms/tick | p95 ms/tick | sample ms | "
               "decide ms | µs/cgroup | pressed ms/tick | first tick ms |\n");
        printf("|--------:|------:|-------------:|---------------:|------------:|----------:|-------"
               "---:|----------:|-------------:|-----------:|\n");
        for (size_t i = 0; i < n_sizes && r >= 0; i++)
                r = run_size(base, sizes[i], c);
        if (r < 0)
                fprintf(stderr, "bench-tick: %s\n", strerror(-r));
        remove_tree(base);
        config_free(c);
        return r < 0 ? 1 : 0;
}
