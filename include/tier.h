/* tier — the escalation state machine shared by memory and every disk.
 *
 * Each tier t has two conditions, computed by the caller from its signals:
 *   enter[t]: the signal is at or above t's mark,
 *   stay[t]:  the signal is at or above t's mark minus the hysteresis.
 * A tier is entered once enter[t] has held continuously for its hold (each
 * tier has its own "since" time, so a burst straight to emergency escalates
 * straight to emergency after one hold). The current tier is left, without
 * hold, as soon as stay[current] fails; it then drops to the highest tier
 * whose stay[] still holds (no hold on the way down: relief is not delayed).
 * A tier above the current one is entered in the same call if its own hold
 * has run out. A "since" later than now (a clock that went back) counts as
 * not held yet. Pure: time is an argument. */
#pragma once

#include <stdbool.h>

#include "util.h"

enum tier {
        TIER_NORMAL = 0,
        TIER_WARNING,
        TIER_CRITICAL,
        TIER_EMERGENCY,
        TIER_COUNT,
};

struct tier_tracker {
        enum tier tier;
        usec_t since[TIER_COUNT]; /* enter[t] has held since; USEC_INFINITY = not holding */
        usec_t entered_usec;      /* when the current tier was entered */
};

struct tier_conditions {
        bool enter[TIER_COUNT]; /* [TIER_NORMAL] ignored */
        bool stay[TIER_COUNT];
};

void tier_tracker_init(struct tier_tracker *t);

/* Fill conditions from one value against ascending marks (warning, critical,
 * emergency) and a hysteresis, all in the value's unit: enter[t] = value >=
 * mark, stay[t] = value >= mark - hysteresis; [TIER_NORMAL] both true. A NaN
 * value meets nothing. */
void tier_conditions_from_value(double value, const double marks[3], double hysteresis,
                                struct tier_conditions *ret);

/* OR two condition sets (e.g. usage and gated PSI). */
void tier_conditions_merge(struct tier_conditions *into, const struct tier_conditions *other);

/* Advance with one hold for every tier; returns the new tier. */
enum tier tier_update(struct tier_tracker *t, const struct tier_conditions *c, usec_t hold_usec,
                      usec_t now);
/* Advance with a hold per tier (hold_usec[TIER_NORMAL] unused): a tier that
 * is seconds from the OOM killer may be entered sooner than the others. */
enum tier tier_update_holds(struct tier_tracker *t, const struct tier_conditions *c,
                            const usec_t hold_usec[TIER_COUNT], usec_t now);

/* "normal", "warning", "critical", "emergency"; "unknown" out of range. */
const char *tier_name(enum tier t);
/* Exact, case-sensitive inverse of tier_name(): 0, or -EINVAL (ret untouched). */
int tier_from_name(const char *s, enum tier *ret);
