/* log — every message the governor writes, to journald or to the console.
 *
 * When stderr is connected to the journal (JOURNAL_STREAM names it, as under
 * systemd) or log_init() is told to, entries go to journald with structured
 * fields through sd_journal_sendv(): MESSAGE, PRIORITY, MESSAGE_ID (one per
 * kind of event, documented in the catalog file
 * units/sutazai-governor.catalog) and GOVERNOR_* fields. Otherwise one
 * readable line per entry goes to stderr: "LEVEL: message".
 *
 * Nothing here allocates on the hot path beyond a stack buffer; a failure to
 * log never fails the caller. */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <syslog.h>

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

enum log_target {
        LOG_TARGET_AUTO,    /* journal if stderr is the journal stream, else console */
        LOG_TARGET_JOURNAL, /* always journald */
        LOG_TARGET_CONSOLE, /* always stderr */
};

void log_init(const char *identifier, enum log_target target);
/* Messages above this priority (LOG_DEBUG > LOG_INFO) are dropped. */
void log_set_max_priority(int priority);

/* A plain message. */
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A structured event: message_id may be NULL; fields is a NULL-terminated
 * array of "KEY=value" strings (GOVERNOR_ACTION=kill, ...), may be NULL. On
 * the console, fields are appended as " KEY=value". */
void log_event(int priority, const char *message_id, const char *const *fields, const char *fmt,
               ...) __attribute__((format(printf, 4, 5)));

#define log_error(...)  log_msg(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...)   log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)  log_msg(LOG_DEBUG, __VA_ARGS__)
