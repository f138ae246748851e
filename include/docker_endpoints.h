/* docker_endpoints — the requests the daemon makes of the Engine (docker.h:
 * update, stop, kill, remove, prune, image list and removal), from the call
 * that validates and queues one to the callback that hears its answer.
 * Private to src/docker*.c (docker.h is the contract).
 *
 * The connection (docker.c) collects every finished request; it hands the
 * daemon's ones (req->internal false) here, exactly once each: to
 * docker_endpoints_complete() with their result (0 or -errno, as
 * docker_request_result gives it), or, when the client is freed with them
 * still in flight, to docker_endpoints_cancel(). Either calls the request's
 * one callback exactly once; the caller frees the request afterwards.
 *
 * It never touches the connection, the event stream or the cache: the
 * dependency runs docker.c -> docker_endpoints.c -> docker_internal.c. */
#pragma once

#include "docker_transport.h"

void docker_endpoints_complete(struct request *req, int result);
/* Completes req with -ECANCELED. */
void docker_endpoints_cancel(struct request *req);
