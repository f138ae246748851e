/* docker_json — see docker_json.h. Pure: cJSON over a caller's buffer. */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "docker_json.h"

/* Largest integer a double holds exactly: beyond it cJSON has already
 * rounded, so a "huge" number is refused rather than silently changed. */
#define JSON_INT_MAX 9007199254740992.0 /* 2^53 */

/* Docker answers can be large (a list of many containers) but never this
 * large; a bigger body is hostile or broken. bytes */
#define DOCKER_JSON_INPUT_MAX (64u * 1024 * 1024)

typedef cJSON *cjsonp;
static void cjson_deletep(cjsonp *p)
{
        cJSON_Delete(*p);
}
#define _cleanup_cjson_ __attribute__((cleanup(cjson_deletep)))

static cJSON *parse(const char *json, size_t len)
{
        const char *end = NULL;
        cJSON *root;

        if (!json || len == 0 || len > DOCKER_JSON_INPUT_MAX)
                return NULL;
        root = cJSON_ParseWithLengthOpts(json, len, &end, false);
        if (!root)
                return NULL;
        /* Trailing garbage other than whitespace (or NULs from a sized buffer) is malformed. */
        for (; end && end < json + len; end++)
                if (!isspace((unsigned char)*end) && *end != '\0') {
                        cJSON_Delete(root);
                        return NULL;
                }
        return root;
}

/* Object member by exact (case-sensitive) name; Docker's keys are CamelCase
 * and a case-insensitive lookup would accept "memory" for "Memory". */
static const cJSON *member(const cJSON *obj, const char *name)
{
        if (!cJSON_IsObject(obj))
                return NULL;
        return cJSON_GetObjectItemCaseSensitive(obj, name);
}

/* A string member within max bytes (incl. NUL). NULL member is -ENOENT. */
static int get_string(const cJSON *obj, const char *name, size_t max, const char **ret)
{
        const cJSON *v = member(obj, name);

        if (!v)
                return -ENOENT;
        if (!cJSON_IsString(v) || !v->valuestring)
                return -EINVAL;
        if (strnlen(v->valuestring, max) >= max)
                return -EINVAL;
        *ret = v->valuestring;
        return 0;
}

static int number_to_i64(const cJSON *v, int64_t min, int64_t max, int64_t *ret)
{
        double d;

        if (!cJSON_IsNumber(v))
                return -EINVAL;
        d = v->valuedouble;
        if (!isfinite(d) || d != floor(d) || d > JSON_INT_MAX || d < -JSON_INT_MAX)
                return -EINVAL;
        if (d < (double)min || d > (double)max)
                return -EINVAL;
        *ret = (int64_t)d;
        return 0;
}

static int get_i64(const cJSON *obj, const char *name, int64_t min, int64_t max, int64_t *ret)
{
        const cJSON *v = member(obj, name);

        if (!v)
                return -ENOENT;
        return number_to_i64(v, min, max, ret);
}

static int get_bool(const cJSON *obj, const char *name, bool *ret)
{
        const cJSON *v = member(obj, name);

        if (!v)
                return -ENOENT;
        if (!cJSON_IsBool(v))
                return -EINVAL;
        *ret = cJSON_IsTrue(v);
        return 0;
}

/* A top-level array answer (the list endpoints) of at most
 * DOCKER_JSON_ITEMS_MAX items, and how many: a bigger answer is refused,
 * not truncated. */
static bool array_bounded(const cJSON *root, size_t *ret_count)
{
        if (!root || !cJSON_IsArray(root))
                return false;
        *ret_count = (size_t)cJSON_GetArraySize(root);
        return *ret_count <= DOCKER_JSON_ITEMS_MAX;
}

bool docker_id_valid(const char *id)
{
        size_t i;

        if (!id)
                return false;
        for (i = 0; i < DOCKER_ID_MAX - 1; i++)
                if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
                        return false;
        return id[i] == '\0';
}

bool docker_name_valid(const char *name)
{
        size_t i;

        if (!name || !isalnum((unsigned char)name[0]))
                return false;
        for (i = 0; name[i]; i++) {
                if (i >= DOCKER_JSON_NAME_MAX - 1)
                        return false;
                if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
                        return false;
        }
        return true;
}

