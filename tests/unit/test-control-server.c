/* Unit tests for the control socket server on a real sd-event loop and a
 * real unix socket in a private directory: a request reaches the handler
 * byte for byte with the peer's credentials, an oversized one is refused,
 * a burst larger than one accept batch is answered in full (the paced
 * socket comes back after its rest), slots run out into "busy" for an
 * unprivileged peer, and a deferred answer arrives later (no deadline
 * meanwhile), or goes nowhere once the server is gone. Runs as root or not: what root may do and
 * what others get ("permission denied", "busy") is checked for whichever it is. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control_proto.h"
#include "control_server.h"
#include "test.h"

#define LOOP_STEP_USEC (10 * USEC_PER_MSEC)
#define LOOP_STEPS_MAX 500 /* 5 s: far beyond what any step here needs */
#define BURST_CLIENTS  40  /* more than one accept batch, more than one uid's slots */
#define REPLY_MAX      512

static const char ECHO_LINE[] = "{\"ok\":true,\"result\":\"echo\"}\n";

static char sock_path[108];
static bool privileged;
static unsigned n_requests;
static char last_request[128];
static size_t last_len;
static struct control_peer last_peer;
static struct control_server_client *deferred;

static void on_request(struct control_server_client *cl, const struct control_peer *peer,
                       const char *request, size_t len, void *userdata)
{
        (void)userdata;
        n_requests++;
        last_peer = *peer;
        last_len = len < sizeof last_request ? len : sizeof last_request - 1;
        memcpy(last_request, request, last_len);
        last_request[last_len] = '\0';
        if (strncmp(request, "defer", 5) == 0) {
                deferred = cl;
                control_server_defer(cl);
                return;
        }
        control_server_respond(cl, strdup(ECHO_LINE));
}

static int client_connect(void)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

        if (fd < 0)
                abort();
        util_strlcpy(sa.sun_path, sock_path, sizeof sa.sun_path);
        /* the listen backlog takes it before the server accepts */
        if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
                abort();
        (void)fcntl(fd, F_SETFL, O_NONBLOCK);
        return fd;
}

/* Drive the loop until every fd has its whole reply (EOF), or give up. */
static void collect(sd_event *e, const int *fds, size_t n, char (*replies)[REPLY_MAX])
{
        size_t lens[BURST_CLIENTS] = {0};
        bool done[BURST_CLIENTS] = {false};
        size_t left = n;

        for (unsigned step = 0; left > 0 && step < LOOP_STEPS_MAX; step++) {
                (void)sd_event_run(e, LOOP_STEP_USEC);
                for (size_t i = 0; i < n; i++) {
                        ssize_t k;

                        if (done[i])
                                continue;
                        k = recv(fds[i], replies[i] + lens[i], REPLY_MAX - 1 - lens[i], 0);
                        if (k > 0) {
                                lens[i] += (size_t)k;
                                continue;
                        }
                        if (k < 0 && errno == EAGAIN)
                                continue;
                        done[i] = true; /* EOF, or reset after the answer */
                        left--;
                }
        }
        for (size_t i = 0; i < n; i++)
                replies[i][lens[i]] = '\0';
        CHECK_EQ_INT(left, 0);
}

static void ask(sd_event *e, const char *request, char reply[REPLY_MAX])
{
        int fd = client_connect();
        char(*r)[REPLY_MAX] = (char(*)[REPLY_MAX])reply;

        CHECK_EQ_INT(send(fd, request, strlen(request), 0), (ssize_t)strlen(request));
        collect(e, &fd, 1, r);
        close(fd);
}

static void test_request(sd_event *e)
{
        char reply[REPLY_MAX];

        n_requests = 0;
        ask(e, "{\"verb\":\"status\"}\n", reply);
        if (privileged) {
                CHECK_EQ_INT(n_requests, 1);
                CHECK_STREQ(last_request, "{\"verb\":\"status\"}\n");
                CHECK_EQ_INT(last_len, strlen("{\"verb\":\"status\"}\n"));
                CHECK_EQ_INT(last_peer.uid, 0);
                CHECK_EQ_INT(last_peer.pid, getpid());
                CHECK(last_peer.may_change);
                CHECK_STREQ(reply, ECHO_LINE);
        } else if (!getgrnam(CONTROL_GROUP)) {
                /* no control group on this machine: only root may read */
                CHECK_EQ_INT(n_requests, 0);
                CHECK(strstr(reply, "\"ok\":false") && strstr(reply, "permission denied"));
        }

        /* a request ended by shutting down the write side, no '\n' */
        if (privileged) {
                int fd = client_connect();
                char(*r)[REPLY_MAX] = &reply;

                CHECK_EQ_INT(send(fd, "{}", 2, 0), 2);
                (void)shutdown(fd, SHUT_WR);
                collect(e, &fd, 1, r);
                close(fd);
                CHECK_STREQ(last_request, "{}");
                CHECK_STREQ(reply, ECHO_LINE);
        }
}

