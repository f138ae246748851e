/* Unit tests for policy: table-driven timelines of (now, host memory, PSI) →
 * (tier, actions), with the actions fed back the way the actuator does, plus
 * focused checks of limits, overrides, throttle figures and policy_confirm.
 * The config is built by hand: policy only reads its fields. */
#include <errno.h>
#include <stdarg.h>

#include "policy.h"
#include "test.h"
#include "test-snapshot.h"

#define S   USEC_PER_SEC
#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)

/* Host MemTotal: 100 GiB, so "used p%" is exactly p GiB and exact in binary. */
#define MEM_TOTAL (100 * GiB)

enum {
        R_AGENTS,   /* priority 10, sacrificial */
        R_BACKEND,  /* priority 50 */
        R_OLLAMA,   /* priority 50 */
        R_MISC,     /* priority 30 */
        R_POSTGRES, /* priority 0, protected */
        R_REDIS,    /* priority 5, protected */
        R_COUNT,
};

struct world {
        struct config config;
        struct rule rules[R_COUNT];
        struct snapshot snap;
        struct policy_state state;
        struct plan plan;
        struct override overrides[4];
        size_t n_overrides;
        bool kills_stick; /* false: a killed/stopped container is restarted (same id) */
};

static void world_init(struct world *w)
{
        static const struct {
                const char *name;
                int priority;
                bool protect, sacrificial;
        } rules[R_COUNT] = {
            [R_AGENTS] = {"agents", 10, false, true},
            [R_BACKEND] = {"backend", 50, false, false},
            [R_OLLAMA] = {"ollama", 50, false, false},
            [R_MISC] = {"misc", 30, false, false},
            [R_POSTGRES] = {"postgres", 0, true, false},
            [R_REDIS] = {"redis", 5, true, false},
        };
        struct memory_section *m = &w->config.memory;

        memset(w, 0, sizeof *w);
        m->warning_percent = 65;
        m->critical_percent = 80;
        m->emergency_percent = 90;
        m->hysteresis_percent = 5;
        m->pressure_warning = (struct psi_threshold){true, PSI_SOME, 10};
        m->pressure_critical = (struct psi_threshold){true, PSI_FULL, 20};
        m->pressure_emergency = (struct psi_threshold){true, PSI_FULL, 40};
        m->hold_usec = m->emergency_hold_usec = 5 * S;
        m->cooldown_usec = 15 * S;
        m->reclaim_percent = 10;
        m->throttle_percent = 50;

        for (size_t i = 0; i < R_COUNT; i++) {
                struct rule *r = &w->rules[i];

                r->kind = RULE_CONTAINER;
                r->name = (char *)rules[i].name;
                r->priority = rules[i].priority;
                r->protect = rules[i].protect;
                r->sacrificial = rules[i].sacrificial;
                r->memory_swap = (struct size_spec){.set = true, .bytes = 0};
        }
        w->config.rules = w->rules;
        w->config.n_rules = R_COUNT;

        snapshot_init(&w->snap);
        w->snap.host.mem.mem_total_bytes = MEM_TOTAL;
        w->snap.host.mem.mem_available_bytes = MEM_TOTAL;
        w->snap.host.mem.swap_total_bytes = 8 * GiB;
        policy_state_init(&w->state);
        plan_init(&w->plan);
        w->kills_stick = true;
}

static void world_done(struct world *w)
{
        snapshot_done(&w->snap);
        policy_state_done(&w->state);
        plan_done(&w->plan);
}

/* A running container with usage and no limits; without memory.high support
 * unless asked for, so destructive timelines are not cluttered by reclaims. */
static struct group_sample *add_group(struct world *w, const char *name, int rule,
                                      uint64_t current_bytes, bool memory_high)
{
        struct group_sample *g = test_add_container(&w->snap, name, rule, current_bytes);

        g->has_memory_high = memory_high;
        g->memory_swap_max = 0;
        return g;
}

static struct group_sample *find_group(struct world *w, const char *name)
{
        for (size_t i = 0; i < w->snap.n_groups; i++)
                if (strcmp(w->snap.groups[i].name, name) == 0)
                        return &w->snap.groups[i];
        return NULL;
}

static void remove_group(struct world *w, const char *name)
{
        struct group_sample *g = find_group(w, name);

        if (!g)
                abort();
        *g = w->snap.groups[--w->snap.n_groups];
}

static void set_host(struct world *w, double used_percent, double psi_some, double psi_full)
{
        w->snap.host.mem.mem_available_bytes = MEM_TOTAL - (uint64_t)(used_percent * (double)GiB);
        w->snap.host.has_psi = psi_some >= 0;
        w->snap.host.memory_psi = (struct psi_stats){
            .some = {.avg10 = psi_some >= 0 ? psi_some : 0},
            .full = {.avg10 = psi_full >= 0 ? psi_full : 0},
            .has_full = true,
        };
}

static int evaluate(struct world *w, usec_t now, bool paused)
{
        struct policy_input in = {
            .config = &w->config,
            .snapshot = &w->snap,
            .now = now,
            .paused = paused,
            .overrides = w->overrides,
            .n_overrides = w->n_overrides,
        };

        return policy_evaluate(&in, &w->state, &w->plan);
}

static const char *short_kind(enum action_kind k)
{
        static const char *const names[ACTION_KIND_COUNT] = {"limit",    "high", "reclaim",
                                                             "throttle", "stop", "kill"};
        return names[k];
}

/* "kill:a throttle:b" in plan order */
static void format_actions(const struct plan *p, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < p->n_actions && n < size; i++)
                n += (size_t)snprintf(buf + n, size - n, "%s%s:%s", i ? " " : "",
                                      short_kind(p->actions[i].kind), p->actions[i].target);
}

static void format_candidates(const struct world *w, char *buf, size_t size)
{
        size_t n = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < w->plan.n_candidates && n < size; i++)
                n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? " " : "",
                                      w->snap.groups[w->plan.candidates[i]].name);
}

/* What the actuator does after carrying out a plan. */
static void carry_out(struct world *w, usec_t now)
{
        for (size_t i = 0; i < w->plan.n_actions; i++) {
                const struct action *a = &w->plan.actions[i];
                struct group_sample *g = &w->snap.groups[a->group];

                CHECK_STREQ(group_key(g), a->key);
                CHECK(a->reason[0] != '\0');
                CHECK_EQ_INT(policy_note_action(&w->state, a, now), 0);
                switch (a->kind) {
                case ACTION_LIMIT:
                        g->memory_max = a->bytes;
                        g->memory_swap_max = a->swap_bytes;
                        break;
                case ACTION_HIGH:
                case ACTION_THROTTLE:
                        g->memory_high = a->bytes;
                        break;
                case ACTION_STOP:
                case ACTION_KILL:
                        if (w->kills_stick) {
                                /* gone: no processes, no cgroup to read */
                                g->running = false;
                                g->has_memory = g->has_memory_high = false;
                                g->memory_current = 0;
                        }
                        break;
                default:
                        break;
                }
        }
}

enum {
        F_PAUSED = 1 << 0,      /* input: enforcement paused */
        F_NO_PSI = 1 << 1,      /* input: host has no PSI */
        F_COOLDOWN = 1 << 2,    /* expect suppressed_cooldown */
        F_SUPPRESSED = 1 << 3,  /* expect suppressed_paused */
        F_NO_CANDIDATE = 1 << 4 /* expect no_candidate */
};

