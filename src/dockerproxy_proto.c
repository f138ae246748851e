/* dockerproxy_proto — see include/dockerproxy.h */
#include "dockerproxy.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "util.h"

struct header {
        uint16_t type;
        uint16_t zero;
        uint32_t id;
};

_Static_assert(sizeof(struct header) == DOCKERPROXY_HEADER_SIZE, "header layout");

static const char *const method_names[] = {
    [DOCKERPROXY_GET] = "GET",
    [DOCKERPROXY_POST] = "POST",
    [DOCKERPROXY_DELETE] = "DELETE",
};

const char *dockerproxy_method_name(enum dockerproxy_method method)
{
        if ((size_t)method >= ELEMENTSOF(method_names))
                return NULL;
        return method_names[method];
}

enum dockerproxy_method dockerproxy_method_from_name(const char *name)
{
        for (size_t i = 1; name && i < ELEMENTSOF(method_names); i++)
                if (strcmp(name, method_names[i]) == 0)
                        return (enum dockerproxy_method)i;
        return 0;
}

static uint32_t get_u32(const unsigned char *p)
{
        uint32_t v;

        memcpy(&v, p, sizeof(v));
        return v;
}

static uint16_t get_u16(const unsigned char *p)
{
        uint16_t v;

        memcpy(&v, p, sizeof(v));
        return v;
}

static unsigned char *put_header(void *buf, enum dockerproxy_type type, uint32_t id)
{
        struct header h = {.type = (uint16_t)type, .id = id};

        memcpy(buf, &h, sizeof(h));
        return (unsigned char *)buf + sizeof(h);
}

static unsigned char *put_u32(unsigned char *p, uint32_t v)
{
        memcpy(p, &v, sizeof(v));
        return p + sizeof(v);
}

/* The header alone: type, the zero field, a non-zero id. */
static int parse_header(const unsigned char *p, size_t n, struct dockerproxy_msg *ret)
{
        struct header h;

        if (n < sizeof(h))
                return -EBADMSG;
        memcpy(&h, p, sizeof(h));
        if (h.zero != 0 || h.id == 0)
                return -EBADMSG;
        *ret = (struct dockerproxy_msg){.type = h.type, .id = h.id};
        return 0;
}

int dockerproxy_parse_reply(const void *buf, size_t n, struct dockerproxy_msg *ret)
{
        const unsigned char *p = buf;
        struct dockerproxy_msg m;
        size_t rest;

        assert(buf || n == 0);
        assert(ret);
        if (n > DOCKERPROXY_REPLY_MAX || parse_header(p, n, &m) < 0)
                return -EBADMSG;
        p += DOCKERPROXY_HEADER_SIZE;
        rest = n - DOCKERPROXY_HEADER_SIZE;
        switch (m.type) {
        case DOCKERPROXY_HEADERS:
                if (rest != 8)
                        return -EBADMSG;
                m.http = get_u32(p);
                m.flags = get_u32(p + 4);
                if (m.http > 999 || (m.flags & ~DOCKERPROXY_JSON_SEQ))
                        return -EBADMSG;
                break;
        case DOCKERPROXY_DATA:
                if (rest == 0 || rest > DOCKERPROXY_CHUNK_MAX)
                        return -EBADMSG;
                m.data = (const char *)p;
                m.data_len = rest;
                break;
        case DOCKERPROXY_DONE:
                if (rest < 8 || rest - 8 > DOCKERPROXY_ERROR_MAX)
                        return -EBADMSG;
                m.result = (int)get_u32(p);
                m.http = get_u32(p + 4);
                if (m.result > 0 || m.result < -4095 || m.http > 999)
                        return -EBADMSG;
                m.error = (const char *)p + 8;
                m.error_len = rest - 8;
                if (memchr(m.error, '\0', m.error_len))
                        return -EBADMSG;
                break;
        default:
                return -EBADMSG;
        }
        *ret = m;
        return 0;
}

