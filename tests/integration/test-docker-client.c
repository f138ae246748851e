/* test-docker-client — the Docker client against a real, private dockerd.
 *
 * Run by test-docker-client.sh, which owns the dockerd directory and cleans
 * it up (trap) whatever happens here. Usage:
 *   test-docker-client DOCKERD_SH DIR
 * DIR is empty at start: dockerd is not running, so the client starts with
 * its socket missing and must attach once dockerd.sh starts it.
 *
 * One sd-event loop throughout; external commands (dockerd.sh, the docker
 * CLI) run between loop turns. Every wait is bounded; a failed check prints
 * FILE:LINE and the test exits 1. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "../unit/test.h"
#include "cgfs.h"
#include "docker.h"
#include "docker_json.h"
#include "log.h"

extern char **environ;

static const char *dockerd_sh, *dir;
static char socket_path[512];
static const char *docker_cli = "/usr/bin/docker";

#define MAX_SEEN 256

struct seen {
        enum docker_event_kind kind;
        char id[DOCKER_ID_MAX];
        char name[128];
        usec_t received_usec;
        uint64_t time_nano;
        usec_t callback_usec;
        bool running;
        uint64_t memory_bytes;
};

static struct {
        struct docker *docker;
        struct seen seen[MAX_SEEN];
        size_t n_seen;
        unsigned connected, disconnected;
} st;

static void on_event(enum docker_event_kind kind, const struct docker_container *c,
                     usec_t event_usec, void *userdata)
{
        struct seen *s;

        if (kind == DOCKER_EVENT_CONNECTED)
                st.connected++;
        if (kind == DOCKER_EVENT_DISCONNECTED)
                st.disconnected++;
        if (st.n_seen >= MAX_SEEN)
                return;
        s = &st.seen[st.n_seen++];
        *s = (struct seen){.kind = kind,
                           .received_usec = event_usec,
                           .time_nano = docker_event_time_nano(st.docker),
                           .callback_usec = util_now_usec()};
        if (c) {
                util_strlcpy(s->id, c->id, sizeof(s->id));
                util_strlcpy(s->name, c->name ? c->name : "", sizeof(s->name));
                s->running = c->running;
                s->memory_bytes = c->memory_bytes;
        }
}

static const struct seen *find_seen(enum docker_event_kind kind, const char *name, size_t from)
{
        for (size_t i = from; i < st.n_seen; i++)
                if (st.seen[i].kind == kind && (!name || strcmp(st.seen[i].name, name) == 0))
                        return &st.seen[i];
        return NULL;
}

/* Run a program, optionally capturing its stdout (trimmed). Returns its exit status. */
static int run(char *out, size_t out_size, const char *prog, ...)
{
        char *argv[32];
        int pipefd[2] = {-1, -1}, status = 0, n = 0;
        posix_spawn_file_actions_t fa;
        va_list ap;
        pid_t pid;

        argv[n++] = (char *)prog;
        va_start(ap, prog);
        while (n < 31 && (argv[n] = va_arg(ap, char *)))
                n++;
        va_end(ap);
        argv[n] = NULL;

        posix_spawn_file_actions_init(&fa);
        if (out) {
                if (pipe2(pipefd, O_CLOEXEC) < 0)
                        return -errno;
                posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        }
        if (posix_spawn(&pid, prog, &fa, NULL, argv, environ) != 0) {
                posix_spawn_file_actions_destroy(&fa);
                return -errno;
        }
        posix_spawn_file_actions_destroy(&fa);
        if (out) {
                size_t len = 0;
                ssize_t k;

                close(pipefd[1]);
                while (len + 1 < out_size &&
                       (k = read(pipefd[0], out + len, out_size - 1 - len)) > 0)
                        len += (size_t)k;
                out[len] = '\0';
                while (len > 0 && (out[len - 1] == '\n' || out[len - 1] == ' '))
                        out[--len] = '\0';
                close(pipefd[0]);
        }
        if (waitpid(pid, &status, 0) < 0)
                return -errno;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int dockerd(const char *verb)
{
        return run(NULL, 0, "/bin/sh", dockerd_sh, verb, dir, NULL);
}

#define DOCKER(...)          run(NULL, 0, docker_cli, "-H", host, __VA_ARGS__, NULL)
#define DOCKER_OUT(out, ...) run(out, sizeof(out), docker_cli, "-H", host, __VA_ARGS__, NULL)

static char host[600];

/* Turn the loop until cond() or the deadline; returns cond()'s last value. */
static bool loop_until(sd_event *e, bool (*cond)(void *), void *arg, usec_t timeout_usec)
{
        usec_t deadline = util_now_usec() + timeout_usec;

        while (!cond(arg)) {
                if (util_now_usec() >= deadline)
                        return false;
                if (sd_event_run(e, 100 * USEC_PER_MSEC) < 0)
                        return false;
        }
        return true;
}

static bool is_connected(void *arg)
{
        return docker_is_connected(st.docker);
}

static bool is_disconnected(void *arg)
{
        return !docker_is_connected(st.docker);
}

struct wait_seen {
        enum docker_event_kind kind;
        const char *name;
        size_t from;
};

static bool has_seen(void *arg)
{
        struct wait_seen *w = arg;
        return find_seen(w->kind, w->name, w->from) != NULL;
}

static bool never(void *arg)
{
        return false;
}

struct done_result {
        bool called;
        int result;
        char id[DOCKER_ID_MAX];
        uint64_t reclaimed;
        size_t n_deleted;
        bool deleted_has;
        const char *want_deleted;
        size_t n_images;
        bool images_have_bb;
};

static void on_done(int result, const char *id, void *userdata)
{
        struct done_result *r = userdata;

        r->called = true;
        r->result = result;
        util_strlcpy(r->id, id ? id : "", sizeof(r->id));
}

static void on_prune(int result, uint64_t reclaimed, const char *const *deleted, void *userdata)
{
        struct done_result *r = userdata;

        r->called = true;
        r->result = result;
        r->reclaimed = reclaimed;
        for (size_t i = 0; deleted && deleted[i]; i++) {
                r->n_deleted++;
                if (r->want_deleted && strcmp(deleted[i], r->want_deleted) == 0)
                        r->deleted_has = true;
        }
}

static void on_images(int result, const struct docker_image *images, size_t n, void *userdata)
{
        struct done_result *r = userdata;

        r->called = true;
        r->result = result;
        r->n_images = n;
        for (size_t i = 0; i < n; i++)
                for (char **t = images[i].repo_tags; t && *t; t++)
                        if (strcmp(*t, "bb:latest") == 0)
                                r->images_have_bb = true;
}

static bool done_called(void *arg)
{
        return ((struct done_result *)arg)->called;
}

static const struct docker_container *find_by_name(const char *name)
{
        size_t n;
        const struct docker_container *cs = docker_containers(st.docker, &n);

        for (size_t i = 0; i < n; i++)
                if (cs[i].name && strcmp(cs[i].name, name) == 0)
                        return &cs[i];
        return NULL;
}

static bool cache_has_pre(void *arg)
{
        return find_by_name(arg) != NULL;
}

static bool restart_loop_seen(void *arg)
{
        const struct docker_container *c = find_by_name(arg);
        return c && c->restart_loop;
}

/* A listener that accepts and never answers: a hung dockerd. */
static int on_hung_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        int *accepted = userdata;
        int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

        if (c >= 0 && *accepted < 64)
                accepted[1 + (*accepted)++] = c; /* kept open, never read */
        else if (c >= 0)
                close(c);
        return 0;
}

