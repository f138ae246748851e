/* Unit tests for tier: conditions from a value, hold, hysteresis, names. */
#include <errno.h>
#include <math.h>

#include "test.h"
#include "tier.h"

#define S USEC_PER_SEC

static const double marks[3] = {65.0, 80.0, 90.0};
static const double hysteresis = 5.0;

struct step {
        double now_sec;
        double value;
        enum tier expect;
};

struct scenario {
        const char *name;
        usec_t hold_usec;
        const struct step *steps;
        size_t n_steps;
};

#define SCENARIO(n, hold, ...)                                                                     \
        {                                                                                          \
                .name = n, .hold_usec = hold, .steps = (const struct step[]){__VA_ARGS__},         \
                .n_steps = sizeof((const struct step[]){__VA_ARGS__}) / sizeof(struct step),       \
        }

static const struct scenario scenarios[] = {
    SCENARIO("spike shorter than hold does nothing", 5 * S, {0, 70, TIER_NORMAL},
             {2, 70, TIER_NORMAL}, {4.9, 70, TIER_NORMAL},
             {5.5, 50, TIER_NORMAL}, /* gone before the hold ran out */
             {6, 70, TIER_NORMAL},   /* a new hold starts here */
             {10.9, 70, TIER_NORMAL}, {11, 70, TIER_WARNING}),
    SCENARIO("sustained escalates step by step", 5 * S, {0, 70, TIER_NORMAL},
             {5, 82, TIER_WARNING}, /* critical's own hold starts at 5 */
             {9, 82, TIER_WARNING}, {10, 82, TIER_CRITICAL}, {12, 95, TIER_CRITICAL},
             {17, 95, TIER_EMERGENCY}),
    SCENARIO("burst goes straight to emergency after one hold", 5 * S, {0, 95, TIER_NORMAL},
             {4, 95, TIER_NORMAL}, {5, 95, TIER_EMERGENCY}),
    SCENARIO("burst that falls back enters the tier it still holds", 5 * S, {0, 95, TIER_NORMAL},
             {3, 85, TIER_NORMAL}, /* emergency's clock stops */
             {5, 85, TIER_CRITICAL}),
    SCENARIO("hysteresis keeps critical, leaving needs no hold", 0, {0, 85, TIER_CRITICAL},
             {1, 77.5, TIER_CRITICAL}, /* mark - hysteresis/2 */
             {2, 75.0, TIER_CRITICAL}, /* exactly mark - hysteresis */
             {3, 74.9, TIER_WARNING}, {4, 61, TIER_WARNING}, {5, 59, TIER_NORMAL}),
    SCENARIO("drop skips tiers whose stay fails", 0, {0, 95, TIER_EMERGENCY},
             {1, 87, TIER_EMERGENCY}, {2, 30, TIER_NORMAL}),
    SCENARIO("re-entering after a drop needs a new hold", 5 * S, {0, 82, TIER_NORMAL},
             {5, 82, TIER_CRITICAL}, {6, 70, TIER_WARNING}, {7, 82, TIER_WARNING},
             {11.9, 82, TIER_WARNING}, {12, 82, TIER_CRITICAL}),
    SCENARIO("in the hysteresis band no tier is entered", 1 * S, {0, 62, TIER_NORMAL},
             {10, 62, TIER_NORMAL}, {20, 64.99, TIER_NORMAL}),
};

static void test_scenarios(void)
{
        for (size_t i = 0; i < ELEMENTSOF(scenarios); i++) {
                const struct scenario *sc = &scenarios[i];
                struct tier_tracker t;

                tier_tracker_init(&t);
                for (size_t j = 0; j < sc->n_steps; j++) {
                        const struct step *st = &sc->steps[j];
                        struct tier_conditions c;
                        usec_t now = (usec_t)(st->now_sec * S) + 1000 * S;
                        enum tier got;

                        tier_conditions_from_value(st->value, marks, hysteresis, &c);
                        got = tier_update(&t, &c, sc->hold_usec, now);
                        if (got != st->expect || t.tier != st->expect) {
                                fprintf(stderr,
                                        "scenario \"%s\" step %zu (t=%.1fs, %.2f): %s, "
                                        "expected %s\n",
                                        sc->name, j, st->now_sec, st->value, tier_name(got),
                                        tier_name(st->expect));
                                test_failures++;
                        }
                }
        }
}

