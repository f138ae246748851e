/* docker_transport — the core's side of the Docker client's requests: the
 * allow-list every one passes, and the protocol (dockerproxy.h) to the
 * helper process that owns libcurl, driven by the daemon's sd-event loop.
 *
 * Sends never block (MSG_DONTWAIT): a full socket fails the one request.
 * Receives are read in batches from an io source; every message is checked
 * (dockerproxy_parse_reply, then against the requests this side issued)
 * before anything acts on it, and a helper that breaks the framing is
 * killed. Finished requests wait in a FIFO the upper layer drains from
 * ops->after_io. This file knows nothing above it (see docker_transport.h).
 * Nothing here ever blocks on dockerd or on the helper. */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "docker_json.h"
#include "docker_transport.h"
#include "log.h"
#include "spawner.h"
#include "util.h"

#ifndef DOCKER_HELPER_PATH
#error "DOCKER_HELPER_PATH: the installed sutazai-governor-docker, set by meson"
#endif

static const char *helper_override;

void docker_transport_set_helper(const char *path)
{
        helper_override = path;
}

pid_t docker_transport_helper_pid(const struct docker_transport *t)
{
        return t ? t->pid : 0;
}

/* ---- buffers ----------------------------------------------------------------- */

int docker_buffer_append(struct buffer *b, const char *data, size_t n, size_t max)
{
        if (b->len + n + 1 > max)
                return -EMSGSIZE;
        if (b->len + n + 1 > b->allocated) {
                size_t a = b->allocated ? b->allocated : 1024;
                char *p;

                while (a < b->len + n + 1)
                        a *= 2;
                if (a > max)
                        a = max;
                p = realloc(b->data, a);
                if (!p)
                        return -ENOMEM;
                b->data = p;
                b->allocated = a;
        }
        memcpy(b->data + b->len, data, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

void docker_buffer_done(struct buffer *b)
{
        free(b->data);
        *b = (struct buffer){};
}

/* ---- the finished queue ------------------------------------------------------ */

static void finish(struct request *req, int result, long http, const char *error, size_t error_len)
{
        struct docker_transport *t = req->t;

        if (req->finished)
                return;
        req->finished = true;
        req->result = result;
        req->http = http;
        if (error_len > DOCKERPROXY_ERROR_MAX)
                error_len = DOCKERPROXY_ERROR_MAX;
        memcpy(req->error, error ? error : "", error ? error_len : 0);
        req->error[error ? error_len : 0] = '\0';
        req->next_finished = NULL;
        if (t->finished_tail)
                t->finished_tail->next_finished = req;
        else
                t->finished_head = req;
        t->finished_tail = req;
}

static void finished_remove(struct request *req)
{
        struct docker_transport *t = req->t;
        struct request *prev = NULL;

        if (!req->finished)
                return;
        for (struct request *r = t->finished_head; r; prev = r, r = r->next_finished) {
                if (r != req)
                        continue;
                if (prev)
                        prev->next_finished = r->next_finished;
                else
                        t->finished_head = r->next_finished;
                if (t->finished_tail == r)
                        t->finished_tail = prev;
                break;
        }
        req->next_finished = NULL;
}

struct request *docker_transport_next_done(struct docker_transport *t)
{
        struct request *req = t->finished_head;

        if (!req)
                return NULL;
        t->finished_head = req->next_finished;
        if (!t->finished_head)
                t->finished_tail = NULL;
        req->next_finished = NULL;
        /* finished stays true: freeing it sends no cancel */
        return req;
}

static struct request *request_by_id(struct docker_transport *t, uint32_t id)
{
        for (struct request *req = t->requests; req; req = req->next)
                if (req->id == id)
                        return req->finished ? NULL : req;
        return NULL;
}

/* ---- the helper ---------------------------------------------------------------- */

static void helper_lost(struct docker_transport *t, const char *why, bool kill_now);
static void read_replies(struct docker_transport *t, unsigned max);

static bool executable_file(const char *path)
{
        return access(path, X_OK) == 0;
}

/* See docker_transport.h for the rule. */
static int helper_path(char *buf, size_t size)
{
        char self[PATH_MAX];
        ssize_t n;
        char *slash;

        if (helper_override) {
                util_strlcpy(buf, helper_override, size);
                return 0;
        }
        n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                slash = strrchr(self, '/');
                if (slash &&
                    (size_t)snprintf(buf, size, "%.*s/%s", (int)(slash - self), self,
                                     DOCKERPROXY_PROGRAM) < size &&
                    executable_file(buf))
                        return 0;
        }
        if (strlen(DOCKER_HELPER_PATH) >= size)
                return -ENAMETOOLONG;
        util_strlcpy(buf, DOCKER_HELPER_PATH, size);
        return 0;
}

static int on_helper_exit(sd_event_source *s, const siginfo_t *si, void *userdata)
{
        struct docker_transport *t = userdata;

        if (si->si_code == CLD_EXITED)
                log_event(LOG_WARNING, MSGID_DOCKER, NULL,
                          "Docker helper " DOCKERPROXY_PROGRAM " (pid %d) exited with status %d",
                          (int)si->si_pid, si->si_status);
        else
                log_event(LOG_WARNING, MSGID_DOCKER, NULL,
                          "Docker helper " DOCKERPROXY_PROGRAM " (pid %d) killed by signal %s",
                          (int)si->si_pid, strsignal(si->si_status));
        /* What it sent before it went is still valid. */
        read_replies(t, UINT_MAX);
        helper_lost(t, "the Docker helper exited", false);
        /* sd-event reaps it once this returns; dropping the source here is
         * allowed (it is kept alive until then). */
        t->child = sd_event_source_disable_unref(t->child);
        t->pid = 0;
        t->ops->after_io(t->userdata);
        return 0;
}

/* Stop talking to the helper: every request in flight fails as if dockerd
 * had gone away, and the next spawn waits out the backoff. kill: SIGKILL
 * and reap it now (it broke the protocol, or we stop); otherwise it is
 * exiting on its own and on_helper_exit() reaps it and logs how it ended. */
static void helper_lost(struct docker_transport *t, const char *why, bool kill_now)
{
        if (kill_now) {
                /* The child source owns the process: freeing it SIGKILLs and
                 * reaps it. */
                t->child = sd_event_source_disable_unref(t->child);
                t->pid = 0;
        }
        if (t->fd < 0)
                return;
        t->io = sd_event_source_disable_unref(t->io);
        close(t->fd);
        t->fd = -1;
        if (t->answered)
                t->backoff_usec = HELPER_BACKOFF_MIN_USEC;
        t->answered = false;
        t->next_spawn_usec = util_now_usec() + t->backoff_usec;
        t->backoff_usec = t->backoff_usec * 2 > HELPER_BACKOFF_MAX_USEC ? HELPER_BACKOFF_MAX_USEC
                                                                        : t->backoff_usec * 2;
        for (struct request *req = t->requests; req; req = req->next)
                finish(req, -ECONNRESET, 0, why, strlen(why));
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);

static int helper_spawn(struct docker_transport *t)
{
        char path[PATH_MAX];
        char *argv[] = {(char *)DOCKERPROXY_PROGRAM, (char *)t->socket_path, NULL};
        int sv[2] = {-1, -1};
        int helper_fd = -1;
        sigset_t mask;
        pid_t pid;
        int r;

        if (util_now_usec() < t->next_spawn_usec)
                return -EAGAIN;
        /* One that went and is not reaped yet: now. */
        t->child = sd_event_source_disable_unref(t->child);
        r = helper_path(path, sizeof(path));
        if (r < 0)
                return r;
        /* sd_event_add_child() requires SIGCHLD blocked; block it before the
         * child exists so its exit cannot be lost. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        /* Never already fd 3: a dup2 onto itself would keep CLOEXEC. */
        helper_fd = fcntl(sv[1], F_DUPFD_CLOEXEC, DOCKERPROXY_FD + 1);
        close(sv[1]);
        if (helper_fd < 0) {
                r = -errno;
                close(sv[0]);
                return r;
        }
        r = spawner_exec(path, argv, -1, STDERR_FILENO, helper_fd, &pid);
        close(helper_fd);
        if (r < 0) {
                close(sv[0]);
                t->next_spawn_usec = util_now_usec() + t->backoff_usec;
                t->backoff_usec = t->backoff_usec * 2 > HELPER_BACKOFF_MAX_USEC
                                      ? HELPER_BACKOFF_MAX_USEC
                                      : t->backoff_usec * 2;
                log_event(LOG_ERR, MSGID_DOCKER, NULL, "cannot start the Docker helper %s: %s",
                          path, strerror(-r));
                return r;
        }
        t->fd = sv[0];
        t->pid = pid;
        t->spawns++;
        r = sd_event_add_child(t->event, &t->child, pid, WEXITED, on_helper_exit, t);
        if (r >= 0) {
                /* Owned: freed first, sd-event kills and reaps it. */
                (void)sd_event_source_set_child_process_own(t->child, true);
                r = sd_event_add_io(t->event, &t->io, t->fd, EPOLLIN, on_io, t);
        }
        if (r < 0) {
                if (!t->child) {
                        (void)kill(pid, SIGKILL);
                        (void)waitpid(pid, NULL, 0);
                }
                helper_lost(t, "cannot watch the Docker helper", true);
                return r;
        }
        (void)sd_event_source_set_description(t->io, "docker-helper-io");
        (void)sd_event_source_set_description(t->child, "docker-helper-exit");
        log_debug("docker: started %s (pid %d)", path, (int)pid);
        return 0;
}

/* One message from the helper; -EBADMSG for anything the protocol forbids. */
static int handle_reply(struct docker_transport *t, const void *buf, size_t n)
{
        struct dockerproxy_msg m;
        struct request *req;
        int r;

        if (dockerproxy_parse_reply(buf, n, &m) < 0 || m.id > t->last_id)
                return -EBADMSG;
        req = request_by_id(t, m.id);
        if (!req)
                return 0; /* cancelled or freed meanwhile: its late messages are dropped */
        switch (m.type) {
        case DOCKERPROXY_HEADERS:
                if (req->http != 0)
                        return -EBADMSG; /* once */
                req->http = m.http;
                if (req->type == REQ_EVENTS && t->ops->on_header)
                        t->ops->on_header(req, m.http, m.flags & DOCKERPROXY_JSON_SEQ);
                return 0;
        case DOCKERPROXY_DATA:
                r = t->ops->on_write(req, m.data, m.data_len);
                if (r < 0) {
                        char cancel[DOCKERPROXY_HEADER_SIZE];
                        ssize_t k = dockerproxy_build_cancel(cancel, req->id);

                        (void)send(t->fd, cancel, (size_t)k, MSG_DONTWAIT | MSG_NOSIGNAL);
                        finish(req, r, req->http, "answer refused", strlen("answer refused"));
                }
                return 0;
        case DOCKERPROXY_DONE:
                t->answered = true;
                finish(req, m.result, m.http, m.error, m.error_len);
                return 0;
        default:
                return -EBADMSG;
        }
}

/* Read and act on up to max messages (fewer when the socket is empty). */
static void read_replies(struct docker_transport *t, unsigned max)
{
        /* One byte more than the largest message: MSG_TRUNC tells a longer one. */
        char buf[DOCKERPROXY_REPLY_MAX + 1];

        for (unsigned i = 0; i < max && t->fd >= 0; i++) {
                ssize_t n = recv(t->fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) {
                        /* It is exiting (or was killed): on_helper_exit reaps it. */
                        helper_lost(t,
                                    n == 0 ? "the Docker helper closed its socket"
                                           : "cannot read from the Docker helper",
                                    n < 0);
                        break;
                }
                if ((size_t)n > DOCKERPROXY_REPLY_MAX || handle_reply(t, buf, (size_t)n) < 0) {
                        log_event(LOG_ERR, MSGID_DOCKER, NULL,
                                  "Docker helper (pid %d) broke the protocol (a message of %zd "
                                  "bytes): killing it",
                                  (int)t->pid, n);
                        helper_lost(t, "the Docker helper broke the protocol", true);
                        break;
                }
        }
}

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct docker_transport *t = userdata;

        read_replies(t, HELPER_READ_BATCH);
        t->ops->after_io(t->userdata);
        return 0;
}