struct ticker {
        usec_t last;
        usec_t max_gap;
        unsigned ticks;
};

static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct ticker *t = userdata;
        usec_t now = util_now_usec();

        if (t->last && now - t->last > t->max_gap)
                t->max_gap = now - t->last;
        t->last = now;
        t->ticks++;
        if (sd_event_source_set_time(s, now + 50 * USEC_PER_MSEC) < 0)
                return -EIO;
        return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

static void test_hung_socket(sd_event *e, struct cgfs *fs)
{
        char path[600];
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int accepted[65] = {0};
        struct docker *hung = NULL;
        struct docker_stats stats;
        sd_event_source *io = NULL, *tick = NULL;
        struct ticker t = {};
        int fd;

        snprintf(path, sizeof(path), "%s/hung.sock", dir);
        util_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        CHECK(fd >= 0);
        CHECK(bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0);
        CHECK(listen(fd, 16) == 0);
        CHECK(sd_event_add_io(e, &io, fd, EPOLLIN, on_hung_accept, accepted) >= 0);
        CHECK(sd_event_add_time(e, &tick, CLOCK_MONOTONIC, util_now_usec(), 1, on_tick, &t) >= 0);

        CHECK_EQ_INT(docker_new(e, path, fs, NULL, NULL, &hung), 0);
        /* 7 s: past the 5 s request timeout, so the first attempt has failed
         * and been retried, while the loop kept its 50 ms ticks. */
        (void)loop_until(e, never, NULL, 7 * USEC_PER_SEC);
        docker_get_stats(hung, &stats);
        printf("hung socket: %u connections accepted, %" PRIu64 " attempts failed, %u ticks, "
               "largest loop gap %" PRIu64 " ms\n",
               accepted[0], stats.connect_failures, t.ticks, (uint64_t)(t.max_gap / USEC_PER_MSEC));
        CHECK(accepted[0] >= 1);
        CHECK(!docker_is_connected(hung));
        CHECK(stats.connect_failures >= 1);
        CHECK(t.ticks >= 100);
        CHECK(t.max_gap < 500 * USEC_PER_MSEC);
        CHECK_EQ_INT(docker_container_kill(hung, "a/b", NULL, NULL), -EINVAL);
        CHECK_EQ_INT(docker_container_kill(hung, "abc", NULL, NULL), -ENOTCONN);
        docker_free(hung);
        sd_event_source_disable_unref(io);
        sd_event_source_disable_unref(tick);
        for (int i = 0; i < accepted[0]; i++)
                close(accepted[1 + i]);
        close(fd);
        unlink(path);
}

