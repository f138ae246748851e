/* overrides — the operator's temporary decisions: memory_max overrides per
 * rule or group name (`sutazai-govctl set-limit NAME SIZE [--for D]`) and
 * the paused state (`pause [--for D]` / `resume`).
 *
 * Expiry is by realtime (Unix) time, so an override set "for 1h" still ends
 * on time across a daemon restart. The set is a plain list (bounded by
 * OVERRIDES_MAX); the daemon hands overrides_get() to policy_input as is.
 *
 * Persistence: STATE_DIR/overrides.json, written by atomic replace
 * (util_write_file_atomic). overrides_load() drops entries that expired while
 * the daemon was down; a corrupt file is logged, moved aside as
 * overrides.json.corrupt and the set starts empty.
 *
 * The JSON encoders/decoders are pure (fuzzable); only _save/_load do I/O. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"
#include "util.h"

#define OVERRIDES_MAX  1024 /* entries; more is a runaway script, not an operator */
#define OVERRIDES_FILE "overrides.json"

struct overrides;

int overrides_new(struct overrides **ret);
struct overrides *overrides_free(struct overrides *o);

/* Set or replace the override for name. expires_realtime_usec 0 = until
 * cleared. 0 added, 1 replaced, -EINVAL bad name, -E2BIG full, -ENOMEM. */
int overrides_set(struct overrides *o, const char *name, uint64_t memory_max,
                  usec_t expires_realtime_usec);
/* 0 removed, -ENOENT none. */
int overrides_clear(struct overrides *o, const char *name);
const struct override *overrides_find(const struct overrides *o, const char *name);
/* The whole set, valid until the next change. */
const struct override *overrides_get(const struct overrides *o, size_t *ret_n);

/* Pause enforcement until the given realtime (0 = until resumed). */
void overrides_pause(struct overrides *o, usec_t until_realtime_usec);
/* 1 was paused, 0 was not. */
int overrides_resume(struct overrides *o);
bool overrides_paused(const struct overrides *o);
usec_t overrides_paused_until(const struct overrides *o); /* 0 = until resumed */

/* Called for each override that expired (o) and for the pause (o == NULL),
 * before it is removed. */
typedef void (*overrides_expired_fn)(const struct override *o, void *userdata);
/* Drop everything whose expiry is at or before now. Returns how many expired
 * (the pause counts as one). */
size_t overrides_expire(struct overrides *o, usec_t now_realtime_usec, overrides_expired_fn cb,
                        void *userdata);
/* The earliest pending expiry (realtime), USEC_INFINITY when none. */
usec_t overrides_next_expiry(const struct overrides *o);

/* State as JSON text (malloc'd, newline-terminated): 0 or -ENOMEM.
 *   {"version":1,"paused":BOOL,"paused_until_usec":N,
 *    "overrides":[{"name":S,"memory_max":N|"max","expires_usec":N}]} */
int overrides_format_json(const struct overrides *o, char **ret_text);
/* Replace the state from JSON text, dropping entries expired at now. On
 * -EINVAL (corrupt: wrong shape, duplicates, bad values) o is unchanged. */
int overrides_parse_json(struct overrides *o, const char *buf, size_t len,
                         usec_t now_realtime_usec);

/* 0 saved or -errno. */
int overrides_save(const struct overrides *o, const char *path);
/* 0 loaded, -ENOENT no file, -EINVAL corrupt (logged and moved aside to
 * PATH.corrupt; o unchanged), other -errno on read errors. */
int overrides_load(struct overrides *o, const char *path, usec_t now_realtime_usec);
