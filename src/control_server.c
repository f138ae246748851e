/* control_server — see include/control_server.h */
#include "control_server.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "control_proto.h"
#include "log.h"

#define CONTROL_PEER_GROUPS_MAX 256 /* supplementary groups checked per peer */
/* bytes: getgrnam_r's first buffer; it doubles on ERANGE up to the max (a
 * group with thousands of members) */
#define GROUP_BUF_BYTES     16384
#define GROUP_BUF_MAX_BYTES (1024 * 1024)
/* bytes: the reload lookup thread's stack (NSS modules run on it) */
#define GROUP_THREAD_STACK_BYTES (256 * 1024)

struct control_server_client {
        struct control_server *server; /* NULL once the server is gone (deferred reply pending) */
        struct control_server_client *prev, *next;
        int fd;
        sd_event_source *io;
        sd_event_source *timeout;
        struct ucred cred;
        bool may_read;   /* root or member of CONTROL_GROUP */
        bool may_change; /* root */
        char *in;
        size_t in_len;
        char *out;
        size_t out_len, out_pos;
        bool deferred; /* waiting for an asynchronous result (cleanup) */
};

struct control_server {
        sd_event *event;
        control_server_request_fn on_request;
        void *userdata;
        int listen_fd;
        char *path; /* the socket we created and unlink at exit; NULL if passed in */
        sd_event_source *listen_source;
        sd_event_source *accept_pause;         /* re-enables listen_source once credit is back */
        usec_t accept_credit_usec;             /* CONTROL_ACCEPT_COST_USEC per connection */
        usec_t accept_credit_at;               /* when the credit was last topped up */
        struct control_server_client *clients; /* newest first */
        size_t n_clients;
        size_t n_unprivileged; /* clients that are not root: at most CONTROL_CLIENTS_MAX */
        gid_t group_gid;       /* CONTROL_GROUP, looked up at start-up and reload only */
        bool group_known;
        /* the reload's lookup, answered by its thread on this socket */
        sd_event_source *group_answer;
        bool group_again; /* a reload came while one was in flight */
        uint64_t refused_busy;
        /* The answer to a client without a slot, built once: in a reconnect
         * storm it is sent thousands of times a second. */
        char *busy_line;
        size_t busy_len;
};

/* ---- clients ------------------------------------------------------------ */

static void client_unlink(struct control_server_client *cl)
{
        struct control_server *s = cl->server;

        if (!s)
                return;
        if (cl->prev)
                cl->prev->next = cl->next;
        else
                s->clients = cl->next;
        if (cl->next)
                cl->next->prev = cl->prev;
        s->n_clients--;
        if (cl->cred.uid != 0)
                s->n_unprivileged--;
        cl->server = NULL;
        cl->prev = cl->next = NULL;
}

static void client_free(struct control_server_client *cl)
{
        client_unlink(cl);
        cl->io = sd_event_source_disable_unref(cl->io);
        cl->timeout = sd_event_source_disable_unref(cl->timeout);
        if (cl->fd >= 0)
                close(cl->fd);
        free(cl->in);
        free(cl->out);
        free(cl);
}

/* The peer went away or misbehaved while a deferred result is pending:
 * stop talking to it, keep the struct for the completion callback. */
static void client_detach(struct control_server_client *cl)
{
        cl->io = sd_event_source_disable_unref(cl->io);
        cl->timeout = sd_event_source_disable_unref(cl->timeout);
        if (cl->fd >= 0) {
                close(cl->fd);
                cl->fd = -1;
        }
}

static int on_client_io(sd_event_source *source, int fd, uint32_t revents, void *userdata);

static int arm_client_timeout(struct control_server_client *cl)
{
        return sd_event_source_set_time_relative(cl->timeout, CONTROL_CLIENT_TIMEOUT_USEC) < 0 ||
                       sd_event_source_set_enabled(cl->timeout, SD_EVENT_ONESHOT) < 0
                   ? -EIO
                   : 0;
}

