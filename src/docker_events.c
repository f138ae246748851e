/* docker_events — the Engine's event stream, from bytes to inspects, within
 * fixed bounds. See docker_events.h for the contract. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docker_events.h"
#include "docker_internal.h"
#include "log.h"

/* ---- the stream: lines into the queue ----------------------------------------- */

static int queue_push(struct docker *d, const struct docker_json_event *e, usec_t received)
{
        if (d->n_queue >= EVENT_QUEUE_MAX) {
                d->queue_overflow = true;
                return -ENOBUFS;
        }
        if (d->n_queue == d->allocated_queue) {
                size_t n = d->allocated_queue ? d->allocated_queue * 2 : 16;
                struct queued_event *q = realloc(d->queue, n * sizeof(*q));

                if (!q)
                        return -ENOMEM;
                d->queue = q;
                d->allocated_queue = n;
        }
        d->queue[d->n_queue++] = (struct queued_event){.e = *e, .received_usec = received};
        return 0;
}

static void event_line(struct docker *d, const char *line, size_t len, usec_t received)
{
        struct docker_json_event e;
        int r;

        while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' '))
                len--;
        /* API >= 1.52 may frame events as RFC 7464 JSON text sequences
         * (RS before each object) when asked; accept them either way. */
        while (len > 0 && line[0] == 0x1e) {
                line++;
                len--;
        }
        if (len == 0)
                return;
        r = docker_json_parse_event(line, len, &e);
        if (r < 0) {
                log_warning("docker: ignoring a malformed event line (%zu bytes)", len);
                return;
        }
        if (!e.container || e.action == DOCKER_ACTION_OTHER)
                return;
        d->stats.events++;
        if (e.time_nano > d->last_event_nano)
                d->last_event_nano = e.time_nano;
        if (d->flooded && (e.action != DOCKER_ACTION_OOM || !docker_cache_find(&d->cache, e.id))) {
                /* The re-list after the flood sees what these would have;
                 * an OOM kill is news only for a container we know. */
                d->stats.events_dropped++;
                d->flood_last_event_usec = received;
                return;
        }
        (void)queue_push(d, &e, received);
}

int docker_events_feed(struct docker *d, const char *data, size_t n)
{
        usec_t now = util_now_usec();
        size_t start = 0;

        for (size_t i = 0; i < n; i++) {
                if (data[i] != '\n')
                        continue;
                if (d->line.len > 0) {
                        if (docker_buffer_append(&d->line, data + start, i - start,
                                                 EVENT_LINE_MAX) < 0) {
                                d->events_broken = true;
                                return -EMSGSIZE;
                        }
                        event_line(d, d->line.data, d->line.len, now);
                        d->line.len = 0;
                } else if (i - start < EVENT_LINE_MAX) {
                        event_line(d, data + start, i - start, now);
                } else {
                        d->events_broken = true;
                        return -EMSGSIZE;
                }
                start = i + 1;
        }
        /* A line split across chunks waits for its end; an endless one
         * ends the stream (an error fails the transfer). */
        if (start < n &&
            docker_buffer_append(&d->line, data + start, n - start, EVENT_LINE_MAX) < 0) {
                d->events_broken = true;
                return -EMSGSIZE;
        }
        return 0;
}

/* ---- the queue: events into inspects, coalesced per container ------------------ */

static void refill_clear(struct docker *d)
{
        free(d->refill);
        d->refill = NULL;
        d->n_refill = d->refill_pos = 0;
}

static void flood_begin(struct docker *d);

static ssize_t inflight_find(struct docker *d, const char *id)
{
        for (size_t i = 0; i < d->n_inflight; i++)
                if (strcmp(d->inflight[i].id, id) == 0)
                        return (ssize_t)i;
        return -1;
}

/* CHANGED never hides a start or an end already waiting. */
static bool kind_replaces(enum docker_event_kind waiting, enum docker_event_kind incoming)
{
        return waiting == DOCKER_EVENT_CHANGED || incoming != DOCKER_EVENT_CHANGED;
}

