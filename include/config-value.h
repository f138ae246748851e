/* config-value — one "key = value" turned into its typed field, by the key's
 * entry in the schema (config-schema.h): booleans, durations, percentages,
 * absolute paths, file-name patterns, whole numbers, byte sizes, sizes that
 * may be a share of host memory, PSI thresholds and triggers, match lines
 * and keep_image patterns (the last two append to a list).
 *
 * Pure: no I/O, no FILE:LINE (the reader adds those). Range and syntax come
 * from the key's entry, so one parser serves every key of a type. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config-schema.h"

/* Parse value for key into its field of base (the struct of the key's
 * section). 0; -EINVAL with the reason in what (e.g. "expected yes or no";
 * the caller prefixes FILE:LINE and the key); -ENOMEM. On -EINVAL the field is
 * unchanged. */
int config_value_parse(const struct config_key_def *key, void *base, const char *value, char *what,
                       size_t what_size);

/* Absolute, no ".." component, no control characters, shorter than 4096.
 * strict additionally wants the canonical spelling (no "//", no "."
 * component, no trailing '/' except for "/" itself), for [disk:PATH]. */
bool config_value_path_is_valid(const char *p, bool strict);

/* *dst = a copy of value, freeing the old one. 0 or -ENOMEM (*dst kept). */
int config_value_replace_string(char **dst, const char *value);