void control_server_respond(struct control_server_client *cl, char *line)
{
        assert(cl);
        if (!line) {
                log_error("out of memory answering a control request");
                client_free(cl);
                return;
        }
        free(cl->out);
        cl->out = line;
        cl->out_len = strlen(line);
        cl->out_pos = 0;
        cl->deferred = false;
        if (cl->fd < 0 || !cl->server) {
                /* Nobody to answer any more. */
                client_free(cl);
                return;
        }
        if (arm_client_timeout(cl) < 0 || sd_event_source_set_io_events(cl->io, EPOLLOUT) < 0) {
                client_free(cl);
                return;
        }
        /* Try at once: most responses fit in the socket buffer. */
        (void)on_client_io(cl->io, cl->fd, EPOLLOUT, cl);
}

void control_server_defer(struct control_server_client *cl)
{
        assert(cl);
        /* The answer comes later; no timeout while the work runs. */
        cl->deferred = true;
        (void)sd_event_source_set_enabled(cl->timeout, SD_EVENT_OFF);
        (void)sd_event_source_set_io_events(cl->io, 0);
}

static void client_handle(struct control_server_client *cl)
{
        struct control_peer peer = {
            .uid = cl->cred.uid,
            .pid = cl->cred.pid,
            .may_change = cl->may_change,
        };

        /* Nothing more is read; the response ends the conversation. */
        (void)shutdown(cl->fd, SHUT_RD);

        if (!cl->may_read) {
                control_server_respond(
                    cl, control_response_error("permission denied: only root and members of group "
                                               "%s may use the governor's control socket",
                                               CONTROL_GROUP));
                return;
        }
        cl->server->on_request(cl, &peer, cl->in, cl->in_len, cl->server->userdata);
}

static void client_read(struct control_server_client *cl)
{
        /* Allocated once the client has something to say: idle connections cost no buffer. */
        if (!cl->in && !(cl->in = malloc(CONTROL_REQUEST_MAX))) {
                log_error("out of memory reading a control request");
                client_free(cl);
                return;
        }
        for (;;) {
                size_t room = CONTROL_REQUEST_MAX - cl->in_len;
                ssize_t n;
                char *nl;

                if (room == 0) {
                        control_server_respond(
                            cl, control_response_error(
                                    "bad request: request too large (limit %u bytes)",
                                    CONTROL_REQUEST_MAX));
                        return;
                }
                n = recv(cl->fd, cl->in + cl->in_len, room, MSG_DONTWAIT);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return;
                if (n < 0) {
                        client_free(cl);
                        return;
                }
                if (n == 0) {
                        /* The client shut down its write side: that ends the request. */
                        client_handle(cl);
                        return;
                }
                nl = memchr(cl->in + cl->in_len, '\n', (size_t)n);
                cl->in_len += (size_t)n;
                if (nl) {
                        cl->in_len = (size_t)(nl - cl->in) + 1;
                        client_handle(cl);
                        return;
                }
        }
}

static void client_write(struct control_server_client *cl)
{
        while (cl->out_pos < cl->out_len) {
                ssize_t n = send(cl->fd, cl->out + cl->out_pos, cl->out_len - cl->out_pos,
                                 MSG_DONTWAIT | MSG_NOSIGNAL);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                        return;
                if (n < 0) {
                        client_free(cl);
                        return;
                }
                cl->out_pos += (size_t)n;
        }
        client_free(cl);
}

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control_server_client *cl = userdata;

        (void)s;
        (void)fd;
        if (cl->deferred) {
                /* The peer hung up while its cleanup runs: answer nobody. */
                if (revents & (EPOLLHUP | EPOLLERR))
                        client_detach(cl);
                return 0;
        }
        if (cl->out)
                client_write(cl);
        else if (revents & (EPOLLIN | EPOLLHUP | EPOLLERR))
                client_read(cl);
        return 0;
}

