/* test-metrics — the Prometheus exposition for a fixed state, diffed against
 * tests/fixtures/govctl/metrics.prom (argv[1] is that directory; set
 * UPDATE_GOLDEN=1 to rewrite it), plus label escaping and unique series.
 * `promtool check metrics` runs on the golden and on a live daemon's output
 * in the integration test. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "status.h"
#include "history.h"
#include "metrics.h"
#include "test.h"
#include "util.h"

static const char *golden_dir = "tests/fixtures/govctl";

static char *render(const struct metrics_input *in)
{
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);

        CHECK_EQ_INT(metrics_format_input(in, f), 0);
        fclose(f);
        return text;
}

static void fill(struct snapshot *s)
{
        struct group_sample *g;

        snapshot_init(s);
        s->host.mem.mem_total_bytes = 24ULL << 30;
        s->host.mem.mem_available_bytes = 6ULL << 30;
        s->host.has_psi = true;
        s->host.memory_psi.some = (struct psi_line){.avg10 = 1.25, .total_usec = 2500000};
        s->host.memory_psi.full = (struct psi_line){.avg10 = 0.5, .total_usec = 1000000};
        s->host.memory_psi.has_full = true;
        s->host.io_psi.some.avg10 = 3;

        g = snapshot_add_group(s);
        g->kind = GROUP_CONTAINER;
        strcpy(g->name, "sutazai-ollama");
        g->rule = 0;
        g->has_memory = true;
        g->memory_current = 8053063680ULL; /* 7.5G: exact, not 8.05306e+09 */
        g->memory_max = 8ULL << 30;
        g->memory_high = BYTES_MAX;
        g->has_psi = true;
        g->psi.some.avg10 = 12.34;
        g->psi.full.avg10 = 2;
        g->psi.has_full = true;
        g->has_events = true;
        g->events.oom_kill = 3;

        g = snapshot_add_group(s);
        g->kind = GROUP_CGROUP;
        strcpy(g->name, "odd\\path \"quoted\"\nnewline \xff end");
        g->has_memory = true;
        g->memory_current = 1;
        g->memory_max = 2;
        g->memory_high = 3;

        /* the same (name, kind) again: skipped, series stay unique */
        g = snapshot_add_group(s);
        g->kind = GROUP_CONTAINER;
        strcpy(g->name, "sutazai-ollama");
        g->has_memory = true;
        g->memory_current = 999;

        /* same name, other kind: a different series */
        g = snapshot_add_group(s);
        g->kind = GROUP_CGROUP;
        strcpy(g->name, "sutazai-ollama");
        g->has_memory = true;
        g->memory_current = 5;
        g->memory_max = BYTES_MAX;
        g->memory_high = BYTES_MAX;
}

