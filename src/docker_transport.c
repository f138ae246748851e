/* docker_transport — the Docker client's requests: the allow-list every
 * one passes, and libcurl driven by the daemon's sd-event loop.
 *
 * One curl multi handle: CURLMOPT_SOCKETFUNCTION gives every socket curl
 * wants watched an sd-event io source; CURLMOPT_TIMERFUNCTION moves one
 * CLOCK_MONOTONIC timer; both feed curl_multi_socket_action(), and the
 * upper layer's ops->after_curl collects what finished. This file knows
 * nothing above it (see docker_transport.h). Nothing here ever blocks on
 * dockerd. */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "docker_json.h"
#include "docker_transport.h"
#include "log.h"
#include "util.h"

/* ---- allow-list ---------------------------------------------------------- */

/* Every request the module may send. Placeholders: {v} API version, {c}
 * container id (64 hex) or name, {n} decimal seconds, {t} seconds[.nanos],
 * {i} image id or reference (the last path element). Nothing touches
 * volumes, exec, attach or anything that creates containers. */
static const struct endpoint {
        const char *method;
        const char *pattern;
} allow_list[] = {
    {"GET", "/version"},
    {"GET", "/_ping"},
    {"GET", "/v{v}/containers/json?all=1"},
    {"GET", "/v{v}/containers/{c}/json"},
    {"GET", "/v{v}/events?since={t}&filters=%7B%22type%22%3A%5B%22container%22%5D%7D"},
    {"POST", "/v{v}/containers/{c}/update"},
    {"POST", "/v{v}/containers/{c}/stop?t={n}"},
    {"POST", "/v{v}/containers/{c}/kill?signal=SIGKILL"},
    {"POST", "/v{v}/images/prune?filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D"},
    {"POST", "/v{v}/build/prune"},
    {"GET", "/v{v}/images/json"},
    {"DELETE", "/v{v}/images/{i}"},
    /* one stopped container by id (disk cleanup); never ?force or ?v */
    {"DELETE", "/v{v}/containers/{c}"},
};