static void test_too_large(sd_event *e)
{
        char chunk[4096], reply[REPLY_MAX] = "";
        int fd = client_connect();
        size_t sent = 0;
        char(*r)[REPLY_MAX] = &reply;

        memset(chunk, 'x', sizeof chunk);
        n_requests = 0;
        /* no '\n' ever: past CONTROL_REQUEST_MAX the server must answer */
        for (unsigned step = 0; sent <= CONTROL_REQUEST_MAX && step < LOOP_STEPS_MAX; step++) {
                ssize_t k = send(fd, chunk, sizeof chunk, MSG_NOSIGNAL);

                if (k > 0)
                        sent += (size_t)k;
                else if (k < 0 && errno != EAGAIN)
                        break; /* the server answered and closed */
                (void)sd_event_run(e, 0);
        }
        collect(e, &fd, 1, r);
        close(fd);
        CHECK_EQ_INT(n_requests, 0);
        CHECK(strstr(reply, "request too large") != NULL);
}

static void test_burst(sd_event *e)
{
        static char replies[BURST_CLIENTS][REPLY_MAX];
        int fds[BURST_CLIENTS];
        unsigned busy = 0, answered = 0;

        for (size_t i = 0; i < BURST_CLIENTS; i++) {
                fds[i] = client_connect();
                CHECK_EQ_INT(send(fds[i], "{}\n", 3, 0), 3);
        }
        collect(e, fds, BURST_CLIENTS, replies);
        for (size_t i = 0; i < BURST_CLIENTS; i++) {
                close(fds[i]);
                if (strstr(replies[i], "busy: too many control connections"))
                        busy++;
                else if (replies[i][0])
                        answered++;
        }
        /* every client hears back, past the first batch and its rest */
        CHECK_EQ_INT(busy + answered, BURST_CLIENTS);
        if (privileged)
                CHECK_EQ_INT(busy, 0); /* root's own slots */
        else
                CHECK(answered >= CONTROL_CLIENTS_PER_UID_MAX); /* at least one uid's slots */
}

/* A request the handler defers: the client's fd, with deferred set. */
static int start_deferred(sd_event *e)
{
        int fd = client_connect();

        deferred = NULL;
        CHECK_EQ_INT(send(fd, "defer\n", 6, 0), 6);
        for (unsigned step = 0; !deferred && step < LOOP_STEPS_MAX; step++)
                (void)sd_event_run(e, LOOP_STEP_USEC);
        CHECK(deferred != NULL);
        return fd;
}

static void test_deferred(sd_event *e)
{
        char reply[REPLY_MAX] = "";
        char(*r)[REPLY_MAX] = &reply;
        int fd;
        ssize_t k;

        if (!privileged)
                return; /* the handler sees no request of others without the group */
        fd = start_deferred(e);
        /* past the client's deadline: a deferred client is not timed out
         * (it would be closed: EOF here) */
        for (usec_t end = util_now_usec() + CONTROL_CLIENT_TIMEOUT_USEC + 200 * USEC_PER_MSEC;
             util_now_usec() < end;)
                (void)sd_event_run(e, LOOP_STEP_USEC);
        k = recv(fd, reply, sizeof reply, MSG_DONTWAIT);
        CHECK(k < 0 && errno == EAGAIN);
        if (deferred)
                control_server_respond(deferred, strdup(ECHO_LINE));
        collect(e, &fd, 1, r);
        close(fd);
        CHECK_STREQ(reply, ECHO_LINE);
}

/* A deferred answer after the server is gone goes nowhere and leaks nothing
 * (ASan builds check the second half). */
static void test_deferred_after_free(sd_event *e, struct control_server **srv)
{
        int fd;

        if (!privileged)
                return;
        fd = start_deferred(e);
        *srv = control_server_free(*srv);
        if (deferred)
                control_server_respond(deferred, strdup(ECHO_LINE));
        close(fd);
}

int main(void)
{
        char dir[] = "/tmp/test-control-server.XXXXXX";
        struct control_server *srv = NULL;
        sd_event *e = NULL;

        /* a socket passed by a service manager would win over the path */
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_PID");
        privileged = geteuid() == 0;
        if (!mkdtemp(dir))
                return 1;
        snprintf(sock_path, sizeof sock_path, "%s/control.sock", dir);
        CHECK_EQ_INT(sd_event_new(&e), 0);
        CHECK_EQ_INT(control_server_new(e, sock_path, on_request, NULL, &srv), 0);
        if (!srv)
                return TEST_RESULT();

        test_request(e);
        test_too_large(e);
        test_burst(e);
        test_deferred(e);
        test_deferred_after_free(e, &srv);

        srv = control_server_free(srv);
        CHECK(access(sock_path, F_OK) < 0); /* the socket it created is gone */
        sd_event_unref(e);
        (void)rmdir(dir);
        return TEST_RESULT();
}
