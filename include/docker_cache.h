/* docker_cache — the Docker client's container table: what it knows of each
 * container, kept apart from how it learns it. Private to src/docker*.c
 * (docker.h is the contract).
 *
 * A table owns its entries (docker_cache_upsert takes the members of the
 * container it is given). Entries move when the table changes, so a pointer
 * into it is valid only until the next upsert, take or clear.
 *
 * docker_cache_resolve_cgroup() fills in where a running container's
 * processes live (docker.h, docker_new); restart tracking notices a container
 * Docker keeps restarting (DOCKER_RESTART_LOOP_COUNT within
 * DOCKER_RESTART_LOOP_WINDOW_USEC), logged once per window.
 *
 * It knows nothing of the connection, the event stream or the requests: the
 * files above it (docker.c, docker_events.c) decide when to call it, so the
 * dependency runs one way. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "docker.h"

struct docker_cache {
        struct docker_container *items;
        size_t n;
        size_t allocated;
};

/* The entry with this full id, or NULL. */
struct docker_container *docker_cache_find(struct docker_cache *a, const char *id);
/* The entry with this full id or name, or NULL (docker_container_find). */
const struct docker_container *docker_cache_lookup(const struct docker_cache *a, const char *ref);
/* Insert or replace by id, taking ownership of c's members (c is zeroed).
 * The entry, or NULL when out of memory (c is then left to the caller). */
struct docker_container *docker_cache_upsert(struct docker_cache *a, struct docker_container *c);
/* Remove by id, moving the entry to *ret (the caller frees it with
 * docker_container_done). false if absent. */
bool docker_cache_take(struct docker_cache *a, const char *id, struct docker_container *ret);
void docker_cache_clear(struct docker_cache *a);

/* Where the container's processes live: from /proc/PID/cgroup through fs
 * (NULL: no resolution), else the drivers' conventional paths. Sets
 * *v1_memory_seen once a v1 memory line shows a hybrid host; later
 * containers on such a host get a v1 path by convention too. */
struct cgfs;
void docker_cache_resolve_cgroup(struct cgfs *fs, bool *v1_memory_seen, struct docker_container *c);

/* Restarts seen per container, for restart-loop detection. */
struct docker_restarts {
        struct docker_restart_track *items;
        size_t n;
        size_t allocated;
};
/* Count c's restarts and set c->restart_loop (logged once per window). */
void docker_restarts_track(struct docker_restarts *t, struct docker_container *c);
void docker_restarts_forget(struct docker_restarts *t, const char *id);
/* Forget every container the cache no longer holds (removed while the
 * client was away: no destroy event told us). */
void docker_restarts_keep_cached(struct docker_restarts *t, struct docker_cache *cache);
void docker_restarts_done(struct docker_restarts *t);
