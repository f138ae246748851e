/* logprune — prune old log files from one [logs:NAME] directory, confined.
 *
 * Guarantees (each one is an integration test):
 *   - the directory is opened once with open(O_DIRECTORY|O_NOFOLLOW) and
 *     everything below it is reached by directory fd (openat, fdopendir,
 *     fstatat(AT_SYMLINK_NOFOLLOW), unlinkat): no path is ever resolved twice;
 *   - symlinks are never followed, neither to files nor to directories;
 *   - the walk never crosses a mount point (an entry whose st_dev differs
 *     from the top directory's is skipped, as is anything below it);
 *   - only regular files (S_ISREG from lstat semantics) whose name matches the
 *     glob (fnmatch, FNM_PERIOD: "*.log" never matches ".hidden.log") are
 *     candidates;
 *   - subdirectories only with recursive=yes, at most LOGPRUNE_DEPTH_MAX deep;
 *   - just before each unlinkat(dirfd, name, 0) the entry is fstatat'ed again
 *     and must still be a regular file with the same st_dev and st_ino; a file
 *     swapped for a symlink (or anything else) in between is left alone. Even
 *     without that check unlinkat() on a symlink removes the link itself,
 *     never its target; subdirectories are re-opened component by component
 *     with O_NOFOLLOW and the same st_dev check, so a directory swapped for a
 *     symlink cannot redirect the delete either.
 *
 * Scan and delete are separate calls (so a test can swap files in between);
 * the decision between them, logprune_plan(), is pure.
 *
 * A big directory is scanned in slices (issue 13): logprune_scan_open, then
 * logprune_scan_step reads a bounded number of entries per call (one
 * fstatat each) and appends the matching files, so the caller can yield to
 * its event loop between slices and act on (then drop) what each slice
 * found. The files kept for max_total stay bounded as well: only the
 * oldest ones, as many as a logprune_oldest holds.
 *
 * Bytes: a file's size is its disk usage, st_blocks * 512 (what unlinking
 * gives back; sparse files count what they occupy). Both max_total and the
 * reported bytes use it; a file with other hard links frees nothing and is
 * reported with 0 bytes freed. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util.h"

#define LOGPRUNE_DEPTH_MAX 16      /* directory levels below the top, recursive=yes */
#define LOGPRUNE_FILES_MAX 1000000 /* candidates kept per scan; more are ignored (logged) */

enum logprune_reason {
        LOGPRUNE_KEEP = 0,
        LOGPRUNE_AGE,   /* older than max_age */
        LOGPRUNE_TOTAL, /* oldest while the total exceeds max_total */
};

struct logprune_file {
        char *dir;  /* relative to the top: "" or "a/b" (components never contain '/') */
        char *name; /* raw bytes, may hold spaces, newlines, invalid UTF-8 */
        dev_t dev;
        ino_t ino;
        uint64_t disk_bytes; /* st_blocks * 512 */
        bool sole_link;      /* st_nlink == 1: unlinking frees disk_bytes */
        usec_t mtime_realtime_usec;
        enum logprune_reason reason; /* set by logprune_plan() */
};

struct logprune_walk;
struct logprune_scan {
        int top_fd; /* the configured directory, O_DIRECTORY|O_NOFOLLOW */
        dev_t top_dev;
        struct logprune_file *files; /* matching regular files */
        size_t n_files;
        size_t allocated;
        unsigned skipped_mounts;   /* entries on another filesystem, not entered */
        unsigned skipped_symlinks; /* symlinks seen, never followed */
        bool truncated;            /* more than LOGPRUNE_FILES_MAX candidates */
        struct logprune_walk *walk; /* the directories still to read; NULL: over */
};

/* The oldest files offered, at most max of them (a heap), and the total
 * size of every file offered: what max_total needs without holding every
 * file of a 100k-file directory. */
struct logprune_oldest {
        struct logprune_file *files;
        size_t n, allocated, max;
        uint64_t bytes;      /* disk_bytes of every file offered */
        size_t dropped;      /* files offered but not kept (newer ones) */
        bool short_of_total; /* logprune_oldest_plan: deleting every file kept
                              * still leaves more than max_total */
};

/* Pure. */
bool logprune_name_matches(const char *pattern, const char *name);
/* Age strictly greater than max_age; a file from the future is age 0. */
bool logprune_is_expired(usec_t mtime_realtime_usec, usec_t now_realtime_usec, usec_t max_age_usec);
/* Mark files to delete: every expired one, then oldest first (ties by dir,
 * name) while the total of the kept ones exceeds max_total_bytes (BYTES_MAX =
 * no limit). Sorts files oldest first. Returns how many are marked. */
size_t logprune_plan(struct logprune_file *files, size_t n, usec_t max_age_usec,
                     uint64_t max_total_bytes, usec_t now_realtime_usec);
/* Pure. max > 0. */
void logprune_oldest_init(struct logprune_oldest *o, size_t max);
/* Offer f: kept if among the max oldest so far (ties by dir, name). The
 * strings of f pass to o (freed when not kept). 0, or -ENOMEM. */
int logprune_oldest_offer(struct logprune_oldest *o, struct logprune_file *f);
/* Sort the kept files oldest first and mark them LOGPRUNE_TOTAL, oldest
 * first, while the total of every file offered minus the marked exceeds
 * max_total_bytes (BYTES_MAX = no limit). Returns how many are marked. */
size_t logprune_oldest_plan(struct logprune_oldest *o, uint64_t max_total_bytes);
void logprune_oldest_done(struct logprune_oldest *o);
/* Escape a name for logs: valid UTF-8 kept except controls, backslash and
 * quote; everything else as \n, \t, \\, \" or \xHH. Always NUL-terminates;
 * truncates with "..." if buf is too small. Returns buf. */
char *logprune_escape(const char *name, char *buf, size_t size);
/* "dir/name" escaped, as logprune_escape. Returns buf. */
char *logprune_file_display(const struct logprune_file *f, char *buf, size_t size);
const char *logprune_reason_name(enum logprune_reason r); /* "keep", "age", "total" */

/* I/O. Scan dir for regular files matching pattern. 0, or -errno for the top
 * directory (-ELOOP/-ENOTDIR: it is a symlink or not a directory). Errors
 * below the top are logged and the entry skipped. */
int logprune_scan(const char *dir, const char *pattern, bool recursive, struct logprune_scan *ret);
/* The same in slices: open the top directory (results as logprune_scan,
 * no file read yet), then read at most budget directory entries per step,
 * appending matching files to s->files. step: 1 more to read, 0 the walk is
 * over, -ENOMEM, or -errno when the top directory cannot be read. */
int logprune_scan_open(const char *dir, const char *pattern, bool recursive,
                       struct logprune_scan *ret);
int logprune_scan_step(struct logprune_scan *s, size_t budget);
/* Forget the files found so far (their slice is dealt with); the walk goes on. */
void logprune_scan_drop_files(struct logprune_scan *s);
void logprune_scan_done(struct logprune_scan *s);

/* Delete files[i] if it is still the file that was scanned. 0 deleted
 * (*ret_freed = bytes given back), -ESTALE it changed (another inode, not a
 * regular file, a directory on the way swapped or on another filesystem),
 * -ENOENT it is gone, other -errno from unlinkat. */
int logprune_delete(struct logprune_scan *s, size_t i, uint64_t *ret_freed);
/* The same for a file f found by the scan s (kept elsewhere, e.g. in a
 * logprune_oldest). */
int logprune_delete_file(const struct logprune_scan *s, const struct logprune_file *f,
                         uint64_t *ret_freed);