static int on_defer(sd_event_source *s, void *userdata)
{
        struct docker_transport *t = userdata;

        t->ops->after_io(t->userdata);
        return 0;
}

int docker_transport_init(struct docker_transport *t, sd_event *event, const char *socket_path,
                          const struct docker_transport_ops *ops, void *userdata)
{
        int r;

        assert(t);
        assert(event);
        assert(socket_path);
        assert(ops && ops->after_io && ops->on_write);

        *t = (struct docker_transport){.event = event,
                                       .socket_path = socket_path,
                                       .ops = ops,
                                       .userdata = userdata,
                                       .fd = -1,
                                       .backoff_usec = HELPER_BACKOFF_MIN_USEC};
        r = sd_event_add_defer(event, &t->defer, on_defer, t);
        if (r < 0)
                return r;
        (void)sd_event_source_set_enabled(t->defer, SD_EVENT_OFF);
        (void)sd_event_source_set_description(t->defer, "docker-helper-defer");
        return 0;
}

void docker_transport_done(struct docker_transport *t)
{
        helper_lost(t, "shutting down", true);
        t->defer = sd_event_source_disable_unref(t->defer);
}

void docker_request_unlink(struct request *req)
{
        struct docker_transport *t = req->t;

        finished_remove(req);
        if (req->prev)
                req->prev->next = req->next;
        else if (t->requests == req)
                t->requests = req->next;
        if (req->next)
                req->next->prev = req->prev;
        req->prev = req->next = NULL;
        if (t->ops->on_unlink)
                t->ops->on_unlink(req, t->userdata);
}

