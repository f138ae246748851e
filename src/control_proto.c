/* control_proto — see include/control_proto.h */
#include "control_proto.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "jsonutil.h"

static const char *const verb_names[CONTROL_VERB_COUNT] = {
    [CONTROL_VERB_STATUS] = "status",       [CONTROL_VERB_HISTORY] = "history",
    [CONTROL_VERB_SET_LIMIT] = "set-limit", [CONTROL_VERB_CLEAR] = "clear",
    [CONTROL_VERB_PAUSE] = "pause",         [CONTROL_VERB_RESUME] = "resume",
    [CONTROL_VERB_CLEANUP] = "cleanup",     [CONTROL_VERB_RELOAD] = "reload",
    [CONTROL_VERB_METRICS] = "metrics",     [CONTROL_VERB_EXPLAIN] = "explain",
};

const char *control_verb_name(enum control_verb v)
{
        if ((unsigned)v >= CONTROL_VERB_COUNT)
                return NULL;
        return verb_names[v];
}

int control_verb_from_name(const char *s, enum control_verb *ret)
{
        assert(s);
        assert(ret);
        for (size_t i = 0; i < CONTROL_VERB_COUNT; i++)
                if (strcmp(s, verb_names[i]) == 0) {
                        *ret = (enum control_verb)i;
                        return 0;
                }
        return -EINVAL;
}

bool control_request_is_reading(const struct control_request *req)
{
        assert(req);
        switch (req->verb) {
        case CONTROL_VERB_STATUS:
        case CONTROL_VERB_HISTORY:
        case CONTROL_VERB_METRICS:
        case CONTROL_VERB_EXPLAIN:
                return true;
        case CONTROL_VERB_CLEANUP:
                return req->dry_run;
        default:
                return false;
        }
}

/* ---- request parsing ---- */

/* Which keys each verb accepts, as a bit set over the key table. */
enum {
        KEY_VERB = 1 << 0,
        KEY_NAME = 1 << 1,
        KEY_MEMORY_MAX = 1 << 2,
        KEY_MEMORY_MAX_PERCENT = 1 << 3,
        KEY_FOR_USEC = 1 << 4,
        KEY_DRY_RUN = 1 << 5,
        KEY_COUNT = 1 << 6,
};

static const struct {
        const char *name;
        unsigned bit;
} request_keys[] = {
    {"verb", KEY_VERB},
    {"name", KEY_NAME},
    {"memory_max", KEY_MEMORY_MAX},
    {"memory_max_percent", KEY_MEMORY_MAX_PERCENT},
    {"for_usec", KEY_FOR_USEC},
    {"dry_run", KEY_DRY_RUN},
    {"count", KEY_COUNT},
};