struct step {
        double t; /* seconds */
        double used_percent;
        double psi_some, psi_full; /* host memory PSI avg10 */
        unsigned flags;
        enum tier tier;
        const char *actions;    /* expected, in plan order */
        const char *candidates; /* expected, NULL = not checked */
};

struct scenario {
        const char *name;
        void (*setup)(struct world *w);
        const struct step *steps;
        size_t n_steps;
};

static void run_scenario(const struct scenario *sc)
{
        struct world w;

        world_init(&w);
        sc->setup(&w);
        for (size_t i = 0; i < sc->n_steps; i++) {
                const struct step *st = &sc->steps[i];
                usec_t now = (usec_t)(st->t * S) + 3600 * S;
                char got[512], cands[512];
                unsigned flags;

                set_host(&w, st->used_percent, st->flags & F_NO_PSI ? -1 : st->psi_some,
                         st->psi_full);
                if (evaluate(&w, now, st->flags & F_PAUSED) != 0) {
                        fprintf(stderr, "%s: step %zu: evaluate failed\n", sc->name, i);
                        test_failures++;
                        break;
                }
                format_actions(&w.plan, got, sizeof got);
                format_candidates(&w, cands, sizeof cands);
                flags = (w.plan.suppressed_cooldown ? F_COOLDOWN : 0) |
                        (w.plan.suppressed_paused ? F_SUPPRESSED : 0) |
                        (w.plan.no_candidate ? F_NO_CANDIDATE : 0);
                if (w.plan.memory_tier != st->tier || strcmp(got, st->actions) != 0 ||
                    flags != (st->flags & (F_COOLDOWN | F_SUPPRESSED | F_NO_CANDIDATE)) ||
                    (st->candidates && strcmp(cands, st->candidates) != 0)) {
                        fprintf(stderr,
                                "%s: step %zu (t=%gs, %g%%, psi %g/%g): got %s [%s] flags %#x "
                                "candidates [%s]; expected %s [%s] flags %#x candidates [%s]\n",
                                sc->name, i, st->t, st->used_percent, st->psi_some, st->psi_full,
                                tier_name(w.plan.memory_tier), got, flags, cands,
                                tier_name(st->tier), st->actions,
                                st->flags & (F_COOLDOWN | F_SUPPRESSED | F_NO_CANDIDATE),
                                st->candidates ? st->candidates : "*");
                        test_failures++;
                }
                carry_out(&w, now);
        }
        world_done(&w);
}

/* ---- scenario worlds ---- */

static void setup_two_reclaimable(struct world *w)
{
        add_group(w, "agent-a", R_AGENTS, 100 * MiB, true);
        add_group(w, "backend", R_BACKEND, 500 * MiB, true);
}

static void setup_stack(struct world *w)
{
        /* like the SutazAI host, with memory.high support (pure cgroup v2) */
        add_group(w, "agent-a", R_AGENTS, 200 * MiB, true);
        add_group(w, "backend", R_BACKEND, 1 * GiB, true);
        add_group(w, "ollama", R_OLLAMA, 6 * GiB, true);
        add_group(w, "postgres", R_POSTGRES, 8 * GiB, true);
}

static void setup_one_throttleable(struct world *w)
{
        add_group(w, "web", R_BACKEND, 1 * GiB, true);
}

static void setup_kill_pair_restarting(struct world *w)
{
        add_group(w, "a", R_AGENTS, 1 * GiB, false);
        add_group(w, "b", R_BACKEND, 2 * GiB, false);
        w->kills_stick = false;
        w->config.memory.hold_usec = w->config.memory.emergency_hold_usec = 0;
}

static void setup_kill_pair(struct world *w)
{
        setup_kill_pair_restarting(w);
        w->kills_stick = true;
}

static void setup_protected(struct world *w)
{
        add_group(w, "pg", R_POSTGRES, 20 * GiB, false); /* lowest priority and largest */
        add_group(w, "redis", R_REDIS, 10 * GiB, false);
        add_group(w, "a", R_AGENTS, 100 * MiB, false);
        w->config.memory.hold_usec = w->config.memory.emergency_hold_usec = 0;
}

static void setup_unmanaged(struct world *w)
{
        add_group(w, "stray", -1, 30 * GiB, false);
        add_group(w, "stale-rule", R_COUNT + 3, 30 * GiB, false); /* index from an old config */
        add_group(w, "a", R_AGENTS, 100 * MiB, false);
        w->config.memory.hold_usec = w->config.memory.emergency_hold_usec = 0;
}

static void setup_order(struct world *w)
{
        add_group(w, "huge-high", R_BACKEND, 6 * GiB, false);
        add_group(w, "m-b", R_MISC, 1 * GiB, false);
        add_group(w, "small-low", R_AGENTS, 500 * MiB, false);
        add_group(w, "m-a", R_MISC, 1 * GiB, false);
        add_group(w, "big-low", R_AGENTS, 1 * GiB, false);
        w->config.memory.hold_usec = w->config.memory.emergency_hold_usec = 0;
}

static void setup_psi(struct world *w)
{
        add_group(w, "a", R_AGENTS, 1 * GiB, false);
        add_group(w, "b", R_BACKEND, 2 * GiB, false);
}

static void setup_psi_reclaim(struct world *w)
{
        add_group(w, "a", R_AGENTS, 1 * GiB, true);
}

static void setup_escalation(struct world *w)
{
        add_group(w, "a", R_AGENTS, 1 * GiB, true);
        add_group(w, "b", R_BACKEND, 2 * GiB, true);
        w->config.memory.hold_usec = w->config.memory.emergency_hold_usec = 0;
}

static void setup_paused(struct world *w)
{
        struct group_sample *g = add_group(w, "a", R_AGENTS, 1 * GiB, false);

        /* a drifted limit: LIMIT is due whatever the tier, but not while paused */
        w->rules[R_AGENTS].memory_max = (struct size_spec){.set = true, .bytes = 2 * GiB};
        g->memory_max = BYTES_MAX;
        w->config.memory.hold_usec = w->config.memory.emergency_hold_usec = 0;
}

/* setup_paused's drifted group, restarted by Docker after a kill: it stays
 * in the snapshot as Docker lists it running until the "die" is inspected */
static void setup_drifted_restarting(struct world *w)
{
        setup_paused(w);
        w->kills_stick = false;
}

/* ---- the tables ---- */

#define STEPS(...)                                                                                 \
        .steps = (const struct step[]){__VA_ARGS__},                                               \
        .n_steps = sizeof((const struct step[]){__VA_ARGS__}) / sizeof(struct step)

