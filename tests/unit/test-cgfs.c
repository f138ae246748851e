/* Unit tests for cgfs against the fixture trees in tests/fixtures/cgroupfs/
 * (argv[1]), copied to a temporary directory so writes, planted symlinks and
 * vanishing cgroups do not touch the checkout. Also the pure parsers of
 * /proc/PID/cgroup and mountinfo, and cgfs_detect() on this host. */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <linux/magic.h>
#include <unistd.h>

#include "cgfs.h"
#include "test.h"
#include "util.h"

#define LEN(s) (sizeof(s) - 1)

#define ID1 "3f1c2a9b8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170615f4e3"
#define ID2 "9a8b7c6d5e4f30211203948576afbecd9a8b7c6d5e4f30211203948576afbecd"

static char tmp_root[PATH_MAX];

/* --- temp tree helpers -------------------------------------------------- */

static const char *copy_src, *copy_dst;

static int copy_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        char dst[PATH_MAX];
        char buf[65536];
        int in, out, len;
        ssize_t n;

        len = snprintf(dst, sizeof dst, "%s%s", copy_dst, path + strlen(copy_src));
        if (len < 0 || (size_t)len >= sizeof dst)
                return -1;
        if (type == FTW_D)
                return mkdir(dst, 0755) < 0 && errno != EEXIST ? -1 : 0;
        if (type != FTW_F)
                return -1; /* the fixtures hold only directories and files */
        in = open(path, O_RDONLY | O_CLOEXEC);
        out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        n = in < 0 || out < 0 ? -1 : 0;
        while (n >= 0 && (n = read(in, buf, sizeof buf)) > 0)
                if (write(out, buf, (size_t)n) != n)
                        n = -1;
        if (in >= 0)
                close(in);
        if (out >= 0)
                close(out);
        return n < 0 ? -1 : 0;
}

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
        return remove(path);
}

static int rm_rf(const char *path)
{
        return nftw(path, remove_one, 32, FTW_DEPTH | FTW_PHYS);
}

static void tmp_path(char *buf, size_t size, const char *rel)
{
        int n = snprintf(buf, size, "%s/%s", tmp_root, rel);

        if (n < 0 || (size_t)n >= size)
                abort(); /* the test's own paths are short */
}

/* Remove rel (a fixture directory and what it holds) under the test tree. */
static void remove_tree(const char *rel)
{
        char p[PATH_MAX];

        tmp_path(p, sizeof p, rel);
        CHECK_EQ_INT(rm_rf(p), 0);
}

static struct cgfs *open_v2(void)
{
        char cg[PATH_MAX], proc[PATH_MAX];
        struct cgfs *fs = NULL;

        tmp_path(cg, sizeof cg, "v2/cgroup");
        tmp_path(proc, sizeof proc, "v2/proc");
        CHECK_EQ_INT(cgfs_open(cg, NULL, proc, &fs), 0);
        return fs;
}

static struct cgfs *open_hybrid(void)
{
        char cg[PATH_MAX], v1[PATH_MAX], proc[PATH_MAX];
        struct cgfs *fs = NULL;

        tmp_path(cg, sizeof cg, "hybrid/unified");
        tmp_path(v1, sizeof v1, "hybrid/memory");
        tmp_path(proc, sizeof proc, "hybrid/proc");
        CHECK_EQ_INT(cgfs_open(cg, v1, proc, &fs), 0);
        return fs;
}

static bool close_to(double a, double b)
{
        return a - b < 1e-9 && b - a < 1e-9;
}

/* --- reads on the pure v2 tree ------------------------------------------ */

static void test_v2_reads(void)
{
        struct cgfs *fs = open_v2();
        struct psi_stats psi;
        struct memory_events ev;
        struct meminfo mi;
        struct cgfs_v1_memory v1;
        char buf[256];
        uint64_t v;
        char *path = NULL;

        if (!fs)
                return;
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/" ID1, "memory.max", &v), 0);
        CHECK_EQ_U64(v, 8589934592ULL);
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/" ID1, "memory.high", &v), 0);
        CHECK_EQ_U64(v, 7516192768ULL);
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/" ID1, "memory.current", &v), 0);
        CHECK_EQ_U64(v, 3221225472ULL);
        CHECK_EQ_INT(cgfs_read_value(fs, "system.slice", "memory.max", &v), 0);
        CHECK_EQ_U64(v, BYTES_MAX);
        CHECK_EQ_INT(cgfs_read_value(fs, "system.slice/postgresql.service", "memory.max", &v), 0);
        CHECK_EQ_U64(v, 536870912ULL);

        CHECK_EQ_INT(cgfs_read_psi(fs, "docker/" ID1, "memory.pressure", &psi), 0);
        CHECK(close_to(psi.some.avg10, 1.50));
        CHECK_EQ_U64(psi.some.total_usec, 123456);
        CHECK(psi.has_full);
        CHECK_EQ_U64(psi.full.total_usec, 4567);
        /* The root cgroup, rel "". */
        CHECK_EQ_INT(cgfs_read_psi(fs, "", "io.pressure", &psi), 0);
        CHECK_EQ_U64(psi.some.total_usec, 5555555);

        CHECK_EQ_INT(cgfs_read_events(fs, "docker/" ID1, &ev), 0);
        CHECK_EQ_U64(ev.high, 211);
        CHECK_EQ_U64(ev.max, 3);
        CHECK_EQ_U64(ev.oom_kill, 1);

        CHECK_EQ_INT((int)cgfs_read(fs, "", "cgroup.controllers", buf, sizeof buf),
                     (int)strlen("cpuset cpu io memory hugetlb pids rdma misc\n"));
        CHECK_STREQ(buf, "cpuset cpu io memory hugetlb pids rdma misc\n");
        /* Too small a buffer is an error, not a silent truncation. */
        CHECK_EQ_INT((int)cgfs_read(fs, "", "cgroup.controllers", buf, 8), -EFBIG);
        /* A file that is not a number. */
        CHECK_EQ_INT(cgfs_read_value(fs, "", "cgroup.controllers", &v), -EINVAL);

        CHECK_EQ_INT(cgfs_read_meminfo(fs, &mi), 0);
        CHECK_EQ_U64(mi.mem_total_bytes, 24684084ULL * 1024);
        CHECK_EQ_U64(mi.mem_available_bytes, 16253112ULL * 1024);
        CHECK_EQ_U64(mi.swap_total_bytes, 2097148ULL * 1024);

        CHECK_EQ_INT(cgfs_read_host_psi(fs, "memory", &psi), 0);
        CHECK_EQ_U64(psi.some.total_usec, 987654);
        CHECK_EQ_INT(cgfs_read_host_psi(fs, "cpu", &psi), 0);
        CHECK(close_to(psi.some.avg60, 1.22));

        CHECK_EQ_INT(cgfs_pid_cgroup(fs, 4242, &path), 0);
        CHECK_STREQ(path, "docker/" ID1);
        free(path);
        CHECK_EQ_INT(cgfs_pid_cgroup(fs, 4243, &path), -ENOENT);

        /* No v1 memory root given. */
        CHECK_EQ_INT(cgfs_read_v1_memory(fs, "docker/" ID1, &v1), -EOPNOTSUPP);
        cgfs_free(fs);
}

/* --- hybrid tree: v1 memory + controller-less cgroup2 ------------------- */

