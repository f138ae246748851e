/* test-oomguard — the oom_score_adj mapping and the protection plan as
 * tables, and the writer against a fixture tree (a cgroup root with
 * cgroup.procs and memory files, a proc root with PID/oom_score_adj): new
 * processes, restore, dry-run. The kernel side is the kernel suite's. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgfs.h"
#include "config-ini.h"
#include "oomguard.h"
#include "test.h"

static const struct {
        bool protect, sacrificial;
        int priority;
        int adj;
} mapping[] = {
    {true, false, 900, -998}, {true, false, 0, -998},  {false, true, 20, 1000},
    {false, true, 900, 1000}, {false, false, 0, 999},  {false, false, 20, 980},
    {false, false, 50, 950},  {false, false, 100, 900}, {false, false, 200, 800},
    {false, false, 300, 700}, {false, false, 900, 102}, {false, false, 1000, 2},
};

static void test_mapping(void)
{
        int last = 1001;

        for (size_t i = 0; i < ELEMENTSOF(mapping); i++) {
                struct rule r = {.protect = mapping[i].protect,
                                 .sacrificial = mapping[i].sacrificial,
                                 .priority = mapping[i].priority};
                if (oomguard_score_adj(&r) != mapping[i].adj)
                        fprintf(stderr, "mapping case %zu\n", i);
                CHECK_EQ_INT(oomguard_score_adj(&r), mapping[i].adj);
        }
        /* monotonic: a lower priority is never less preferred, and every
         * unprotected managed group stays above unmanaged processes (0) */
        for (int p = 0; p <= 1000; p++) {
                struct rule r = {.priority = p};
                int adj = oomguard_score_adj(&r);
                CHECK(adj <= last && adj > 0 && adj < OOMGUARD_ADJ_SACRIFICIAL);
                last = adj;
        }
}

static const char *conf = "[container:db]\nmatch = name:db\nprotect = yes\npriority = 900\n"
                          "memory_low = 25%\nmemory_min = 64M\n"
                          "[container:hog]\nmatch = name:hog\npriority = 10\noom_group = no\n"
                          "[cgroup:batch]\nmatch = path:batch\nsacrificial = yes\n";

static struct config *load(void)
{
        char err[256];
        struct config *c = config_new_default();

        CHECK(c && config_parse_string(c, "t.conf", conf, err, sizeof err) == 0);
        return c;
}

static void add(struct snapshot *s, const char *name, const char *cgroup, int rule, bool running)
{
        struct group_sample *g = snapshot_add_group(s);

        CHECK(g != NULL);
        if (!g)
                return;
        g->kind = cgroup[0] == 'b' ? GROUP_CGROUP : GROUP_CONTAINER;
        snprintf(g->name, sizeof g->name, "%s", name);
        snprintf(g->id, sizeof g->id, "%s", g->kind == GROUP_CONTAINER ? name : "");
        snprintf(g->cgroup, sizeof g->cgroup, "%s", cgroup);
        g->rule = rule;
        g->running = running;
}

static void test_plan(void)
{
        struct config *c = load();
        struct snapshot s;
        struct oomguard_plan p;
        const uint64_t M = 1024ULL * 1024;

        snapshot_init(&s);
        oomguard_plan_init(&p);
        s.host.mem.mem_total_bytes = 4096 * M;
        add(&s, "db", "docker/db", 0, true);
        add(&s, "hog", "docker/hog", 1, true);
        add(&s, "batch", "batch", 2, true);
        add(&s, "other", "docker/other", -1, true);  /* unmanaged: never touched */
        add(&s, "stopped", "docker/stopped", 1, false); /* no processes */
        add(&s, "nopath", "", 1, true);               /* cgroup unknown */
        CHECK_EQ_INT(oomguard_plan(c, &s, &p), 0);
        CHECK_EQ_INT(p.n_targets, 3);
        if (p.n_targets == 3) {
                CHECK_EQ_INT(p.targets[0].group, 0);
                CHECK_EQ_INT(p.targets[0].oom_score_adj, -998);
                CHECK(p.targets[0].oom_group);
                CHECK(p.targets[0].has_memory_low && p.targets[0].memory_low == 1024 * M);
                CHECK(p.targets[0].has_memory_min && p.targets[0].memory_min == 64 * M);
                CHECK_EQ_INT(p.targets[1].oom_score_adj, 990);
                CHECK(!p.targets[1].oom_group && !p.targets[1].has_memory_low);
                CHECK_EQ_INT(p.targets[2].oom_score_adj, 1000);
                CHECK(!p.targets[2].oom_group); /* plain cgroups opt in */
        }
        /* a [cgroup:] rule over container cgroups (batch matches path
         * "docker/db" here): one target per cgroup, the protected value wins */
        add(&s, "docker/db", "docker/db", 2, true);
        add(&s, "docker/hog", "docker/hog", 2, true);
        CHECK_EQ_INT(oomguard_plan(c, &s, &p), 0);
        CHECK_EQ_INT(p.n_targets, 3);
        if (p.n_targets == 3) {
                CHECK_EQ_INT(p.targets[0].group, 0);
                CHECK_EQ_INT(p.targets[0].oom_score_adj, -998);
                CHECK_EQ_INT(p.targets[1].group, 1); /* hog 990 beats sacrificial 1000 */
                CHECK_EQ_INT(p.targets[1].oom_score_adj, 990);
                CHECK_EQ_INT(p.targets[2].group, 2);
        }
        s.n_groups -= 2;
        /* MemTotal unknown: a percentage cannot be resolved, a size can */
        s.host.mem.mem_total_bytes = 0;
        CHECK_EQ_INT(oomguard_plan(c, &s, &p), 0);
        CHECK(p.n_targets == 3 && !p.targets[0].has_memory_low && p.targets[0].has_memory_min);
        oomguard_plan_done(&p);
        snapshot_done(&s);
        config_free(c);
}