/* A step may leave out its candidates: NULL means "not checked". */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct scenario scenarios[] = {
    {"hold: a spike shorter than hold changes nothing, sustained escalates", setup_two_reclaimable,
     STEPS({0, 70, 0, 0, 0, TIER_NORMAL, ""}, {3, 70, 0, 0, 0, TIER_NORMAL, ""},
           {4, 50, 0, 0, 0, TIER_NORMAL, ""}, /* spike over */
           {5, 70, 0, 0, 0, TIER_NORMAL, ""}, {9.9, 70, 0, 0, 0, TIER_NORMAL, ""},
           {10, 70, 0, 0, 0, TIER_WARNING, "reclaim:agent-a reclaim:backend"},
           {11, 70, 0, 0, 0, TIER_WARNING, ""},   /* per-group cooldown */
           {24.9, 70, 0, 0, 0, TIER_WARNING, ""}, /* still */
           {25, 70, 0, 0, 0, TIER_WARNING, "reclaim:agent-a reclaim:backend"})},
    {"burst straight to emergency after one hold", setup_stack,
     STEPS({0, 95, 0, 0, 0, TIER_NORMAL, ""}, {4.9, 95, 0, 0, 0, TIER_NORMAL, ""},
           {5, 95, 0, 0, 0, TIER_EMERGENCY, "kill:agent-a throttle:ollama reclaim:backend",
            "agent-a ollama backend"})},
    {"hysteresis: stays critical just below the mark, restores memory.high at normal",
     setup_one_throttleable,
     STEPS({0, 85, 0, 0, 0, TIER_NORMAL, ""},
           {5, 85, 0, 0, F_NO_CANDIDATE, TIER_CRITICAL, "throttle:web"},
           {6, 77.5, 0, 0, F_NO_CANDIDATE, TIER_CRITICAL, ""}, /* 80 - 5/2 */
           {7, 74.9, 0, 0, 0, TIER_WARNING, ""},               /* throttled web: not reclaimed */
           {8, 62, 0, 0, 0, TIER_WARNING, ""}, {9, 59.9, 0, 0, 0, TIER_NORMAL, "high:web"},
           {10, 50, 0, 0, 0, TIER_NORMAL, ""})},
    {"cooldown: a second KILL only after the cooldown (same group restarted)",
     setup_kill_pair_restarting,
     STEPS({0, 95, 0, 0, 0, TIER_EMERGENCY, "kill:a", "a b"},
           {1, 95, 0, 0, F_COOLDOWN, TIER_EMERGENCY, ""},
           {14.9, 95, 0, 0, F_COOLDOWN, TIER_EMERGENCY, ""},
           {15, 95, 0, 0, 0, TIER_EMERGENCY, "kill:a"})},
    {"cooldown: a killed group that stays down leaves the next victim", setup_kill_pair,
     STEPS({0, 95, 0, 0, 0, TIER_EMERGENCY, "kill:a"},
           {10, 95, 0, 0, F_COOLDOWN, TIER_EMERGENCY, "", "b"},
           {15, 95, 0, 0, 0, TIER_EMERGENCY, "kill:b"},
           {30, 95, 0, 0, F_NO_CANDIDATE, TIER_EMERGENCY, "", ""})},
    {"one destructive action per cooldown across STOP and KILL", setup_kill_pair,
     STEPS({0, 85, 0, 0, 0, TIER_CRITICAL, "stop:a", "a"},
           {1, 95, 0, 0, F_COOLDOWN, TIER_EMERGENCY, ""},
           {14, 95, 0, 0, F_COOLDOWN, TIER_EMERGENCY, ""},
           {15, 95, 0, 0, 0, TIER_EMERGENCY, "kill:b"})},
    {"protected never chosen, even lowest priority and largest", setup_protected,
     STEPS({0, 95, 0, 0, 0, TIER_EMERGENCY, "kill:a", "a"},
           {15, 95, 0, 0, F_NO_CANDIDATE, TIER_EMERGENCY, "", ""},
           {30, 84, 0, 0, F_NO_CANDIDATE, TIER_CRITICAL, ""})},
    {"unmanaged never chosen", setup_unmanaged,
     STEPS({0, 95, 0, 0, 0, TIER_EMERGENCY, "kill:a", "a"},
           {15, 95, 0, 0, F_NO_CANDIDATE, TIER_EMERGENCY, ""})},
    {"victim order: priority, then size, then name", setup_order,
     STEPS({0, 95, 0, 0, 0, TIER_EMERGENCY, "kill:big-low", "big-low small-low m-a"},
           {15, 95, 0, 0, 0, TIER_EMERGENCY, "kill:small-low", "small-low m-a m-b"},
           {30, 95, 0, 0, 0, TIER_EMERGENCY, "kill:m-a", "m-a m-b huge-high"},
           {45, 95, 0, 0, 0, TIER_EMERGENCY, "kill:m-b"},
           {60, 95, 0, 0, 0, TIER_EMERGENCY, "kill:huge-high"},
           {75, 95, 0, 0, F_NO_CANDIDATE, TIER_EMERGENCY, ""})},
    {"PSI alone never stops or kills (usage 30%, full PSI 90% for minutes)", setup_psi,
     STEPS({0, 30, 90, 90, 0, TIER_NORMAL, ""}, {5, 30, 90, 90, 0, TIER_WARNING, ""},
           {60, 30, 90, 90, 0, TIER_WARNING, ""}, {300, 30, 95, 95, 0, TIER_WARNING, ""},
           {600, 30, 99, 99, 0, TIER_WARNING, ""}, {601, 30, 1, 0, 0, TIER_NORMAL, ""})},
    {"PSI alone reaches warning and reclaims", setup_psi_reclaim,
     STEPS({0, 30, 90, 90, 0, TIER_NORMAL, ""}, {5, 30, 90, 90, 0, TIER_WARNING, "reclaim:a"},
           {6, 30, 90, 90, 0, TIER_WARNING, ""}, {20, 30, 90, 90, 0, TIER_WARNING, "reclaim:a"},
           {21, 30, 90, 90, F_NO_PSI, TIER_NORMAL, ""})}, /* no PSI: usage alone */
    {"PSI raises the tier one step above usage, no more", setup_psi,
     STEPS({0, 70, 0, 50, 0, TIER_NORMAL, ""},
           {5, 70, 0, 50, 0, TIER_CRITICAL, "stop:a"}, /* warning usage + emergency PSI */
           /* PSI stays above half its mark; a is stopped, b is not sacrificial */
           {6, 70, 0, 12, F_NO_CANDIDATE, TIER_CRITICAL, ""}, {7, 70, 0, 9, 0, TIER_WARNING, ""},
           {8, 85, 0, 50, 0, TIER_WARNING, ""}, /* critical usage + PSI: hold again */
           {13, 85, 0, 50, F_COOLDOWN, TIER_EMERGENCY, ""},
           {20, 85, 0, 50, 0, TIER_EMERGENCY, "kill:b"},
           /* usage stays in warning (hysteresis): PSI keeps one step above it */
           {21, 60, 0, 50, F_NO_CANDIDATE, TIER_CRITICAL, ""},
           {22, 59, 0, 50, 0, TIER_WARNING, ""})}, /* usage below warning's stay */
    {"escalation is not held back by a milder action on the same group", setup_escalation,
     STEPS({0, 70, 0, 0, 0, TIER_WARNING, "reclaim:a reclaim:b"},
           {1, 85, 0, 0, 0, TIER_CRITICAL, "stop:a throttle:b"},
           {2, 95, 0, 0, F_COOLDOWN, TIER_EMERGENCY, ""},
           /* b throttled at 1: kill is harsher; a stopped at 0 (stays down) */
           {16, 95, 0, 0, 0, TIER_EMERGENCY, "kill:b"})},
    {"a killed group is not limited while it goes away, but after the cooldown if it stays",
     setup_drifted_restarting,
     STEPS({0, 95, 0, 0, 0, TIER_EMERGENCY, "kill:a"},
           {1, 50, 0, 0, 0, TIER_NORMAL, ""}, /* Docker still lists it running */
           {14.9, 50, 0, 0, 0, TIER_NORMAL, ""},
           {15, 50, 0, 0, 0, TIER_NORMAL, "limit:a"})}, /* restarted: limited */
    {"paused: tier tracked, nothing done", setup_paused,
     STEPS({0, 50, 0, 0, F_PAUSED | F_SUPPRESSED, TIER_NORMAL, ""},
           {1, 95, 0, 0, F_PAUSED | F_SUPPRESSED, TIER_EMERGENCY, "", "a"},
           {2, 95, 0, 0, 0, TIER_EMERGENCY, "kill:a"}, /* killed, not limited first */
           {3, 50, 0, 0, F_PAUSED, TIER_NORMAL, ""})},
};
#pragma GCC diagnostic pop

