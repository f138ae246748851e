/* cgfs-watch — see cgfs-watch.h */
#include "cgfs-watch.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgfs-path.h"
#include "cgfs-private.h"

/* Directory events kept for the next cgfs_walk_cached(); beyond this many
 * it walks the whole tree again instead. */
#define CGFS_TREE_EVENTS_MAX 1024

/* One inotify watch on a group's directory (see cgfs_watch_add). */
struct watch {
        int wd;
        bool changed;   /* an event arrived since cgfs_watch_take() last looked */
        bool tree;      /* a directory of the last full walk (cgfs_walk_cached) */
        bool group;     /* a group's directory (cgfs_watch_add): file events count */
        uint64_t epoch; /* fs->watch_epoch at its last cgfs_watch_take/add */
        uint64_t walk;  /* fs->walk_generation of the walk that last found it */
        char *dir;      /* tree watches: the directory's path ("" the root); else NULL */
};

void cgfs_tree_events_clear(struct cgfs *fs)
{
        for (size_t i = 0; i < fs->n_tree_events; i++)
                free(fs->tree_events[i].path);
        fs->n_tree_events = 0;
}

/* The walk's directories: a directory made, removed or renamed in them. */
#define CGFS_TREE_MASK                                                                             \
        (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW)
/* A group's directory, besides: any file in it modified (kernfs:
 * memory.events and cgroup.events when their content changes, and every
 * write(2), ours included), or created or renamed into it (fixture trees).
 * Only groups get this: the rest of the hierarchy (other services' files
 * changing) wakes no one. */
#define CGFS_WATCH_MASK (CGFS_TREE_MASK | IN_MODIFY)
/* inotify events are at most this long (struct + NAME_MAX + NUL). */
#define CGFS_INOTIFY_BUF_BYTES (16 * (sizeof(struct inotify_event) + NAME_MAX + 1))

int cgfs_watch_fd(const struct cgfs *fs)
{
        assert(fs);
        return fs->inotify_fd;
}