/* ---- the writer on a fixture tree ---- */

static char root[64];

static void put(const char *rel, const char *text)
{
        char path[512];
        int fd;

        snprintf(path, sizeof path, "%s/%s", root, rel);
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
                close(fd);
        }
}

static void remove_file(const char *rel)
{
        char path[512];

        snprintf(path, sizeof path, "%s/%s", root, rel);
        CHECK(unlink(path) == 0);
}

static void mk(const char *rel)
{
        char path[512];

        snprintf(path, sizeof path, "%s/%s", root, rel);
        CHECK(mkdir(path, 0755) == 0);
}

static long get(const char *rel)
{
        char path[512], buf[64] = "";
        ssize_t n;
        int fd;

        snprintf(path, sizeof path, "%s/%s", root, rel);
        fd = open(path, O_RDONLY);
        if (fd < 0)
                return -100000;
        n = read(fd, buf, sizeof buf - 1);
        close(fd);
        return n > 0 ? strtol(buf, NULL, 10) : -100000;
}

static void proc(int pid, int adj)
{
        char rel[64], text[32];

        snprintf(rel, sizeof rel, "proc/%d", pid);
        mk(rel);
        snprintf(rel, sizeof rel, "proc/%d/oom_score_adj", pid);
        snprintf(text, sizeof text, "%d\n", adj);
        put(rel, text);
}

static int rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        (void)st, (void)flag, (void)ftw;
        return remove(path);
}

/* A fixture tree in a fresh temporary root: cg/docker/{db,hog} and proc;
 * *ret_fs and *ret_g open on it (NULL on failure, checked). */