static int on_client_timeout(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct control_server_client *cl = userdata;

        (void)s;
        (void)usec;
        log_debug("control client pid %d dropped: too slow", (int)cl->cred.pid);
        if (cl->deferred)
                client_detach(cl);
        else
                client_free(cl);
        return 0;
}

static bool peer_in_group(int fd, const struct ucred *cred, gid_t gid)
{
        gid_t groups[CONTROL_PEER_GROUPS_MAX];
        socklen_t len = sizeof groups;

        if (cred->gid == gid)
                return true;
        /* The peer's groups as they were at connect(): no /proc race. */
        if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
                return false;
        for (size_t i = 0; i < len / sizeof groups[0]; i++)
                if (groups[i] == gid)
                        return true;
        return false;
}

/* Who gets a slot (issue 13: 32 idle connections and a reconnect storm
 * locked root out for seconds). Root always does: it has
 * CONTROL_ROOT_CLIENTS_MAX slots of its own, and when even those are taken
 * the oldest unprivileged client makes room. Others share
 * CONTROL_CLIENTS_MAX slots, at most CONTROL_CLIENTS_PER_UID_MAX per uid. */
static bool admit(struct control_server *srv, const struct ucred *cred)
{
        struct control_server_client *oldest = NULL;
        size_t same_uid = 0;

        if (cred->uid == 0) {
                if (srv->n_clients - srv->n_unprivileged < CONTROL_ROOT_CLIENTS_MAX)
                        return true;
                for (struct control_server_client *cl = srv->clients; cl; cl = cl->next)
                        if (cl->cred.uid != 0 && !cl->deferred)
                                oldest = cl;
                if (!oldest)
                        return false;
                log_debug("control client pid %d dropped to make room for root",
                          (int)oldest->cred.pid);
                client_free(oldest);
                return true;
        }
        if (srv->n_unprivileged >= CONTROL_CLIENTS_MAX)
                return false;
        for (struct control_server_client *cl = srv->clients; cl; cl = cl->next)
                if (cl->cred.uid == cred->uid)
                        same_uid++;
        return same_uid < CONTROL_CLIENTS_PER_UID_MAX;
}

/* No slot: say so at once rather than leave the client in the backlog,
 * where it would queue ahead of root. The response fits in the empty socket
 * buffer of a new connection; if not, it is lost, never waited for. */
