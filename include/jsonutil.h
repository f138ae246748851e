/* jsonutil — the JSON conventions the state files and the control protocol
 * share (cJSON): whole numbers that survive cJSON's double, and one-line
 * output. Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* Integers above 2^52 do not round-trip exactly through cJSON's double and
 * its "%1.15g" printing; sizes and times stay far below it (4 PiB, year 2112). */
#define JSONUTIL_INT_MAX (UINT64_C(1) << 52)

/* A whole number 0..max. -EINVAL: not a number; -ERANGE: fractional,
 * negative, not finite or above max. */
int jsonutil_get_u64(const cJSON *item, uint64_t max, uint64_t *ret);

/* Parse a state file: an object whose "version" is the given one. The root
 * (free with cJSON_Delete), or NULL for anything else. */
cJSON *jsonutil_parse_versioned(const char *buf, size_t len, uint64_t version);

/* root printed (unformatted or indented) with a trailing '\n', malloc'd;
 * NULL when root is NULL or memory runs out. */
char *jsonutil_print_line(const cJSON *root, bool formatted);
