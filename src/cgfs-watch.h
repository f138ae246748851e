/* cgfs-watch — the inotify change watches (include/cgfs.h states the
 * public cgfs_watch_* contract): group directories whose files changed,
 * and directories made or removed in the walked tree, queued as tree
 * events for cgfs_walk_cached() (cgfs-walk-cache.c). Not a public
 * interface. */
#pragma once

#include <stdbool.h>

struct cgfs;

/* A directory made or removed in a watched directory of the walk. */
struct tree_event {
        char *path;
        bool made;
};

/* Watch directory rel for a group (tree false: as cgfs_watch_add) or as a
 * directory of the walk (tree true: directories made or removed in it
 * become tree events; recorded with fs->walk_generation). A directory
 * watched both ways has one watch. The wd, or -errno as cgfs_watch_add(). */
int cgfs_watch_add_dir(struct cgfs *fs, const char *rel, bool tree);
/* Drop the tree events not yet applied. */
void cgfs_tree_events_clear(struct cgfs *fs);
/* After a whole walk: the directories it did not find again (an older
 * walk_generation) are no longer the tree's; cgfs_watch_sweep() removes
 * their watches unless a group still uses them. */
void cgfs_watch_tree_forget(struct cgfs *fs);
/* Close the inotify fd and free every watch and tree event (cgfs_free). */
void cgfs_watch_free(struct cgfs *fs);