static void fixture_open(struct cgfs **ret_fs, struct oomguard **ret_g)
{
        char cg[128], pr[128];

        snprintf(root, sizeof root, "/tmp/test-oomguard.XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        mk("cg");
        mk("cg/docker");
        mk("cg/docker/db");
        mk("cg/docker/hog");
        mk("proc");
        snprintf(cg, sizeof cg, "%s/cg", root);
        snprintf(pr, sizeof pr, "%s/proc", root);
        CHECK_EQ_INT(cgfs_open(cg, NULL, pr, ret_fs), 0);
        CHECK_EQ_INT(oomguard_new(ret_g), 0);
}

static void test_writer(void)
{
        struct config *c = load();
        struct cgfs *fs = NULL;
        struct oomguard *g = NULL;
        struct snapshot s;
        usec_t now = 1000 * USEC_PER_SEC;
        const uint64_t M = 1024ULL * 1024;

        fixture_open(&fs, &g);
        put("cg/docker/db/cgroup.procs", "10\n11\n");
        put("cg/docker/db/memory.oom.group", "0\n");
        put("cg/docker/db/memory.low", "0\n");
        put("cg/docker/db/memory.min", "0\n");
        put("cg/docker/hog/cgroup.procs", "20\n");
        put("cg/docker/hog/memory.oom.group", "0\n");
        proc(10, 0);
        proc(11, 0);
        proc(20, 300); /* a value of its own, given back on restore */
        if (!fs || !g)
                goto out;

        struct oomguard_context ctx = {.fs = fs, .v2_memory = true, .dry_run = true};
        snapshot_init(&s);
        s.host.mem.mem_total_bytes = 1024 * M;
        add(&s, "db", "docker/db", 0, true);
        add(&s, "hog", "docker/hog", 1, true);

        /* dry-run: nothing written; status shows what the processes carry */
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now), 0);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), 0);
        CHECK_EQ_INT(get("cg/docker/db/memory.oom.group"), 0);
        CHECK_EQ_INT(get("cg/docker/db/memory.low"), 0);
        CHECK(s.groups[0].has_oom_score_adj && s.groups[0].oom_score_adj == 0);
        CHECK(s.groups[1].has_oom_score_adj && s.groups[1].oom_score_adj == 300);
        oomguard_free(g);
        CHECK_EQ_INT(oomguard_new(&g), 0);

        /* for real */
        ctx.dry_run = false;
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now), 0);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), -998);
        CHECK_EQ_INT(get("proc/11/oom_score_adj"), -998);
        CHECK_EQ_INT(get("proc/20/oom_score_adj"), 990);
        CHECK_EQ_INT(get("cg/docker/db/memory.oom.group"), 1);
        CHECK_EQ_INT(get("cg/docker/hog/memory.oom.group"), 0); /* oom_group = no */
        CHECK_EQ_INT(get("cg/docker/db/memory.low"), 256 * M);  /* 25% of 1G, no systemd */
        CHECK_EQ_INT(get("cg/docker/db/memory.min"), 64 * M);
        CHECK(s.groups[0].has_oom_score_adj && s.groups[0].oom_score_adj == -998);
        CHECK(s.groups[1].oom_score_adj == 990);

        /* a process that came in from outside (docker exec) with 0: caught on
         * the next pass (no pids.current here: every pass re-reads) */
        proc(12, 0);
        put("cg/docker/db/cgroup.procs", "10\n11\n12\n");
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + USEC_PER_SEC / 2), 0);
        CHECK_EQ_INT(get("proc/12/oom_score_adj"), 0); /* within OOMGUARD_PASS_USEC */
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 2 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/12/oom_score_adj"), -998);
        /* settled processes are not read again until the full scan (every
         * OOMGUARD_RESCAN_USEC): only newcomers cost a read */
        put("proc/10/oom_score_adj", "7\n");
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 3 * USEC_PER_SEC + 500000), 0);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), 7);
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 10 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), -998);

        /* with pids.current: unchanged count, no re-read until the rescan */
        put("cg/docker/hog/pids.current", "1\n");
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 11 * USEC_PER_SEC), 0);
        put("proc/20/oom_score_adj", "5\n");
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 13 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/20/oom_score_adj"), 5);
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 22 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/20/oom_score_adj"), 990);

        /* the rule stops applying (config reload): values given back */
        proc(21, 990); /* a child forked since: inherited ours, gets 0 */
        put("cg/docker/hog/cgroup.procs", "20\n21\n");
        s.groups[1].rule = -1;
        s.time++; /* a new sample (oomguard_run plans once per sample) */
        /* one pass unmatched is not enough (a container briefly unmatched) */
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 23 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/20/oom_score_adj"), 990);
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 24 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/20/oom_score_adj"), 300);
        CHECK_EQ_INT(get("proc/21/oom_score_adj"), 0);
        CHECK(!s.groups[1].has_oom_score_adj);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), -998); /* db untouched */

        /* db's rule opts out of memory.oom.group: the guard's 1 is taken back */
        s.groups[0].rule = -1;
        s.time++;
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 25 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), -998);
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 26 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("cg/docker/db/memory.oom.group"), 0);
        CHECK_EQ_INT(get("cg/docker/db/memory.low"), 0);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), 0);
        snapshot_done(&s);
