/* docker — the one module that talks to the Docker Engine.
 *
 * HTTP over the unix socket, spoken by sutazai-governor-docker: a helper
 * process (libcurl multi) the core talks to over a socketpair read by the
 * daemon's sd-event loop (docker_transport.h), so a slow or hung dockerd
 * never blocks the loop and libcurl never enters the locked core. Only an
 * allow-list of endpoints is ever requested (docker_allowlist.c, checked in
 * the core and again in the helper); every request has a hard timeout.
 *
 * Lifecycle: docker_new() starts connecting: GET /version (the API version
 * negotiated: the Engine's newest capped at ours, 1.41..1.52, never below the
 * Engine's MinAPIVersion; used as the /vX.Y prefix; with no common version an
 * error naming both ranges and a retry with backoff), GET /containers/json, one
 * inspect per container, then GET /events filtered to container events,
 * kept open. On disconnect or failure: exponential backoff (250 ms .. 30 s),
 * reconnect, full re-sync. A missing socket is not an error: it is retried
 * the same way, so the governor attaches when Docker appears.
 *
 * Events are bounded in concurrency and memory whatever the Engine sends:
 * at most 4 inspects in flight, events for one container coalesce into one
 * inspect, at most 256 containers wait; past that (a flood) the waiting ones
 * are dropped, events ignored until none came for 500 ms (or 30 s passed),
 * and the containers are listed once and inspected again.
 *
 * The module keeps a cache of all containers, running and stopped, (docker_containers()) that the
 * sampler reads; callbacks tell the daemon when something changed so it can
 * re-evaluate at once (start events must reach a LIMIT within 100 ms).
 *
 * Requests that change things (update, stop, kill) are asynchronous; their
 * completion callback gets 0 or -errno (-EIO for HTTP errors, with the
 * Engine's message logged). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "util.h"

#define DOCKER_ID_MAX 65

/* A container Docker keeps restarting: this many restarts (RestartCount
 * growing) within this window. */
#define DOCKER_RESTART_LOOP_COUNT       3
#define DOCKER_RESTART_LOOP_WINDOW_USEC (5 * 60 * 1000000ULL)

struct docker_container {
        char id[DOCKER_ID_MAX]; /* full 64-hex id */
        char *name;             /* without the leading '/' */
        char *image;            /* Config.Image as the user wrote it ("bb:latest") */
        char *image_id;         /* "sha256:..." */
        char **labels;          /* NULL-terminated "KEY=VALUE" */
        bool running;
        int pid;      /* State.Pid, 0 when not running */
        char *cgroup; /* cgroup2 path relative to the v2 root, resolved from the pid; NULL if
                         unknown */
        char *cgroup_v1_memory; /* hybrid hosts: path relative to the v1 memory mount; NULL if not
                                   hybrid */
        uint64_t memory_bytes;  /* HostConfig.Memory, 0 = unlimited */
        int64_t memory_swap;    /* HostConfig.MemorySwap: memory+swap, -1 unlimited, 0 unset */
        unsigned restart_count; /* RestartCount */
        bool restart_loop;      /* Docker restarted it >= DOCKER_RESTART_LOOP_COUNT times
                                 * within DOCKER_RESTART_LOOP_WINDOW_USEC (reported once
                                 * per window to the journal); set by the client */
        usec_t created_realtime_usec;
        usec_t started_realtime_usec;
};

enum docker_event_kind {
        DOCKER_EVENT_CONNECTED,    /* (re)synced: the cache is complete */
        DOCKER_EVENT_DISCONNECTED, /* stream lost; the cache is kept but stale */
        DOCKER_EVENT_STARTED,      /* container started (cache updated by inspect first) */
        DOCKER_EVENT_CHANGED,      /* update/rename/restart... (cache updated) */
        DOCKER_EVENT_REMOVED,      /* die/destroy/stop (cache updated) */
        DOCKER_EVENT_OOM,          /* Docker reported an OOM kill in the container */
};

/* The container may be NULL for CONNECTED/DISCONNECTED. */
typedef void (*docker_event_fn)(enum docker_event_kind kind, const struct docker_container *c,
                                usec_t event_monotonic_usec, void *userdata);
typedef void (*docker_done_fn)(int result, const char *container_id, void *userdata);

struct docker;

/* cgroup resolution reads /proc/PID/cgroup through fs (may be NULL: no
 * resolution): cgroup from the "0::" line (cgfs_pid_cgroup), and on hybrid
 * hosts cgroup_v1_memory from the v1 "memory" line (cgfs_pid_cgroup_v1); if
 * the pid is already gone, the drivers' conventional paths
 * (system.slice/docker-<id>.scope, docker/<id>) when they exist.
 * socket_path must be absolute; a missing socket is retried (and watched with
 * inotify, so the client attaches as soon as dockerd creates it). */
struct cgfs;
int docker_new(sd_event *event, const char *socket_path, struct cgfs *fs, docker_event_fn on_event,
               void *userdata, struct docker **ret);
