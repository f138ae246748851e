/* bench-start-to-limit — how long a new container runs without its limit.
 *
 *   bench-start-to-limit SOCKET COUNT LIMIT_BYTES DOCKER_CLI
 *
 * With the governor already running against the dockerd at SOCKET (a rule
 * giving containers named bench-* memory_max = LIMIT_BYTES), this starts
 * COUNT containers one after another with the docker CLI and watches the
 * Engine's event stream through the governor's own Docker client. For each
 * container: dockerd's "start" event and the "update" event dockerd emits
 * once the governor's POST /containers/{id}/update is applied, both stamped
 * by dockerd's clock (timeNano), so the figure is the real window in which
 * the container ran unlimited, free of this program's own scheduling. Prints
 * min, p50, p95, max. Exit 1 if some container was never limited. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "docker.h"
#include "log.h"

extern char **environ;

#define MAX_CONTAINERS 1000

struct sample {
        char id[DOCKER_ID_MAX];
        uint64_t start_nano;
        uint64_t limited_nano;
};

static struct {
        struct docker *docker;
        uint64_t limit_bytes;
        struct sample samples[MAX_CONTAINERS];
        size_t n;
        size_t limited;
} b;

static struct sample *sample_for(const char *id, bool create)
{
        for (size_t i = 0; i < b.n; i++)
                if (strcmp(b.samples[i].id, id) == 0)
                        return &b.samples[i];
        if (!create || b.n >= MAX_CONTAINERS)
                return NULL;
        util_strlcpy(b.samples[b.n].id, id, sizeof(b.samples[b.n].id));
        return &b.samples[b.n++];
}

static void on_event(enum docker_event_kind kind, const struct docker_container *c,
                     usec_t event_usec, void *userdata)
{
        uint64_t nano = docker_event_time_nano(b.docker);
        struct sample *s;

        if (!c || !c->name || strncmp(c->name, "bench-", 6) != 0 || nano == 0)
                return;
        if (kind == DOCKER_EVENT_STARTED) {
                s = sample_for(c->id, true);
                if (s && !s->start_nano)
                        s->start_nano = nano;
        }
        /* The update event, after which inspect shows the rule's limit. */
        if (kind == DOCKER_EVENT_CHANGED && c->memory_bytes == b.limit_bytes) {
                s = sample_for(c->id, false);
                if (s && s->start_nano && !s->limited_nano) {
                        s->limited_nano = nano;
                        b.limited++;
                }
        }
}

static void pump(sd_event *e, usec_t for_usec)
{
        usec_t end = util_now_usec() + for_usec;

        while (util_now_usec() < end)
                (void)sd_event_run(e, 10 * USEC_PER_MSEC);
}

/* docker run, with the loop turning meanwhile: events are read as they come,
 * as the governor reads them, so the client's per-container ordering sees
 * start and update apart. */
static int run_docker(sd_event *e, const char *cli, const char *sock, const char *name)
{
        char host[600];
        char *argv[] = {(char *)cli, "-H",   host,        "run",   "-d",     "--name", (char *)name,
                        "--network", "none", "bb:latest", "sleep", "100000", NULL};
        posix_spawn_file_actions_t fa;
        int status;
        pid_t pid, r;

        snprintf(host, sizeof(host), "unix://%s", sock);
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        if (posix_spawn(&pid, cli, &fa, NULL, argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -errno;
        }
        posix_spawn_file_actions_destroy(&fa);
        while ((r = waitpid(pid, &status, WNOHANG)) == 0)
                pump(e, 5 * USEC_PER_MSEC);
        if (r < 0)
                return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}

static int cmp_double(const void *x, const void *y)
{
        double a = *(const double *)x, c = *(const double *)y;
        return a < c ? -1 : a > c;
}

/* nearest-rank percentile of a sorted array */
static double percentile(const double *v, size_t n, double p)
{
        size_t rank = (size_t)ceil(p / 100.0 * (double)n);
        return v[rank > 0 ? rank - 1 : 0];
}

int main(int argc, char **argv)
{
        const char *sock, *cli;
        unsigned count;
        sd_event *e = NULL;
        double *ms;
        size_t n = 0;
        usec_t deadline;

        if (argc != 5 && argc != 6) {
                fprintf(stderr, "usage: %s SOCKET COUNT LIMIT_BYTES DOCKER_CLI [HELPER]\n",
                        argv[0]);
                return 2;
        }
        sock = argv[1];
        count = (unsigned)strtoul(argv[2], NULL, 10);
        b.limit_bytes = strtoull(argv[3], NULL, 10);
        cli = argv[4];
        if (argc == 6)
                docker_set_helper(argv[5]);
        if (count == 0 || count > MAX_CONTAINERS || b.limit_bytes == 0) {
                fprintf(stderr, "bad COUNT or LIMIT_BYTES\n");
                return 2;
        }
        log_init("bench-start-to-limit", LOG_TARGET_CONSOLE);
        log_set_max_priority(LOG_WARNING);
        if (sd_event_default(&e) < 0 || docker_new(e, sock, NULL, on_event, NULL, &b.docker) < 0) {
                fprintf(stderr, "cannot start the Docker client\n");
                return 1;
        }
        deadline = util_now_usec() + 30 * USEC_PER_SEC;
        while (!docker_is_connected(b.docker) && util_now_usec() < deadline)
                (void)sd_event_run(e, 100 * USEC_PER_MSEC);
        if (!docker_is_connected(b.docker)) {
                fprintf(stderr, "no Docker Engine at %s\n", sock);
                return 1;
        }

        for (unsigned i = 0; i < count; i++) {
                char name[32];

                snprintf(name, sizeof(name), "bench-%03u", i);
                if (run_docker(e, cli, sock, name) < 0) {
                        fprintf(stderr, "docker run %s failed\n", name);
                        return 1;
                }
                pump(e, 20 * USEC_PER_MSEC);
        }
        deadline = util_now_usec() + 30 * USEC_PER_SEC;
        while (b.limited < count && util_now_usec() < deadline)
                (void)sd_event_run(e, 100 * USEC_PER_MSEC);

        ms = calloc(b.n ? b.n : 1, sizeof(double));
        for (size_t i = 0; i < b.n; i++)
                if (b.samples[i].limited_nano &&
                    b.samples[i].limited_nano >= b.samples[i].start_nano)
                        ms[n++] =
                            (double)(b.samples[i].limited_nano - b.samples[i].start_nano) / 1e6;
        qsort(ms, n, sizeof(double), cmp_double);

        printf("start event → limit applied (dockerd's own timestamps), %zu of %u containers "
               "limited\n\n",
               n, count);
        printf("| containers | min | p50 | p95 | max |\n");
        printf("|---:|---:|---:|---:|---:|\n");
        if (n > 0)
                printf("| %zu | %.1f ms | %.1f ms | %.1f ms | %.1f ms |\n", n, ms[0],
                       percentile(ms, n, 50), percentile(ms, n, 95), ms[n - 1]);
        free(ms);
        docker_free(b.docker);
        sd_event_unref(e);
        return n == count ? 0 : 1;
}
