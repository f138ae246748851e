/* ticker — the governor's tick: one periodic timerfd in the sd-event loop.
 *
 * An sd-event time source fires once; re-arming it every second costs a
 * timerfd_settime() and sd-event's timer bookkeeping on each calm tick,
 * about a tenth of the CPU an idle tick uses (tests/bench/bench-footprint.sh).
 * A periodic timerfd fires every period with no call in between: it is set
 * again only when the period changes or a tick is brought forward.
 *
 * Expirations missed while the loop was busy collapse into one call, for
 * the latest of them: a late loop never gets a burst of ticks. The
 * callback gets the due time it fires for (CLOCK_MONOTONIC usec); the next
 * one is due a period later unless the callback re-arms. */
#pragma once

#include <systemd/sd-event.h>

#include "util.h"

struct ticker;

typedef void (*ticker_fn)(usec_t due_usec, void *userdata);

/* A ticker, disarmed until ticker_arm(). 0, or -errno. */
int ticker_new(sd_event *event, ticker_fn fn, void *userdata, struct ticker **ret);
struct ticker *ticker_free(struct ticker *t);

/* First tick at due_usec (CLOCK_MONOTONIC; a time already past fires at
 * once), then every period_usec (> 0). Nothing is done when that is what
 * is armed already. 0, or -errno (the previous arming stays). */
int ticker_arm(struct ticker *t, usec_t due_usec, usec_t period_usec);

/* When the next tick is due, and the period it repeats at. */
usec_t ticker_due(const struct ticker *t);
usec_t ticker_period(const struct ticker *t);
