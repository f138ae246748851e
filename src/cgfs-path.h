/* cgfs-path — names and paths checked, and files opened, read and written
 * beneath a root directory fd without following any symlink (the part of
 * cgfs every other part opens files through; not a public interface).
 *
 * rel is a cgroup path relative to its root ("" the root itself, no leading
 * or trailing '/', no "." or ".." components); name is a single file name
 * (include/cgfs.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The kernel predates openat2 (5.6): cgfs_open_beneath() fell back to
 * openat(), which does not refuse to cross a mount (the walk checks). */
extern bool cgfs_openat2_missing;

/* One path component: 1..NAME_MAX bytes, not "." or "..". */
bool cgfs_component_ok(const char *s, size_t len);
/* A single file name: a component without '/'. */
bool cgfs_name_ok(const char *name);
/* A relative cgroup path: "" or components joined by single '/'. */
bool cgfs_rel_ok(const char *rel);
/* rel/name (or name alone for rel ""), checked, into buf. 0, -EINVAL (bad
 * rel or name), -ENAMETOOLONG. */
int cgfs_join_path(const char *rel, const char *name, char *buf, size_t size);

/* Open path beneath dirfd (O_CLOEXEC|O_NOFOLLOW added to flags) without
 * following any symlink and without leaving the filesystem. The fd or -errno. */
int cgfs_open_beneath(int dirfd, const char *path, int flags);
/* Open, read whole into buf (NUL-terminated), close: the length or -errno
 * (-EFBIG: does not fit). */
ssize_t cgfs_read_at(int dirfd, const char *path, char *buf, size_t size);
/* Open an existing file O_WRONLY|O_TRUNC and write value[0..len) in one
 * write(): 0, -EIO on a short write, or -errno. Never creates a file. */
int cgfs_write_at(int dirfd, const char *path, const char *value, size_t len);
