/* docker — the Docker Engine client's connection: its state machine, its
 * lifecycle (docker_new/docker_free) and the public getters. See docker.h
 * for the contract.
 *
 * The client's files, each one job, dependencies running downwards only:
 *   docker.c            connection: connect, version, sync, backoff,
 *                       reconnect, liveness; collects every finished request
 *   docker_events.c     the event stream: lines, coalescing, flood bounds
 *   docker_endpoints.c  the requests the daemon makes, and their answers
 *   docker_internal.c   starting a request; delivering an event to the daemon
 *   docker_cache.c      the container table, cgroups, restart loops
 *   docker_transport.c  the allow-list and the helper that owns libcurl
 *
 * Transport: requests go to sutazai-governor-docker over a socketpair read
 * by the daemon's sd-event loop; finished ones are collected here with
 * docker_transport_next_done(). The transport knows nothing of this file: it
 * calls back only through the ops registered in docker_new() (transport_ops),
 * so the dependency runs one way. Nothing here ever blocks on dockerd.
 *
 * The write and header callbacks only record (event lines are parsed into a
 * queue); all follow-up requests and all callbacks to the daemon run from
 * docker_after_io(), once a batch of the helper's messages has been read.
 *
 * Connection: BACKOFF → VERSION (GET /version) → EVENTS_OPENING (GET /events
 * since a moment before, until its headers arrive: dockerd has subscribed us)
 * → SYNCING (list + inspect of every container; events meanwhile are queued)
 * → CONNECTED (cache swapped in, CONNECTED reported, queued events replayed).
 * Opening the stream before listing closes the race in which a container
 * starts between the list and the stream: its start event is in the queue.
 * Any failure: generation bumped (late answers ignored), backoff 250 ms .. 30
 * s, and the whole sequence again. A quiet stream is checked with GET /_ping
 * every 30 s, so a hung (not dead) dockerd is noticed too. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <systemd/sd-event.h>

#include "docker_endpoints.h"
#include "docker_events.h"
#include "docker_internal.h"
#include "log.h"

static void on_header(struct request *req, long http, bool json_seq)
{
        struct docker *d = req->owner;

        /* The headers ended: the stream is open. */
        if (req == d->events && http == 200) {
                d->events_open = true;
                d->events_ok = true;
                log_debug("docker: event stream open (%s)",
                          json_seq ? "application/json-seq" : "JSON lines");
        }
}

static int on_write(struct request *req, const char *data, size_t n)
{
        struct docker *d = req->owner;

        if (req->type == REQ_EVENTS && req == d->events && d->events_ok)
                return docker_events_feed(d, data, n);
        if (docker_buffer_append(&req->response, data, n, RESPONSE_MAX) < 0)
                return -EMSGSIZE;
        return 0;
}

/* ---- connection state machine ---------------------------------------------- */

static void connection_reset(struct docker *d, const char *why);
static int start_connect(struct docker *d);
static void sync_done(struct docker *d);
static void docker_after_io(struct docker *d);

static int on_reconnect_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct docker *d = userdata;
        int r;

        r = start_connect(d);
        if (r < 0)
                connection_reset(d, strerror(-r));
        docker_after_io(d);
        return 0;
}

static int start_ping(struct docker *d)
{
        int r;

        if (d->ping_in_flight)
                return 0;
        r = docker_request_start(d, REQ_PING, "GET", "/_ping", NULL, REQUEST_TIMEOUT_MSEC, NULL,
                                 NULL);
        if (r >= 0)
                d->ping_in_flight = true;
        return r;
}

static int on_watch_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct docker *d = userdata;
        int r;

        switch (d->state) {
        case STATE_EVENTS_OPENING:
                connection_reset(d, "the event stream did not open in time");
                break;
        case STATE_SYNCING:
        case STATE_CONNECTED:
                r = start_ping(d);
                if (r < 0)
                        connection_reset(d, strerror(-r));
                else {
                        (void)sd_event_source_set_time(s, util_now_usec() + PING_INTERVAL_USEC);
                        (void)sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
                }
                break;
        default:
                break;
        }
        docker_after_io(d);
        return 0;
}

static void watch_arm(struct docker *d, usec_t delay)
{
        (void)sd_event_source_set_time(d->watch_timer, util_now_usec() + delay);
        (void)sd_event_source_set_enabled(d->watch_timer, SD_EVENT_ONESHOT);
}

