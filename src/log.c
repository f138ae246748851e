/* log — see include/log.h */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define LOG_MESSAGE_MAX        2048     /* bytes of one formatted message */
#define LOG_CONSOLE_LINE_MAX   PIPE_BUF /* one write(2) to a pipe stays atomic */
#define LOG_RECONNECT_USEC     (1000ULL * 1000ULL) /* between attempts to reach journald */
#define JOURNAL_SOCKET_DEFAULT "/run/systemd/journal/socket"

struct log_entry {
        struct log_entry *next;
        size_t len;
        char data[];
};

/* One destination: journald's datagram socket or stderr. */
struct log_sink {
        const char *what; /* for the drop report */
        int fd;
        bool use_send;      /* a socket: send(MSG_DONTWAIT), no shared flag touched */
        bool epoll_refused; /* a regular file: always writable, never polled */
        struct log_entry *head, *tail;
        size_t n, bytes;
        size_t head_pos;          /* bytes of head already written (console lines) */
        uint64_t dropped_pending; /* not yet reported */
        sd_event_source *io;
};

static const char *log_identifier = "sutazai-governor";
static bool log_journal;
static bool log_console_fields;
static int log_max_priority = LOG_INFO;
static char log_journal_path[sizeof(((struct sockaddr_un *)0)->sun_path)] = JOURNAL_SOCKET_DEFAULT;
static uint64_t log_last_connect_usec;
static bool log_connect_tried;
static uint64_t log_dropped;
static sd_event *log_event_loop;
static bool log_console_probed;

static struct log_sink journal_sink = {.what = "journal", .fd = -1, .use_send = true};
static struct log_sink console_sink = {.what = "console", .fd = STDERR_FILENO};

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

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

/* A socket on stderr (the journal stream under systemd) is written with
 * send(MSG_DONTWAIT); anything else only after poll() says it has room. */
static void console_probe(void)
{
        struct stat st;

        if (log_console_probed)
                return;
        log_console_probed = true;
        console_sink.use_send = fstat(STDERR_FILENO, &st) == 0 && S_ISSOCK(st.st_mode);
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
        log_console_probed = false;
        console_probe();
}

void log_set_max_priority(int priority)
{
        log_max_priority = priority;
}

void log_set_console_fields(bool on)
{
        log_console_fields = on;
}

static void journal_close(void)
{
        journal_sink.io = sd_event_source_disable_unref(journal_sink.io);
        if (journal_sink.fd >= 0)
                close(journal_sink.fd);
        journal_sink.fd = -1;
}

void log_set_journal_socket(const char *path)
{
        util_strlcpy(log_journal_path, path ? path : JOURNAL_SOCKET_DEFAULT,
                     sizeof log_journal_path);
        journal_close();
        log_connect_tried = false;
}

uint64_t log_dropped_total(void)
{
        return log_dropped;
}

size_t log_queued(void)
{
        return journal_sink.n + console_sink.n;
}

static const char *priority_name(int priority)
{
        static const char *const names[] = {"emerg",   "alert",  "crit", "error",
                                            "warning", "notice", "info", "debug"};
        return names[priority & 7];
}

/* ---- sinks -------------------------------------------------------------- */

