/* fake-docker — the Docker client's interface as the actuator and the
 * sampler use it, for unit tests: a container table the test fills, and
 * mutating requests recorded and completed when the test says (as the real
 * client completes them later, from the event loop). */
#include "fake-docker.h"

#include <errno.h>
#include <string.h>

struct fake_docker fake_docker;

bool docker_is_connected(const struct docker *d)
{
        (void)d;
        return fake_docker.connected;
}

const struct docker_container *docker_containers(const struct docker *d, size_t *ret_n)
{
        (void)d;
        *ret_n = fake_docker.n_containers;
        return fake_docker.containers;
}

const struct docker_container *docker_container_find(const struct docker *d, const char *id)
{
        (void)d;
        for (size_t i = 0; i < fake_docker.n_containers; i++)
                if (strcmp(fake_docker.containers[i].id, id) == 0)
                        return &fake_docker.containers[i];
        return NULL;
}

static int request(const char *what, const char *id, docker_done_fn done, void *userdata)
{
        struct fake_docker_request *r;

        if (!fake_docker.connected)
                return -ENOTCONN;
        if (fake_docker.n_requests >= FAKE_DOCKER_REQUESTS_MAX)
                return -ENOMEM;
        r = &fake_docker.requests[fake_docker.n_requests++];
        snprintf(r->what, sizeof r->what, "%s", what);
        snprintf(r->id, sizeof r->id, "%s", id);
        r->done = done;
        r->userdata = userdata;
        r->completed = false;
        return 0;
}

int docker_container_update(struct docker *d, const char *id, uint64_t memory_bytes,
                            int64_t memory_swap, docker_done_fn done, void *userdata)
{
        (void)d;
        (void)memory_swap;
        if (memory_bytes == 0)
                return -EINVAL;
        return request("update", id, done, userdata);
}

int docker_container_stop(struct docker *d, const char *id, unsigned timeout_sec,
                          docker_done_fn done, void *userdata)
{
        (void)d;
        (void)timeout_sec;
        return request("stop", id, done, userdata);
}

int docker_container_kill(struct docker *d, const char *id, docker_done_fn done, void *userdata)
{
        (void)d;
        return request("kill", id, done, userdata);
}

int docker_container_remove(struct docker *d, const char *id, docker_done_fn done,
                            void *userdata)
{
        (void)d;
        return request("remove", id, done, userdata);
}

int docker_image_remove(struct docker *d, const char *id, docker_done_fn done, void *userdata)
{
        (void)d;
        return request("image-remove", id, done, userdata);
}

/* Prunes are recorded like the others; the test never completes them. */
static void prune_unused(int result, const char *id, void *userdata)
{
        (void)result;
        (void)id;
        (void)userdata;
}

int docker_prune_dangling_images(struct docker *d, docker_prune_fn done, void *userdata)
{
        (void)d;
        (void)done;
        return request("prune-images", "", prune_unused, userdata);
}

int docker_prune_build_cache(struct docker *d, docker_prune_fn done, void *userdata)
{
        (void)d;
        (void)done;
        return request("prune-build-cache", "", prune_unused, userdata);
}

void fake_docker_complete_all(int result)
{
        for (size_t i = 0; i < fake_docker.n_requests; i++) {
                struct fake_docker_request *r = &fake_docker.requests[i];

                if (r->completed)
                        continue;
                r->completed = true;
                r->done(result, r->id, r->userdata);
        }
}

void fake_docker_reset(void)
{
        fake_docker_complete_all(-ECANCELED);
        fake_docker.n_requests = 0;
}
