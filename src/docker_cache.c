/* docker_cache — the container table, cgroup resolution and restart
 * tracking. See docker_cache.h for the contract. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgfs.h"
#include "docker_cache.h"
#include "docker_json.h"
#include "log.h"

/* ---- the table ------------------------------------------------------------- */

struct docker_container *docker_cache_find(struct docker_cache *a, const char *id)
{
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->items[i].id, id) == 0)
                        return &a->items[i];
        return NULL;
}

const struct docker_container *docker_cache_lookup(const struct docker_cache *a, const char *ref)
{
        for (size_t i = 0; i < a->n; i++)
                if (strcmp(a->items[i].id, ref) == 0 ||
                    (a->items[i].name && strcmp(a->items[i].name, ref) == 0))
                        return &a->items[i];
        return NULL;
}

void docker_cache_clear(struct docker_cache *a)
{
        for (size_t i = 0; i < a->n; i++)
                docker_container_done(&a->items[i]);
        free(a->items);
        *a = (struct docker_cache){};
}

struct docker_container *docker_cache_upsert(struct docker_cache *a, struct docker_container *c)
{
        struct docker_container *slot = docker_cache_find(a, c->id);

        if (slot) {
                docker_container_done(slot);
        } else {
                if (a->n == a->allocated) {
                        size_t n = a->allocated ? a->allocated * 2 : 16;
                        struct docker_container *p = realloc(a->items, n * sizeof(*p));

                        if (!p)
                                return NULL;
                        a->items = p;
                        a->allocated = n;
                }
                slot = &a->items[a->n++];
        }
        *slot = *c;
        *c = (struct docker_container){};
        return slot;
}

bool docker_cache_take(struct docker_cache *a, const char *id, struct docker_container *ret)
{
        struct docker_container *slot = docker_cache_find(a, id);

        if (!slot)
                return false;
        *ret = *slot;
        *slot = a->items[--a->n];
        return true;
}

/* ---- cgroups --------------------------------------------------------------- */

static bool cgroup_exists(struct cgfs *fs, const char *rel)
{
        char buf[1];
        ssize_t n = cgfs_read(fs, rel, "cgroup.procs", buf, sizeof(buf));

        return n >= 0 || n == -EFBIG;
}

/* From /proc/PID/cgroup, this covers the systemd driver's
 * system.slice/docker-<id>.scope, the cgroupfs driver's docker/<id>, and any
 * cgroup-parent; the conventional paths are tried only when the pid is
 * already gone. */
void docker_cache_resolve_cgroup(struct cgfs *fs, bool *v1_memory_seen, struct docker_container *c)
{
        char *path = NULL;
        int r;

        assert(v1_memory_seen);
        if (!fs || !c->running || c->pid <= 0)
                return;
        r = cgfs_pid_cgroup(fs, c->pid, &path);
        if (r >= 0 && path[0]) {
                c->cgroup = path;
                path = NULL;
        }
        free(path);
        path = NULL;
        r = cgfs_pid_cgroup_v1(fs, c->pid, "memory", &path);
        if (r >= 0 && path[0]) {
                c->cgroup_v1_memory = path;
                path = NULL;
                *v1_memory_seen = true;
        }
        free(path);
        if (c->cgroup)
                return;

        const char *const prefixes[] = {"system.slice/docker-", "docker/"};
        const char *const suffixes[] = {".scope", ""};
        for (size_t i = 0; i < ELEMENTSOF(prefixes); i++) {
                char rel[256];

                snprintf(rel, sizeof(rel), "%s%s%s", prefixes[i], c->id, suffixes[i]);
                if (!cgroup_exists(fs, rel))
                        continue;
                c->cgroup = strdup(rel);
                /* Both drivers use the same relative path in every hierarchy. */
                if (*v1_memory_seen && !c->cgroup_v1_memory)
                        c->cgroup_v1_memory = strdup(rel);
                return;
        }
}

/* ---- restart loops ------------------------------------------------------- */

struct docker_restart_track {
        char id[DOCKER_ID_MAX];
        unsigned last_count;
        usec_t window_start_usec;
        unsigned in_window;
        bool reported;
};

/* A restart policy on a crashing process: RestartCount grew
 * DOCKER_RESTART_LOOP_COUNT times within the window. Reported once per
 * window; c->restart_loop stays set meanwhile. */
void docker_restarts_track(struct docker_restarts *rt, struct docker_container *c)
{
        struct docker_restart_track *t = NULL;
        usec_t now = util_now_usec();

        for (size_t i = 0; i < rt->n; i++)
                if (strcmp(rt->items[i].id, c->id) == 0)
                        t = &rt->items[i];
        if (!t) {
                if (rt->n == rt->allocated) {
                        size_t n = rt->allocated ? rt->allocated * 2 : 16;
                        struct docker_restart_track *p = realloc(rt->items, n * sizeof(*p));

                        if (!p)
                                return;
                        rt->items = p;
                        rt->allocated = n;
                }
                t = &rt->items[rt->n++];
                *t = (struct docker_restart_track){.last_count = c->restart_count,
                                                   .window_start_usec = now};
                util_strlcpy(t->id, c->id, sizeof(t->id));
                return;
        }
        if (now - t->window_start_usec > DOCKER_RESTART_LOOP_WINDOW_USEC) {
                t->window_start_usec = now;
                t->in_window = 0;
                t->reported = false;
        }
        if (c->restart_count > t->last_count)
                t->in_window += c->restart_count - t->last_count;
        t->last_count = c->restart_count;
        c->restart_loop = t->in_window >= DOCKER_RESTART_LOOP_COUNT;
        if (c->restart_loop && !t->reported) {
                char f_container[DOCKER_JSON_NAME_MAX + 32];
                const char *fields[] = {"GOVERNOR_ACTION=restart-loop", f_container, NULL};

                t->reported = true;
                snprintf(f_container, sizeof(f_container), "GOVERNOR_CONTAINER=%s",
                         c->name ? c->name : c->id);
                log_event(LOG_WARNING, MSGID_DOCKER, fields,
                          "container %s is in a restart loop: restarted %u times in %" PRIu64
                          " s (RestartCount %u)",
                          c->name ? c->name : c->id, t->in_window,
                          (uint64_t)((now - t->window_start_usec) / USEC_PER_SEC),
                          c->restart_count);
        }
}

void docker_restarts_forget(struct docker_restarts *t, const char *id)
{
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->items[i].id, id) == 0) {
                        t->items[i] = t->items[--t->n];
                        return;
                }
}

void docker_restarts_keep_cached(struct docker_restarts *t, struct docker_cache *cache)
{
        for (size_t i = 0; i < t->n;)
                if (!docker_cache_find(cache, t->items[i].id))
                        t->items[i] = t->items[--t->n];
                else
                        i++;
}

void docker_restarts_done(struct docker_restarts *t)
{
        free(t->items);
        *t = (struct docker_restarts){};
}
