/* imagelru — see include/imagelru.h */
#include "imagelru.h"

#include <assert.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define IMAGELRU_VERSION     1
#define IMAGELRU_FILE_MAX    (4U * 1024 * 1024) /* bytes of images.json we accept */
#define IMAGELRU_SECONDS_MAX 253402300799.0     /* 9999-12-31: later is corrupt */

void imagelru_init(struct imagelru *l)
{
        assert(l);
        *l = (struct imagelru){0};
}

void imagelru_done(struct imagelru *l)
{
        if (!l)
                return;
        free(l->entries);
        *l = (struct imagelru){0};
}

const struct imagelru_entry *imagelru_find(const struct imagelru *l, const char *image_id)
{
        assert(l);
        assert(image_id);
        for (size_t i = 0; i < l->n_entries; i++)
                if (strcmp(l->entries[i].id, image_id) == 0)
                        return &l->entries[i];
        return NULL;
}

/* The entry least worth remembering: oldest reference time. */
static size_t oldest_entry(const struct imagelru *l)
{
        size_t best = 0;

        for (size_t i = 1; i < l->n_entries; i++) {
                usec_t a = l->entries[i].last_used_realtime_usec;
                usec_t b = l->entries[best].last_used_realtime_usec;
                if (a < b)
                        best = i;
        }
        return best;
}

static struct imagelru_entry *entry_get(struct imagelru *l, const char *image_id)
{
        struct imagelru_entry *e = (struct imagelru_entry *)imagelru_find(l, image_id);

        if (e)
                return e;
        if (strlen(image_id) >= sizeof(e->id)) {
                errno = EINVAL;
                return NULL;
        }
        if (l->n_entries >= IMAGELRU_ENTRIES_MAX) {
                /* Bounded memory: forget the stalest record. */
                size_t i = oldest_entry(l);
                l->entries[i] = l->entries[--l->n_entries];
        }
        if (l->n_entries == l->allocated) {
                size_t n = l->allocated ? l->allocated * 2 : 32;
                struct imagelru_entry *p = reallocarray(l->entries, n, sizeof(*p));
                if (!p) {
                        errno = ENOMEM;
                        return NULL;
                }
                l->entries = p;
                l->allocated = n;
        }
        e = &l->entries[l->n_entries++];
        *e = (struct imagelru_entry){0};
        util_strlcpy(e->id, image_id, sizeof(e->id));
        return e;
}

int imagelru_touch(struct imagelru *l, const char *image_id, usec_t now_realtime_usec)
{
        struct imagelru_entry *e;

        assert(l);
        assert(image_id);
        if (!image_id[0])
                return -EINVAL;
        e = entry_get(l, image_id);
        if (!e)
                return -errno;
        if (now_realtime_usec > e->last_used_realtime_usec) {
                e->last_used_realtime_usec = now_realtime_usec;
                l->dirty = true;
        }
        return 0;
}

int imagelru_note_images(struct imagelru *l, const struct docker_image *images, size_t n,
                         usec_t now_realtime_usec)
{
        assert(l);
        assert(images || n == 0);

        /* Forget images that are gone: their ids will never come back. */
        for (size_t i = 0; i < l->n_entries;) {
                bool present = false;
                for (size_t j = 0; j < n && !present; j++)
                        present = strcmp(images[j].id, l->entries[i].id) == 0;
                if (present) {
                        i++;
                        continue;
                }
                l->entries[i] = l->entries[--l->n_entries];
                l->dirty = true;
        }

        for (size_t j = 0; j < n; j++) {
                struct imagelru_entry *e;

                if (imagelru_find(l, images[j].id))
                        continue;
                e = entry_get(l, images[j].id);
                if (!e) {
                        if (errno == EINVAL)
                                continue; /* an id we cannot hold: never a candidate */
                        return -ENOMEM;
                }
                e->first_seen_realtime_usec = l->baseline ? now_realtime_usec : 0;
                l->dirty = true;
        }
        if (!l->baseline) {
                l->baseline = true;
                l->dirty = true;
        }
        return 0;
}

static bool seconds_valid(const cJSON *v)
{
        return cJSON_IsNumber(v) && isfinite(v->valuedouble) && v->valuedouble >= 0 &&
               v->valuedouble <= IMAGELRU_SECONDS_MAX;
}

