/* cgfs — the one module that touches cgroupfs and procfs.
 *
 * Every path is relative to directory fds opened once at cgfs_open():
 *   - the cgroup v2 root (pure v2: /sys/fs/cgroup; hybrid: /sys/fs/cgroup/unified),
 *   - optionally the cgroup v1 memory mount (hybrid hosts: /sys/fs/cgroup/memory),
 *     read only,
 *   - procfs (/proc), for meminfo, pressure and /proc/PID/cgroup,
 * so tests point it at a fixture tree and the daemon at the real mounts.
 * Paths are resolved beneath those fds without following any symlink
 * (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS where the kernel has it).
 * Files are never created: writes open O_WRONLY|O_TRUNC on existing files.
 *
 * rel is a cgroup path relative to its root ("" for the root itself,
 * "docker/<id>", no leading or trailing '/', no "." or ".." components);
 * name is a single file name. Anything else is -EINVAL.
 *
 * A cgroup that vanished mid-read returns -ENOENT or -ENODEV: callers treat
 * that as "gone", not as an error. Other failures are -errno.
 *
 * Reads of cgroup files (cgfs_read and the readers built on it) and of
 * /proc/meminfo and /proc/pressure files keep the file open after the first read
 * and re-read it with one pread() from offset 0 (the kernel regenerates a
 * cgroupfs/procfs file's content on every read from 0), so the per-tick
 * sample costs one system call per file instead of open/read/read/close.
 * Kept files are bounded (see cgfs_open) and closed by cgfs_kept_sweep()
 * once nothing reads them. A kept file of a removed cgroup reads -ENODEV; it
 * is then dropped and the path opened afresh, so a cgroup removed and
 * recreated under the same name is read from the new one. On a tree that is
 * not cgroupfs (test fixtures), a kept file that was deleted or replaced by
 * rename (st_nlink == 0) is likewise reopened.
 *
 * Layout detection (cgfs_detect) uses libcgroup for mount and controller
 * discovery and reports pure v2 versus hybrid (v1 controllers + a
 * controller-less cgroup2 hierarchy that still has PSI files).
 *
 * The module is built from src/cgfs*.c, one job a file (src/cgfs-private.h
 * lists them); this header is its whole interface. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "memparse.h"
#include "psi.h"
#include "util.h"

enum cgfs_layout {
        CGFS_LAYOUT_UNKNOWN = 0,
        CGFS_LAYOUT_V2,     /* unified hierarchy with the memory controller */
        CGFS_LAYOUT_HYBRID, /* v1 memory controller, cgroup2 for PSI only */
        CGFS_LAYOUT_V1,     /* no cgroup2 at all: no per-cgroup PSI */
};

struct cgfs_layout_info {
        enum cgfs_layout layout;
        char v2_root[4096];   /* cgroup2 mount ("" if none) */
        char v1_memory[4096]; /* v1 memory controller mount ("" if none) */
        bool v2_memory;       /* memory controller available on v2 */
};

/* Discover the mounts: libcgroup names the memory controller's mount (v1 or
 * v2 told apart by statfs), /proc/self/mountinfo completes the picture with a
 * cgroup2 mount that carries no controller (libcgroup lists mounts per
 * controller, so it cannot name that one), and is the whole source if
 * libcgroup cannot initialise. 0, -ENOENT if no cgroup filesystem is mounted,
 * or -errno. */
int cgfs_detect(struct cgfs_layout_info *ret);
const char *cgfs_layout_name(enum cgfs_layout l); /* "v2", "hybrid", "v1", "unknown" */

/* Pure: the layout described by a /proc/self/mountinfo text (the first
 * cgroup2 mount, the first v1 mount with the memory option; v2_memory from
 * the caller-supplied cgroup.controllers text of that cgroup2 root, may be
 * NULL/0 = unknown → false). 0, -ENOENT no cgroup mount, -EINVAL malformed. */
int cgfs_parse_mountinfo(const char *buf, size_t len, const char *v2_controllers,
                         size_t v2_controllers_len, struct cgfs_layout_info *ret);

/* Pure: the cgroup2 path in a /proc/PID/cgroup text ("0::/docker/abc" →
 * "docker/abc", "0::/" → ""), malloc'd. v1 lines ("4:memory:/docker/abc")
 * are checked for shape and ignored. -ENOENT: no "0::" line (a pure v1 host)
 * or the cgroup was removed (" (deleted)"); -EINVAL: malformed, NUL bytes,
 * duplicate "0::" lines, a path outside our namespace ("/../x");
 * -ENOMEM. */
int cgfs_parse_proc_cgroup(const char *buf, size_t len, char **ret_path);

struct cgfs;

/* Open the roots as directory fds. v1_memory_root may be NULL (no v1 memory
 * controller: pure v2 hosts); proc_root is normally "/proc". At most
 * CGFS_KEPT_FILES_MAX files, and no more than a quarter of RLIMIT_NOFILE's
 * soft limit at this call, are kept open; beyond that, files are opened and
 * closed on each read as before. 0 or -errno. */