static int start_live_inspect(struct docker *d, const char *id, enum docker_event_kind kind,
                              usec_t received, uint64_t time_nano)
{
        struct inflight *f = &d->inflight[d->n_inflight];
        int r;

        assert(d->n_inflight < INSPECT_INFLIGHT_MAX);
        *f = (struct inflight){.kind = kind, .received_usec = received, .time_nano = time_nano};
        util_strlcpy(f->id, id, sizeof(f->id));
        r = docker_request_inspect(d, id, false);
        if (r < 0) {
                log_warning("docker: cannot inspect %.12s: %s", id, strerror(-r));
                return r;
        }
        d->n_inflight++;
        return 0;
}

/* Fill free inspect slots: what a re-list after a flood found first (it
 * is bounded by the containers that exist, and the events that came after
 * it may be the next wave of the flood), then containers with events,
 * oldest first. */
static void pump_inspects(struct docker *d)
{
        while (d->n_inflight < INSPECT_INFLIGHT_MAX && d->state == STATE_CONNECTED) {
                if (d->refill_pos < d->n_refill) {
                        const char *id = d->refill[d->refill_pos++];

                        if (inflight_find(d, id) < 0)
                                (void)start_live_inspect(d, id, DOCKER_EVENT_CHANGED,
                                                         util_now_usec(), 0);
                        continue;
                }
                if (d->refill)
                        refill_clear(d);
                if (d->n_pending == 0)
                        return;
                struct pending p = d->pending[0];

                memmove(&d->pending[0], &d->pending[1], (--d->n_pending) * sizeof(d->pending[0]));
                (void)start_live_inspect(d, p.id, p.kind, p.received_usec, p.time_nano);
        }
}

static void schedule_inspect(struct docker *d, const char *id, enum docker_event_kind kind,
                             usec_t received, uint64_t time_nano)
{
        ssize_t i = inflight_find(d, id);

        if (i >= 0) {
                struct inflight *f = &d->inflight[i];

                if (!f->again || kind_replaces(f->again_kind, kind)) {
                        f->again_kind = kind;
                        f->again_received_usec = received;
                        f->again_time_nano = time_nano;
                }
                f->again = true;
                d->stats.events_coalesced++;
                return;
        }
        for (size_t k = 0; k < d->n_pending; k++) {
                struct pending *p = &d->pending[k];

                if (strcmp(p->id, id) != 0)
                        continue;
                if (kind_replaces(p->kind, kind)) {
                        p->kind = kind;
                        p->received_usec = received;
                        p->time_nano = time_nano;
                }
                d->stats.events_coalesced++;
                return;
        }
        if (d->n_inflight < INSPECT_INFLIGHT_MAX && d->n_pending == 0 &&
            d->refill_pos >= d->n_refill) {
                (void)start_live_inspect(d, id, kind, received, time_nano);
                return;
        }
        if (!d->pending) {
                d->pending = calloc(PENDING_MAX, sizeof(*d->pending));
                if (!d->pending) {
                        log_error("docker: out of memory");
                        return;
                }
        }
        if (d->n_pending == PENDING_MAX) {
                flood_begin(d);
                return;
        }
        d->pending[d->n_pending++] =
            (struct pending){.kind = kind, .received_usec = received, .time_nano = time_nano};
        util_strlcpy(d->pending[d->n_pending - 1].id, id, DOCKER_ID_MAX);
}

static void handle_event(struct docker *d, const struct queued_event *q)
{
        const struct docker_json_event *e = &q->e;

        if (e->time_nano > d->last_event_nano)
                d->last_event_nano = e->time_nano;
        switch (e->action) {
        case DOCKER_ACTION_OOM: {
                const struct docker_container *c = docker_cache_find(&d->cache, e->id);
                struct docker_container tmp = {};

                if (!c) {
                        /* Not seen yet: name it from the event. */
                        util_strlcpy(tmp.id, e->id, sizeof(tmp.id));
                        tmp.name = e->name[0] ? (char *)e->name : NULL;
                        c = &tmp;
                }
                docker_emit(d, DOCKER_EVENT_OOM, c, q->received_usec, e->time_nano);
                break;
        }
        case DOCKER_ACTION_START:
                schedule_inspect(d, e->id, DOCKER_EVENT_STARTED, q->received_usec, e->time_nano);
                break;
        case DOCKER_ACTION_DIE:
        case DOCKER_ACTION_STOP:
        case DOCKER_ACTION_DESTROY:
                schedule_inspect(d, e->id, DOCKER_EVENT_REMOVED, q->received_usec, e->time_nano);
                break;
        case DOCKER_ACTION_CREATE:
        case DOCKER_ACTION_RESTART:
        case DOCKER_ACTION_UPDATE:
        case DOCKER_ACTION_RENAME:
        case DOCKER_ACTION_UNPAUSE:
                schedule_inspect(d, e->id, DOCKER_EVENT_CHANGED, q->received_usec, e->time_nano);
                break;
        default:
                break;
        }
}

