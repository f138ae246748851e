/* Unit tests for log: a journal that takes nothing (a bound datagram socket
 * nobody reads, as a SIGSTOPped journald) and a console whose pipe is full
 * must never block the caller; queued entries go out in order once there is
 * room; drops are counted and reported once; the native protocol carries the
 * structured fields (binary-safe for values with newlines); console lines
 * hold the message only. A blocking send would hang here: alarm() turns that
 * into a failure. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "test.h"

#define ENTRIES 5000

static int journal_server(const char *path)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

        snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
        if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
                perror("journal server");
                exit(1);
        }
        return fd;
}

/* The value of KEY in one native-protocol datagram, NUL-terminated in out. */
static bool entry_field(const char *d, size_t len, const char *key, char *out, size_t size)
{
        size_t klen = strlen(key), pos = 0;

        while (pos < len) {
                const char *nl = memchr(d + pos, '\n', len - pos);
                const char *eq = memchr(d + pos, '=', len - pos);
                if (!nl)
                        return false;
                if (eq && eq < nl) {
                        bool match = (size_t)(eq - d - pos) == klen && memcmp(d + pos, key, klen) == 0;
                        if (match) {
                                snprintf(out, size, "%.*s", (int)(nl - eq - 1), eq + 1);
                                return true;
                        }
                        pos = (size_t)(nl - d) + 1;
                } else {
                        /* KEY\n<le64 size><value>\n */
                        size_t name_len = (size_t)(nl - d - pos);
                        uint64_t vlen = 0;
                        const unsigned char *p = (const unsigned char *)nl + 1;
                        for (int i = 7; i >= 0; i--)
                                vlen = (vlen << 8) | p[i];
                        if (name_len == klen && memcmp(d + pos, key, klen) == 0) {
                                snprintf(out, size, "%.*s", (int)vlen, (const char *)p + 8);
                                return true;
                        }
                        pos = (size_t)(nl - d) + 1 + 8 + vlen + 1;
                }
        }
        return false;
}

static int drain(int fd, long *next_seq, uint64_t *reported)
{
        static char buf[LOG_ENTRY_MAX + 1];
        char val[256];
        int n = 0;
        ssize_t len;

        while ((len = recv(fd, buf, sizeof buf, MSG_DONTWAIT)) > 0) {
                n++;
                if (entry_field(buf, (size_t)len, "GOVERNOR_LOG_DROPPED", val, sizeof val)) {
                        *reported += strtoull(val, NULL, 10);
                        continue;
                }
                if (entry_field(buf, (size_t)len, "GOVERNOR_SEQ", val, sizeof val)) {
                        long seq = strtol(val, NULL, 10);
                        CHECK(seq >= *next_seq); /* in order; gaps are the dropped ones */
                        *next_seq = seq + 1;
                }
        }
        return n;
}

static void test_journal_stopped(void)
{
        char dir[] = "/tmp/test-log.XXXXXX", path[64], f_seq[64], val[256];
        const char *fields[] = {f_seq, "GOVERNOR_ACTION=kill", "GOVERNOR_NOTE=two\nlines", NULL};
        static char buf[LOG_ENTRY_MAX + 1];
        long next_seq = 0;
        uint64_t reported = 0, dropped;
        sd_event *e = NULL;
        ssize_t len;
        int srv, got;

        CHECK(mkdtemp(dir) != NULL);
        snprintf(path, sizeof path, "%s/socket", dir);
        srv = journal_server(path);
        log_set_journal_socket(path);
        log_init("test-log", LOG_TARGET_JOURNAL);

        /* Nobody reads: every call must return at once. */
        for (int i = 0; i < ENTRIES; i++) {
                snprintf(f_seq, sizeof f_seq, "GOVERNOR_SEQ=%d", i);
                log_event(LOG_NOTICE, MSGID_ACTION, fields, "action %d", i);
        }
        dropped = log_dropped_total();
        CHECK(log_queued() > 0);
        CHECK(log_queued() <= LOG_QUEUE_ENTRIES_MAX);
        CHECK(dropped > 0);
        fprintf(stderr, "journal stopped: %d entries, %zu queued, %llu dropped\n", ENTRIES,
                log_queued(), (unsigned long long)dropped);

        /* The first datagram: the structured fields, exactly. */
        len = recv(srv, buf, sizeof buf, 0);
        CHECK(len > 0);
        CHECK(entry_field(buf, (size_t)len, "MESSAGE", val, sizeof val));
        CHECK_STREQ(val, "action 0");
        CHECK(entry_field(buf, (size_t)len, "PRIORITY", val, sizeof val));
        CHECK_STREQ(val, "5");
        CHECK(entry_field(buf, (size_t)len, "SYSLOG_IDENTIFIER", val, sizeof val));
        CHECK_STREQ(val, "test-log");
        CHECK(entry_field(buf, (size_t)len, "MESSAGE_ID", val, sizeof val));
        CHECK_STREQ(val, MSGID_ACTION);
        CHECK(entry_field(buf, (size_t)len, "GOVERNOR_ACTION", val, sizeof val));
        CHECK_STREQ(val, "kill");
        CHECK(entry_field(buf, (size_t)len, "GOVERNOR_NOTE", val, sizeof val));
        CHECK_STREQ(val, "two\nlines");
        next_seq = 1;

        /* "journald" resumes: the loop flushes the queue as room appears. */
        CHECK(sd_event_new(&e) >= 0);
        CHECK(log_attach_event(e) >= 0);
        got = 1;
        for (int i = 0; i < 100000 && (log_queued() > 0 || reported == 0); i++) {
                got += drain(srv, &next_seq, &reported);
                (void)sd_event_run(e, 10 * 1000);
        }
        got += drain(srv, &next_seq, &reported);
        CHECK_EQ_INT(log_queued(), 0);
        CHECK_EQ_U64(reported, dropped);
        CHECK_EQ_INT(got, ENTRIES - (int)dropped + 1); /* + the one drop report */

        /* Back to normal: an entry goes straight out. */
        log_msg(LOG_INFO, "after");
        CHECK_EQ_INT(log_queued(), 0);
        len = recv(srv, buf, sizeof buf, MSG_DONTWAIT);
        CHECK(len > 0 && entry_field(buf, (size_t)len, "MESSAGE", val, sizeof val));
        CHECK_STREQ(val, "after");

        /* journald gone: entries fall back to the console, nothing blocks. */
        close(srv);
        unlink(path);
        rmdir(dir);
        log_msg(LOG_INFO, "journal gone");
        log_shutdown();
        log_attach_event(NULL);
        sd_event_unref(e);
        log_set_journal_socket(NULL);
}