/* Bytes written (0: no room now) or -errno (the destination is gone). */
static ssize_t sink_write(struct log_sink *s, const char *data, size_t len)
{
        for (;;) {
                ssize_t n;

                if (s->use_send)
                        n = send(s->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
                else {
                        struct pollfd p = {.fd = s->fd, .events = POLLOUT};

                        if (poll(&p, 1, 0) < 0) {
                                if (errno == EINTR)
                                        continue;
                                return -errno;
                        }
                        if (p.revents & POLLNVAL)
                                return -EBADF;
                        if (!(p.revents & (POLLOUT | POLLERR | POLLHUP)))
                                return 0;
                        /* A pipe with room takes a write of <= PIPE_BUF whole. */
                        n = write(s->fd, data, len);
                }
                if (n >= 0)
                        return n;
                if (errno == EINTR)
                        continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
                        return 0;
                if (errno == EMSGSIZE)
                        return (ssize_t)len; /* can never go: consumed, not retried */
                return -errno;
        }
}

static int on_sink_writable(sd_event_source *source, int fd, uint32_t revents, void *userdata);

static void sink_watch(struct log_sink *s, bool on)
{
        int r;

        if (!on) {
                if (s->io)
                        (void)sd_event_source_set_enabled(s->io, SD_EVENT_OFF);
                return;
        }
        if (!log_event_loop || s->epoll_refused || s->fd < 0)
                return;
        if (!s->io) {
                r = sd_event_add_io(log_event_loop, &s->io, s->fd, EPOLLOUT, on_sink_writable, s);
                if (r < 0) {
                        /* -EPERM: a regular file, which is always writable */
                        s->epoll_refused = true;
                        return;
                }
                (void)sd_event_source_set_priority(s->io, SD_EVENT_PRIORITY_IDLE);
        }
        (void)sd_event_source_set_enabled(s->io, SD_EVENT_ON);
}

static void sink_drop_all(struct log_sink *s)
{
        while (s->head) {
                struct log_entry *e = s->head;
                s->head = e->next;
                free(e);
                s->dropped_pending++;
                log_dropped++;
        }
        s->tail = NULL;
        s->n = s->bytes = s->head_pos = 0;
        sink_watch(s, false);
}

static void sink_enqueue(struct log_sink *s, const char *data, size_t len)
{
        struct log_entry *e;

        if (s->n >= LOG_QUEUE_ENTRIES_MAX || s->bytes + len > LOG_QUEUE_BYTES_MAX ||
            !(e = malloc(sizeof *e + len))) {
                s->dropped_pending++;
                log_dropped++;
                return;
        }
        e->next = NULL;
        e->len = len;
        memcpy(e->data, data, len);
        if (s->tail)
                s->tail->next = e;
        else
                s->head = e;
        s->tail = e;
        s->n++;
        s->bytes += len;
        sink_watch(s, true);
}

/* Send what is queued, in order. 0 all sent, 1 some still waiting, -errno
 * the destination is gone (the queue is kept for the caller to decide). */
static int sink_flush(struct log_sink *s)
{
        while (s->head) {
                struct log_entry *e = s->head;
                ssize_t n = sink_write(s, e->data + s->head_pos, e->len - s->head_pos);

                if (n < 0)
                        return (int)n;
                if (n == 0) {
                        sink_watch(s, true);
                        return 1;
                }
                s->head_pos += (size_t)n;
                if (s->head_pos < e->len)
                        continue;
                s->head = e->next;
                if (!s->head)
                        s->tail = NULL;
                s->n--;
                s->bytes -= e->len;
                s->head_pos = 0;
                free(e);
        }
        sink_watch(s, false);
        return 0;
}

/* Write now, or queue behind what waits. -errno: the destination is gone. */
static int sink_send(struct log_sink *s, const char *data, size_t len)
{
        ssize_t n;
        int r;

        r = sink_flush(s);
        if (r < 0)
                return r;
        if (r > 0) {
                sink_enqueue(s, data, len);
                return 0;
        }
        n = sink_write(s, data, len);
        if (n < 0)
                return (int)n;
        if ((size_t)n < len)
                sink_enqueue(s, data + n, len - (size_t)n);
        return 0;
}

/* ---- formats ------------------------------------------------------------ */

static size_t console_format(char *buf, size_t size, int priority, const char *const *fields,
                             const char *message)
{
        size_t len;
        int n = snprintf(buf, size, "%s: %s", priority_name(priority), message);

        len = n < 0 ? 0 : (size_t)n >= size ? size - 1 : (size_t)n;
        for (size_t i = 0; log_console_fields && fields && fields[i]; i++) {
                n = snprintf(buf + len, size - len, " %s", fields[i]);
                len = n < 0 ? len : (size_t)n >= size - len ? size - 1 : len + (size_t)n;
        }
        if (len >= size - 1)
                len = size - 2; /* room for the newline */
        buf[len++] = '\n';
        return len;
}

/* Append KEY=value (field, with its '=') in journald's native format: a
 * value holding a newline goes as KEY\n<le64 size><value>\n. A field that
 * does not fit is left out. */
static size_t journal_append(char *buf, size_t size, size_t pos, const char *key, size_t key_len,
                             const char *value)
{
        size_t vlen = strlen(value);

        if (!memchr(value, '\n', vlen)) {
                if (pos + key_len + 1 + vlen + 1 > size)
                        return pos;
                memcpy(buf + pos, key, key_len);
                buf[pos + key_len] = '=';
                memcpy(buf + pos + key_len + 1, value, vlen);
                buf[pos + key_len + 1 + vlen] = '\n';
                return pos + key_len + 1 + vlen + 1;
        }
        if (pos + key_len + 1 + 8 + vlen + 1 > size)
                return pos;
        memcpy(buf + pos, key, key_len);
        pos += key_len;
        buf[pos++] = '\n';
        for (int i = 0; i < 8; i++)
                buf[pos++] = (char)(((uint64_t)vlen >> (8 * i)) & 0xff);
        memcpy(buf + pos, value, vlen);
        pos += vlen;
        buf[pos++] = '\n';
        return pos;
}

static size_t journal_append_field(char *buf, size_t size, size_t pos, const char *field)
{
        const char *eq = strchr(field, '=');

        if (!eq || eq == field)
                return pos;
        return journal_append(buf, size, pos, field, (size_t)(eq - field), eq + 1);
}

static size_t journal_format(char *buf, size_t size, int priority, const char *message_id,
                             const char *const *fields, const char *message)
{
        char prio[2] = {(char)('0' + (priority & 7)), '\0'};
        size_t pos = 0;

        pos = journal_append(buf, size, pos, "MESSAGE", 7, message);
        pos = journal_append(buf, size, pos, "PRIORITY", 8, prio);
        pos = journal_append(buf, size, pos, "SYSLOG_IDENTIFIER", 17, log_identifier);
        if (message_id)
                pos = journal_append(buf, size, pos, "MESSAGE_ID", 10, message_id);
        for (size_t i = 0; fields && fields[i]; i++)
                pos = journal_append_field(buf, size, pos, fields[i]);
        return pos;
}

/* ---- journal connection ------------------------------------------------- */

static bool journal_connect(void)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        uint64_t now = now_usec();
        int fd;

        if (journal_sink.fd >= 0)
                return true;
        if (log_connect_tried && now - log_last_connect_usec < LOG_RECONNECT_USEC)
                return false;
        log_connect_tried = true;
        log_last_connect_usec = now;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return false;
        if (fd <= STDERR_FILENO) {
                /* Started with stdio closed: never let stderr lines reach journald raw. */
                int moved = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
                close(fd);
                if (moved < 0)
                        return false;
                fd = moved;
        }
        util_strlcpy(sa.sun_path, log_journal_path, sizeof sa.sun_path);
        if (connect(fd, (const struct sockaddr *)&sa, sizeof sa) < 0) {
                close(fd);
                return false;
        }
        journal_sink.fd = fd;
        journal_sink.epoll_refused = false;
        return true;
}

