/* docker_allowlist — the endpoints the Docker client may request
 * (docker_request_allowed, declared in docker.h). Checked twice: by the core
 * before a request leaves it, and by sutazai-governor-docker before it is
 * sent to dockerd, so a core bug or a forged request on the socketpair
 * still cannot reach any other endpoint. */
#include <stdbool.h>
#include <string.h>

#include "docker.h"
#include "docker_json.h"
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
