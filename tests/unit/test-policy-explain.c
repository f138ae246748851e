/* Unit tests for policy_explain: tables of (host memory, pause, past
 * actions) → (tier, judged action, every group's verdict and rank), checked
 * against policy_evaluate's own plan and with the state left untouched. */
#include "policy_explain.h"
#include "test.h"
#include "test-snapshot.h"

#define S   USEC_PER_SEC
#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)
#define MEM_TOTAL (100 * GiB) /* "used p%" is p GiB */
#define NOW (1000 * S)

enum { R_AGENTS, R_BACKEND, R_OLLAMA, R_MISC, R_POSTGRES, R_COUNT };

static struct rule rules[R_COUNT];
static struct config config;
static struct snapshot snap;

static void add(const char *name, int rule, uint64_t bytes, bool running, bool memory_high,
                bool identity)
{
        struct group_sample *g = test_add_container(&snap, name, rule, bytes);

        if (!identity) /* no id or cgroup: nothing to key an action on */
                g->id[0] = g->cgroup[0] = '\0';
        g->has_memory_high = memory_high;
        g->memory_swap_max = 0;
        g->running = running;
}

static void setup(void)
{
        static const struct {
                const char *name;
                int priority;
                bool protect, sacrificial;
        } r[R_COUNT] = {
            [R_AGENTS] = {"agents", 10, false, true},   [R_BACKEND] = {"backend", 50, false, false},
            [R_OLLAMA] = {"ollama", 50, false, false},  [R_MISC] = {"misc", 30, false, false},
            [R_POSTGRES] = {"postgres", 0, true, false},
        };
        struct memory_section *m = &config.memory;

        m->warning_percent = 65;
        m->critical_percent = 80;
        m->emergency_percent = 90;
        m->hysteresis_percent = 5;
        m->hold_usec = m->emergency_hold_usec = 0; /* one evaluation enters a tier */
        m->cooldown_usec = 15 * S;
        m->reclaim_percent = 10;
        m->throttle_percent = 50;
        for (size_t i = 0; i < R_COUNT; i++) {
                rules[i] = (struct rule){.kind = RULE_CONTAINER,
                                         .name = (char *)r[i].name,
                                         .priority = r[i].priority,
                                         .protect = r[i].protect,
                                         .sacrificial = r[i].sacrificial,
                                         .memory_swap = {.set = true, .bytes = 0}};
        }
        config.rules = rules;
        config.n_rules = R_COUNT;

        snapshot_init(&snap);
        snap.host.mem.mem_total_bytes = MEM_TOTAL;
        snap.host.mem.swap_total_bytes = 0;
        /* the unmanaged one first: order must come from explain, not the snapshot */
        add("stray", -1, 3 * GiB, true, true, true);
        add("agent-a", R_AGENTS, 2 * GiB, true, true, true);
        add("agent-b", R_AGENTS, 1 * GiB, false, true, true);
        add("ollama", R_OLLAMA, 8 * GiB, true, true, true);
        add("backend", R_BACKEND, 1 * GiB, true, true, true);
        add("postgres", R_POSTGRES, 1 * GiB, true, true, true);
        add("tiny", R_MISC, 1000, true, true, true);
        add("hybrid", R_MISC, 2 * GiB, true, false, true);
        add("noid", R_MISC, 512 * MiB, true, true, false);
}

struct expect_group {
        const char *name;
        enum explain_verdict verdict;
        unsigned rank;
};

struct explain_case {
        const char *what;
        double used_percent;
        bool paused;
        const char *killed_5s_ago; /* a KILL noted on this group at NOW - 5 s */
        enum tier tier;
        enum action_kind judged;
        usec_t host_cooldown_left_usec;
        enum action_kind first_action; /* ACTION_KIND_COUNT: none destructive */
        const char *first_target;
        struct expect_group groups[10];
};

