/* looplag — a probe of the event loop's wake-up latency, for the stall
 * benchmark (tests/bench/bench-stall.sh, issue 13).
 *
 * Off unless SUTAZAI_GOVERNOR_LOOP_PROBE names a file. Then a timer at the
 * highest priority fires every LOOPLAG_PERIOD_USEC, and how late it fires
 * (dispatch time minus due time) is what any other wake-up — a PSI trigger,
 * a control client — waits too while the loop is busy or blocked. Once a
 * second the file is replaced with
 *     samples N\nmax_us X\np99_us Y\np50_us Z\nrss_kib R\nbusy_max_us B\n
 * over the samples since the window began (busy_max_us: the most CPU time
 * the loop used between two probe wake-ups — lateness beyond it was spent
 * waiting for a CPU or blocked in a call); deleting the file starts a new
 * window (the benchmark's way to measure one fault at a time). Test hook,
 * not for production: it wakes the loop 100 times a second. */
#pragma once

#include <systemd/sd-event.h>

#define LOOPLAG_PERIOD_USEC 10000ULL /* 10 ms between probe wake-ups */

/* Start the probe when the environment asks for it. 0, or -errno. */
int looplag_start(sd_event *event);
void looplag_stop(void);