int imagelru_parse(struct imagelru *l, const char *json, size_t len)
{
        struct imagelru parsed;
        cJSON *root, *version, *baseline, *images, *item;
        const char *end = NULL;
        int r = -EINVAL;

        assert(l);
        assert(json || len == 0);

        root = cJSON_ParseWithLengthOpts(json, len, &end, false);
        if (!root)
                return -EINVAL;
        /* Trailing garbage after the object is corruption too. */
        for (; end < json + len && *end; end++)
                if (!strchr(" \t\r\n", *end)) {
                        cJSON_Delete(root);
                        return -EINVAL;
                }
        imagelru_init(&parsed);

        version = cJSON_GetObjectItemCaseSensitive(root, "version");
        baseline = cJSON_GetObjectItemCaseSensitive(root, "baseline");
        images = cJSON_GetObjectItemCaseSensitive(root, "images");
        if (!cJSON_IsObject(root) || !cJSON_IsNumber(version) ||
            version->valuedouble != IMAGELRU_VERSION || !cJSON_IsBool(baseline) ||
            !cJSON_IsObject(images))
                goto out;
        parsed.baseline = cJSON_IsTrue(baseline);

        cJSON_ArrayForEach(item, images)
        {
                const cJSON *last = cJSON_GetObjectItemCaseSensitive(item, "last_used");
                const cJSON *first = cJSON_GetObjectItemCaseSensitive(item, "first_seen");
                struct imagelru_entry *e;

                if (!item->string || !item->string[0] || !cJSON_IsObject(item) ||
                    !seconds_valid(last) || !seconds_valid(first))
                        goto out;
                if (imagelru_find(&parsed, item->string))
                        goto out; /* duplicate key */
                e = entry_get(&parsed, item->string);
                if (!e) {
                        r = errno == ENOMEM ? -ENOMEM : -EINVAL;
                        goto out;
                }
                e->last_used_realtime_usec = (usec_t)last->valuedouble * USEC_PER_SEC;
                e->first_seen_realtime_usec = (usec_t)first->valuedouble * USEC_PER_SEC;
        }

        imagelru_done(l);
        *l = parsed;
        imagelru_init(&parsed);
        r = 0;
out:
        imagelru_done(&parsed);
        cJSON_Delete(root);
        return r;
}

int imagelru_format(const struct imagelru *l, char **ret_json)
{
        cJSON *root = NULL, *images;
        char *text;

        assert(l);
        assert(ret_json);

        root = cJSON_CreateObject();
        if (!root || !cJSON_AddNumberToObject(root, "version", IMAGELRU_VERSION) ||
            !cJSON_AddBoolToObject(root, "baseline", l->baseline))
                goto oom;
        images = cJSON_AddObjectToObject(root, "images");
        if (!images)
                goto oom;
        for (size_t i = 0; i < l->n_entries; i++) {
                const struct imagelru_entry *e = &l->entries[i];
                cJSON *o = cJSON_AddObjectToObject(images, e->id);

                if (!o ||
                    !cJSON_AddNumberToObject(o, "last_used",
                                             (double)(e->last_used_realtime_usec / USEC_PER_SEC)) ||
                    !cJSON_AddNumberToObject(o, "first_seen",
                                             (double)(e->first_seen_realtime_usec / USEC_PER_SEC)))
                        goto oom;
        }
        text = cJSON_Print(root);
        if (!text)
                goto oom;
        cJSON_Delete(root);
        *ret_json = text;
        return 0;
oom:
        cJSON_Delete(root);
        return -ENOMEM;
}

int imagelru_load(struct imagelru *l, const char *path)
{
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        ssize_t n;

        assert(l);
        assert(path);

        /* Loaded from the loop: a FIFO planted here must not hang it (issue 13). */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return errno == ELOOP ? -EINVAL : -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        buf = malloc(IMAGELRU_FILE_MAX);
        if (!buf)
                return -ENOMEM;
        n = util_read_fd(fd, buf, IMAGELRU_FILE_MAX);
        if (n == -EFBIG)
                return -EINVAL;
        if (n < 0)
                return (int)n;
        return imagelru_parse(l, buf, (size_t)n);
}

int imagelru_save(struct imagelru *l, const char *path)
{
        _cleanup_free_ char *json = NULL;
        int r;

        assert(l);
        assert(path);

        r = imagelru_format(l, &json);
        if (r < 0)
                return r;
        r = util_write_file_atomic(path, json, strlen(json), 0644);
        if (r < 0)
                return r;
        l->dirty = false;
        return 0;
}