static void refuse_busy(struct control_server *srv, int fd)
{
        srv->refused_busy++;
        (void)send(fd, srv->busy_line, srv->busy_len, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static int on_accept_pause_end(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct control_server *srv = userdata;

        (void)s;
        (void)usec;
        if (sd_event_source_set_enabled(srv->listen_source, SD_EVENT_ON) < 0)
                log_error("cannot watch the control socket again");
        return 0;
}

/* Credit grows with time, up to CONTROL_ACCEPT_BURST connections' worth. */
static void top_up_credit(struct control_server *srv)
{
        usec_t now = util_now_usec();

        srv->accept_credit_usec += now - srv->accept_credit_at;
        if (srv->accept_credit_usec > CONTROL_ACCEPT_BURST * CONTROL_ACCEPT_COST_USEC)
                srv->accept_credit_usec = CONTROL_ACCEPT_BURST * CONTROL_ACCEPT_COST_USEC;
        srv->accept_credit_at = now;
}

/* Stop accepting until a batch's credit is back. If the timer cannot be
 * armed the socket stays watched: unpaced beats deaf. */
static void pause_accepting(struct control_server *srv)
{
        usec_t wait = CONTROL_ACCEPT_BATCH * CONTROL_ACCEPT_COST_USEC - srv->accept_credit_usec;

        if (sd_event_source_set_time_relative(srv->accept_pause, wait) < 0 ||
            sd_event_source_set_enabled(srv->accept_pause, SD_EVENT_ONESHOT) < 0)
                return;
        (void)sd_event_source_set_enabled(srv->listen_source, SD_EVENT_OFF);
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control_server *srv = userdata;
        struct control_server_client *cl;
        struct ucred cred;
        socklen_t len;
        int cfd, r;

        (void)s;
        (void)revents;
        /* The backlog is drained, never left to fill: a connection waiting
         * there could be root's. But in small batches, so that a reconnect
         * storm holds the loop (a PSI trigger, root's request) no longer
         * than one batch takes: the source is level-triggered and comes
         * back once what else is ready has run. And paced: each connection
         * spends CONTROL_ACCEPT_COST_USEC of a credit that grows with time;
         * with none left the socket rests until a batch's worth is back. A
         * storm then costs the governor a bounded share of a CPU however
         * fast its clients reconnect, and the loop sleeps in between
         * instead of being preempted by the clients it keeps waking. Credit
         * saved while the loop waited for a CPU is spent at once, so a busy
         * host does not slow the draining of the backlog below the rate. */
        top_up_credit(srv);
        for (unsigned i = 0; i < CONTROL_ACCEPT_BATCH; i++) {
                if (srv->accept_credit_usec < CONTROL_ACCEPT_COST_USEC) {
                        pause_accepting(srv);
                        break;
                }
                cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                if (cfd < 0) {
                        if (errno == EINTR || errno == ECONNABORTED)
                                continue;
                        if (errno != EAGAIN && errno != EWOULDBLOCK)
                                log_warning("control socket accept failed: %s", strerror(errno));
                        break;
                }
                srv->accept_credit_usec -= CONTROL_ACCEPT_COST_USEC;
                len = sizeof cred;
                if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0) {
                        close(cfd);
                        continue;
                }
                if (!admit(srv, &cred)) {
                        refuse_busy(srv, cfd);
                        close(cfd);
                        continue;
                }
                cl = calloc(1, sizeof *cl);
                if (!cl) {
                        close(cfd);
                        log_error("out of memory accepting a control client");
                        break;
                }
                cl->fd = cfd;
                cl->server = srv;
                cl->cred = cred;
                cl->next = srv->clients;
                if (srv->clients)
                        srv->clients->prev = cl;
                srv->clients = cl;
                srv->n_clients++;
                if (cl->cred.uid != 0)
                        srv->n_unprivileged++;

                cl->may_change = cl->cred.uid == 0;
                /* The group as looked up at start-up or reload: NSS (LDAP,
                 * sssd) may be slow, and this runs in the loop. */
                cl->may_read = cl->may_change ||
                               (srv->group_known && peer_in_group(cfd, &cl->cred, srv->group_gid));

                r = sd_event_add_io(srv->event, &cl->io, cfd, EPOLLIN, on_client_io, cl);
                if (r >= 0)
                        r = sd_event_add_time_relative(srv->event, &cl->timeout, CLOCK_MONOTONIC,
                                                       CONTROL_CLIENT_TIMEOUT_USEC, 0,
                                                       on_client_timeout, cl);
                /* Root's requests first when many clients are ready at once
                 * (still after PSI triggers, which are IMPORTANT). */
                if (r >= 0 && cl->may_change)
                        r = sd_event_source_set_priority(cl->io, CONTROL_ROOT_PRIORITY);
                if (r < 0) {
                        log_warning("cannot watch a control client: %s", strerror(-r));
                        client_free(cl);
                        continue;
                }
        }
        return 0;
}

/* CONTROL_GROUP as NSS knows it: 1 found (*ret_gid), 0 no such group, <0
 * the lookup failed. May wait on NSS (LDAP, sssd...): never on the loop
 * but at start-up, before the loop runs. */
static int group_lookup(gid_t *ret_gid)
{
        size_t size = GROUP_BUF_BYTES;

        for (;;) {
                struct group gr, *found = NULL;
                char *buf = malloc(size);
                int r;

                if (!buf)
                        return -ENOMEM;
                r = getgrnam_r(CONTROL_GROUP, &gr, buf, size, &found);
                if (found)
                        *ret_gid = gr.gr_gid;
                free(buf);
                if (r == ERANGE && size < GROUP_BUF_MAX_BYTES) {
                        size *= 2;
                        continue;
                }
                if (found)
                        return 1;
                return r == 0 || r == ENOENT || r == ESRCH ? 0 : -r;
        }
}

/* What a lookup found, as the reload's thread sends it to the loop. */
struct group_answer {
        int r; /* group_lookup()'s */
        gid_t gid;
};

static void group_apply(struct control_server *srv, const struct group_answer *a)
{
        bool was_known = srv->group_known;
        gid_t was = srv->group_gid;

        if (a->r < 0) {
                log_warning("looking up group %s failed (%s): who may read is unchanged",
                            CONTROL_GROUP, strerror(-a->r));
                return;
        }
        srv->group_known = a->r > 0;
        if (a->r > 0)
                srv->group_gid = a->gid;
        if (srv->group_known == was_known && srv->group_gid == was)
                return;
        if (srv->group_known)
                log_info("control group %s is gid %u", CONTROL_GROUP, (unsigned)srv->group_gid);
        else
                log_info("control group %s does not exist: only root may use the control socket",
                         CONTROL_GROUP);
}

/* The reload's thread: the lookup, off the loop, then one datagram. It owns
 * fd; a server gone meanwhile closed the other end (MSG_NOSIGNAL: no
 * SIGPIPE, the answer is dropped). */
static void *group_thread(void *userdata)
{
        int fd = (int)(intptr_t)userdata;
        struct group_answer a = {0};

        a.r = group_lookup(&a.gid);
        (void)send(fd, &a, sizeof a, MSG_NOSIGNAL);
        close(fd);
        return NULL;
}

static void group_ask(struct control_server *srv);

static int on_group_answer(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct control_server *srv = userdata;
        struct group_answer a;
        ssize_t n = recv(fd, &a, sizeof a, MSG_DONTWAIT);

        srv->group_answer = sd_event_source_disable_unref(srv->group_answer);
        if (n == (ssize_t)sizeof a)
                group_apply(srv, &a);
        else
                log_warning("looking up group %s ended without an answer: who may read is "
                            "unchanged", CONTROL_GROUP);
        if (srv->group_again) {
                srv->group_again = false;
                group_ask(srv);
        }
        return 0;
}

/* Look the group up on a thread of its own: a slow NSS (LDAP down) must not
 * stall the loop (PSI triggers, kills, status). Until the answer comes, the
 * gid known so far stays in force. */
static void group_ask(struct control_server *srv)
{
        pthread_attr_t attr;
        pthread_t thread;
        int fds[2], r;

        if (srv->group_answer) {
                srv->group_again = true; /* the one in flight may predate the change */
                return;
        }
        if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds) < 0) {
                log_warning("cannot look up group %s: %s", CONTROL_GROUP, strerror(errno));
                return;
        }
        r = sd_event_add_io(srv->event, &srv->group_answer, fds[0], EPOLLIN, on_group_answer, srv);
        if (r >= 0)
                r = sd_event_source_set_io_fd_own(srv->group_answer, true);
        if (r < 0) {
                log_warning("cannot look up group %s: %s", CONTROL_GROUP, strerror(-r));
                srv->group_answer = sd_event_source_disable_unref(srv->group_answer);
                if (!srv->group_answer)
                        close(fds[0]);
                close(fds[1]);
                return;
        }
        r = pthread_attr_init(&attr);
        if (r == 0) {
                (void)pthread_attr_setstacksize(&attr, GROUP_THREAD_STACK_BYTES);
                (void)pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                r = pthread_create(&thread, &attr, group_thread, (void *)(intptr_t)fds[1]);
                pthread_attr_destroy(&attr);
        }
        if (r != 0) {
                log_warning("cannot look up group %s: %s", CONTROL_GROUP, strerror(r));
                close(fds[1]); /* the answer source sees the end and logs it */
        }
}

