/* test-config — the configuration layer: values, every error path with its
 * FILE:LINE, drop-in order and merging, golden dumps and the dump round trip.
 *
 * usage: test-config FIXTURE_DIR CONF_DIR
 *   FIXTURE_DIR  tests/fixtures/config: NAME.conf (+ NAME.conf.d/) with the
 *                expected NAME.dump; bad/NAME.conf with the expected error
 *                in bad/NAME.err ("@FILE@" stands for the file's path)
 *   CONF_DIR     the shipped conf/ (governor.conf, governor.conf.d/)
 * With UPDATE_GOLDEN=1 in the environment, mismatching golden files are
 * rewritten instead of failing (review the diff before committing). */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "config-dump.h"
#include "config-ini.h"
#include "config-load.h"
#include "config-match.h"
#include "config-schema.h"
#include "config-validate.h"
#include "config-value.h"
#include "config.h"
#include "test.h"

#define G (1024ULL * 1024ULL * 1024ULL)
#define M (1024ULL * 1024ULL)

static char *read_file(const char *path)
{
        FILE *f = fopen(path, "re");
        char *text = NULL;
        size_t size = 0;

        if (!f)
                return NULL;
        FILE *out = open_memstream(&text, &size);
        if (!out) {
                fclose(f);
                return NULL;
        }
        for (int ch; (ch = fgetc(f)) != EOF;)
                fputc(ch, out);
        fclose(f);
        fclose(out);
        return text;
}

static void write_file(const char *path, const char *text)
{
        FILE *f = fopen(path, "we");

        CHECK(f != NULL);
        if (!f)
                return;
        fputs(text, f);
        CHECK(fclose(f) == 0);
}

static char *dump_to_string(const struct config *c)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);

        if (!f)
                return NULL;
        CHECK_EQ_INT(config_dump(c, f), 0);
        fclose(f);
        return text;
}

/* Parse text over the defaults and validate; NULL (with a message) on error. */
static struct config *parse(const char *text, char *err, size_t err_size)
{
        struct config *c = config_new_default();
        int r;

        if (!c)
                return NULL;
        r = config_parse_string(c, "t.conf", text, err, err_size);
        if (r == 0)
                r = config_validate(c, err, err_size);
        if (r < 0) {
                config_free(c);
                return NULL;
        }
        return c;
}

static struct config *parse_ok(const char *text)
{
        char err[512] = "";
        struct config *c = parse(text, err, sizeof(err));

        if (!c)
                fprintf(stderr, "unexpected error: %s\n--- for:\n%s\n", err, text);
        CHECK(c != NULL);
        return c;
}

static void test_defaults(void)
{
        struct config *c = config_new_default();

        CHECK(c != NULL);
        if (!c)
                return;
        CHECK(!c->governor.dry_run);
        CHECK_EQ_U64(c->governor.interval_usec, USEC_PER_SEC);
        CHECK_STREQ(c->governor.state_dir, "/var/lib/sutazai-governor");
        CHECK_STREQ(c->governor.control_socket, "/run/sutazai-governor/control.sock");
        CHECK_STREQ(c->governor.docker_socket, "/var/run/docker.sock");
        CHECK_STREQ(c->governor.metrics_file,
                    "/var/lib/prometheus/node-exporter/sutazai_governor.prom");
        CHECK_STREQ(c->governor.cgroup_root, "/sys/fs/cgroup");
        CHECK_EQ_INT(c->governor.history_size, 1000);
        CHECK(c->memory.warning_percent == 65);
        CHECK(c->memory.critical_percent == 80);
        CHECK(c->memory.emergency_percent == 90);
        CHECK(c->memory.hysteresis_percent == 5);
        CHECK(c->memory.pressure_warning.set && c->memory.pressure_warning.kind == PSI_SOME &&
              c->memory.pressure_warning.avg10_percent == 10);
        CHECK(c->memory.pressure_critical.set && c->memory.pressure_critical.kind == PSI_FULL &&
              c->memory.pressure_critical.avg10_percent == 20);
        CHECK(c->memory.pressure_emergency.set && c->memory.pressure_emergency.kind == PSI_FULL &&
              c->memory.pressure_emergency.avg10_percent == 40);
        CHECK_EQ_U64(c->memory.hold_usec, 5 * USEC_PER_SEC);
        CHECK_EQ_U64(c->memory.cooldown_usec, 15 * USEC_PER_SEC);
        CHECK(c->memory.trigger.kind == PSI_SOME);
        CHECK_EQ_U64(c->memory.trigger.stall_usec, 150 * USEC_PER_MSEC);
        CHECK_EQ_U64(c->memory.trigger.window_usec, USEC_PER_SEC);
        CHECK(c->memory.reclaim_percent == 5);
        CHECK(c->memory.throttle_percent == 90);
        CHECK_EQ_U64(c->memory.stop_timeout_usec, 10 * USEC_PER_SEC);
        CHECK_STREQ(c->journal.journalctl, "/usr/bin/journalctl");
        CHECK_EQ_U64(c->journal.vacuum_size_bytes, 500 * M);
        CHECK_EQ_U64(c->journal.vacuum_time_usec, 14 * 86400 * USEC_PER_SEC);
        CHECK_EQ_INT(c->n_disks, 0);
        CHECK_EQ_INT(c->n_logs, 0);
        CHECK_EQ_INT(c->n_rules, 0);
        CHECK_EQ_INT(config_validate(c, NULL, 0), 0);
        config_free(c);
}