void docker_events_process(struct docker *d)
{
        size_t i;

        if (d->state != STATE_CONNECTED)
                return;
        /* handle_event may call back into the daemon, which may not touch the
         * queue; events read meanwhile are appended and handled in this loop. */
        for (i = 0; i < d->n_queue && d->state == STATE_CONNECTED; i++) {
                struct queued_event q = d->queue[i];

                handle_event(d, &q);
        }
        if (d->state == STATE_CONNECTED)
                d->n_queue = 0;
}

void docker_events_inspect_done(struct docker *d, struct request *req, int r)
{
        struct docker_container c = {}, old = {};
        ssize_t i = inflight_find(d, req->target);
        struct inflight f;

        if (i < 0)
                return; /* from before a reset */
        f = d->inflight[i];

        if (r >= 0) {
                r = docker_json_parse_inspect(req->response.data, req->response.len, &c);
                if (r < 0)
                        log_warning("docker: malformed inspect answer for %.12s", f.id);
        }
        if (r >= 0) {
                struct docker_container *slot;
                enum docker_event_kind kind = f.kind;

                bool known = docker_cache_find(&d->cache, c.id) != NULL;

                docker_cache_resolve_cgroup(d->fs, &d->v1_memory_seen, &c);
                docker_restarts_track(&d->restarts, &c);
                slot = docker_cache_upsert(&d->cache, &c);
                /* First seen by a re-list after a flood: its start is news. */
                if (slot && kind == DOCKER_EVENT_CHANGED && !known && slot->running)
                        kind = DOCKER_EVENT_STARTED;
                if (!slot) {
                        docker_container_done(&c);
                        log_error("docker: out of memory");
                } else {
                        if (kind == DOCKER_EVENT_STARTED && !slot->running)
                                kind = DOCKER_EVENT_REMOVED; /* gone again before we looked */
                        docker_emit(d, kind, slot, f.received_usec, f.time_nano);
                }
        } else if (r == -ENOENT) {
                docker_restarts_forget(&d->restarts, f.id);
                if (docker_cache_take(&d->cache, f.id, &old)) {
                        old.running = false;
                        docker_emit(d, DOCKER_EVENT_REMOVED, &old, f.received_usec, f.time_nano);
                        docker_container_done(&old);
                }
        } else
                log_warning("docker: inspect of %.12s failed: %s", f.id, strerror(-r));

        /* The callback may have reset the connection or changed the table. */
        i = inflight_find(d, f.id);
        if (i < 0)
                return;
        if (d->inflight[i].again && d->state == STATE_CONNECTED) {
                struct inflight *g = &d->inflight[i];

                g->kind = g->again_kind;
                g->received_usec = g->again_received_usec;
                g->time_nano = g->again_time_nano;
                g->again = false;
                if (docker_request_inspect(d, f.id, false) >= 0)
                        return;
        }
        d->inflight[i] = d->inflight[--d->n_inflight];
        pump_inspects(d);
}

/* ---- floods ------------------------------------------------------------------ */

static void flood_arm(struct docker *d, usec_t delay)
{
        (void)sd_event_source_set_time(d->flood_timer, util_now_usec() + delay);
        (void)sd_event_source_set_enabled(d->flood_timer, SD_EVENT_ONESHOT);
}

