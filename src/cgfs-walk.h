/* cgfs-walk — the walk of the cgroup v2 tree (cgfs_walk, include/cgfs.h)
 * and the pieces cgfs_walk_cached() (cgfs-walk-cache.c) reuses to walk one
 * subtree. Not a public interface. */
#pragma once

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>

#include "cgfs.h"

/* Deepest cgroup level cgfs_walk() visits; the root is depth 0. */
#define CGFS_WALK_DEPTH_MAX 32
/* Directory entries are read this many bytes at a time (getdents64): a
 * cgroup directory's ~50 files and its children in one or two calls. */
#define CGFS_DENTS_BUF_BYTES (32 * 1024)

/* One walk: the callback, the directory-entry buffer, the path so far. */
struct walk {
        struct cgfs *fs;
        cgfs_visit_fn cb;
        void *userdata;
        char *dents; /* CGFS_DENTS_BUF_BYTES, shared: a listing ends before the walk descends */
        char path[PATH_MAX];
};

/* Errors on one directory that mean "not there any more" or "not a cgroup we
 * may enter": skip it and go on with its siblings. */
static inline bool cgfs_walk_skippable(int r)
{
        return r == -ENOENT || r == -ENODEV || r == -ENOTDIR || r == -ELOOP || r == -EXDEV ||
               r == -EACCES || r == -EPERM;
}

/* Visit (w->cb) each subdirectory of the directory open at fd (consumed),
 * whose path is w->path[0..path_len) at depth depth, each before its own
 * children, siblings in byte order; stops below CGFS_WALK_DEPTH_MAX. 0, the
 * callback's value <0, or -errno; a directory that vanishes is skipped. */
int cgfs_walk_children(struct walk *w, int fd, size_t path_len, unsigned depth);
/* Free names[0..n) and names. */
static inline void cgfs_walk_names_free(char **names, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
}