/* PRODUCT.md's example, comments and all, must mean what it says. */
static void test_product_example(void)
{
        static const char text[] =
            "[governor]\n"
            "dry_run = no\n"
            "interval = 1s            # slow-signal sampling tick\n"
            "\n"
            "[memory]\n"
            "warning = 65%            # host memory in use (MemTotal - MemAvailable)\n"
            "critical = 80%\n"
            "pressure_critical = full 20%\n"
            "\n"
            "[disk:/]                  # one section per watched filesystem\n"
            "warning = 85%\n"
            "\n"
            "[logs:app]\n"
            "dir = /opt/sutazaiapp/logs\n"
            "\n"
            "[container:ollama]\n"
            "match = name:sutazai-ollama*     # also label:KEY=VALUE, image:GLOB; several\n"
            "memory_max = 8G\n"
            "memory_high = 7G\n"
            "priority = 50            # lower is sacrificed first\n"
            "\n"
            "[cgroup:postgres-host]    # plain cgroups take the same keys\n"
            "match = path:system.slice/postgresql*.service   # glob relative to the root\n"
            "memory_high = 1G\n"
            "protect = yes\n";
        struct config *c = parse_ok(text);

        if (!c)
                return;
        CHECK_EQ_U64(c->governor.interval_usec, USEC_PER_SEC);
        CHECK(c->memory.warning_percent == 65);
        CHECK_EQ_INT(c->n_disks, 1);
        CHECK_STREQ(c->disks[0].path, "/");
        CHECK(c->disks[0].warning_percent == 85);
        CHECK(c->disks[0].critical_percent == 90);
        CHECK_EQ_INT(c->n_logs, 1);
        CHECK_STREQ(c->logs[0].dir, "/opt/sutazaiapp/logs");
        CHECK_STREQ(c->logs[0].pattern, "*.log");
        CHECK_EQ_U64(c->logs[0].max_total_bytes, BYTES_MAX);
        CHECK_EQ_INT(c->n_rules, 2);
        CHECK(c->rules[0].kind == RULE_CONTAINER);
        CHECK_STREQ(c->rules[0].name, "ollama");
        CHECK_EQ_INT(c->rules[0].n_matches, 1);
        CHECK(c->rules[0].matches[0].kind == MATCH_NAME);
        CHECK_STREQ(c->rules[0].matches[0].glob, "sutazai-ollama*");
        CHECK(c->rules[0].memory_max.set && c->rules[0].memory_max.bytes == 8 * G);
        CHECK(c->rules[0].memory_high.set && c->rules[0].memory_high.bytes == 7 * G);
        CHECK(c->rules[0].memory_swap.set && c->rules[0].memory_swap.bytes == 0);
        CHECK_EQ_INT(c->rules[0].priority, 50);
        CHECK(!c->rules[0].protect);
        CHECK(c->rules[1].kind == RULE_CGROUP);
        CHECK(c->rules[1].matches[0].kind == MATCH_PATH);
        CHECK_STREQ(c->rules[1].matches[0].glob, "system.slice/postgresql*.service");
        CHECK(!c->rules[1].memory_max.set);
        CHECK(c->rules[1].protect);
        CHECK_EQ_INT(c->rules[1].priority, 100);
        config_free(c);
}

static void test_values(void)
{
        struct config *c;

        /* Every boolean spelling; comments with ';' and '#'; indented keys;
         * CRLF; a UTF-8 byte order mark. */
        c = parse_ok("\xEF\xBB\xBF[governor]\r\n"
                     "  dry_run = YES ; inline\r\n"
                     "\thistory_size = 7 # inline\r\n"
                     "[logs:x]\n"
                     "dir = /var/log/x\n"
                     "recursive = on\n"
                     "pattern = a#b;c.log\n"
                     "max_total = 1G\n"
                     "[container:a]\n"
                     "match: label:com.example.role=agent*\n"
                     "match = image:ollama/ollama:*\n"
                     "memory_max = 25%\n"
                     "memory_swap = 1G\n"
                     "memory_high = max\n"
                     "protect = true\n"
                     "[container:b]\n"
                     "match = name:b\n"
                     "protect = 1\n"
                     "sacrificial = false\n"
                     "[memory]\n"
                     "pressure_warning = off\n"
                     "pressure_critical = some 12.5%\n"
                     "trigger = full 100000 2000000\n"
                     "stop_timeout = 0\n");
        if (c) {
                CHECK(c->governor.dry_run);
                CHECK_EQ_INT(c->governor.history_size, 7);
                CHECK(c->logs[0].recursive);
                CHECK_STREQ(c->logs[0].pattern, "a#b;c.log");
                CHECK_EQ_U64(c->logs[0].max_total_bytes, G);
                CHECK_EQ_INT(c->rules[0].n_matches, 2);
                CHECK(c->rules[0].matches[0].kind == MATCH_LABEL);
                CHECK_STREQ(c->rules[0].matches[0].key, "com.example.role");
                CHECK_STREQ(c->rules[0].matches[0].glob, "agent*");
                CHECK(c->rules[0].matches[1].kind == MATCH_IMAGE);
                CHECK(c->rules[0].memory_max.is_percent && c->rules[0].memory_max.percent == 25);
                CHECK_EQ_U64(c->rules[0].memory_swap.bytes, G);
                CHECK_EQ_U64(c->rules[0].memory_high.bytes, BYTES_MAX);
                CHECK(c->rules[0].protect);
                CHECK(c->rules[1].protect && !c->rules[1].sacrificial);
                CHECK(!c->memory.pressure_warning.set);
                CHECK(c->memory.pressure_critical.kind == PSI_SOME &&
                      c->memory.pressure_critical.avg10_percent == 12.5);
                CHECK(c->memory.trigger.kind == PSI_FULL);
                CHECK_EQ_U64(c->memory.trigger.stall_usec, 100 * USEC_PER_MSEC);
                CHECK_EQ_U64(c->memory.trigger.window_usec, 2 * USEC_PER_SEC);
                CHECK_EQ_U64(c->memory.stop_timeout_usec, 0);
        }
        config_free(c);

        /* The limits of ranges are inside them. */
        c = parse_ok("[governor]\ninterval = 100ms\nhistory_size = 100000\n"
                     "[memory]\ntrigger = some 500ms 500ms\n"
                     "[container:x]\nmatch = name:x\npriority = 0\nmemory_max = 1M\n"
                     "[container:y]\nmatch = name:y\npriority = 1000\n");
        if (c) {
                CHECK_EQ_U64(c->governor.interval_usec, 100 * USEC_PER_MSEC);
                CHECK_EQ_INT(c->rules[0].priority, 0);
                CHECK_EQ_INT(c->rules[1].priority, 1000);
        }
        config_free(c);
        c = parse_ok("[governor]\ninterval = 1h\n[memory]\ntrigger = some 10s 10s\n");
        config_free(c);

        /* A percentage memory_high above an absolute memory_max is not
         * comparable without the host's memory: accepted. */
        c = parse_ok("[container:x]\nmatch = name:x\nmemory_max = 1G\nmemory_high = 50%\n");
        config_free(c);
}

struct error_case {
        const char *text;
        const char *prefix; /* "t.conf:LINE:" */
        const char *substring;
};

