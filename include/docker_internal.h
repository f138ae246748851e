/* docker_internal — what the Docker client's upper files share: the
 * client's state (struct docker) and, in docker_internal.c, what each of them
 * does the same way: start a request on the transport, and deliver an event
 * to the daemon. docker.c (connection), docker_events.c (the event stream)
 * and docker_endpoints.c (the requests the daemon makes) stand on it; it
 * calls none of them. Below it: docker_cache.h (the container table) and
 * docker_transport.h (the allow-list and the helper process that owns
 * libcurl), which never include this one. Not a public interface: nothing
 * outside src/docker*.c includes it; docker.h is the contract. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "docker.h"
#include "docker_cache.h"
#include "docker_json.h"
#include "docker_transport.h"

#define REQUEST_TIMEOUT_MSEC     5000L  /* ms: every request but the event stream and stop */
#define STOP_EXTRA_TIMEOUT_MSEC  10000L /* ms: beyond t=, for dockerd's SIGKILL and clean-up */
#define STOP_TIMEOUT_MAX_SEC     3600U  /* s: longest graceful stop we ask for */
#define BACKOFF_MIN_USEC         (250 * USEC_PER_MSEC)
#define BACKOFF_MAX_USEC         (30 * USEC_PER_SEC)
/* usec: the retry while the socket does not exist and its directory is
 * watched (the watch tries at once when it appears): a safety net only */
#define BACKOFF_ABSENT_USEC      (600 * USEC_PER_SEC)
#define PING_INTERVAL_USEC       (30 * USEC_PER_SEC) /* liveness check of a quiet stream */
#define EVENTS_OPEN_TIMEOUT_USEC (5 * USEC_PER_SEC)  /* stream headers must come by then */
#define EVENTS_SINCE_MARGIN_NSEC                                                                   \
        UINT64_C(1000000000)                /* ns: replay this much before the first connect */
#define EVENT_LINE_MAX  (64 * 1024)         /* bytes: one event line; longer drops the stream */
#define EVENT_QUEUE_MAX 4096                /* events held while syncing; more → resync */
#define RESPONSE_MAX    (32u * 1024 * 1024) /* bytes: any one answer */
/* Event floods (issue 13): live inspects are bounded, events coalesce per
 * container, and past the bound the pending set is dropped for one re-list
 * once the flood is over. */
#define INSPECT_INFLIGHT_MAX  4   /* live inspects at once */
#define PENDING_MAX           256 /* containers waiting for an inspect, deduplicated */
#define FLOOD_QUIET_USEC      (500 * USEC_PER_MSEC) /* no event for this long: flood over */
#define FLOOD_REFILL_MAX_USEC (30 * USEC_PER_SEC)   /* re-list at least this often in one */

enum conn_state {
        STATE_BACKOFF,
        STATE_VERSION,
        STATE_EVENTS_OPENING,
        STATE_SYNCING,
        STATE_CONNECTED,
};

struct queued_event {
        struct docker_json_event e;
        usec_t received_usec; /* monotonic */
};

/* A container waiting for a live inspect (at most one entry per id). */
struct pending {
        char id[DOCKER_ID_MAX];
        enum docker_event_kind kind;
        usec_t received_usec;
        uint64_t time_nano;
};

/* A live inspect in flight for one container; events meanwhile are merged
 * into one follow-up inspect, so answers are applied in order. */
struct inflight {
        char id[DOCKER_ID_MAX];
        enum docker_event_kind kind;
        usec_t received_usec;
        uint64_t time_nano;
        bool again;
        enum docker_event_kind again_kind;
        usec_t again_received_usec;
        uint64_t again_time_nano;
};

struct docker {
        sd_event *event;
        char *socket_path;
        struct cgfs *fs;
        docker_event_fn on_event;
        void *userdata;

        struct docker_transport transport; /* the helper and the requests in flight */
        sd_event_source *reconnect_timer;
        sd_event_source *watch_timer; /* events-open deadline, then the ping interval */
        sd_event_source *inotify;

        enum conn_state state;
        unsigned generation;
        usec_t backoff_usec;
        char api_version[16];
        struct docker_json_version version; /* the Engine's last /version answer */
        bool version_mismatch_logged;       /* the no-common-version error, once per range */
        struct request *events;
        bool events_open; /* headers of a 200 answer seen */
        bool events_ok;   /* the stream's status is 200: body is event lines */
        bool events_broken;
        bool ping_in_flight;
        struct buffer line;
        struct queued_event *queue;
        size_t n_queue;
        size_t allocated_queue;
        bool queue_overflow;
        uint64_t last_event_nano;

        struct docker_cache cache;
        struct docker_cache sync_cache;
        size_t sync_pending;
        struct inflight inflight[INSPECT_INFLIGHT_MAX];
        size_t n_inflight;
        struct pending *pending; /* PENDING_MAX entries, FIFO */
        size_t n_pending;
        char (*refill)[DOCKER_ID_MAX]; /* ids of a re-list still to inspect */
        size_t n_refill, refill_pos;
        bool flooded; /* pending dropped: events ignored until the flood ends */
        usec_t flood_since_usec, flood_last_event_usec;
        sd_event_source *flood_timer;

        struct docker_restarts restarts;

        bool v1_memory_seen; /* /proc/PID/cgroup had a v1 memory line: hybrid host */
        uint64_t delivering_time_nano;
        bool in_after_io;
        struct docker_stats stats;
};

/* ---- docker_internal.c ---- */
/* A request on d's transport, owned by d (see docker_transport_start):
 * tagged with the connection's generation, and internal (version, ping,
 * events, list, inspect: the connection's own) or the daemon's. */
int docker_request_start(struct docker *d, enum request_type type, const char *method,
                         const char *path, const char *body, long timeout_ms, const char *target,
                         struct request **ret);
/* GET /containers/{id}/json: sync for the connection's full list while
 * SYNCING (req->sync), else a live inspect of the event stream's. */
int docker_request_inspect(struct docker *d, const char *id, bool sync);
/* Deliver one event to the daemon's on_event (docker_event_time_nano()
 * answers time_nano meanwhile). The callback may reset the connection or
 * change the cache: callers look again at both afterwards. */
void docker_emit(struct docker *d, enum docker_event_kind kind, const struct docker_container *c,
                 usec_t received_usec, uint64_t time_nano);
