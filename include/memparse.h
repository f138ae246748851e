/* memparse — parsers for the memory files the governor reads:
 *   /proc/meminfo            "MemTotal:       24576000 kB"
 *   memory.stat, memory.events, memory.events.local (cgroup v2 "flat keyed":
 *                            "key value" per line)
 *   memory.current, memory.max, memory.high, memory.swap.max
 *                            (a single integer, or "max" → BYTES_MAX)
 * Pure: no I/O. All take (buf, len) with buf not necessarily NUL-terminated.
 * Return 0 or -EINVAL (malformed, duplicate key, overflow, trailing garbage). */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct meminfo {
        uint64_t mem_total_bytes;
        uint64_t mem_available_bytes;
        uint64_t swap_total_bytes;
        uint64_t swap_free_bytes;
};

/* MemTotal and MemAvailable are required; swap fields default to 0. */
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
