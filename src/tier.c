/* tier — see include/tier.h */
#include "tier.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

static const char *const tier_names[TIER_COUNT] = {
    [TIER_NORMAL] = "normal",
    [TIER_WARNING] = "warning",
    [TIER_CRITICAL] = "critical",
    [TIER_EMERGENCY] = "emergency",
};

void tier_tracker_init(struct tier_tracker *t)
{
        assert(t);

        t->tier = TIER_NORMAL;
        for (size_t i = 0; i < TIER_COUNT; i++)
                t->since[i] = USEC_INFINITY;
        t->entered_usec = 0;
}

void tier_conditions_from_value(double value, const double marks[3], double hysteresis,
                                struct tier_conditions *ret)
{
        assert(marks);
        assert(ret);

        /* A NaN value compares false everywhere: it can only ever mean normal. */
        ret->enter[TIER_NORMAL] = ret->stay[TIER_NORMAL] = true;
        for (int t = TIER_WARNING; t < TIER_COUNT; t++) {
                ret->enter[t] = value >= marks[t - 1];
                ret->stay[t] = value >= marks[t - 1] - hysteresis;
        }
}

void tier_conditions_merge(struct tier_conditions *into, const struct tier_conditions *other)
{
        assert(into);
        assert(other);

        for (size_t t = 0; t < TIER_COUNT; t++) {
                into->enter[t] = into->enter[t] || other->enter[t];
                into->stay[t] = into->stay[t] || other->stay[t];
        }
}

enum tier tier_update(struct tier_tracker *t, const struct tier_conditions *c, usec_t hold_usec,
                      usec_t now)
{
        const usec_t holds[TIER_COUNT] = {0, hold_usec, hold_usec, hold_usec};

        return tier_update_holds(t, c, holds, now);
}

enum tier tier_update_holds(struct tier_tracker *t, const struct tier_conditions *c,
                            const usec_t hold_usec[TIER_COUNT], usec_t now)
{
        enum tier next;

        assert(t);
        assert(c);
        assert(hold_usec);
        assert(t->tier < TIER_COUNT);

        /* Each tier's hold clock runs on its own, so a burst that meets every
         * mark at once reaches the highest after a single hold. */
        for (int i = TIER_WARNING; i < TIER_COUNT; i++) {
                if (!c->enter[i])
                        t->since[i] = USEC_INFINITY;
                else if (t->since[i] == USEC_INFINITY)
                        t->since[i] = now;
        }

        next = t->tier;

        /* Leaving needs no hold: relief must not be delayed, and hysteresis
         * already keeps a value hovering at a mark from flapping. */
        if (next > TIER_NORMAL && !c->stay[next]) {
                do
                        next--;
                while (next > TIER_NORMAL && !c->stay[next]);
        }

        for (int i = TIER_COUNT - 1; i > (int)next; i--) {
                /* since[i] > now would be a clock going backwards: not held yet. */
                if (t->since[i] != USEC_INFINITY && now >= t->since[i] &&
                    now - t->since[i] >= hold_usec[i]) {
                        next = (enum tier)i;
                        break;
                }
        }

        if (next != t->tier) {
                t->tier = next;
                t->entered_usec = now;
        }
        return next;
}

const char *tier_name(enum tier t)
{
        if ((unsigned)t >= TIER_COUNT)
                return "unknown";
        return tier_names[t];
}

int tier_from_name(const char *s, enum tier *ret)
{
        assert(s);
        assert(ret);

        for (size_t t = 0; t < TIER_COUNT; t++)
                if (strcmp(s, tier_names[t]) == 0) {
                        *ret = (enum tier)t;
                        return 0;
                }
        return -EINVAL;
}
