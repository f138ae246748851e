/* cgfs — the one module that touches cgroupfs and procfs.
 *
 * Every path is relative to directory fds opened once at cgfs_open():
 *   - the cgroup v2 root (pure v2: /sys/fs/cgroup; hybrid: /sys/fs/cgroup/unified),
 *   - procfs (/proc), for meminfo and pressure.
 * so tests point it at a fixture tree and the daemon at the real mounts.
 * Reads use openat(O_RDONLY|O_CLOEXEC|O_NOFOLLOW), writes openat(O_WRONLY).
 *
 * A cgroup that vanished mid-read returns -ENOENT or -ENODEV: callers treat
 * that as "gone", not as an error. Other failures are -errno.
 *
 * Layout detection (cgfs_detect) uses libcgroup for mount and controller
 * discovery and reports pure v2 versus hybrid (v1 controllers + a
 * controller-less cgroup2 hierarchy that still has PSI files). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memparse.h"
#include "psi.h"

enum cgfs_layout {
        CGFS_LAYOUT_UNKNOWN = 0,
        CGFS_LAYOUT_V2,     /* unified hierarchy with the memory controller */
        CGFS_LAYOUT_HYBRID, /* v1 memory controller, cgroup2 for PSI only */
        CGFS_LAYOUT_V1,     /* no cgroup2 at all: no per-cgroup PSI */
};

struct cgfs_layout_info {
        enum cgfs_layout layout;
        char v2_root[4096];     /* cgroup2 mount ("" if none) */
        char v1_memory[4096];   /* v1 memory controller mount ("" if none) */
        bool v2_memory;         /* memory controller available on v2 */
};

/* Discover mounts with libcgroup (falls back to /proc/self/mountinfo only if
 * libcgroup cannot initialise). 0 or -errno. */
int cgfs_detect(struct cgfs_layout_info *ret);
const char *cgfs_layout_name(enum cgfs_layout l);

struct cgfs;

/* Open the roots. proc_root is normally "/proc". 0 or -errno. */
int cgfs_open(const char *cgroup_root, const char *proc_root, struct cgfs **ret);
struct cgfs *cgfs_free(struct cgfs *fs);

/* Read the file name inside cgroup rel ("" for the root) into buf,
 * NUL-terminated. Returns length or -errno. */
ssize_t cgfs_read(struct cgfs *fs, const char *rel, const char *name, char *buf, size_t size);
/* Read a single-value file (memory.current, memory.max, ...). */
int cgfs_read_value(struct cgfs *fs, const char *rel, const char *name, uint64_t *ret_value);
int cgfs_read_psi(struct cgfs *fs, const char *rel, const char *name, struct psi_stats *ret);
int cgfs_read_events(struct cgfs *fs, const char *rel, struct memory_events *ret);
/* Write value (BYTES_MAX → "max") to a single-value file. */
int cgfs_write_value(struct cgfs *fs, const char *rel, const char *name, uint64_t value);
/* Write a raw string (memory.reclaim "123456", cgroup.kill "1"). */
int cgfs_write_string(struct cgfs *fs, const char *rel, const char *name, const char *value);
/* Open a pressure file for a PSI trigger (O_RDWR|O_NONBLOCK). Returns fd. */
int cgfs_open_pressure(struct cgfs *fs, const char *rel, const char *name);
/* procfs */
int cgfs_read_meminfo(struct cgfs *fs, struct meminfo *ret);
int cgfs_read_host_psi(struct cgfs *fs, const char *resource, struct psi_stats *ret); /* "memory", "io", "cpu" */
int cgfs_open_host_pressure(struct cgfs *fs, const char *resource);
/* Read /proc/PID/cgroup and return the cgroup2 ("0::") path, malloc'd, no leading '/'. */
int cgfs_pid_cgroup(struct cgfs *fs, int pid, char **ret_path);

/* Visit every cgroup under the root (depth-first, the root excluded) whose
 * relative path matches glob (fnmatch with FNM_PATHNAME off), not following
 * symlinks, bounded in depth (32). cb returns <0 to abort with that value. */
typedef int (*cgfs_visit_fn)(const char *rel, void *userdata);
int cgfs_walk(struct cgfs *fs, cgfs_visit_fn cb, void *userdata);