static int on_inotify(sd_event_source *s, const struct inotify_event *ev, void *userdata)
{
        struct docker *d = userdata;
        _cleanup_free_ char *copy = strdup(d->socket_path);

        if (!copy || d->state != STATE_BACKOFF || ev->len == 0)
                return 0;
        if (strcmp(ev->name, basename(copy)) != 0)
                return 0;
        /* The socket appeared: try now rather than at the end of the backoff,
         * and start the backoff over: dockerd creates the socket a moment
         * before it accepts on it, and a refused first try must not wait out
         * a backoff grown while Docker was away (up to BACKOFF_MAX_USEC). */
        log_debug("docker: %s appeared", d->socket_path);
        d->backoff_usec = BACKOFF_MIN_USEC;
        (void)sd_event_source_set_time(d->reconnect_timer, util_now_usec());
        (void)sd_event_source_set_enabled(d->reconnect_timer, SD_EVENT_ONESHOT);
        return 0;
}

/* Watch the socket's directory while waiting for dockerd, so a socket that
 * appears is tried at once. The source exists only while waiting: it is
 * created and freed, never left disabled — libsystemd 252 busy-loops on
 * inotify events queued for a disabled source (systemd#38265), and the
 * directory (/run) sees new files all the time. */
static void watch_socket_dir(struct docker *d, bool on)
{
        _cleanup_free_ char *dir = NULL;
        int r;

        if (!on) {
                d->inotify = sd_event_source_disable_unref(d->inotify);
                return;
        }
        if (d->inotify)
                return;
        dir = strdup(d->socket_path);
        if (!dir)
                return; /* best effort: the backoff still finds the socket */
        r = sd_event_add_inotify(d->event, &d->inotify, dirname(dir),
                                 IN_CREATE | IN_MOVED_TO | IN_ONLYDIR, on_inotify, d);
        if (r < 0)
                log_debug("docker: no inotify watch for %s: %s", d->socket_path, strerror(-r));
}

static bool socket_absent(const struct docker *d)
{
        struct stat st;

        return lstat(d->socket_path, &st) < 0 && errno == ENOENT;
}

static void abort_internal(struct docker *d)
{
        struct request *req = d->transport.requests, *next;

        for (; req; req = next) {
                next = req->next;
                if (req->internal)
                        docker_request_free(req);
        }
        d->events = NULL;
        d->ping_in_flight = false;
}

static void connection_reset(struct docker *d, const char *why)
{
        bool was_connected = d->state == STATE_CONNECTED;

        if (d->state == STATE_BACKOFF)
                return;
        d->generation++;
        abort_internal(d);
        d->events_open = d->events_ok = d->events_broken = false;
        docker_events_reset(d);
        docker_cache_clear(&d->sync_cache);
        d->sync_pending = 0;
        d->state = STATE_BACKOFF;
        (void)sd_event_source_set_enabled(d->watch_timer, SD_EVENT_OFF);
        watch_socket_dir(d, true);

        if (was_connected) {
                d->stats.disconnects++;
                log_event(LOG_WARNING, MSGID_DOCKER, NULL,
                          "Docker Engine at %s lost (%s); reconnecting", d->socket_path, why);
        } else {
                d->stats.connect_failures++;
                log_debug("docker: connecting to %s failed (%s); retry in %" PRIu64 " ms",
                          d->socket_path, why, (uint64_t)(d->backoff_usec / USEC_PER_MSEC));
        }
        /* No socket, and its directory watched: on_inotify tries the moment
         * it appears, so an idle host without Docker is not woken (nor the
         * Docker helper made to connect) every BACKOFF_MAX_USEC for nothing. */
        (void)sd_event_source_set_time(d->reconnect_timer,
                                       util_now_usec() + (d->inotify && socket_absent(d)
                                                              ? BACKOFF_ABSENT_USEC
                                                              : d->backoff_usec));
        (void)sd_event_source_set_enabled(d->reconnect_timer, SD_EVENT_ONESHOT);
        d->backoff_usec =
            d->backoff_usec * 2 > BACKOFF_MAX_USEC ? BACKOFF_MAX_USEC : d->backoff_usec * 2;
        if (was_connected)
                docker_emit(d, DOCKER_EVENT_DISCONNECTED, NULL, util_now_usec(), 0);
}

