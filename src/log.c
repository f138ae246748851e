/* log — see include/log.h */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include "util.h"

#define LOG_MESSAGE_MAX 2048 /* bytes of one formatted message */
#define LOG_FIELDS_MAX  24   /* structured fields per entry */
#define JOURNAL_SOCKET  "/run/systemd/journal/socket"

static const char *log_identifier = "sutazai-governor";
static bool log_journal;
static int log_max_priority = LOG_INFO;

/* systemd sets JOURNAL_STREAM=DEV:INODE for the stream stderr is connected to. */
static bool stderr_is_journal(void)
{
        const char *e = getenv("JOURNAL_STREAM");
        unsigned long long dev, ino;
        struct stat st;

        if (!e || sscanf(e, "%llu:%llu", &dev, &ino) != 2)
                return false;
        if (fstat(STDERR_FILENO, &st) < 0)
                return false;
        return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *identifier, enum log_target target)
{
        if (identifier)
                log_identifier = identifier;
        switch (target) {
        case LOG_TARGET_JOURNAL:
                log_journal = true;
                break;
        case LOG_TARGET_CONSOLE:
                log_journal = false;
                break;
        case LOG_TARGET_AUTO:
                log_journal = stderr_is_journal();
                break;
        }
}

void log_set_max_priority(int priority)
{
        log_max_priority = priority;
}

static const char *priority_name(int priority)
{
        static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                            "warning", "notice", "info", "debug"};
        return names[priority & 7];
}

static void log_emit(int priority, const char *message_id, const char *const *fields,
                     const char *message)
{
        if (log_journal) {
                char prio[16], ident[128], msgid[64];
                _cleanup_free_ char *msg = NULL;
                struct iovec iov[LOG_FIELDS_MAX + 4];
                size_t n = 0;

                if (asprintf(&msg, "MESSAGE=%s", message) < 0)
                        return;
                snprintf(prio, sizeof prio, "PRIORITY=%d", priority);
                snprintf(ident, sizeof ident, "SYSLOG_IDENTIFIER=%s", log_identifier);
                iov[n++] = (struct iovec){msg, strlen(msg)};
                iov[n++] = (struct iovec){prio, strlen(prio)};
                iov[n++] = (struct iovec){ident, strlen(ident)};
                if (message_id) {
                        snprintf(msgid, sizeof msgid, "MESSAGE_ID=%s", message_id);
                        iov[n++] = (struct iovec){msgid, strlen(msgid)};
                }
                for (size_t i = 0; fields && fields[i] && i < LOG_FIELDS_MAX; i++)
                        iov[n++] = (struct iovec){(void *)fields[i], strlen(fields[i])};
                /* sd_journal_sendv() drops entries silently (returns 0) when
                 * journald is not there: look for its socket first */
                if (access(JOURNAL_SOCKET, F_OK) == 0 && sd_journal_sendv(iov, (int)n) >= 0)
                        return;
                /* journald gone: fall through to stderr so nothing is lost */
        }

        fprintf(stderr, "%s: %s", priority_name(priority), message);
        for (size_t i = 0; fields && fields[i]; i++)
                fprintf(stderr, " %s", fields[i]);
        fputc('\n', stderr);
}

__attribute__((format(printf, 4, 0))) static void log_emitv(int priority, const char *message_id,
                                                            const char *const *fields,
                                                            const char *fmt, va_list ap)
{
        char buf[LOG_MESSAGE_MAX];

        if (priority > log_max_priority)
                return;
        vsnprintf(buf, sizeof buf, fmt, ap);
        log_emit(priority, message_id, fields, buf);
}

void log_msg(int priority, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_emitv(priority, NULL, NULL, fmt, ap);
        va_end(ap);
}

void log_event(int priority, const char *message_id, const char *const *fields, const char *fmt,
               ...)
{
        va_list ap;

        va_start(ap, fmt);
        log_emitv(priority, message_id, fields, fmt, ap);
        va_end(ap);
}