bool docker_image_ref_valid(const char *ref)
{
        size_t i;

        if (!ref || !isalnum((unsigned char)ref[0]))
                return false;
        /* ".." would let a ref climb out of /images/ once the URL is normalised. */
        if (strstr(ref, ".."))
                return false;
        for (i = 0; ref[i]; i++) {
                if (i >= DOCKER_JSON_STRING_MAX - 1)
                        return false;
                if (!isalnum((unsigned char)ref[i]) && !strchr("_.:/-@", ref[i]))
                        return false;
        }
        return true;
}

int docker_json_parse_api_version(const char *s, unsigned *ret_major, unsigned *ret_minor)
{
        unsigned long major, minor;
        char *end;

        assert(ret_major);
        assert(ret_minor);
        if (!s || !isdigit((unsigned char)s[0]))
                return -EINVAL;
        errno = 0;
        major = strtoul(s, &end, 10);
        if (errno || *end != '.' || major > 999 || !isdigit((unsigned char)end[1]))
                return -EINVAL;
        minor = strtoul(end + 1, &end, 10);
        if (errno || *end != '\0' || minor > 999)
                return -EINVAL;
        *ret_major = (unsigned)major;
        *ret_minor = (unsigned)minor;
        return 0;
}

int docker_json_api_version_cmp(const char *a, const char *b)
{
        unsigned amaj = 0, amin = 0, bmaj = 0, bmin = 0;

        (void)docker_json_parse_api_version(a, &amaj, &amin);
        (void)docker_json_parse_api_version(b, &bmaj, &bmin);
        if (amaj != bmaj)
                return amaj < bmaj ? -1 : 1;
        if (amin != bmin)
                return amin < bmin ? -1 : 1;
        return 0;
}

/* A version string from /version into buf, normalised ("1.052" → "1.52"). */
static int version_member(const cJSON *root, const char *name, char *buf, size_t size)
{
        unsigned major, minor;
        const char *s;
        int r;

        r = get_string(root, name, 16, &s);
        if (r < 0)
                return r;
        r = docker_json_parse_api_version(s, &major, &minor);
        if (r < 0)
                return r;
        r = snprintf(buf, size, "%u.%u", major, minor);
        return r < 0 || (size_t)r >= size ? -EINVAL : 0;
}

int docker_json_parse_version_info(const char *json, size_t len, struct docker_json_version *ret)
{
        _cleanup_cjson_ cJSON *root = parse(json, len);
        struct docker_json_version v = {};
        char ours_min[16], ours_max[16];
        const char *engine;
        int r;

        assert(ret);
        if (!root || !cJSON_IsObject(root))
                return -EINVAL;
        if (version_member(root, "ApiVersion", v.server_api, sizeof(v.server_api)) < 0)
                return -EINVAL;
        r = version_member(root, "MinAPIVersion", v.server_min_api, sizeof(v.server_min_api));
        if (r == -ENOENT)
                util_strlcpy(v.server_min_api, DOCKER_API_DEFAULT_SERVER_MIN,
                             sizeof(v.server_min_api));
        else if (r < 0)
                return -EINVAL;
        r = get_string(root, "Version", sizeof(v.engine), &engine);
        if (r == 0) {
                /* It goes into logs and status: printable ASCII only. */
                for (const char *p = engine; *p; p++)
                        if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
                                return -EINVAL;
                util_strlcpy(v.engine, engine, sizeof(v.engine));
        } else if (r != -ENOENT)
                return -EINVAL;

        snprintf(ours_min, sizeof(ours_min), "%u.%u", DOCKER_API_MIN_MAJOR, DOCKER_API_MIN_MINOR);
        snprintf(ours_max, sizeof(ours_max), "%u.%u", DOCKER_API_MAX_MAJOR, DOCKER_API_MAX_MINOR);
        util_strlcpy(v.api,
                     docker_json_api_version_cmp(v.server_api, ours_max) > 0 ? ours_max
                                                                             : v.server_api,
                     sizeof(v.api));
        if (docker_json_api_version_cmp(v.api, ours_min) < 0 ||
            docker_json_api_version_cmp(v.api, v.server_min_api) < 0) {
                v.api[0] = '\0';
                *ret = v;
                return -ENOTSUP;
        }
        *ret = v;
        return 0;
}