out:
        oomguard_free(g);
        cgfs_free(fs);
        config_free(c);
        nftw(root, rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The gate: a pass reads pids.current of the directory holding the groups
 * and, where it stands still, none of theirs. */
static void test_gate(void)
{
        struct config *c = load();
        struct cgfs *fs = NULL;
        struct oomguard *g = NULL;
        struct snapshot s;
        usec_t now = 1000 * USEC_PER_SEC;

        fixture_open(&fs, &g);
        put("cg/docker/pids.current", "2\n");
        put("cg/docker/db/cgroup.procs", "10\n");
        put("cg/docker/db/pids.current", "1\n");
        put("cg/docker/hog/cgroup.procs", "20\n");
        put("cg/docker/hog/pids.current", "1\n");
        proc(10, 0);
        proc(20, 0);
        if (!fs || !g)
                goto out;
        struct oomguard_context ctx = {.fs = fs};
        snapshot_init(&s);
        add(&s, "db", "docker/db", 0, true);
        add(&s, "hog", "docker/hog", 1, true);
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now), 0);
        CHECK_EQ_INT(get("proc/10/oom_score_adj"), -998);
        CHECK_EQ_INT(get("proc/20/oom_score_adj"), 990);

        /* docker exec into db: the directory's count moved, caught */
        proc(12, 0);
        put("cg/docker/db/cgroup.procs", "10\n12\n");
        put("cg/docker/db/pids.current", "2\n");
        put("cg/docker/pids.current", "3\n");
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 2 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/12/oom_score_adj"), -998);

        /* one enters db as hog's process exits: the directory's count stands
         * still and the groups are not looked at... */
        proc(13, 0);
        put("cg/docker/db/cgroup.procs", "10\n12\n13\n");
        put("cg/docker/db/pids.current", "3\n");
        put("cg/docker/hog/cgroup.procs", "");
        put("cg/docker/hog/pids.current", "0\n");
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + 4 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/13/oom_score_adj"), 0);
        /* ...until the rescan */
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + OOMGUARD_RESCAN_USEC), 0);
        CHECK_EQ_INT(get("proc/13/oom_score_adj"), -998);

        /* no count for the directory (a hybrid host): every group's is read */
        remove_file("cg/docker/pids.current");
        proc(14, 0);
        put("cg/docker/db/cgroup.procs", "10\n12\n13\n14\n");
        put("cg/docker/db/pids.current", "4\n");
        CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, now + OOMGUARD_RESCAN_USEC + 2 * USEC_PER_SEC), 0);
        CHECK_EQ_INT(get("proc/14/oom_score_adj"), -998);
        snapshot_done(&s);
out:
        oomguard_free(g);
        cgfs_free(fs);
        config_free(c);
        nftw(root, rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* More managed groups than one pass scans: the rest on the next pass. */
static void test_budget(void)
{
        const size_t n = OOMGUARD_SCANS_PER_PASS + 44;
        struct config *c = load();
        struct cgfs *fs = NULL;
        struct oomguard *g = NULL;
        struct snapshot s;
        char cg[128], pr[128], rel[64], text[32];
        size_t done = 0;

        snprintf(root, sizeof root, "/tmp/test-oomguard.XXXXXX");
        CHECK(mkdtemp(root) != NULL);
        mk("cg");
        mk("proc");
        snapshot_init(&s);
        for (size_t i = 0; i < n; i++) {
                char name[32];
                snprintf(name, sizeof name, "hog%03zu", i);
                snprintf(rel, sizeof rel, "cg/%s", name);
                mk(rel);
                snprintf(rel, sizeof rel, "cg/%s/cgroup.procs", name);
                snprintf(text, sizeof text, "%zu\n", 1000 + i);
                put(rel, text);
                proc((int)(1000 + i), 0);
                add(&s, name, name, 1, true);
        }
        snprintf(cg, sizeof cg, "%s/cg", root);
        snprintf(pr, sizeof pr, "%s/proc", root);
        CHECK_EQ_INT(cgfs_open(cg, NULL, pr, &fs), 0);
        CHECK_EQ_INT(oomguard_new(&g), 0);
        if (fs && g) {
                struct oomguard_context ctx = {.fs = fs};
                CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, 1000 * USEC_PER_SEC), 0);
                for (size_t i = 0; i < n; i++) {
                        snprintf(rel, sizeof rel, "proc/%zu/oom_score_adj", 1000 + i);
                        done += get(rel) == 990;
                }
                CHECK_EQ_INT(done, OOMGUARD_SCANS_PER_PASS);
                CHECK_EQ_INT(oomguard_run(g, &ctx, c, &s, 1002 * USEC_PER_SEC), 0);
                done = 0;
                for (size_t i = 0; i < n; i++) {
                        snprintf(rel, sizeof rel, "proc/%zu/oom_score_adj", 1000 + i);
                        done += get(rel) == 990;
                }
                CHECK_EQ_INT(done, n);
        }
        oomguard_free(g);
        cgfs_free(fs);
        snapshot_done(&s);
        config_free(c);
        nftw(root, rm, 16, FTW_DEPTH | FTW_PHYS);
}

int main(void)
{
        test_mapping();
        test_plan();
        test_writer();
        test_gate();
        test_budget();
        return TEST_RESULT();
}
