/* test-dockerproxy — the framing between the core and
 * sutazai-governor-docker: what each side builds parses back the same, and
 * every message that is truncated, oversized, of an unknown type, with a
 * forged field or sent in the wrong direction is refused. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "dockerproxy.h"
#include "test.h"

#define PATH "/v1.41/containers/json?all=1"

static void test_roundtrip(void)
{
        char buf[DOCKERPROXY_REQUEST_MAX + DOCKERPROXY_REPLY_MAX];
        struct dockerproxy_msg m;
        ssize_t n;

        n = dockerproxy_build_start(buf, 7, DOCKERPROXY_POST, 5000, DOCKERPROXY_WANT_HEADERS, PATH,
                                    "{\"Memory\":1}");
        CHECK(n > 0);
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), 0);
        CHECK_EQ_INT(m.type, DOCKERPROXY_START);
        CHECK_EQ_INT(m.id, 7);
        CHECK_EQ_INT(m.method, DOCKERPROXY_POST);
        CHECK_EQ_INT(m.timeout_ms, 5000);
        CHECK_EQ_INT(m.flags, DOCKERPROXY_WANT_HEADERS);
        CHECK(m.path_len == strlen(PATH) && memcmp(m.path, PATH, m.path_len) == 0);
        CHECK(m.body_len == 12 && memcmp(m.body, "{\"Memory\":1}", 12) == 0);
        /* a START is not something the helper may send */
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        /* every truncation of a START is refused: its lengths must add up */
        for (ssize_t k = 0; k < n; k++)
                CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)k, &m), -EBADMSG);

        n = dockerproxy_build_cancel(buf, 9);
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), 0);
        CHECK_EQ_INT(m.type, DOCKERPROXY_CANCEL);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);

        n = dockerproxy_build_headers(buf, 3, 200, DOCKERPROXY_JSON_SEQ);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), 0);
        CHECK_EQ_INT(m.http, 200);
        CHECK_EQ_INT(m.flags, DOCKERPROXY_JSON_SEQ);
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        for (ssize_t k = 0; k < n; k++)
                CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)k, &m), -EBADMSG);

        n = dockerproxy_build_data(buf, 3, "abc", 3);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), 0);
        CHECK(m.data_len == 3 && memcmp(m.data, "abc", 3) == 0);
        /* a DATA message without data */
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, DOCKERPROXY_HEADER_SIZE, &m), -EBADMSG);

        n = dockerproxy_build_done(buf, 3, -ECONNREFUSED, 0, "Could not connect");
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), 0);
        CHECK_EQ_INT(m.result, -ECONNREFUSED);
        CHECK(m.error_len == 17 && memcmp(m.error, "Could not connect", 17) == 0);
        /* cut inside the fixed part */
        for (ssize_t k = 0; k < DOCKERPROXY_HEADER_SIZE + 8; k++)
                CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)k, &m), -EBADMSG);
}

static void test_oversized(void)
{
        static char buf[DOCKERPROXY_REQUEST_MAX + DOCKERPROXY_REPLY_MAX + 16];
        static char big[DOCKERPROXY_REQUEST_MAX + DOCKERPROXY_REPLY_MAX];
        struct dockerproxy_msg m;
        ssize_t n;
        uint16_t u16;
        uint32_t u32;

        /* builders refuse what parsers would */
        memset(big, 'a', sizeof(big) - 1);
        big[0] = '/';
        big[DOCKERPROXY_PATH_MAX + 1] = '\0';
        CHECK_EQ_INT(dockerproxy_build_start(buf, 1, DOCKERPROXY_GET, 0, 0, big, NULL), -EINVAL);
        big[DOCKERPROXY_PATH_MAX] = '\0';
        n = dockerproxy_build_start(buf, 1, DOCKERPROXY_GET, 0, 0, big, NULL);
        CHECK(n > 0);
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), 0);
        memset(big, 'b', DOCKERPROXY_BODY_MAX + 1);
        big[DOCKERPROXY_BODY_MAX + 1] = '\0';
        CHECK_EQ_INT(dockerproxy_build_start(buf, 1, DOCKERPROXY_POST, 0, 0, PATH, big), -EINVAL);
        CHECK_EQ_INT(dockerproxy_build_data(buf, 1, big, DOCKERPROXY_CHUNK_MAX + 1), -EINVAL);

        /* a DATA one byte over the chunk bound, however it was made */
        n = dockerproxy_build_data(buf, 1, big, DOCKERPROXY_CHUNK_MAX);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), 0);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n + 1, &m), -EBADMSG);

        /* a START whose path length claims more than the bound, or more
         * than the message holds, or whose body length does not add up */
        n = dockerproxy_build_start(buf, 1, DOCKERPROXY_GET, 0, 0, PATH, NULL);
        u16 = DOCKERPROXY_PATH_MAX + 1;
        memcpy(buf + DOCKERPROXY_HEADER_SIZE + 6, &u16, sizeof(u16));
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        u16 = (uint16_t)strlen(PATH) + 1;
        memcpy(buf + DOCKERPROXY_HEADER_SIZE + 6, &u16, sizeof(u16));
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        u16 = (uint16_t)strlen(PATH);
        memcpy(buf + DOCKERPROXY_HEADER_SIZE + 6, &u16, sizeof(u16));
        u32 = UINT32_MAX;
        memcpy(buf + DOCKERPROXY_HEADER_SIZE + 8, &u32, sizeof(u32));
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        /* trailing garbage after a CANCEL or HEADERS */
        n = dockerproxy_build_cancel(buf, 1);
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n + 1, &m), -EBADMSG);
        n = dockerproxy_build_headers(buf, 1, 200, 0);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n + 1, &m), -EBADMSG);
        /* error text over its bound */
        n = dockerproxy_build_done(buf, 1, -EIO, 500, NULL);
        memset(buf + n, 'e', DOCKERPROXY_ERROR_MAX + 1);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n + DOCKERPROXY_ERROR_MAX, &m), 0);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n + DOCKERPROXY_ERROR_MAX + 1, &m),
                     -EBADMSG);
        /* anything past the largest message */
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, DOCKERPROXY_REPLY_MAX + 1, &m), -EBADMSG);
        CHECK_EQ_INT(dockerproxy_parse_request(buf, DOCKERPROXY_REQUEST_MAX + 1, &m), -EBADMSG);
}