static const unsigned verb_keys[CONTROL_VERB_COUNT] = {
    [CONTROL_VERB_STATUS] = KEY_VERB,
    [CONTROL_VERB_HISTORY] = KEY_VERB | KEY_COUNT,
    [CONTROL_VERB_SET_LIMIT] =
        KEY_VERB | KEY_NAME | KEY_MEMORY_MAX | KEY_MEMORY_MAX_PERCENT | KEY_FOR_USEC,
    [CONTROL_VERB_CLEAR] = KEY_VERB | KEY_NAME,
    [CONTROL_VERB_PAUSE] = KEY_VERB | KEY_FOR_USEC,
    [CONTROL_VERB_RESUME] = KEY_VERB,
    [CONTROL_VERB_CLEANUP] = KEY_VERB | KEY_DRY_RUN,
    [CONTROL_VERB_RELOAD] = KEY_VERB,
    [CONTROL_VERB_METRICS] = KEY_VERB,
    [CONTROL_VERB_EXPLAIN] = KEY_VERB | KEY_NAME, /* name optional: one group or rule */
};

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t err_size, const char *fmt, ...)
{
        va_list ap;

        if (err && err_size > 0) {
                va_start(ap, fmt);
                vsnprintf(err, err_size, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

/* A JSON number that is a non-negative integer representable exactly. */
/* Names are rule or group names: printable, no control characters. */
static bool name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n >= GROUP_NAME_MAX)
                return false;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

int control_request_parse(const char *buf, size_t len, struct control_request *ret, char *err,
                          size_t err_size)
{
        struct control_request req = {0};
        unsigned seen = 0;
        cJSON *root, *item;
        const char *end = NULL;
        int r = 0;

        assert(buf || len == 0);
        assert(ret);

        if (len > 0 && buf[len - 1] == '\n')
                len--;
        if (len == 0)
                return fail(err, err_size, "empty request");
        if (len >= CONTROL_REQUEST_MAX)
                return fail(err, err_size, "request too large (limit %u bytes)",
                            CONTROL_REQUEST_MAX);
        if (memchr(buf, '\0', len))
                return fail(err, err_size, "request contains a NUL byte");

        root = cJSON_ParseWithLengthOpts(buf, len, &end, false);
        if (!root)
                return fail(err, err_size, "malformed JSON request");
        /* Only blanks may follow the object: one request per connection. */
        for (; end && end < buf + len; end++)
                if (*end != ' ' && *end != '\t' && *end != '\r') {
                        r = fail(err, err_size, "trailing data after the request");
                        goto out;
                }
        if (!cJSON_IsObject(root)) {
                r = fail(err, err_size, "request must be a JSON object");
                goto out;
        }

        cJSON_ArrayForEach(item, root)
        {
                unsigned bit = 0;

                for (size_t i = 0; i < ELEMENTSOF(request_keys); i++)
                        if (item->string && strcmp(item->string, request_keys[i].name) == 0)
                                bit = request_keys[i].bit;
                if (bit == 0) {
                        r = fail(err, err_size, "unknown key \"%.64s\"",
                                 item->string ? item->string : "");
                        goto out;
                }
                if (seen & bit) {
                        r = fail(err, err_size, "duplicate key \"%s\"", item->string);
                        goto out;
                }
                seen |= bit;
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "verb");
        if (!cJSON_IsString(item)) {
                r = fail(err, err_size, "missing \"verb\"");
                goto out;
        }
        if (control_verb_from_name(item->valuestring, &req.verb) < 0) {
                r = fail(err, err_size, "unknown verb \"%.64s\"", item->valuestring);
                goto out;
        }
        if (seen & ~verb_keys[req.verb]) {
                r = fail(err, err_size, "unexpected key for verb %s", verb_names[req.verb]);
                goto out;
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "name");
        if ((verb_keys[req.verb] & KEY_NAME) && (item || req.verb != CONTROL_VERB_EXPLAIN)) {
                if (!cJSON_IsString(item) || !name_is_valid(item->valuestring)) {
                        r = fail(err, err_size, "\"name\" must be a non-empty printable string");
                        goto out;
                }
                util_strlcpy(req.name, item->valuestring, sizeof req.name);
        }

        if (req.verb == CONTROL_VERB_SET_LIMIT) {
                const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(root, "memory_max");
                const cJSON *pct = cJSON_GetObjectItemCaseSensitive(root, "memory_max_percent");

                if (!!bytes == !!pct) {
                        r = fail(err, err_size,
                                 "set-limit needs exactly one of \"memory_max\" and "
                                 "\"memory_max_percent\"");
                        goto out;
                }
                if (bytes && cJSON_IsString(bytes) && strcmp(bytes->valuestring, "max") == 0)
                        req.memory_max = BYTES_MAX;
                else if (bytes) {
                        if (jsonutil_get_u64(bytes, CONTROL_JSON_INT_MAX, &req.memory_max) < 0 ||
                            req.memory_max == 0) {
                                r = fail(err, err_size,
                                         "\"memory_max\" must be a positive integer of bytes or "
                                         "\"max\"");
                                goto out;
                        }
                } else {
                        if (!cJSON_IsNumber(pct) || !isfinite(pct->valuedouble) ||
                            pct->valuedouble <= 0 || pct->valuedouble > 100) {
                                r = fail(err, err_size,
                                         "\"memory_max_percent\" must be in (0, 100]");
                                goto out;
                        }
                        req.memory_max_is_percent = true;
                        req.memory_max_percent = pct->valuedouble;
                }
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "for_usec");
        if (item && jsonutil_get_u64(item, CONTROL_FOR_MAX_USEC, &req.for_usec) < 0) {
                r = fail(err, err_size, "\"for_usec\" must be an integer from 0 to 3650 days");
                goto out;
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "dry_run");
        if (item) {
                if (!cJSON_IsBool(item)) {
                        r = fail(err, err_size, "\"dry_run\" must be true or false");
                        goto out;
                }
                req.dry_run = cJSON_IsTrue(item);
        }

        item = cJSON_GetObjectItemCaseSensitive(root, "count");
        if (item) {
                uint64_t count;
                if (jsonutil_get_u64(item, UINT32_MAX, &count) < 0) {
                        r = fail(err, err_size, "\"count\" must be a non-negative integer");
                        goto out;
                }
                req.count = (unsigned)count;
        }

        *ret = req;
out:
        cJSON_Delete(root);
        return r;
}

int control_request_format(const struct control_request *req, char **ret_line)
{
        cJSON *root;
        char *line;
        bool ok = true;

        assert(req);
        assert(ret_line);

        root = cJSON_CreateObject();
        if (!root)
                return -ENOMEM;
        ok = ok && cJSON_AddStringToObject(root, "verb", control_verb_name(req->verb));
        if ((verb_keys[req->verb] & KEY_NAME) &&
            (req->name[0] || req->verb != CONTROL_VERB_EXPLAIN))
                ok = ok && cJSON_AddStringToObject(root, "name", req->name);
        if (req->verb == CONTROL_VERB_SET_LIMIT) {
                if (req->memory_max_is_percent)
                        ok = ok && cJSON_AddNumberToObject(root, "memory_max_percent",
                                                           req->memory_max_percent);
                else if (req->memory_max == BYTES_MAX)
                        ok = ok && cJSON_AddStringToObject(root, "memory_max", "max");
                else
                        ok = ok &&
                             cJSON_AddNumberToObject(root, "memory_max", (double)req->memory_max);
        }
        if ((verb_keys[req->verb] & KEY_FOR_USEC) && req->for_usec > 0)
                ok = ok && cJSON_AddNumberToObject(root, "for_usec", (double)req->for_usec);
        if (req->verb == CONTROL_VERB_CLEANUP)
                ok = ok && cJSON_AddBoolToObject(root, "dry_run", req->dry_run);
        if (req->verb == CONTROL_VERB_HISTORY && req->count > 0)
                ok = ok && cJSON_AddNumberToObject(root, "count", req->count);

        line = ok ? jsonutil_print_line(root, false) : NULL;
        cJSON_Delete(root);
        if (!line)
                return -ENOMEM;
        *ret_line = line;
        return 0;
}

char *control_response_ok(cJSON *result)
{
        cJSON *root = cJSON_CreateObject();
        char *line;

        if (!root) {
                cJSON_Delete(result);
                return NULL;
        }
        if (!cJSON_AddBoolToObject(root, "ok", true)) {
                cJSON_Delete(result);
                cJSON_Delete(root);
                return NULL;
        }
        if (!result)
                result = cJSON_CreateNull();
        if (!result) {
                cJSON_Delete(root);
                return NULL;
        }
        cJSON_AddItemToObject(root, "result", result);
        line = jsonutil_print_line(root, false);
        cJSON_Delete(root);
        return line;
}

char *control_response_error(const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        cJSON *root;
        char *line = NULL;

        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);

        root = cJSON_CreateObject();
        if (root && cJSON_AddBoolToObject(root, "ok", false) &&
            cJSON_AddStringToObject(root, "error", msg))
                line = jsonutil_print_line(root, false);
        cJSON_Delete(root);
        return line;
}

int control_response_parse(const char *buf, size_t len, cJSON **ret_result, char *err,
                           size_t err_size)
{
        cJSON *root, *ok, *item;
        int r;

        assert(buf || len == 0);
        assert(ret_result);

        while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
                len--;
        if (len == 0)
                return fail(err, err_size, "empty response");
        root = cJSON_ParseWithLength(buf, len);
        if (!root)
                return fail(err, err_size, "malformed response");
        ok = cJSON_GetObjectItemCaseSensitive(root, "ok");
        if (!cJSON_IsObject(root) || !cJSON_IsBool(ok)) {
                cJSON_Delete(root);
                return fail(err, err_size, "malformed response");
        }
        if (cJSON_IsFalse(ok)) {
                item = cJSON_GetObjectItemCaseSensitive(root, "error");
                fail(err, err_size, "%s",
                     cJSON_IsString(item) ? item->valuestring : "request failed");
                cJSON_Delete(root);
                return 1;
        }
        item = cJSON_DetachItemFromObjectCaseSensitive(root, "result");
        if (cJSON_IsNull(item)) {
                cJSON_Delete(item);
                item = NULL;
        }
        cJSON_Delete(root);
        *ret_result = item;
        r = 0;
        return r;
}
