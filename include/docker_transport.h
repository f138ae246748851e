/* docker_transport — the Docker client's lowest layer in the core: the
 * allow-list every request passes, and the client side of the protocol to
 * sutazai-governor-docker (dockerproxy.h), the helper process that owns
 * libcurl. Private to src/docker*.c (docker.h is the contract).
 *
 * The helper is spawned (posix_spawn, no shell, empty environment) when the
 * first request needs it, with its end of an AF_UNIX SOCK_SEQPACKET
 * socketpair as fd 3. Which binary: DOCKER_HELPER_PATH (libexecdir, fixed at
 * compile time), except that a sutazai-governor-docker in the directory of
 * /proc/self/exe is preferred (the build tree, whose tests run uninstalled).
 * Both are chosen by whoever installed the running binary; no environment
 * variable takes part. docker_transport_set_helper() overrides it for test
 * programs that do not live beside the helper.
 *
 * Helper death (exit, signal, or a message that breaks the framing, after
 * which the core SIGKILLs it) fails every request in flight with
 * -ECONNRESET, the same as dockerd going away; the next request respawns it,
 * but not sooner than a backoff (250 ms doubling to 30 s, reset by the first
 * answer of a new helper). The helper is reaped through sd-event's child
 * source.
 *
 * It knows nothing of the connection, the events or the cache above it
 * (docker.c): what happens to an answer is the upper layer's, reached only
 * through the ops it registers with docker_transport_init(). So the
 * dependency runs one way, docker.c -> docker_transport.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#include "docker.h"
#include "dockerproxy.h"

#define TIMER_ACCURACY_USEC     1 /* the start-to-limit path must not sit in timer slack */
#define HELPER_BACKOFF_MIN_USEC (250 * USEC_PER_MSEC)
#define HELPER_BACKOFF_MAX_USEC (30 * USEC_PER_SEC)
#define HELPER_READ_BATCH       64 /* messages read per wake-up: the loop serves others too */

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

/* One transfer. The transport fills the id and the outcome; the flags and
 * completion callbacks are the upper layer's, carried along untouched. */
struct request {
        struct docker_transport *t;
        void *owner; /* the upper layer's, given to docker_transport_start() */
        uint32_t id; /* on the socketpair */
        enum request_type type;
        bool internal;       /* part of the connection (version, list, inspect, events, ping) */
        bool sync;           /* inspect during SYNCING */
        bool refill;         /* list after an event flood */
        unsigned generation; /* internal requests of an older connection are ignored */
        bool finished;       /* outcome known; waits in t's finished queue */
        int result;          /* 0, or -errno: the transfer failed (not an HTTP error) */
        long http;           /* status, 0 when none arrived */
        struct buffer response;
        char *target; /* container id or image ref */
        docker_done_fn done;
        docker_prune_fn prune_done;
        docker_images_fn images_done;
        void *userdata;
        struct request *prev, *next;
        struct request *next_finished;
        char error[DOCKERPROXY_ERROR_MAX + 1];
};

/* How the transport reaches the layer above; userdata is the one given to
 * docker_transport_init(). */
struct docker_transport_ops {
        /* After messages were read (or the helper was lost): collect what
         * finished with docker_transport_next_done() and act on it. */
        void (*after_io)(void *userdata);
        /* Body bytes of req as they arrive. 0, or -errno to fail the request
         * (it is cancelled and finishes with that result). */
        int (*on_write)(struct request *req, const char *data, size_t n);
        /* REQ_EVENTS only: the response headers ended (may be NULL). */
        void (*on_header)(struct request *req, long http, bool json_seq);
        /* req leaves the list of requests (may be NULL): the upper layer
         * drops any pointer it keeps to it. */
        void (*on_unlink)(struct request *req, void *userdata);
};

struct docker_transport {
        sd_event *event;         /* not owned */
        const char *socket_path; /* not owned */
        const struct docker_transport_ops *ops;
        void *userdata;
        struct request *requests; /* every request not yet freed, newest first */
        struct request *finished_head, *finished_tail;
        uint32_t last_id; /* ids issued so far; any above is forged */
        /* the helper */
        int fd;    /* our end of the socketpair, -1 when none */
        pid_t pid; /* 0 when none */
        sd_event_source *io;
        sd_event_source *child; /* owns the process: reaps it */
        sd_event_source *defer; /* delivers failures found outside on_io */
        usec_t backoff_usec;
        usec_t next_spawn_usec; /* monotonic: no spawn before */
        bool answered;          /* the current helper sent a valid DONE */
        uint64_t spawns;
};

/* Sources on event; t is zeroed first. No helper yet: the first request
 * spawns it. On failure, docker_transport_done() still releases what was
 * made. */
int docker_transport_init(struct docker_transport *t, sd_event *event, const char *socket_path,
                          const struct docker_transport_ops *ops, void *userdata);
/* Kills (SIGKILL) and reaps the helper; free the requests first. */
void docker_transport_done(struct docker_transport *t);
/* Which helper binary test programs run (see above); NULL: the rule. Not
 * copied. */
void docker_transport_set_helper(const char *path);
/* The helper's pid, 0 when none is running (tests, status). */
pid_t docker_transport_helper_pid(const struct docker_transport *t);

int docker_buffer_append(struct buffer *b, const char *data, size_t n, size_t max);
void docker_buffer_done(struct buffer *b);
/* Send a request (after the allow-list check) to the helper, spawning it if
 * needed; *ret (may be NULL) is owned by t->requests until it completes.
 * owner is stored in the request for the upper layer's callbacks. -EPERM
 * outside the allow-list, -EAGAIN while a lost helper's backoff runs,
 * -ENOBUFS when the socket is full. */
int docker_transport_start(struct docker_transport *t, void *owner, enum request_type type,
                           const char *method, const char *path, const char *body, long timeout_ms,
                           const char *target, struct request **ret);
/* The oldest finished request (still linked: unlink, act, free), or NULL. */
struct request *docker_transport_next_done(struct docker_transport *t);
void docker_request_unlink(struct request *req);
/* Frees; a request still in flight is cancelled at the helper. */
void docker_request_free(struct request *req);
/* A finished transfer → 0 or -errno (the Engine's message logged). */
int docker_request_result(struct request *req);