/* ---- focused checks ---- */

static const struct action *only_action(struct world *w, enum action_kind kind)
{
        const struct action *found = NULL;

        for (size_t i = 0; i < w->plan.n_actions; i++)
                if (w->plan.actions[i].kind == kind) {
                        CHECK(!found);
                        found = &w->plan.actions[i];
                }
        return found;
}

static void test_limit_drift(void)
{
        struct world w;
        struct group_sample *g;
        const struct action *a;

        world_init(&w);
        w.rules[R_BACKEND].memory_max = (struct size_spec){.set = true, .bytes = 512 * MiB};
        g = add_group(&w, "backend", R_BACKEND, 100 * MiB, true);
        g->memory_max = 1 * GiB; /* changed behind our back */

        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 1);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a != NULL);
        if (a) {
                CHECK_EQ_U64(a->bytes, 512 * MiB);
                CHECK_EQ_U64(a->swap_bytes, 0);
                CHECK_STREQ(a->target, "backend");
                CHECK_STREQ(a->key, "id-backend");
                CHECK_EQ_INT(a->group, 0);
        }

        /* equal: nothing */
        g->memory_max = 512 * MiB;
        CHECK_EQ_INT(evaluate(&w, 11 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        /* swap drift alone is drift */
        g->memory_swap_max = BYTES_MAX;
        CHECK_EQ_INT(evaluate(&w, 12 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 512 * MiB && a->swap_bytes == 0);

        /* ... unless the host has no swap, where it can change nothing */
        w.snap.host.mem.swap_total_bytes = 0;
        CHECK_EQ_INT(evaluate(&w, 13 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        w.snap.host.mem.swap_total_bytes = 8 * GiB;

        /* configured swap */
        w.rules[R_BACKEND].memory_swap = (struct size_spec){.set = true, .bytes = 256 * MiB};
        CHECK_EQ_INT(evaluate(&w, 14 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 512 * MiB && a->swap_bytes == 256 * MiB);
        g->memory_swap_max = 256 * MiB;
        CHECK_EQ_INT(evaluate(&w, 15 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        /* limits are planned in any tier and cooldown */
        g->memory_max = BYTES_MAX;
        set_host(&w, 95, -1, -1);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        w.state.last_destructive_usec = 15 * S;
        CHECK_EQ_INT(evaluate(&w, 16 * S, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_EMERGENCY);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 512 * MiB);

        /* no memory figures (stopped container, unreadable cgroup): nothing to compare */
        g->has_memory = false;
        set_host(&w, 10, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 17 * S, false), 0);
        CHECK(!only_action(&w, ACTION_LIMIT));

        world_done(&w);
}

static void test_limit_unset_and_percent(void)
{
        struct world w;
        struct group_sample *g;
        const struct action *a;

        world_init(&w);
        g = add_group(&w, "ollama", R_OLLAMA, 1 * GiB, true);
        g->memory_max = 3 * GiB;
        /* the rule sets no memory_max: the observed one is left alone */
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        CHECK_EQ_U64(policy_desired_memory_max(
                         &(struct policy_input){.config = &w.config, .snapshot = &w.snap}, g),
                     BYTES_MAX);

        w.rules[R_OLLAMA].memory_max =
            (struct size_spec){.set = true, .is_percent = true, .percent = 8};
        CHECK_EQ_INT(evaluate(&w, 2 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 8 * GiB && a->swap_bytes == 0);

        /* MemTotal unknown: a percentage resolves to nothing, never to 0 bytes */
        w.snap.host.mem.mem_total_bytes = 0;
        w.snap.host.mem.mem_available_bytes = 0;
        CHECK_EQ_INT(evaluate(&w, 3 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        /* explicit "max" is a value: unlimited, swap too */
        w.snap.host.mem.mem_total_bytes = MEM_TOTAL;
        w.snap.host.mem.mem_available_bytes = MEM_TOTAL;
        w.rules[R_OLLAMA].memory_max = (struct size_spec){.set = true, .bytes = BYTES_MAX};
        CHECK_EQ_INT(evaluate(&w, 4 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == BYTES_MAX && a->swap_bytes == BYTES_MAX);

        world_done(&w);
}

static void test_override(void)
{
        struct world w;
        struct group_sample *g, *stray;
        const struct action *a;
        struct policy_input in;

        world_init(&w);
        w.rules[R_OLLAMA].memory_max = (struct size_spec){.set = true, .bytes = 8 * GiB};
        w.rules[R_OLLAMA].memory_high = (struct size_spec){.set = true, .bytes = 7 * GiB};
        g = add_group(&w, "sutazai-ollama", R_OLLAMA, 1 * GiB, true);
        g->memory_max = 8 * GiB;
        g->memory_high = 7 * GiB;
        stray = add_group(&w, "stray", -1, 1 * GiB, true);
        stray->memory_max = 1 * GiB;

        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        /* by rule name: the override wins over the rule; memory.high keeps its distance */
        w.overrides[0] = (struct override){.name = "ollama", .memory_max = 12 * GiB};
        w.overrides[1] = (struct override){.name = "stray", .memory_max = 2 * GiB};
        w.n_overrides = 2;
        CHECK_EQ_INT(evaluate(&w, 2 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 2); /* nothing for the unmanaged group */
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 12 * GiB && a->swap_bytes == 0 &&
              strcmp(a->target, "sutazai-ollama") == 0);
        a = only_action(&w, ACTION_HIGH);
        CHECK(a && a->bytes == 11 * GiB);
        in = (struct policy_input){.config = &w.config,
                                   .snapshot = &w.snap,
                                   .overrides = w.overrides,
                                   .n_overrides = w.n_overrides};
        CHECK_EQ_U64(policy_desired_memory_max(&in, g), 12 * GiB);
        CHECK_EQ_U64(policy_desired_memory_max(&in, stray), BYTES_MAX);

        /* by group name: more specific than the rule name, wherever it is listed */
        w.overrides[2] = (struct override){.name = "sutazai-ollama", .memory_max = 10 * GiB};
        w.n_overrides = 3;
        CHECK_EQ_INT(evaluate(&w, 3 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 10 * GiB);

        /* carried out: no more drift */
        carry_out(&w, 3 * S);
        CHECK_EQ_U64(g->memory_max, 10 * GiB);
        CHECK_EQ_U64(g->memory_high, 9 * GiB);
        CHECK_EQ_INT(evaluate(&w, 4 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        /* override gone: back to the rule */
        w.n_overrides = 0;
        CHECK_EQ_INT(evaluate(&w, 5 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 8 * GiB);
        a = only_action(&w, ACTION_HIGH);
        CHECK(a && a->bytes == 7 * GiB);

        /* an override below the gap leaves no soft limit */
        w.overrides[0] = (struct override){.name = "ollama", .memory_max = 512 * MiB};
        w.n_overrides = 1;
        CHECK_EQ_INT(evaluate(&w, 6 * S, false), 0);
        a = only_action(&w, ACTION_HIGH);
        CHECK(a && a->bytes == BYTES_MAX);

        world_done(&w);
}

static void test_high_drift(void)
{
        struct world w;
        struct group_sample *g;
        const struct action *a;

        world_init(&w);
        w.rules[R_BACKEND].memory_high = (struct size_spec){.set = true, .bytes = 400 * MiB};
        g = add_group(&w, "backend", R_BACKEND, 100 * MiB, true);
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        a = only_action(&w, ACTION_HIGH);
        CHECK(a && a->bytes == 400 * MiB);
        CHECK_EQ_INT(w.plan.n_actions, 1);

        /* no memory.high file (hybrid host): never written */
        g->has_memory_high = false;
        CHECK_EQ_INT(evaluate(&w, 2 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        g->has_memory_high = true;
        g->memory_high = 400 * MiB;
        CHECK_EQ_INT(evaluate(&w, 3 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        world_done(&w);
}

static void test_throttle_figures(void)
{
        struct world w;
        struct group_sample *a, *b, *tiny;
        const struct action *act;

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        w.rules[R_AGENTS].sacrificial = false; /* not stopped instead */
        a = add_group(&w, "a", R_MISC, 1 * GiB, true);
        b = add_group(&w, "b", R_BACKEND, 3 * GiB, true);
        tiny = add_group(&w, "tiny", R_AGENTS, 40 * MiB, true);
        set_host(&w, 85, -1, -1);

        /* lowest priority first: tiny, but 50% of 40M is under the floor of
         * 32M... the floor still tightens 40M → 32M */
        CHECK_EQ_INT(evaluate(&w, 100 * S, false), 0);
        act = only_action(&w, ACTION_THROTTLE);
        CHECK(act && strcmp(act->target, "tiny") == 0 && act->bytes == 32 * MiB &&
              act->previous_bytes == BYTES_MAX);

        /* a group already below what a throttle would set is not raised: next one */
        tiny->memory_high = 16 * MiB;
        a->memory_high = 256 * MiB;
        CHECK_EQ_INT(evaluate(&w, 100 * S, false), 0);
        act = only_action(&w, ACTION_THROTTLE);
        CHECK(act && strcmp(act->target, "b") == 0 && act->bytes == 1536 * MiB);

        /* carried out; b restored later to what it had before (rule sets no memory.high) */
        b->memory_high = 2 * GiB;
        CHECK_EQ_INT(evaluate(&w, 100 * S, false), 0);
        act = only_action(&w, ACTION_THROTTLE);
        CHECK(act && act->previous_bytes == 2 * GiB);
        carry_out(&w, 100 * S);
        CHECK_EQ_U64(b->memory_high, 1536 * MiB);
        set_host(&w, 10, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 101 * S, false), 0);
        act = only_action(&w, ACTION_HIGH);
        CHECK(act && strcmp(act->target, "b") == 0 && act->bytes == 2 * GiB);
        carry_out(&w, 101 * S);
        CHECK_EQ_INT(evaluate(&w, 102 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        world_done(&w);
}

static void test_throttle_and_kinds(void)
{
        struct world w;
        struct group_sample *g, *plain;
        char got[256];

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        /* memory.high drifted from the rule, and the group is the throttle
         * target: the throttle alone, not a HIGH that it would undo */
        w.rules[R_BACKEND].memory_high = (struct size_spec){.set = true, .bytes = 800 * MiB};
        g = add_group(&w, "web", R_BACKEND, 1 * GiB, true);
        set_host(&w, 85, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        format_actions(&w.plan, got, sizeof got);
        CHECK_STREQ(got, "throttle:web");
        carry_out(&w, 1 * S);
        CHECK_EQ_U64(g->memory_high, 512 * MiB);
        /* throttled: the drift from the rule is ours, not repaired while critical */
        CHECK_EQ_INT(evaluate(&w, 2 * S, false), 0);
        format_actions(&w.plan, got, sizeof got);
        CHECK_STREQ(got, "");
        /* back to normal: restored to the rule's value, then left alone */
        set_host(&w, 10, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 3 * S, false), 0);
        CHECK(only_action(&w, ACTION_HIGH) && only_action(&w, ACTION_HIGH)->bytes == 800 * MiB);
        carry_out(&w, 3 * S);
        CHECK_EQ_INT(evaluate(&w, 4 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        world_done(&w);

        /* a sacrificial plain cgroup is never "stopped" (no such thing), but
         * can be killed (cgroup.kill) */
        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        plain = add_group(&w, "batch.service", R_AGENTS, 1 * GiB, false);
        plain->kind = GROUP_CGROUP;
        plain->id[0] = '\0';
        set_host(&w, 85, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        CHECK(w.plan.no_candidate);
        set_host(&w, 95, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 2 * S, false), 0);
        format_actions(&w.plan, got, sizeof got);
        CHECK_STREQ(got, "kill:batch.service");
        if (w.plan.n_actions == 1)
                CHECK_STREQ(w.plan.actions[0].key, "docker/id-batch.service");
        world_done(&w);
}

static void test_reclaim_figures(void)
{
        struct world w;
        char got[256];

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        add_group(&w, "a", R_AGENTS, 8192, true); /* 10% is under a page */
        add_group(&w, "b", R_AGENTS, 4000, true); /* under a page: skipped */
        add_group(&w, "c", R_BACKEND, 100 * MiB, true);
        add_group(&w, "d", R_MISC, 10 * MiB, true);
        add_group(&w, "e", R_OLLAMA, 10 * MiB, true); /* fourth: over the limit of 3 */
        add_group(&w, "pg", R_POSTGRES, 1 * GiB, true);
        set_host(&w, 70, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        format_actions(&w.plan, got, sizeof got);
        CHECK_STREQ(got, "reclaim:a reclaim:d reclaim:c");
        if (w.plan.n_actions == POLICY_RECLAIM_MAX_GROUPS) {
                CHECK_EQ_U64(w.plan.actions[0].bytes, POLICY_PAGE_BYTES);
                CHECK_EQ_U64(w.plan.actions[1].bytes, 1 * MiB);
                CHECK_EQ_U64(w.plan.actions[2].bytes, 10 * MiB);
        }
        for (size_t i = 0; i < w.plan.n_actions; i++)
                CHECK_EQ_INT(w.plan.actions[i].tier, TIER_WARNING);
        world_done(&w);
}

/* Evaluate at emergency and return the KILL planned on "victim". */
static struct action kill_action(struct world *w)
{
        const struct action *a;
        struct action copy = {0};

        set_host(w, 95, -1, -1);
        CHECK_EQ_INT(evaluate(w, 1 * S, false), 0);
        a = only_action(w, ACTION_KILL);
        CHECK(a != NULL);
        if (a)
                copy = *a;
        return copy;
}

static int confirm(struct world *w, const struct action *a, bool paused)
{
        struct policy_input in = {
            .config = &w->config, .snapshot = &w->snap, .now = 2 * S, .paused = paused};
        return policy_confirm(&in, &w->state, a);
}

static void test_confirm(void)
{
        struct world w;
        struct action a;
        struct group_sample *g;

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        add_group(&w, "victim", R_AGENTS, 1 * GiB, false);
        add_group(&w, "other", R_BACKEND, 1 * GiB, false);
        a = kill_action(&w);
        CHECK_STREQ(a.target, "victim");
        CHECK_EQ_INT(a.tier, TIER_EMERGENCY);

        set_host(&w, 95, -1, -1);
        CHECK_EQ_INT(confirm(&w, &a, false), 1);
        CHECK_EQ_INT(confirm(&w, &a, true), 0); /* paused in between */
        set_host(&w, 86, -1, -1);               /* above emergency - hysteresis */
        CHECK_EQ_INT(confirm(&w, &a, false), 1);
        set_host(&w, 84, -1, -1); /* usage dropped */
        CHECK_EQ_INT(confirm(&w, &a, false), 0);
        /* gated PSI still holds emergency: critical usage + emergency PSI */
        set_host(&w, 84, 0, 45);
        CHECK_EQ_INT(confirm(&w, &a, false), 1);
        /* PSI alone cannot confirm a kill */
        set_host(&w, 30, 99, 99);
        CHECK_EQ_INT(confirm(&w, &a, false), 0);

        set_host(&w, 95, -1, -1);
        g = find_group(&w, "victim");
        g->running = false; /* already gone down */
        CHECK_EQ_INT(confirm(&w, &a, false), 0);
        g->running = true;

        w.rules[R_AGENTS].protect = true; /* reloaded: now protected */
        CHECK_EQ_INT(confirm(&w, &a, false), 0);
        w.rules[R_AGENTS].protect = false;
        g->rule = -1; /* no longer matched */
        CHECK_EQ_INT(confirm(&w, &a, false), 0);
        g->rule = R_AGENTS;
        CHECK_EQ_INT(confirm(&w, &a, false), 1);

        remove_group(&w, "victim"); /* target gone */
        CHECK_EQ_INT(confirm(&w, &a, false), 0);

        /* STOP needs the rule to still be sacrificial */
        world_done(&w);
        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        add_group(&w, "victim", R_AGENTS, 1 * GiB, false);
        set_host(&w, 85, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        CHECK(only_action(&w, ACTION_STOP) != NULL);
        if (only_action(&w, ACTION_STOP)) {
                a = *only_action(&w, ACTION_STOP);
                CHECK_EQ_INT(confirm(&w, &a, false), 1);
                w.rules[R_AGENTS].sacrificial = false;
                CHECK_EQ_INT(confirm(&w, &a, false), 0);
        }
        world_done(&w);
}

static void test_state_bookkeeping(void)
{
        struct world w;
        struct action a;

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        add_group(&w, "victim", R_AGENTS, 1 * GiB, false);
        add_group(&w, "other", R_BACKEND, 1 * GiB, false);
        CHECK_EQ_U64(w.state.last_destructive_usec, USEC_INFINITY);
        a = kill_action(&w);
        CHECK_EQ_INT(policy_note_action(&w.state, &a, 7 * S), 0);
        CHECK_EQ_U64(w.state.last_destructive_usec, 7 * S);
        CHECK_EQ_INT(w.state.n_groups, 1);
        if (w.state.n_groups != 1) {
                world_done(&w);
                return;
        }
        CHECK_STREQ(w.state.groups[0].key, "id-victim");
        CHECK_EQ_U64(w.state.groups[0].last_action_usec, 7 * S);
        CHECK_EQ_INT(w.state.groups[0].last_action_kind, ACTION_KILL);

        /* LIMIT/HIGH start no cooldown */
        a.kind = ACTION_LIMIT;
        CHECK_EQ_INT(policy_note_action(&w.state, &a, 8 * S), 0);
        a.kind = ACTION_HIGH;
        CHECK_EQ_INT(policy_note_action(&w.state, &a, 8 * S), 0);
        CHECK_EQ_U64(w.state.groups[0].last_action_usec, 7 * S);
        CHECK_EQ_U64(w.state.last_destructive_usec, 7 * S);

        /* a vanished group is forgotten on the next evaluation */
        remove_group(&w, "victim");
        set_host(&w, 10, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 9 * S, false), 0);
        CHECK_EQ_INT(w.state.n_groups, 0);
        /* the host-wide cooldown is not about one group */
        CHECK_EQ_U64(w.state.last_destructive_usec, 7 * S);
        world_done(&w);
}

static void test_state_many_groups(void)
{
        /* victim order differs from key order, so the sorted table gets
         * inserts in the middle; every group must keep its own cooldown */
        static const char *const names[] = {"e", "c", "a", "d", "b"};
        struct world w;
        char got[256];

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        w.config.memory.reclaim_percent = 0;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                add_group(&w, names[i], R_MISC, (uint64_t)(10 - i) * 100 * MiB, true);
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                char expect[64];

                set_host(&w, 85, -1, -1);
                CHECK_EQ_INT(evaluate(&w, (usec_t)i * S, false), 0);
                /* reclaim of the next ones in order, while throttles go one by one */
                CHECK(w.plan.n_actions >= 1);
                snprintf(expect, sizeof expect, "throttle:%s", names[i]);
                if (w.plan.n_actions >= 1) {
                        format_actions(&(struct plan){.actions = w.plan.actions, .n_actions = 1},
                                       got, sizeof got);
                        CHECK_STREQ(got, expect);
                }
                carry_out(&w, (usec_t)i * S);
        }
        CHECK_EQ_INT(w.state.n_groups, ELEMENTSOF(names));
        for (size_t i = 1; i < w.state.n_groups; i++)
                CHECK(strcmp(w.state.groups[i - 1].key, w.state.groups[i].key) < 0);
        /* all in cooldown (throttled or reclaimed): nothing more */
        CHECK_EQ_INT(evaluate(&w, 6 * S, false), 0);
        format_actions(&w.plan, got, sizeof got);
        CHECK_STREQ(got, "");
        /* "c" vanishes: pruned, the others kept and still found */
        remove_group(&w, "c");
        CHECK_EQ_INT(evaluate(&w, 7 * S, false), 0);
        CHECK_EQ_INT(w.state.n_groups, ELEMENTSOF(names) - 1);
        format_actions(&w.plan, got, sizeof got);
        CHECK_STREQ(got, "");
        /* after the cooldown of "e" (throttled at 0), it is first again */
        CHECK_EQ_INT(evaluate(&w, 15 * S, false), 0);
        CHECK(w.plan.n_actions >= 1 && strcmp(w.plan.actions[0].target, "e") == 0);
        world_done(&w);
}

static void test_plan_reuse_and_names(void)
{
        struct world w;

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        for (int i = 0; i < 40; i++) {
                char name[16];

                snprintf(name, sizeof name, "g%02d", i);
                add_group(&w, name, i % 2 ? R_AGENTS : R_MISC, (uint64_t)(i + 1) * 64 * MiB, true)
                    ->memory_max = 1;
                w.rules[R_AGENTS].memory_max = (struct size_spec){.set = true, .bytes = GiB};
                w.rules[R_MISC].memory_max = (struct size_spec){.set = true, .bytes = GiB};
        }
        set_host(&w, 95, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        /* 39 limits + kill + throttle + 3 reclaims: the plan grows past its first
         * block; the victim is killed, not limited first */
        CHECK_EQ_INT(w.plan.n_actions, 44);
        for (size_t i = 1; i < w.plan.n_actions; i++)
                CHECK(strcmp(w.plan.actions[i].target, "g39") != 0);
        if (w.plan.n_actions == 44) {
                CHECK_EQ_INT(w.plan.actions[0].kind, ACTION_KILL);
                CHECK_STREQ(w.plan.actions[0].target, "g39"); /* agents, largest */
                CHECK_EQ_INT(w.plan.actions[1].kind, ACTION_THROTTLE);
                CHECK_STREQ(w.plan.actions[1].target, "g37");
                CHECK_EQ_INT(w.plan.actions[2].kind, ACTION_LIMIT);
                CHECK_EQ_INT(w.plan.actions[43].kind, ACTION_RECLAIM);
        }
        CHECK_EQ_INT(w.plan.n_candidates, POLICY_MAX_CANDIDATES);
        set_host(&w, 10, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 2 * S, false), 0); /* same plan object, reset */
        CHECK_EQ_INT(w.plan.n_actions, 40);
        CHECK_EQ_INT(w.plan.n_candidates, 0);
        CHECK_EQ_INT(w.plan.previous_tier, TIER_EMERGENCY);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL);
        CHECK(w.plan.memory_used_percent > 9.99 && w.plan.memory_used_percent < 10.01);
        world_done(&w);

        CHECK_STREQ(action_kind_name(ACTION_LIMIT), "limit");
        CHECK_STREQ(action_kind_name(ACTION_HIGH), "limit");
        CHECK_STREQ(action_kind_name(ACTION_RECLAIM), "reclaim");
        CHECK_STREQ(action_kind_name(ACTION_THROTTLE), "throttle");
        CHECK_STREQ(action_kind_name(ACTION_STOP), "stop");
        CHECK_STREQ(action_kind_name(ACTION_KILL), "kill");
        CHECK(action_is_destructive(ACTION_STOP) && action_is_destructive(ACTION_KILL));
        CHECK(!action_is_destructive(ACTION_THROTTLE) && !action_is_destructive(ACTION_LIMIT));
}

/* The worlds of the hold tests: a 5 s hold, 1 s near the OOM killer. */
static void world_init_holds(struct world *w)
{
        world_init(w);
        w->config.memory.hold_usec = 5 * S;
        w->config.memory.emergency_hold_usec = 1 * S;
}

/* Near the OOM killer the hold is shorter: emergency after emergency_hold,
 * while warning and critical still need the full hold; a spike shorter than
 * emergency_hold still changes nothing. */
static void test_emergency_hold(void)
{
        struct world w;

        world_init_holds(&w);
        add_group(&w, "agent", R_BACKEND, 1 * GiB, false);

        set_host(&w, 95, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL);
        CHECK_EQ_INT(evaluate(&w, 10 * S + 500 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL);
        CHECK_EQ_INT(evaluate(&w, 11 * S, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_EMERGENCY);
        world_done(&w);

        world_init_holds(&w);
        set_host(&w, 91, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        set_host(&w, 89, -1, -1); /* below the mark: the hold clock stops */
        CHECK_EQ_INT(evaluate(&w, 10 * S + 900 * USEC_PER_MSEC, false), 0);
        set_host(&w, 91, -1, -1); /* slowly back: full only in ~2.7 s */
        CHECK_EQ_INT(evaluate(&w, 11 * S + 500 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL); /* the clock restarted at 11.5 s */
        CHECK_EQ_INT(evaluate(&w, 12 * S + 500 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_EMERGENCY);
        world_done(&w);
}

/* A rise that would exhaust memory within POLICY_EXHAUSTION_HORIZON_USEC
 * skips the hold; the same level reached more slowly waits it out. */
static void test_emergency_rate(void)
{
        struct world w;

        world_init_holds(&w);
        set_host(&w, 85, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        set_host(&w, 91, -1, -1); /* +6% in 100 ms: full in 150 ms */
        CHECK_EQ_INT(evaluate(&w, 10 * S + 100 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_EMERGENCY);
        world_done(&w);

        /* a rate over 5 ms is noise: none is taken under POLICY_RATE_WINDOW_USEC */
        world_init_holds(&w);
        set_host(&w, 88, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        set_host(&w, 90, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S + 195 * USEC_PER_MSEC, false), 0);
        set_host(&w, 91, -1, -1); /* +1% in 5 ms would be "full in 45 ms" */
        CHECK_EQ_INT(evaluate(&w, 10 * S + 200 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL); /* no rate over 5 ms */
        world_done(&w);

        /* past the mark and rising, but full only in 400 ms: the hold stands */
        world_init_holds(&w);
        set_host(&w, 88, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        set_host(&w, 92, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S + 200 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL);
        world_done(&w);

        world_init_holds(&w);
        set_host(&w, 90.5, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        set_host(&w, 91, -1, -1); /* +0.5% in 100 ms: full in 1.8 s, after the hold */
        CHECK_EQ_INT(evaluate(&w, 10 * S + 100 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL);
        CHECK_EQ_INT(evaluate(&w, 11 * S, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_EMERGENCY);
        world_done(&w);

        /* falling usage past the mark is no reason to hurry */
        world_init_holds(&w);
        set_host(&w, 99, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        set_host(&w, 95, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 10 * S + 100 * USEC_PER_MSEC, false), 0);
        CHECK_EQ_INT(w.plan.memory_tier, TIER_NORMAL);
        world_done(&w);
}

static void test_conditions_gating(void)
{
        struct world w;
        struct tier_conditions c;

        world_init(&w);
        /* usage 30%, PSI over every mark: warning only */
        set_host(&w, 30, 99, 99);
        policy_memory_conditions(&w.config, &w.snap, &c);
        CHECK(c.enter[TIER_WARNING] && !c.enter[TIER_CRITICAL] && !c.enter[TIER_EMERGENCY]);
        CHECK(!c.stay[TIER_CRITICAL]);
        /* "full" counts as 0 where the kernel has none */
        w.snap.host.memory_psi.has_full = false;
        w.snap.host.memory_psi.some.avg10 = 5;
        policy_memory_conditions(&w.config, &w.snap, &c);
        CHECK(!c.enter[TIER_WARNING] && c.stay[TIER_WARNING]); /* some 5% >= half of 10% */
        /* only pressure_critical set: past it is past warning too */
        w.config.memory.pressure_warning.set = false;
        set_host(&w, 70, 0, 30);
        policy_memory_conditions(&w.config, &w.snap, &c);
        CHECK(c.enter[TIER_WARNING] && c.enter[TIER_CRITICAL] && !c.enter[TIER_EMERGENCY]);
        world_done(&w);
}

/* The group of the pacing tests: "backend" under a rule of memory_max 512M,
 * memory_high 400M, with a 15 s cooldown. */
static struct group_sample *add_paced_backend(struct world *w)
{
        w->config.memory.cooldown_usec = 15 * S;
        w->rules[R_BACKEND].memory_max = (struct size_spec){.set = true, .bytes = 512 * MiB};
        w->rules[R_BACKEND].memory_high = (struct size_spec){.set = true, .bytes = 400 * MiB};
        return add_group(w, "backend", R_BACKEND, 100 * MiB, true);
}

/* A LIMIT or HIGH that was sent but did not (yet) take effect — an
 * asynchronous Docker update in flight, a refused write, dry-run — is not
 * sent again within the cooldown; a different value, or the cooldown's end, is. */
static void test_limit_paced(void)
{
        struct world w;
        struct group_sample *g;
        const struct action *a;

        world_init(&w);
        g = add_paced_backend(&w);
        g->memory_max = 1 * GiB;
        g->memory_high = BYTES_MAX;

        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 2);
        for (size_t i = 0; i < w.plan.n_actions; i++)
                CHECK_EQ_INT(policy_note_action(&w.state, &w.plan.actions[i], 10 * S), 0);

        /* observed values unchanged (nothing applied): not again within the cooldown */
        CHECK_EQ_INT(evaluate(&w, 11 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        CHECK_EQ_INT(evaluate(&w, 24 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        /* the update took effect, then someone changed it behind our back:
         * corrected at once, within the cooldown */
        g->memory_max = 512 * MiB;
        g->memory_high = 400 * MiB;
        CHECK_EQ_INT(evaluate(&w, 12 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        g->memory_max = 2 * GiB;
        CHECK_EQ_INT(evaluate(&w, 13 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 512 * MiB);
        if (a)
                CHECK_EQ_INT(policy_note_action(&w.state, a, 13 * S), 0);
        g->memory_max = 1 * GiB;
        g->memory_high = BYTES_MAX;

        /* a new desired value goes out at once */
        w.rules[R_BACKEND].memory_max.bytes = 768 * MiB;
        CHECK_EQ_INT(evaluate(&w, 25 * S, false), 0);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 768 * MiB);
        if (a)
                CHECK_EQ_INT(policy_note_action(&w.state, a, 25 * S), 0);

        /* after the cooldown, drift is corrected again */
        CHECK_EQ_INT(evaluate(&w, 25 * S + 15 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 2);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 768 * MiB);
        a = only_action(&w, ACTION_HIGH);
        CHECK(a && a->bytes == 400 * MiB);
        world_done(&w);
}

/* The same wrong value set twice behind our back (an operator or a script
 * re-applying it): once the first correction took effect, the second drift is
 * corrected at once as well, not only after the cooldown. */
static void test_limit_drift_repeated(void)
{
        struct world w;
        struct group_sample *g;
        const struct action *a;

        world_init(&w);
        g = add_paced_backend(&w);
        g->memory_max = 300 * MiB;
        g->memory_high = 200 * MiB;

        CHECK_EQ_INT(evaluate(&w, 10 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 2);
        carry_out(&w, 10 * S);
        CHECK_EQ_U64(g->memory_max, 512 * MiB);
        CHECK_EQ_U64(g->memory_high, 400 * MiB);
        CHECK_EQ_INT(evaluate(&w, 11 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);

        /* the same drift again, well within the cooldown */
        g->memory_max = 300 * MiB;
        g->memory_high = 200 * MiB;
        CHECK_EQ_INT(evaluate(&w, 12 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 2);
        a = only_action(&w, ACTION_LIMIT);
        CHECK(a && a->bytes == 512 * MiB && a->previous_bytes == 300 * MiB);
        a = only_action(&w, ACTION_HIGH);
        CHECK(a && a->bytes == 400 * MiB);
        for (size_t i = 0; i < w.plan.n_actions; i++)
                CHECK_EQ_INT(policy_note_action(&w.state, &w.plan.actions[i], 12 * S), 0);

        /* ... and that correction, not yet landed, is still paced */
        CHECK_EQ_INT(evaluate(&w, 13 * S, false), 0);
        CHECK_EQ_INT(w.plan.n_actions, 0);
        world_done(&w);
}

/* Structural protection (issue 12): a plain cgroup holding a protected
 * container, or a container's own cgroup seen as a plain cgroup, is never a
 * candidate, however low its priority; the container itself is. */
static struct group_sample *add_plain(struct world *w, const char *path, int rule)
{
        struct group_sample *g = add_group(w, path, rule, 4 * GiB, false);

        g->kind = GROUP_CGROUP;
        g->id[0] = '\0';
        util_strlcpy(g->cgroup, path, sizeof g->cgroup);
        return g;
}

static void test_structural(void)
{
        struct world w;
        const struct action *a;
        char why[1024];
        struct group_sample *pg;

        world_init(&w);
        w.config.memory.hold_usec = w.config.memory.emergency_hold_usec = 0;
        add_plain(&w, "docker", R_AGENTS);        /* priority 10: the naive victim */
        add_plain(&w, "docker/id-web", R_AGENTS); /* web's own cgroup */
        pg = add_group(&w, "pg", R_POSTGRES, 1 * GiB, false);
        util_strlcpy(pg->cgroup, "/docker/id-pg", sizeof pg->cgroup); /* Docker's spelling */
        add_group(&w, "web", R_BACKEND, 1 * GiB, false);
        set_host(&w, 95, -1, -1);
        CHECK_EQ_INT(evaluate(&w, 1 * S, false), 0);
        a = only_action(&w, ACTION_KILL);
        CHECK(a != NULL);
        if (a)
                CHECK_STREQ(a->target, "web");
        CHECK(policy_structural_block(&w.config, &w.snap, find_group(&w, "docker"), ACTION_KILL,
                                      why, sizeof why) != NULL);
        CHECK(strstr(why, "contains protected pg") != NULL);
        CHECK(policy_structural_block(&w.config, &w.snap, find_group(&w, "docker"),
                                      ACTION_THROTTLE, why, sizeof why) != NULL);
        /* a limit takes nothing from the protected container */
        CHECK(policy_structural_block(&w.config, &w.snap, find_group(&w, "docker"), ACTION_LIMIT,
                                      why, sizeof why) == NULL);
        CHECK(policy_structural_block(&w.config, &w.snap, find_group(&w, "docker/id-web"),
                                      ACTION_LIMIT, why, sizeof why) != NULL);
        CHECK(strstr(why, "governed as that container only") != NULL);
        CHECK(policy_structural_block(&w.config, &w.snap, find_group(&w, "web"), ACTION_KILL, why,
                                      sizeof why) == NULL);
        world_done(&w);
}

int main(void)
{
        test_structural();
        for (size_t i = 0; i < ELEMENTSOF(scenarios); i++)
                run_scenario(&scenarios[i]);
        test_limit_drift();
        test_limit_paced();
        test_limit_drift_repeated();
        test_limit_unset_and_percent();
        test_override();
        test_high_drift();
        test_throttle_figures();
        test_reclaim_figures();
        test_throttle_and_kinds();
        test_confirm();
        test_state_bookkeeping();
        test_state_many_groups();
        test_plan_reuse_and_names();
        test_conditions_gating();
        test_emergency_hold();
        test_emergency_rate();
        return TEST_RESULT();
}