int docker_json_parse_version(const char *json, size_t len, char *ret, size_t size)
{
        struct docker_json_version v;
        int r;

        assert(ret);
        r = docker_json_parse_version_info(json, len, &v);
        if (r < 0)
                return r;
        if (strlen(v.api) >= size)
                return -ENOBUFS;
        util_strlcpy(ret, v.api, size);
        return 0;
}

int docker_json_parse_container_list(const char *json, size_t len, char (**ret_ids)[DOCKER_ID_MAX],
                                     size_t *ret_n)
{
        _cleanup_cjson_ cJSON *root = parse(json, len);
        char(*ids)[DOCKER_ID_MAX];
        const cJSON *item;
        size_t n = 0, count;

        assert(ret_ids);
        assert(ret_n);
        if (!array_bounded(root, &count))
                return -EINVAL;
        ids = calloc(count ? count : 1, sizeof(*ids));
        if (!ids)
                return -ENOMEM;
        cJSON_ArrayForEach(item, root)
        {
                const char *id;

                if (get_string(item, "Id", DOCKER_ID_MAX + 1, &id) < 0 || !docker_id_valid(id)) {
                        free(ids);
                        return -EINVAL;
                }
                memcpy(ids[n++], id, DOCKER_ID_MAX);
        }
        *ret_ids = ids;
        *ret_n = n;
        return 0;
}

void docker_strv_free(char **strv)
{
        if (!strv)
                return;
        for (char **s = strv; *s; s++)
                free(*s);
        free(strv);
}

void docker_container_done(struct docker_container *c)
{
        if (!c)
                return;
        free(c->name);
        free(c->image);
        free(c->image_id);
        docker_strv_free(c->labels);
        free(c->cgroup);
        free(c->cgroup_v1_memory);
        memset(c, 0, sizeof(*c));
}

static int strdup_or_null(const char *s, char **ret)
{
        if (!s) {
                *ret = NULL;
                return 0;
        }
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

int docker_container_copy(const struct docker_container *src, struct docker_container *ret)
{
        struct docker_container c = *src;
        size_t n = 0;

        assert(src);
        assert(ret);
        c.name = c.image = c.image_id = c.cgroup = c.cgroup_v1_memory = NULL;
        c.labels = NULL;
        if (strdup_or_null(src->name, &c.name) < 0 || strdup_or_null(src->image, &c.image) < 0 ||
            strdup_or_null(src->image_id, &c.image_id) < 0 ||
            strdup_or_null(src->cgroup, &c.cgroup) < 0 ||
            strdup_or_null(src->cgroup_v1_memory, &c.cgroup_v1_memory) < 0)
                goto oom;
        if (src->labels) {
                while (src->labels[n])
                        n++;
                c.labels = calloc(n + 1, sizeof(char *));
                if (!c.labels)
                        goto oom;
                for (size_t i = 0; i < n; i++)
                        if (strdup_or_null(src->labels[i], &c.labels[i]) < 0)
                                goto oom;
        }
        *ret = c;
        return 0;
oom:
        docker_container_done(&c);
        return -ENOMEM;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); no libc time zone state. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
        int64_t era;
        unsigned yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = (unsigned)(y - era * 400);
        doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + (int64_t)doe - 719468;
}

static int digits(const char **p, unsigned n, unsigned *ret)
{
        unsigned v = 0;

        for (unsigned i = 0; i < n; i++) {
                if (!isdigit((unsigned char)(*p)[i]))
                        return -EINVAL;
                v = v * 10 + (unsigned)((*p)[i] - '0');
        }
        *p += n;
        *ret = v;
        return 0;
}

