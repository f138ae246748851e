/* test-spawner — the journalctl runner on a real sd-event loop: exit status
 * and output captured, an empty environment, stdin from /dev/null, no fd
 * leaked, output bounded, a program over its time limit killed, and a path
 * that cannot run refused up front. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "spawner.h"
#include "test.h"

struct outcome {
        bool called;
        int result;
        int status;
        char output[4096];
        size_t len;
};

static void on_done(struct spawner *s, int result, int status, const char *output, size_t len,
                    void *userdata)
{
        struct outcome *o = userdata;

        o->called = true;
        o->result = result;
        o->status = status;
        o->len = len;
        snprintf(o->output, sizeof(o->output), "%s", output);
}

/* Run the loop until done() was called (or 10 s: a broken test, not a timing check). */
static int run(const char *script, usec_t timeout, size_t output_max, struct outcome *o)
{
        sd_event *e = NULL;
        struct spawner *s = NULL;
        char *const argv[] = {"sh", "-c", (char *)script, NULL};
        usec_t give_up = util_now_usec() + 10 * USEC_PER_SEC;
        int r;

        *o = (struct outcome){0};
        r = sd_event_new(&e);
        if (r < 0)
                return r;
        r = spawner_run(e, "/bin/sh", argv, timeout, output_max, on_done, o, &s);
        if (r < 0) {
                sd_event_unref(e);
                return r;
        }
        CHECK(o->called == false); /* never from within spawner_run() */
        while (!o->called && util_now_usec() < give_up)
                (void)sd_event_run(e, 100 * USEC_PER_MSEC);
        spawner_free(s);
        sd_event_unref(e);
        return 0;
}

int main(void)
{
        struct outcome o;
        int devnull;

        /* fds the child must not inherit: one without O_CLOEXEC on purpose */
        devnull = open("/dev/null", O_RDONLY);
        CHECK(devnull > 2);
        setenv("SPAWNER_TEST_SECRET", "leak", 1);

        CHECK_EQ_INT(run("echo out; echo err >&2; exit 3", 5 * USEC_PER_SEC, 1024, &o), 0);
        CHECK(o.called);
        CHECK_EQ_INT(o.result, 0);
        CHECK_EQ_INT(o.status, 3);
        CHECK_STREQ(o.output, "out\nerr\n");

        /* empty environment (sh may set PWD itself: nothing from ours) */
        CHECK_EQ_INT(run("env", 5 * USEC_PER_SEC, 1024, &o), 0);
        CHECK(o.called && o.status == 0);
        CHECK(strstr(o.output, "SPAWNER_TEST_SECRET") == NULL);
        CHECK(strstr(o.output, "HOME=") == NULL);

        /* stdin is /dev/null: read returns EOF at once */
        CHECK_EQ_INT(run("cat; echo eof", 5 * USEC_PER_SEC, 1024, &o), 0);
        CHECK_STREQ(o.output, "eof\n");

        /* only 0, 1, 2 are open in the child */
        CHECK_EQ_INT(run("ls /proc/self/fd | wc -l", 5 * USEC_PER_SEC, 1024, &o), 0);
        /* 0, 1, 2 and the fd ls itself opens on /proc/self/fd */
        CHECK_STREQ(o.output, "4\n");

        /* output bounded, the rest drained (the child is not blocked on a full pipe) */
        CHECK_EQ_INT(run("i=0; while [ $i -lt 2000 ]; do echo 0123456789; i=$((i+1)); done; exit 7",
                         5 * USEC_PER_SEC, 100, &o),
                     0);
        CHECK_EQ_INT(o.status, 7);
        CHECK_EQ_INT(o.len, 100);
        CHECK_EQ_INT(strlen(o.output), 100);

        /* over the time limit: killed */
        CHECK_EQ_INT(run("echo started; exec sleep 30", 300 * USEC_PER_MSEC, 1024, &o), 0);
        CHECK(o.called);
        CHECK_EQ_INT(o.result, -ETIMEDOUT);
        CHECK_EQ_INT(o.status, 9 /* SIGKILL */);
        CHECK_STREQ(o.output, "started\n");

        /* cannot run: refused synchronously */
        {
                sd_event *e = NULL;
                struct spawner *s = NULL;
                char *const argv[] = {"x", NULL};

                CHECK(sd_event_new(&e) >= 0);
                CHECK_EQ_INT(spawner_run(e, "/nonexistent/journalctl", argv, USEC_PER_SEC, 64,
                                         on_done, &o, &s),
                             -ENOENT);
                CHECK_EQ_INT(spawner_run(e, "journalctl", argv, USEC_PER_SEC, 64, on_done, &o, &s),
                             -EINVAL);
                sd_event_unref(e);
        }
        close(devnull);
        return TEST_RESULT();
}