static struct watch *watch_find(struct cgfs *fs, int wd)
{
        size_t lo = 0, hi = fs->n_watches;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (fs->watches[mid].wd == wd)
                        return &fs->watches[mid];
                if (fs->watches[mid].wd < wd)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

static void watch_remove(struct cgfs *fs, struct watch *w)
{
        size_t i = (size_t)(w - fs->watches);

        if (w->changed)
                fs->n_changed--;
        free(w->dir);
        memmove(w, w + 1, (fs->n_watches - i - 1) * sizeof *w);
        fs->n_watches--;
}

/* The path inotify_add_watch() is given for directory rel of the cgroup tree. */
static int watch_path(const struct cgfs *fs, const char *rel, char *buf, size_t size)
{
        /* The directory beneath the root fd: the magic link pins the root,
         * IN_DONT_FOLLOW refuses a symlink as the last component (hence
         * "/." for the root itself, the magic link being one). */
        if ((size_t)snprintf(buf, size, "/proc/self/fd/%d/%s", fs->cgroup_fd, rel[0] ? rel : ".") >=
            size)
                return -ENAMETOOLONG;
        return 0;
}

int cgfs_watch_add_dir(struct cgfs *fs, const char *rel, bool tree)
{
        char path[PATH_MAX + 32];
        struct watch *w;
        int wd, r;

        if (fs->inotify_fd < 0)
                return -EOPNOTSUPP;
        if (!cgfs_rel_ok(rel))
                return -EINVAL;
        r = watch_path(fs, rel, path, sizeof path);
        if (r < 0)
                return r;
        /* a group's mask is the tree's and more; the tree's only adds to it */
        wd = inotify_add_watch(fs->inotify_fd, path,
                               tree ? CGFS_TREE_MASK | IN_MASK_ADD : CGFS_WATCH_MASK);
        if (wd < 0)
                return -errno;
        w = watch_find(fs, wd);
        if (w) { /* the same directory again (a group, and a directory of the walk) */
                if (tree) {
                        if (!w->dir && !(w->dir = strdup(rel)))
                                return -ENOMEM;
                        w->tree = true;
                        w->walk = fs->walk_generation;
                } else {
                        w->group = true;
                        w->epoch = fs->watch_epoch;
                }
                return wd;
        }
        if (fs->n_watches == fs->allocated_watches) {
                size_t n = fs->allocated_watches ? fs->allocated_watches * 2 : 16;
                struct watch *p = realloc(fs->watches, n * sizeof *p);

                if (!p) {
                        (void)inotify_rm_watch(fs->inotify_fd, wd);
                        return -ENOMEM;
                }
                fs->watches = p;
                fs->allocated_watches = n;
        }
        /* wds grow, so this is nearly always an append */
        size_t at = fs->n_watches;
        while (at > 0 && fs->watches[at - 1].wd > wd)
                at--;
        memmove(&fs->watches[at + 1], &fs->watches[at], (fs->n_watches - at) * sizeof *fs->watches);
        fs->watches[at] = (struct watch){.wd = wd,
                                         .tree = tree,
                                         .group = !tree,
                                         .epoch = fs->watch_epoch,
                                         .walk = fs->walk_generation};
        if (tree && !(fs->watches[at].dir = strdup(rel))) {
                (void)inotify_rm_watch(fs->inotify_fd, wd);
                memmove(&fs->watches[at], &fs->watches[at + 1],
                        (fs->n_watches - at) * sizeof *fs->watches);
                return -ENOMEM;
        }
        fs->n_watches++;
        return wd;
}

int cgfs_watch_add(struct cgfs *fs, const char *rel)
{
        assert(fs);
        assert(rel);
        return cgfs_watch_add_dir(fs, rel, false);
}

int cgfs_watch_take(struct cgfs *fs, int wd)
{
        struct watch *w;

        assert(fs);

        w = wd >= 0 ? watch_find(fs, wd) : NULL;
        if (!w || !w->group) /* gone, or the walk's alone now: add it again */
                return -ENOENT;
        w->epoch = fs->watch_epoch;
        if (fs->watch_overflow)
                return 1;
        if (!w->changed)
                return 0;
        w->changed = false;
        fs->n_changed--;
        return 1;
}

/* Note a directory made or removed in tree watch w for the next
 * cgfs_walk_cached(); renames (rare: cgroupfs allows them within a parent)
 * and anything unusable fall back to a whole walk. */
static void tree_event_add(struct cgfs *fs, const struct watch *w, const struct inotify_event *e)
{
        struct tree_event *ev;
        char *path;

        if (fs->tree_changed)
                return;
        if (!(e->mask & (IN_CREATE | IN_DELETE)) || !w->dir || e->len == 0 ||
            fs->n_tree_events >= CGFS_TREE_EVENTS_MAX)
                goto whole;
        if (fs->n_tree_events == fs->allocated_tree_events) {
                size_t n = fs->allocated_tree_events ? fs->allocated_tree_events * 2 : 8;
                struct tree_event *p = realloc(fs->tree_events, n * sizeof *p);

                if (!p)
                        goto whole;
                fs->tree_events = p;
                fs->allocated_tree_events = n;
        }
        if (asprintf(&path, "%s%s%s", w->dir, w->dir[0] ? "/" : "", e->name) < 0)
                goto whole;
        ev = &fs->tree_events[fs->n_tree_events++];
        ev->path = path;
        ev->made = e->mask & IN_CREATE;
        return;
whole:
        fs->tree_changed = true;
        cgfs_tree_events_clear(fs);
}

int cgfs_watch_process(struct cgfs *fs)
{
        char buf[CGFS_INOTIFY_BUF_BYTES]
            __attribute__((aligned(__alignof__(struct inotify_event))));
        int marked = 0;

        assert(fs);

        if (fs->inotify_fd < 0)
                return 0;
        for (;;) {
                ssize_t n = read(fs->inotify_fd, buf, sizeof buf);

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return errno == EAGAIN ? marked : -errno;
                }
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const struct inotify_event *)p;
                        struct watch *w;