void docker_request_free(struct request *req)
{
        struct docker_transport *t;

        if (!req)
                return;
        t = req->t;
        if (!req->finished && t->fd >= 0) {
                char cancel[DOCKERPROXY_HEADER_SIZE];
                ssize_t k = dockerproxy_build_cancel(cancel, req->id);

                /* Best effort: if it does not fit, the helper's DONE for it
                 * arrives and is dropped as an unknown id. */
                (void)send(t->fd, cancel, (size_t)k, MSG_DONTWAIT | MSG_NOSIGNAL);
        }
        docker_request_unlink(req);
        free(req->target);
        docker_buffer_done(&req->response);
        free(req);
}

int docker_transport_start(struct docker_transport *t, void *owner, enum request_type type,
                           const char *method, const char *path, const char *body, long timeout_ms,
                           const char *target, struct request **ret)
{
        char msg[DOCKERPROXY_REQUEST_MAX];
        struct request *req;
        ssize_t n;
        int r;

        assert(t);
        assert(method);
        assert(path);

        if (!docker_request_allowed(method, path)) {
                log_warning("docker: refusing request outside the allow-list: %s %s", method, path);
                return -EPERM;
        }
        if (timeout_ms < 0 || timeout_ms > UINT32_MAX)
                return -EINVAL;
        n = dockerproxy_build_start(msg, t->last_id + 1, dockerproxy_method_from_name(method),
                                    (uint32_t)timeout_ms,
                                    type == REQ_EVENTS ? DOCKERPROXY_WANT_HEADERS : 0, path, body);
        if (n < 0)
                return (int)n;
        if (t->fd < 0) {
                r = helper_spawn(t);
                if (r < 0)
                        return r;
        }

        req = calloc(1, sizeof(*req));
        if (!req)
                return -ENOMEM;
        if (target) {
                req->target = strdup(target);
                if (!req->target) {
                        free(req);
                        return -ENOMEM;
                }
        }
        if (send(t->fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) != n) {
                r = errno == EAGAIN ? -ENOBUFS : -errno;
                free(req->target);
                free(req);
                if (r != -ENOBUFS) {
                        helper_lost(t, "cannot write to the Docker helper", true);
                        /* the others' failures are delivered from the loop */
                        (void)sd_event_source_set_enabled(t->defer, SD_EVENT_ONESHOT);
                        return -ECONNRESET;
                }
                return r;
        }
        req->t = t;
        req->owner = owner;
        req->type = type;
        req->id = ++t->last_id;
        req->next = t->requests;
        if (t->requests)
                t->requests->prev = req;
        t->requests = req;
        log_debug("docker: %s %s", method, path);
        if (ret)
                *ret = req;
        return 0;
}

/* ---- results ----------------------------------------------------------------- */

int docker_request_result(struct request *req)
{
        long http = req->http;
        char msg[512];

        if (req->result < 0)
                return req->result;
        if (http >= 200 && http < 300)
                return 0;
        /* 304 from stop: already stopped, which is what was asked. */
        if (http == 304 && req->type == REQ_STOP)
                return 0;
        /* An inspect of a container that is gone is how we learn it went. */
        if (http == 404 && req->type == REQ_INSPECT)
                return -ENOENT;
        if (req->response.len > 0 &&
            docker_json_parse_error(req->response.data, req->response.len, msg, sizeof(msg)) >= 0)
                log_event(LOG_WARNING, MSGID_DOCKER, NULL, "Docker Engine: HTTP %ld: %s", http,
                          msg);
        else
                log_event(LOG_WARNING, MSGID_DOCKER, NULL, "Docker Engine: HTTP %ld", http);
        if (http == 404)
                return -ENOENT;
        return -EIO;
}
