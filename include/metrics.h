/* metrics — the governor's state as a Prometheus text exposition (format
 * 0.0.4), for the node_exporter textfile collector (metrics_file, written
 * atomically every tick) and for `sutazai-govctl metrics`.
 *
 * Every family has HELP and TYPE; counters end in _total; sizes are bytes,
 * times seconds, shares ratios (0..1); "max" limits are +Inf. Label values
 * are escaped (\\ \" \n) and invalid UTF-8 is replaced by '?'. A group
 * whose (name, kind) was already written is skipped, so series are unique.
 * The names are documented in sutazai-govctl(1), METRICS.
 *
 * metrics_format_input() is pure (fixed input → fixed text); metrics_format()
 * reads the published status (status.h) into an input. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "snapshot.h"
#include "tier.h"
#include "util.h"

struct history;
struct overrides;
struct status;
struct status_counters;

struct metrics_disk {
        const char *path;
        enum tier tier;
        bool sampled; /* usage below is valid */
        double used_percent;
        uint64_t size_bytes;
        uint64_t avail_bytes;
};

struct metrics_input {
        const char *version;
        const struct snapshot *snapshot;
        enum tier memory_tier;
        const struct metrics_disk *disks;
        size_t n_disks;
        const struct status_counters *counters; /* may be NULL */
        const struct history *history;          /* per-kind totals; may be NULL */
        bool docker_configured;
        bool docker_connected;
        bool dry_run;
        bool paused;
        size_t n_overrides;
        usec_t started_realtime_usec; /* 0 = unknown */
};

/* Write the exposition. 0 or -EIO (the stream failed). */
int metrics_format_input(const struct metrics_input *in, FILE *f);

/* The published status (status.h) and the operator's overrides and pause
 * (overrides may be NULL). 0 or -errno. */
int metrics_format(const struct status *status, const struct overrides *overrides, FILE *f);

/* Atomically replace path (mode 0644) with the exposition. -ENOENT when the
 * directory is missing (the caller logs once; the collector is not
 * installed), other -errno on failure. */
int metrics_write_file(const struct status *status, const struct overrides *overrides,
                       const char *path);