static void console_line(int priority, const char *const *fields, const char *message);

/* journald went away with entries queued: they are lost; say so on the console. */
static void journal_lost(void)
{
        uint64_t lost;
        char msg[128];

        journal_close();
        sink_drop_all(&journal_sink);
        lost = journal_sink.dropped_pending;
        journal_sink.dropped_pending = 0;
        if (lost > 0) {
                snprintf(msg, sizeof msg, "%llu journal entries lost: journald went away",
                         (unsigned long long)lost);
                console_line(LOG_WARNING, NULL, msg);
        }
}

/* Send a journal entry. false: no journal to send it to. */
static bool journal_send(const char *entry, size_t len)
{
        for (int attempt = 0; attempt < 2; attempt++) {
                if (!journal_connect())
                        return false;
                if (sink_send(&journal_sink, entry, len) == 0)
                        return true;
                /* ECONNREFUSED: journald restarted, our peer is gone; reconnect once. */
                journal_lost();
                log_connect_tried = false;
        }
        return false;
}

/* ---- drop reports ------------------------------------------------------- */

static void report_dropped(struct log_sink *s)
{
        char msg[160], field[64];
        const char *fields[] = {field, NULL};
        uint64_t n = s->dropped_pending;

        if (n == 0 || s->head)
                return;
        s->dropped_pending = 0;
        snprintf(msg, sizeof msg, "%llu log entries dropped: the %s was not accepting them",
                 (unsigned long long)n, s->what);
        snprintf(field, sizeof field, "GOVERNOR_LOG_DROPPED=%llu", (unsigned long long)n);
        if (s == &journal_sink) {
                char entry[512];
                size_t len = journal_format(entry, sizeof entry, LOG_WARNING, NULL, fields, msg);
                if (!journal_send(entry, len))
                        console_line(LOG_WARNING, fields, msg);
        } else
                console_line(LOG_WARNING, fields, msg);
}

