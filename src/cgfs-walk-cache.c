/* cgfs-walk-cache — cgfs_walk_cached(): the last walk's list replayed,
 * kept up to date from the tree events (cgfs-watch.c) or re-walked when the
 * root's cgroup.stat count or its age says so (include/cgfs.h). */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgfs-path.h"
#include "cgfs-private.h"
#include "cgfs-walk.h"
#include "cgfs-watch.h"
#include "memparse.h"
#include "util.h"

void cgfs_walk_cache_clear(struct cgfs *fs)
{
        assert(fs);

        cgfs_walk_names_free(fs->walk_paths, fs->n_walk_paths);
        fs->walk_paths = NULL;
        fs->n_walk_paths = 0;
        fs->walk_cached = false;
}

/* nr_descendants of the root's cgroup.stat: live cgroups anywhere below. */
static int read_descendants(struct cgfs *fs, uint64_t *ret)
{
        char buf[CGFS_SMALL_BUF_BYTES];
        ssize_t n;

        n = cgfs_read(fs, "", "cgroup.stat", buf, sizeof buf);
        if (n < 0)
                return (int)n;
        return memparse_flat_keyed(buf, (size_t)n, "nr_descendants", ret);
}

struct recording_walk {
        struct cgfs *fs;
        cgfs_visit_fn cb;
        void *userdata;
        char **paths;
        size_t n_paths, allocated;
};

static int record_and_visit(const char *rel, void *userdata)
{
        struct recording_walk *w = userdata;

        if (w->n_paths == w->allocated) {
                size_t want = w->allocated ? w->allocated * 2 : 64;
                char **grown = realloc(w->paths, want * sizeof *grown);

                if (!grown)
                        return -ENOMEM;
                w->paths = grown;
                w->allocated = want;
        }
        w->paths[w->n_paths] = strdup(rel);
        if (!w->paths[w->n_paths])
                return -ENOMEM;
        w->n_paths++;
        if (cgfs_watch_add_dir(w->fs, rel, true) < 0)
                w->fs->tree_watched = false;
        return w->cb(rel, w->userdata);
}

/* The walk's order: parents before children, siblings in byte order, i.e.
 * paths compared with '/' below every other byte. */
static int walk_order_cmp(const void *a, const void *b)
{
        const unsigned char *x = *(const unsigned char *const *)a;
        const unsigned char *y = *(const unsigned char *const *)b;

        for (;; x++, y++) {
                unsigned cx = *x == '/' ? 1 : *x ? *x + 1u : 0;
                unsigned cy = *y == '/' ? 1 : *y ? *y + 1u : 0;

                if (cx != cy)
                        return cx < cy ? -1 : 1;
                if (!cx)
                        return 0;
        }
}

/* Record (and watch) rel and every directory below it, as the whole walk
 * would, into w. A directory already gone is no error. */
static int walk_subtree(struct cgfs *fs, const char *rel, struct recording_walk *rw)
{
        _cleanup_free_ char *dents = NULL;
        _cleanup_free_ struct walk *w = NULL;
        unsigned components = 1;
        int fd, r;

        for (const char *p = rel; *p; p++)
                components += *p == '/';
        if (components > CGFS_WALK_DEPTH_MAX || !cgfs_rel_ok(rel) || !rel[0])
                return 0;
        dents = malloc(CGFS_DENTS_BUF_BYTES);
        w = calloc(1, sizeof *w);
        if (!dents || !w)
                return -ENOMEM;
        *w = (struct walk){.fs = fs, .cb = record_and_visit, .userdata = rw, .dents = dents};
        util_strlcpy(w->path, rel, sizeof w->path);
        fd = cgfs_open_beneath(fs->cgroup_fd, rel, O_RDONLY | O_DIRECTORY);
        if (fd < 0)
                return cgfs_walk_skippable(fd) ? 0 : fd;
        r = record_and_visit(rel, rw);
        if (r < 0) {
                close(fd);
                return r;
        }
        if (components < CGFS_WALK_DEPTH_MAX)
                return cgfs_walk_children(w, fd, strlen(rel), components);
        close(fd);
        return 0;
}

static int visit_nothing(const char *rel, void *userdata)
{
        return 0;
}

/* Bring the last walk's list up to date with the directories made and
 * removed since, walking only the subtrees made. <0: walk it all instead. */
