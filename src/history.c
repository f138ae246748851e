/* history — see include/history.h */
#include "history.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "jsonutil.h"
#include "statefile.h"

#define HISTORY_FORMAT_VERSION 1
/* cJSON prints integers exactly only below 2^52 (control_proto.h). */

static const char *const kinds[HISTORY_KIND_COUNT] = {HISTORY_KINDS};

struct history {
        uint64_t total;
        uint64_t kind_totals[HISTORY_KIND_COUNT][2]; /* [kind][dry_run] */
        struct history_entry *ring;
        size_t capacity;  /* entries kept at most (history_size) */
        size_t allocated; /* ring slots allocated: grows with count, up to capacity */
        size_t start;     /* index of the oldest entry (0 until the ring is full) */
        size_t count;
};

int history_new(size_t capacity, struct history **ret)
{
        struct history *h;

        assert(ret);
        if (capacity == 0)
                return -EINVAL;
        h = calloc(1, sizeof *h);
        if (!h)
                return -ENOMEM;
        /* The ring grows as entries come (an entry is ~0.6 KiB, the default
         * history_size 1000): an idle governor holds none. */
        h->capacity = capacity;
        *ret = h;
        return 0;
}

struct history *history_free(struct history *h)
{
        if (h) {
                free(h->ring);
                free(h);
        }
        return NULL;
}

static const char *const result_names[HISTORY_RESULT_COUNT] = {
    [HISTORY_RESULT_DONE] = "done",
    [HISTORY_RESULT_FAILED] = "failed",
    [HISTORY_RESULT_DRY_RUN] = "dry-run",
    [HISTORY_RESULT_SKIPPED] = "skipped",
};

const char *history_result_name(enum history_result r)
{
        return (unsigned)r < HISTORY_RESULT_COUNT ? result_names[r] : NULL;
}

int history_result_from_name(const char *name)
{
        for (int i = 0; name && i < HISTORY_RESULT_COUNT; i++)
                if (strcmp(result_names[i], name) == 0)
                        return i;
        return -EINVAL;
}

/* The detail's JSON key: what a failed or skipped entry says about itself. */
static const char *detail_key(enum history_result r)
{
        return r == HISTORY_RESULT_FAILED ? "error" : r == HISTORY_RESULT_SKIPPED ? "why" : NULL;
}

static size_t kind_index(const char *kind)
{
        for (size_t i = 0; i < HISTORY_KIND_COUNT - 1; i++)
                if (strcmp(kinds[i], kind) == 0)
                        return i;
        return HISTORY_KIND_COUNT - 1; /* "other" */
}

uint64_t history_total(const struct history *h)
{
        assert(h);
        return h->total;
}

uint64_t history_kind_total(const struct history *h, const char *kind, bool dry_run)
{
        assert(h);
        assert(kind);
        return h->kind_totals[kind_index(kind)][dry_run];
}

int history_add(struct history *h, const struct history_entry *e)
{
        struct history_entry *slot;

        assert(h);
        assert(e);

        if (h->count == h->allocated && h->count < h->capacity) {
                size_t n = h->allocated ? h->allocated * 2 : 16;
                struct history_entry *p;

                if (n > h->capacity)
                        n = h->capacity;
                p = realloc(h->ring, n * sizeof *p);
                if (!p)
                        return -ENOMEM;
                h->ring = p;
                h->allocated = n;
        }
        h->total++;
        if (h->count < h->capacity) {
                slot = &h->ring[(h->start + h->count) % h->capacity];
                h->count++;
        } else {
                slot = &h->ring[h->start];
                h->start = (h->start + 1) % h->capacity;
        }
        *slot = *e;
        /* dry_run and result say one thing: a dry-run entry is never "done" */
        if (slot->dry_run && slot->result == HISTORY_RESULT_DONE)
                slot->result = HISTORY_RESULT_DRY_RUN;
        slot->dry_run = slot->result == HISTORY_RESULT_DRY_RUN;
        if (!detail_key(slot->result))
                slot->detail[0] = '\0';
        if (slot->result == HISTORY_RESULT_DONE || slot->result == HISTORY_RESULT_DRY_RUN)
                h->kind_totals[kind_index(slot->kind)][slot->dry_run]++;
        return 0;
}