int dockerproxy_parse_request(const void *buf, size_t n, struct dockerproxy_msg *ret)
{
        const unsigned char *p = buf;
        struct dockerproxy_msg m;
        size_t rest;

        assert(buf || n == 0);
        assert(ret);
        if (n > DOCKERPROXY_REQUEST_MAX || parse_header(p, n, &m) < 0)
                return -EBADMSG;
        p += DOCKERPROXY_HEADER_SIZE;
        rest = n - DOCKERPROXY_HEADER_SIZE;
        switch (m.type) {
        case DOCKERPROXY_START:
                if (rest < DOCKERPROXY_START_FIXED)
                        return -EBADMSG;
                m.timeout_ms = get_u32(p);
                m.method = p[4];
                m.flags = p[5];
                m.path_len = get_u16(p + 6);
                m.body_len = get_u32(p + 8);
                if (!dockerproxy_method_name(m.method) || (m.flags & ~DOCKERPROXY_WANT_HEADERS) ||
                    m.path_len == 0 || m.path_len > DOCKERPROXY_PATH_MAX ||
                    m.body_len > DOCKERPROXY_BODY_MAX ||
                    rest != DOCKERPROXY_START_FIXED + m.path_len + m.body_len)
                        return -EBADMSG;
                m.path = (const char *)p + DOCKERPROXY_START_FIXED;
                m.body = m.path + m.path_len;
                if (memchr(m.path, '\0', m.path_len) || memchr(m.body, '\0', m.body_len))
                        return -EBADMSG;
                break;
        case DOCKERPROXY_CANCEL:
                if (rest != 0)
                        return -EBADMSG;
                break;
        default:
                return -EBADMSG;
        }
        *ret = m;
        return 0;
}

ssize_t dockerproxy_build_start(void *buf, uint32_t id, enum dockerproxy_method method,
                                uint32_t timeout_ms, unsigned flags, const char *path,
                                const char *body)
{
        size_t path_len = path ? strlen(path) : 0, body_len = body ? strlen(body) : 0;
        unsigned char *p;
        uint16_t path_len16;

        if (id == 0 || !dockerproxy_method_name(method) || path_len == 0 ||
            path_len > DOCKERPROXY_PATH_MAX || body_len > DOCKERPROXY_BODY_MAX ||
            (flags & ~DOCKERPROXY_WANT_HEADERS))
                return -EINVAL;
        p = put_header(buf, DOCKERPROXY_START, id);
        p = put_u32(p, timeout_ms);
        *p++ = (unsigned char)method;
        *p++ = (unsigned char)flags;
        path_len16 = (uint16_t)path_len;
        memcpy(p, &path_len16, sizeof(path_len16));
        p += sizeof(path_len16);
        p = put_u32(p, (uint32_t)body_len);
        memcpy(p, path, path_len);
        p += path_len;
        if (body_len)
                memcpy(p, body, body_len);
        p += body_len;
        return p - (unsigned char *)buf;
}

ssize_t dockerproxy_build_cancel(void *buf, uint32_t id)
{
        if (id == 0)
                return -EINVAL;
        return put_header(buf, DOCKERPROXY_CANCEL, id) - (unsigned char *)buf;
}

ssize_t dockerproxy_build_headers(void *buf, uint32_t id, unsigned http, unsigned flags)
{
        unsigned char *p;

        if (id == 0 || http > 999 || (flags & ~DOCKERPROXY_JSON_SEQ))
                return -EINVAL;
        p = put_header(buf, DOCKERPROXY_HEADERS, id);
        p = put_u32(p, http);
        p = put_u32(p, flags);
        return p - (unsigned char *)buf;
}

ssize_t dockerproxy_build_data(void *buf, uint32_t id, const void *data, size_t n)
{
        unsigned char *p;

        if (id == 0 || n == 0 || n > DOCKERPROXY_CHUNK_MAX)
                return -EINVAL;
        p = put_header(buf, DOCKERPROXY_DATA, id);
        memcpy(p, data, n);
        return p + n - (unsigned char *)buf;
}

ssize_t dockerproxy_build_done(void *buf, uint32_t id, int result, unsigned http, const char *error)
{
        size_t len = 0;
        unsigned char *p;

        if (id == 0 || result > 0 || result < -4095 || http > 999)
                return -EINVAL;
        if (error)
                len = strnlen(error, DOCKERPROXY_ERROR_MAX);
        p = put_header(buf, DOCKERPROXY_DONE, id);
        p = put_u32(p, (uint32_t)result);
        p = put_u32(p, http);
        if (len)
                memcpy(p, error, len);
        return p + len - (unsigned char *)buf;
}
