/* units — parse and format the sizes, durations and percentages that the
 * configuration and sutazai-govctl accept. Pure: no I/O, no globals.
 *
 *  sizes:       "512", "64K", "512M", "8G", "1T" (powers of 1024, optional "B"
 *               suffix as in "8GB"/"8GiB", case-insensitive), "max";
 *               or "N%" / "N.N%" of host memory (see struct size_spec).
 *  durations:   "250ms", "5s", "10m", "1h", "7d" (also "us", "min"); a bare
 *               number is seconds. Lower-case units only ("m" is minutes).
 *  percentages: "65%", "12.5%" (0..100).
 *  Numbers are plain decimals: no sign, no exponent, at most 9 digits after
 *  the point; a fraction is truncated to whole bytes or microseconds (and is
 *  refused for a size without a unit). BYTES_MAX is reserved for "max".
 *
 * All parsers: 0 on success with *ret written, -EINVAL on malformed input,
 * -ERANGE on overflow. Leading/trailing blanks are ignored; anything else
 * trailing is an error. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* A size as the operator wrote it: absolute bytes, or a share of host memory. */
struct size_spec {
        bool set;        /* false: key not given */
        bool is_percent; /* true: percent of host MemTotal */
        double percent;  /* 0 < percent <= 100 when is_percent */
        uint64_t bytes;  /* when !is_percent; BYTES_MAX means "max" */
};

int units_parse_bytes(const char *s, uint64_t *ret_bytes); /* no %, accepts "max" */
int units_parse_size(const char *s, struct size_spec *ret);
int units_parse_duration(const char *s, usec_t *ret_usec);
int units_parse_percent(const char *s, double *ret_percent);

/* Resolve a size_spec against host memory. Unset → BYTES_MAX. */
uint64_t units_size_resolve(const struct size_spec *spec, uint64_t mem_total_bytes);

/* Exact formatting for --dump-config: the largest unit that divides exactly
 * ("8G", "1536M", "100"), "max" for BYTES_MAX. Returns buf. */
const char *units_format_bytes_exact(uint64_t bytes, char *buf, size_t size);
/* Human formatting for people: "7.5G", "512M", "0". Returns buf. */
const char *units_format_bytes_human(uint64_t bytes, char *buf, size_t size);
/* "250ms", "5s", "7d" — exact, largest unit that divides; "0" for zero,
 * "infinity" for USEC_INFINITY. Returns buf. */
const char *units_format_duration(usec_t usec, char *buf, size_t size);
/* "65%", "12.5%": prints back exactly what units_parse_percent read. */
const char *units_format_percent(double percent, char *buf, size_t size);
/* A size_spec as units_parse_size accepts it: "8G", "50%", "max" (also for
 * an unset spec). Returns buf. */
const char *units_format_size(const struct size_spec *spec, char *buf, size_t size);

/* Buffer size that fits every units_format_* result. */
#define UNITS_FORMAT_MAX 32
