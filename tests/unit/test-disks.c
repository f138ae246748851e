/* test-disks — the pure disk decision: statvfs → usage, (now, usage) →
 * tier and "start cleanup" steps with hold, hysteresis and cooldown, and
 * which cleanup stage runs next. No sleeping: time is an argument. */
#include <math.h>

#include "disks.h"
#include "test.h"

#define SEC USEC_PER_SEC

static struct disk_section section(void)
{
        return (struct disk_section){
            .path = (char *)"/",
            .warning_percent = 80,
            .critical_percent = 90,
            .emergency_percent = 95,
            .low_percent = 70,
            .hysteresis_percent = 5,
            .hold_usec = 5 * SEC,
            .cooldown_usec = 60 * SEC,
        };
}

static struct disk_usage usage_at(double percent)
{
        return (struct disk_usage){.used_percent = percent, .blocks_percent = percent};
}

static void test_statvfs(void)
{
        struct disk_usage u;
        /* df: 1000 blocks, 300 free of which 250 available to users (50
         * reserved) → used 700, shown size 950, 73.68 % */
        struct statvfs st = {.f_frsize = 4096,
                             .f_bsize = 4096,
                             .f_blocks = 1000,
                             .f_bfree = 300,
                             .f_bavail = 250,
                             .f_files = 100,
                             .f_ffree = 10};

        disks_usage_from_statvfs(&st, &u);
        CHECK_EQ_U64(u.bytes_used, 700 * 4096);
        CHECK_EQ_U64(u.bytes_avail, 250 * 4096);
        CHECK_EQ_U64(u.bytes_total, 950 * 4096);
        CHECK(fabs(u.blocks_percent - 700.0 * 100 / 950) < 1e-9);
        /* inodes 90 % beat blocks: the higher drives the tier */
        CHECK(fabs(u.inodes_percent - 90.0) < 1e-9);
        CHECK(fabs(u.used_percent - 90.0) < 1e-9);
        CHECK_EQ_U64(u.inodes_used, 90);

        /* no inode table (btrfs: f_files = 0) and an empty fs */
        struct statvfs empty = {.f_frsize = 0, .f_bsize = 512, .f_blocks = 0};
        disks_usage_from_statvfs(&empty, &u);
        CHECK(u.used_percent == 0.0);
        CHECK(u.inodes_percent == 0.0);

        /* inode exhaustion alone */
        struct statvfs inodes = {.f_frsize = 4096,
                                 .f_blocks = 1000,
                                 .f_bfree = 990,
                                 .f_bavail = 990,
                                 .f_files = 200,
                                 .f_ffree = 0};
        disks_usage_from_statvfs(&inodes, &u);
        CHECK(u.blocks_percent < 2.0);
        CHECK(u.used_percent == 100.0);

        /* a bogus f_bfree > f_blocks does not underflow */
        struct statvfs bogus = {.f_frsize = 4096, .f_blocks = 10, .f_bfree = 20, .f_bavail = 5};
        disks_usage_from_statvfs(&bogus, &u);
        CHECK_EQ_U64(u.bytes_used, 0);
}

struct step {
        usec_t now;
        double percent;
        bool cleanup_running;
        enum tier expect_tier;
        bool expect_start;
};

static void run_steps(const char *name, const struct disk_section *cfg, struct disk_state *st,
                      const struct step *steps, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                struct disk_usage u = usage_at(steps[i].percent);
                struct disk_decision d;

                disks_decide(cfg, st, &u, steps[i].now, steps[i].cleanup_running, &d);
                if (d.tier != steps[i].expect_tier || d.start_cleanup != steps[i].expect_start) {
                        fprintf(stderr,
                                "%s step %zu (t=%llus %.1f%%): tier %s start %d, expected %s %d\n",
                                name, i, (unsigned long long)(steps[i].now / SEC), steps[i].percent,
                                tier_name(d.tier), d.start_cleanup, tier_name(steps[i].expect_tier),
                                steps[i].expect_start);
                        test_failures++;
                }
        }
}

static void test_tiers(void)
{
        struct disk_section cfg = section();
        struct disk_state st;
        const struct step steps[] = {
            {0 * SEC, 50, false, TIER_NORMAL, false},
            {1 * SEC, 85, false, TIER_NORMAL, false},    /* hold starts */
            {5 * SEC, 85, false, TIER_NORMAL, false},    /* 4 s < hold */
            {6 * SEC, 85, false, TIER_WARNING, true},    /* held 5 s: warning, clean */
            {7 * SEC, 85, true, TIER_WARNING, false},    /* a cleanup is running */
            {8 * SEC, 96, true, TIER_WARNING, false},    /* emergency must hold too */
            {13 * SEC, 96, false, TIER_EMERGENCY, true}, /* never cleaned: no cooldown yet */
            {14 * SEC, 78, false, TIER_WARNING, true},   /* under 95-5 and 90-5: falls */
            {15 * SEC, 76, false, TIER_WARNING, true},   /* 76 >= 80-5: stays warning */
            {16 * SEC, 74, false, TIER_NORMAL, false},   /* under 75: normal */
        };

        disk_state_init(&st);
        run_steps("tiers", &cfg, &st, steps, ELEMENTSOF(steps));
}