static const struct error_case error_cases[] = {
    /* sections */
    {"[foo]\n", "t.conf:1:", "unknown section [foo]"},
    {"\n\n[governor:x]\n", "t.conf:3:", "takes no name"},
    {"[disk:]\n", "t.conf:1:", "section name is empty"},
    {"[disk]\n", "t.conf:1:", "section name is empty"},
    {"[container:]\n", "t.conf:1:", "section name is empty"},
    {"[disk:var]\n", "t.conf:1:", "absolute"},
    {"[disk:/var/]\n", "t.conf:1:", "canonical"},
    {"[disk:/var//lib]\n", "t.conf:1:", "canonical"},
    {"[disk:/var/../etc]\n", "t.conf:1:", "canonical"},
    {"[logs:a b]\n", "t.conf:1:", "a name is"},
    {"[container:a/b]\n", "t.conf:1:", "a name is"},
    {"[memory]\n[governor]\n[memory]\n",
     "t.conf:3:", "duplicate section [memory] (first at line 1)"},
    {"[disk:/]\n[disk:/]\n", "t.conf:2:", "duplicate section [disk:/]"},
    {"[container:db]\nmatch = name:x\n[cgroup:db]\n", "t.conf:3:", "already used"},
    {"[governor\n", "t.conf:1:", "missing ']'"},
    {"[governor] x\n", "t.conf:1:", "unexpected text"},
    /* lines */
    {"interval = 1s\n", "t.conf:1:", "outside of any [section]"},
    {"[governor]\njust some text\n", "t.conf:2:", "expected \"key = value\""},
    {"[governor]\n= 1s\n", "t.conf:2:", "missing key name"},
    /* keys */
    {"[governor]\nfoo = 1\n", "t.conf:2:", "unknown key \"foo\" in [governor]"},
    {"[memory]\ndry_run = no\n", "t.conf:2:", "unknown key \"dry_run\" in [memory]"},
    {"[governor]\ninterval = 1s\ninterval = 2s\n",
     "t.conf:3:", "duplicate key \"interval\" (first at line 2)"},
    {"[container:x]\nmatch = name:x\npriority = 1\n# c\npriority = 2\n",
     "t.conf:5:", "duplicate key"},
    {"[governor]\ninterval =\n", "t.conf:2:", "empty value"},
    {"[governor]\ninterval = # nothing\n", "t.conf:2:", "empty value"},
    {"[governor]\nstate_dir=#x\n", "t.conf:2:", "can not start with '#'"},
    /* values */
    {"[governor]\ndry_run = maybe\n", "t.conf:2:", "expected yes or no"},
    {"[governor]\ninterval = 5x\n", "t.conf:2:", "expected a duration"},
    {"[governor]\ninterval = 50ms\n", "t.conf:2:", "out of range (100ms..1h)"},
    {"[governor]\ninterval = 61m\n", "t.conf:2:", "out of range"},
    {"[governor]\ninterval = 99999999999999999999d\n", "t.conf:2:", "out of range"},
    {"[governor]\nhistory_size = 0\n", "t.conf:2:", "out of range (1..100000)"},
    {"[governor]\nhistory_size = 100001\n", "t.conf:2:", "out of range"},
    {"[governor]\nhistory_size = 99999999999999999999999\n", "t.conf:2:", "out of range"},
    {"[governor]\nhistory_size = -1\n", "t.conf:2:", "expected a whole number"},
    {"[governor]\nhistory_size = 10k\n", "t.conf:2:", "expected a whole number"},
    {"[governor]\nstate_dir = var/lib\n", "t.conf:2:", "absolute path"},
    {"[governor]\ncgroup_root = /sys/../etc\n", "t.conf:2:", "absolute path"},
    {"[journal]\njournalctl = journalctl\n", "t.conf:2:", "absolute path"},
    {"[journal]\nvacuum_size = 1K\n", "t.conf:2:", "out of range (at least 1M)"},
    {"[journal]\nvacuum_size = max\n", "t.conf:2:", "expected a size"},
    {"[journal]\nvacuum_time = 10m\n", "t.conf:2:", "out of range"},
    {"[memory]\nwarning = 65\n", "t.conf:2:", "expected a percentage"},
    {"[memory]\nwarning = 10%%\n", "t.conf:2:", "expected a percentage"},
    {"[memory]\nwarning = 1.5.5%\n", "t.conf:2:", "expected a percentage"},
    {"[memory]\nwarning = -5%\n", "t.conf:2:", "expected a percentage"},
    {"[memory]\nemergency = 101%\n", "t.conf:2:", "out of range (0%..100%)"},
    {"[memory]\nhysteresis = 60%\n", "t.conf:2:", "out of range (0%..50%)"},
    {"[memory]\nthrottle = 5%\n", "t.conf:2:", "out of range"},
    {"[memory]\nhold = 11m\n", "t.conf:2:", "out of range (0..10m)"},
    {"[memory]\ncooldown = 2h\n", "t.conf:2:", "out of range (0..1h)"},
    {"[memory]\nstop_timeout = 1500ms\n", "t.conf:2:", "whole seconds"},
    {"[memory]\ntrigger = some 150ms 20s\n", "t.conf:2:", "window out of range"},
    {"[memory]\ntrigger = some 150ms 100ms\n", "t.conf:2:", "window out of range"},
    {"[memory]\ntrigger = some 2s 1s\n", "t.conf:2:", "at most the window"},
    {"[memory]\ntrigger = some 0 1s\n", "t.conf:2:", "above 0"},
    {"[memory]\ntrigger = most 150ms 1s\n", "t.conf:2:", "expected \"some|full"},
    {"[memory]\ntrigger = some 150ms\n", "t.conf:2:", "expected \"some|full"},
    {"[memory]\ntrigger = some 150ms 1s 2s\n", "t.conf:2:", "expected \"some|full"},
    {"[memory]\ntrigger = some 99999999999999999999999 1s\n", "t.conf:2:", "expected"},
    {"[memory]\npressure_warning = some\n", "t.conf:2:", "expected \"some N%\""},
    {"[memory]\npressure_warning = half 10%\n", "t.conf:2:", "expected \"some N%\""},
    {"[memory]\npressure_warning = some 10\n", "t.conf:2:", "expected \"some N%\""},
    {"[memory]\npressure_warning = some 0%\n", "t.conf:2:", "out of range"},
    {"[memory]\npressure_warning = full 101%\n", "t.conf:2:", "out of range"},
    {"[disk:/]\nhold = 2h\n", "t.conf:2:", "out of range"},
    {"[disk:/]\ncontainer_min_age = 1500ms\n", "t.conf:2:", "whole seconds"},
    {"[logs:a]\ndir = /x\npattern = a/b\n", "t.conf:3:", "can not contain '/'"},
    {"[logs:a]\ndir = /x\nmax_age = 30s\n", "t.conf:3:", "out of range"},
    {"[logs:a]\ndir = ./x\n", "t.conf:2:", "absolute path"},
    /* rules */
    {"[container:x]\nmatch = foo:bar\n", "t.conf:2:", "expected name:GLOB"},
    {"[container:x]\nmatch = sutazai-*\n", "t.conf:2:", "expected name:GLOB"},
    {"[container:x]\nmatch = name:\n", "t.conf:2:", "the pattern is empty"},
    {"[container:x]\nmatch = label:=x\n", "t.conf:2:", "expected label:KEY=VALUE"},
    {"[container:x]\nmatch = label:foo\n", "t.conf:2:", "expected label:KEY=VALUE"},
    {"[container:x]\nmatch = path:x\n", "t.conf:2:", "expected name:GLOB"},
    {"[cgroup:x]\nmatch = name:x\n", "t.conf:2:", "expected path:GLOB"},
    {"[cgroup:x]\nmatch = path:/system.slice/x\n", "t.conf:2:", "leading '/'"},
    {"[container:x]\nmatch = name:x\npriority = 1001\n", "t.conf:3:", "out of range (0..1000)"},
    {"[container:x]\nmatch = name:x\npriority = -1\n", "t.conf:3:", "whole number"},
    {"[container:x]\nmatch = name:x\nmemory_max = 8X\n", "t.conf:3:", "expected a size"},
    {"[container:x]\nmatch = name:x\nmemory_max = 0\n", "t.conf:3:", "at least 1M"},
    {"[container:x]\nmatch = name:x\nmemory_high = 4K\n", "t.conf:3:", "at least 1M"},
    {"[container:x]\nmatch = name:x\nmemory_max = 0%\n", "t.conf:3:", "out of range"},
    {"[container:x]\nmatch = name:x\nmemory_max = 101%\n", "t.conf:3:", "out of range"},
    {"[container:x]\nmatch = name:x\nmemory_swap = -1\n", "t.conf:3:", "expected a size"},
    {"[container:x]\nmatch = name:x\nmemory_max = 99999999999999999999G\n",
     "t.conf:3:", "out of range"},
    /* cross-key validation: the key set last is the one named */
    {"[memory]\nwarning = 85%\n", "t.conf:2:", "warning (85%) must be below critical (80%)"},
    {"[memory]\nwarning = 70%\ncritical = 95%\n",
     "t.conf:3:", "critical (95%) must be below emergency (90%)"},
    {"[memory]\ncritical = 80%\nwarning = 80%\n", "t.conf:3:", "must be below"},
    {"[memory]\nhysteresis = 40%\nwarning = 30%\n",
     "t.conf:3:", "hysteresis (40%) must be below warning (30%)"},
    {"[disk:/]\nlow = 85%\n", "t.conf:2:", "[disk:/] low (85%) must be below warning (80%)"},
    {"[disk:/]\n\ncritical = 96%\n", "t.conf:3:", "[disk:/] critical (96%) must be below"},
    {"[logs:a]\npattern = *.txt\n", "t.conf:1:", "[logs:a] needs dir"},
    {"\n[container:x]\npriority = 1\n", "t.conf:2:", "[container:x] has no match line"},
    {"[cgroup:y]\n", "t.conf:1:", "[cgroup:y] has no match line"},
    {"[container:x]\nmatch = name:x\nmemory_max = 1G\nmemory_high = 2G\n",
     "t.conf:4:", "memory_high (2G) is above memory_max (1G)"},
    {"[container:x]\nmatch = name:x\nmemory_high = 2G\nmemory_max = 1G\n",
     "t.conf:4:", "is above memory_max"},
    {"[container:x]\nmatch = name:x\nprotect = yes\nsacrificial = yes\n",
     "t.conf:4:", "both protect and sacrificial"},
    /* line numbers count blank, comment and CRLF lines; only the first
     * error is reported */
    {"# c\n\n[governor]\n; x\n  interval = 1s # ok\nbogus = 1\nworse = 2\n",
     "t.conf:6:", "unknown key \"bogus\""},
    {"[governor]\r\ninterval = 1s\r\nbogus = 1\r\n", "t.conf:3:", "unknown key \"bogus\""},
};