int docker_json_parse_time(const char *s, usec_t *ret_usec)
{
        unsigned year, mon, day, hour, min, sec, frac_digits = 0, offset_h, offset_m;
        uint64_t frac_usec = 0;
        int64_t days, total_sec, offset_sec = 0;
        const char *p = s;

        assert(ret_usec);
        if (!s)
                return -EINVAL;
        if (digits(&p, 4, &year) < 0 || *p++ != '-' || digits(&p, 2, &mon) < 0 || *p++ != '-' ||
            digits(&p, 2, &day) < 0 || (*p != 'T' && *p != 't') || !*p++ ||
            digits(&p, 2, &hour) < 0 || *p++ != ':' || digits(&p, 2, &min) < 0 || *p++ != ':' ||
            digits(&p, 2, &sec) < 0)
                return -EINVAL;
        if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
                return -EINVAL;
        if (*p == '.') {
                p++;
                if (!isdigit((unsigned char)*p))
                        return -EINVAL;
                for (; isdigit((unsigned char)*p); p++, frac_digits++) {
                        if (frac_digits >= 9)
                                return -EINVAL;
                        if (frac_digits < 6)
                                frac_usec = frac_usec * 10 + (uint64_t)(*p - '0');
                }
                for (unsigned i = frac_digits; i < 6; i++)
                        frac_usec *= 10;
        }
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                int sign = *p++ == '-' ? -1 : 1;

                if (digits(&p, 2, &offset_h) < 0 || *p++ != ':' || digits(&p, 2, &offset_m) < 0 ||
                    offset_h > 23 || offset_m > 59)
                        return -EINVAL;
                offset_sec = sign * (int64_t)(offset_h * 3600 + offset_m * 60);
        } else
                return -EINVAL;
        if (*p != '\0')
                return -EINVAL;

        days = days_from_civil(year, mon, day);
        total_sec = days * 86400 + hour * 3600 + min * 60 + sec - offset_sec;
        *ret_usec = total_sec < 0 ? 0 : (usec_t)total_sec * USEC_PER_SEC + frac_usec;
        return 0;
}

static int parse_labels(const cJSON *labels, char ***ret)
{
        char **strv;
        const cJSON *l;
        size_t n = 0, count;

        /* Docker writes null for "no labels". */
        if (!labels || cJSON_IsNull(labels)) {
                strv = calloc(1, sizeof(char *));
                if (!strv)
                        return -ENOMEM;
                *ret = strv;
                return 0;
        }
        if (!cJSON_IsObject(labels))
                return -EINVAL;
        count = (size_t)cJSON_GetArraySize(labels);
        if (count > DOCKER_JSON_LABELS_MAX)
                return -EINVAL;
        strv = calloc(count + 1, sizeof(char *));
        if (!strv)
                return -ENOMEM;
        cJSON_ArrayForEach(l, labels)
        {
                if (!l->string || !cJSON_IsString(l) || !l->valuestring ||
                    strnlen(l->string, DOCKER_JSON_STRING_MAX) >= DOCKER_JSON_STRING_MAX ||
                    strnlen(l->valuestring, DOCKER_JSON_STRING_MAX) >= DOCKER_JSON_STRING_MAX ||
                    l->string[0] == '\0' || strchr(l->string, '=')) {
                        docker_strv_free(strv);
                        return -EINVAL;
                }
                if (asprintf(&strv[n], "%s=%s", l->string, l->valuestring) < 0) {
                        strv[n] = NULL;
                        docker_strv_free(strv);
                        return -ENOMEM;
                }
                n++;
        }
        *ret = strv;
        return 0;
}

