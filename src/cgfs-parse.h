/* cgfs-parse — cgfs's pure parsers (include/cgfs.h states their contract:
 * cgfs_parse_mountinfo, cgfs_parse_proc_cgroup, cgfs_parse_proc_cgroup_v1,
 * cgfs_parse_pids), and the two pieces of them layout detection
 * (cgfs-layout.c) shares. No I/O. Not a public interface beyond cgfs.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "cgfs.h"

/* Is word one of the whitespace-separated items of a cgroup.controllers
 * text list[0..len)? */
bool cgfs_controllers_have(const char *list, size_t len, const char *word);
/* Set info->layout from the mounts found (v2_root, v1_memory, v2_memory). */
void cgfs_layout_decide(struct cgfs_layout_info *info);