static int start_connect(struct docker *d)
{
        d->state = STATE_VERSION;
        d->generation++;
        return docker_request_start(d, REQ_VERSION, "GET", "/version", NULL, REQUEST_TIMEOUT_MSEC,
                                    NULL, NULL);
}

static int start_events(struct docker *d)
{
        char path[512];
        uint64_t since;

        /* Replay from just after the last event seen (nothing lost across a
         * reconnect), or from a moment before this first connect. */
        since = d->last_event_nano ? d->last_event_nano + 1
                                   : util_realtime_usec() * 1000 - EVENTS_SINCE_MARGIN_NSEC;
        snprintf(path, sizeof(path),
                 "/v%s/events?since=%" PRIu64 ".%09" PRIu64
                 "&filters=%%7B%%22type%%22%%3A%%5B%%22container%%22%%5D%%7D",
                 d->api_version, since / UINT64_C(1000000000), since % UINT64_C(1000000000));
        d->state = STATE_EVENTS_OPENING;
        d->events_open = d->events_ok = d->events_broken = false;
        d->line.len = 0;
        watch_arm(d, EVENTS_OPEN_TIMEOUT_USEC);
        /* No overall timeout: the stream stays open; /_ping watches it. */
        return docker_request_start(d, REQ_EVENTS, "GET", path, NULL, 0, NULL, &d->events);
}

static int start_list(struct docker *d)
{
        char path[128];

        d->state = STATE_SYNCING;
        watch_arm(d, PING_INTERVAL_USEC);
        snprintf(path, sizeof(path), "/v%s/containers/json?all=1", d->api_version);
        return docker_request_start(d, REQ_LIST, "GET", path, NULL, REQUEST_TIMEOUT_MSEC, NULL,
                                    NULL);
}

static void sync_done(struct docker *d)
{
        docker_cache_clear(&d->cache);
        d->cache = d->sync_cache;
        d->sync_cache = (struct docker_cache){};
        /* Containers removed while we were away leave no destroy event. */
        docker_restarts_keep_cached(&d->restarts, &d->cache);
        d->state = STATE_CONNECTED;
        d->backoff_usec = BACKOFF_MIN_USEC;
        watch_socket_dir(d, false);
        d->stats.connects++;
        log_event(LOG_NOTICE, MSGID_DOCKER, NULL,
                  "Docker Engine at %s: API %s, %zu containers (Engine %s, speaks API %s-%s)",
                  d->socket_path, d->api_version, d->cache.n,
                  d->version.engine[0] ? d->version.engine : "of unknown version",
                  d->version.server_min_api, d->version.server_api);
        docker_emit(d, DOCKER_EVENT_CONNECTED, NULL, util_now_usec(), 0);
        docker_events_process(d);
}

/* Negotiate from GET /version: the highest API both sides speak. With none
 * in common, one clear error naming both ranges (again only if the Engine's
 * range changes), and the caller retries with backoff as for an absent
 * socket: the Engine may be upgraded or downgraded in place. */
static int version_done(struct docker *d, struct request *req)
{
        struct docker_json_version v;
        int r;

        r = docker_json_parse_version_info(req->response.data, req->response.len, &v);
        if (r == -ENOTSUP) {
                bool same = strcmp(v.server_api, d->version.server_api) == 0 &&
                            strcmp(v.server_min_api, d->version.server_min_api) == 0;

                if (!same || !d->version_mismatch_logged)
                        log_event(LOG_ERR, MSGID_DOCKER, NULL,
                                  "Docker Engine %s at %s speaks API %s-%s, the governor %s: no "
                                  "common API version; retrying",
                                  v.engine[0] ? v.engine : "(unknown version)", d->socket_path,
                                  v.server_min_api, v.server_api, DOCKER_API_RANGE);
                d->version_mismatch_logged = true;
                d->version = v;
                d->api_version[0] = '\0';
                return r;
        }
        if (r < 0) {
                log_warning("docker: malformed /version answer from %s", d->socket_path);
                return r;
        }
        d->version_mismatch_logged = false;
        d->version = v;
        util_strlcpy(d->api_version, v.api, sizeof(d->api_version));
        return 0;
}

