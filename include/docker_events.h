/* docker_events — the Engine's event stream, from the bytes of GET /events to
 * the live inspects that bring the cache up to date and the events the
 * daemon hears. Private to src/docker*.c (docker.h is the contract).
 *
 * Bounded whatever the Engine sends (docker.h): one line at most
 * EVENT_LINE_MAX bytes, at most EVENT_QUEUE_MAX events held while syncing,
 * INSPECT_INFLIGHT_MAX live inspects, events for one container coalesced
 * into one inspect, PENDING_MAX containers waiting. Past that a flood: the
 * waiting ones are dropped, events ignored (an OOM kill of a known container
 * excepted) until none came for FLOOD_QUIET_USEC or FLOOD_REFILL_MAX_USEC
 * passed, then the containers are listed once and inspected again.
 *
 * The connection (docker.c) owns the stream request, the timers and the
 * state; it calls in here and acts on what comes back. Nothing here resets
 * the connection: a failure is returned to the caller, so the dependency
 * runs docker.c -> docker_events.c -> docker_internal.c, docker_cache.c. */
#pragma once

#include <stddef.h>

#include "docker_transport.h"

struct docker;

/* Body bytes of the open stream: whole lines are parsed and queued, a split
 * one kept for the next chunk. 0, or -EMSGSIZE for a line over
 * EVENT_LINE_MAX (d->events_broken is then set; the transfer fails). */
int docker_events_feed(struct docker *d, const char *data, size_t n);
/* Handle the queued events (only while CONNECTED): schedule inspects, report
 * OOM kills. The daemon's callbacks run from here. */
void docker_events_process(struct docker *d);
/* More events came while syncing than the queue holds: drop them and begin a
 * flood (re-list once it is over). */
void docker_events_overflow(struct docker *d);
/* A live inspect finished (result as docker_request_result gives it): the
 * cache updated, the daemon told, a follow-up inspect or the next waiting
 * one started. */
void docker_events_inspect_done(struct docker *d, struct request *req, int result);
/* The flood timer fired: 0 nothing to do yet (re-armed if still flooding),
 * 1 the flood is over and the re-list was started, or -errno when it could
 * not be (the caller resets the connection). */
int docker_events_flood_check(struct docker *d);
/* The re-list after a flood answered: containers gone meanwhile are removed
 * (and reported), every listed one inspected again. 0, or -errno when the
 * list failed or was malformed (the caller resets the connection). */
int docker_events_refill_done(struct docker *d, struct request *req, int result);
/* The connection was lost: forget the partial line, the queue, the inspects
 * in flight and waiting, and any flood. */
void docker_events_reset(struct docker *d);
/* Free what the stream holds (docker_free). */
void docker_events_done(struct docker *d);