void control_server_reload(struct control_server *srv)
{
        if (srv)
                group_ask(srv);
}

/* ---- socket set-up ------------------------------------------------------ */

/* The socket's directory must not let anyone else swap the socket. */
static int prepare_directory(const char *path)
{
        char dir[PATH_MAX];
        char *slash;
        struct stat st;

        util_strlcpy(dir, path, sizeof dir);
        slash = strrchr(dir, '/');
        if (!slash)
                return 0; /* relative name in the cwd: the operator's choice */
        if (slash == dir)
                return 0; /* directly in / */
        *slash = '\0';

        if (lstat(dir, &st) < 0) {
                if (errno != ENOENT)
                        return -errno;
                if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                        return -errno;
                if (lstat(dir, &st) < 0)
                        return -errno;
        }
        if (!S_ISDIR(st.st_mode)) {
                log_error("control socket directory %s is not a directory (or is a symlink)", dir);
                return -ENOTDIR;
        }
        if (st.st_uid != geteuid()) {
                log_error("control socket directory %s is owned by uid %u, not by us", dir,
                          (unsigned)st.st_uid);
                return -EPERM;
        }
        if (st.st_mode & (S_IWGRP | S_IWOTH)) {
                log_error("control socket directory %s is writable by group or others (mode %04o)",
                          dir, (unsigned)(st.st_mode & 07777));
                return -EPERM;
        }
        return 0;
}

