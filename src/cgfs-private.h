/* cgfs-private — what the parts of cgfs share (not a public interface; the
 * contract callers see is include/cgfs.h): struct cgfs, and the buffer
 * sizes of the files more than one part reads. The parts, each stating its
 * contract in include/cgfs.h (what callers use) and, where other parts call
 * it, in its own private header (cgfs-path.h, cgfs-kept.h, cgfs-watch.h,
 * cgfs-walk.h, cgfs-parse.h):
 *   cgfs.c        cgfs_open/cgfs_free: the roots, and the rest's state
 *   cgfs-path.c   names and paths checked, files opened beneath a root fd
 *   cgfs-kept.c   files kept open across reads, re-read with one pread()
 *   cgfs-watch.c  inotify watches: groups changed, directories made/removed
 *   cgfs-walk.c   the walk of the cgroup tree
 *   cgfs-walk-cache.c  the walk replayed, kept current from the watches
 *   cgfs-parse.c  the pure parsers: mountinfo, /proc/PID/cgroup, cgroup.procs
 *   cgfs-layout.c layout detection (libcgroup, mountinfo)
 *   cgfs-v2.c     a v2 cgroup's files read and written
 *   cgfs-v1.c     the v1 memory controller (hybrid hosts)
 *   cgfs-proc.c   procfs: meminfo, host PSI, /proc/PID files
 */
#pragma once

#include "cgfs.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

/* Buffers for files whose size the kernel bounds: a pressure file is two
 * ~60-byte lines, memory.events seven short lines, a value 20 digits. */
#define CGFS_VALUE_BUF_BYTES 64
#define CGFS_SMALL_BUF_BYTES 1024
/* /proc/meminfo is ~1.5 KiB today; /proc/PID/cgroup holds one line per v1
 * hierarchy with paths up to PATH_MAX. */
#define CGFS_PROC_BUF_BYTES (16 * 1024)

struct kept_file;  /* cgfs-kept.c */
struct tree_event; /* cgfs-watch.h */
struct watch;      /* cgfs-watch.c */

struct cgfs {
        int cgroup_fd;
        dev_t cgroup_dev; /* the walk never leaves this filesystem */
        int v1_memory_fd; /* -1: no v1 memory controller */
        int proc_fd;
        /* The kernel generates these files on each read, and a removed one
         * reads -ENODEV: a kept fd needs no other check. */
        bool cgroup_generated, proc_generated;
        char *meminfo_buf; /* cgfs-proc.c: CGFS_PROC_BUF_BYTES, made on the first read */

        /* Kept-open files (cgfs-kept.c): open addressing, linear probing, kept_slots a
         * power of two (0 until the first file is kept). */
        struct kept_file *kept;
        size_t kept_slots, n_kept, kept_max;
        uint64_t kept_epoch;

        /* Change watches (cgfs-watch.c) on group directories, sorted by
         * wd: the kernel hands out increasing wds, so appending keeps the
         * order and an event finds its entry by binary search. */
        int inotify_fd; /* -1: no inotify; every group reads as changed */
        struct watch *watches;
        size_t n_watches, allocated_watches, n_changed;
        uint64_t watch_epoch;
        bool watch_overflow; /* events were lost: everything counts as changed */
        /* Every directory of the last walk is watched for a directory made,
         * removed or renamed in it: until one is, the walk is replayed. */
        uint64_t walk_generation;
        bool tree_watched;              /* every directory of the last walk got its watch */
        bool tree_changed;              /* events were lost or unusable: walk the whole tree */
        struct tree_event *tree_events; /* made/removed since, applied to the list */
        size_t n_tree_events, allocated_tree_events;

        /* The last complete walk, replayed by cgfs_walk_cached() (cgfs-walk-cache.c). */
        char **walk_paths;
        size_t n_walk_paths;
        usec_t walk_time;
        uint64_t walk_descendants; /* the root's cgroup.stat nr_descendants before it */
        bool walk_cached;
};