struct docker *docker_free(struct docker *d);

bool docker_is_connected(const struct docker *d);
const char *docker_api_version(const struct docker *d); /* "1.41" or NULL */
/* The Engine's own version from /version ("29.0.1"), NULL before the first
 * answer; kept (with the API version) across a disconnect, for status. */
const char *docker_engine_version(const struct docker *d);

/* The cache, valid until the next loop iteration. */
const struct docker_container *docker_containers(const struct docker *d, size_t *ret_n);
const struct docker_container *docker_container_find(const struct docker *d, const char *id);

/* POST /containers/{id}/update {"Memory":..,"MemorySwap":..}; memory_swap is
 * Docker's total (memory + swap), -1 for unlimited swap, 0 for "no swap
 * beyond memory" (sent as MemorySwap = Memory, as Docker requires).
 * memory_bytes must be > 0: the Engine cannot lift a limit through update
 * (0 means "unchanged" to it), so 0 is -EINVAL here. memory_swap in
 * (0, memory_bytes) is -EINVAL too (Docker refuses it).
 *
 * All async calls: 0 when the request was queued (done is then called
 * exactly once, from the event loop, never from inside the call), or
 * -EINVAL (bad id/values), -EPERM (not on the allow-list), -ENOTCONN (no
 * API version negotiated yet), -ENOMEM. Requests still in flight at
 * docker_free() complete with -ECANCELED. */
int docker_container_update(struct docker *d, const char *id, uint64_t memory_bytes,
                            int64_t memory_swap, docker_done_fn done, void *userdata);
/* POST /containers/{id}/stop?t=SECONDS (graceful, then SIGKILL by dockerd) */
int docker_container_stop(struct docker *d, const char *id, unsigned timeout_sec,
                          docker_done_fn done, void *userdata);
/* POST /containers/{id}/kill?signal=SIGKILL */
int docker_container_kill(struct docker *d, const char *id, docker_done_fn done, void *userdata);
/* DELETE /containers/{id}: one container, never forced (dockerd refuses a
 * running one) and never its volumes. Disk cleanup removes stopped
 * containers one by one, so a protected one is never part of a blanket prune. */
int docker_container_remove(struct docker *d, const char *id, docker_done_fn done, void *userdata);

/* Disk cleanup endpoints (never volumes). reclaimed: the Engine's
 * SpaceReclaimed; deleted: NULL-terminated ids/refs removed (may be NULL). */
typedef void (*docker_prune_fn)(int result, uint64_t reclaimed_bytes, const char *const *deleted,
                                void *userdata);
/* (No container prune: stopped containers are removed one by one by id, so
 * a protected one is never part of it; see docker_container_remove.) */
/* POST /images/prune?filters={"dangling":["true"]} */
int docker_prune_dangling_images(struct docker *d, docker_prune_fn done, void *userdata);
/* POST /build/prune */
int docker_prune_build_cache(struct docker *d, docker_prune_fn done, void *userdata);

struct docker_image {
        char id[80];      /* "sha256:..." */
        char **repo_tags; /* NULL-terminated, may be empty */
        uint64_t size_bytes;
        usec_t created_realtime_usec;
};
typedef void (*docker_images_fn)(int result, const struct docker_image *images, size_t n,
                                 void *userdata);
/* GET /images/json */
int docker_images_list(struct docker *d, docker_images_fn done, void *userdata);
/* DELETE /images/{id} (never forced: an image in use is refused by dockerd) */
int docker_image_remove(struct docker *d, const char *id, docker_done_fn done, void *userdata);

/* Added by the Docker client helper. */

/* Realtime (ns since the epoch, dockerd's clock: the event's timeNano) of the
 * Docker event being delivered to on_event right now; 0 outside a callback or
 * for CONNECTED/DISCONNECTED. With event_monotonic_usec (when the governor
 * read it) this measures start-to-limit latency. */
uint64_t docker_event_time_nano(const struct docker *d);

/* The allow-list check every request passes before it is sent: method and
 * path+query ("/v1.41/containers/<id>/update"). Exposed for tests. */
bool docker_request_allowed(const char *method, const char *path);

/* Which sutazai-governor-docker to spawn, for test programs that do not
 * live beside it (the daemon never calls this; see docker_transport.h for
 * the rule it follows). Not copied. */
void docker_set_helper(const char *path);

/* Counters for tests and metrics. */
struct docker_stats {
        uint64_t connects;    /* successful (re)syncs */
        uint64_t disconnects; /* CONNECTED → DISCONNECTED transitions */
        uint64_t events;      /* container events read from the stream */
        uint64_t requests_failed;
        uint64_t connect_failures; /* attempts that ended before CONNECTED */
        uint64_t events_coalesced; /* merged into an inspect already due for the container */
        uint64_t events_dropped;   /* ignored during a flood (a re-list covers them) */
        uint64_t floods;           /* floods begun */
};
void docker_get_stats(const struct docker *d, struct docker_stats *ret);