int cgfs_open(const char *cgroup_root, const char *v1_memory_root, const char *proc_root,
              struct cgfs **ret);
struct cgfs *cgfs_free(struct cgfs *fs);

/* Upper bound on kept-open files: each costs an fd and, on cgroupfs, about
 * one page of kernel memory (its seq_file buffer), so 2048 ≈ 8 MiB at most. */
#define CGFS_KEPT_FILES_MAX 2048
/* Close every kept file not read since the previous sweep (groups that
 * vanished or no longer match). The sampler calls it every few minutes,
 * and sooner when the kept files crowd their budget. */
void cgfs_kept_sweep(struct cgfs *fs);
/* How many files are kept open now (tests, debugging). */
size_t cgfs_kept_count(const struct cgfs *fs);
/* Close the kept files of cgroup rel (its own files, not its children's):
 * a group that vanished. */
void cgfs_kept_forget(struct cgfs *fs, const char *rel);
/* Whether the kept files fill three quarters of their budget or more. */
bool cgfs_kept_crowded(const struct cgfs *fs);

/* Change watches: one inotify watch per group directory tells the sampler
 * which groups changed, so the others need not be read on every sample.
 * The kernel raises a file-modified event on the directory when
 * memory.events or cgroup.events changes content, and for every write(2) to
 * a file in it (ours to memory.max, another manager's, a fixture's); files
 * created or renamed into it count too (fixture trees). memory.current and
 * memory.pressure raise nothing: the sampler reads those when a decision
 * needs them and on its slower refresh.
 *
 * cgfs_watch_fd: the inotify fd to poll for EPOLLIN (-1: inotify is
 * unavailable; then every group is to be read on every sample).
 * cgfs_watch_add: watch the directory of cgroup rel; the wd (>= 0), the same
 * for the same directory, or -errno (-EOPNOTSUPP no inotify, -ENOSPC the
 * user's watch limit): the caller reads that group every sample.
 * cgfs_watch_take: 1 if an event arrived for wd since the last take (or
 * events were lost), 0 if not, -ENOENT if wd is not watched (never added,
 * swept, or its directory was removed). Marks wd as in use.
 * cgfs_watch_process: read the queued events without blocking and mark
 * their watches; returns how many watches it newly marked plus the
 * directories made or removed in the walked tree, or -errno.
 * cgfs_watch_pending: an event is marked and not yet taken, or the walked
 * tree changed since cgfs_walk_cached() last looked.
 * cgfs_watch_sweep: remove the watches no cgfs_watch_take/add named since
 * the previous sweep (groups gone or no longer matched); once per sample. */
int cgfs_watch_fd(const struct cgfs *fs);
int cgfs_watch_add(struct cgfs *fs, const char *rel);
int cgfs_watch_take(struct cgfs *fs, int wd);
int cgfs_watch_process(struct cgfs *fs);
bool cgfs_watch_pending(const struct cgfs *fs);
void cgfs_watch_sweep(struct cgfs *fs);
size_t cgfs_watch_count(const struct cgfs *fs); /* tests, debugging */
/* Close the inotify fd and forget every watch: as on a host without inotify
 * (tests of that fallback). */
void cgfs_watch_disable(struct cgfs *fs);

/* Read the file name inside cgroup rel ("" for the root) into buf,
 * NUL-terminated. Returns length or -errno (-EFBIG: does not fit). */
ssize_t cgfs_read(struct cgfs *fs, const char *rel, const char *name, char *buf, size_t size);
/* Read a single-value file (memory.current, memory.max, ...); "max" → BYTES_MAX. */
int cgfs_read_value(struct cgfs *fs, const char *rel, const char *name, uint64_t *ret_value);
int cgfs_read_psi(struct cgfs *fs, const char *rel, const char *name, struct psi_stats *ret);
int cgfs_read_events(struct cgfs *fs, const char *rel, struct memory_events *ret);
/* Write value (BYTES_MAX → "max") to a single-value file. */
int cgfs_write_value(struct cgfs *fs, const char *rel, const char *name, uint64_t value);
/* Write a raw string (memory.reclaim "123456", cgroup.kill "1") in one write(). */
int cgfs_write_string(struct cgfs *fs, const char *rel, const char *name, const char *value);
/* Open a pressure file for a PSI trigger (O_RDWR|O_NONBLOCK|O_CLOEXEC).
 * Returns the fd (the caller closes it) or -errno. No trigger is written. */
int cgfs_open_pressure(struct cgfs *fs, const char *rel, const char *name);

/* cgroup v1 memory controller (hybrid hosts), read only. rel is relative to
 * the v1 memory mount ("docker/<id>"). -EOPNOTSUPP if cgfs_open() got no
 * v1_memory_root. */