int docker_json_parse_inspect(const char *json, size_t len, struct docker_container *ret)
{
        _cleanup_cjson_ cJSON *root = parse(json, len);
        struct docker_container c = {};
        const cJSON *state, *host_config, *config;
        const char *id, *name, *image, *image_id, *created, *started = NULL;
        int64_t pid, memory, swap, restarts;
        usec_t created_usec, started_usec = 0;
        int r;

        assert(ret);
        if (!root || !cJSON_IsObject(root))
                return -EINVAL;
        state = member(root, "State");
        host_config = member(root, "HostConfig");
        config = member(root, "Config");
        if (!cJSON_IsObject(state) || !cJSON_IsObject(host_config) || !cJSON_IsObject(config))
                return -EINVAL;

        if (get_string(root, "Id", DOCKER_ID_MAX + 1, &id) < 0 || !docker_id_valid(id))
                return -EINVAL;
        if (get_string(root, "Name", DOCKER_JSON_NAME_MAX + 1, &name) < 0)
                return -EINVAL;
        if (name[0] == '/')
                name++;
        if (!docker_name_valid(name))
                return -EINVAL;
        if (get_string(config, "Image", DOCKER_JSON_STRING_MAX, &image) < 0 ||
            get_string(root, "Image", DOCKER_JSON_STRING_MAX, &image_id) < 0)
                return -EINVAL;
        if (get_bool(state, "Running", &c.running) < 0 ||
            get_i64(state, "Pid", 0, INT32_MAX, &pid) < 0)
                return -EINVAL;
        /* A stopped container has no pid. A "running" one without a pid is
         * between two runs (State.Restarting): nothing to limit or watch yet. */
        if (!c.running && pid > 0)
                return -EINVAL;
        c.running = c.running && pid > 0;
        if (get_i64(host_config, "Memory", 0, INT64_MAX, &memory) < 0 ||
            get_i64(host_config, "MemorySwap", -1, INT64_MAX, &swap) < 0)
                return -EINVAL;
        r = get_i64(root, "RestartCount", 0, UINT32_MAX, &restarts);
        if (r == -ENOENT)
                restarts = 0;
        else if (r < 0)
                return -EINVAL;
        if (get_string(root, "Created", 64, &created) < 0 ||
            docker_json_parse_time(created, &created_usec) < 0)
                return -EINVAL;
        r = get_string(state, "StartedAt", 64, &started);
        if (r == 0) {
                if (docker_json_parse_time(started, &started_usec) < 0)
                        return -EINVAL;
        } else if (r != -ENOENT)
                return -EINVAL;

        memcpy(c.id, id, DOCKER_ID_MAX);
        c.pid = (int)pid;
        c.memory_bytes = (uint64_t)memory;
        c.memory_swap = swap;
        c.restart_count = (unsigned)restarts;
        c.created_realtime_usec = created_usec;
        c.started_realtime_usec = started_usec;
        r = parse_labels(member(config, "Labels"), &c.labels);
        if (r < 0)
                return r;
        c.name = strdup(name);
        c.image = strdup(image);
        c.image_id = strdup(image_id);
        if (!c.name || !c.image || !c.image_id) {
                docker_container_done(&c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

static const char *const action_names[] = {
    [DOCKER_ACTION_OTHER] = "other",     [DOCKER_ACTION_CREATE] = "create",
    [DOCKER_ACTION_START] = "start",     [DOCKER_ACTION_RESTART] = "restart",
    [DOCKER_ACTION_DIE] = "die",         [DOCKER_ACTION_STOP] = "stop",
    [DOCKER_ACTION_KILL] = "kill",       [DOCKER_ACTION_OOM] = "oom",
    [DOCKER_ACTION_DESTROY] = "destroy", [DOCKER_ACTION_UPDATE] = "update",
    [DOCKER_ACTION_RENAME] = "rename",   [DOCKER_ACTION_PAUSE] = "pause",
    [DOCKER_ACTION_UNPAUSE] = "unpause",
};

const char *docker_action_name(enum docker_action a)
{
        if ((size_t)a >= ELEMENTSOF(action_names) || !action_names[a])
                return "other";
        return action_names[a];
}

static enum docker_action action_from_string(const char *s)
{
        for (size_t i = 1; i < ELEMENTSOF(action_names); i++)
                if (strcmp(s, action_names[i]) == 0)
                        return (enum docker_action)i;
        return DOCKER_ACTION_OTHER;
}

int docker_json_parse_event(const char *line, size_t len, struct docker_json_event *ret)
{
        _cleanup_cjson_ cJSON *root = parse(line, len);
        struct docker_json_event e = {};
        const cJSON *actor, *attributes;
        const char *type, *action, *id, *name = NULL;
        int64_t time_nano;

        assert(ret);
        if (!root || !cJSON_IsObject(root))
                return -EINVAL;
        if (get_string(root, "Type", 64, &type) < 0 ||
            get_string(root, "Action", DOCKER_JSON_STRING_MAX, &action) < 0)
                return -EINVAL;
        /* timeNano exceeds 2^53 (it is ~1.8e18), so cJSON's double has
         * rounded it to ~256 ns: good enough for latency, and the seconds
         * field cross-checks it. */
        if (!cJSON_IsNumber(member(root, "timeNano")))
                return -EINVAL;
        {
                double d = member(root, "timeNano")->valuedouble;
                int64_t seconds;

                if (!isfinite(d) || d < 0 || d >= 1.8446744073709552e19)
                        return -EINVAL;
                time_nano = (int64_t)(uint64_t)d;
                if (get_i64(root, "time", 0, INT64_MAX / 1000000000, &seconds) == 0 &&
                    (uint64_t)seconds != (uint64_t)d / 1000000000ULL &&
                    (uint64_t)seconds + 1 != (uint64_t)d / 1000000000ULL &&
                    (uint64_t)seconds != (uint64_t)d / 1000000000ULL + 1)
                        return -EINVAL;
        }
        e.time_nano = (uint64_t)time_nano;
        e.container = strcmp(type, "container") == 0;
        if (e.container) {
                actor = member(root, "Actor");
                if (!cJSON_IsObject(actor))
                        return -EINVAL;
                e.action = action_from_string(action);
                /* Actions we do not follow may name no container ("prune"). */
                if (get_string(actor, "ID", DOCKER_ID_MAX + 1, &id) < 0)
                        return -EINVAL;
                if (docker_id_valid(id))
                        memcpy(e.id, id, DOCKER_ID_MAX);
                else if (e.action != DOCKER_ACTION_OTHER)
                        return -EINVAL;
                attributes = member(actor, "Attributes");
                if (attributes && !cJSON_IsObject(attributes) && !cJSON_IsNull(attributes))
                        return -EINVAL;
                if (cJSON_IsObject(attributes)) {
                        int r = get_string(attributes, "name", DOCKER_JSON_NAME_MAX, &name);

                        if (r == -EINVAL)
                                return -EINVAL;
                        if (name)
                                util_strlcpy(e.name, name, sizeof(e.name));
                }
        }
        *ret = e;
        return 0;
}

void docker_images_free(struct docker_image *images, size_t n)
{
        if (!images)
                return;
        for (size_t i = 0; i < n; i++)
                docker_strv_free(images[i].repo_tags);
        free(images);
}

int docker_json_parse_images(const char *json, size_t len, struct docker_image **ret_images,
                             size_t *ret_n)
{
        _cleanup_cjson_ cJSON *root = parse(json, len);
        struct docker_image *images;
        const cJSON *item;
        size_t n = 0, count;

        assert(ret_images);
        assert(ret_n);
        if (!array_bounded(root, &count))
                return -EINVAL;
        images = calloc(count ? count : 1, sizeof(*images));
        if (!images)
                return -ENOMEM;
        cJSON_ArrayForEach(item, root)
        {
                struct docker_image *img = &images[n];
                const cJSON *tags, *t;
                const char *id;
                int64_t size, created;
                size_t ntags = 0, k = 0;
                int r = -EINVAL;

                if (get_string(item, "Id", sizeof(img->id), &id) < 0 ||
                    strncmp(id, "sha256:", 7) != 0 || !docker_id_valid(id + 7) ||
                    get_i64(item, "Size", 0, INT64_MAX, &size) < 0 ||
                    get_i64(item, "Created", 0, INT64_MAX / (int64_t)USEC_PER_SEC, &created) < 0)
                        goto fail;
                tags = member(item, "RepoTags");
                if (tags && !cJSON_IsArray(tags) && !cJSON_IsNull(tags))
                        goto fail;
                if (cJSON_IsArray(tags))
                        ntags = (size_t)cJSON_GetArraySize(tags);
                if (ntags > DOCKER_JSON_LABELS_MAX)
                        goto fail;
                img->repo_tags = calloc(ntags + 1, sizeof(char *));
                if (!img->repo_tags) {
                        r = -ENOMEM;
                        goto fail;
                }
                n++; /* from here on images[n-1] is freed on failure */
                util_strlcpy(img->id, id, sizeof(img->id));
                img->size_bytes = (uint64_t)size;
                img->created_realtime_usec = (usec_t)created * USEC_PER_SEC;
                if (cJSON_IsArray(tags))
                        cJSON_ArrayForEach(t, tags)
                        {
                                if (!cJSON_IsString(t) || !t->valuestring ||
                                    strnlen(t->valuestring, DOCKER_JSON_STRING_MAX) >=
                                        DOCKER_JSON_STRING_MAX)
                                        goto fail;
                                /* "<none>:<none>" is how Docker spells "untagged". */
                                if (strcmp(t->valuestring, "<none>:<none>") == 0)
                                        continue;
                                img->repo_tags[k] = strdup(t->valuestring);
                                if (!img->repo_tags[k]) {
                                        r = -ENOMEM;
                                        goto fail;
                                }
                                k++;
                        }
                continue;
        fail:
                docker_images_free(images, n);
                return r;
        }
        *ret_images = images;
        *ret_n = n;
        return 0;
}

static int strv_push(char ***strv, size_t *n, const char *s)
{
        char **p = realloc(*strv, (*n + 2) * sizeof(char *));

        if (!p)
                return -ENOMEM;
        *strv = p;
        p[*n] = strdup(s);
        if (!p[*n])
                return -ENOMEM;
        p[++*n] = NULL;
        return 0;
}

int docker_json_parse_prune(const char *json, size_t len, uint64_t *ret_reclaimed_bytes,
                            char ***ret_deleted)
{
        _cleanup_cjson_ cJSON *root = parse(json, len);
        static const char *const list_keys[] = {"ContainersDeleted", "ImagesDeleted",
                                                "CachesDeleted"};
        char **deleted = NULL;
        size_t n = 0, total = 0;
        int64_t reclaimed;
        int r;

        assert(ret_reclaimed_bytes);
        assert(ret_deleted);
        if (!root || !cJSON_IsObject(root))
                return -EINVAL;
        if (get_i64(root, "SpaceReclaimed", 0, INT64_MAX, &reclaimed) < 0)
                return -EINVAL;
        deleted = calloc(1, sizeof(char *));
        if (!deleted)
                return -ENOMEM;
        for (size_t k = 0; k < ELEMENTSOF(list_keys); k++) {
                const cJSON *list = member(root, list_keys[k]), *item;

                if (!list || cJSON_IsNull(list))
                        continue;
                if (!cJSON_IsArray(list))
                        goto invalid;
                total += (size_t)cJSON_GetArraySize(list);
                if (total > DOCKER_JSON_ITEMS_MAX)
                        goto invalid;
                cJSON_ArrayForEach(item, list)
                {
                        const char *s = NULL;

                        if (cJSON_IsString(item)) {
                                s = item->valuestring;
                        } else if (cJSON_IsObject(item)) {
                                /* ImagesDeleted: {"Deleted": id} or {"Untagged": ref} */
                                if (get_string(item, "Deleted", DOCKER_JSON_STRING_MAX, &s) ==
                                        -ENOENT &&
                                    get_string(item, "Untagged", DOCKER_JSON_STRING_MAX, &s) < 0)
                                        goto invalid;
                        }
                        if (!s || strnlen(s, DOCKER_JSON_STRING_MAX) >= DOCKER_JSON_STRING_MAX)
                                goto invalid;
                        r = strv_push(&deleted, &n, s);
                        if (r < 0) {
                                docker_strv_free(deleted);
                                return r;
                        }
                }
        }
        *ret_reclaimed_bytes = (uint64_t)reclaimed;
        *ret_deleted = deleted;
        return 0;
invalid:
        docker_strv_free(deleted);
        return -EINVAL;
}

int docker_json_parse_error(const char *json, size_t len, char *buf, size_t size)
{
        _cleanup_cjson_ cJSON *root = parse(json, len);
        const cJSON *msg;

        assert(buf);
        assert(size > 0);
        msg = member(root, "message");
        if (!cJSON_IsString(msg) || !msg->valuestring)
                return -EINVAL;
        util_strlcpy(buf, msg->valuestring, size);
        /* The message goes into a log line: no control characters in it. */
        for (char *p = buf; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        *p = ' ';
        return 0;
}

int docker_json_update_body(uint64_t memory_bytes, int64_t memory_swap, char *buf, size_t size)
{
        int r;

        assert(buf);
        /* 0 is the governor's "no swap beyond memory"; Docker spells that Memory == MemorySwap. */
        if (memory_swap == 0 && memory_bytes <= INT64_MAX)
                memory_swap = (int64_t)memory_bytes;
        if (memory_bytes == 0 || memory_bytes > INT64_MAX || memory_swap < -1 ||
            (memory_swap >= 0 && (uint64_t)memory_swap < memory_bytes))
                return -EINVAL;
        r = snprintf(buf, size, "{\"Memory\":%" PRIu64 ",\"MemorySwap\":%" PRId64 "}", memory_bytes,
                     memory_swap);
        if (r < 0 || (size_t)r >= size)
                return -ENOBUFS;
        return r;
}
