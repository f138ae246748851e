/* config-validate — the checks that need the whole configuration: across
 * keys, across sections, and against this host. config_load() runs them after
 * the last drop-in, since a later file may complete what an earlier one
 * started. Pure: reads the config, writes one message. */
#pragma once

#include <stddef.h>
#include <stdint.h>

struct config;

/* Cross-key checks: warning < critical < emergency (memory and each disk),
 * hysteresis < warning, disk low < warning, logs dir given, every rule has a
 * match, memory_high <= memory_max when both are absolute, not both protect
 * and sacrificial. Messages name the FILE:LINE of the offending key or
 * section ("FILE: ..." when only defaults are involved). 0 or -EINVAL.
 * Called by config_load; exposed for tests. */
int config_validate(const struct config *c, char *err, size_t err_size);
/* Checks against this host's memory (config_load passes MemTotal from
 * sysinfo(2)): each rule's memory_low and memory_min, resolved, below
 * mem_total_bytes, and memory_min not above memory_low. mem_total_bytes 0:
 * unknown, nothing checked. 0 or -EINVAL with err filled. */
int config_validate_host(const struct config *c, uint64_t mem_total_bytes, char *err,
                         size_t err_size);
