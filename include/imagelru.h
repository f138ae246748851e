/* imagelru — when each Docker image was last used, and which unused image to
 * evict first at the disk emergency tier.
 *
 * Last use is learned from container events (imagelru_touch() on start, die,
 * destroy) and from every container seen in Docker's cache during a cleanup;
 * it survives restarts in STATE_DIR/images.json (atomic replace):
 *   {"version":1,"baseline":true,
 *    "images":{"sha256:…":{"last_used":1732400000,"first_seen":0}}}
 * (Unix seconds). first_seen is when an image appeared after the first
 * listing ("baseline"), so a freshly pulled old image is not "unused for a
 * year"; images already present at the very first listing get 0 and are judged
 * by their Created time.
 *
 * The choice (imagelru_choose) is pure: an image is a candidate when
 *   - no container, running or stopped, uses it (by image id),
 *   - none of its repo tags matches a keep glob (fnmatch over "repo:tag"),
 *   - its reference time max(Created, first_seen, last_used) is older than
 *     min_age;
 * candidates are ordered least recently used first (reference time, then
 * Created, then id). Parsing and formatting are pure; load/save do I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "docker.h"
#include "util.h"

#define IMAGELRU_ENTRIES_MAX 8192 /* images remembered; the oldest beyond are dropped */

struct imagelru_entry {
        char id[80];                     /* "sha256:…" */
        usec_t last_used_realtime_usec;  /* 0 = never seen in use */
        usec_t first_seen_realtime_usec; /* 0 = present at the baseline listing */
};

struct imagelru {
        struct imagelru_entry *entries;
        size_t n_entries;
        size_t allocated;
        bool baseline; /* an image listing has been seen once */
        bool dirty;    /* changed since the last save */
};

void imagelru_init(struct imagelru *l);
void imagelru_done(struct imagelru *l);

/* Record a use at now. 0 or -ENOMEM; an id longer than the field is -EINVAL. */
int imagelru_touch(struct imagelru *l, const char *image_id, usec_t now_realtime_usec);
const struct imagelru_entry *imagelru_find(const struct imagelru *l, const char *image_id);

/* A fresh image listing: remember first sight of new images (after the
 * baseline), forget images that no longer exist. 0 or -ENOMEM. */
int imagelru_note_images(struct imagelru *l, const struct docker_image *images, size_t n,
                         usec_t now_realtime_usec);

/* Pure JSON. parse replaces l's content: 0, or -EINVAL (l unchanged). */
int imagelru_parse(struct imagelru *l, const char *json, size_t len);
/* malloc'd JSON text. 0 or -ENOMEM. */
int imagelru_format(const struct imagelru *l, char **ret_json);

/* I/O: 0, -ENOENT (no file: l unchanged), -EINVAL (corrupt: l unchanged). */
int imagelru_load(struct imagelru *l, const char *path);
int imagelru_save(struct imagelru *l, const char *path);

/* Does any repo tag of the image match one of the keep globs? */
bool imagelru_is_kept(const struct docker_image *image, char *const *keep_globs,
                      size_t n_keep_globs);

/* Pure choice. in_use: image ids of all containers (running or stopped).
 * Writes indexes into images, LRU first, to ret_order (room for n) and
 * their number to *ret_n. 0 or -ENOMEM. */
int imagelru_choose(const struct imagelru *l, const struct docker_image *images, size_t n,
                    const char *const *in_use, size_t n_in_use, char *const *keep_globs,
                    size_t n_keep_globs, usec_t min_age_usec, usec_t now_realtime_usec,
                    size_t *ret_order, size_t *ret_n);

/* The reference time of an image (max of Created, first_seen, last_used). */
usec_t imagelru_reference_time(const struct imagelru *l, const struct docker_image *image);
