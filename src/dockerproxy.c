/* sutazai-governor-docker — the governor's Docker client process.
 *
 *   sutazai-governor-docker DOCKER_SOCKET      (spawned by sutazai-governor)
 *
 * Owns libcurl, so that libcurl and the libraries it brings (TLS, HTTP/2,
 * LDAP, Kerberos, SSH: megabytes of relocated data) stay out of the
 * governor's locked core. Reads requests from the core on fd 3
 * (dockerproxy.h), checks each against the same allow-list the core used,
 * performs them on the Docker socket with one curl multi handle, and streams
 * back the headers asked for, the body in bounded chunks, and the outcome.
 *
 * Not memory-locked (mlockall does not survive exec) and not protected from
 * the OOM killer: oom_score_adj 0. The kill path never needs Docker
 * (cgroup.kill is kernel-first); if this process dies, the core sees a lost
 * Docker connection and respawns it. It also drops every capability and
 * sets no_new_privs: it keeps uid 0 only to open the Docker socket.
 *
 * Exits 0 when the core closes its end, 1 on a failure of its own, 2 when
 * the core broke the protocol. Writes to the core block: the core reads
 * from its event loop and never blocks on this process. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <curl/curl.h>

#include "docker.h"
#include "dockerproxy.h"

#define CONNECT_TIMEOUT_MSEC 2000L /* ms: connect() to the unix socket */
#define MAX_CONNECTIONS      16    /* to dockerd at once; more requests wait in curl */
#define POLL_IDLE_MSEC       60000 /* ms: longest sleep; curl's own timeouts cut it short */

struct transfer {
        uint32_t id;
        CURL *easy;
        struct curl_slist *headers;
        char *body;
        bool want_headers;
        bool headers_sent;
        struct transfer *next;
        char error[CURL_ERROR_SIZE];
};

static const char *socket_path;
static CURLM *multi;
static struct transfer *transfers;

static void transfer_free(struct transfer *x);

/* Leave with nothing held, so a sanitizer build reports only real leaks. */
static _Noreturn void leave(int status)
{
        while (transfers)
                transfer_free(transfers);
        if (multi)
                curl_multi_cleanup(multi);
        curl_global_cleanup();
        exit(status);
}

static void send_to_core(const void *buf, ssize_t n)
{
        for (;;) {
                ssize_t k = send(DOCKERPROXY_FD, buf, (size_t)n, MSG_NOSIGNAL);

                if (k == n)
                        return;
                if (k < 0 && errno == EINTR)
                        continue;
                /* The core is gone (EPIPE) or the socket broke: nothing to serve. */
                leave(k < 0 && (errno == EPIPE || errno == ECONNRESET) ? 0 : 1);
        }
}

static void send_done(uint32_t id, int result, long http, const char *error)
{
        char buf[DOCKERPROXY_REPLY_MAX];
        ssize_t n = dockerproxy_build_done(buf, id, result,
                                           http >= 0 && http <= 999 ? (unsigned)http : 0, error);

        if (n > 0)
                send_to_core(buf, n);
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct transfer *x = userdata;
        char buf[DOCKERPROXY_REPLY_MAX];
        size_t n = size * nmemb;

        for (size_t off = 0; off < n;) {
                size_t k = n - off < DOCKERPROXY_CHUNK_MAX ? n - off : DOCKERPROXY_CHUNK_MAX;

                send_to_core(buf, dockerproxy_build_data(buf, x->id, data + off, k));
                off += k;
        }
        return n;
}

/* The empty line ends the header block: tell the core the status and
 * whether the body is application/json-seq (API >= 1.52 may frame events
 * that way). */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct transfer *x = userdata;
        size_t n = size * nmemb;
        char buf[DOCKERPROXY_REPLY_MAX];
        const char *type = NULL;
        long http = 0;

        if (x->headers_sent || n != 2 || data[0] != '\r' || data[1] != '\n')
                return n;
        (void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &http);
        if (http >= 100 && http < 200)
                return n; /* an interim answer; the real headers follow */
        (void)curl_easy_getinfo(x->easy, CURLINFO_CONTENT_TYPE, &type);
        x->headers_sent = true;
        send_to_core(buf, dockerproxy_build_headers(
                              buf, x->id, http >= 0 && http <= 999 ? (unsigned)http : 0,
                              type && strncasecmp(type, "application/json-seq", 20) == 0
                                  ? DOCKERPROXY_JSON_SEQ
                                  : 0));
        return n;
}

