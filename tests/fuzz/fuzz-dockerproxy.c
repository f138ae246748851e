/* libFuzzer target: the framing between the core and sutazai-governor-docker
 * (dockerproxy_parse_reply, dockerproxy_parse_request) on arbitrary bytes —
 * the core reads the helper's messages as untrusted input. Beyond "no
 * crash, no leak, no UB", an accepted message must be within its bounds and
 * build back to the very same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerproxy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_same(const uint8_t *data, size_t size, const void *built, ssize_t n)
{
        if (n < 0 || (size_t)n != size || memcmp(built, data, size) != 0)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static char buf[DOCKERPROXY_REQUEST_MAX + DOCKERPROXY_REPLY_MAX];
        char path[DOCKERPROXY_PATH_MAX + 1], body[DOCKERPROXY_BODY_MAX + 1], error[256];
        struct dockerproxy_msg m;

        if (dockerproxy_parse_reply(data, size, &m) == 0) {
                switch (m.type) {
                case DOCKERPROXY_HEADERS:
                        check_same(data, size, buf,
                                   dockerproxy_build_headers(buf, m.id, m.http, m.flags));
                        break;
                case DOCKERPROXY_DATA:
                        if (m.data_len == 0 || m.data_len > DOCKERPROXY_CHUNK_MAX)
                                abort();
                        check_same(data, size, buf,
                                   dockerproxy_build_data(buf, m.id, m.data, m.data_len));
                        break;
                case DOCKERPROXY_DONE:
                        if (m.error_len > DOCKERPROXY_ERROR_MAX || m.result > 0)
                                abort();
                        memcpy(error, m.error, m.error_len);
                        error[m.error_len] = '\0';
                        check_same(data, size, buf,
                                   dockerproxy_build_done(buf, m.id, m.result, m.http, error));
                        break;
                default:
                        abort();
                }
        }
        if (dockerproxy_parse_request(data, size, &m) == 0) {
                if (m.type == DOCKERPROXY_CANCEL) {
                        check_same(data, size, buf, dockerproxy_build_cancel(buf, m.id));
                } else if (m.type == DOCKERPROXY_START) {
                        if (m.path_len == 0 || m.path_len > DOCKERPROXY_PATH_MAX ||
                            m.body_len > DOCKERPROXY_BODY_MAX)
                                abort();
                        memcpy(path, m.path, m.path_len);
                        path[m.path_len] = '\0';
                        memcpy(body, m.body, m.body_len);
                        body[m.body_len] = '\0';
                        check_same(data, size, buf,
                                   dockerproxy_build_start(buf, m.id, m.method, m.timeout_ms,
                                                           m.flags, path, body));
                } else
                        abort();
        }
        return 0;
}
