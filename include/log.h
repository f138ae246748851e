/* log — every message the governor writes, to journald or to the console.
 *
 * When stderr is connected to the journal (JOURNAL_STREAM names it, as under
 * systemd) or log_init() is told to, entries go to journald with structured
 * fields: MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, MESSAGE_ID (one per kind of
 * event, documented in the catalog file units/sutazai-governor.catalog) and
 * GOVERNOR_* fields. Otherwise one readable line per entry goes to stderr:
 * "LEVEL: message" — the message only; the structured fields stay out of the
 * console unless log_set_console_fields() asks for them (tests that grep).
 *
 * Never blocks (issue 13): a stopped journald (SIGSTOP, or stalled under the
 * very memory pressure the governor acts on) must not stall the event loop.
 * Journal entries go over our own non-blocking AF_UNIX datagram socket in
 * journald's native protocol (not sd_journal_sendv(), which waits for room);
 * console lines are written only when stderr has room (send(MSG_DONTWAIT)
 * on a socket such as the journal stream, poll() with no wait otherwise: the
 * fd's O_NONBLOCK flag is shared with whoever else holds it, so we leave it
 * alone). An entry that cannot go out at once waits in a bounded queue per
 * destination (LOG_QUEUE_ENTRIES_MAX / LOG_QUEUE_BYTES_MAX), flushed in order
 * when the destination becomes writable (an sd-event io source, once
 * log_attach_event() gave us the loop) or before the next entry. While the
 * queue is full, new entries are dropped and counted; once it has drained,
 * one warning entry says how many were lost (field GOVERNOR_LOG_DROPPED).
 * Without a journal socket (journald absent or gone), entries fall back to
 * the console.
 *
 * Entries are capped at LOG_ENTRY_MAX bytes (fields that do not fit are left
 * out; MESSAGE always fits). A failure to log never fails the caller. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>
#include <systemd/sd-event.h>

/* MESSAGE_IDs: one per kind of event. Keep in sync with the catalog. */
#define MSGID_STARTED         "80124a2fa0084fdead76cbd2eed75ffa"
#define MSGID_STOPPING        "f0f436e6e6cb49c3afa2a62f59c216c4"
#define MSGID_RELOADED        "dfb5af60b98441fb9e672fa18cb7c7bc"
#define MSGID_RELOAD_FAILED   "030576bcf08b4d38a5189b9ce2863dda"
#define MSGID_TIER            "df75a40f1e274ae38d50d677b0ef8d36"
#define MSGID_ACTION          "d7819778391a4d209ff72c53fa038461"
#define MSGID_ACTION_FAILED   "29b50bb8c5444aeaaa35e5076d224cd2"
#define MSGID_OOM             "6461548ee35042fba1cfaf034e12a0c7"
#define MSGID_DOCKER          "bdbe06f7c51149fdbd7351c620e8e31c"
#define MSGID_OVERRIDE        "bcc2150c0ce54e47820d86fb61dfd623"
#define MSGID_CLEANUP         "08d207da003841e18f961d44d4b8e79d"
#define MSGID_CANDIDATES      "42ed4f0dbef147aeb95d83d583048d9e"
#define MSGID_TRIGGER         "10204e331a8a411a9013966b721084c6"
#define MSGID_STATE           "07285508fc9e4772b8b1033256987eef"

#define LOG_ENTRY_MAX         (16U * 1024U) /* bytes of one journal entry, all fields */
#define LOG_QUEUE_ENTRIES_MAX 2048U         /* entries waiting per destination */
#define LOG_QUEUE_BYTES_MAX   (1U << 20)    /* bytes waiting per destination */

enum log_target {
        LOG_TARGET_AUTO,    /* journal if stderr is the journal stream, else console */
        LOG_TARGET_JOURNAL, /* always journald */
        LOG_TARGET_CONSOLE, /* always stderr */
};

void log_init(const char *identifier, enum log_target target);
/* Messages above this priority (LOG_DEBUG > LOG_INFO) are dropped. */
void log_set_max_priority(int priority);
/* Console lines also carry the structured fields as " KEY=value" (off by
 * default: SUTAZAI_GOVERNOR_LOG_FIELDS=1, for tests that grep them). */
void log_set_console_fields(bool on);
/* Test hook: the journal socket to use instead of /run/systemd/journal/socket
 * (NULL: the default). Takes effect at the next entry. */
void log_set_journal_socket(const char *path);

/* Flush queued entries from the loop when their destination becomes
 * writable (idle priority: governing comes first). NULL detaches. */
int log_attach_event(sd_event *event);
/* At exit: one last non-blocking attempt to send what is queued; what is
 * left is dropped and said on stderr. Detaches from the loop. */
void log_shutdown(void);

/* Counters for metrics and tests: entries dropped in total, entries waiting. */
uint64_t log_dropped_total(void);
size_t log_queued(void);

/* A plain message. */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A structured event: message_id may be NULL; fields is a NULL-terminated
 * array of "KEY=value" strings (GOVERNOR_ACTION=kill, ...), may be NULL. */
void log_event(int priority, const char *message_id, const char *const *fields, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));

#define log_error(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)