int main(int argc, char **argv)
{
        char out[4096], id_c1[DOCKER_ID_MAX] = "", id_c2[DOCKER_ID_MAX] = "";
        const struct docker_container *c;
        const struct seen *s;
        struct wait_seen w;
        struct done_result res;
        struct cgfs *fs = NULL;
        sd_event *e = NULL;
        size_t mark;
        bool hybrid;

        if (argc != 4) {
                fprintf(stderr, "usage: %s DOCKERD_SH DIR HELPER\n", argv[0]);
                return 2;
        }
        dockerd_sh = argv[1];
        dir = argv[2];
        docker_set_helper(argv[3]);
        if (getenv("DOCKER_CLI"))
                docker_cli = getenv("DOCKER_CLI");
        snprintf(socket_path, sizeof(socket_path), "%s/docker.sock", dir);
        snprintf(host, sizeof(host), "unix://%s", socket_path);
        log_init("test-docker-client", LOG_TARGET_CONSOLE);
        if (getenv("DEBUG"))
                log_set_max_priority(LOG_DEBUG);
        signal(SIGPIPE, SIG_IGN);

        /* The host's cgroup2 tree (hybrid here: /sys/fs/cgroup/unified). */
        struct cgfs_layout_info layout;
        CHECK_EQ_INT(cgfs_detect(&layout), 0);
        hybrid = layout.layout == CGFS_LAYOUT_HYBRID;
        CHECK_EQ_INT(
            cgfs_open(layout.v2_root, layout.v1_memory[0] ? layout.v1_memory : NULL, "/proc", &fs),
            0);
        CHECK(sd_event_default(&e) >= 0);
        if (!fs || !e)
                return TEST_RESULT();

        /* 1. Docker absent at start: the loop runs, nothing connects. */
        CHECK_EQ_INT(docker_new(e, socket_path, fs, on_event, NULL, &st.docker), 0);
        (void)loop_until(e, never, NULL, 1500 * USEC_PER_MSEC);
        CHECK(!docker_is_connected(st.docker));
        CHECK(docker_api_version(st.docker) == NULL);
        CHECK_EQ_INT(docker_container_kill(st.docker, id_c1[0] ? id_c1 : "x", NULL, NULL),
                     -ENOTCONN);

        /* 2. dockerd appears: the client attaches (inotify, else backoff). */
        usec_t t0 = util_now_usec();
        CHECK_EQ_INT(dockerd("start"), 0);
        CHECK_EQ_INT(DOCKER("run", "-d", "--name", "pre", "--network", "none", "bb:latest", "sleep",
                            "100000"),
                     0);
        CHECK(loop_until(e, is_connected, NULL, 15 * USEC_PER_SEC));
        printf("attached %" PRIu64 " ms after dockerd start began\n",
               (uint64_t)((util_now_usec() - t0) / USEC_PER_MSEC));
        CHECK_STREQ(docker_api_version(st.docker), "1.41");
        CHECK(st.connected == 1);
        /* "pre" started around the attach: it must be known either way. */
        CHECK(loop_until(e, cache_has_pre, "pre", 5 * USEC_PER_SEC));

        /* 3. A new container: STARTED after inspect, with its cgroup. */
        mark = st.n_seen;
        CHECK_EQ_INT(DOCKER_OUT(out, "run", "-d", "--name", "c1", "--network", "none", "--label",
                                "com.sutazai.role=agent", "bb:latest", "sleep", "100000"),
                     0);
        util_strlcpy(id_c1, out, sizeof(id_c1));
        CHECK(docker_id_valid(id_c1));
        w = (struct wait_seen){DOCKER_EVENT_STARTED, "c1", mark};
        CHECK(loop_until(e, has_seen, &w, 5 * USEC_PER_SEC));
        s = find_seen(DOCKER_EVENT_STARTED, "c1", mark);
        if (s) {
                usec_t event_realtime = s->time_nano / 1000;
                CHECK(s->running);
                CHECK_STREQ(s->id, id_c1);
                CHECK(s->time_nano > 0);
                printf("c1 start: event→read %" PRId64 " us (clocks: realtime event, "
                       "monotonic read), read→STARTED %" PRIu64 " us\n",
                       (int64_t)(util_realtime_usec() - (util_now_usec() - s->received_usec)) -
                           (int64_t)event_realtime,
                       s->callback_usec - s->received_usec);
        }
        c = docker_container_find(st.docker, id_c1);
        CHECK(c != NULL);
        if (c) {
                char want[128];

                CHECK(c->running);
                CHECK(c->pid > 0);
                CHECK(c->labels && c->labels[0]);
                CHECK_STREQ(c->labels ? c->labels[0] : NULL, "com.sutazai.role=agent");
                CHECK_STREQ(c->image, "bb:latest");
                snprintf(want, sizeof(want), "docker/%s", id_c1);
                CHECK_STREQ(c->cgroup, want); /* cgroupfs driver */
                if (hybrid)
                        CHECK_STREQ(c->cgroup_v1_memory, want);
                else
                        CHECK(c->cgroup_v1_memory == NULL);
                /* the PSI file the triggers will use is really there */
                CHECK(cgfs_open_pressure(fs, c->cgroup, "memory.pressure") >= 0);
                CHECK(docker_container_find(st.docker, "c1") == c);
        }

        /* 4. Update: applied (docker inspect agrees) and seen back as CHANGED. */
        mark = st.n_seen;
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_update(st.docker, id_c1, 128ULL << 20, 0, on_done, &res), 0);
        CHECK(!res.called); /* never from inside the call */
        CHECK(loop_until(e, done_called, &res, 6 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);
        CHECK_STREQ(res.id, id_c1);
        CHECK_EQ_INT(DOCKER_OUT(out, "inspect", "-f",
                                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", "c1"),
                     0);
        CHECK_STREQ(out, "134217728 134217728");
        w = (struct wait_seen){DOCKER_EVENT_CHANGED, "c1", mark};
        CHECK(loop_until(e, has_seen, &w, 5 * USEC_PER_SEC));
        c = docker_container_find(st.docker, id_c1);
        CHECK(c && c->memory_bytes == 128ULL << 20 && c->memory_swap == 128LL << 20);

        /* Unlimited swap, then a value Docker refuses (HTTP 400 → -EIO). */
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_update(st.docker, id_c1, 96ULL << 20, -1, on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 6 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);
        CHECK_EQ_INT(DOCKER_OUT(out, "inspect", "-f",
                                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}", "c1"),
                     0);
        CHECK_STREQ(out, "100663296 -1");
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_update(st.docker, id_c1, 1000, 0, on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 6 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, -EIO);
        /* Refused before sending. */
        CHECK_EQ_INT(docker_container_update(st.docker, "../../volumes", 1 << 30, 0, NULL, NULL),
                     -EINVAL);
        CHECK_EQ_INT(docker_container_update(st.docker, id_c1, 0, 0, NULL, NULL), -EINVAL);
        CHECK_EQ_INT(docker_container_update(st.docker, id_c1, 256 << 20, 1, NULL, NULL), -EINVAL);
        CHECK_EQ_INT(docker_image_remove(st.docker, "x?force=1", NULL, NULL), -EINVAL);
        /* Unknown container: the Engine's 404. */
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_kill(st.docker, "no-such-container", on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 6 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, -ENOENT);

        /* 5. An OOM kill inside a container is reported. */
        mark = st.n_seen;
        CHECK_EQ_INT(DOCKER("run", "-d", "--name", "oomer", "--network", "none", "-m", "32m",
                            "--memory-swap", "32m", "bb:latest", "sh", "-c",
                            "dd if=/dev/zero of=/dev/null bs=100M"),
                     0);
        w = (struct wait_seen){DOCKER_EVENT_OOM, "oomer", mark};
        CHECK(loop_until(e, has_seen, &w, 10 * USEC_PER_SEC));
        w = (struct wait_seen){DOCKER_EVENT_REMOVED, "oomer", mark};
        CHECK(loop_until(e, has_seen, &w, 10 * USEC_PER_SEC));

        /* 6. Stop (graceful: sleep ignores nothing, t=1) and kill. */
        mark = st.n_seen;
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_stop(st.docker, id_c1, 1, on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 15 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);
        w = (struct wait_seen){DOCKER_EVENT_REMOVED, "c1", mark};
        CHECK(loop_until(e, has_seen, &w, 5 * USEC_PER_SEC));
        c = docker_container_find(st.docker, id_c1);
        CHECK(c && !c->running && c->pid == 0 && c->cgroup == NULL);
        /* stopping a stopped container is fine (HTTP 304) */
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_stop(st.docker, id_c1, 1, on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 15 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);

        CHECK_EQ_INT(DOCKER_OUT(out, "run", "-d", "--name", "c2", "--network", "none", "bb:latest",
                                "sleep", "100000"),
                     0);
        util_strlcpy(id_c2, out, sizeof(id_c2));
        w = (struct wait_seen){DOCKER_EVENT_STARTED, "c2", mark};
        CHECK(loop_until(e, has_seen, &w, 5 * USEC_PER_SEC));
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_kill(st.docker, id_c2, on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 6 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);
        w = (struct wait_seen){DOCKER_EVENT_REMOVED, "c2", mark};
        CHECK(loop_until(e, has_seen, &w, 5 * USEC_PER_SEC));
        CHECK_EQ_INT(
            DOCKER_OUT(out, "inspect", "-f", "{{.State.Running}} {{.State.ExitCode}}", "c2"), 0);
        CHECK_STREQ(out, "false 137");

        /* 7. Disk endpoints: remove a stopped container by id (never a
         * blanket prune: a protected one must be left out), list and
         * remove images. A running container is refused, never forced. */
        {
                const struct docker_container *pre = find_by_name("pre");

                CHECK(pre != NULL);
                if (pre) {
                        res = (struct done_result){};
                        CHECK_EQ_INT(docker_container_remove(st.docker, pre->id, on_done, &res), 0);
                        CHECK(loop_until(e, done_called, &res, 10 * USEC_PER_SEC));
                        CHECK_EQ_INT(res.result, -EIO);
                }
        }
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_remove(st.docker, id_c2, on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 20 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);
        /* the destroy event takes it out of the cache */
        (void)loop_until(e, never, NULL, 500 * USEC_PER_MSEC);
        CHECK(docker_container_find(st.docker, id_c2) == NULL);
        CHECK_EQ_INT(docker_container_remove(st.docker, "../volumes/x", NULL, NULL), -EINVAL);

        res = (struct done_result){};
        CHECK_EQ_INT(docker_images_list(st.docker, on_images, &res), 0);
        CHECK(loop_until(e, done_called, &res, 6 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);
        CHECK(res.images_have_bb);
        res = (struct done_result){};
        CHECK_EQ_INT(docker_image_remove(st.docker, "bb:latest", on_done, &res), 0);
        CHECK(loop_until(e, done_called, &res, 20 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, -EIO); /* in use by "pre": never forced */
        res = (struct done_result){};
        CHECK_EQ_INT(docker_prune_dangling_images(st.docker, on_prune, &res), 0);
        CHECK(loop_until(e, done_called, &res, 20 * USEC_PER_SEC));
        CHECK_EQ_INT(res.result, 0);
        res = (struct done_result){};
        CHECK_EQ_INT(docker_prune_build_cache(st.docker, on_prune, &res), 0);
        CHECK(loop_until(e, done_called, &res, 20 * USEC_PER_SEC));
        printf("build prune: %d\n", res.result);

        /* 8. dockerd killed mid-run: DISCONNECTED, the loop lives on. */
        mark = st.n_seen;
        CHECK_EQ_INT(dockerd("kill"), 0);
        CHECK(loop_until(e, is_disconnected, NULL, 5 * USEC_PER_SEC));
        w = (struct wait_seen){DOCKER_EVENT_DISCONNECTED, NULL, mark};
        CHECK(loop_until(e, has_seen, &w, 1 * USEC_PER_SEC));
        CHECK_EQ_INT(st.disconnected, 1);
        (void)loop_until(e, never, NULL, 1 * USEC_PER_SEC);
        CHECK(!docker_is_connected(st.docker));

        /* 9. dockerd back: re-sync, CONNECTED again, new containers seen. */
        t0 = util_now_usec();
        CHECK_EQ_INT(dockerd("start"), 0);
        printf("dockerd restart took %" PRIu64 " ms\n",
               (uint64_t)((util_now_usec() - t0) / USEC_PER_MSEC));
        CHECK(loop_until(e, is_connected, NULL, 35 * USEC_PER_SEC));
        printf("re-attached %" PRIu64 " ms after dockerd restart began\n",
               (uint64_t)((util_now_usec() - t0) / USEC_PER_MSEC));
        CHECK_EQ_INT(st.connected, 2);
        CHECK(find_by_name("pre") != NULL); /* re-synced (stopped by the crash, still listed) */
        mark = st.n_seen;
        CHECK_EQ_INT(DOCKER("run", "-d", "--name", "c3", "--network", "none", "bb:latest", "sleep",
                            "100000"),
                     0);
        w = (struct wait_seen){DOCKER_EVENT_STARTED, "c3", mark};
        CHECK(loop_until(e, has_seen, &w, 5 * USEC_PER_SEC));
        c = find_by_name("c3");
        CHECK(c && c->running && c->cgroup);

        /* 10. A container Docker keeps restarting is noticed. */
        CHECK_EQ_INT(DOCKER("run", "-d", "--name", "flapper", "--network", "none", "--restart",
                            "always", "bb:latest", "sh", "-c", "sleep 0.2; exit 3"),
                     0);
        CHECK(loop_until(e, restart_loop_seen, "flapper", 20 * USEC_PER_SEC));
        c = find_by_name("flapper");
        if (c)
                printf("flapper: restart loop noticed at RestartCount %u\n", c->restart_count);
        CHECK(!find_by_name("c3")->restart_loop);
        CHECK_EQ_INT(DOCKER("rm", "-f", "flapper"), 0);

        struct docker_stats stats;
        docker_get_stats(st.docker, &stats);
        printf("stats: %" PRIu64 " connects, %" PRIu64 " disconnects, %" PRIu64 " events, %" PRIu64
               " failed requests\n",
               stats.connects, stats.disconnects, stats.events, stats.requests_failed);
        CHECK_EQ_INT(stats.connects, 2);
        CHECK_EQ_INT(stats.disconnects, 1);

        /* Requests in flight at docker_free complete with -ECANCELED. */
        res = (struct done_result){};
        CHECK_EQ_INT(docker_container_stop(st.docker, "c3", 5, on_done, &res), 0);
        st.docker = docker_free(st.docker);
        CHECK(res.called && res.result == -ECANCELED);

        /* 11. A socket that accepts and never answers. */
        test_hung_socket(e, fs);

        sd_event_unref(e);
        cgfs_free(fs);
        return TEST_RESULT();
}