static void request_done(struct docker *d, struct request *req)
{
        int r;

        r = docker_request_result(req);
        if (r < 0 && !req->internal) {
                d->stats.requests_failed++;
                if (req->result < 0)
                        log_event(LOG_WARNING, MSGID_DOCKER, NULL, "Docker request failed: %s",
                                  req->error[0] ? req->error : strerror(-req->result));
        }

        if (req->internal && req->generation != d->generation)
                return; /* an older connection's answer */

        switch (req->type) {
        case REQ_VERSION:
                if (r >= 0)
                        r = version_done(d, req);
                if (r >= 0)
                        r = start_events(d);
                if (r < 0)
                        connection_reset(d, strerror(-r));
                break;
        case REQ_EVENTS:
                connection_reset(d, d->events_broken ? "event line too long"
                                    : r < 0          ? strerror(-r)
                                                     : "event stream closed");
                break;
        case REQ_PING:
                d->ping_in_flight = false;
                if (r < 0)
                        connection_reset(d, "no answer to /_ping");
                break;
        case REQ_LIST: {
                char(*ids)[DOCKER_ID_MAX] = NULL;
                size_t n = 0;

                if (req->refill) {
                        if (docker_events_refill_done(d, req, r) < 0)
                                connection_reset(d,
                                                 "cannot list the containers after an event flood");
                        break;
                }

                if (r >= 0)
                        r = docker_json_parse_container_list(req->response.data, req->response.len,
                                                             &ids, &n);
                for (size_t i = 0; r >= 0 && i < n; i++) {
                        r = docker_request_inspect(d, ids[i], true);
                        if (r >= 0)
                                d->sync_pending++;
                }
                free(ids);
                if (r < 0)
                        connection_reset(d, strerror(-r));
                else if (d->sync_pending == 0)
                        sync_done(d);
                break;
        }
        case REQ_INSPECT:
                if (!req->sync) {
                        docker_events_inspect_done(d, req, r);
                        break;
                }
                if (r >= 0) {
                        struct docker_container c;

                        r = docker_json_parse_inspect(req->response.data, req->response.len, &c);
                        if (r >= 0) {
                                docker_cache_resolve_cgroup(d->fs, &d->v1_memory_seen, &c);
                                docker_restarts_track(&d->restarts, &c);
                                if (!docker_cache_upsert(&d->sync_cache, &c)) {
                                        docker_container_done(&c);
                                        r = -ENOMEM;
                                }
                        }
                } else if (r == -ENOENT)
                        r = 0; /* removed between list and inspect: its destroy event is queued */
                if (r < 0) {
                        connection_reset(d, strerror(-r));
                        break;
                }
                if (--d->sync_pending == 0)
                        sync_done(d);
                break;
        case REQ_UPDATE:
        case REQ_STOP:
        case REQ_KILL:
        case REQ_IMAGE_REMOVE:
        case REQ_CONTAINER_REMOVE:
        case REQ_PRUNE:
        case REQ_IMAGES:
                docker_endpoints_complete(req, r);
                break;
        }
}

/* Runs after every batch of the helper's messages: finished transfers, then
 * the stream's state changes, then queued events. */
static void docker_after_io(struct docker *d)
{
        struct request *req;

        if (d->in_after_io)
                return;
        d->in_after_io = true;
        for (;;) {
                while ((req = docker_transport_next_done(&d->transport))) {
                        /* Unlinked, so a reset inside request_done() cannot free it. */
                        docker_request_unlink(req);
                        request_done(d, req);
                        docker_request_free(req);
                }
                if (d->queue_overflow) {
                        docker_events_overflow(d);
                        continue;
                }
                if (d->state == STATE_EVENTS_OPENING && d->events_open) {
                        int r = start_list(d);

                        if (r < 0)
                                connection_reset(d, strerror(-r));
                        continue;
                }
                if (d->state == STATE_CONNECTED && d->n_queue > 0) {
                        docker_events_process(d);
                        continue;
                }
                break;
        }
        d->in_after_io = false;
}

/* The flood's end, or a check again later (docker_events_flood_check). */
static int on_flood_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct docker *d = userdata;
        int r;

        r = docker_events_flood_check(d);
        if (r == 0)
                return 0;
        if (r < 0)
                connection_reset(d, strerror(-r));
        docker_after_io(d);
        return 0;
}

/* ---- the transport's way up --------------------------------------------------- */

static void transport_after_io(void *userdata)
{
        docker_after_io(userdata);
}

static void transport_on_unlink(struct request *req, void *userdata)
{
        struct docker *d = userdata;

        if (d->events == req)
                d->events = NULL;
}

static const struct docker_transport_ops transport_ops = {
    .after_io = transport_after_io,
    .on_write = on_write,
    .on_header = on_header,
    .on_unlink = transport_on_unlink,
};