static void test_errors(void)
{
        for (size_t i = 0; i < sizeof(error_cases) / sizeof(error_cases[0]); i++) {
                const struct error_case *e = &error_cases[i];
                char err[512] = "";
                struct config *c = parse(e->text, err, sizeof(err));

                CHECK(c == NULL);
                config_free(c);
                if (strncmp(err, e->prefix, strlen(e->prefix)) != 0 || !strstr(err, e->substring)) {
                        fprintf(stderr,
                                "error case %zu: got \"%s\"\n  expected prefix \"%s\" and "
                                "\"%s\"\n",
                                i, err, e->prefix, e->substring);
                        test_failures++;
                }
        }
}

/* low follows warning when the operator never set it (issue 15): a sensible
 * 50/60/70 section is accepted, and an explicit low is still checked. */
static void test_disk_low_default(void)
{
        struct config *c = parse_ok("[disk:/]\nwarning = 50%\ncritical = 60%\nemergency = 70%\n");

        if (c) {
                CHECK(c->disks[0].low_percent < 50);
                CHECK(c->disks[0].low_percent == 45);
                config_free(c);
        }
        /* untouched warning keeps the documented default */
        c = parse_ok("[disk:/var]\ncritical = 91%\n");
        if (c) {
                CHECK(c->disks[0].low_percent == 75);
                config_free(c);
        }
        /* a tiny warning still leaves low in range and below it */
        c = parse_ok("[disk:/]\nwarning = 4%\ncritical = 6%\nemergency = 8%\nhysteresis = 1%\n");
        if (c) {
                CHECK(c->disks[0].low_percent == 2);
                config_free(c);
        }
        /* an explicit low is the operator's and is validated, not moved */
        c = parse_ok("[disk:/]\nwarning = 50%\ncritical = 60%\nemergency = 70%\nlow = 30%\n");
        if (c) {
                CHECK(c->disks[0].low_percent == 30);
                config_free(c);
        }
        char err[512] = "";
        c = parse("[disk:/]\nwarning = 50%\ncritical = 60%\nemergency = 70%\nlow = 55%\n", err,
                  sizeof(err));
        CHECK(c == NULL);
        CHECK(strstr(err, "low (55%) must be below warning (50%)") != NULL);
        config_free(c);

        /* a drop-in that lowers warning moves the derived low with it */
        c = config_new_default();
        CHECK(c != NULL);
        if (!c)
                return;
        CHECK_EQ_INT(config_parse_string(c, "a.conf", "[disk:/]\n", err, sizeof(err)), 0);
        CHECK_EQ_INT(config_parse_string(c, "b.conf",
                                         "[disk:/]\nwarning = 40%\ncritical = 60%\n", err,
                                         sizeof(err)),
                     0);
        CHECK_EQ_INT(config_validate(c, err, sizeof(err)), 0);
        CHECK(c->disks[0].low_percent == 35);
        config_free(c);
}

static void test_hostile_lines(void)
{
        char text[512], err[256] = "";
        struct config *c;

        /* An overlong key line is refused, not split in two. */
        snprintf(text, sizeof(text), "[governor]\nstate_dir = /%0250d\n", 0);
        c = parse(text, err, sizeof(err));
        CHECK(c == NULL);
        CHECK(strncmp(err, "t.conf:2: line too long", 23) == 0);
        config_free(c);

        /* A compact line that config_dump could not write back within the
         * limit is refused too: the dump must always parse again. */
        snprintf(text, sizeof(text), "[disk:/]\nkeep_image=%0188d\n", 0);
        c = parse(text, err, sizeof(err));
        CHECK(c == NULL);
        CHECK(strncmp(err, "t.conf:2: line too long as \"keep_image = VALUE\"", 47) == 0);
        config_free(c);

        /* An overlong comment is harmless. */
        snprintf(text, sizeof(text), "[governor]\n# %0300d\ninterval = 2s\n", 0);
        c = parse_ok(text);
        CHECK(c && c->governor.interval_usec == 2 * USEC_PER_SEC);
        config_free(c);

        /* A long disk path is kept whole (inih alone would cut it at 49). */
        snprintf(text, sizeof(text), "[disk:/%s]\n",
                 "very/long/path/to/a/mount/point/that/is/deep/in/the/tree");
        c = parse_ok(text);
        CHECK(c && c->n_disks == 1 &&
              strcmp(c->disks[0].path,
                     "/very/long/path/to/a/mount/point/that/is/deep/in/the/tree") == 0);
        config_free(c);

        /* Control characters in an error are not echoed raw. */
        c = parse("[governor]\nstate_dir = \x1b[31mx\n", err, sizeof(err));
        CHECK(c == NULL);
        CHECK(strchr(err, '\x1b') == NULL);
        config_free(c);

        /* An empty file is the defaults. */
        c = parse_ok("");
        CHECK(c && c->n_rules == 0);
        config_free(c);
}

