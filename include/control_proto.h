/* control_proto — the control socket's wire format, pure (cJSON, no I/O
 * beyond writing rendered text to a FILE*).
 *
 * Framing: the client connects to the SOCK_STREAM unix socket, writes ONE
 * request — a JSON object on one line ending in '\n' (or ended by shutting
 * down its write side), at most CONTROL_REQUEST_MAX bytes — and reads ONE
 * response: a JSON object followed by '\n', after which the server closes.
 *
 * Requests (unknown keys, duplicate keys, wrong types are errors):
 *   {"verb":"status"}
 *   {"verb":"history","count":N}                 count 0 or absent = all kept
 *   {"verb":"set-limit","name":"ollama","memory_max":12884901888,
 *    "for_usec":3600000000}                      memory_max: bytes or "max";
 *                                                 for_usec at most 3650 days;
 *                                                 or "memory_max_percent":50
 *                                                 of host MemTotal; for_usec
 *                                                 0 or absent = until cleared
 *   {"verb":"clear","name":"ollama"}
 *   {"verb":"pause","for_usec":600000000}        for_usec optional
 *   {"verb":"resume"}
 *   {"verb":"cleanup","dry_run":true}
 *   {"verb":"reload"}
 *   {"verb":"metrics"}
 *   {"verb":"explain","name":"ollama"}           name optional: one group or rule
 *
 * Responses: {"ok":true,"result":RESULT} or {"ok":false,"error":"message"}.
 * RESULT is exactly what `sutazai-govctl --json VERB` prints:
 *   status    object (see control_status_json below)
 *   history   array of {"time":UNIX_SECONDS,"kind","target","reason",
 *             "bytes"(only when bytes were set or freed),"dry_run"}
 *   set-limit {"name","memory_max"(null = max),"expires"(Unix s or null)}
 *   clear     {"name","cleared":true}
 *   pause     {"paused":true,"expires"(Unix s or null)}
 *   resume    {"paused":false}
 *   cleanup   {"dry_run","bytes","items":[{"kind","target","bytes"}]}
 *   reload    {"reloaded":true}
 *   metrics   a string: the Prometheus text exposition
 *   explain   object (see control_explain.h)
 * Sizes are integers in bytes; null means unlimited ("max") or unknown.
 *
 * Reading verbs (status, history, metrics, explain, cleanup with dry_run) are allowed
 * to root and members of group CONTROL_GROUP; every other verb to root only. */
#pragma once

#include "jsonutil.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "policy.h"
#include "snapshot.h"
#include "tier.h"
#include "util.h"

#define CONTROL_REQUEST_MAX    (64U * 1024U) /* bytes, including the '\n' */
#define CONTROL_GROUP          "sutazai-gov"
#define CONTROL_SOCKET_DEFAULT "/run/sutazai-governor/control.sock"
/* JSON numbers are doubles, and cJSON prints an integer exactly only below
 * 2^52 (above it, its 15-digit form passes its own round-trip check): sizes
 * (4 PiB) and microseconds (142 years) stay below. */
#define CONTROL_JSON_INT_MAX JSONUTIL_INT_MAX
/* --for: ten years is "until cleared" in practice; it keeps expiry times
 * (now + for) far below CONTROL_JSON_INT_MAX. */
#define CONTROL_FOR_MAX_USEC (3650ULL * 24 * 3600 * USEC_PER_SEC)

enum control_verb {
        CONTROL_VERB_STATUS,
        CONTROL_VERB_HISTORY,
        CONTROL_VERB_SET_LIMIT,
        CONTROL_VERB_CLEAR,
        CONTROL_VERB_PAUSE,
        CONTROL_VERB_RESUME,
        CONTROL_VERB_CLEANUP,
        CONTROL_VERB_RELOAD,
        CONTROL_VERB_METRICS,
        CONTROL_VERB_EXPLAIN,
        CONTROL_VERB_COUNT,
};

struct control_request {
        enum control_verb verb;
        char name[GROUP_NAME_MAX]; /* set-limit, clear; explain ("" = every group) */
        uint64_t memory_max;       /* set-limit; BYTES_MAX = "max" */
        bool memory_max_is_percent;
        double memory_max_percent; /* 0 < p <= 100 when memory_max_is_percent */
        usec_t for_usec;           /* set-limit, pause; 0 = no expiry */
        bool dry_run;              /* cleanup */
        unsigned count;            /* history; 0 = all */
};

