/* fake-docker — see fake-docker.c. */
#pragma once

#include <stdio.h>

#include "docker.h"

#define FAKE_DOCKER_REQUESTS_MAX 16

struct fake_docker_request {
        char what[16]; /* "update", "stop", "kill" */
        char id[DOCKER_ID_MAX];
        docker_done_fn done;
        void *userdata;
        bool completed;
};

struct fake_docker {
        bool connected;
        struct docker_container *containers;
        size_t n_containers;
        struct fake_docker_request requests[FAKE_DOCKER_REQUESTS_MAX];
        size_t n_requests;
};

extern struct fake_docker fake_docker;

/* Complete every outstanding request with result (0 or -errno). */
void fake_docker_complete_all(int result);
/* Cancel what is outstanding (-ECANCELED) and forget every request. */
void fake_docker_reset(void);