static int fill_address(const char *path, struct sockaddr_un *sa, socklen_t *ret_len)
{
        size_t n = strlen(path);

        if (n == 0 || n >= sizeof sa->sun_path)
                return -ENAMETOOLONG;
        memset(sa, 0, sizeof *sa);
        sa->sun_family = AF_UNIX;
        memcpy(sa->sun_path, path, n);
        *ret_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
        return 0;
}

/* A socket left by a crashed governor is replaced; a live one is not. */
static int remove_stale(const char *path, const struct sockaddr_un *sa, socklen_t sa_len)
{
        _cleanup_close_ int fd = -1;
        struct stat st;

        if (lstat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISSOCK(st.st_mode)) {
                log_error("%s exists and is not a socket; not replacing it", path);
                return -EEXIST;
        }
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        if (connect(fd, (const struct sockaddr *)sa, sa_len) == 0) {
                log_error("another governor is listening on %s", path);
                return -EADDRINUSE;
        }
        if (unlink(path) < 0 && errno != ENOENT)
                return -errno;
        return 0;
}

static int open_socket(const char *path, const struct control_server *srv, int *ret_fd)
{
        _cleanup_close_ int fd = -1;
        struct sockaddr_un sa;
        socklen_t sa_len;
        mode_t old_umask;
        int r;

        r = fill_address(path, &sa, &sa_len);
        if (r < 0)
                return r;
        r = prepare_directory(path);
        if (r < 0)
                return r;
        r = remove_stale(path, &sa, sa_len);
        if (r < 0)
                return r;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* The socket is born 0660: no window in which others could connect. */
        old_umask = umask(0117);
        r = bind(fd, (const struct sockaddr *)&sa, sa_len) < 0 ? -errno : 0;
        umask(old_umask);
        if (r < 0)
                return r;
        if (srv->group_known &&
            fchownat(AT_FDCWD, path, (uid_t)-1, srv->group_gid, AT_SYMLINK_NOFOLLOW) < 0)
                log_warning("cannot give %s to group %s: %s", path, CONTROL_GROUP, strerror(errno));
        if (fchmodat(AT_FDCWD, path, 0660, 0) < 0)
                log_warning("cannot chmod %s: %s", path, strerror(errno));
        if (listen(fd, CONTROL_BACKLOG) < 0) {
                r = -errno;
                (void)unlink(path);
                return r;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* A socket systemd passed us (sutazai-governor.socket). 1 found, 0 none. */
static int passed_socket(int *ret_fd)
{
        int n = sd_listen_fds(true);

        for (int i = 0; i < n; i++) {
                int fd = SD_LISTEN_FDS_START + i;
                if (sd_is_socket_unix(fd, SOCK_STREAM, 1, NULL, 0) > 0) {
                        int flags = fcntl(fd, F_GETFL);
                        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                                return -errno;
                        *ret_fd = fd;
                        return 1;
                }
        }
        return 0;
}

int control_server_new(sd_event *event, const char *path, control_server_request_fn on_request,
                       void *userdata, struct control_server **ret)
{
        struct control_server *srv;
        int r;

        assert(event);
        assert(on_request);
        assert(ret);

        srv = calloc(1, sizeof *srv);
        if (!srv)
                return -ENOMEM;
        srv->event = sd_event_ref(event);
        srv->on_request = on_request;
        srv->userdata = userdata;
        srv->listen_fd = -1;
        srv->accept_credit_usec = CONTROL_ACCEPT_BURST * CONTROL_ACCEPT_COST_USEC;
        srv->accept_credit_at = util_now_usec();
        srv->busy_line = control_response_error("busy: too many control connections, try again");
        if (!srv->busy_line) {
                r = -ENOMEM;
                goto fail;
        }
        srv->busy_len = strlen(srv->busy_line);
        /* at start-up, before the loop runs: waiting here stalls nothing */
        srv->group_known = group_lookup(&srv->group_gid) > 0;

        r = passed_socket(&srv->listen_fd);
        if (r == 0) {
                if (!path || !path[0])
                        path = CONTROL_SOCKET_DEFAULT;
                r = open_socket(path, srv, &srv->listen_fd);
                if (r >= 0) {
                        srv->path = strdup(path);
                        if (!srv->path)
                                r = -ENOMEM;
                }
                if (r >= 0)
                        log_info("control socket at %s", path);
        } else if (r > 0)
                log_info("control socket passed by systemd");
        if (r < 0)
                goto fail;

        r = sd_event_add_io(event, &srv->listen_source, srv->listen_fd, EPOLLIN, on_accept, srv);
        if (r < 0)
                goto fail;
        /* Accuracy 1 µs: sd-event's default (0) would be 250 ms. */
        r = sd_event_add_time_relative(event, &srv->accept_pause, CLOCK_MONOTONIC,
                                       CONTROL_ACCEPT_COST_USEC, 1, on_accept_pause_end, srv);
        if (r < 0)
                goto fail;
        (void)sd_event_source_set_enabled(srv->accept_pause, SD_EVENT_OFF);
        *ret = srv;
        return 0;
fail:
        control_server_free(srv);
        return r;
}

struct control_server *control_server_free(struct control_server *srv)
{
        if (!srv)
                return NULL;
        while (srv->clients) {
                struct control_server_client *cl = srv->clients;

                if (cl->deferred) {
                        /* The completion may still come; it finds no server and frees itself. */
                        client_unlink(cl);
                        client_detach(cl);
                } else
                        client_free(cl);
        }
        srv->listen_source = sd_event_source_disable_unref(srv->listen_source);
        srv->accept_pause = sd_event_source_disable_unref(srv->accept_pause);
        /* closes our end: a lookup thread still running finds it gone */
        srv->group_answer = sd_event_source_disable_unref(srv->group_answer);
        if (srv->listen_fd >= 0)
                close(srv->listen_fd);
        if (srv->path) {
                (void)unlink(srv->path);
                free(srv->path);
        }
        sd_event_unref(srv->event);
        free(srv->busy_line);
        free(srv);
        return NULL;
}
