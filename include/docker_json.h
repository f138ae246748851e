/* docker_json — Docker Engine JSON mapped to the governor's types.
 *
 * Pure functions over a buffer (cJSON; no I/O, no clock), so they are unit
 * tested on fixtures captured from a real dockerd and fuzzed. Every input is
 * untrusted: malformed JSON, wrong types, missing required fields, strings
 * longer than the limits below, numbers out of range or not integral all
 * return -EINVAL and leave the out-parameters untouched. -ENOMEM is the only
 * other failure.
 *
 * Buffers need not be NUL-terminated (len is honoured). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docker.h"

/* Bounds on what we accept from the Engine. */
#define DOCKER_JSON_NAME_MAX   256   /* container name, bytes incl. NUL */
#define DOCKER_JSON_STRING_MAX 4096  /* image refs, label keys/values, messages */
#define DOCKER_JSON_LABELS_MAX 1024  /* labels per container */
#define DOCKER_JSON_ITEMS_MAX  65536 /* containers, images or deleted ids in one answer */
/* The API versions whose requests and answers this module was checked
 * against, field by field, in the Engine API reference (moby api/docs/
 * v1.41.yaml .. v1.52.yaml): Docker 20.10 (1.41) to Docker 29 (1.52). */
#define DOCKER_API_MIN_MAJOR 1
#define DOCKER_API_MIN_MINOR 41
#define DOCKER_API_MAX_MAJOR 1
#define DOCKER_API_MAX_MINOR 52
#define DOCKER_API_RANGE     "1.41-1.52"
/* What an Engine that omits MinAPIVersion (before API 1.25) accepts. */
#define DOCKER_API_DEFAULT_SERVER_MIN "1.12"
#define DOCKER_ENGINE_VERSION_MAX     64 /* bytes incl. NUL: "29.0.1" */

/* "1.41" → 1, 41. 0 or -EINVAL. */
int docker_json_parse_api_version(const char *s, unsigned *ret_major, unsigned *ret_minor);

/* Compare two "MAJOR.MINOR" versions: <0, 0, >0. Both must be valid. */
int docker_json_api_version_cmp(const char *a, const char *b);

/* GET /version, negotiated. */
struct docker_json_version {
        char api[16];                           /* the version to use: "1.52" */
        char engine[DOCKER_ENGINE_VERSION_MAX]; /* "Version": "29.0.1" ("" if absent) */
        char server_api[16];                    /* the Engine's ApiVersion (its newest) */
        char server_min_api[16]; /* its MinAPIVersion; "1.12" when absent (old Engines) */
};

/* The API version to use is the server's ApiVersion capped at ours
 * (DOCKER_API_MAX_*), and must be >= both the server's MinAPIVersion and
 * ours (DOCKER_API_MIN_*). -ENOTSUP when there is no common version: then,
 * as an exception to the rule above, ret's engine/server_* members are
 * filled (api is "") so the error can name both ranges. */
int docker_json_parse_version_info(const char *json, size_t len, struct docker_json_version *ret);
/* The same, only the version to use as "MAJOR.MINOR" into ret (size >= 16). */
int docker_json_parse_version(const char *json, size_t len, char *ret, size_t size);

/* GET /containers/json?all=1 → the container ids (64 hex each), in order. */
int docker_json_parse_container_list(const char *json, size_t len, char (**ret_ids)[DOCKER_ID_MAX],
                                     size_t *ret_n);

/* GET /containers/{id}/json → *ret (members malloc'd; cgroup and
 * cgroup_v1_memory are left NULL: they are resolved from the pid, not JSON).
 * Free with docker_container_done(). */
int docker_json_parse_inspect(const char *json, size_t len, struct docker_container *ret);
void docker_container_done(struct docker_container *c);
/* Deep copy (for handing a container out of the cache). */
int docker_container_copy(const struct docker_container *src, struct docker_container *ret);

enum docker_action {
        DOCKER_ACTION_OTHER = 0, /* an action the governor does not follow (attach, exec_*, ...) */
        DOCKER_ACTION_CREATE,
        DOCKER_ACTION_START,
        DOCKER_ACTION_RESTART,
        DOCKER_ACTION_DIE,
        DOCKER_ACTION_STOP,
        DOCKER_ACTION_KILL,
        DOCKER_ACTION_OOM,
        DOCKER_ACTION_DESTROY,
        DOCKER_ACTION_UPDATE,
        DOCKER_ACTION_RENAME,
        DOCKER_ACTION_PAUSE,
        DOCKER_ACTION_UNPAUSE,
};

struct docker_json_event {
        bool container; /* Type == "container"; others carry no id */
        enum docker_action action;
        char id[DOCKER_ID_MAX];          /* container id, 64 hex; "" when !container */
        char name[DOCKER_JSON_NAME_MAX]; /* Actor.Attributes.name, "" if absent */
        uint64_t time_nano;              /* timeNano: realtime of the event at dockerd */
};

/* One line of GET /events (newline-delimited JSON). */
int docker_json_parse_event(const char *line, size_t len, struct docker_json_event *ret);
const char *docker_action_name(enum docker_action a);

/* GET /images/json → images (free with docker_images_free). */
int docker_json_parse_images(const char *json, size_t len, struct docker_image **ret_images,
                             size_t *ret_n);
void docker_images_free(struct docker_image *images, size_t n);

/* POST /containers/prune, /images/prune, /build/prune: SpaceReclaimed and the
 * NULL-terminated list of what went (ContainersDeleted ids, ImagesDeleted
 * "Deleted"/"Untagged" refs, CachesDeleted ids); the list may be empty but is
 * never NULL. Free the list with docker_strv_free. */
int docker_json_parse_prune(const char *json, size_t len, uint64_t *ret_reclaimed_bytes,
                            char ***ret_deleted);
void docker_strv_free(char **strv);

/* An error body {"message": "..."} → message copied into buf (truncated to
 * size). -EINVAL if the body is not such an object. */
int docker_json_parse_error(const char *json, size_t len, char *buf, size_t size);

/* The body of POST /containers/{id}/update. Returns the length written,
 * -ENOBUFS, or -EINVAL for values Docker would refuse. memory_bytes must be
 * > 0 (Docker treats 0 as "unchanged"); memory_swap: total memory+swap
 * (>= memory_bytes), 0 for "no swap beyond memory" (sent as MemorySwap =
 * Memory, which Docker requires), or -1 for unlimited. */
int docker_json_update_body(uint64_t memory_bytes, int64_t memory_swap, char *buf, size_t size);

/* RFC 3339 with optional fraction ("2026-11-24T21:44:15.328647678Z",
 * "...+02:00") → realtime usec. Docker's zero time "0001-01-01T00:00:00Z" and
 * anything before 1970 → 0. -EINVAL on syntax errors. */
int docker_json_parse_time(const char *s, usec_t *ret_usec);

/* Validators for what goes into a URL path. */
bool docker_id_valid(const char *id);         /* 64 lowercase hex */
bool docker_name_valid(const char *name);     /* [a-zA-Z0-9][a-zA-Z0-9_.-]* up to 255 */
bool docker_image_ref_valid(const char *ref); /* sha256:HEX, or name[:tag] in [a-zA-Z0-9_.:/-] */