#define C EXPLAIN_CANDIDATE
static const struct explain_case cases[] = {
    {"normal: judged for reclaim, what warning does first", 10, false, NULL, TIER_NORMAL,
     ACTION_RECLAIM, 0, ACTION_KIND_COUNT, NULL,
     {{"agent-a", C, 1}, {"agent-b", C, 2}, {"ollama", C, 3}, {"backend", C, 4},
      {"hybrid", EXPLAIN_NO_MEMORY_HIGH, 0}, {"noid", EXPLAIN_NO_IDENTITY, 0},
      {"tiny", EXPLAIN_BELOW_USAGE, 0}, {"postgres", EXPLAIN_PROTECTED, 0},
      {"stray", EXPLAIN_UNMANAGED, 0}}},
    {"critical: only running sacrificial containers are stopped", 85, false, NULL, TIER_CRITICAL,
     ACTION_STOP, 0, ACTION_STOP, "agent-a",
     {{"agent-a", C, 1}, {"agent-b", EXPLAIN_NOT_RUNNING, 0},
      {"hybrid", EXPLAIN_NOT_SACRIFICIAL, 0}, {"noid", EXPLAIN_NO_IDENTITY, 0},
      {"tiny", EXPLAIN_NOT_SACRIFICIAL, 0}, {"ollama", EXPLAIN_NOT_SACRIFICIAL, 0},
      {"backend", EXPLAIN_NOT_SACRIFICIAL, 0}, {"postgres", EXPLAIN_PROTECTED, 0},
      {"stray", EXPLAIN_UNMANAGED, 0}}},
    {"emergency: kill in victim order, usage breaks priority ties", 95, false, NULL,
     TIER_EMERGENCY, ACTION_KILL, 0, ACTION_KILL, "agent-a",
     {{"agent-a", C, 1}, {"hybrid", C, 2}, {"tiny", C, 3}, {"ollama", C, 4}, {"backend", C, 5},
      {"agent-b", EXPLAIN_NOT_RUNNING, 0}, {"noid", EXPLAIN_NO_IDENTITY, 0},
      {"postgres", EXPLAIN_PROTECTED, 0}, {"stray", EXPLAIN_UNMANAGED, 0}}},
    {"emergency after a kill: the group and the host are in cooldown", 95, false, "agent-a",
     TIER_EMERGENCY, ACTION_KILL, 10 * S, ACTION_KIND_COUNT, NULL,
     {{"hybrid", C, 1}, {"tiny", C, 2}, {"ollama", C, 3}, {"backend", C, 4},
      {"agent-a", EXPLAIN_COOLDOWN, 0}, {"agent-b", EXPLAIN_NOT_RUNNING, 0},
      {"noid", EXPLAIN_NO_IDENTITY, 0}, {"postgres", EXPLAIN_PROTECTED, 0},
      {"stray", EXPLAIN_UNMANAGED, 0}}},
    {"paused: the plan still says what is held back", 95, true, NULL, TIER_EMERGENCY, ACTION_KILL,
     0, ACTION_KILL, "agent-a",
     {{"agent-a", C, 1}, {"hybrid", C, 2}, {"tiny", C, 3}, {"ollama", C, 4}, {"backend", C, 5},
      {"agent-b", EXPLAIN_NOT_RUNNING, 0}, {"noid", EXPLAIN_NO_IDENTITY, 0},
      {"postgres", EXPLAIN_PROTECTED, 0}, {"stray", EXPLAIN_UNMANAGED, 0}}},
};
#undef C

static void run_case(const struct explain_case *c)
{
        struct policy_state state;
        struct explanation e;
        struct policy_input in = {.config = &config, .snapshot = &snap, .now = NOW,
                                  .paused = c->paused};
        size_t n_expected = 0;

        snap.host.mem.mem_available_bytes = MEM_TOTAL - (uint64_t)(c->used_percent * (double)GiB);
        policy_state_init(&state);
        if (c->killed_5s_ago) {
                struct action a = {.kind = ACTION_KILL, .tier = TIER_EMERGENCY};

                for (size_t i = 0; i < snap.n_groups; i++)
                        if (strcmp(snap.groups[i].name, c->killed_5s_ago) == 0) {
                                a.group = i;
                                util_strlcpy(a.key, group_key(&snap.groups[i]), sizeof a.key);
                                util_strlcpy(a.target, snap.groups[i].name, sizeof a.target);
                        }
                CHECK_EQ_INT(policy_note_action(&state, &a, NOW - 5 * S), 0);
        }
        struct policy_state before = state;
        size_t n_state_groups = state.n_groups;

        explanation_init(&e);
        CHECK_EQ_INT(policy_explain(&in, &state, &e), 0);
        fprintf(stderr, "case: %s\n", c->what);

        CHECK_EQ_INT(e.tier, c->tier);
        CHECK_EQ_INT(e.previous_tier, TIER_NORMAL);
        CHECK_EQ_INT(e.judged_kind, c->judged);
        CHECK(e.paused == c->paused);
        CHECK_EQ_U64(e.host_cooldown_left_usec, c->host_cooldown_left_usec);
        CHECK(e.marks_percent[TIER_CRITICAL] == 80);
        CHECK(e.memory_used_percent == c->used_percent);

        for (; n_expected < ELEMENTSOF(c->groups) && c->groups[n_expected].name; n_expected++)
                ;
        CHECK_EQ_INT(e.n_groups, n_expected);
        CHECK_EQ_INT(e.n_groups, snap.n_groups);
        for (size_t i = 0; i < n_expected && i < e.n_groups; i++) {
                const struct explain_group *g = &e.groups[i];
                const char *name = snap.groups[g->group].name;

                if (strcmp(name, c->groups[i].name) != 0 || g->verdict != c->groups[i].verdict ||
                    g->rank != c->groups[i].rank) {
                        fprintf(stderr, "  row %zu: got %s %s #%u, want %s %s #%u\n", i, name,
                                explain_verdict_name(g->verdict), g->rank, c->groups[i].name,
                                explain_verdict_name(c->groups[i].verdict), c->groups[i].rank);
                        test_failures++;
                }
                if (g->verdict == EXPLAIN_COOLDOWN)
                        CHECK_EQ_U64(g->cooldown_left_usec, 10 * S);
        }

        /* The plan is policy_evaluate's, pause ignored; its destructive
         * candidates are explain's first ranks. */
        if (c->first_action == ACTION_KIND_COUNT) {
                for (size_t i = 0; i < e.plan.n_actions; i++)
                        CHECK(!action_is_destructive(e.plan.actions[i].kind));
        } else {
                CHECK(e.plan.n_actions > 0);
                if (e.plan.n_actions > 0) {
                        CHECK_EQ_INT(e.plan.actions[0].kind, c->first_action);
                        CHECK_STREQ(e.plan.actions[0].target, c->first_target);
                }
                for (size_t i = 0; i < e.plan.n_candidates; i++)
                        CHECK_EQ_INT(e.plan.candidates[i], e.groups[i].group);
        }

        /* explain changes nothing: the governor's tier and cooldowns stay */
        CHECK_EQ_INT(state.memory.tier, before.memory.tier);
        CHECK_EQ_INT(state.memory.tier, TIER_NORMAL);
        CHECK_EQ_U64(state.last_destructive_usec, before.last_destructive_usec);
        CHECK_EQ_INT(state.n_groups, n_state_groups);
        CHECK(state.groups == before.groups);

        explanation_done(&e);
        CHECK(e.groups == NULL && e.n_groups == 0);
        policy_state_done(&state);
}

