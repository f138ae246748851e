/* docker_internal — what every file of the Docker client does the same way:
 * start a request on the client's transport, and deliver news to the
 * daemon. See docker_internal.h. */
#include <assert.h>
#include <stdio.h>

#include "docker_internal.h"

int docker_request_start(struct docker *d, enum request_type type, const char *method,
                         const char *path, const char *body, long timeout_ms, const char *target,
                         struct request **ret)
{
        struct request *req;
        int r;

        assert(d);
        r = docker_transport_start(&d->transport, d, type, method, path, body, timeout_ms, target,
                                   &req);
        if (r < 0)
                return r;
        /* Set before any answer can arrive: the helper's answers are only
         * read once the loop runs, after this returns. */
        req->generation = d->generation;
        req->internal = type == REQ_VERSION || type == REQ_PING || type == REQ_EVENTS ||
                        type == REQ_LIST || type == REQ_INSPECT;
        if (ret)
                *ret = req;
        return 0;
}

int docker_request_inspect(struct docker *d, const char *id, bool sync)
{
        struct request *req;
        char path[256];
        int r;

        snprintf(path, sizeof(path), "/v%s/containers/%s/json", d->api_version, id);
        r = docker_request_start(d, REQ_INSPECT, "GET", path, NULL, REQUEST_TIMEOUT_MSEC, id, &req);
        if (r < 0)
                return r;
        req->sync = sync;
        return 0;
}

void docker_emit(struct docker *d, enum docker_event_kind kind, const struct docker_container *c,
                 usec_t received_usec, uint64_t time_nano)
{
        d->delivering_time_nano = time_nano;
        if (d->on_event)
                d->on_event(kind, c, received_usec, d->userdata);
        d->delivering_time_nano = 0;
}