static void test_rule_find(void)
{
        struct config *c = parse_ok("[container:small]\n"
                                    "match = label:com.sutazai.role=agent-small\n"
                                    "[container:agents]\n"
                                    "match = label:com.sutazai.role=agent*\n"
                                    "match = name:sutazai-agent-*\n"
                                    "[container:ollama]\n"
                                    "match = image:ollama/ollama:*\n"
                                    "match = name:sutazai-ollama*\n"
                                    "[cgroup:pg]\n"
                                    "match = path:system.slice/postgresql*.service\n"
                                    "[container:db]\n"
                                    "match = name:*postgres*\n");
        const char *const agent_labels[] = {"a=b", "com.sutazai.role=agent-gpt", NULL};
        const char *const small_labels[] = {"com.sutazai.role=agent-small", NULL};
        const char *const prefix_labels[] = {"com.sutazai.role.x=agent", NULL};

        if (!c)
                return;
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "/sutazai-ollama", NULL, NULL, NULL), 2);
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "sutazai-ollama-1", NULL, NULL, NULL), 2);
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "x", "ollama/ollama:0.1", NULL, NULL), 2);
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "x", NULL, agent_labels, NULL), 1);
        /* First match wins: "agent-small" also matches "agent*". */
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "x", NULL, small_labels, NULL), 0);
        /* A label key is matched whole, not as a prefix. */
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "x", NULL, prefix_labels, NULL), -1);
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "/sutazai-postgres", NULL, NULL, NULL), 4);
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, "nginx", "nginx:1", NULL, NULL), -1);
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, NULL, NULL, NULL, NULL), -1);
        /* Kinds do not mix. */
        CHECK_EQ_INT(config_rule_find(c, RULE_CONTAINER, NULL, NULL, NULL,
                                      "system.slice/postgresql@15-main.service"),
                     -1);
        CHECK_EQ_INT(config_rule_find(c, RULE_CGROUP, NULL, NULL, NULL,
                                      "system.slice/postgresql@15-main.service"),
                     3);
        CHECK_EQ_INT(
            config_rule_find(c, RULE_CGROUP, NULL, NULL, NULL, "/system.slice/postgresql.service"),
            3);
        CHECK_EQ_INT(config_rule_find(c, RULE_CGROUP, "/sutazai-postgres", NULL, NULL, NULL), -1);
        config_free(c);
}

/* ---- files ---- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
        return remove(path);
}

static void remove_tree(const char *dir)
{
        CHECK(nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0);
}

static char *path_join(const char *a, const char *b)
{
        char *p;

        if (asprintf(&p, "%s/%s", a, b) < 0)
                abort();
        return p;
}

static void put(const char *dir, const char *name, const char *text)
{
        char *p = path_join(dir, name);
        write_file(p, text);
        free(p);
}

static void test_dropins(void)
{
        char tmpl[] = "/tmp/test-config-XXXXXX";
        char *dir = mkdtemp(tmpl);
        char err[1024] = "";
        struct config *c = NULL, *sentinel = (struct config *)&err;
        char *main_conf, *d;
        int r;

        CHECK(dir != NULL);
        if (!dir)
                return;
        main_conf = path_join(dir, "main.conf");
        d = path_join(dir, "main.conf.d");

        /* Missing main file. */
        c = sentinel;
        r = config_load(main_conf, false, &c, err, sizeof(err));
        CHECK_EQ_INT(r, -ENOENT);
        CHECK(c == sentinel);
        CHECK(strncmp(err, main_conf, strlen(main_conf)) == 0);
        r = config_load(main_conf, true, &c, err, sizeof(err));
        CHECK_EQ_INT(r, 0);
        CHECK(c != sentinel && c->n_rules == 0);
        if (r == 0)
                config_free(c);

        write_file(main_conf, "[memory]\nwarning = 60%\n"
                              "[container:a]\nmatch = name:a\nmatch = name:a2\nmemory_max = 1G\n"
                              "[disk:/]\nkeep_image = x\n");
        CHECK(mkdir(d, 0755) == 0);
        put(d, "20-b.conf",
            "[memory]\nwarning = 62%\n"
            "[container:a]\nmatch = name:b\n"
            "[container:c]\nmatch = name:c\n"
            "[disk:/]\nkeep_image = y\nkeep_image = z\n");
        put(d, "10-a.conf", "[memory]\nwarning = 61%\n[container:a]\nmemory_max = 2G\n");
        /* Not drop-ins: each would be an error if read. */
        put(d, "README", "garbage\n");
        put(d, "30-x.conf.bak", "garbage\n");
        put(d, ".hidden.conf", "garbage\n");
        put(d, ".conf", "garbage\n");
        char *sub = path_join(d, "sub.conf");
        CHECK(mkdir(sub, 0755) == 0);

        r = config_load(main_conf, false, &c, err, sizeof(err));
        CHECK_EQ_INT(r, 0);
        if (r < 0)
                fprintf(stderr, "config_load: %s\n", err);
        if (r == 0) {
                /* 20-b is read after 10-a, whatever readdir's order. */
                CHECK(c->memory.warning_percent == 62);
                CHECK_EQ_INT(c->n_rules, 2);
                CHECK_STREQ(c->rules[0].name, "a");
                CHECK_STREQ(c->rules[1].name, "c");
                /* memory_max from 10-a; the match list replaced by 20-b's. */
                CHECK_EQ_U64(c->rules[0].memory_max.bytes, 2 * G);
                CHECK_EQ_INT(c->rules[0].n_matches, 1);
                CHECK_STREQ(c->rules[0].matches[0].glob, "b");
                CHECK_EQ_INT(c->disks[0].n_keep_images, 2);
                CHECK_STREQ(c->disks[0].keep_images[0], "y");
                CHECK_STREQ(c->disks[0].keep_images[1], "z");
                CHECK(c->disks[0].keep_images[2] == NULL);
                CHECK_EQ_INT(c->n_files, 3);
                CHECK_STREQ(c->path, main_conf);
                config_free(c);
        }

        /* A parse error in a drop-in names the drop-in, and nothing is returned. */
        put(d, "30-bad.conf", "[memory]\n\nbogus = 1\n");
        c = sentinel;
        r = config_load(main_conf, false, &c, err, sizeof(err));
        CHECK_EQ_INT(r, -EINVAL);
        CHECK(c == sentinel);
        char *expect = path_join(d, "30-bad.conf:3: unknown key");
        if (strncmp(err, expect, strlen(expect)) != 0) {
                fprintf(stderr, "got \"%s\", expected \"%s\"\n", err, expect);
                test_failures++;
        }
        free(expect);

        /* A cross-key error set in a drop-in names the drop-in's line. */
        put(d, "30-bad.conf", "# a\n[memory]\nemergency = 61%\n");
        r = config_load(main_conf, false, &c, err, sizeof(err));
        CHECK_EQ_INT(r, -EINVAL);
        expect = path_join(d, "30-bad.conf:3: [memory] critical (80%) must be below emergency");
        if (strncmp(err, expect, strlen(expect)) != 0) {
                fprintf(stderr, "got \"%s\", expected \"%s\"\n", err, expect);
                test_failures++;
        }
        free(expect);

        /* Keys repeated across files are overrides, not duplicates; a section
         * repeated across files merges. */
        put(d, "30-bad.conf", "[memory]\nwarning = 63%\n[container:c]\npriority = 5\n");
        r = config_load(main_conf, false, &c, err, sizeof(err));
        CHECK_EQ_INT(r, 0);
        if (r == 0) {
                CHECK(c->memory.warning_percent == 63);
                CHECK_EQ_INT(c->rules[1].priority, 5);
                CHECK_STREQ(c->rules[1].matches[0].glob, "c");
                config_free(c);
        }

        /* A file with a NUL byte is not a configuration. */
        FILE *f = fopen(main_conf, "we");
        CHECK(f != NULL);
        if (f) {
                fwrite("[memory]\n\0x", 1, 11, f);
                fclose(f);
        }
        r = config_load(main_conf, false, &c, err, sizeof(err));
        CHECK_EQ_INT(r, -EINVAL);
        CHECK(strstr(err, "NUL") != NULL);

        /* The main file may be missing while drop-ins exist: they are still
         * read, and validated on their own. */
        CHECK(unlink(main_conf) == 0);
        r = config_load(main_conf, true, &c, err, sizeof(err));
        CHECK_EQ_INT(r, 0);
        if (r == 0) {
                CHECK(c->memory.warning_percent == 63);
                CHECK_EQ_INT(c->n_rules, 2);
                CHECK_STREQ(c->rules[0].name, "a"); /* first seen in 10-a.conf */
                CHECK_EQ_U64(c->rules[0].memory_max.bytes, 2 * G);
                config_free(c);
        }
        put(d, "40-n.conf", "\n[container:n]\npriority = 1\n");
        r = config_load(main_conf, true, &c, err, sizeof(err));
        CHECK_EQ_INT(r, -EINVAL);
        expect = path_join(d, "40-n.conf:2: [container:n] has no match line");
        if (strcmp(err, expect) != 0) {
                fprintf(stderr, "got \"%s\", expected \"%s\"\n", err, expect);
                test_failures++;
        }
        free(expect);

        /* A directory where the main file should be. */
        CHECK(mkdir(main_conf, 0755) == 0);
        r = config_load(main_conf, false, &c, err, sizeof(err));
        CHECK(r < 0);

        free(sub);
        free(d);
        free(main_conf);
        remove_tree(dir);
}