static void test_forged_fields(void)
{
        char buf[DOCKERPROXY_REQUEST_MAX];
        struct dockerproxy_msg m;
        uint16_t u16;
        uint32_t u32;
        ssize_t n;

        /* unknown types, both directions */
        for (unsigned type = 0; type < 300; type++) {
                bool request = type == DOCKERPROXY_START || type == DOCKERPROXY_CANCEL;
                bool reply = type == DOCKERPROXY_HEADERS || type == DOCKERPROXY_DATA ||
                             type == DOCKERPROXY_DONE;

                n = dockerproxy_build_data(buf, 1, "x", 1);
                u16 = (uint16_t)type;
                memcpy(buf, &u16, sizeof(u16));
                if (!reply)
                        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
                if (!request)
                        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        }
        /* the reserved field, id 0 */
        n = dockerproxy_build_data(buf, 1, "x", 1);
        buf[2] = 1;
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        n = dockerproxy_build_data(buf, 1, "x", 1);
        memset(buf + 4, 0, 4);
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        CHECK_EQ_INT(dockerproxy_build_cancel(buf, 0), -EINVAL);
        /* DONE: a positive result, a result out of errno range, a status past 999, a NUL */
        n = dockerproxy_build_done(buf, 1, 0, 200, "ok");
        u32 = 1;
        memcpy(buf + DOCKERPROXY_HEADER_SIZE, &u32, sizeof(u32));
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        u32 = (uint32_t)-5000;
        memcpy(buf + DOCKERPROXY_HEADER_SIZE, &u32, sizeof(u32));
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        n = dockerproxy_build_done(buf, 1, 0, 200, "ok");
        u32 = 1000;
        memcpy(buf + DOCKERPROXY_HEADER_SIZE + 4, &u32, sizeof(u32));
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        n = dockerproxy_build_done(buf, 1, 0, 200, "ok");
        buf[n - 1] = '\0';
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        /* HEADERS: unknown flags */
        n = dockerproxy_build_headers(buf, 1, 200, 0);
        u32 = 2;
        memcpy(buf + DOCKERPROXY_HEADER_SIZE + 4, &u32, sizeof(u32));
        CHECK_EQ_INT(dockerproxy_parse_reply(buf, (size_t)n, &m), -EBADMSG);
        /* START: unknown method or flags, an empty path, a NUL in the path */
        n = dockerproxy_build_start(buf, 1, DOCKERPROXY_GET, 0, 0, PATH, NULL);
        buf[DOCKERPROXY_HEADER_SIZE + 4] = 9;
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        n = dockerproxy_build_start(buf, 1, DOCKERPROXY_GET, 0, 0, PATH, NULL);
        buf[DOCKERPROXY_HEADER_SIZE + 5] = 2;
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        n = dockerproxy_build_start(buf, 1, DOCKERPROXY_GET, 0, 0, PATH, NULL);
        buf[n - 3] = '\0';
        CHECK_EQ_INT(dockerproxy_parse_request(buf, (size_t)n, &m), -EBADMSG);
        CHECK_EQ_INT(dockerproxy_build_start(buf, 1, DOCKERPROXY_GET, 0, 0, "", NULL), -EINVAL);
        CHECK_EQ_INT(dockerproxy_build_start(buf, 1, 0, 0, 0, PATH, NULL), -EINVAL);
        CHECK_EQ_INT(dockerproxy_method_from_name("PUT"), 0);
        CHECK_STREQ(dockerproxy_method_name(DOCKERPROXY_DELETE), "DELETE");
}

int main(void)
{
        test_roundtrip();
        test_oversized();
        test_forged_fields();
        return TEST_RESULT();
}