/* "repo:tag" → does glob match it, or (a glob without ':') its repo part? */
static bool tag_matches(const char *glob, const char *tag)
{
        const char *slash, *colon;
        char repo[512];

        if (fnmatch(glob, tag, 0) == 0)
                return true;
        /* A glob that names a tag matched the whole ref or nothing. */
        slash = strrchr(glob, '/');
        if (strchr(slash ? slash : glob, ':'))
                return false;
        /* The tag separator is the last ':' after the last '/' (a registry
         * host may carry a port: "localhost:5000/app:1"). */
        slash = strrchr(tag, '/');
        colon = strrchr(slash ? slash : tag, ':');
        if (!colon || (size_t)(colon - tag) >= sizeof(repo))
                return false;
        memcpy(repo, tag, (size_t)(colon - tag));
        repo[colon - tag] = '\0';
        return fnmatch(glob, repo, 0) == 0;
}

bool imagelru_is_kept(const struct docker_image *image, char *const *keep_globs,
                      size_t n_keep_globs)
{
        assert(image);

        if (!image->repo_tags)
                return false;
        for (char **t = image->repo_tags; *t; t++) {
                if (strcmp(*t, "<none>:<none>") == 0)
                        continue;
                for (size_t k = 0; k < n_keep_globs; k++)
                        if (keep_globs[k] && tag_matches(keep_globs[k], *t))
                                return true;
        }
        return false;
}

usec_t imagelru_reference_time(const struct imagelru *l, const struct docker_image *image)
{
        const struct imagelru_entry *e;
        usec_t t;

        assert(l);
        assert(image);

        t = image->created_realtime_usec;
        e = imagelru_find(l, image->id);
        if (e) {
                if (e->first_seen_realtime_usec > t)
                        t = e->first_seen_realtime_usec;
                if (e->last_used_realtime_usec > t)
                        t = e->last_used_realtime_usec;
        }
        return t;
}

struct ranked {
        size_t index;
        usec_t reference;
        usec_t created;
        const char *id;
};

static int ranked_cmp(const void *a, const void *b)
{
        const struct ranked *x = a, *y = b;

        if (x->reference != y->reference)
                return x->reference < y->reference ? -1 : 1;
        if (x->created != y->created)
                return x->created < y->created ? -1 : 1;
        return strcmp(x->id, y->id);
}

int imagelru_choose(const struct imagelru *l, const struct docker_image *images, size_t n,
                    const char *const *in_use, size_t n_in_use, char *const *keep_globs,
                    size_t n_keep_globs, usec_t min_age_usec, usec_t now_realtime_usec,
                    size_t *ret_order, size_t *ret_n)
{
        _cleanup_free_ struct ranked *ranked = NULL;
        size_t n_ranked = 0;

        assert(l);
        assert(images || n == 0);
        assert(in_use || n_in_use == 0);
        assert(ret_order || n == 0);
        assert(ret_n);

        if (n == 0) {
                *ret_n = 0;
                return 0;
        }
        ranked = calloc(n, sizeof(*ranked));
        if (!ranked)
                return -ENOMEM;

        for (size_t i = 0; i < n; i++) {
                const struct docker_image *img = &images[i];
                bool used = false;
                usec_t ref;

                for (size_t u = 0; u < n_in_use && !used; u++)
                        used = in_use[u] && strcmp(in_use[u], img->id) == 0;
                if (used || !img->id[0])
                        continue;
                if (imagelru_is_kept(img, keep_globs, n_keep_globs))
                        continue;
                ref = imagelru_reference_time(l, img);
                /* From the future (clock step) or too recent: keep. */
                if (ref > now_realtime_usec || now_realtime_usec - ref <= min_age_usec)
                        continue;
                ranked[n_ranked++] = (struct ranked){
                    .index = i,
                    .reference = ref,
                    .created = img->created_realtime_usec,
                    .id = img->id,
                };
        }
        qsort(ranked, n_ranked, sizeof(ranked[0]), ranked_cmp);
        for (size_t i = 0; i < n_ranked; i++)
                ret_order[i] = ranked[i].index;
        *ret_n = n_ranked;
        return 0;
}