static void test_cooldown_and_low(void)
{
        struct disk_section cfg = section();
        struct disk_state st;

        cfg.hold_usec = 0;
        disk_state_init(&st);
        const struct step first[] = {
            {100 * SEC, 91, false, TIER_CRITICAL, true},
        };
        run_steps("cooldown-1", &cfg, &st, first, ELEMENTSOF(first));
        st.last_cleanup_usec = 110 * SEC; /* the cleanup ended */
        st.last_cleanup_tier = TIER_CRITICAL;
        const struct step after[] = {
            {120 * SEC, 91, false, TIER_CRITICAL, false}, /* 10 s < 60 s cooldown */
            {169 * SEC, 91, false, TIER_CRITICAL, false},
            {170 * SEC, 91, false, TIER_CRITICAL, true}, /* cooled */
        };
        run_steps("cooldown-2", &cfg, &st, after, ELEMENTSOF(after));

        /* Escalation beats the cooldown: a warning-tier run could not prune
         * Docker; reaching critical must not wait for the cooldown. */
        disk_state_init(&st);
        st.last_cleanup_usec = 10 * SEC;
        st.last_cleanup_tier = TIER_WARNING;
        const struct step escalate[] = {
            {11 * SEC, 85, false, TIER_WARNING, false}, /* same tier: cooling */
            {12 * SEC, 92, false, TIER_CRITICAL, true}, /* higher: at once */
            {13 * SEC, 92, true, TIER_CRITICAL, false}, /* but never two at once */
        };
        run_steps("escalate", &cfg, &st, escalate, ELEMENTSOF(escalate));

        /* low mark above the hysteresis band: a warning disk already under
         * low does not clean */
        cfg.low_percent = 78;
        disk_state_init(&st);
        const struct step low[] = {
            {0, 81, false, TIER_WARNING, true},
            {1 * SEC, 77, false, TIER_WARNING, false}, /* warning (>= 75) but under low */
        };
        run_steps("low", &cfg, &st, low, ELEMENTSOF(low));

        CHECK(disks_under_low(&cfg, &(struct disk_usage){.used_percent = 78}));
        CHECK(!disks_under_low(&cfg, &(struct disk_usage){.used_percent = 78.01}));
}

/* The disk policy's plan, one action at a time: (tier, usage, done so far,
 * force, eviction exhausted) -> the next action, or none. */
struct next_case {
        enum tier tier;
        double used_percent; /* low mark 70 */
        enum disk_action_kind done;
        bool force, evict_exhausted;
        enum disk_action_kind expect; /* NONE: the cleanup is over */
};

static const struct next_case next_cases[] = {
    /* warning: logs, journal, then over even when still high */
    {TIER_WARNING, 97, DISK_ACTION_NONE, false, false, DISK_ACTION_PRUNE_LOGS},
    {TIER_WARNING, 97, DISK_ACTION_PRUNE_LOGS, false, false, DISK_ACTION_VACUUM_JOURNAL},
    {TIER_WARNING, 97, DISK_ACTION_VACUUM_JOURNAL, false, false, DISK_ACTION_NONE},
    /* critical: + containers, dangling images, build cache; never eviction */
    {TIER_CRITICAL, 97, DISK_ACTION_VACUUM_JOURNAL, false, false, DISK_ACTION_PRUNE_CONTAINERS},
    {TIER_CRITICAL, 97, DISK_ACTION_PRUNE_CONTAINERS, false, false, DISK_ACTION_PRUNE_IMAGES},
    {TIER_CRITICAL, 97, DISK_ACTION_PRUNE_IMAGES, false, false, DISK_ACTION_PRUNE_BUILD_CACHE},
    {TIER_CRITICAL, 97, DISK_ACTION_PRUNE_BUILD_CACHE, false, false, DISK_ACTION_NONE},
    /* emergency: eviction repeats until under low or exhausted */
    {TIER_EMERGENCY, 97, DISK_ACTION_PRUNE_BUILD_CACHE, false, false, DISK_ACTION_EVICT_IMAGE},
    {TIER_EMERGENCY, 97, DISK_ACTION_EVICT_IMAGE, false, false, DISK_ACTION_EVICT_IMAGE},
    {TIER_EMERGENCY, 97, DISK_ACTION_EVICT_IMAGE, false, true, DISK_ACTION_NONE},
    /* still above low (75 > 70) after logs: the next action */
    {TIER_EMERGENCY, 75, DISK_ACTION_PRUNE_LOGS, false, false, DISK_ACTION_VACUUM_JOURNAL},
    /* under low anywhere: over */
    {TIER_EMERGENCY, 60, DISK_ACTION_NONE, false, false, DISK_ACTION_NONE},
    {TIER_EMERGENCY, 60, DISK_ACTION_PRUNE_LOGS, false, false, DISK_ACTION_NONE},
    {TIER_EMERGENCY, 60, DISK_ACTION_PRUNE_CONTAINERS, false, false, DISK_ACTION_NONE},
    {TIER_EMERGENCY, 60, DISK_ACTION_EVICT_IMAGE, false, false, DISK_ACTION_NONE},
    {TIER_EMERGENCY, 70, DISK_ACTION_PRUNE_BUILD_CACHE, false, false, DISK_ACTION_NONE},
    /* normal tier: nothing */
    {TIER_NORMAL, 97, DISK_ACTION_NONE, false, false, DISK_ACTION_NONE},
    /* forced (operator's cleanup): every rule-based action even under low,
     * eviction never under low */
    {TIER_EMERGENCY, 60, DISK_ACTION_NONE, true, false, DISK_ACTION_PRUNE_LOGS},
    {TIER_EMERGENCY, 60, DISK_ACTION_PRUNE_CONTAINERS, true, false, DISK_ACTION_PRUNE_IMAGES},
    {TIER_EMERGENCY, 60, DISK_ACTION_PRUNE_IMAGES, true, false, DISK_ACTION_PRUNE_BUILD_CACHE},
    {TIER_EMERGENCY, 60, DISK_ACTION_PRUNE_BUILD_CACHE, true, false, DISK_ACTION_NONE},
    {TIER_EMERGENCY, 97, DISK_ACTION_PRUNE_BUILD_CACHE, true, false, DISK_ACTION_EVICT_IMAGE},
    {TIER_EMERGENCY, 97, DISK_ACTION_EVICT_IMAGE, true, true, DISK_ACTION_NONE},
};