static bool all_digits(const char *s, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

static bool placeholder_ok(char kind, const char *s, size_t n)
{
        char buf[DOCKER_JSON_STRING_MAX];
        unsigned major, minor;
        const char *dot;

        if (n == 0 || n >= sizeof(buf))
                return false;
        memcpy(buf, s, n);
        buf[n] = '\0';
        switch (kind) {
        case 'v':
                return docker_json_parse_api_version(buf, &major, &minor) == 0;
        case 'c':
                return docker_id_valid(buf) || docker_name_valid(buf);
        case 'n':
                return n <= 10 && all_digits(buf, n);
        case 't':
                dot = memchr(buf, '.', n);
                if (!dot)
                        return n <= 20 && all_digits(buf, n);
                return dot - buf <= 20 && all_digits(buf, (size_t)(dot - buf)) &&
                       n - (size_t)(dot - buf) - 1 == 9 && all_digits(dot + 1, 9);
        case 'i':
                return docker_image_ref_valid(buf);
        default:
                return false;
        }
}

static bool path_matches(const char *pattern, const char *path)
{
        while (*pattern) {
                if (pattern[0] == '{' && pattern[1] && pattern[2] == '}') {
                        char kind = pattern[1];
                        const char *stop;

                        pattern += 3;
                        /* A placeholder runs up to the next literal byte of the pattern. */
                        stop = *pattern ? strchr(path, *pattern) : path + strlen(path);
                        if (!stop || !placeholder_ok(kind, path, (size_t)(stop - path)))
                                return false;
                        path = stop;
                        continue;
                }
                if (*pattern++ != *path++)
                        return false;
        }
        return *path == '\0';
}

bool docker_request_allowed(const char *method, const char *path)
{
        if (!method || !path)
                return false;
        for (size_t i = 0; i < ELEMENTSOF(allow_list); i++)
                if (strcmp(method, allow_list[i].method) == 0 &&
                    path_matches(allow_list[i].pattern, path))
                        return true;
        return false;
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

/* ---- curl plumbing --------------------------------------------------------- */

static int on_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct docker_transport *t = userdata;
        int action = 0, running;

        if (revents & (EPOLLIN | EPOLLHUP))
                action |= CURL_CSELECT_IN;
        if (revents & EPOLLOUT)
                action |= CURL_CSELECT_OUT;
        if (revents & EPOLLERR)
                action |= CURL_CSELECT_ERR;
        (void)curl_multi_socket_action(t->multi, fd, action, &running);
        t->ops->after_curl(t->userdata);
        return 0;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
        struct docker_transport *t = userp;
        sd_event_source *s = socketp;
        uint32_t events = 0;
        int r;

        if (what == CURL_POLL_REMOVE) {
                if (s) {
                        sd_event_source_disable_unref(s);
                        curl_multi_assign(t->multi, fd, NULL);
                }
                return 0;
        }
        if (what & CURL_POLL_IN)
                events |= EPOLLIN;
        if (what & CURL_POLL_OUT)
                events |= EPOLLOUT;
        if (s) {
                r = sd_event_source_set_io_events(s, events);
                if (r >= 0)
                        r = sd_event_source_set_enabled(s, SD_EVENT_ON);
                return r < 0 ? -1 : 0;
        }
        r = sd_event_add_io(t->event, &s, fd, events, on_io, t);
        if (r < 0) {
                log_error("docker: cannot watch socket %d: %s", fd, strerror(-r));
                return -1;
        }
        (void)sd_event_source_set_description(s, "docker-curl-io");
        curl_multi_assign(t->multi, fd, s);
        return 0;
}

static int on_timer(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct docker_transport *t = userdata;
        int running;

        (void)curl_multi_socket_action(t->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        t->ops->after_curl(t->userdata);
        return 0;
}

/* curl asks for its timeout to move; calling back into curl here is not
 * allowed, so the sd-event timer does it from the loop. */
static int on_timer_change(CURLM *multi, long timeout_ms, void *userp)
{
        struct docker_transport *t = userp;
        int r;

        if (timeout_ms < 0)
                return sd_event_source_set_enabled(t->curl_timer, SD_EVENT_OFF) < 0 ? -1 : 0;
        r = sd_event_source_set_time(t->curl_timer,
                                     util_now_usec() + (usec_t)timeout_ms * USEC_PER_MSEC);
        if (r >= 0)
                r = sd_event_source_set_enabled(t->curl_timer, SD_EVENT_ONESHOT);
        return r < 0 ? -1 : 0;
}

int docker_transport_init(struct docker_transport *t, sd_event *event, const char *socket_path,
                          const struct docker_transport_ops *ops, void *userdata)
{
        int r;

        assert(t);
        assert(event);
        assert(socket_path);
        assert(ops && ops->after_curl && ops->on_write);

        *t = (struct docker_transport){
            .event = event, .socket_path = socket_path, .ops = ops, .userdata = userdata};
        t->multi = curl_multi_init();
        if (!t->multi)
                return -ENOMEM;
        if (curl_multi_setopt(t->multi, CURLMOPT_SOCKETFUNCTION, on_socket) != CURLM_OK ||
            curl_multi_setopt(t->multi, CURLMOPT_SOCKETDATA, t) != CURLM_OK ||
            curl_multi_setopt(t->multi, CURLMOPT_TIMERFUNCTION, on_timer_change) != CURLM_OK ||
            curl_multi_setopt(t->multi, CURLMOPT_TIMERDATA, t) != CURLM_OK ||
            curl_multi_setopt(t->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)MAX_CONNECTIONS) !=
                CURLM_OK)
                return -EIO;
        r = sd_event_add_time(event, &t->curl_timer, CLOCK_MONOTONIC, 0, CURL_TIMER_ACCURACY_USEC,
                              on_timer, t);
        if (r < 0)
                return r;
        (void)sd_event_source_set_enabled(t->curl_timer, SD_EVENT_OFF);
        (void)sd_event_source_set_description(t->curl_timer, "docker-curl-timer");
        return 0;
}

void docker_transport_done(struct docker_transport *t)
{
        if (t->multi)
                curl_multi_cleanup(t->multi);
        t->multi = NULL;
        t->curl_timer = sd_event_source_disable_unref(t->curl_timer);
}

void docker_request_unlink(struct request *req)
{
        struct docker_transport *t = req->t;

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
        if (req->easy) {
                curl_multi_remove_handle(t->multi, req->easy);
                curl_easy_cleanup(req->easy);
        }
        docker_request_unlink(req);
        curl_slist_free_all(req->headers);
        free(req->body);
        free(req->target);
        docker_buffer_done(&req->response);
        free(req);
}

int docker_transport_start(struct docker_transport *t, void *owner, enum request_type type,
                           const char *method, const char *path, const char *body, long timeout_ms,
                           const char *target, struct request **ret)
{
        struct request *req;
        char url[8192];
        int r;

        assert(t);
        assert(method);
        assert(path);

        if (!docker_request_allowed(method, path)) {
                log_warning("docker: refusing request outside the allow-list: %s %s", method, path);
                return -EPERM;
        }
        r = snprintf(url, sizeof(url), "http://localhost%s", path);
        if (r < 0 || (size_t)r >= sizeof(url))
                return -EINVAL;

        req = calloc(1, sizeof(*req));
        if (!req)
                return -ENOMEM;
        req->t = t;
        req->owner = owner;
        req->type = type;
        req->next = t->requests;
        if (t->requests)
                t->requests->prev = req;
        t->requests = req;
        if (target) {
                req->target = strdup(target);
                if (!req->target)
                        goto oom;
        }
        req->easy = curl_easy_init();
        if (!req->easy)
                goto oom;
        req->headers = curl_slist_append(NULL, "Expect:");
        if (!req->headers)
                goto oom;
        if (body) {
                struct curl_slist *h =
                    curl_slist_append(req->headers, "Content-Type: application/json");
                if (!h)
                        goto oom;
                req->headers = h;
                req->body = strdup(body);
                if (!req->body)
                        goto oom;
        }

        if (curl_easy_setopt(req->easy, CURLOPT_URL, url) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_UNIX_SOCKET_PATH, t->socket_path) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_NOPROXY, "*") != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MSEC) !=
                CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_PRIVATE, req) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_WRITEFUNCTION, t->ops->on_write) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_WRITEDATA, req) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_ERRORBUFFER, req->error) != CURLE_OK ||
            curl_easy_setopt(req->easy, CURLOPT_HTTPHEADER, req->headers) != CURLE_OK)
                goto oom;
        if (type == REQ_EVENTS && t->ops->on_header &&
            (curl_easy_setopt(req->easy, CURLOPT_HEADERFUNCTION, t->ops->on_header) != CURLE_OK ||
             curl_easy_setopt(req->easy, CURLOPT_HEADERDATA, req) != CURLE_OK))
                goto oom;
        if (strcmp(method, "POST") == 0) {
                if (curl_easy_setopt(req->easy, CURLOPT_POST, 1L) != CURLE_OK ||
                    curl_easy_setopt(req->easy, CURLOPT_POSTFIELDS, req->body ? req->body : "") !=
                        CURLE_OK ||
                    curl_easy_setopt(req->easy, CURLOPT_POSTFIELDSIZE,
                                     (long)(req->body ? strlen(req->body) : 0)) != CURLE_OK)
                        goto oom;
        } else if (strcmp(method, "GET") != 0) {
                if (curl_easy_setopt(req->easy, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK)
                        goto oom;
        }
        if (curl_multi_add_handle(t->multi, req->easy) != CURLM_OK) {
                curl_easy_cleanup(req->easy);
                req->easy = NULL;
                docker_request_free(req);
                return -EIO;
        }
        log_debug("docker: %s %s", method, path);
        if (ret)
                *ret = req;
        return 0;
oom:
        docker_request_free(req);
        return -ENOMEM;
}

/* ---- results ----------------------------------------------------------------- */

int docker_request_result(struct request *req, CURLcode code, long http)
{
        char msg[512];

        if (code != CURLE_OK) {
                switch (code) {
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