static void test_console_full(void)
{
        int p[2], saved = dup(STDERR_FILENO), fl;
        const char *fields[] = {"GOVERNOR_ACTION=kill", "GOVERNOR_CGROUP=x", NULL};
        static char buf[1 << 20];
        ssize_t n, total = 0;
        uint64_t dropped0 = log_dropped_total();

        CHECK(pipe2(p, O_CLOEXEC) == 0);
        /* Fill the pipe through a non-blocking write end of our own... */
        fl = fcntl(p[1], F_GETFL);
        fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
        while (write(p[1], "x", 1) == 1)
                ;
        /* ...then hand log a blocking one: it must not rely on O_NONBLOCK. */
        fcntl(p[1], F_SETFL, fl);
        dup2(p[1], STDERR_FILENO);
        log_init("test-log", LOG_TARGET_CONSOLE);
        log_set_console_fields(false);

        for (int i = 0; i < (int)LOG_QUEUE_ENTRIES_MAX + 100; i++)
                log_event(LOG_WARNING, MSGID_ACTION, fields, "line %d", i);
        CHECK_EQ_INT(log_queued(), LOG_QUEUE_ENTRIES_MAX);
        CHECK_EQ_U64(log_dropped_total() - dropped0, 100);

        /* Drain the pipe; the next entry flushes the queue first, in order. */
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        for (int round = 0; round < 10000 && (log_queued() > 0 || round < 2); round++) {
                while ((n = read(p[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0)
                        total += n;
                log_event(LOG_WARNING, MSGID_ACTION, fields, "tail %d", round);
                if (log_queued() == 0 && round >= 2)
                        break;
        }
        while ((n = read(p[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0)
                total += n;
        buf[total] = '\0';
        dup2(saved, STDERR_FILENO);
        close(saved);
        close(p[0]);
        close(p[1]);

        {
                const char *first = strstr(buf, "warning: line 0\n");
                const char *last = strstr(buf, "warning: line 2047\n");
                const char *report = strstr(buf, "warning: 100 log entries dropped");
                CHECK(first != NULL);
                CHECK(last != NULL && first && last > first);
                CHECK(report != NULL && last && report > last);
                CHECK(strstr(buf, "warning: line 2048\n") == NULL);
                /* human-length: the structured fields stay in the journal */
                CHECK(strstr(buf, "GOVERNOR_") == NULL);
        }
        CHECK_EQ_INT(log_queued(), 0);

        /* ... unless asked for (tests that grep them). */
        CHECK(pipe2(p, O_CLOEXEC) == 0);
        saved = dup(STDERR_FILENO);
        dup2(p[1], STDERR_FILENO);
        log_set_console_fields(true);
        log_event(LOG_WARNING, MSGID_ACTION, fields, "with fields");
        log_set_console_fields(false);
        dup2(saved, STDERR_FILENO);
        close(saved);
        n = read(p[0], buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        CHECK_STREQ(buf, "warning: with fields GOVERNOR_ACTION=kill GOVERNOR_CGROUP=x\n");
        close(p[0]);
        close(p[1]);
}

int main(void)
{
        alarm(60); /* a blocked log call would hang: fail instead */
        test_journal_stopped();
        test_console_full();
        return TEST_RESULT();
}
