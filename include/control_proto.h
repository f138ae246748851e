/* control_proto — the control socket's wire format, pure (cJSON, no I/O):
 * verbs, requests parsed and validated from a buffer and formatted back,
 * and the response envelope. The results' JSON is built by control_status
 * (status) and the server's verbs (include/control_verbs.h); sutazai-govctl
 * shows it to people with control_render.
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
 *   status    object (control_status.h)
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

#include <cjson/cJSON.h>

#include "snapshot.h" /* GROUP_NAME_MAX */
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
