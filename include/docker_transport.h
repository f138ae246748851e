/* docker_transport — the Docker client's lowest layer: the allow-list every
 * request passes, and libcurl's multi handle driven by the sd-event loop.
 * Private to src/docker*.c (docker.h is the contract).
 *
 * It knows nothing of the connection, the events or the cache above it
 * (docker.c): what happens to an answer is the upper layer's, reached only
 * through the ops it registers with docker_transport_init(). So the
 * dependency runs one way, docker.c -> docker_transport.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>
#include <systemd/sd-event.h>

#include "docker.h"

#define CONNECT_TIMEOUT_MSEC     2000L /* ms: connect() to the unix socket */
#define MAX_CONNECTIONS          16    /* to dockerd at once; more requests wait in curl */
#define CURL_TIMER_ACCURACY_USEC 1     /* the start-to-limit path must not sit in timer slack */

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

struct buffer {
        char *data;
        size_t len;
        size_t allocated;
};

struct docker_transport;

/* One transfer. The transport fills and frees the curl half; the flags and
 * completion callbacks are the upper layer's, carried along untouched. */
struct request {
        struct docker_transport *t;
        void *owner; /* the upper layer's, given to docker_transport_start() */
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

/* How the transport reaches the layer above; userdata is the one given to
 * docker_transport_init(). */
struct docker_transport_ops {
        /* After every curl_multi_socket_action: collect what finished (with
         * curl_multi_info_read) and act on it; curl has returned by then. */
        void (*after_curl)(void *userdata);
        /* curl's write callback for every request (its userdata: the request). */
        curl_write_callback on_write;
        /* curl's header callback, for REQ_EVENTS only (may be NULL). */
        curl_write_callback on_header;
        /* req leaves the list of requests (may be NULL): the upper layer
         * drops any pointer it keeps to it. */
        void (*on_unlink)(struct request *req, void *userdata);
};

struct docker_transport {
        sd_event *event;         /* not owned */
        const char *socket_path; /* not owned */
        CURLM *multi;
        sd_event_source *curl_timer;
        struct request *requests; /* every request not yet freed, newest first */
        const struct docker_transport_ops *ops;
        void *userdata;
};

/* Multi handle and its timer on event; t is zeroed first. On failure,
 * docker_transport_done() still releases what was made. */
int docker_transport_init(struct docker_transport *t, sd_event *event, const char *socket_path,
                          const struct docker_transport_ops *ops, void *userdata);
/* Releases the multi handle and timer; free the requests first. */
void docker_transport_done(struct docker_transport *t);

int docker_buffer_append(struct buffer *b, const char *data, size_t n, size_t max);
void docker_buffer_done(struct buffer *b);
/* Queue a request (after the allow-list check) on the multi handle; *ret
 * (may be NULL) is owned by t->requests until it completes. owner is stored
 * in the request for the upper layer's callbacks. */
int docker_transport_start(struct docker_transport *t, void *owner, enum request_type type,
                           const char *method, const char *path, const char *body, long timeout_ms,
                           const char *target, struct request **ret);
void docker_request_unlink(struct request *req);
void docker_request_free(struct request *req);
/* A finished transfer → 0 or -errno (the Engine's message logged). */
int docker_request_result(struct request *req, CURLcode code, long http);