static void test_golden(void)
{
        struct snapshot s;
        struct history *h;
        struct history_entry e = {.time_realtime_usec = 1, .kind = "kill", .target = "x"};
        struct metrics_disk disks[] = {
            {.path = "/",
             .tier = TIER_CRITICAL,
             .sampled = true,
             .used_percent = 91.5,
             .size_bytes = 100ULL << 30,
             .avail_bytes = 8ULL << 30},
            {.path = "/var/lib/\"docker\"", .tier = TIER_NORMAL, .sampled = false},
        };
        struct status_counters counters = {
            .actions_failed = 2,
            .oom_events = 4,
            .bytes_freed = 1ULL << 33,
            .ticks = 100,
            .trigger_wakeups = 7,
            .last_tick_usec = 1500,
        };
        struct metrics_input in = {
            .version = "0.1.0",
            .snapshot = &s,
            .memory_tier = TIER_WARNING,
            .disks = disks,
            .n_disks = ELEMENTSOF(disks),
            .counters = &counters,
            .docker_configured = true,
            .docker_connected = true,
            .dry_run = false,
            .paused = true,
            .n_overrides = 1,
            .started_realtime_usec = 1700000000ULL * USEC_PER_SEC,
        };
        char path[1024], *text, *want = NULL;
        FILE *f;

        CHECK_EQ_INT(history_new(10, &h), 0);
        history_add(h, &e);
        e.dry_run = true;
        history_add(h, &e);
        in.history = h;
        fill(&s);
        text = render(&in);

        snprintf(path, sizeof path, "%s/metrics.prom", golden_dir);
        if (getenv("UPDATE_GOLDEN")) {
                f = fopen(path, "we");
                fputs(text, f);
                fclose(f);
        }
        f = fopen(path, "re");
        CHECK(f != NULL);
        if (f) {
                size_t len = 0;
                CHECK(getdelim(&want, &len, '\0', f) > 0);
                fclose(f);
        }
        if (want && strcmp(want, text) != 0) {
                fprintf(stderr, "%s differs; got:\n%s", path, text);
                test_failures++;
        }

        /* the specific promises, independent of the golden */
        CHECK(strstr(text, "sutazai_governor_memory_tier 1\n") != NULL);
        CHECK(strstr(text, "sutazai_governor_disk_tier{path=\"/\"} 2\n") != NULL);
        CHECK(strstr(text, "sutazai_governor_disk_tier{path=\"/var/lib/\\\"docker\\\"\"} 0\n"));
        CHECK(strstr(text, "sutazai_governor_disk_used_ratio{path=\"/\"} 0.915\n") != NULL);
        CHECK(strstr(text, "disk_used_ratio{path=\"/var/lib") == NULL); /* unsampled */
        CHECK(strstr(text, "group_memory_current_bytes{name=\"sutazai-ollama\",kind=\"container\"} "
                           "8053063680\n") != NULL);
        CHECK(strstr(text, "group_memory_high_bytes{name=\"sutazai-ollama\",kind=\"container\"} "
                           "+Inf\n") != NULL);
        CHECK(
            strstr(text, "{name=\"odd\\\\path \\\"quoted\\\"\\nnewline ? end\",kind=\"cgroup\"}"));
        CHECK(strstr(text, "current_bytes{name=\"sutazai-ollama\",kind=\"cgroup\"} 5\n"));
        CHECK(strstr(text, "} 999\n") == NULL); /* the duplicate */
        CHECK(strstr(text, "sutazai_governor_actions_total{kind=\"kill\"} 1\n") != NULL);
        CHECK(strstr(text, "sutazai_governor_dry_run_actions_total{kind=\"kill\"} 1\n") != NULL);
        CHECK(strstr(text, "sutazai_governor_docker_connected 1\n") != NULL);
        CHECK(strstr(text, "sutazai_governor_paused 1\n") != NULL);
        CHECK(strstr(text, "sutazai_governor_tick_duration_seconds 0.0015\n") != NULL);
        CHECK(strstr(text, "sutazai_governor_freed_bytes_total 8589934592\n") != NULL);
        CHECK(
            strstr(text, "group_oom_kills_total{name=\"sutazai-ollama\",kind=\"container\"} 3\n"));
        /* every sample line belongs to a family announced with HELP and TYPE */
        for (char *line = text; line && *line;) {
                char *nl = strchr(line, '\n');
                if (strncmp(line, "sutazai_governor_", 17) == 0) {
                        char name[128], help[160];
                        size_t n = strcspn(line, "{ ");
                        snprintf(name, sizeof name, "%.*s", (int)n, line);
                        snprintf(help, sizeof help, "# HELP %s ", name);
                        CHECK(strstr(text, help) != NULL);
                        snprintf(help, sizeof help, "# TYPE %s ", name);
                        CHECK(strstr(text, help) != NULL);
                } else
                        CHECK(line[0] == '#');
                line = nl ? nl + 1 : NULL;
        }

        free(want);
        free(text);
        snapshot_done(&s);
        history_free(h);
}