/* ---- golden files and round trips ---- */

static bool update_golden(void)
{
        const char *e = getenv("UPDATE_GOLDEN");
        return e && strcmp(e, "1") == 0;
}

static void check_golden(const char *what, const char *got, const char *golden_path)
{
        char *expected = read_file(golden_path);

        if (expected && strcmp(expected, got) == 0) {
                free(expected);
                return;
        }
        if (update_golden()) {
                fprintf(stderr, "%s: rewriting %s\n", what, golden_path);
                write_file(golden_path, got);
        } else {
                fprintf(stderr, "%s: dump differs from %s\n--- got:\n%s--- expected:\n%s", what,
                        golden_path, got, expected ? expected : "(missing file)\n");
                test_failures++;
        }
        free(expected);
}

/* config_parse_string(config_dump(c)) dumps the same again. */
static void check_round_trip(const char *what, const char *dump)
{
        char err[512] = "";
        struct config *c = config_new_default();
        int r;

        CHECK(c != NULL);
        if (!c)
                return;
        r = config_parse_string(c, "dump", dump, err, sizeof(err));
        if (r == 0)
                r = config_validate(c, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "%s: the dump does not parse: %s\n", what, err);
                test_failures++;
        } else {
                char *again = dump_to_string(c);
                if (!again || strcmp(again, dump) != 0) {
                        fprintf(stderr, "%s: round trip differs:\n%s", what, again ? again : "");
                        test_failures++;
                }
                free(again);
        }
        config_free(c);
}

static int has_suffix(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n > m && strcmp(s + n - m, suffix) == 0;
}

static size_t sorted_names(const char *dir, const char *suffix, char ***ret)
{
        struct dirent **entries;
        int n = scandir(dir, &entries, NULL, alphasort);
        char **names = NULL;
        size_t count = 0;

        CHECK(n >= 0);
        for (int i = 0; i < n; i++) {
                if (has_suffix(entries[i]->d_name, suffix)) {
                        names = realloc(names, (count + 1) * sizeof(*names));
                        if (!names)
                                abort();
                        names[count++] = strdup(entries[i]->d_name);
                }
                free(entries[i]);
        }
        if (n > 0)
                free(entries);
        *ret = names;
        return count;
}

static void test_golden(const char *fixtures)
{
        char **names;
        size_t n = sorted_names(fixtures, ".conf", &names);

        CHECK(n >= 3); /* the fixtures are there at all */
        for (size_t i = 0; i < n; i++) {
                char *conf = path_join(fixtures, names[i]);
                char *golden = strdup(conf);
                char err[512] = "";
                struct config *c = NULL;

                strcpy(golden + strlen(golden) - strlen(".conf"), ".dump");
                if (config_load(conf, false, &c, err, sizeof(err)) < 0) {
                        fprintf(stderr, "%s: %s\n", names[i], err);
                        test_failures++;
                } else {
                        char *dump = dump_to_string(c);
                        check_golden(names[i], dump, golden);
                        check_round_trip(names[i], dump);
                        free(dump);
                        config_free(c);
                }
                free(conf);
                free(golden);
                free(names[i]);
        }
        free(names);
}