struct cgfs_v1_memory {
        uint64_t usage_bytes; /* memory.usage_in_bytes */
        uint64_t limit_bytes; /* memory.limit_in_bytes; BYTES_MAX = unlimited (>= 2^62) */
        uint64_t oom_kill;    /* memory.oom_control "oom_kill" */
        bool under_oom;       /* memory.oom_control "under_oom" */
};
int cgfs_read_v1_memory(struct cgfs *fs, const char *rel, struct cgfs_v1_memory *ret);

/* procfs */
int cgfs_read_meminfo(struct cgfs *fs, struct meminfo *ret);
int cgfs_read_host_psi(struct cgfs *fs, const char *resource,
                       struct psi_stats *ret); /* "memory", "io", "cpu", "irq";
                                                 * anything else -EINVAL */
/* Returns an fd as cgfs_open_pressure() does. */
int cgfs_open_host_pressure(struct cgfs *fs, const char *resource);
/* Read /proc/PID/cgroup and return the cgroup2 ("0::") path, malloc'd, no
 * leading '/'. -ESRCH/-ENOENT: the process is gone; otherwise as
 * cgfs_parse_proc_cgroup(). */
int cgfs_pid_cgroup(struct cgfs *fs, int pid, char **ret_path);
/* The v1 hierarchy path of one controller (hybrid hosts: "memory"): the line
 * whose comma-separated controller list names it ("4:memory:/docker/abc" →
 * "docker/abc", relative to that controller's mount). Pure parser and reader;
 * -ENOENT: no such controller line (pure v2) or the cgroup was removed;
 * otherwise as cgfs_parse_proc_cgroup(). Added for the Docker client. */
int cgfs_parse_proc_cgroup_v1(const char *buf, size_t len, const char *controller, char **ret_path);
int cgfs_pid_cgroup_v1(struct cgfs *fs, int pid, const char *controller, char **ret_path);

/* Processes of a cgroup (added for oomguard). cgfs_parse_pids() is pure:
 * cgroup.procs text, one decimal PID per line ("" = none) → malloc'd array;
 * -EINVAL on anything else. cgfs_read_pids() reads rel's cgroup.procs (not
 * kept open: read only when the group's processes changed). */
int cgfs_parse_pids(const char *buf, size_t len, int **ret_pids, size_t *ret_n);
int cgfs_read_pids(struct cgfs *fs, const char *rel, int **ret_pids, size_t *ret_n);
/* Read or write a one-integer procfs file of a process (name:
 * "oom_score_adj"). -ESRCH: the process is gone; -EACCES/-EPERM: refused
 * (lowering oom_score_adj needs CAP_SYS_RESOURCE). */
int cgfs_pid_read_int(struct cgfs *fs, int pid, const char *name, int *ret_value);
int cgfs_pid_write_int(struct cgfs *fs, int pid, const char *name, int value);

/* Visit every cgroup (directory) under the cgroup v2 root, depth-first,
 * parents before children, siblings in byte order, the root excluded. All are
 * visited: filtering (config_rule_find with MATCH_PATH) is the caller's. Never
 * follows a symlink, never crosses into another filesystem, does not descend
 * below depth 32; a directory that vanishes (or is refused) during the walk
 * is skipped. cb gets the relative path ("system.slice/foo.service") and
 * returns <0 to abort the walk with that value. 0 or -errno. */
typedef int (*cgfs_visit_fn)(const char *rel, void *userdata);
int cgfs_walk(struct cgfs *fs, cgfs_visit_fn cb, void *userdata);

/* As cgfs_walk(), but replays the list of cgroups the last full walk found
 * (same order) instead of walking again. With every directory of that walk
 * watched (cgfs_watch_*; events read by cgfs_watch_process, which this calls
 * too), the list is kept up to date from the events: a directory made walks
 * that subtree alone into it, one removed leaves with its descendants; lost
 * events, a rename or a failure walk the whole tree again; cgroup.stat is
 * not read. Without watches (no inotify), the list is replayed while the
 * root's cgroup.stat still counts the same nr_descendants (a cgroup created
 * or removed anywhere below changes it at once) and the list is younger than
 * max_age_usec at now: max_age_usec bounds how long a cgroup removed and
 * another created in its place between two calls (count unchanged) can go
 * unseen. Without a readable cgroup.stat at the first walk (fixture trees)
 * every call walks. A replayed cgroup may have vanished since: reading it
 * returns -ENOENT/-ENODEV, as after any walk. Returns as cgfs_walk(); a walk
 * that fails is not cached. */
int cgfs_walk_cached(struct cgfs *fs, usec_t now, usec_t max_age_usec, cgfs_visit_fn cb,
                     void *userdata);
/* Forget the cached walk: the next cgfs_walk_cached() walks. */
void cgfs_walk_cache_clear(struct cgfs *fs);