static void console_line(int priority, const char *const *fields, const char *message)
{
        char line[LOG_CONSOLE_LINE_MAX];
        size_t len;

        console_probe();
        len = console_format(line, sizeof line, priority, fields, message);
        if (sink_send(&console_sink, line, len) < 0)
                sink_drop_all(&console_sink); /* stderr is gone: nobody to tell */
        report_dropped(&console_sink);
}

static int on_sink_writable(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
        struct log_sink *s = userdata;

        (void)source;
        (void)fd;
        (void)revents;
        if (sink_flush(s) < 0) {
                if (s == &journal_sink)
                        journal_lost();
                else
                        sink_drop_all(s);
        }
        report_dropped(s);
        return 0;
}

int log_attach_event(sd_event *event)
{
        journal_sink.io = sd_event_source_disable_unref(journal_sink.io);
        console_sink.io = sd_event_source_disable_unref(console_sink.io);
        log_event_loop = sd_event_unref(log_event_loop);
        if (!event)
                return 0;
        log_event_loop = sd_event_ref(event);
        if (journal_sink.head)
                sink_watch(&journal_sink, true);
        if (console_sink.head)
                sink_watch(&console_sink, true);
        return 0;
}

void log_shutdown(void)
{
        (void)log_attach_event(NULL);
        if (journal_sink.head && journal_sink.fd >= 0 && sink_flush(&journal_sink) < 0)
                journal_lost();
        if (journal_sink.head) {
                uint64_t left = journal_sink.n;
                char msg[128];

                sink_drop_all(&journal_sink);
                journal_sink.dropped_pending = 0;
                snprintf(msg, sizeof msg, "%llu journal entries not sent at exit",
                         (unsigned long long)left);
                console_line(LOG_WARNING, NULL, msg);
        }
        if (console_sink.head && sink_flush(&console_sink) != 0)
                sink_drop_all(&console_sink);
        journal_close();
}

/* ---- entry points ------------------------------------------------------- */

static void log_emit(int priority, const char *message_id, const char *const *fields,
                     const char *message)
{
        if (log_journal) {
                char entry[LOG_ENTRY_MAX];
                size_t len = journal_format(entry, sizeof entry, priority, message_id, fields,
                                            message);

                if (journal_send(entry, len)) {
                        report_dropped(&journal_sink);
                        return;
                }
                /* no journald: the console, so nothing is lost */
        }
        console_line(priority, fields, message);
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
