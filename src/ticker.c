/* ticker — see include/ticker.h */
#include "ticker.h"

#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

struct ticker {
        int fd;
        sd_event_source *source;
        ticker_fn fn;
        void *userdata;
        usec_t due;    /* the next expiration; 0 while disarmed */
        usec_t period; /* between expirations */
};

static struct timespec to_timespec(usec_t usec)
{
        return (struct timespec){.tv_sec = (time_t)(usec / USEC_PER_SEC),
                                 .tv_nsec = (long)(usec % USEC_PER_SEC) * 1000L};
}

static int on_expire(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct ticker *t = userdata;
        uint64_t expirations;
        usec_t fired;
        ssize_t n;

        (void)s;
        (void)revents;
        n = read(fd, &expirations, sizeof expirations);
        if (n != (ssize_t)sizeof expirations || expirations == 0 || t->due == 0)
                return 0; /* EAGAIN: re-armed between the wake-up and this read */
        /* the latest expiration is the one this call stands for */
        fired = t->due + (expirations - 1) * t->period;
        t->due = fired + t->period;
        t->fn(fired, t->userdata);
        return 0;
}

int ticker_new(sd_event *event, ticker_fn fn, void *userdata, struct ticker **ret)
{
        struct ticker *t;
        int r;

        assert(event);
        assert(fn);
        assert(ret);

        t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->fn = fn;
        t->userdata = userdata;
        t->fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
        if (t->fd < 0) {
                r = -errno;
                free(t);
                return r;
        }
        r = sd_event_add_io(event, &t->source, t->fd, EPOLLIN, on_expire, t);
        if (r < 0) {
                close(t->fd);
                free(t);
                return r;
        }
        (void)sd_event_source_set_description(t->source, "tick");
        *ret = t;
        return 0;
}

struct ticker *ticker_free(struct ticker *t)
{
        if (!t)
                return NULL;
        sd_event_source_disable_unref(t->source);
        close(t->fd);
        free(t);
        return NULL;
}

int ticker_arm(struct ticker *t, usec_t due_usec, usec_t period_usec)
{
        struct itimerspec its;

        assert(t);
        assert(period_usec > 0);

        if (due_usec == 0)
                due_usec = 1; /* 0 would disarm the timerfd */
        if (due_usec == t->due && period_usec == t->period)
                return 0;
        its.it_value = to_timespec(due_usec);
        its.it_interval = to_timespec(period_usec);
        if (timerfd_settime(t->fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
                return -errno;
        t->due = due_usec;
        t->period = period_usec;
        return 0;
}

usec_t ticker_due(const struct ticker *t)
{
        assert(t);
        return t->due;
}

usec_t ticker_period(const struct ticker *t)
{
        assert(t);
        return t->period;
}