static void test_hybrid_reads(void)
{
        struct cgfs *fs = open_hybrid();
        struct cgfs_v1_memory v1 = {.usage_bytes = 1};
        struct psi_stats psi;
        uint64_t v;
        char *path = NULL;

        if (!fs)
                return;
        CHECK_EQ_INT(cgfs_read_v1_memory(fs, "docker/" ID1, &v1), 0);
        CHECK_EQ_U64(v1.usage_bytes, 268169216ULL);
        CHECK_EQ_U64(v1.limit_bytes, 268435456ULL);
        CHECK_EQ_U64(v1.oom_kill, 1);
        CHECK(!v1.under_oom);
        /* v1 "unlimited" (PAGE_COUNTER_MAX pages) reads as BYTES_MAX. */
        CHECK_EQ_INT(cgfs_read_v1_memory(fs, "", &v1), 0);
        CHECK_EQ_U64(v1.limit_bytes, BYTES_MAX);
        CHECK_EQ_U64(v1.usage_bytes, 563474432ULL);
        CHECK_EQ_INT(cgfs_read_v1_memory(fs, "docker", &v1), 0);
        CHECK_EQ_U64(v1.limit_bytes, BYTES_MAX);
        CHECK_EQ_INT(cgfs_read_v1_memory(fs, "docker/gone", &v1), -ENOENT);
        CHECK_EQ_INT(cgfs_read_v1_memory(fs, "../memory", &v1), -EINVAL);
        CHECK_EQ_INT(cgfs_read_v1_memory(fs, "/docker", &v1), -EINVAL);

        CHECK_EQ_INT(cgfs_read_psi(fs, "docker/" ID1, "memory.pressure", &psi), 0);
        CHECK(close_to(psi.some.avg10, 12.34));
        CHECK(close_to(psi.full.avg300, 1.75));
        /* The unified tree has no memory controller files. */
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/" ID1, "memory.max", &v), -ENOENT);

        /* Hybrid /proc/PID/cgroup: v1 lines ignored, the 0:: line wins. */
        CHECK_EQ_INT(cgfs_pid_cgroup(fs, 4242, &path), 0);
        CHECK_STREQ(path, "docker/" ID1);
        free(path);
        /* ... and the memory line gives the path for the v1 reads. */
        path = NULL;
        CHECK_EQ_INT(cgfs_pid_cgroup_v1(fs, 4242, "memory", &path), 0);
        CHECK_STREQ(path, "docker/" ID1);
        if (path)
                CHECK_EQ_INT(cgfs_read_v1_memory(fs, path, &v1), 0);
        free(path);
        path = NULL;
        CHECK_EQ_INT(cgfs_pid_cgroup_v1(fs, 4242, "rdma", &path), -ENOENT);
        CHECK_EQ_INT(cgfs_pid_cgroup_v1(fs, 0, "memory", &path), -EINVAL);
        CHECK_EQ_INT(cgfs_pid_cgroup_v1(fs, 4243, "memory", &path), -ENOENT);
        CHECK(path == NULL);

        /* /proc/pressure/cpu without a "full" line (older kernels). */
        CHECK_EQ_INT(cgfs_read_host_psi(fs, "cpu", &psi), 0);
        CHECK(!psi.has_full);
        cgfs_free(fs);
}

/* --- validation ---------------------------------------------------------- */

static void test_validation(void)
{
        static const char *const bad_rels[] = {
            "/docker", "..",       "../v2",   "docker/..",    "docker/../docker",
            ".",       "./docker", "docker/", "docker//" ID1, "docker/./" ID1,
        };
        static const char *const bad_names[] = {"", ".", "..", "a/b", "../meminfo", "/memory.max"};
        struct cgfs *fs = open_hybrid();
        struct cgfs_v1_memory v1;
        struct psi_stats psi;
        struct memory_events ev;
        char buf[64];
        uint64_t v;
        char *path = NULL;

        if (!fs)
                return;
        for (size_t i = 0; i < ELEMENTSOF(bad_rels); i++) {
                CHECK_EQ_INT(cgfs_read_value(fs, bad_rels[i], "memory.pressure", &v), -EINVAL);
                CHECK_EQ_INT(cgfs_read_psi(fs, bad_rels[i], "memory.pressure", &psi), -EINVAL);
                CHECK_EQ_INT(cgfs_read_events(fs, bad_rels[i], &ev), -EINVAL);
                CHECK_EQ_INT(cgfs_write_value(fs, bad_rels[i], "memory.high", 1), -EINVAL);
                CHECK_EQ_INT(cgfs_write_string(fs, bad_rels[i], "cgroup.procs", "1"), -EINVAL);
                CHECK_EQ_INT(cgfs_open_pressure(fs, bad_rels[i], "memory.pressure"), -EINVAL);
                CHECK_EQ_INT(cgfs_read_v1_memory(fs, bad_rels[i], &v1), -EINVAL);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad_names); i++) {
                CHECK_EQ_INT((int)cgfs_read(fs, "docker", bad_names[i], buf, sizeof buf), -EINVAL);
                CHECK_EQ_INT(cgfs_write_string(fs, "docker", bad_names[i], "1"), -EINVAL);
                CHECK_EQ_INT(cgfs_open_pressure(fs, "docker", bad_names[i]), -EINVAL);
                CHECK_EQ_INT(cgfs_read_host_psi(fs, bad_names[i], &psi), -EINVAL);
                CHECK_EQ_INT(cgfs_open_host_pressure(fs, bad_names[i]), -EINVAL);
        }
        CHECK_EQ_INT(cgfs_write_string(fs, "docker", "cgroup.procs", ""), -EINVAL);
        CHECK_EQ_INT(cgfs_pid_cgroup(fs, 0, &path), -EINVAL);
        CHECK_EQ_INT(cgfs_pid_cgroup(fs, -1, &path), -EINVAL);
        CHECK(path == NULL);
        cgfs_free(fs);
}

/* --- writes -------------------------------------------------------------- */

