/* trigger — kernel PSI triggers as sd-event sources.
 *
 * A trigger is a pressure file opened O_RDWR with "some|full STALL WINDOW"
 * (microseconds) written to it; the kernel then raises EPOLLPRI when the
 * stall within a window exceeds the threshold. Each fd is an sd-event io
 * source; its callback passes the group's key and the monotonic time of the
 * wake-up to trigger_fn at once, so the policy runs within the same loop
 * iteration as the kernel's notice.
 *
 * Kernels refuse some registrations; each refusal has one fallback, logged once:
 *  - without CAP_SYS_RESOURCE, windows must be multiples of 2 s: the window is
 *    rounded up to the next multiple (stall scaled by the same factor);
 *  - where /proc/pressure/memory refuses triggers, the cgroup2 root's
 *    memory.pressure (system-wide pressure too) is used for the host.
 * Group triggers are idempotent per key and swept with a mark/sweep pass so
 * triggers follow groups as they come and go. EPOLLERR (cgroup removed)
 * drops the trigger. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "cgfs.h"
#include "config.h"
#include "util.h"

#define TRIGGER_HOST_KEY "" /* key passed to trigger_fn for the host trigger */
/* ... and for the calm tick's watch (a group's key is a container id or a
 * relative cgroup path, never starting with '/') */
#define TRIGGER_HOST_WATCH_KEY "/watch"

typedef void (*trigger_fn)(const char *key, usec_t notice_usec, void *userdata);

struct triggers;

int triggers_new(sd_event *event, struct cgfs *fs, const struct psi_trigger_spec *spec,
                 trigger_fn fn, void *userdata, struct triggers **ret);
struct triggers *triggers_free(struct triggers *t);

/* Register the host memory trigger. 0, or -errno if no pressure file accepted one. */
int triggers_add_host(struct triggers *t);
/* Where the host trigger lives ("/proc/pressure/memory" or "cgroup2 root"), NULL if none. */
const char *triggers_host_source(const struct triggers *t);

/* The calm tick's watch. Between full samples a calm tick reads host
 * memory alone; it may leave the host's PSI unread too when a second host
 * trigger watches for any stall that could carry a pressure_* average to
 * its mark: avg10 is a running average of 2 s periods, so it passes a mark
 * only after a period whose stall share did, and that period fires a
 * trigger of that share over a 2 s window. The watch fires at
 * TRIGGER_WATCH_FRACTION of the lowest mark, a margin for the kernel's
 * window approximation.
 *
 * trigger_watch_spec: the watch for m's pressure_* marks ("some", the
 * lowest mark's share times TRIGGER_WATCH_FRACTION of a
 * TRIGGER_WATCH_WINDOW_USEC window); false when no mark is set (PSI then
 * decides nothing). Pure. */
#define TRIGGER_WATCH_WINDOW_USEC (2 * USEC_PER_SEC) /* also what an unprivileged opener may use */
#define TRIGGER_WATCH_FRACTION    0.5
bool trigger_watch_spec(const struct memory_section *m, struct psi_trigger_spec *ret);
/* Arm the watch (spec NULL: none) on the host trigger's pressure file; it
 * calls trigger_fn with TRIGGER_HOST_WATCH_KEY. A no-op when that spec is
 * armed. 0, or -errno (no watch armed). */
int triggers_set_host_watch(struct triggers *t, const struct psi_trigger_spec *spec);
/* Whether a watch is armed (t may be NULL). */
bool triggers_host_watched(const struct triggers *t);

/* Sweep protocol: mark all, add (or keep) each live group, sweep the rest. */
void triggers_mark(struct triggers *t);
/* 1 newly registered, 0 already present, -errno on failure (not fatal). */
int triggers_add_group(struct triggers *t, const char *key, const char *cgroup_rel);
void triggers_sweep(struct triggers *t);

/* Format the kernel trigger string for spec, "some 150000 1000000". */
int trigger_format(const struct psi_trigger_spec *spec, char *buf, size_t size);
/* The spec the kernel accepts from an unprivileged opener (2 s multiples). */
void trigger_spec_unprivileged(const struct psi_trigger_spec *spec, struct psi_trigger_spec *ret);