static void transfer_free(struct transfer *x)
{
        for (struct transfer **p = &transfers; *p; p = &(*p)->next)
                if (*p == x) {
                        *p = x->next;
                        break;
                }
        if (x->easy) {
                curl_multi_remove_handle(multi, x->easy);
                curl_easy_cleanup(x->easy);
        }
        curl_slist_free_all(x->headers);
        free(x->body);
        free(x);
}

static struct transfer *transfer_find(uint32_t id)
{
        for (struct transfer *x = transfers; x; x = x->next)
                if (x->id == id)
                        return x;
        return NULL;
}

/* A START the allow-list passed: one easy handle on the multi. 0 or -errno. */
static int transfer_start(const struct dockerproxy_msg *m, const char *method, const char *path)
{
        char url[DOCKERPROXY_PATH_MAX + 32];
        struct transfer *x;
        CURL *e;

        x = calloc(1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        x->id = m->id;
        x->want_headers = m->flags & DOCKERPROXY_WANT_HEADERS;
        x->next = transfers;
        transfers = x;
        snprintf(url, sizeof(url), "http://localhost%s", path);
        x->easy = e = curl_easy_init();
        if (!e)
                return -ENOMEM;
        x->headers = curl_slist_append(NULL, "Expect:");
        if (!x->headers)
                return -ENOMEM;
        if (m->body_len > 0) {
                struct curl_slist *h =
                    curl_slist_append(x->headers, "Content-Type: application/json");

                if (!h)
                        return -ENOMEM;
                x->headers = h;
                x->body = strndup(m->body, m->body_len);
                if (!x->body)
                        return -ENOMEM;
        }
        if (curl_easy_setopt(e, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, socket_path) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_NOPROXY, "*") != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MSEC) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)m->timeout_ms) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_PRIVATE, x) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_WRITEDATA, x) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->error) != CURLE_OK ||
            curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers) != CURLE_OK)
                return -ENOMEM;
        if (x->want_headers &&
            (curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
             curl_easy_setopt(e, CURLOPT_HEADERDATA, x) != CURLE_OK))
                return -ENOMEM;
        if (strcmp(method, "POST") == 0) {
                if (curl_easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK ||
                    curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body ? x->body : "") != CURLE_OK ||
                    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)m->body_len) != CURLE_OK)
                        return -ENOMEM;
        } else if (strcmp(method, "GET") != 0) {
                if (curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK)
                        return -ENOMEM;
        }
        if (curl_multi_add_handle(multi, e) != CURLM_OK)
                return -EIO;
        return 0;
}

static void handle_request(const struct dockerproxy_msg *m)
{
        char path[DOCKERPROXY_PATH_MAX + 1];
        const char *method = dockerproxy_method_name(m->method);
        struct transfer *x;
        int r;

        if (m->type == DOCKERPROXY_CANCEL) {
                x = transfer_find(m->id);
                if (x)
                        transfer_free(x);
                return;
        }
        if (transfer_find(m->id)) {
                fprintf(stderr, DOCKERPROXY_PROGRAM ": request id %u reused\n", m->id);
                leave(2);
        }
        memcpy(path, m->path, m->path_len);
        path[m->path_len] = '\0';
        /* Again here: whatever reaches this socket, only the allow-list
         * reaches dockerd. */
        if (!docker_request_allowed(method, path)) {
                send_done(m->id, -EPERM, 0, "refused by the helper's allow-list");
                return;
        }
        r = transfer_start(m, method, path);
        if (r < 0) {
                x = transfer_find(m->id);
                if (x)
                        transfer_free(x);
                send_done(m->id, r, 0, "cannot start the request");
        }
}