                        p += sizeof *e + e->len;
                        if (e->mask & IN_Q_OVERFLOW) {
                                fs->watch_overflow = fs->tree_changed = true;
                                marked++;
                                continue;
                        }
                        w = watch_find(fs, e->wd);
                        if (!w)
                                continue; /* removed by us: its IN_IGNORED */
                        if (e->mask & IN_IGNORED) {
                                /* the directory is gone: cgfs_watch_take says -ENOENT;
                                 * its parent's IN_DELETE took it off the walk's list,
                                 * but the root has no parent */
                                if (w->tree && w->dir && !w->dir[0])
                                        fs->tree_changed = true;
                                watch_remove(fs, w);
                                marked++;
                                continue;
                        }
                        if (e->mask & IN_ISDIR) {
                                /* a cgroup made or removed below: that subtree only */
                                if (w->tree) {
                                        tree_event_add(fs, w, e);
                                        marked++;
                                }
                                continue;
                        }
                        if (!w->group)
                                continue; /* a file event queued before the tree took it back */
                        /* PSI trigger set-up writes memory.pressure (ours, each
                         * group); its content raises nothing worth a re-read */
                        if (e->len && strcmp(e->name, "memory.pressure") == 0)
                                continue;
                        if (!w->changed) {
                                w->changed = true;
                                fs->n_changed++;
                                marked++;
                        }
                }
        }
}

bool cgfs_watch_pending(const struct cgfs *fs)
{
        assert(fs);
        return fs->n_changed > 0 || fs->watch_overflow || fs->n_tree_events > 0 || fs->tree_changed;
}

void cgfs_watch_sweep(struct cgfs *fs)
{
        size_t kept = 0;

        assert(fs);

        for (size_t i = 0; i < fs->n_watches; i++) {
                struct watch *w = &fs->watches[i];
                char path[PATH_MAX + 32];

                if (w->epoch != fs->watch_epoch && w->tree && w->group && w->dir &&
                    watch_path(fs, w->dir, path, sizeof path) >= 0 &&
                    inotify_add_watch(fs->inotify_fd, path, CGFS_TREE_MASK) == w->wd) {
                        /* no group's any more: back to the tree's mask */
                        w->group = false;
                        if (w->changed)
                                fs->n_changed--;
                        w->changed = false;
                }
                if (w->epoch == fs->watch_epoch || w->tree) {
                        fs->watches[kept++] = *w;
                        continue;
                }
                if (fs->watches[i].changed)
                        fs->n_changed--;
                free(fs->watches[i].dir);
                (void)inotify_rm_watch(fs->inotify_fd, fs->watches[i].wd);
        }
        fs->n_watches = kept;
        fs->watch_overflow = false;
        fs->watch_epoch++;
}

void cgfs_watch_disable(struct cgfs *fs)
{
        assert(fs);
        util_closep(&fs->inotify_fd);
        fs->inotify_fd = -1;
        for (size_t i = 0; i < fs->n_watches; i++)
                free(fs->watches[i].dir);
        cgfs_tree_events_clear(fs);
        fs->n_watches = fs->n_changed = 0;
        fs->tree_watched = false;
}

size_t cgfs_watch_count(const struct cgfs *fs)
{
        assert(fs);
        return fs->n_watches;
}

void cgfs_watch_tree_forget(struct cgfs *fs)
{
        for (size_t i = 0; i < fs->n_watches; i++)
                if (fs->watches[i].walk != fs->walk_generation) {
                        fs->watches[i].tree = false;
                        free(fs->watches[i].dir);
                        fs->watches[i].dir = NULL;
                }
}

void cgfs_watch_free(struct cgfs *fs)
{
        util_closep(&fs->inotify_fd);
        for (size_t i = 0; i < fs->n_watches; i++)
                free(fs->watches[i].dir);
        free(fs->watches);
        cgfs_tree_events_clear(fs);
        free(fs->tree_events);
}
