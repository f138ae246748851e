/* overrides — see include/overrides.h */
#include "overrides.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "jsonutil.h"
#include "statefile.h"

#define OVERRIDES_FORMAT_VERSION 1
/* cJSON prints integers exactly only below 2^52 (control_proto.h). */

struct overrides {
        struct override *items;
        size_t n_items;
        size_t allocated;
        bool paused;
        usec_t paused_until_usec; /* realtime; 0 = until resumed */
};

int overrides_new(struct overrides **ret)
{
        struct overrides *o;

        assert(ret);
        o = calloc(1, sizeof *o);
        if (!o)
                return -ENOMEM;
        *ret = o;
        return 0;
}

struct overrides *overrides_free(struct overrides *o)
{
        if (o) {
                free(o->items);
                free(o);
        }
        return NULL;
}

static bool name_is_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n >= GROUP_NAME_MAX)
                return false;
        for (const unsigned char *p = (const unsigned char *)name; *p; p++)
                if (*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static struct override *find(const struct overrides *o, const char *name)
{
        for (size_t i = 0; i < o->n_items; i++)
                if (strcmp(o->items[i].name, name) == 0)
                        return &o->items[i];
        return NULL;
}

int overrides_set(struct overrides *o, const char *name, uint64_t memory_max,
                  usec_t expires_realtime_usec)
{
        struct override *e;

        assert(o);
        assert(name);

        if (!name_is_valid(name))
                return -EINVAL;
        e = find(o, name);
        if (e) {
                e->memory_max = memory_max;
                e->expires_realtime_usec = expires_realtime_usec;
                return 1;
        }
        if (o->n_items >= OVERRIDES_MAX)
                return -E2BIG;
        if (o->n_items == o->allocated) {
                size_t n = o->allocated ? o->allocated * 2 : 8;
                struct override *items = reallocarray(o->items, n, sizeof *items);
                if (!items)
                        return -ENOMEM;
                o->items = items;
                o->allocated = n;
        }
        e = &o->items[o->n_items++];
        memset(e, 0, sizeof *e);
        util_strlcpy(e->name, name, sizeof e->name);
        e->memory_max = memory_max;
        e->expires_realtime_usec = expires_realtime_usec;
        return 0;
}

static void remove_at(struct overrides *o, size_t i)
{
        memmove(&o->items[i], &o->items[i + 1], (o->n_items - i - 1) * sizeof o->items[0]);
        o->n_items--;
}

int overrides_clear(struct overrides *o, const char *name)
{
        assert(o);
        assert(name);
        for (size_t i = 0; i < o->n_items; i++)
                if (strcmp(o->items[i].name, name) == 0) {
                        remove_at(o, i);
                        return 0;
                }
        return -ENOENT;
}

const struct override *overrides_find(const struct overrides *o, const char *name)
{
        assert(o);
        assert(name);
        return find(o, name);
}

const struct override *overrides_get(const struct overrides *o, size_t *ret_n)
{
        assert(o);
        assert(ret_n);
        *ret_n = o->n_items;
        return o->items;
}

void overrides_pause(struct overrides *o, usec_t until_realtime_usec)
{
        assert(o);
        o->paused = true;
        o->paused_until_usec = until_realtime_usec;
}

int overrides_resume(struct overrides *o)
{
        bool was;

        assert(o);
        was = o->paused;
        o->paused = false;
        o->paused_until_usec = 0;
        return was;
}

bool overrides_paused(const struct overrides *o)
{
        assert(o);
        return o->paused;
}

usec_t overrides_paused_until(const struct overrides *o)
{
        assert(o);
        return o->paused ? o->paused_until_usec : 0;
}

size_t overrides_expire(struct overrides *o, usec_t now_realtime_usec, overrides_expired_fn cb,
                        void *userdata)
{
        size_t expired = 0;

        assert(o);
        for (size_t i = 0; i < o->n_items;) {
                usec_t t = o->items[i].expires_realtime_usec;
                if (t != 0 && t <= now_realtime_usec) {
                        if (cb)
                                cb(&o->items[i], userdata);
                        remove_at(o, i);
                        expired++;
                } else
                        i++;
        }
        if (o->paused && o->paused_until_usec != 0 && o->paused_until_usec <= now_realtime_usec) {
                if (cb)
                        cb(NULL, userdata);
                overrides_resume(o);
                expired++;
        }
        return expired;
}

usec_t overrides_next_expiry(const struct overrides *o)
{
        usec_t next = USEC_INFINITY;

        assert(o);
        for (size_t i = 0; i < o->n_items; i++)
                if (o->items[i].expires_realtime_usec != 0 &&
                    o->items[i].expires_realtime_usec < next)
                        next = o->items[i].expires_realtime_usec;
        if (o->paused && o->paused_until_usec != 0 && o->paused_until_usec < next)
                next = o->paused_until_usec;
        return next;
}

int overrides_format_json(const struct overrides *o, char **ret_text)
{
        cJSON *root, *arr;
        char *text = NULL;
        bool ok;

        assert(o);
        assert(ret_text);

        root = cJSON_CreateObject();
        if (!root)
                return -ENOMEM;
        ok = cJSON_AddNumberToObject(root, "version", OVERRIDES_FORMAT_VERSION) &&
             cJSON_AddBoolToObject(root, "paused", o->paused) &&
             cJSON_AddNumberToObject(root, "paused_until_usec",
                                     o->paused ? (double)o->paused_until_usec : 0);
        arr = ok ? cJSON_AddArrayToObject(root, "overrides") : NULL;
        ok = ok && arr;
        for (size_t i = 0; ok && i < o->n_items; i++) {
                const struct override *e = &o->items[i];
                cJSON *j = cJSON_CreateObject();

                ok = j && cJSON_AddItemToArray(arr, j) &&
                     cJSON_AddStringToObject(j, "name", e->name);
                if (ok && e->memory_max == BYTES_MAX)
                        ok = cJSON_AddStringToObject(j, "memory_max", "max");
                else if (ok)
                        ok = cJSON_AddNumberToObject(j, "memory_max", (double)e->memory_max);
                ok = ok &&
                     cJSON_AddNumberToObject(j, "expires_usec", (double)e->expires_realtime_usec);
        }
        text = ok ? jsonutil_print_line(root, true) : NULL;
        cJSON_Delete(root);
        if (!text)
                return -ENOMEM;
        *ret_text = text;
        return 0;
}

int overrides_parse_json(struct overrides *o, const char *buf, size_t len, usec_t now_realtime_usec)
{
        struct overrides parsed = {0};
        const cJSON *root, *item, *arr;
        uint64_t until = 0;
        int r = -EINVAL;

        assert(o);
        assert(buf || len == 0);

        root = jsonutil_parse_versioned(buf, len, OVERRIDES_FORMAT_VERSION);
        if (!root)
                goto out;
        item = cJSON_GetObjectItemCaseSensitive(root, "paused");
        if (!cJSON_IsBool(item))
                goto out;
        parsed.paused = cJSON_IsTrue(item);
        item = cJSON_GetObjectItemCaseSensitive(root, "paused_until_usec");
        if (item && jsonutil_get_u64(item, JSONUTIL_INT_MAX, &until) < 0)
                goto out;
        parsed.paused_until_usec = parsed.paused ? until : 0;
        /* A pause that ended while the daemon was down is simply over. */
        if (parsed.paused && until != 0 && until <= now_realtime_usec) {
                parsed.paused = false;
                parsed.paused_until_usec = 0;
        }

        arr = cJSON_GetObjectItemCaseSensitive(root, "overrides");
        if (!cJSON_IsArray(arr))
                goto out;
        cJSON_ArrayForEach(item, arr)
        {
                const cJSON *name = cJSON_GetObjectItemCaseSensitive(item, "name");
                const cJSON *max = cJSON_GetObjectItemCaseSensitive(item, "memory_max");
                uint64_t memory_max, expires;

                if (!cJSON_IsObject(item) || !cJSON_IsString(name) ||
                    !name_is_valid(name->valuestring))
                        goto out;
                if (cJSON_IsString(max) && strcmp(max->valuestring, "max") == 0)
                        memory_max = BYTES_MAX;
                else if (jsonutil_get_u64(max, JSONUTIL_INT_MAX, &memory_max) < 0 ||
                         memory_max == 0)
                        goto out;
                if (jsonutil_get_u64(cJSON_GetObjectItemCaseSensitive(item, "expires_usec"),
                                     JSONUTIL_INT_MAX, &expires) < 0)
                        goto out;
                if (find(&parsed, name->valuestring))
                        goto out; /* duplicates: we never write them, so the file is damaged */
                if (expires != 0 && expires <= now_realtime_usec)
                        continue;
                r = overrides_set(&parsed, name->valuestring, memory_max, expires);
                if (r < 0) {
                        if (r != -ENOMEM)
                                r = -EINVAL;
                        goto out;
                }
                r = -EINVAL; /* for the next goto out */
        }

        free(o->items);
        *o = parsed;
        parsed.items = NULL;
        r = 0;
out:
        free(parsed.items);
        cJSON_Delete((cJSON *)root);
        return r;
}

int overrides_save(const struct overrides *o, const char *path)
{
        _cleanup_free_ char *text = NULL;
        int r;

        assert(o);
        assert(path);
        r = overrides_format_json(o, &text);
        if (r < 0)
                return r;
        return util_write_file_atomic(path, text, strlen(text), 0600);
}

int overrides_load(struct overrides *o, const char *path, usec_t now_realtime_usec)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        assert(o);
        assert(path);

        r = statefile_load(path, &buf, &len);
        if (r < 0)
                return r;
        r = overrides_parse_json(o, buf, len, now_realtime_usec);
        if (r == -EINVAL) {
                statefile_quarantine(path, "not a valid overrides file");
                return -EINVAL;
        }
        return r;
}
