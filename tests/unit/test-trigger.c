/* test-trigger — the kernel trigger strings, the unprivileged fallback and
 * the calm tick's watch. */
#include "trigger.h"

#include <errno.h>

#include "test.h"

static void check_format(enum psi_kind kind, usec_t stall, usec_t window, const char *want)
{
        struct psi_trigger_spec spec = {.kind = kind, .stall_usec = stall, .window_usec = window};
        char buf[64];

        CHECK_EQ_INT(trigger_format(&spec, buf, sizeof buf), 0);
        CHECK_STREQ(buf, want);
}

static void check_unprivileged(usec_t stall, usec_t window, usec_t want_stall, usec_t want_window)
{
        struct psi_trigger_spec spec = {.kind = PSI_FULL, .stall_usec = stall, .window_usec = window};
        struct psi_trigger_spec got;

        trigger_spec_unprivileged(&spec, &got);
        CHECK_EQ_INT(got.kind, PSI_FULL);
        CHECK_EQ_U64(got.window_usec, want_window);
        CHECK_EQ_U64(got.stall_usec, want_stall);
        /* the kernel's own rules for an unprivileged opener */
        CHECK(got.window_usec % (2 * USEC_PER_SEC) == 0);
        CHECK(got.window_usec <= 10 * USEC_PER_SEC);
        CHECK(got.stall_usec > 0 && got.stall_usec <= got.window_usec);
}

static struct psi_threshold mark(enum psi_kind kind, double percent)
{
        return (struct psi_threshold){.set = true, .kind = kind, .avg10_percent = percent};
}

/* The watch fires at half the lowest mark's share of a 2 s window, "some"
 * whatever kind the mark is ("full" stall is part of "some" stall). */
static void check_watch(void)
{
        struct memory_section m = {};
        struct psi_trigger_spec w = {.stall_usec = 4242};

        /* no mark: PSI decides nothing, no watch, ret untouched */
        CHECK(!trigger_watch_spec(&m, &w));
        CHECK_EQ_U64(w.stall_usec, 4242);
        /* a mark of 0% is no mark (policy_memory_conditions skips it) */
        m.pressure_warning = mark(PSI_SOME, 0.0);
        CHECK(!trigger_watch_spec(&m, &w));

        /* the shipped marks: some 10%, full 20%, full 40% → 5% of 2 s */
        m.pressure_warning = mark(PSI_SOME, 10.0);
        m.pressure_critical = mark(PSI_FULL, 20.0);
        m.pressure_emergency = mark(PSI_FULL, 40.0);
        CHECK(trigger_watch_spec(&m, &w));
        CHECK_EQ_INT(w.kind, PSI_SOME);
        CHECK_EQ_U64(w.window_usec, 2000000);
        CHECK_EQ_U64(w.stall_usec, 100000);

        /* the lowest mark counts, whichever tier and kind it is on */
        m.pressure_warning.set = false;
        m.pressure_emergency = mark(PSI_FULL, 6.0);
        CHECK(trigger_watch_spec(&m, &w));
        CHECK_EQ_INT(w.kind, PSI_SOME);
        CHECK_EQ_U64(w.stall_usec, 60000);

        /* tiny and huge marks stay within what the kernel accepts */
        m.pressure_emergency = mark(PSI_SOME, 0.00001);
        CHECK(trigger_watch_spec(&m, &w));
        CHECK_EQ_U64(w.stall_usec, 1);
        m = (struct memory_section){.pressure_critical = mark(PSI_FULL, 250.0)};
        CHECK(trigger_watch_spec(&m, &w));
        CHECK_EQ_U64(w.stall_usec, w.window_usec);
}

int main(void)
{
        char tiny[8];
        struct psi_trigger_spec spec = {.kind = PSI_SOME, .stall_usec = 1, .window_usec = 2};

        check_format(PSI_SOME, 150000, 1000000, "some 150000 1000000");
        check_format(PSI_FULL, 50000, 500000, "full 50000 500000");
        CHECK_EQ_INT(trigger_format(&spec, tiny, sizeof tiny), -ENOBUFS);

        /* 150 ms of 1 s: the window rounds up to 2 s, the stall keeps its 15% */
        check_unprivileged(150000, 1000000, 300000, 2000000);
        /* already a multiple of 2 s: unchanged */
        check_unprivileged(500000, 4000000, 500000, 4000000);
        /* 3 s rounds to 4 s */
        check_unprivileged(300000, 3000000, 400000, 4000000);
        /* 9.5 s rounds to 10 s, the kernel's largest window */
        check_unprivileged(950000, 9500000, 1000000, 10000000);
        /* a stall the scaling would turn into 0 stays at least 1 us */
        check_unprivileged(0, 500000, 1, 2000000);
        check_watch();
        return TEST_RESULT();
}
