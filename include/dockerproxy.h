/* dockerproxy — the protocol between the governor's locked core and
 * sutazai-governor-docker, the unlocked helper process that owns libcurl
 * (issue 16 item 4: libcurl and the 28 libraries it brings stay out of the
 * core's memory). Pure: building and checking messages, no I/O.
 *
 * Transport: one AF_UNIX SOCK_SEQPACKET socketpair, the helper's end as
 * DOCKERPROXY_FD. One message per datagram, host byte order (both ends are
 * the same build on the same machine), every length bounded below and
 * checked on receipt: a message that is truncated, too long, of an unknown
 * type or with lengths that do not add up is refused (-EBADMSG), and the
 * core kills a helper that sends one.
 *
 *   header (8 bytes): u16 type, u16 zero, u32 request id (never 0)
 *   core → helper
 *     START   u32 timeout_ms (0: none), u8 method, u8 flags, u16 path_len,
 *             u32 body_len, path bytes, body bytes (no NUL inside either)
 *     CANCEL  nothing: drop the transfer, send nothing more for it
 *   helper → core
 *     HEADERS u32 http status, u32 flags (JSON_SEQ: the body is RFC 7464
 *             application/json-seq), sent once, only if START asked for it
 *     DATA    1..DOCKERPROXY_CHUNK_MAX body bytes
 *     DONE    i32 result (0 or -errno: the transfer failed), u32 http status,
 *             error text (up to DOCKERPROXY_ERROR_MAX bytes, no NUL)
 *
 * Every START is answered by exactly one DONE unless cancelled; HEADERS and
 * DATA come before it. After a CANCEL, messages already on their way for that
 * id may still arrive: the core ignores ids it issued and forgot, and refuses
 * ids it never issued. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define DOCKERPROXY_FD          3 /* the helper's end of the socketpair */
#define DOCKERPROXY_PROGRAM     "sutazai-governor-docker"
#define DOCKERPROXY_HEADER_SIZE 8          /* bytes */
#define DOCKERPROXY_PATH_MAX    2048       /* bytes of a request path */
#define DOCKERPROXY_BODY_MAX    2048       /* bytes of a request body (an update: ~100) */
#define DOCKERPROXY_CHUNK_MAX   (8 * 1024) /* bytes of body in one DATA message */
#define DOCKERPROXY_ERROR_MAX   255        /* bytes of error text in DONE */
#define DOCKERPROXY_START_FIXED 12         /* bytes of START after the header */
#define DOCKERPROXY_REQUEST_MAX                                                                    \
        (DOCKERPROXY_HEADER_SIZE + DOCKERPROXY_START_FIXED + DOCKERPROXY_PATH_MAX +                \
         DOCKERPROXY_BODY_MAX)
#define DOCKERPROXY_REPLY_MAX (DOCKERPROXY_HEADER_SIZE + DOCKERPROXY_CHUNK_MAX)

enum dockerproxy_type {
        DOCKERPROXY_START = 1,
        DOCKERPROXY_CANCEL = 2,
        DOCKERPROXY_HEADERS = 3,
        DOCKERPROXY_DATA = 4,
        DOCKERPROXY_DONE = 5,
};

enum dockerproxy_method {
        DOCKERPROXY_GET = 1,
        DOCKERPROXY_POST = 2,
        DOCKERPROXY_DELETE = 3,
};

#define DOCKERPROXY_WANT_HEADERS 0x01u /* START flag: send HEADERS when they end */
#define DOCKERPROXY_JSON_SEQ     0x01u /* HEADERS flag */

/* A message as parsed; pointers point into the buffer given to the parser. */
struct dockerproxy_msg {
        enum dockerproxy_type type;
        uint32_t id;
        /* START */
        enum dockerproxy_method method;
        uint32_t timeout_ms;
        unsigned flags; /* START: WANT_HEADERS; HEADERS: JSON_SEQ */
        const char *path;
        size_t path_len;
        const char *body;
        size_t body_len;
        /* HEADERS, DONE */
        unsigned http;
        /* DONE */
        int result;
        const char *error;
        size_t error_len;
        /* DATA */
        const char *data;
        size_t data_len;
};

/* Parse what the helper may send (HEADERS, DATA, DONE), or what the core may
 * send (START, CANCEL). 0, or -EBADMSG for anything else. */
int dockerproxy_parse_reply(const void *buf, size_t n, struct dockerproxy_msg *ret);
int dockerproxy_parse_request(const void *buf, size_t n, struct dockerproxy_msg *ret);

/* Build into buf (at least DOCKERPROXY_REQUEST_MAX / DOCKERPROXY_REPLY_MAX
 * bytes); return the message length, or -EINVAL for lengths out of bounds.
 * dockerproxy_build_done truncates error text to DOCKERPROXY_ERROR_MAX. */
ssize_t dockerproxy_build_start(void *buf, uint32_t id, enum dockerproxy_method method,
                                uint32_t timeout_ms, unsigned flags, const char *path,
                                const char *body);
ssize_t dockerproxy_build_cancel(void *buf, uint32_t id);
ssize_t dockerproxy_build_headers(void *buf, uint32_t id, unsigned http, unsigned flags);
ssize_t dockerproxy_build_data(void *buf, uint32_t id, const void *data, size_t n);
ssize_t dockerproxy_build_done(void *buf, uint32_t id, int result, unsigned http,
                               const char *error);

/* "GET", "POST", "DELETE" ↔ the method byte; NULL / 0 when unknown. */
const char *dockerproxy_method_name(enum dockerproxy_method method);
enum dockerproxy_method dockerproxy_method_from_name(const char *name);
