/* memparse — parsers for the memory files the governor reads:
 *   /proc/meminfo            "MemTotal:       24576000 kB"
 *   memory.stat, memory.events, memory.events.local (cgroup v2 "flat keyed":
 *                            "key value" per line)
 *   memory.current, memory.max, memory.high, memory.swap.max
 *                            (a single integer, or "max" → BYTES_MAX)
 *   memory.oom_control       (cgroup v1, hybrid hosts: flat keyed)
 * Pure: no I/O. All take (buf, len) with buf not necessarily NUL-terminated.
 * Return 0 or -EINVAL (malformed, duplicate key, overflow, trailing garbage). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct meminfo {
        uint64_t mem_total_bytes;
        uint64_t mem_available_bytes;
        uint64_t swap_total_bytes;
        uint64_t swap_free_bytes;
};

/* MemTotal and MemAvailable are required; swap fields default to 0. Figures
 * are bytes. MemTotal 0, MemAvailable > MemTotal or SwapFree > SwapTotal are
 * -EINVAL, so callers may subtract and divide without checks. */
int memparse_meminfo(const char *buf, size_t len, struct meminfo *ret);

/* One integer or "max", optional trailing newline. */
int memparse_value(const char *buf, size_t len, uint64_t *ret_value);

struct memory_events {
        uint64_t low, high, max, oom, oom_kill, oom_group_kill;
};

/* memory.events: all known keys optional (0), unknown keys ignored. */
int memparse_memory_events(const char *buf, size_t len, struct memory_events *ret);

/* Flat-keyed lookup: the value of key in a "key value" file. 0 found,
 * -ENOENT absent, -EINVAL malformed file. Used for memory.stat (anon, file,
 * ...). */
int memparse_flat_keyed(const char *buf, size_t len, const char *key, uint64_t *ret_value);

/* cgroup v1 memory.oom_control: "oom_kill_disable 0\nunder_oom 0\noom_kill 1".
 * oom_kill_disable and under_oom are required; oom_kill (kernel >= 4.13)
 * defaults to 0; unknown keys are ignored; flags must be 0 or 1. */
struct memory_oom_control {
        bool oom_kill_disable;
        bool under_oom;
        uint64_t oom_kill; /* OOM kills in this cgroup since it was created */
};
int memparse_oom_control(const char *buf, size_t len, struct memory_oom_control *ret);