static void test_minimal(void)
{
        /* no PSI, no groups, no disks, no counters, no history: still valid */
        struct snapshot s;
        struct metrics_input in = {.snapshot = &s};
        char *text;

        snapshot_init(&s);
        text = render(&in);
        CHECK(strstr(text, "sutazai_governor_memory_tier 0\n") != NULL);
        CHECK(strstr(text, "host_pressure") == NULL);
        CHECK(strstr(text, "group_memory") == NULL);
        CHECK(strstr(text, "disk_tier") == NULL);
        CHECK(strstr(text, "sutazai_governor_actions_total{kind=\"kill\"} 0\n") != NULL);
        free(text);
        snapshot_done(&s);
}

static ino_t inode_of(const char *path)
{
        struct stat st;

        return stat(path, &st) == 0 ? st.st_ino : 0;
}

static void check_content(const char *path, const char *want)
{
        char buf[64] = {0};
        int fd = open(path, O_RDONLY | O_CLOEXEC);

        CHECK(fd >= 0);
        if (fd < 0)
                return;
        CHECK(read(fd, buf, sizeof buf - 1) >= 0);
        close(fd);
        CHECK_STREQ(buf, want);
}

/* Back-date the file on display: the next write may reuse the previous one. */
static void age(const char *path)
{
        struct timespec old[2] = {{.tv_sec = 1000000000}, {.tv_sec = 1000000000}};

        CHECK(utimensat(AT_FDCWD, path, old, 0) == 0);
}

/* metrics_file's writer (util_replace_file_reuse): the previous version is
 * written over and swapped in once the current one is old enough, never
 * while it is young, and never through a file that is not ours alone. */
static void test_replace_reuse(void)
{
        char dir[] = "/tmp/test-metrics.XXXXXX", path[256], prev[256], other[256];
        ino_t live, spare;

        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/m.prom", dir);
        snprintf(prev, sizeof prev, "%s/m.prom.prev", dir);
        snprintf(other, sizeof other, "%s/elsewhere", dir);

        /* the first write makes the pair: the next one reuses already */
        CHECK_EQ_INT(util_replace_file_reuse(path, "one\n", 4, 0644), 0);
        check_content(path, "one\n");
        check_content(prev, "one\n");
        age(path);
        live = inode_of(path);
        spare = inode_of(prev);
        CHECK_EQ_INT(util_replace_file_reuse(path, "two\n", 4, 0644), 0);
        check_content(path, "two\n");
        CHECK_EQ_U64(inode_of(path), spare);
        CHECK_EQ_U64(inode_of(prev), live);
        age(path);
        live = inode_of(path);
        spare = inode_of(prev);
        CHECK_EQ_INT(util_replace_file_reuse(path, "three, longer\n", 14, 0644), 0);
        check_content(path, "three, longer\n");
        /* swapped: the spare is on display, the old one is the spare */
        CHECK_EQ_U64(inode_of(path), spare);
        CHECK_EQ_U64(inode_of(prev), live);
        /* young again: a fresh file, the previous one left alone */
        CHECK_EQ_INT(util_replace_file_reuse(path, "4\n", 2, 0644), 0);
        check_content(path, "4\n");
        CHECK(inode_of(path) != spare && inode_of(path) != live);
        CHECK_EQ_U64(inode_of(prev), live);

        /* a second link to the spare (planted, pointing anywhere): not
         * written through, the write still lands */
        CHECK(link(prev, other) == 0);
        age(path);
        CHECK_EQ_INT(util_replace_file_reuse(path, "five\n", 5, 0644), 0);
        check_content(path, "five\n");
        check_content(other, "two\n");

        unlink(other);
        unlink(prev);
        unlink(path);
        rmdir(dir);
}

int main(int argc, char **argv)
{
        if (argc > 1)
                golden_dir = argv[1];
        test_golden();
        test_minimal();
        test_replace_reuse();
        return TEST_RESULT();
}