static void test_bad_fixtures(const char *fixtures)
{
        char *dir = path_join(fixtures, "bad");
        char **names;
        size_t n = sorted_names(dir, ".conf", &names);

        CHECK(n >= 3);
        for (size_t i = 0; i < n; i++) {
                char *conf = path_join(dir, names[i]);
                char *errfile = strdup(conf);
                char err[512] = "", expected[1024] = "";
                struct config *c = NULL;
                char *pattern;

                strcpy(errfile + strlen(errfile) - strlen(".conf"), ".err");
                pattern = read_file(errfile);
                CHECK(pattern != NULL);
                if (pattern) {
                        /* "@FILE@:LINE: message\n" */
                        char *at = strstr(pattern, "@FILE@");
                        pattern[strcspn(pattern, "\n")] = '\0';
                        if (at)
                                snprintf(expected, sizeof(expected), "%.*s%s%s",
                                         (int)(at - pattern), pattern, conf, at + 6);
                        else
                                snprintf(expected, sizeof(expected), "%s", pattern);
                }
                CHECK(config_load(conf, false, &c, err, sizeof(err)) == -EINVAL);
                if (strcmp(err, expected) != 0) {
                        fprintf(stderr, "%s: got \"%s\"\n  expected \"%s\"\n", names[i], err,
                                expected);
                        test_failures++;
                }
                free(pattern);
                free(conf);
                free(errfile);
                free(names[i]);
        }
        free(names);
        free(dir);
}

/* The shipped files: governor.conf with its governor.conf.d; and every
 * commented-out default in governor.conf must be the code's default. */
static void test_shipped(const char *fixtures, const char *conf_dir)
{
        char *conf = path_join(conf_dir, "governor.conf");
        char *golden = path_join(fixtures, "shipped.dump");
        char err[512] = "";
        struct config *c = NULL;

        if (config_load(conf, false, &c, err, sizeof(err)) < 0) {
                fprintf(stderr, "shipped: %s\n", err);
                test_failures++;
        } else {
                char *dump = dump_to_string(c);
                check_golden("shipped", dump, golden);
                check_round_trip("shipped", dump);
                free(dump);
                /* The SutazAI limits PRODUCT.md promises. */
                int i = config_rule_find(c, RULE_CONTAINER, "/sutazai-ollama", NULL, NULL, NULL);
                CHECK(i >= 0 && c->rules[i].memory_max.bytes == 8 * G);
                i = config_rule_find(c, RULE_CONTAINER, "sutazai-backend", NULL, NULL, NULL);
                CHECK(i >= 0 && c->rules[i].memory_max.bytes == 512 * M);
                i = config_rule_find(c, RULE_CONTAINER, "sutazai-postgres", NULL, NULL, NULL);
                CHECK(i >= 0 && c->rules[i].memory_max.bytes == 512 * M && c->rules[i].protect);
                i = config_rule_find(c, RULE_CONTAINER, "sutazai-redis", NULL, NULL, NULL);
                CHECK(i >= 0 && c->rules[i].memory_max.bytes == 256 * M && c->rules[i].protect);
                i = config_rule_find(c, RULE_CONTAINER, "sutazai-agent-crew", NULL, NULL, NULL);
                CHECK(i >= 0 && c->rules[i].memory_max.bytes == 256 * M &&
                      c->rules[i].sacrificial && !c->rules[i].protect);
                config_free(c);
        }

        /* Uncomment "#key = value" and "#[section]" lines (explanations are
         * "# text") and parse: the sections every config has must dump
         * exactly as the built-in defaults do. */
        char *text = read_file(conf);
        CHECK(text != NULL);
        if (text) {
                char *out = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&out, &size);
                for (char *line = text; *line;) {
                        char *eol = strchrnul(line, '\n');
                        if (line[0] == '#' &&
                            (line[1] == '[' || (line[1] >= 'a' && line[1] <= 'z')))
                                line++;
                        fprintf(f, "%.*s\n", (int)(eol - line), line);
                        line = *eol ? eol + 1 : eol;
                }
                fclose(f);

                struct config *u = parse_ok(out);
                struct config *defaults = config_new_default();
                if (u && defaults) {
                        char *dump_u = dump_to_string(u);
                        char *dump_d = dump_to_string(defaults);
                        if (strncmp(dump_u, dump_d, strlen(dump_d)) != 0) {
                                fprintf(stderr,
                                        "governor.conf's commented defaults differ from the "
                                        "code's:\n--- uncommented:\n%s--- defaults:\n%s",
                                        dump_u, dump_d);
                                test_failures++;
                        }
                        CHECK(u->n_disks == 1 && u->n_logs == 1 && u->n_rules == 2);
                        /* The example sections carry their defaults too. */
                        if (u->n_disks == 1) {
                                CHECK(u->disks[0].warning_percent == 80);
                                CHECK(u->disks[0].low_percent == 75);
                                CHECK_EQ_U64(u->disks[0].image_min_age_usec,
                                             24 * 3600 * USEC_PER_SEC);
                        }
                        free(dump_u);
                        free(dump_d);
                }
                config_free(u);
                config_free(defaults);
                free(out);
                free(text);
        }
        free(conf);
        free(golden);
}

/* memory_low, memory_min, oom_group (issue 14): parsed like memory_high,
 * checked against each other and against the host's memory. */
static void test_protection_keys(void)
{
        char err[512] = "";
        struct config *c = parse_ok("[container:db]\nmatch = name:db\nmemory_low = 25%\n"
                                    "memory_min = 256M\noom_group = no\n"
                                    "[cgroup:batch]\nmatch = path:batch/*\n"
                                    "[container:web]\nmatch = name:web\n");

        if (c) {
                CHECK(c->rules[0].memory_low.set && c->rules[0].memory_low.is_percent);
                CHECK(c->rules[0].memory_min.set && c->rules[0].memory_min.bytes == 256 * M);
                CHECK(!c->rules[0].oom_group);
                CHECK(!c->rules[1].oom_group); /* plain cgroups opt in */
                CHECK(c->rules[2].oom_group);  /* containers opt out */
                CHECK(!c->rules[2].memory_low.set && !c->rules[2].memory_min.set);
                /* 25% of 4G = 1G >= 256M: fine; on a 512M host 25% = 128M < 256M */
                CHECK_EQ_INT(config_validate_host(c, 4 * G, err, sizeof err), 0);
                CHECK_EQ_INT(config_validate_host(c, 512 * M, err, sizeof err), -EINVAL);
                CHECK(strstr(err, "memory_min (256M) is above memory_low (25%) on this host"));
                /* 256M is not below a 256M host */
                CHECK_EQ_INT(config_validate_host(c, 256 * M, err, sizeof err), -EINVAL);
                CHECK(strstr(err, "is not below the host's memory"));
                CHECK_EQ_INT(config_validate_host(c, 0, err, sizeof err), 0); /* unknown */
                config_free(c);
        }
        c = parse("[container:db]\nmatch = name:db\nmemory_low = 100M\nmemory_min = 200M\n", err,
                  sizeof err);
        CHECK(c == NULL && strstr(err, "t.conf:4: [container:db] memory_min (200M) is above "
                                       "memory_low (100M)"));
        config_free(c);
        c = parse("[container:db]\nmatch = name:db\nmemory_min = max\n", err, sizeof err);
        CHECK(c == NULL && strstr(err, "memory_min can not be max"));
        config_free(c);
        c = parse("[container:db]\nmatch = name:db\nmemory_low = 100k\n", err, sizeof err);
        CHECK(c == NULL && strstr(err, "at least 1M"));
        config_free(c);
        c = parse("[container:db]\nmatch = name:db\noom_group = maybe\n", err, sizeof err);
        CHECK(c == NULL);
        config_free(c);
}