/* Everything the core has sent so far. */
static void read_core(void)
{
        char buf[DOCKERPROXY_REQUEST_MAX + 1];
        struct dockerproxy_msg m;

        for (;;) {
                ssize_t n = recv(DOCKERPROXY_FD, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n == 0)
                        leave(0); /* the core closed its end */
                if (n < 0) {
                        fprintf(stderr, DOCKERPROXY_PROGRAM ": reading fd %d: %s\n", DOCKERPROXY_FD,
                                strerror(errno));
                        leave(1);
                }
                if ((size_t)n > DOCKERPROXY_REQUEST_MAX ||
                    dockerproxy_parse_request(buf, (size_t)n, &m) < 0) {
                        fprintf(stderr, DOCKERPROXY_PROGRAM ": malformed request (%zd bytes)\n", n);
                        leave(2);
                }
                handle_request(&m);
        }
}

static int curl_result_errno(CURLcode code)
{
        switch (code) {
        case CURLE_OK:
                return 0;
        case CURLE_OPERATION_TIMEDOUT:
                return -ETIMEDOUT;
        case CURLE_COULDNT_CONNECT:
                return -ECONNREFUSED;
        case CURLE_WRITE_ERROR:
                return -EMSGSIZE;
        case CURLE_PARTIAL_FILE:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
                return -ECONNRESET; /* dockerd went away mid-answer */
        case CURLE_OUT_OF_MEMORY:
                return -ENOMEM;
        default:
                return -EIO;
        }
}

static void collect_done(void)
{
        CURLMsg *msg;
        int left;

        while ((msg = curl_multi_info_read(multi, &left))) {
                struct transfer *x = NULL;
                CURLcode code;
                long http = 0;

                if (msg->msg != CURLMSG_DONE)
                        continue;
                code = msg->data.result;
                (void)curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &x);
                if (!x)
                        continue;
                (void)curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &http);
                send_done(x->id, curl_result_errno(code), http,
                          code == CURLE_OK ? NULL
                          : x->error[0]    ? x->error
                                           : curl_easy_strerror(code));
                /* Removing reshuffles curl's message queue: start over. */
                transfer_free(x);
        }
}

/* Keep uid 0 (the Docker socket is root's) but no capability, and no way
 * to gain any; stop being OOM-protected (see the top of this file). */
static void drop_privileges(void)
{
        struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct data[2] = {};
        int fd;

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
        if (fd < 0 || write(fd, "0", 1) != 1)
                fprintf(stderr, DOCKERPROXY_PROGRAM ": cannot set oom_score_adj: %s\n",
                        strerror(errno));
        if (fd >= 0)
                close(fd);
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_capset, &header, data) < 0) {
                fprintf(stderr, DOCKERPROXY_PROGRAM ": cannot drop privileges: %s\n",
                        strerror(errno));
                exit(1);
        }
}

int main(int argc, char *argv[])
{
        if (argc != 2 || argv[1][0] != '/' || fcntl(DOCKERPROXY_FD, F_GETFD) < 0) {
                fprintf(stderr,
                        "usage: " DOCKERPROXY_PROGRAM " DOCKER_SOCKET (with the governor's "
                        "socket as fd %d; started by sutazai-governor, not by hand)\n",
                        DOCKERPROXY_FD);
                return 1;
        }
        socket_path = argv[1];
        drop_privileges();
        /* NOTHING: plain HTTP over a unix socket needs no TLS initialisation */
        if (curl_global_init(CURL_GLOBAL_NOTHING) != CURLE_OK)
                return 1;
        multi = curl_multi_init();
        if (!multi || curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
                                        (long)MAX_CONNECTIONS) != CURLM_OK)
                return 1;
        for (;;) {
                struct curl_waitfd core = {.fd = DOCKERPROXY_FD, .events = CURL_WAIT_POLLIN};
                int running;

                read_core();
                if (curl_multi_perform(multi, &running) != CURLM_OK)
                        leave(1);
                collect_done();
                if (curl_multi_poll(multi, &core, 1, POLL_IDLE_MSEC, NULL) != CURLM_OK)
                        leave(1);
        }
}