/* Structural protection, as the policy applies it: a plain cgroup that is a
 * container's own is governed as the container only, and a cgroup holding a
 * protected group is never a victim; neither is ever a candidate. */
static void test_structural(void)
{
        struct snapshot saved = snap;
        struct policy_state state;
        struct explanation e;
        struct policy_input in = {.config = &config, .snapshot = &snap, .now = NOW};
        struct group_sample *g;

        snapshot_init(&snap);
        snap.host.mem.mem_total_bytes = MEM_TOTAL;
        snap.host.mem.mem_available_bytes = 5 * GiB; /* emergency */
        add("c1", R_MISC, 1 * GiB, true, true, true);
        add("postgres", R_POSTGRES, 1 * GiB, true, true, true);
        g = snapshot_add_group(&snap);
        g->kind = GROUP_CGROUP;
        strcpy(g->name, "docker/id-c1");
        strcpy(g->cgroup, "docker/id-c1");
        g->rule = R_MISC;
        g->has_memory = true;
        g->memory_current = 4 * GiB;
        g->running = true;
        g = snapshot_add_group(&snap);
        g->kind = GROUP_CGROUP;
        strcpy(g->name, "docker");
        strcpy(g->cgroup, "docker");
        g->rule = R_MISC;
        g->has_memory = true;
        g->memory_current = 8 * GiB;
        g->running = true;

        policy_state_init(&state);
        explanation_init(&e);
        CHECK_EQ_INT(policy_explain(&in, &state, &e), 0);
        CHECK_EQ_INT(e.n_groups, 4);
        CHECK_STREQ(snap.groups[e.groups[0].group].name, "c1");
        CHECK_EQ_INT(e.groups[0].verdict, EXPLAIN_CANDIDATE);
        CHECK_EQ_INT(e.groups[0].rank, 1);
        for (size_t i = 1; i < 3; i++) {
                CHECK_EQ_INT(e.groups[i].verdict, EXPLAIN_STRUCTURAL);
                CHECK(e.groups[i].detail[0] != '\0');
        }
        CHECK_EQ_INT(e.groups[3].verdict, EXPLAIN_PROTECTED);
        CHECK_EQ_INT(e.plan.n_candidates, 1);
        CHECK_EQ_INT(e.plan.candidates[0], e.groups[0].group);
        explanation_done(&e);
        policy_state_done(&state);
        snapshot_done(&snap);
        snap = saved;
}

int main(void)
{
        setup();
        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                run_case(&cases[i]);
        test_structural();

        /* no groups at all: a tier and an empty list, not an error */
        {
                struct snapshot empty;
                struct policy_state state;
                struct explanation e;

                snapshot_init(&empty);
                empty.host.mem.mem_total_bytes = MEM_TOTAL;
                empty.host.mem.mem_available_bytes = MEM_TOTAL / 2;
                policy_state_init(&state);
                explanation_init(&e);
                CHECK_EQ_INT(policy_explain(&(struct policy_input){.config = &config,
                                                                   .snapshot = &empty,
                                                                   .now = NOW},
                                            &state, &e),
                             0);
                CHECK_EQ_INT(e.n_groups, 0);
                CHECK_EQ_INT(e.tier, TIER_NORMAL);
                explanation_done(&e);
                policy_state_done(&state);
                snapshot_done(&empty);
        }
        CHECK_STREQ(explain_verdict_name(EXPLAIN_NO_MEMORY_HIGH), "no-memory-high");
        snapshot_done(&snap);
        return TEST_RESULT();
}