static int tree_events_apply(struct cgfs *fs)
{
        struct recording_walk made = {.fs = fs, .cb = visit_nothing};
        size_t kept = 0;
        char **grown;
        int r = 0;

        for (size_t i = 0; i < fs->n_tree_events && r >= 0; i++) {
                const struct tree_event *ev = &fs->tree_events[i];
                size_t len = strlen(ev->path);

                if (ev->made)
                        r = walk_subtree(fs, ev->path, &made);
                else /* off the list, with what lay below it */
                        for (size_t j = 0; j < fs->n_walk_paths; j++) {
                                const char *q = fs->walk_paths[j];

                                if (q && strncmp(q, ev->path, len) == 0 &&
                                    (q[len] == '\0' || q[len] == '/')) {
                                        free(fs->walk_paths[j]);
                                        fs->walk_paths[j] = NULL;
                                }
                        }
        }
        cgfs_tree_events_clear(fs);
        if (r < 0) {
                cgfs_walk_names_free(made.paths, made.n_paths);
                fs->tree_changed = true; /* the list is unsure: walk it all */
                return r;
        }
        for (size_t j = 0; j < fs->n_walk_paths; j++)
                if (fs->walk_paths[j])
                        fs->walk_paths[kept++] = fs->walk_paths[j];
        fs->n_walk_paths = kept;
        if (made.n_paths == 0) {
                free(made.paths);
                return 0;
        }
        grown = realloc(fs->walk_paths, (kept + made.n_paths) * sizeof *grown);
        if (!grown) {
                cgfs_walk_names_free(made.paths, made.n_paths);
                fs->tree_changed = true;
                return -ENOMEM;
        }
        memcpy(grown + kept, made.paths, made.n_paths * sizeof *grown);
        free(made.paths);
        fs->walk_paths = grown;
        fs->n_walk_paths = kept + made.n_paths;
        qsort(fs->walk_paths, fs->n_walk_paths, sizeof *fs->walk_paths, walk_order_cmp);
        /* made twice (its own event, and found below another one made) */
        kept = 0;
        for (size_t j = 0; j < fs->n_walk_paths; j++) {
                if (kept && strcmp(fs->walk_paths[kept - 1], fs->walk_paths[j]) == 0) {
                        free(fs->walk_paths[j]);
                        continue;
                }
                fs->walk_paths[kept++] = fs->walk_paths[j];
        }
        fs->n_walk_paths = kept;
        return 0;
}

int cgfs_walk_cached(struct cgfs *fs, usec_t now, usec_t max_age_usec, cgfs_visit_fn cb,
                     void *userdata)
{
        struct recording_walk w = {.fs = fs, .cb = cb, .userdata = userdata};
        uint64_t descendants = 0;
        bool counted, fresh;
        int r;

        assert(fs);
        assert(cb);

        /* Directory events queued since the last look count for this call. */
        (void)cgfs_watch_process(fs);
        /* Counted before walking: a cgroup made during the walk changes the
         * count after it, so the next call walks again. */
        if (fs->walk_cached && fs->tree_watched && !fs->tree_changed) {
                /* the events say it all: no need to count */
                counted = true;
                descendants = fs->walk_descendants;
                if (fs->n_tree_events > 0)
                        (void)tree_events_apply(fs); /* failed: tree_changed, walked below */
        } else
                counted = read_descendants(fs, &descendants) >= 0;
        /* Watched: the events say what changed. Not: the count, and the age. */
        fresh = fs->tree_watched ? !fs->tree_changed && fs->n_tree_events == 0
                                 : descendants == fs->walk_descendants && now >= fs->walk_time &&
                                       now - fs->walk_time < max_age_usec;
        if (fs->walk_cached && counted && fresh) {
                for (size_t i = 0; i < fs->n_walk_paths; i++) {
                        r = cb(fs->walk_paths[i], userdata);
                        if (r < 0)
                                return r;
                }
                return 0;
        }

        cgfs_walk_cache_clear(fs);
        /* Events from here on are about this walk's tree, or later. */
        fs->walk_generation++;
        fs->tree_changed = false;
        cgfs_tree_events_clear(fs);
        fs->tree_watched = cgfs_watch_add_dir(fs, "", true) >= 0;
        r = cgfs_walk(fs, record_and_visit, &w);
        /* Directories the walk no longer found: not the tree's any more (the
         * sweep removes their watches unless a group still uses them). */
        cgfs_watch_tree_forget(fs);
        if (r < 0 || !counted) {
                cgfs_walk_names_free(w.paths, w.n_paths);
                return r;
        }
        fs->walk_paths = w.paths;
        fs->n_walk_paths = w.n_paths;
        fs->walk_time = now;
        fs->walk_descendants = descendants;
        fs->walk_cached = true;
        return 0;
}