static void read_file(const char *rel, char *buf, size_t size)
{
        char p[PATH_MAX];
        int fd;
        ssize_t n;

        tmp_path(p, sizeof p, rel);
        buf[0] = '\0';
        fd = open(p, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return;
        n = read(fd, buf, size - 1);
        buf[n > 0 ? n : 0] = '\0';
        close(fd);
}

static void test_writes(void)
{
        struct cgfs *fs = open_v2();
        char buf[64], p[PATH_MAX];
        uint64_t v;

        if (!fs)
                return;
        CHECK_EQ_INT(cgfs_write_value(fs, "docker/" ID2, "memory.high", 123456), 0);
        read_file("v2/cgroup/docker/" ID2 "/memory.high", buf, sizeof buf);
        CHECK_STREQ(buf, "123456\n");
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/" ID2, "memory.high", &v), 0);
        CHECK_EQ_U64(v, 123456);

        CHECK_EQ_INT(cgfs_write_value(fs, "docker/" ID2, "memory.high", BYTES_MAX), 0);
        read_file("v2/cgroup/docker/" ID2 "/memory.high", buf, sizeof buf);
        CHECK_STREQ(buf, "max\n");

        /* A shorter value replaces a longer one whole. */
        CHECK_EQ_INT(cgfs_write_value(fs, "docker/" ID1, "memory.max", 5), 0);
        read_file("v2/cgroup/docker/" ID1 "/memory.max", buf, sizeof buf);
        CHECK_STREQ(buf, "5\n");

        CHECK_EQ_INT(cgfs_write_string(fs, "docker/" ID2, "cgroup.procs", "1"), 0);
        read_file("v2/cgroup/docker/" ID2 "/cgroup.procs", buf, sizeof buf);
        CHECK_STREQ(buf, "1");

        /* Files are never created: no memory.reclaim in the fixture. */
        CHECK_EQ_INT(cgfs_write_string(fs, "docker/" ID2, "memory.reclaim", "4096"), -ENOENT);
        tmp_path(p, sizeof p, "v2/cgroup/docker/" ID2 "/memory.reclaim");
        CHECK(access(p, F_OK) < 0 && errno == ENOENT);
        CHECK_EQ_INT(cgfs_write_value(fs, "docker/missing", "memory.max", 1), -ENOENT);
        cgfs_free(fs);
}

static void test_pressure_fds(void)
{
        struct cgfs *fs = open_v2();
        int fd, fl;

        if (!fs)
                return;
        fd = cgfs_open_pressure(fs, "docker/" ID1, "memory.pressure");
        CHECK(fd >= 0);
        if (fd >= 0) {
                fl = fcntl(fd, F_GETFL);
                CHECK((fl & O_ACCMODE) == O_RDWR);
                CHECK(fl & O_NONBLOCK);
                CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
                close(fd);
        }
        fd = cgfs_open_host_pressure(fs, "memory");
        CHECK(fd >= 0);
        if (fd >= 0) {
                CHECK((fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
                close(fd);
        }
        CHECK_EQ_INT(cgfs_open_pressure(fs, "docker/gone", "memory.pressure"), -ENOENT);
        CHECK_EQ_INT(cgfs_open_host_pressure(fs, "irq"), -ENOENT);
        cgfs_free(fs);
}

/* --- walk ---------------------------------------------------------------- */

struct visited {
        char paths[128][PATH_MAX];
        size_t n;
        size_t abort_at;       /* return -42 at this visit (1-based); 0 = never */
        const char *remove_on; /* when visiting this path, remove remove_what */
        const char *remove_what;
};

static int collect(const char *rel, void *userdata)
{
        struct visited *v = userdata;

        if (v->n < ELEMENTSOF(v->paths))
                util_strlcpy(v->paths[v->n], rel, sizeof v->paths[0]);
        v->n++;
        if (v->remove_on && strcmp(rel, v->remove_on) == 0)
                remove_tree(v->remove_what);
        if (v->abort_at && v->n == v->abort_at)
                return -42;
        return 0;
}

static bool visited_has(const struct visited *v, const char *rel)
{
        for (size_t i = 0; i < v->n && i < ELEMENTSOF(v->paths); i++)
                if (strcmp(v->paths[i], rel) == 0)
                        return true;
        return false;
}

static void test_walk(void)
{
        static const char *const expected[] = {
            "docker",
            "docker/" ID1,
            "docker/" ID2,
            "system.slice",
            "system.slice/postgresql.service",
            "system.slice/redis-server.service",
            "user.slice",
        };
        struct visited *v = calloc(1, sizeof *v);
        struct cgfs *fs = open_v2();

        if (!fs || !v) {
                free(v);
                cgfs_free(fs);
                return;
        }
        CHECK_EQ_INT(cgfs_walk(fs, collect, v), 0);
        CHECK_EQ_INT(v->n, ELEMENTSOF(expected));
        for (size_t i = 0; i < ELEMENTSOF(expected) && i < v->n; i++)
                CHECK_STREQ(v->paths[i], expected[i]);

        /* A callback error aborts the walk with that value. */
        memset(v, 0, sizeof *v);
        v->abort_at = 3;
        CHECK_EQ_INT(cgfs_walk(fs, collect, v), -42);
        CHECK_EQ_INT(v->n, 3);
        free(v);
        cgfs_free(fs);
}

static void test_walk_symlinks(void)
{
        char target[PATH_MAX], link_path[PATH_MAX], outside[PATH_MAX];
        struct visited *v = calloc(1, sizeof *v);
        struct cgfs *fs = NULL;
        struct psi_stats psi;
        uint64_t val;

        if (!v)
                return;
        /* A directory outside the tree, a link to it, a link to a cgroup
         * inside the tree, and a link in a directory component. */
        tmp_path(outside, sizeof outside, "outside");
        CHECK_EQ_INT(mkdir(outside, 0755), 0);
        tmp_path(link_path, sizeof link_path, "v2/cgroup/evil-out");
        CHECK_EQ_INT(symlink(outside, link_path), 0);
        tmp_path(target, sizeof target, "v2/cgroup/system.slice");
        tmp_path(link_path, sizeof link_path, "v2/cgroup/docker/evil-in");
        CHECK_EQ_INT(symlink(target, link_path), 0);
        tmp_path(target, sizeof target, "v2/proc/meminfo");
        tmp_path(link_path, sizeof link_path, "v2/cgroup/docker/" ID2 "/memory.stolen");
        CHECK_EQ_INT(symlink(target, link_path), 0);

        fs = open_v2();
        if (!fs) {
                free(v);
                return;
        }
        CHECK_EQ_INT(cgfs_walk(fs, collect, v), 0);
        CHECK_EQ_INT(v->n, 7);
        CHECK(!visited_has(v, "evil-out"));
        CHECK(!visited_has(v, "docker/evil-in"));
        CHECK(!visited_has(v, "docker/evil-in/postgresql.service"));

        /* Reads through a link, in the last or a middle component, refuse. */
        CHECK_EQ_INT(cgfs_read_psi(fs, "docker/evil-in", "memory.pressure", &psi), -ELOOP);
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/evil-in/postgresql.service", "memory.max", &val),
                     -ELOOP);
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/" ID2, "memory.stolen", &val), -ELOOP);
        CHECK_EQ_INT(cgfs_write_value(fs, "docker/evil-in", "memory.high", 1), -ELOOP);
        CHECK(cgfs_open_pressure(fs, "docker/evil-in", "memory.pressure") == -ELOOP);
        cgfs_free(fs);
        free(v);
}

static void test_walk_depth(void)
{
        char p[PATH_MAX];
        struct visited *v = calloc(1, sizeof *v);
        struct cgfs *fs;
        size_t under_deep = 0, max_depth = 0;
        size_t len;

        if (!v)
                return;
        /* deep (depth 1) / d / d ... 40 levels. */
        tmp_path(p, sizeof p, "v2/cgroup/deep");
        CHECK_EQ_INT(mkdir(p, 0755), 0);
        for (int i = 0; i < 39; i++) {
                len = strlen(p);
                snprintf(p + len, sizeof p - len, "/d");
                CHECK_EQ_INT(mkdir(p, 0755), 0);
        }
        fs = open_v2();
        if (!fs) {
                free(v);
                return;
        }
        CHECK_EQ_INT(cgfs_walk(fs, collect, v), 0);
        for (size_t i = 0; i < v->n && i < ELEMENTSOF(v->paths); i++) {
                size_t depth = 1;

                if (strncmp(v->paths[i], "deep", 4) != 0)
                        continue;
                under_deep++;
                for (const char *c = v->paths[i]; *c; c++)
                        depth += *c == '/';
                if (depth > max_depth)
                        max_depth = depth;
        }
        CHECK_EQ_INT(under_deep, 32);
        CHECK_EQ_INT(max_depth, 32);
        cgfs_free(fs);
        free(v);
        remove_tree("v2/cgroup/deep");
}

/* Cgroups removed between the walk and the read, and during the walk. */
static void test_vanished(void)
{
        struct visited *v = calloc(1, sizeof *v);
        struct cgfs *fs = open_v2();
        struct psi_stats psi;
        struct memory_events ev;
        uint64_t val;
        char p[PATH_MAX];

        if (!fs || !v) {
                free(v);
                cgfs_free(fs);
                return;
        }
        CHECK_EQ_INT(cgfs_walk(fs, collect, v), 0);
        CHECK(visited_has(v, "docker/" ID2));
        remove_tree("v2/cgroup/docker/" ID2);
        CHECK_EQ_INT(cgfs_read_value(fs, "docker/" ID2, "memory.current", &val), -ENOENT);
        CHECK_EQ_INT(cgfs_read_psi(fs, "docker/" ID2, "memory.pressure", &psi), -ENOENT);
        CHECK_EQ_INT(cgfs_read_events(fs, "docker/" ID2, &ev), -ENOENT);
        CHECK_EQ_INT(cgfs_write_value(fs, "docker/" ID2, "memory.high", 1), -ENOENT);
        CHECK_EQ_INT(cgfs_write_string(fs, "docker/" ID2, "cgroup.kill", "1"), -ENOENT);
        CHECK_EQ_INT(cgfs_open_pressure(fs, "docker/" ID2, "memory.pressure"), -ENOENT);
        /* Nothing was recreated by the failed write. */
        CHECK(access(p, F_OK) < 0 && errno == ENOENT);

        /* A sibling removed during the walk is skipped; so are the children
         * of the cgroup being visited when it vanishes. */
        memset(v, 0, sizeof *v);
        v->remove_on = "docker";
        v->remove_what = "v2/cgroup/system.slice";
        CHECK_EQ_INT(cgfs_walk(fs, collect, v), 0);
        CHECK(!visited_has(v, "system.slice"));
        CHECK(visited_has(v, "user.slice"));

        memset(v, 0, sizeof *v);
        v->remove_on = "docker";
        v->remove_what = "v2/cgroup/docker";
        CHECK_EQ_INT(cgfs_walk(fs, collect, v), 0);
        CHECK(visited_has(v, "docker"));
        CHECK(!visited_has(v, "docker/" ID1));
        CHECK(visited_has(v, "user.slice"));
        CHECK_EQ_INT(v->n, 2);
        cgfs_free(fs);
        free(v);
}

/* The whole root vanishing: every call still returns an errno. */
static void test_root_vanished(void)
{
        char cg[PATH_MAX], proc[PATH_MAX];
        struct cgfs *fs = NULL;
        struct visited *v = calloc(1, sizeof *v);
        uint64_t val;
        int r;

        tmp_path(cg, sizeof cg, "gone/cgroup");
        tmp_path(proc, sizeof proc, "gone");
        CHECK_EQ_INT(mkdir(proc, 0755), 0);
        CHECK_EQ_INT(mkdir(cg, 0755), 0);
        CHECK_EQ_INT(cgfs_open(cg, NULL, proc, &fs), 0);
        if (!fs || !v) {
                free(v);
                return;
        }
        CHECK_EQ_INT(rm_rf(proc), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "", "memory.current", &val), -ENOENT);
        r = cgfs_walk(fs, collect, v);
        CHECK(r == 0 || r == -ENOENT);
        CHECK_EQ_INT(v->n, 0);
        cgfs_free(fs);
        free(v);
        CHECK_EQ_INT(cgfs_open(cg, NULL, proc, &fs), -ENOENT);
}

/* --- /proc/PID/cgroup parser ------------------------------------------- */

struct proc_cgroup_case {
        const char *text;
        size_t len;
        int expect_r;
        const char *expect_path;
};

#define PC(s, r, p)                                                                                \
        {                                                                                          \
                s, LEN(s), r, p                                                                    \
        }

static const struct proc_cgroup_case proc_cgroup_cases[] = {
    PC("0::/docker/abc\n", 0, "docker/abc"),
    PC("0::/docker/abc", 0, "docker/abc"),
    PC("0::/\n", 0, ""),
    PC("4:memory:/docker/abc\n1:cpu:/x\n0::/system.slice/a b.service\n", 0,
       "system.slice/a b.service"),
    PC("0::/a:b\n", 0, "a:b"),
    PC("12:name=systemd:/user.slice\n0::/user.slice/user-0.slice\n", 0, "user.slice/user-0.slice"),
    PC("", -ENOENT, NULL),
    PC("4:memory:/docker/abc\n", -ENOENT, NULL),
    PC("0::/docker/abc (deleted)\n", -ENOENT, NULL),
    PC("0::/docker/abc\n0::/docker/def\n", -EINVAL, NULL),
    PC("0::docker/abc\n", -EINVAL, NULL),
    PC("0::\n", -EINVAL, NULL),
    PC("0:/docker\n", -EINVAL, NULL),
    PC("0::/../../x\n", -EINVAL, NULL),
    PC("0::/a/../b\n", -EINVAL, NULL),
    PC("0::/a//b\n", -EINVAL, NULL),
    PC("0::/./a\n", -EINVAL, NULL),
    PC("0::/a\0b\n", -EINVAL, NULL),
    PC("0::/a\tb\n", -EINVAL, NULL),
    PC("0::/docker/abc\n\n", -EINVAL, NULL),
    PC("0::/docker/abc\ngarbage\n", -EINVAL, NULL),
    PC("foo) Z 0::/x\n", -EINVAL, NULL),
    PC("-1::/x\n", -EINVAL, NULL),
    PC("99999999999::/x\n", -EINVAL, NULL),
    PC(":memory:/x\n0::/y\n", -EINVAL, NULL),
    PC("4:mem\0ory:/x\n0::/y\n", -EINVAL, NULL),
    PC("\r\n", -EINVAL, NULL),
};

/* One parsed case: r and the path as expected (no path on failure); frees it. */
static void check_parsed_path(const char *what, size_t i, int r, char *path, int expect_r,
                              const char *expect_path)
{
        if (r != expect_r)
                fprintf(stderr, "%s case %zu: r=%d expected %d\n", what, i, r, expect_r);
        CHECK_EQ_INT(r, expect_r);
        if (expect_path)
                CHECK_STREQ(path, expect_path);
        else
                CHECK(path == NULL);
        free(path);
}

static void test_parse_proc_cgroup(void)
{
        for (size_t i = 0; i < ELEMENTSOF(proc_cgroup_cases); i++) {
                const struct proc_cgroup_case *c = &proc_cgroup_cases[i];
                char *path = NULL;
                int r = cgfs_parse_proc_cgroup(c->text, c->len, &path);

                check_parsed_path("proc cgroup", i, r, path, c->expect_r, c->expect_path);
        }
}

struct proc_cgroup_v1_case {
        const char *text;
        size_t len;
        const char *controller;
        int expect_r;
        const char *expect_path;
};

#define PC1(s, ctl, r, p)                                                                          \
        {                                                                                          \
                s, LEN(s), ctl, r, p                                                               \
        }

static const struct proc_cgroup_v1_case proc_cgroup_v1_cases[] = {
    PC1("4:memory:/docker/abc\n0::/docker/abc\n", "memory", 0, "docker/abc"),
    PC1("2:cpu,cpuacct:/x/y\n4:memory:/m\n", "cpuacct", 0, "x/y"),
    PC1("2:cpu,cpuacct:/x/y\n4:memory:/m\n", "cpu", 0, "x/y"),
    PC1("9:name=systemd:/user.slice\n", "name=systemd", 0, "user.slice"),
    PC1("4:memory:/\n", "memory", 0, ""),
    /* "mem" is not "memory", and the v2 line never names a controller. */
    PC1("4:memory:/docker/abc\n", "mem", -ENOENT, NULL),
    PC1("0::/docker/abc\n", "memory", -ENOENT, NULL),
    PC1("", "memory", -ENOENT, NULL),
    PC1("4:memory:/a\n5:memory:/b\n", "memory", -EINVAL, NULL),
    PC1("4:memory:/../x\n", "memory", -EINVAL, NULL),
    PC1("4:memory:docker\n", "memory", -EINVAL, NULL),
    PC1("4:memory:/a\0b\n", "memory", -EINVAL, NULL),
    PC1("4:memory:/a\ngarbage\n", "memory", -EINVAL, NULL),
    PC1("4:memory:/a\n", "", -EINVAL, NULL),
    PC1("4:memory:/a\n", "cpu,memory", -EINVAL, NULL),
};

static void test_parse_proc_cgroup_v1(void)
{
        for (size_t i = 0; i < ELEMENTSOF(proc_cgroup_v1_cases); i++) {
                const struct proc_cgroup_v1_case *c = &proc_cgroup_v1_cases[i];
                char *path = NULL;
                int r = cgfs_parse_proc_cgroup_v1(c->text, c->len, c->controller, &path);

                check_parsed_path("proc cgroup v1", i, r, path, c->expect_r, c->expect_path);
        }
}

/* --- mountinfo parser ---------------------------------------------------- */

static void load(const char *rel, char *buf, size_t size, size_t *ret_len)
{
        read_file(rel, buf, size);
        *ret_len = strlen(buf);
}

static void test_parse_mountinfo(void)
{
        static const char controllers[] = "cpuset cpu io memory hugetlb pids\n";
        static const char v1_only[] = "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup "
                                      "rw,memory\n";
        static const char escaped[] = "41 31 0:38 / /run/my\\040cgroup rw - cgroup2 cgroup2 rw\n";
        static const char no_sep[] = "41 31 0:38 / /sys/fs/cgroup rw cgroup2 cgroup2 rw\n";
        static const char short_line[] = "41 31 0:38 / /sys/fs/cgroup rw - cgroup2\n";
        static const char bad_escape[] = "41 31 0:38 / /a\\9 rw - cgroup2 cgroup2 rw\n";
        static const char nul_escape[] = "41 31 0:38 / /a\\000b rw - cgroup2 cgroup2 rw\n";
        static const char nul[] = "41 31 0:38 / /a\0 rw - cgroup2 cgroup2 rw\n";
        static const char other[] = "22 28 0:21 / /sys rw - sysfs sysfs rw\n";
        static const char optional_tags[] = "26 22 0:24 / /sys/fs/cgroup rw shared:9 master:1 - "
                                            "cgroup2 cgroup2 rw\n";
        struct cgfs_layout_info *info = calloc(1, sizeof *info);
        char *buf = malloc(65536);
        size_t len;

        if (!info || !buf) {
                free(info);
                free(buf);
                return;
        }
        load("v2/proc/self/mountinfo", buf, 65536, &len);
        CHECK(len > 0);
        CHECK_EQ_INT(cgfs_parse_mountinfo(buf, len, controllers, LEN(controllers), info), 0);
        CHECK_EQ_INT(info->layout, CGFS_LAYOUT_V2);
        CHECK_STREQ(info->v2_root, "/sys/fs/cgroup");
        CHECK_STREQ(info->v1_memory, "");
        CHECK(info->v2_memory);

        load("hybrid/proc/self/mountinfo", buf, 65536, &len);
        CHECK_EQ_INT(cgfs_parse_mountinfo(buf, len, "hugetlb\n", 8, info), 0);
        CHECK_EQ_INT(info->layout, CGFS_LAYOUT_HYBRID);
        CHECK_STREQ(info->v2_root, "/sys/fs/cgroup/unified");
        CHECK_STREQ(info->v1_memory, "/sys/fs/cgroup/memory");
        CHECK(!info->v2_memory);
        /* Without the controllers text the v1 memory mount still decides. */
        CHECK_EQ_INT(cgfs_parse_mountinfo(buf, len, NULL, 0, info), 0);
        CHECK_EQ_INT(info->layout, CGFS_LAYOUT_HYBRID);

        CHECK_EQ_INT(cgfs_parse_mountinfo(v1_only, LEN(v1_only), NULL, 0, info), 0);
        CHECK_EQ_INT(info->layout, CGFS_LAYOUT_V1);
        CHECK_STREQ(info->v2_root, "");
        CHECK_EQ_INT(cgfs_parse_mountinfo(escaped, LEN(escaped), NULL, 0, info), 0);
        CHECK_STREQ(info->v2_root, "/run/my cgroup");
        CHECK_EQ_INT(cgfs_parse_mountinfo(optional_tags, LEN(optional_tags), NULL, 0, info), 0);
        CHECK_STREQ(info->v2_root, "/sys/fs/cgroup");

        info->layout = CGFS_LAYOUT_V1;
        CHECK_EQ_INT(cgfs_parse_mountinfo("", 0, NULL, 0, info), -ENOENT);
        CHECK_EQ_INT(cgfs_parse_mountinfo(other, LEN(other), NULL, 0, info), -ENOENT);
        CHECK_EQ_INT(cgfs_parse_mountinfo(no_sep, LEN(no_sep), NULL, 0, info), -EINVAL);
        CHECK_EQ_INT(cgfs_parse_mountinfo(short_line, LEN(short_line), NULL, 0, info), -EINVAL);
        CHECK_EQ_INT(cgfs_parse_mountinfo(bad_escape, LEN(bad_escape), NULL, 0, info), -EINVAL);
        CHECK_EQ_INT(cgfs_parse_mountinfo(nul_escape, LEN(nul_escape), NULL, 0, info), -EINVAL);
        CHECK_EQ_INT(cgfs_parse_mountinfo(nul, LEN(nul), NULL, 0, info), -EINVAL);
        /* Failures leave the output alone. */
        CHECK_EQ_INT(info->layout, CGFS_LAYOUT_V1);
        free(info);
        free(buf);
}

/* --- detection on this host ---------------------------------------------- */

static bool is_dir(const char *p)
{
        struct stat st;

        return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static long fs_magic(const char *p)
{
        struct statfs sfs;

        return statfs(p, &sfs) == 0 ? (long)sfs.f_type : 0;
}

static void test_detect_host(void)
{
        struct cgfs_layout_info *info = calloc(1, sizeof *info);
        int r;

        if (!info)
                return;
        r = cgfs_detect(info);
        CHECK_EQ_INT(r, 0);
        if (r == 0) {
                fprintf(stderr, "detect: layout=%s v2_root=%s v1_memory=%s v2_memory=%d\n",
                        cgfs_layout_name(info->layout), info->v2_root, info->v1_memory,
                        info->v2_memory);
                CHECK(info->layout != CGFS_LAYOUT_UNKNOWN);
                if (info->v2_root[0]) {
                        CHECK(is_dir(info->v2_root));
                        CHECK(fs_magic(info->v2_root) == CGROUP2_SUPER_MAGIC);
                }
                if (info->v1_memory[0]) {
                        CHECK(is_dir(info->v1_memory));
                        CHECK(fs_magic(info->v1_memory) == CGROUP_SUPER_MAGIC);
                }
                if (info->layout == CGFS_LAYOUT_V2)
                        CHECK(info->v2_root[0]);
                if (info->layout == CGFS_LAYOUT_HYBRID)
                        CHECK(info->v2_root[0] && info->v1_memory[0] && !info->v2_memory);
                if (info->layout == CGFS_LAYOUT_V1)
                        CHECK(!info->v2_root[0] && info->v1_memory[0]);
        }
        free(info);
}

/* --- kept-open files and the cached walk --------------------------------- */

/* Write content to tmp_root/rel, creating or truncating it in place. */
static void put_file(const char *rel, const char *content)
{
        char p[PATH_MAX];
        int fd;

        tmp_path(p, sizeof p, rel);
        fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        CHECK(fd >= 0);
        if (fd < 0)
                return;
        CHECK_EQ_INT(util_write_all(fd, content, strlen(content)), 0);
        close(fd);
}

static void make_dir(const char *rel)
{
        char p[PATH_MAX];

        tmp_path(p, sizeof p, rel);
        CHECK(mkdir(p, 0755) == 0 || errno == EEXIST);
}

/* A private tree: BASE/cgroup/{a,b,c} with memory.current, and BASE/proc. */
static struct cgfs *open_kept_tree(const char *base)
{
        static const char *const dirs[] = {"",          "/cgroup",   "/proc",    "/proc/pressure",
                                           "/cgroup/a", "/cgroup/b", "/cgroup/c"};
        char cg[PATH_MAX], proc[PATH_MAX], rel[PATH_MAX];
        struct cgfs *fs = NULL;

        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                snprintf(rel, sizeof rel, "%s%s", base, dirs[i]);
                make_dir(rel);
        }
        for (char g = 'a'; g <= 'c'; g++) {
                snprintf(rel, sizeof rel, "%s/cgroup/%c/memory.current", base, g);
                put_file(rel, "100\n");
        }
        snprintf(rel, sizeof rel, "%s/proc/meminfo", base);
        put_file(rel, "MemTotal: 1000 kB\nMemFree: 500 kB\nMemAvailable: 600 kB\n");
        snprintf(rel, sizeof rel, "%s/proc/pressure/memory", base);
        put_file(rel, "some avg10=1.00 avg60=0.00 avg300=0.00 total=5\n"
                      "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        snprintf(rel, sizeof rel, "%s/cgroup", base);
        tmp_path(cg, sizeof cg, rel);
        snprintf(rel, sizeof rel, "%s/proc", base);
        tmp_path(proc, sizeof proc, rel);
        CHECK_EQ_INT(cgfs_open(cg, NULL, proc, &fs), 0);
        return fs;
}

static void test_kept_files(void)
{
        struct cgfs *fs = open_kept_tree("kept");
        struct meminfo mi;
        struct psi_stats psi;
        char p[PATH_MAX], q[PATH_MAX], buf[8];
        uint64_t val = 0;

        if (!fs)
                return;
        CHECK_EQ_INT(cgfs_kept_count(fs), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.current", &val), 0);
        CHECK_EQ_U64(val, 100);
        CHECK_EQ_INT(cgfs_kept_count(fs), 1);

        /* Rewritten in place (as cgroupfs and cgfs_write_value do): the kept
         * fd reads the new value, shorter or longer. */
        put_file("kept/cgroup/a/memory.current", "7\n");
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.current", &val), 0);
        CHECK_EQ_U64(val, 7);
        CHECK_EQ_INT(cgfs_write_value(fs, "a", "memory.current", 123456), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.current", &val), 0);
        CHECK_EQ_U64(val, 123456);
        CHECK_EQ_INT(cgfs_kept_count(fs), 1);

        /* Replaced by rename: the old inode is unlinked, so the path is read afresh. */
        put_file("kept/cgroup/a/new", "42\n");
        tmp_path(p, sizeof p, "kept/cgroup/a/new");
        tmp_path(q, sizeof q, "kept/cgroup/a/memory.current");
        CHECK_EQ_INT(rename(p, q), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.current", &val), 0);
        CHECK_EQ_U64(val, 42);

        /* Too big for the buffer through a kept fd, as through a fresh one;
         * exactly size - 1 bytes still fits. */
        CHECK_EQ_INT(cgfs_read(fs, "b", "memory.current", buf, sizeof buf), 4);
        put_file("kept/cgroup/b/memory.current", "12345678\n");
        CHECK_EQ_INT(cgfs_read(fs, "b", "memory.current", buf, sizeof buf), -EFBIG);
        put_file("kept/cgroup/b/memory.current", "123456\n");
        CHECK_EQ_INT(cgfs_read(fs, "b", "memory.current", buf, sizeof buf), 7);
        CHECK_STREQ(buf, "123456\n");

        /* The cgroup removed: -ENOENT, and its fd is no longer kept. */
        CHECK_EQ_INT(cgfs_kept_count(fs), 2);
        remove_tree("kept/cgroup/b");
        CHECK_EQ_INT(cgfs_read_value(fs, "b", "memory.current", &val), -ENOENT);
        CHECK_EQ_INT(cgfs_kept_count(fs), 1);
        /* ... and made again under the same name: the new one is read. */
        make_dir("kept/cgroup/b");
        put_file("kept/cgroup/b/memory.current", "9\n");
        CHECK_EQ_INT(cgfs_read_value(fs, "b", "memory.current", &val), 0);
        CHECK_EQ_U64(val, 9);

        /* procfs files are kept too, and see changes. */
        CHECK_EQ_INT(cgfs_read_meminfo(fs, &mi), 0);
        CHECK_EQ_U64(mi.mem_available_bytes, 600 * 1024);
        put_file("kept/proc/meminfo", "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 200 kB\n");
        CHECK_EQ_INT(cgfs_read_meminfo(fs, &mi), 0);
        CHECK_EQ_U64(mi.mem_available_bytes, 200 * 1024);
        CHECK_EQ_INT(cgfs_read_host_psi(fs, "memory", &psi), 0);
        CHECK(close_to(psi.some.avg10, 1.0));
        CHECK_EQ_INT(cgfs_kept_count(fs), 4);

        /* A sweep closes what was not read since the previous one. */
        cgfs_kept_sweep(fs);
        CHECK_EQ_INT(cgfs_kept_count(fs), 4); /* all read in the first epoch */
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.current", &val), 0);
        CHECK_EQ_INT(cgfs_read_meminfo(fs, &mi), 0);
        cgfs_kept_sweep(fs);
        CHECK_EQ_INT(cgfs_kept_count(fs), 2);
        cgfs_kept_sweep(fs);
        CHECK_EQ_INT(cgfs_kept_count(fs), 0);
        /* and reading again after a sweep opens afresh */
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.current", &val), 0);
        CHECK_EQ_U64(val, 42);
        CHECK_EQ_INT(cgfs_kept_count(fs), 1);

        /* A group gone: its own files closed at once, not its neighbours',
         * not a child's, not one whose name it begins, not the host's. */
        make_dir("kept/cgroup/a/sub");
        put_file("kept/cgroup/a/sub/memory.current", "5\n");
        make_dir("kept/cgroup/ab");
        put_file("kept/cgroup/ab/memory.current", "6\n");
        put_file("kept/cgroup/memory.current", "8\n");
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.high", &val), -ENOENT);
        put_file("kept/cgroup/a/memory.high", "9\n");
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.high", &val), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "a/sub", "memory.current", &val), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "ab", "memory.current", &val), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "b", "memory.current", &val), 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "", "memory.current", &val), 0);
        CHECK_EQ_INT(cgfs_read_meminfo(fs, &mi), 0);
        CHECK_EQ_INT(cgfs_kept_count(fs), 7);
        cgfs_kept_forget(fs, "a");
        CHECK_EQ_INT(cgfs_kept_count(fs), 5); /* a's memory.current and memory.high */
        cgfs_kept_forget(fs, "");
        CHECK_EQ_INT(cgfs_kept_count(fs), 4); /* the root's own file; meminfo stays */
        cgfs_kept_forget(fs, "a/sub");
        cgfs_kept_forget(fs, "ab");
        cgfs_kept_forget(fs, "b");
        CHECK_EQ_INT(cgfs_kept_count(fs), 1);
        cgfs_free(fs);
}

/* The budget is a quarter of RLIMIT_NOFILE: past it, reads still work and
 * nothing more is kept. Many files also exercise the table's growth and
 * removal with shifting. */
/* A file that cannot be pread() (a FIFO here; a kernel file opened
 * nonseekable) is read with read(), as before files were kept, and from then
 * on nothing is kept: the kept reads rely on pread(). */
static void test_kept_no_pread(void)
{
        struct cgfs *fs = open_kept_tree("nopread");
        char p[PATH_MAX];
        uint64_t val = 0;
        pid_t pid;
        int status;

        if (!fs)
                return;
        tmp_path(p, sizeof p, "nopread/cgroup/a/memory.high");
        CHECK(mkfifo(p, 0644) == 0);
        pid = fork();
        CHECK(pid >= 0);
        if (pid == 0) { /* the writer: the open waits for cgfs's, the close ends its read */
                int fd = open(p, O_WRONLY | O_CLOEXEC);

                _exit(fd >= 0 && write(fd, "42\n", 3) == 3 ? 0 : 1);
        }
        CHECK_EQ_INT(cgfs_read_value(fs, "a", "memory.high", &val), 0);
        CHECK_EQ_U64(val, 42);
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK_EQ_INT(cgfs_read_value(fs, "b", "memory.current", &val), 0);
        CHECK_EQ_U64(val, 100);
        CHECK_EQ_INT(cgfs_kept_count(fs), 0);
        cgfs_free(fs);
}

static void test_kept_budget(void)
{
        struct rlimit old, small;
        struct cgfs *fs = NULL;
        char rel[64];
        uint64_t val;

        CHECK_EQ_INT(getrlimit(RLIMIT_NOFILE, &old), 0);
        small = old;
        small.rlim_cur = 400; /* budget 100 */
        CHECK_EQ_INT(setrlimit(RLIMIT_NOFILE, &small), 0);
        fs = open_kept_tree("budget");
        CHECK_EQ_INT(setrlimit(RLIMIT_NOFILE, &old), 0);
        if (!fs)
                return;
        make_dir("budget/cgroup/many");
        for (unsigned i = 0; i < 150; i++) {
                char content[32];

                snprintf(rel, sizeof rel, "budget/cgroup/many/f%u", i);
                snprintf(content, sizeof content, "%u\n", i);
                put_file(rel, content);
        }
        for (unsigned round = 0; round < 2; round++)
                for (unsigned i = 0; i < 150; i++) {
                        snprintf(rel, sizeof rel, "f%u", i);
                        val = UINT64_MAX;
                        CHECK_EQ_INT(cgfs_read_value(fs, "many", rel, &val), 0);
                        CHECK_EQ_U64(val, i);
                }
        CHECK_EQ_INT(cgfs_kept_count(fs), 100);
        /* Every other file read this epoch: the sweep removes 50 from the
         * middle of probe runs, and the rest must stay findable. */
        cgfs_kept_sweep(fs);
        for (unsigned i = 0; i < 100; i += 2) {
                snprintf(rel, sizeof rel, "f%u", i);
                CHECK_EQ_INT(cgfs_read_value(fs, "many", rel, &val), 0);
        }
        cgfs_kept_sweep(fs);
        CHECK_EQ_INT(cgfs_kept_count(fs), 50);
        for (unsigned i = 0; i < 100; i += 2) {
                snprintf(rel, sizeof rel, "budget/cgroup/many/f%u", i);
                put_file(rel, "77\n");
                snprintf(rel, sizeof rel, "f%u", i);
                CHECK_EQ_INT(cgfs_read_value(fs, "many", rel, &val), 0);
                CHECK_EQ_U64(val, 77);
        }
        CHECK_EQ_INT(cgfs_kept_count(fs), 50); /* found, not opened again */
        cgfs_free(fs);
}

/* cgfs_walk_cached() at now_sec seconds, the list at most 5 s old, into v
 * emptied first. */
static int walk_cached_at(struct cgfs *fs, unsigned now_sec, struct visited *v)
{
        memset(v, 0, sizeof *v);
        return cgfs_walk_cached(fs, now_sec * USEC_PER_SEC, 5 * USEC_PER_SEC, collect, v);
}

static void test_walk_cached(void)
{
        struct visited *v = calloc(1, sizeof *v);
        struct cgfs *fs = open_kept_tree("walk");

        if (!fs || !v) {
                free(v);
                cgfs_free(fs);
                return;
        }
        /* The fallback without inotify (test_walk_watched has the watches). */
        cgfs_watch_disable(fs);
        /* Without cgroup.stat every call walks: a new cgroup is seen at once. */
        CHECK_EQ_INT(walk_cached_at(fs, 1, v), 0);
        CHECK_EQ_INT(v->n, 3);
        make_dir("walk/cgroup/d");
        CHECK_EQ_INT(walk_cached_at(fs, 2, v), 0);
        CHECK_EQ_INT(v->n, 4);
        CHECK(visited_has(v, "d"));

        /* With it, the list is replayed while the count and age allow: a
         * cgroup made without the count changing is not seen (this is what
         * the replay saves: no walk)... */
        put_file("walk/cgroup/cgroup.stat", "nr_descendants 4\nnr_dying_descendants 0\n");
        CHECK_EQ_INT(walk_cached_at(fs, 10, v), 0);
        CHECK_EQ_INT(v->n, 4);
        make_dir("walk/cgroup/e");
        CHECK_EQ_INT(walk_cached_at(fs, 11, v), 0);
        CHECK_EQ_INT(v->n, 4);
        CHECK(!visited_has(v, "e"));
        /* ... a removed one is still listed (its reads say -ENOENT) ... */
        remove_tree("walk/cgroup/d");
        CHECK_EQ_INT(walk_cached_at(fs, 12, v), 0);
        CHECK(visited_has(v, "d"));
        /* ... the replay order is the walk's, and a callback error aborts it ... */
        CHECK_STREQ(v->paths[0], "a");
        CHECK_STREQ(v->paths[3], "d");
        memset(v, 0, sizeof *v);
        v->abort_at = 2;
        CHECK_EQ_INT(cgfs_walk_cached(fs, 12 * USEC_PER_SEC, 5 * USEC_PER_SEC, collect, v), -42);
        CHECK_EQ_INT(v->n, 2);
        /* ... until the count changes: walked again at once ... */
        put_file("walk/cgroup/cgroup.stat", "nr_descendants 4\nnr_dying_descendants 1\n");
        CHECK_EQ_INT(walk_cached_at(fs, 13, v), 0);
        CHECK(!visited_has(v, "e")); /* nr_dying_descendants is not the count */
        put_file("walk/cgroup/cgroup.stat", "nr_descendants 5\nnr_dying_descendants 0\n");
        CHECK_EQ_INT(walk_cached_at(fs, 13, v), 0);
        CHECK(visited_has(v, "e"));
        CHECK(!visited_has(v, "d"));
        CHECK_EQ_INT(v->n, 4);
        /* ... or the list grows old: a swap (one gone, one new, same count)
         * is seen within max_age. */
        remove_tree("walk/cgroup/e");
        make_dir("walk/cgroup/f");
        CHECK_EQ_INT(walk_cached_at(fs, 17, v), 0);
        CHECK(visited_has(v, "e") && !visited_has(v, "f"));
        CHECK_EQ_INT(walk_cached_at(fs, 18, v), 0);
        CHECK(!visited_has(v, "e") && visited_has(v, "f"));
        /* A clock that went back never replays a stale list. */
        make_dir("walk/cgroup/g");
        CHECK_EQ_INT(walk_cached_at(fs, 1, v), 0);
        CHECK(visited_has(v, "g"));
        /* Cleared: the next call walks. */
        make_dir("walk/cgroup/h");
        cgfs_walk_cache_clear(fs);
        CHECK_EQ_INT(walk_cached_at(fs, 1, v), 0);
        CHECK(visited_has(v, "h"));
        cgfs_free(fs);
        free(v);
}

/* With inotify: the walk is replayed until a directory is made or removed
 * anywhere in the tree, however old the list (no count change needed); a
 * group's watch reports writes to its files once, and goes when swept
 * unused or when its directory is removed. */
static void test_walk_watched(void)
{
        struct visited *v = calloc(1, sizeof *v);
        struct cgfs *fs = open_kept_tree("watched");
        int wd;

        if (!fs || !v) {
                free(v);
                cgfs_free(fs);
                return;
        }
        CHECK(cgfs_watch_fd(fs) >= 0);
        put_file("watched/cgroup/cgroup.stat", "nr_descendants 3\nnr_dying_descendants 0\n");
        CHECK_EQ_INT(walk_cached_at(fs, 1, v), 0);
        CHECK_EQ_INT(v->n, 3);
        CHECK_EQ_INT(cgfs_watch_count(fs), 4); /* the root and a, b, c */
        /* replayed long past max_age while nothing changed */
        CHECK_EQ_INT(walk_cached_at(fs, 100, v), 0);
        CHECK_EQ_INT(v->n, 3);
        /* one removed, one made, the count unchanged: seen at once */
        remove_tree("watched/cgroup/b");
        make_dir("watched/cgroup/a/x");
        CHECK_EQ_INT(walk_cached_at(fs, 101, v), 0);
        CHECK(visited_has(v, "a/x") && !visited_has(v, "b"));
        CHECK_EQ_INT(walk_cached_at(fs, 102, v), 0);
        CHECK(visited_has(v, "a/x") && !visited_has(v, "b")); /* replayed again */
        /* made and removed, nested, in any order: the list kept up to date
         * event by event is the list a whole walk gives, in its order */
        make_dir("watched/cgroup/a/x/y");
        make_dir("watched/cgroup/0");
        make_dir("watched/cgroup/0/z");
        make_dir("watched/cgroup/b");
        remove_tree("watched/cgroup/0/z");
        make_dir("watched/cgroup/a.b");
        CHECK_EQ_INT(walk_cached_at(fs, 102, v), 0);
        {
                struct visited *whole = calloc(1, sizeof *whole);

                CHECK(whole != NULL);
                if (whole) {
                        CHECK_EQ_INT(cgfs_walk(fs, collect, whole), 0);
                        CHECK_EQ_INT(v->n, whole->n);
                        for (size_t i = 0; i < v->n && i < whole->n; i++)
                                CHECK_STREQ(v->paths[i], whole->paths[i]);
                        CHECK(visited_has(v, "a/x/y") && visited_has(v, "0") &&
                              !visited_has(v, "0/z") && visited_has(v, "a.b"));
                        free(whole);
                }
        }
        remove_tree("watched/cgroup/0");
        remove_tree("watched/cgroup/a.b");
        remove_tree("watched/cgroup/a/x/y");
        /* the tree's changes are pending until the cached walk takes them */
        (void)cgfs_watch_process(fs);
        CHECK(cgfs_watch_pending(fs));
        CHECK_EQ_INT(walk_cached_at(fs, 102, v), 0);
        CHECK(!cgfs_watch_pending(fs));
        CHECK(!visited_has(v, "0") && !visited_has(v, "a/x/y") && visited_has(v, "a/x"));

        /* a group's watch: the same wd as the walk's for its directory */
        wd = cgfs_watch_add(fs, "c");
        CHECK(wd >= 0);
        CHECK_EQ_INT(cgfs_watch_take(fs, wd), 0);
        CHECK(!cgfs_watch_pending(fs));
        put_file("watched/cgroup/c/memory.current", "200\n");
        CHECK(cgfs_watch_process(fs) >= 1);
        CHECK(cgfs_watch_pending(fs));
        CHECK_EQ_INT(cgfs_watch_take(fs, wd), 1);
        CHECK_EQ_INT(cgfs_watch_take(fs, wd), 0); /* reported once */
        CHECK(!cgfs_watch_pending(fs));
        CHECK_EQ_INT(cgfs_watch_take(fs, 99999), -ENOENT);
        /* its directory removed: the watch goes, and the walk sees it */
        remove_tree("watched/cgroup/c");
        (void)cgfs_watch_process(fs);
        CHECK_EQ_INT(cgfs_watch_take(fs, wd), -ENOENT);
        CHECK_EQ_INT(walk_cached_at(fs, 103, v), 0);
        CHECK(!visited_has(v, "c"));
        /* a group watch not taken since the last sweep is removed; the
         * walk's own directories stay */
        wd = cgfs_watch_add(fs, "a/x");
        CHECK(wd >= 0);
        cgfs_watch_sweep(fs);
        cgfs_watch_sweep(fs);
        /* a/x stays watched for the walk, no longer for a group's files */
        CHECK_EQ_INT(cgfs_watch_take(fs, wd), -ENOENT);
        put_file("watched/cgroup/a/x/memory.current", "300\n");
        CHECK_EQ_INT(cgfs_watch_process(fs), 0);
        CHECK(!cgfs_watch_pending(fs));
        CHECK_EQ_INT(cgfs_watch_add(fs, "a/x"), wd); /* a group's again: the same wd */
        CHECK_EQ_INT(cgfs_watch_take(fs, wd), 0);
        put_file("watched/cgroup/a/x/memory.current", "400\n");
        CHECK(cgfs_watch_process(fs) >= 1);
        CHECK_EQ_INT(cgfs_watch_take(fs, wd), 1);
        cgfs_free(fs);
        free(v);
}

int main(int argc, char **argv)
{
        char *tmpdir;

        if (argc != 2) {
                fprintf(stderr, "usage: %s FIXTURE-DIR (tests/fixtures/cgroupfs)\n", argv[0]);
                return 2;
        }
        tmpdir = getenv("TMPDIR");
        snprintf(tmp_root, sizeof tmp_root, "%s/test-cgfs.XXXXXX", tmpdir ? tmpdir : "/tmp");
        if (!mkdtemp(tmp_root)) {
                perror("mkdtemp");
                return 1;
        }
        copy_src = argv[1];
        copy_dst = tmp_root;
        if (nftw(argv[1], copy_one, 32, FTW_PHYS) != 0) {
                fprintf(stderr, "copying %s to %s failed\n", argv[1], tmp_root);
                rm_rf(tmp_root);
                return 1;
        }

        test_parse_proc_cgroup();
        test_parse_proc_cgroup_v1();
        test_parse_mountinfo();
        test_v2_reads();
        test_hybrid_reads();
        test_validation();
        test_writes();
        test_pressure_fds();
        test_walk();
        test_walk_symlinks();
        test_walk_depth();
        test_vanished();
        test_root_vanished();
        test_kept_files();
        test_kept_budget();
        test_kept_no_pread();
        test_walk_cached();
        test_walk_watched();
        test_detect_host();

        rm_rf(tmp_root);
        return TEST_RESULT();
}