size_t history_count(const struct history *h)
{
        assert(h);
        return h->count;
}

const struct history_entry *history_get(const struct history *h, size_t i)
{
        assert(h);
        if (i >= h->count)
                return NULL;
        return &h->ring[(h->start + i) % h->capacity];
}

/* One entry; time as Unix seconds (contract) or microseconds (file). */
static cJSON *entry_json(const struct history_entry *e, bool file_format)
{
        cJSON *j = cJSON_CreateObject();
        bool ok;

        if (!j)
                return NULL;
        if (file_format)
                ok = cJSON_AddNumberToObject(j, "time_usec", (double)e->time_realtime_usec);
        else
                ok = cJSON_AddNumberToObject(j, "time",
                                             (double)(e->time_realtime_usec / USEC_PER_SEC));
        ok = ok && cJSON_AddStringToObject(j, "kind", e->kind) &&
             cJSON_AddStringToObject(j, "target", e->target) &&
             cJSON_AddStringToObject(j, "reason", e->reason);
        /* memory.max "max" cannot be an integer: leave bytes out as when unset. */
        if (ok && e->has_bytes && e->bytes <= JSONUTIL_INT_MAX)
                ok = cJSON_AddNumberToObject(j, "bytes", (double)e->bytes);
        ok = ok && cJSON_AddBoolToObject(j, "dry_run", e->dry_run) &&
             cJSON_AddStringToObject(j, "result", history_result_name(e->result));
        if (ok && detail_key(e->result))
                ok = cJSON_AddStringToObject(j, detail_key(e->result), e->detail);
        if (!ok) {
                cJSON_Delete(j);
                return NULL;
        }
        return j;
}

static cJSON *entries_json(const struct history *h, size_t n, bool file_format)
{
        cJSON *arr = cJSON_CreateArray();

        if (!arr)
                return NULL;
        if (n == 0 || n > h->count)
                n = h->count;
        for (size_t i = h->count - n; i < h->count; i++) {
                cJSON *j = entry_json(history_get(h, i), file_format);
                if (!j || !cJSON_AddItemToArray(arr, j)) {
                        cJSON_Delete(j);
                        cJSON_Delete(arr);
                        return NULL;
                }
        }
        return arr;
}

struct cJSON *history_to_json(const struct history *h, size_t n)
{
        assert(h);
        return entries_json(h, n, false);
}

int history_format_json(const struct history *h, char **ret_text)
{
        cJSON *root, *arr;
        char *text = NULL;

        assert(h);
        assert(ret_text);

        root = cJSON_CreateObject();
        arr = entries_json(h, 0, true);
        if (root && arr && cJSON_AddNumberToObject(root, "version", HISTORY_FORMAT_VERSION)) {
                cJSON_AddItemToObject(root, "entries", arr);
                arr = NULL;
                /* Unformatted: a full ring is ~1000 entries, keep the file small. */
                text = jsonutil_print_line(root, false);
        }
        cJSON_Delete(arr);
        cJSON_Delete(root);
        if (!text)
                return -ENOMEM;
        *ret_text = text;
        return 0;
}

static int copy_string(const cJSON *item, char *dst, size_t size, bool allow_empty)
{
        if (!cJSON_IsString(item))
                return -EINVAL;
        if (strlen(item->valuestring) >= size)
                return -EINVAL;
        if (!allow_empty && item->valuestring[0] == '\0')
                return -EINVAL;
        util_strlcpy(dst, item->valuestring, size);
        return 0;
}