/* The index constants that validation uses to name a key's FILE:LINE must
 * point at that key in the tables: a table reordered without them would
 * blame the wrong line. */
static void test_schema_key_indexes(void)
{
        static const struct {
                enum config_section_type section;
                size_t index;
                const char *name;
        } cases[] = {
            {CONFIG_SECTION_MEMORY, CONFIG_MEMORY_KEY_WARNING, "warning"},
            {CONFIG_SECTION_MEMORY, CONFIG_MEMORY_KEY_CRITICAL, "critical"},
            {CONFIG_SECTION_MEMORY, CONFIG_MEMORY_KEY_EMERGENCY, "emergency"},
            {CONFIG_SECTION_MEMORY, CONFIG_MEMORY_KEY_HYSTERESIS, "hysteresis"},
            {CONFIG_SECTION_DISK, CONFIG_DISK_KEY_WARNING, "warning"},
            {CONFIG_SECTION_DISK, CONFIG_DISK_KEY_CRITICAL, "critical"},
            {CONFIG_SECTION_DISK, CONFIG_DISK_KEY_EMERGENCY, "emergency"},
            {CONFIG_SECTION_DISK, CONFIG_DISK_KEY_LOW, "low"},
            {CONFIG_SECTION_DISK, CONFIG_DISK_KEY_HYSTERESIS, "hysteresis"},
            {CONFIG_SECTION_CONTAINER, CONFIG_RULE_KEY_MEMORY_MAX, "memory_max"},
            {CONFIG_SECTION_CONTAINER, CONFIG_RULE_KEY_MEMORY_HIGH, "memory_high"},
            {CONFIG_SECTION_CONTAINER, CONFIG_RULE_KEY_PROTECT, "protect"},
            {CONFIG_SECTION_CONTAINER, CONFIG_RULE_KEY_SACRIFICIAL, "sacrificial"},
            {CONFIG_SECTION_CONTAINER, CONFIG_RULE_KEY_MEMORY_LOW, "memory_low"},
            {CONFIG_SECTION_CONTAINER, CONFIG_RULE_KEY_MEMORY_MIN, "memory_min"},
            {CONFIG_SECTION_CGROUP, CONFIG_RULE_KEY_MEMORY_MIN, "memory_min"},
        };

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                const struct config_section_def *def = &config_schema_sections[cases[i].section];

                CHECK(cases[i].index < def->n_keys);
                if (cases[i].index < def->n_keys)
                        CHECK_STREQ(def->keys[cases[i].index].name, cases[i].name);
        }
}

static const struct config_key_def *schema_key(enum config_section_type section, const char *name)
{
        const struct config_section_def *def = &config_schema_sections[section];

        for (size_t k = 0; k < def->n_keys; k++)
                if (strcmp(def->keys[k].name, name) == 0)
                        return &def->keys[k];
        return NULL;
}

/* The value parsers on their own, without the reader: the reason alone comes
 * back (the reader adds FILE:LINE and the key), and a refused value leaves
 * the field as it was. */
static void test_value_parse(void)
{
        struct memory_section m = {.warning_percent = 1, .stop_timeout_usec = 7};
        struct governor_section g = {.interval_usec = 3};
        struct rule r = {.kind = RULE_CONTAINER};
        const struct config_key_def *key;
        char what[256];

        key = schema_key(CONFIG_SECTION_MEMORY, "warning");
        CHECK(key != NULL);
        if (key) {
                CHECK_EQ_INT(config_value_parse(key, &m, "65%", what, sizeof what), 0);
                CHECK(m.warning_percent == 65);
                CHECK_EQ_INT(config_value_parse(key, &m, "abc", what, sizeof what), -EINVAL);
                CHECK_STREQ(what, "expected a percentage such as 65%");
                CHECK_EQ_INT(config_value_parse(key, &m, "101%", what, sizeof what), -EINVAL);
                CHECK_STREQ(what, "out of range (0%..100%)");
                CHECK(m.warning_percent == 65);
        }
        key = schema_key(CONFIG_SECTION_MEMORY, "stop_timeout");
        CHECK(key != NULL);
        if (key) {
                CHECK_EQ_INT(config_value_parse(key, &m, "1500ms", what, sizeof what), -EINVAL);
                CHECK_STREQ(what, "must be whole seconds");
                CHECK_EQ_U64(m.stop_timeout_usec, 7);
        }
        key = schema_key(CONFIG_SECTION_GOVERNOR, "interval");
        CHECK(key != NULL);
        if (key) {
                CHECK_EQ_INT(config_value_parse(key, &g, "10ms", what, sizeof what), -EINVAL);
                CHECK_STREQ(what, "out of range (100ms..1h)");
                CHECK_EQ_U64(g.interval_usec, 3);
        }
        key = schema_key(CONFIG_SECTION_GOVERNOR, "dry_run");
        CHECK(key != NULL);
        if (key) {
                CHECK_EQ_INT(config_value_parse(key, &g, "On", what, sizeof what), 0);
                CHECK(g.dry_run);
                CHECK_EQ_INT(config_value_parse(key, &g, "maybe", what, sizeof what), -EINVAL);
                CHECK_STREQ(what, "expected yes or no");
                CHECK(g.dry_run);
        }
        key = schema_key(CONFIG_SECTION_CONTAINER, "match");
        CHECK(key != NULL);
        if (key) {
                CHECK_EQ_INT(config_value_parse(key, &r, "label:tier=db*", what, sizeof what), 0);
                CHECK_EQ_INT(config_value_parse(key, &r, "path:x", what, sizeof what), -EINVAL);
                CHECK_STREQ(what, "expected name:GLOB, label:KEY=VALUE or image:GLOB");
                CHECK(r.n_matches == 1 && r.matches[0].kind == MATCH_LABEL);
                if (r.n_matches == 1) {
                        CHECK_STREQ(r.matches[0].key, "tier");
                        CHECK_STREQ(r.matches[0].glob, "db*");
                }
                for (size_t i = 0; i < r.n_matches; i++) {
                        free(r.matches[i].key);
                        free(r.matches[i].glob);
                }
                free(r.matches);
        }
}

int main(int argc, char **argv)
{
        test_schema_key_indexes();
        test_value_parse();
        test_protection_keys();
        test_defaults();
        test_product_example();
        test_values();
        test_errors();
        test_disk_low_default();
        test_hostile_lines();
        test_rule_find();
        test_dropins();
        if (argc < 3) {
                fprintf(stderr, "usage: %s FIXTURE_DIR CONF_DIR\n", argv[0]);
                return 2; /* a wiring error, never a pass */
        }
        test_golden(argv[1]);
        test_bad_fixtures(argv[1]);
        test_shipped(argv[1], argv[2]);
        return TEST_RESULT();
}
