/* docker_endpoints — the requests the daemon makes (update, stop, kill,
 * prune, image list and removal): validated, then queued on the transport
 * with the negotiated /vX.Y prefix. See docker.h for the contract. */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "docker_endpoints.h"
#include "docker_internal.h"

static bool container_ref_valid(const char *id)
{
        return docker_id_valid(id) || docker_name_valid(id);
}

/* Who hears of the answer: exactly one of the three callbacks. */
struct completion {
        docker_done_fn done;
        docker_prune_fn prune_done;
        docker_images_fn images_done;
        void *userdata;
};

static int user_request(struct docker *d, enum request_type type, const char *method,
                        const char *path, const char *body, long timeout_ms, const char *target,
                        struct completion c)
{
        struct request *req;
        int r;

        if (!d->api_version[0])
                return -ENOTCONN;
        /* Sent at once; its answer is read from the loop. */
        r = docker_request_start(d, type, method, path, body, timeout_ms, target, &req);
        if (r < 0)
                return r;
        req->done = c.done;
        req->prune_done = c.prune_done;
        req->images_done = c.images_done;
        req->userdata = c.userdata;
        return 0;
}

int docker_container_update(struct docker *d, const char *id, uint64_t memory_bytes,
                            int64_t memory_swap, docker_done_fn done, void *userdata)
{
        char path[256], body[128];
        int r;

        assert(d);
        if (!container_ref_valid(id))
                return -EINVAL;
        r = docker_json_update_body(memory_bytes, memory_swap, body, sizeof(body));
        if (r < 0)
                return r == -ENOBUFS ? -EINVAL : r;
        snprintf(path, sizeof(path), "/v%s/containers/%s/update", d->api_version, id);
        return user_request(d, REQ_UPDATE, "POST", path, body, REQUEST_TIMEOUT_MSEC, id,
                            (struct completion){.done = done, .userdata = userdata});
}

int docker_container_stop(struct docker *d, const char *id, unsigned timeout_sec,
                          docker_done_fn done, void *userdata)
{
        char path[256];

        assert(d);
        if (!container_ref_valid(id))
                return -EINVAL;
        if (timeout_sec > STOP_TIMEOUT_MAX_SEC)
                timeout_sec = STOP_TIMEOUT_MAX_SEC;
        snprintf(path, sizeof(path), "/v%s/containers/%s/stop?t=%u", d->api_version, id,
                 timeout_sec);
        /* dockerd answers only after the container is down: wait past t. */
        return user_request(d, REQ_STOP, "POST", path, NULL,
                            (long)timeout_sec * 1000 + STOP_EXTRA_TIMEOUT_MSEC, id,
                            (struct completion){.done = done, .userdata = userdata});
}

int docker_container_kill(struct docker *d, const char *id, docker_done_fn done, void *userdata)
{
        char path[256];

        assert(d);
        if (!container_ref_valid(id))
                return -EINVAL;
        snprintf(path, sizeof(path), "/v%s/containers/%s/kill?signal=SIGKILL", d->api_version, id);
        return user_request(d, REQ_KILL, "POST", path, NULL, REQUEST_TIMEOUT_MSEC, id,
                            (struct completion){.done = done, .userdata = userdata});
}

int docker_container_remove(struct docker *d, const char *id, docker_done_fn done, void *userdata)
{
        char path[256];

        assert(d);
        if (!container_ref_valid(id))
                return -EINVAL;
        snprintf(path, sizeof(path), "/v%s/containers/%s", d->api_version, id);
        return user_request(d, REQ_CONTAINER_REMOVE, "DELETE", path, NULL, REQUEST_TIMEOUT_MSEC, id,
                            (struct completion){.done = done, .userdata = userdata});
}

static int prune(struct docker *d, const char *path, docker_prune_fn done, void *userdata)
{
        /* Pruning walks every layer: give it longer than a plain request. */
        return user_request(d, REQ_PRUNE, "POST", path, NULL, 12 * REQUEST_TIMEOUT_MSEC, NULL,
                            (struct completion){.prune_done = done, .userdata = userdata});
}

int docker_prune_dangling_images(struct docker *d, docker_prune_fn done, void *userdata)
{
        char path[256];

        assert(d);
        snprintf(path, sizeof(path),
                 "/v%s/images/prune?filters=%%7B%%22dangling%%22%%3A%%5B%%22true%%22%%5D%%7D",
                 d->api_version);
        return prune(d, path, done, userdata);
}

int docker_prune_build_cache(struct docker *d, docker_prune_fn done, void *userdata)
{
        char path[128];

        assert(d);
        snprintf(path, sizeof(path), "/v%s/build/prune", d->api_version);
        return prune(d, path, done, userdata);
}

int docker_images_list(struct docker *d, docker_images_fn done, void *userdata)
{
        char path[128];

        assert(d);
        snprintf(path, sizeof(path), "/v%s/images/json", d->api_version);
        return user_request(d, REQ_IMAGES, "GET", path, NULL, REQUEST_TIMEOUT_MSEC, NULL,
                            (struct completion){.images_done = done, .userdata = userdata});
}

int docker_image_remove(struct docker *d, const char *id, docker_done_fn done, void *userdata)
{
        char path[DOCKER_JSON_STRING_MAX + 64];

        assert(d);
        if (!docker_image_ref_valid(id))
                return -EINVAL;
        snprintf(path, sizeof(path), "/v%s/images/%s", d->api_version, id);
        return user_request(d, REQ_IMAGE_REMOVE, "DELETE", path, NULL, 12 * REQUEST_TIMEOUT_MSEC,
                            id, (struct completion){.done = done, .userdata = userdata});
}

void docker_endpoints_complete(struct request *req, int r)
{
        switch (req->type) {
        case REQ_PRUNE: {
                uint64_t reclaimed = 0;
                char **deleted = NULL;

                if (r >= 0)
                        r = docker_json_parse_prune(req->response.data, req->response.len,
                                                    &reclaimed, &deleted);
                if (req->prune_done)
                        req->prune_done(r, reclaimed, (const char *const *)deleted, req->userdata);
                docker_strv_free(deleted);
                break;
        }
        case REQ_IMAGES: {
                struct docker_image *images = NULL;
                size_t n = 0;

                if (r >= 0)
                        r = docker_json_parse_images(req->response.data, req->response.len, &images,
                                                     &n);
                if (req->images_done)
                        req->images_done(r, images, n, req->userdata);
                docker_images_free(images, n);
                break;
        }
        default:
                if (req->done)
                        req->done(r, req->target, req->userdata);
                break;
        }
}

void docker_endpoints_cancel(struct request *req)
{
        if (req->done)
                req->done(-ECANCELED, req->target, req->userdata);
        else if (req->prune_done)
                req->prune_done(-ECANCELED, 0, NULL, req->userdata);
        else if (req->images_done)
                req->images_done(-ECANCELED, NULL, 0, req->userdata);
}