const char *control_verb_name(enum control_verb v);
/* 0 or -EINVAL. */
int control_verb_from_name(const char *s, enum control_verb *ret);
/* Reading verbs may be used by the group; 1 reading, 0 changing. */
bool control_request_is_reading(const struct control_request *req);

/* Parse len bytes (need not be NUL-terminated; one trailing '\n' allowed).
 * 0, or -EINVAL with a message for the client in err. -ENOMEM fatal. */
int control_request_parse(const char *buf, size_t len, struct control_request *ret, char *err,
                          size_t err_size);
/* The request as one line of JSON ending in '\n', malloc'd. 0 or -ENOMEM. */
int control_request_format(const struct control_request *req, char **ret_line);

/* Wrap a result (ownership taken, may be NULL for null) or an error into a
 * response line ending in '\n', malloc'd. NULL on -ENOMEM. */
char *control_response_ok(cJSON *result);
char *control_response_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse a response. Returns 0 with *ret_result (owned by the caller; NULL
 * when the response had no result), 1 when the daemon refused (message in
 * err), -EINVAL on a malformed response. */
int control_response_parse(const char *buf, size_t len, cJSON **ret_result, char *err,
                           size_t err_size);

/* ---- status: daemon state → JSON (pure) ---- */

/* What a hybrid cgroup host cannot do, for start-up and status alike: the v1
 * memory controller has neither memory.high nor memory.reclaim, so the
 * warning tier has no action and critical only stops sacrificial containers. */
#define CONTROL_HYBRID_UNAVAILABLE_ACTIONS {"memory.high", "reclaim", "throttle"}
#define CONTROL_HYBRID_UNAVAILABLE_REASON \
        "hybrid cgroups: the v1 memory controller has no memory.high or memory.reclaim"


struct control_disk_view {
        const char *path;
        enum tier tier;
        double used_percent; /* < 0: unknown */
        uint64_t size_bytes;
        uint64_t avail_bytes;
};

struct control_status_input {
        const char *version;
        const struct config *config; /* for rule names, priority, protect; may be NULL */
        const struct snapshot *snapshot;
        enum tier memory_tier;
        const struct control_disk_view *disks;
        size_t n_disks;
        const struct override *overrides;
        size_t n_overrides;
        bool dry_run;
        bool paused;
        usec_t paused_until_realtime_usec; /* 0 = until resumed */
        bool docker_configured;
        bool docker_connected;
        const char *docker_version;     /* the Engine's ("29.1.0"); NULL = not known yet */
        const char *docker_api_version; /* negotiated ("1.52"); NULL = none yet */
        /* actions this host cannot take ("memory.high", "reclaim", "throttle" on
         * hybrid cgroups) and why; none when n_unavailable_actions is 0 */
        const char *const *unavailable_actions;
        size_t n_unavailable_actions;
        const char *unavailable_reason;
};

/* Fields:
 *   version, dry_run, paused, paused_until (Unix s | null),
 *   tiers {memory, disk {PATH: tier}},
 *   host {memory_total, memory_available, memory_used_percent, swap_total,
 *         swap_free, psi {memory, io} | null},
 *   docker {configured, connected, version, api_version} (the last two
 *          strings, or null before the Engine first answered),
 *   disks [{path, tier, used_percent, size, available}],
 *   containers [{name, id, kind ("container"|"cgroup"), cgroup, rule,
 *                managed, running, memory_current, memory_max, memory_high,
 *                priority, protected, override, psi}] — managed groups first
 *                (priority ascending, usage descending), then unmanaged ones
 *                (rule, priority and protected null),
 *   overrides [{name, memory_max, expires}],
 *   unavailable_actions [strings], unavailable_reason (string | null)
 * where psi is {some {avg10, avg60, avg300}, full {...}} or null and sizes
 * are bytes or null (unlimited / unknown). NULL on -ENOMEM. */
cJSON *control_status_json(const struct control_status_input *in);

/* Bytes as the protocol writes them: a number, or null for unlimited. */
cJSON *control_json_bytes(uint64_t bytes);

/* One override as in "overrides": {"name","memory_max","expires"}. */
cJSON *control_override_json(const struct override *o);

/* ---- rendering for people (sutazai-govctl without --json) ---- */

struct control_render_options {
        bool colour;         /* ANSI colour for tiers and states */
        usec_t now_realtime; /* to show "in 59m" for expiries; 0 = absolute only */
};

/* Render a result for people. 0, or -EINVAL when the result does not have
 * the shape the verb promises. */
int control_render(enum control_verb verb, const cJSON *result,
                   const struct control_render_options *opts, FILE *f);
