/* history — the last N actions the governor took (or, in dry-run, would
 * have taken), newest last, with time, kind, target, reason and bytes.
 * Kept in memory as a ring and persisted to STATE_DIR/history.json by
 * atomic replace; restored at start-up (a corrupt file is logged, moved
 * aside as history.json.corrupt, and the history starts empty).
 *
 * Kinds (the contract of `sutazai-govctl history --json`): limit, reclaim,
 * throttle, stop, kill, oom, prune-logs, vacuum-journal, prune-containers,
 * prune-images, prune-build-cache, evict-image.
 *
 * Every entry carries its outcome, never written before it is known: done
 * (the kernel or Docker confirmed it), failed (detail: the error), dry-run
 * (only planned) or skipped (detail: why it was not carried out). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

enum history_result {
        HISTORY_RESULT_DONE, /* 0: also what an entry without a result means */
        HISTORY_RESULT_FAILED,
        HISTORY_RESULT_DRY_RUN,
        HISTORY_RESULT_SKIPPED,
        HISTORY_RESULT_COUNT,
};
/* "done", "failed", "dry-run", "skipped"; NULL out of range */
const char *history_result_name(enum history_result r);
/* the result named name, or -EINVAL */
int history_result_from_name(const char *name);

struct history_entry {
        usec_t time_realtime_usec;
        char kind[24];
        char target[256];
        char reason[256];
        uint64_t bytes; /* bytes set or freed; 0 when not applicable */
        bool has_bytes;
        bool dry_run; /* the action was only planned; history_add keeps it and
                       * result == HISTORY_RESULT_DRY_RUN in step */
        enum history_result result;
        char detail[160]; /* failed: the error; skipped: why; else "" */
};

struct history;

int history_new(size_t capacity, struct history **ret);
struct history *history_free(struct history *h);

/* Append (drops the oldest when full). -ENOMEM only. */
int history_add(struct history *h, const struct history_entry *e);
size_t history_count(const struct history *h);
/* i = 0 is the oldest kept entry. */
const struct history_entry *history_get(const struct history *h, size_t i);

/* Persistence (cJSON). load: 0 loaded, -ENOENT none, -EINVAL corrupt (moved aside). */
int history_save(const struct history *h, const char *path);
int history_load(struct history *h, const char *path);

/* Every entry ever added since history_new (not only the kept ones): a
 * change counter for "save when changed". */
uint64_t history_total(const struct history *h);
/* Entries added since start of this kind (one of HISTORY_KINDS, else
 * counted under "other"), split by dry_run. Failed and skipped entries are
 * not counted: these are actions taken (or that would have been). For metrics. */
#define HISTORY_KINDS                                                                              \
        "limit", "reclaim", "throttle", "stop", "kill", "oom", "prune-logs", "vacuum-journal",     \
            "prune-containers", "prune-images", "prune-build-cache", "evict-image", "other"
#define HISTORY_KIND_COUNT 13
uint64_t history_kind_total(const struct history *h, const char *kind, bool dry_run);

/* The last n entries (0 = all), oldest first, as the `history --json`
 * contract: [{"time":UNIX_SECONDS,"kind","target","reason","bytes"(only
 * when has_bytes),"dry_run","result","error"(failed),"why"(skipped)}].
 * NULL on -ENOMEM. */
struct cJSON;
struct cJSON *history_to_json(const struct history *h, size_t n);

/* The file format: {"version":1,"entries":[{"time_usec","kind","target",
 * "reason","bytes"?,"dry_run","result"?,"error"?|"why"?}]} (an entry without
 * "result", from an older governor, is done, or dry-run when dry_run). format: 0 or -ENOMEM (text malloc'd).
 * parse replaces h's entries (keeping the newest capacity ones); -EINVAL on
 * a corrupt text, h unchanged. Pure. */
int history_format_json(const struct history *h, char **ret_text);
int history_parse_json(struct history *h, const char *buf, size_t len);
