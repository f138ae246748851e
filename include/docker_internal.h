/* docker_internal — what the Docker client's own files share (docker.c:
 * connection, events, cache; docker_transport.c: allow-list and curl over
 * the event loop; docker_endpoints.c: the requests the daemon makes). Not a
 * public interface: nothing outside src/docker*.c includes it; docker.h is
 * the contract. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <systemd/sd-event.h>

#include "docker.h"
#include "docker_json.h"

#define REQUEST_TIMEOUT_MSEC     5000L  /* ms: every request but the event stream and stop */
#define CONNECT_TIMEOUT_MSEC     2000L  /* ms: connect() to the unix socket */
#define STOP_EXTRA_TIMEOUT_MSEC  10000L /* ms: beyond t=, for dockerd's SIGKILL and clean-up */
#define STOP_TIMEOUT_MAX_SEC     3600U  /* s: longest graceful stop we ask for */
#define BACKOFF_MIN_USEC         (250 * USEC_PER_MSEC)
#define BACKOFF_MAX_USEC         (30 * USEC_PER_SEC)
#define PING_INTERVAL_USEC       (30 * USEC_PER_SEC) /* liveness check of a quiet stream */
#define EVENTS_OPEN_TIMEOUT_USEC (5 * USEC_PER_SEC)  /* stream headers must come by then */
#define EVENTS_SINCE_MARGIN_NSEC                                                                   \
        UINT64_C(1000000000)                 /* ns: replay this much before the first connect */
#define EVENT_LINE_MAX           (64 * 1024) /* bytes: one event line; longer drops the stream */
#define EVENT_QUEUE_MAX          4096        /* events held while syncing; more → resync */
#define RESPONSE_MAX             (32u * 1024 * 1024) /* bytes: any one answer */
#define MAX_CONNECTIONS          16 /* to dockerd at once; more requests wait in curl */
#define CURL_TIMER_ACCURACY_USEC 1  /* the start-to-limit path must not sit in timer slack */
/* Event floods (issue 13): live inspects are bounded, events coalesce per
 * container, and past the bound the pending set is dropped for one re-list
 * once the flood is over. */
#define INSPECT_INFLIGHT_MAX  4   /* live inspects at once */
#define PENDING_MAX           256 /* containers waiting for an inspect, deduplicated */
#define FLOOD_QUIET_USEC      (500 * USEC_PER_MSEC) /* no event for this long: flood over */
#define FLOOD_REFILL_MAX_USEC (30 * USEC_PER_SEC)   /* re-list at least this often in one */

enum request_type {
        REQ_VERSION,
        REQ_PING,
        REQ_EVENTS,
        REQ_LIST,
        REQ_INSPECT,
        REQ_UPDATE,
        REQ_STOP,
        REQ_KILL,
        REQ_PRUNE,
        REQ_IMAGES,
        REQ_IMAGE_REMOVE,
        REQ_CONTAINER_REMOVE,
};

enum conn_state {
        STATE_BACKOFF,
        STATE_VERSION,
        STATE_EVENTS_OPENING,
        STATE_SYNCING,
        STATE_CONNECTED,
};

struct buffer {
        char *data;
        size_t len;
        size_t allocated;
};

struct request {
        struct docker *d;
        CURL *easy;
        enum request_type type;
        bool internal;       /* part of the connection (version, list, inspect, events, ping) */
        bool sync;           /* inspect during SYNCING */
        bool refill;         /* list after an event flood */
        unsigned generation; /* internal requests of an older connection are ignored */
        struct curl_slist *headers;
        char *body;
        struct buffer response;
        char *target; /* container id or image ref */
        docker_done_fn done;
        docker_prune_fn prune_done;
        docker_images_fn images_done;
        void *userdata;
        struct request *prev, *next;
        char error[CURL_ERROR_SIZE];
};

struct queued_event {
        struct docker_json_event e;
        usec_t received_usec; /* monotonic */
};

/* Restarts seen per container, for restart-loop detection. */
struct restart_track {
        char id[DOCKER_ID_MAX];
        unsigned last_count;
        usec_t window_start_usec;
        unsigned in_window;
        bool reported;
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

struct container_array {
        struct docker_container *items;
        size_t n;
        size_t allocated;
};

struct docker {
        sd_event *event;
        char *socket_path;
        struct cgfs *fs;
        docker_event_fn on_event;
        void *userdata;

        CURLM *multi;
        sd_event_source *curl_timer;
        sd_event_source *reconnect_timer;
        sd_event_source *watch_timer; /* events-open deadline, then the ping interval */
        sd_event_source *inotify;
        struct request *requests;

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

        struct container_array cache;
        struct container_array sync_cache;
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

        struct restart_track *restarts;
        size_t n_restarts;
        size_t allocated_restarts;

        bool v1_memory_seen; /* /proc/PID/cgroup had a v1 memory line: hybrid host */
        uint64_t delivering_time_nano;
        bool in_after_curl;
        struct docker_stats stats;
};

/* ---- docker_transport.c ---- */
int docker_buffer_append(struct buffer *b, const char *data, size_t n, size_t max);
void docker_buffer_done(struct buffer *b);
/* Queue a request (after the allow-list check) on the multi handle; *ret
 * (may be NULL) is owned by d->requests until it completes. */
int docker_request_start(struct docker *d, enum request_type type, const char *method,
                         const char *path, const char *body, long timeout_ms, const char *target,
                         struct request **ret);
void docker_request_unlink(struct request *req);
void docker_request_free(struct request *req);
/* A finished transfer → 0 or -errno (the Engine's message logged). */
int docker_request_result(struct request *req, CURLcode code, long http);
/* curl multi's socket and timer callbacks, wired to sd-event. */
int docker_curl_on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp);
int docker_curl_on_timer(sd_event_source *s, uint64_t usec, void *userdata);
int docker_curl_on_timer_change(CURLM *multi, long timeout_ms, void *userp);

/* ---- docker.c ---- */
/* After every curl_multi_socket_action: completions, stream state, events. */
void docker_after_curl(struct docker *d);
/* curl's write and header callbacks (the event stream is parsed here). */
size_t docker_on_write(char *data, size_t size, size_t nmemb, void *userdata);
size_t docker_on_header(char *data, size_t size, size_t nmemb, void *userdata);