int history_parse_json(struct history *h, const char *buf, size_t len)
{
        cJSON *root;
        const cJSON *arr, *item;
        struct history_entry *ring = NULL;
        size_t n = 0, total, skip, i = 0;
        int r = -EINVAL;

        assert(h);
        assert(buf || len == 0);

        root = jsonutil_parse_versioned(buf, len, HISTORY_FORMAT_VERSION);
        if (!root)
                goto out;
        arr = cJSON_GetObjectItemCaseSensitive(root, "entries");
        if (!cJSON_IsArray(arr))
                goto out;

        total = (size_t)cJSON_GetArraySize(arr);
        /* Keep the newest: a smaller history_size after a config change drops the oldest. */
        skip = total > h->capacity ? total - h->capacity : 0;
        ring = calloc(total - skip ? total - skip : 1, sizeof *ring);
        if (!ring) {
                r = -ENOMEM;
                goto out;
        }
        cJSON_ArrayForEach(item, arr)
        {
                struct history_entry e = {0};
                const cJSON *bytes = cJSON_GetObjectItemCaseSensitive(item, "bytes");
                const cJSON *dry = cJSON_GetObjectItemCaseSensitive(item, "dry_run");
                const cJSON *result = cJSON_GetObjectItemCaseSensitive(item, "result");
                const char *key;

                if (!cJSON_IsObject(item))
                        goto out;
                if (jsonutil_get_u64(cJSON_GetObjectItemCaseSensitive(item, "time_usec"),
                                     JSONUTIL_INT_MAX, &e.time_realtime_usec) < 0 ||
                    copy_string(cJSON_GetObjectItemCaseSensitive(item, "kind"), e.kind,
                                sizeof e.kind, false) < 0 ||
                    copy_string(cJSON_GetObjectItemCaseSensitive(item, "target"), e.target,
                                sizeof e.target, true) < 0 ||
                    copy_string(cJSON_GetObjectItemCaseSensitive(item, "reason"), e.reason,
                                sizeof e.reason, true) < 0)
                        goto out;
                if (bytes) {
                        if (jsonutil_get_u64(bytes, JSONUTIL_INT_MAX, &e.bytes) < 0)
                                goto out;
                        e.has_bytes = true;
                }
                if (dry) {
                        if (!cJSON_IsBool(dry))
                                goto out;
                        e.dry_run = cJSON_IsTrue(dry);
                }
                if (result) {
                        int res = cJSON_IsString(result)
                                          ? history_result_from_name(result->valuestring)
                                          : -EINVAL;
                        if (res < 0)
                                goto out;
                        e.result = (enum history_result)res;
                } else if (e.dry_run)
                        e.result = HISTORY_RESULT_DRY_RUN;
                e.dry_run = e.result == HISTORY_RESULT_DRY_RUN;
                key = detail_key(e.result);
                if (key && cJSON_GetObjectItemCaseSensitive(item, key) &&
                    copy_string(cJSON_GetObjectItemCaseSensitive(item, key), e.detail,
                                sizeof e.detail, true) < 0)
                        goto out;
                if (i++ >= skip)
                        ring[n++] = e;
        }

        free(h->ring);
        h->ring = ring;
        ring = NULL;
        h->allocated = total - skip ? total - skip : 1;
        h->start = 0;
        h->count = n;
        r = 0;
out:
        free(ring);
        cJSON_Delete(root);
        return r;
}

int history_save(const struct history *h, const char *path)
{
        _cleanup_free_ char *text = NULL;
        int r;

        assert(h);
        assert(path);
        r = history_format_json(h, &text);
        if (r < 0)
                return r;
        return util_write_file_atomic(path, text, strlen(text), 0600);
}

int history_load(struct history *h, const char *path)
{
        _cleanup_free_ char *buf = NULL;
        size_t len = 0;
        int r;

        assert(h);
        assert(path);

        r = statefile_load(path, &buf, &len);
        if (r < 0)
                return r;
        r = history_parse_json(h, buf, len);
        if (r == -EINVAL) {
                statefile_quarantine(path, "not a valid history file");
                return -EINVAL;
        }
        return r;
}