/* More containers changing than we follow one by one (PENDING_MAX): forget
 * the pending ones and ignore events until the flood is over, then list the
 * containers once. Memory and requests stay bounded whatever the Engine
 * sends or however slowly it answers. */
static void flood_begin(struct docker *d)
{
        usec_t now = util_now_usec();

        d->stats.events_dropped += d->n_pending;
        d->n_pending = 0;
        d->flood_last_event_usec = now;
        if (d->flooded)
                return;
        d->flooded = true;
        d->flood_since_usec = now;
        d->stats.floods++;
        log_event(LOG_WARNING, MSGID_DOCKER, NULL,
                  "Docker Engine at %s: event flood (more than %d containers changing at once); "
                  "following it again by listing the containers once it is over",
                  d->socket_path, PENDING_MAX);
        flood_arm(d, FLOOD_QUIET_USEC);
}

int docker_events_flood_check(struct docker *d)
{
        usec_t now = util_now_usec();
        char path[128];
        struct request *req;
        int r;

        if (!d->flooded)
                return 0;
        /* Still syncing, or still flooding (unless for too long): later. */
        if (d->state != STATE_CONNECTED || (now - d->flood_last_event_usec < FLOOD_QUIET_USEC &&
                                            now - d->flood_since_usec < FLOOD_REFILL_MAX_USEC)) {
                flood_arm(d, FLOOD_QUIET_USEC / 2);
                return 0;
        }
        d->flooded = false;
        log_event(LOG_NOTICE, MSGID_DOCKER, NULL,
                  "Docker Engine at %s: event flood over after %" PRIu64 " ms (%" PRIu64
                  " events dropped so far); listing the containers",
                  d->socket_path, (uint64_t)((now - d->flood_since_usec) / USEC_PER_MSEC),
                  d->stats.events_dropped);
        snprintf(path, sizeof(path), "/v%s/containers/json?all=1", d->api_version);
        r = docker_request_start(d, REQ_LIST, "GET", path, NULL, REQUEST_TIMEOUT_MSEC, NULL, &req);
        if (r < 0)
                return r;
        req->refill = true;
        return 1;
}

/* The list after a flood: containers gone meanwhile are removed now, every
 * listed one is inspected again (bounded like any inspect). */
int docker_events_refill_done(struct docker *d, struct request *req, int r)
{
        char(*ids)[DOCKER_ID_MAX] = NULL;
        size_t n = 0;

        if (r >= 0)
                r = docker_json_parse_container_list(req->response.data, req->response.len, &ids,
                                                     &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < d->cache.n;) {
                struct docker_container old;
                bool listed = false;

                for (size_t k = 0; k < n && !listed; k++)
                        listed = strcmp(ids[k], d->cache.items[i].id) == 0;
                if (listed || inflight_find(d, d->cache.items[i].id) >= 0) {
                        i++;
                        continue;
                }
                if (!docker_cache_take(&d->cache, d->cache.items[i].id, &old))
                        break;
                docker_restarts_forget(&d->restarts, old.id);
                old.running = false;
                docker_emit(d, DOCKER_EVENT_REMOVED, &old, util_now_usec(), 0);
                docker_container_done(&old);
                if (d->state != STATE_CONNECTED) {
                        free(ids);
                        return 0;
                }
        }
        refill_clear(d);
        d->refill = ids;
        d->n_refill = n;
        pump_inspects(d);
        return 0;
}

void docker_events_overflow(struct docker *d)
{
        /* More events than we hold while syncing: drop them and re-list once
         * the flood is over. */
        d->n_queue = 0;
        d->queue_overflow = false;
        flood_begin(d);
}

void docker_events_reset(struct docker *d)
{
        d->line.len = 0;
        d->n_queue = 0;
        d->queue_overflow = false;
        d->n_inflight = 0;
        d->n_pending = 0;
        refill_clear(d);
        d->flooded = false;
        (void)sd_event_source_set_enabled(d->flood_timer, SD_EVENT_OFF);
}

void docker_events_done(struct docker *d)
{
        docker_buffer_done(&d->line);
        free(d->queue);
        free(d->pending);
        free(d->refill);
}