static void test_next_action(void)
{
        struct disk_section cfg = section();
        struct disk_usage high = usage_at(97);
        struct disk_action a;

        for (size_t i = 0; i < ELEMENTSOF(next_cases); i++) {
                const struct next_case *t = &next_cases[i];
                struct disk_usage u = usage_at(t->used_percent);
                bool more = disks_next_action(&cfg, "/var", t->tier, t->done, &u, t->force,
                                              t->evict_exhausted, &a);

                fprintf(stderr, "next case %zu: %s at %.0f%% after %s%s -> %s\n", i,
                        tier_name(t->tier), t->used_percent, disk_action_kind_name(t->done),
                        t->force ? " (forced)" : "", disk_action_kind_name(t->expect));
                CHECK_EQ_INT(more, t->expect != DISK_ACTION_NONE);
                CHECK_EQ_INT(a.kind, t->expect);
                if (more) {
                        CHECK_EQ_INT(a.tier, t->tier);
                        CHECK_STREQ(a.disk, "/var");
                        CHECK(a.reason[0] != '\0');
                }
        }

        /* the plan entry says why */
        CHECK(disks_next_action(&cfg, "/var", TIER_CRITICAL, DISK_ACTION_NONE, &high, false, false,
                                &a));
        CHECK_STREQ(a.reason, "disk /var at critical, 97.0% used");
        /* an operator's run with no disk: the rule-based actions, no eviction */
        CHECK(disks_next_action(NULL, NULL, TIER_EMERGENCY, DISK_ACTION_PRUNE_LOGS, NULL, true,
                                false, &a));
        CHECK_EQ_INT(a.kind, DISK_ACTION_VACUUM_JOURNAL);
        CHECK(a.disk == NULL);
        CHECK_STREQ(a.reason, "operator request");
        CHECK(!disks_next_action(NULL, NULL, TIER_EMERGENCY, DISK_ACTION_PRUNE_BUILD_CACHE, NULL,
                                 true, false, &a));
        /* the disk left the configuration, or cannot be read: over */
        CHECK(!disks_next_action(NULL, "/var", TIER_EMERGENCY, DISK_ACTION_NONE, &high, false,
                                 false, &a));
        CHECK(!disks_next_action(&cfg, "/var", TIER_EMERGENCY, DISK_ACTION_NONE, NULL, false,
                                 false, &a));

        /* the names are the history kinds */
        CHECK_STREQ(disk_action_kind_name(DISK_ACTION_PRUNE_LOGS), "prune-logs");
        CHECK_STREQ(disk_action_kind_name(DISK_ACTION_VACUUM_JOURNAL), "vacuum-journal");
        CHECK_STREQ(disk_action_kind_name(DISK_ACTION_PRUNE_CONTAINERS), "prune-containers");
        CHECK_STREQ(disk_action_kind_name(DISK_ACTION_PRUNE_IMAGES), "prune-images");
        CHECK_STREQ(disk_action_kind_name(DISK_ACTION_PRUNE_BUILD_CACHE), "prune-build-cache");
        CHECK_STREQ(disk_action_kind_name(DISK_ACTION_EVICT_IMAGE), "evict-image");
        CHECK_EQ_INT(disk_action_kind_tier(DISK_ACTION_VACUUM_JOURNAL), TIER_WARNING);
        CHECK_EQ_INT(disk_action_kind_tier(DISK_ACTION_PRUNE_BUILD_CACHE), TIER_CRITICAL);
        CHECK_EQ_INT(disk_action_kind_tier(DISK_ACTION_EVICT_IMAGE), TIER_EMERGENCY);
}

int main(void)
{
        test_statvfs();
        test_tiers();
        test_cooldown_and_low();
        test_next_action();
        return TEST_RESULT();
}
