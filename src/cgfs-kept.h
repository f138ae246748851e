/* cgfs-kept — files kept open across reads (include/cgfs.h says why and
 * when; cgfs_kept_sweep and cgfs_kept_count are public): a table of open
 * fds keyed by root and path, bounded by fs->kept_max, read with one
 * pread() from offset 0. Not a public interface. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

struct cgfs;

/* Which root a kept file's path is relative to: the first byte of its key. */
#define KEPT_ROOT_CGROUP 'c'
#define KEPT_ROOT_PROC   'p'

/* cgfs_read_at() of path beneath the root tagged root, through a kept-open
 * fd: one pread() while the file stays, a fresh open (and keep) when it is
 * new, gone or replaced. Same result as cgfs_read_at(). */
ssize_t cgfs_read_kept(struct cgfs *fs, char root, const char *path, char *buf, size_t size);

/* How many files cgfs_open() lets the table keep: CGFS_KEPT_FILES_MAX, and
 * no more than a quarter of RLIMIT_NOFILE's soft limit. */
size_t cgfs_kept_budget(void);
/* Close every kept file and free the table (cgfs_free). */
void cgfs_kept_free(struct cgfs *fs);