/* ---- public API ------------------------------------------------------------ */

int docker_new(sd_event *event, const char *socket_path, struct cgfs *fs, docker_event_fn on_event,
               void *userdata, struct docker **ret)
{
        struct docker *d;
        int r;

        assert(event);
        assert(socket_path);
        assert(ret);

        if (socket_path[0] != '/')
                return -EINVAL;
        d = calloc(1, sizeof(*d));
        if (!d)
                return -ENOMEM;
        d->event = sd_event_ref(event);
        d->fs = fs;
        d->on_event = on_event;
        d->userdata = userdata;
        d->backoff_usec = BACKOFF_MIN_USEC;
        d->state = STATE_BACKOFF;
        d->socket_path = strdup(socket_path);
        if (!d->socket_path) {
                r = -ENOMEM;
                goto fail;
        }
        r = docker_transport_init(&d->transport, d->event, d->socket_path, &transport_ops, d);
        if (r < 0)
                goto fail;
        /* First attempt from the loop, so no callback runs inside docker_new. */
        r = sd_event_add_time(event, &d->reconnect_timer, CLOCK_MONOTONIC, 0, TIMER_ACCURACY_USEC,
                              on_reconnect_timer, d);
        if (r < 0)
                goto fail;
        (void)sd_event_source_set_description(d->reconnect_timer, "docker-reconnect");
        r = sd_event_add_time(event, &d->watch_timer, CLOCK_MONOTONIC, 0, 100 * USEC_PER_MSEC,
                              on_watch_timer, d);
        if (r < 0)
                goto fail;
        (void)sd_event_source_set_enabled(d->watch_timer, SD_EVENT_OFF);
        (void)sd_event_source_set_description(d->watch_timer, "docker-watch");
        r = sd_event_add_time(event, &d->flood_timer, CLOCK_MONOTONIC, 0, 50 * USEC_PER_MSEC,
                              on_flood_timer, d);
        if (r < 0)
                goto fail;
        (void)sd_event_source_set_enabled(d->flood_timer, SD_EVENT_OFF);
        (void)sd_event_source_set_description(d->flood_timer, "docker-flood");

        watch_socket_dir(d, true);
        *ret = d;
        return 0;
fail:
        docker_free(d);
        return r;
}

struct docker *docker_free(struct docker *d)
{
        struct request *req, *next;

        if (!d)
                return NULL;
        d->on_event = NULL;
        d->state = STATE_BACKOFF;
        for (req = d->transport.requests; req; req = next) {
                next = req->next;
                if (!req->internal)
                        docker_endpoints_cancel(req);
                docker_request_free(req);
        }
        docker_transport_done(&d->transport);
        sd_event_source_disable_unref(d->reconnect_timer);
        sd_event_source_disable_unref(d->watch_timer);
        sd_event_source_disable_unref(d->inotify);
        docker_cache_clear(&d->cache);
        docker_cache_clear(&d->sync_cache);
        docker_events_done(d);
        sd_event_source_disable_unref(d->flood_timer);
        docker_restarts_done(&d->restarts);
        free(d->socket_path);
        sd_event_unref(d->event);
        free(d);
        return NULL;
}

void docker_set_helper(const char *path)
{
        docker_transport_set_helper(path);
}

bool docker_is_connected(const struct docker *d)
{
        return d && d->state == STATE_CONNECTED;
}

const char *docker_api_version(const struct docker *d)
{
        return d && d->api_version[0] ? d->api_version : NULL;
}

const char *docker_engine_version(const struct docker *d)
{
        return d && d->version.engine[0] ? d->version.engine : NULL;
}

const struct docker_container *docker_containers(const struct docker *d, size_t *ret_n)
{
        assert(ret_n);
        if (!d) {
                *ret_n = 0;
                return NULL;
        }
        *ret_n = d->cache.n;
        return d->cache.items;
}

const struct docker_container *docker_container_find(const struct docker *d, const char *id)
{
        if (!d || !id)
                return NULL;
        return docker_cache_lookup(&d->cache, id);
}

uint64_t docker_event_time_nano(const struct docker *d)
{
        return d ? d->delivering_time_nano : 0;
}

void docker_get_stats(const struct docker *d, struct docker_stats *ret)
{
        assert(d);
        assert(ret);
        *ret = d->stats;
}