static void test_entered_usec(void)
{
        struct tier_tracker t;
        struct tier_conditions c;

        tier_tracker_init(&t);
        CHECK_EQ_INT(t.tier, TIER_NORMAL);
        for (int i = 0; i < TIER_COUNT; i++)
                CHECK_EQ_U64(t.since[i], USEC_INFINITY);

        tier_conditions_from_value(70, marks, hysteresis, &c);
        tier_update(&t, &c, 2 * S, 10 * S);
        CHECK_EQ_U64(t.since[TIER_WARNING], 10 * S);
        CHECK_EQ_U64(t.since[TIER_CRITICAL], USEC_INFINITY);
        CHECK_EQ_U64(t.entered_usec, 0);
        tier_update(&t, &c, 2 * S, 12 * S);
        CHECK_EQ_INT(t.tier, TIER_WARNING);
        CHECK_EQ_U64(t.entered_usec, 12 * S);
        /* staying does not move the entry time */
        tier_update(&t, &c, 2 * S, 13 * S);
        CHECK_EQ_U64(t.entered_usec, 12 * S);
}

static void test_clock_backwards(void)
{
        struct tier_tracker t;
        struct tier_conditions c;

        tier_tracker_init(&t);
        tier_conditions_from_value(95, marks, hysteresis, &c);
        tier_update(&t, &c, 5 * S, 100 * S);
        /* an earlier "now" must not count as a hold that has run out */
        CHECK_EQ_INT(tier_update(&t, &c, 5 * S, 50 * S), TIER_NORMAL);
        CHECK_EQ_INT(tier_update(&t, &c, 5 * S, 105 * S), TIER_EMERGENCY);
}

static void test_conditions(void)
{
        struct tier_conditions a, b;

        tier_conditions_from_value(80, marks, hysteresis, &a);
        CHECK(a.enter[TIER_WARNING] && a.enter[TIER_CRITICAL] && !a.enter[TIER_EMERGENCY]);
        CHECK(a.stay[TIER_WARNING] && a.stay[TIER_CRITICAL] && !a.stay[TIER_EMERGENCY]);
        tier_conditions_from_value(86, marks, hysteresis, &a);
        CHECK(!a.enter[TIER_EMERGENCY] && a.stay[TIER_EMERGENCY]);

        tier_conditions_from_value(NAN, marks, hysteresis, &a);
        for (int i = TIER_WARNING; i < TIER_COUNT; i++)
                CHECK(!a.enter[i] && !a.stay[i]);

        tier_conditions_from_value(10, marks, hysteresis, &a);
        tier_conditions_from_value(91, marks, hysteresis, &b);
        tier_conditions_merge(&a, &b);
        CHECK(a.enter[TIER_EMERGENCY] && a.stay[TIER_EMERGENCY] && a.enter[TIER_WARNING]);
        tier_conditions_from_value(10, marks, hysteresis, &b);
        tier_conditions_merge(&a, &b); /* OR never clears */
        CHECK(a.enter[TIER_EMERGENCY]);
}

static void test_names(void)
{
        enum tier t = TIER_NORMAL;

        CHECK_STREQ(tier_name(TIER_NORMAL), "normal");
        CHECK_STREQ(tier_name(TIER_WARNING), "warning");
        CHECK_STREQ(tier_name(TIER_CRITICAL), "critical");
        CHECK_STREQ(tier_name(TIER_EMERGENCY), "emergency");
        CHECK_STREQ(tier_name(TIER_COUNT), "unknown");
        for (int i = 0; i < TIER_COUNT; i++) {
                CHECK_EQ_INT(tier_from_name(tier_name(i), &t), 0);
                CHECK_EQ_INT(t, i);
        }
        t = TIER_CRITICAL;
        CHECK_EQ_INT(tier_from_name("Emergency", &t), -EINVAL);
        CHECK_EQ_INT(tier_from_name("", &t), -EINVAL);
        CHECK_EQ_INT(tier_from_name("warning ", &t), -EINVAL);
        CHECK_EQ_INT(t, TIER_CRITICAL); /* untouched on error */
}

int main(void)
{
        test_scenarios();
        test_entered_usec();
        test_clock_backwards();
        test_conditions();
        test_names();
        return TEST_RESULT();
}
