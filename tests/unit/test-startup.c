/* Unit tests for startup: the summary line word for word, its cut for many
 * rules, the no-container-rule warning, unmatched rules (container rules
 * ignored until Docker answered) and the writability check. */
#include <errno.h>
#include <sys/stat.h>

#include "startup.h"
#include "test.h"

static struct config config;
static struct rule rules[10];
static struct disk_section disks[2];
static struct snapshot snap;

static void add(const char *name, int rule)
{
        struct group_sample *g = snapshot_add_group(&snap);

        if (!g)
                abort();
        util_strlcpy(g->name, name, sizeof g->name);
        g->rule = rule;
}

int main(void)
{
        static const char *const names[10] = {"ollama", "backend", "postgres", "redis", "agents",
                                              "mon", "a7", "a8", "a9", "a10"};
        char buf[1024];

        config.memory.warning_percent = 65;
        config.memory.critical_percent = 80;
        config.memory.emergency_percent = 90;
        for (size_t i = 0; i < 10; i++)
                rules[i] = (struct rule){.kind = i == 5 ? RULE_CGROUP : RULE_CONTAINER,
                                         .name = (char *)names[i]};
        disks[0] = (struct disk_section){.path = (char *)"/", .warning_percent = 50,
                                         .critical_percent = 60, .emergency_percent = 70};
        disks[1] = (struct disk_section){.path = (char *)"/var", .warning_percent = 80,
                                         .critical_percent = 90, .emergency_percent = 95};
        config.rules = rules;
        config.n_rules = 3;
        config.disks = disks;
        config.n_disks = 2;
        snapshot_init(&snap);
        add("sutazai-ollama", 0);
        add("sutazai-postgres", 2);
        add("sutazai-postgres-2", 2);
        add("buildkit", -1);

        startup_summary(&config, &snap, false, buf, sizeof buf);
        CHECK_STREQ(buf, "enforcing; memory marks 65/80/90%; disks / 50/60/70%, /var 80/90/95%; "
                         "rules (groups matched) ollama 1, backend 0, postgres 2; "
                         "1 unmanaged group");
        CHECK_EQ_INT(startup_rule_matches(&snap, 2), 2);

        /* dry-run, no disks, no rules: still one line that says so */
        config.n_disks = 0;
        config.n_rules = 0;
        startup_summary(&config, &snap, true, buf, sizeof buf);
        CHECK_STREQ(buf, "dry-run (nothing is changed); memory marks 65/80/90%; no disk watched; "
                         "no rules; 1 unmanaged group");
        CHECK(startup_config_warning(&config) != NULL);
        CHECK(strstr(startup_config_warning(&config), "no [container:] rule") != NULL);

        /* many rules are cut to a readable line; a tiny buffer truncates */
        config.n_rules = 10;
        startup_summary(&config, &snap, false, buf, sizeof buf);
        CHECK(strstr(buf, ", a8 0, +2 more;") != NULL);
        CHECK(strstr(buf, "a9") == NULL);
        CHECK(strlen(buf) < 200);
        startup_summary(&config, &snap, false, buf, 12);
        CHECK_STREQ(buf, "enforcing; ");
        CHECK(startup_config_warning(&config) == NULL);

        /* only a cgroup rule: governs no container */
        config.rules = &rules[5];
        config.n_rules = 1;
        CHECK(startup_config_warning(&config) != NULL);
        config.rules = rules;

        /* unmatched: container rules wait for Docker, cgroup rules do not */
        config.n_rules = 6;
        CHECK_EQ_INT(startup_unmatched_rules(&config, &snap, true, buf, sizeof buf), 4);
        CHECK_STREQ(buf, "backend, redis, agents, mon");
        CHECK_EQ_INT(startup_unmatched_rules(&config, &snap, false, buf, sizeof buf), 1);
        CHECK_STREQ(buf, "mon");
        config.n_rules = 1;
        CHECK_EQ_INT(startup_unmatched_rules(&config, &snap, true, buf, sizeof buf), 0);
        CHECK_STREQ(buf, "");

        /* writable: a fresh directory yes, a missing one no */
        char tmpl[] = "/tmp/test-startup-XXXXXX";
        char *dir = mkdtemp(tmpl);
        CHECK(dir != NULL);
        if (dir) {
                CHECK_EQ_INT(startup_check_writable(dir), 0);
                snprintf(buf, sizeof buf, "%s/missing", dir);
                CHECK_EQ_INT(startup_check_writable(buf), -ENOENT);
                rmdir(dir);
        }
        startup_readonly_hint("/srv/app/logs", buf, sizeof buf);
        CHECK(strstr(buf, "ReadWritePaths=/srv/app/logs") != NULL);

        snapshot_done(&snap);
        return TEST_RESULT();
}
