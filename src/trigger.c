/* trigger — see include/trigger.h */
#include "trigger.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"

#define UNPRIVILEGED_WINDOW_USEC (2 * USEC_PER_SEC) /* kernel: psi_trigger_create() */
#define MAX_WINDOW_USEC          (10 * USEC_PER_SEC)

struct trigger {
        struct triggers *owner;
        char *key;
        sd_event_source *source;
        int fd;
        bool seen;
};

struct triggers {
        sd_event *event;
        struct cgfs *fs;
        struct psi_trigger_spec spec;
        bool unprivileged; /* the kernel refused spec; use 2 s windows */
        trigger_fn fn;
        void *userdata;
        struct trigger host;
        const char *host_source;
        bool host_on_proc; /* the host trigger is on /proc/pressure/memory */
        struct trigger watch; /* the calm tick's watch (triggers_set_host_watch) */
        struct psi_trigger_spec watch_spec;
        struct trigger **groups;
        size_t n_groups;
        size_t allocated;
        size_t next; /* where the previous triggers_add_group() found or put its key, + 1 */
};

int trigger_format(const struct psi_trigger_spec *spec, char *buf, size_t size)
{
        int n = snprintf(buf, size, "%s %llu %llu", spec->kind == PSI_FULL ? "full" : "some",
                         (unsigned long long)spec->stall_usec,
                         (unsigned long long)spec->window_usec);
        return n < 0 || (size_t)n >= size ? -ENOBUFS : 0;
}

void trigger_spec_unprivileged(const struct psi_trigger_spec *spec, struct psi_trigger_spec *ret)
{
        usec_t window = (spec->window_usec + UNPRIVILEGED_WINDOW_USEC - 1) /
                        UNPRIVILEGED_WINDOW_USEC * UNPRIVILEGED_WINDOW_USEC;

        if (window > MAX_WINDOW_USEC)
                window = MAX_WINDOW_USEC - MAX_WINDOW_USEC % UNPRIVILEGED_WINDOW_USEC;
        *ret = *spec;
        ret->window_usec = window;
        /* keep the stall share of the window the operator asked for */
        ret->stall_usec = (usec_t)((double)spec->stall_usec * (double)window /
                                   (double)spec->window_usec);
        if (ret->stall_usec == 0)
                ret->stall_usec = 1;
        if (ret->stall_usec > window)
                ret->stall_usec = window;
}

static int trigger_arm(int fd, const struct psi_trigger_spec *spec)
{
        char buf[64];
        int r = trigger_format(spec, buf, sizeof buf);

        if (r < 0)
                return r;
        /* the kernel wants the string and its NUL in one write */
        if (write(fd, buf, strlen(buf) + 1) < 0)
                return -errno;
        return 0;
}

/* Arm fd with the configured spec, falling back to the unprivileged form. */
static int triggers_arm(struct triggers *t, int fd)
{
        struct psi_trigger_spec fallback;
        int r;

        if (!t->unprivileged) {
                r = trigger_arm(fd, &t->spec);
                if (r != -EINVAL && r != -EPERM)
                        return r;
        }
        trigger_spec_unprivileged(&t->spec, &fallback);
        if (fallback.window_usec == t->spec.window_usec && fallback.stall_usec == t->spec.stall_usec)
                return -EINVAL;
        r = trigger_arm(fd, &fallback);
        if (r == 0 && !t->unprivileged) {
                t->unprivileged = true;
                log_event(LOG_NOTICE, MSGID_TRIGGER, NULL,
                          "kernel refused PSI trigger window %llums; using %llums windows "
                          "(no CAP_SYS_RESOURCE), stall %llums",
                          (unsigned long long)(t->spec.window_usec / USEC_PER_MSEC),
                          (unsigned long long)(fallback.window_usec / USEC_PER_MSEC),
                          (unsigned long long)(fallback.stall_usec / USEC_PER_MSEC));
        }
        return r;
}

static void trigger_drop(struct trigger *tr)
{
        tr->source = sd_event_source_disable_unref(tr->source);
        if (tr->fd >= 0)
                close(tr->fd);
        tr->fd = -1;
        free(tr->key);
        tr->key = NULL;
}

static int on_trigger(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
        struct trigger *tr = userdata;
        struct triggers *t = tr->owner;

        if (revents & (EPOLLERR | EPOLLHUP)) {
                /* the cgroup went away: its pressure file is dead */
                log_debug("PSI trigger for %s closed by the kernel",
                          tr->key[0] ? tr->key : "host");
                sd_event_source_set_enabled(s, SD_EVENT_OFF);
                return 0;
        }
        t->fn(tr->key, util_now_usec(), t->userdata);
        return 0;
}

/* Attach fd (armed) to tr. On failure tr is left empty and fd is still
 * the caller's. */
static int trigger_attach(struct triggers *t, struct trigger *tr, int fd, const char *key)
{
        int r;

        tr->owner = t;
        tr->fd = fd;
        tr->key = strdup(key);
        r = tr->key ? sd_event_add_io(t->event, &tr->source, fd, EPOLLPRI, on_trigger, tr)
                    : -ENOMEM;
        if (r < 0) {
                tr->fd = -1;
                trigger_drop(tr);
                return r;
        }
        (void)sd_event_source_set_description(tr->source, "psi-trigger");
        /* pressure is the most urgent input: ahead of timers and the control socket */
        (void)sd_event_source_set_priority(tr->source, SD_EVENT_PRIORITY_IMPORTANT);
        return 0;
}

int triggers_new(sd_event *event, struct cgfs *fs, const struct psi_trigger_spec *spec,
                 trigger_fn fn, void *userdata, struct triggers **ret)
{
        struct triggers *t;

        assert(event && fs && spec && fn && ret);
        t = calloc(1, sizeof *t);
        if (!t)
                return -ENOMEM;
        t->event = event;
        t->fs = fs;
        t->spec = *spec;
        t->fn = fn;
        t->userdata = userdata;
        t->host.fd = -1;
        t->watch.fd = -1;
        *ret = t;
        return 0;
}

struct triggers *triggers_free(struct triggers *t)
{
        if (!t)
                return NULL;
        trigger_drop(&t->host);
        trigger_drop(&t->watch);
        for (size_t i = 0; i < t->n_groups; i++) {
                trigger_drop(t->groups[i]);
                free(t->groups[i]);
        }
        free(t->groups);
        free(t);
        return NULL;
}

int triggers_add_host(struct triggers *t)
{
        static const struct {
                bool proc;
                const char *description;
        } sources[] = {
                {true, "/proc/pressure/memory"},
                {false, "cgroup2 root memory.pressure"},
        };
        int r = -ENOENT;

        if (t->host.source)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(sources); i++) {
                _cleanup_close_ int fd = sources[i].proc
                                                 ? cgfs_open_host_pressure(t->fs, "memory")
                                                 : cgfs_open_pressure(t->fs, "", "memory.pressure");
                if (fd < 0) {
                        r = fd;
                        continue;
                }
                r = triggers_arm(t, fd);
                if (r < 0) {
                        log_info("PSI trigger refused by %s: %s", sources[i].description,
                                 strerror(-r));
                        continue;
                }
                r = trigger_attach(t, &t->host, fd, TRIGGER_HOST_KEY);
                if (r < 0)
                        return r;
                TAKE_FD(fd);
                t->host_source = sources[i].description;
                t->host_on_proc = sources[i].proc;
                return 0;
        }
        return r;
}

const char *triggers_host_source(const struct triggers *t)
{
        return t->host_source;
}

bool trigger_watch_spec(const struct memory_section *m, struct psi_trigger_spec *ret)
{
        const struct psi_threshold *marks[] = {&m->pressure_warning, &m->pressure_critical,
                                               &m->pressure_emergency};
        double lowest = 0.0;

        for (size_t i = 0; i < ELEMENTSOF(marks); i++)
                if (marks[i]->set && marks[i]->avg10_percent > 0.0 &&
                    (lowest == 0.0 || marks[i]->avg10_percent < lowest))
                        lowest = marks[i]->avg10_percent;
        if (lowest == 0.0)
                return false;
        /* "some" stall is never less than "full": one watch covers both kinds */
        *ret = (struct psi_trigger_spec){
            .kind = PSI_SOME,
            .window_usec = TRIGGER_WATCH_WINDOW_USEC,
            .stall_usec = (usec_t)(lowest * TRIGGER_WATCH_FRACTION / 100.0 *
                                   (double)TRIGGER_WATCH_WINDOW_USEC),
        };
        if (ret->stall_usec == 0)
                ret->stall_usec = 1;
        if (ret->stall_usec > ret->window_usec)
                ret->stall_usec = ret->window_usec;
        return true;
}

int triggers_set_host_watch(struct triggers *t, const struct psi_trigger_spec *spec)
{
        _cleanup_close_ int fd = -1;
        int r;

        assert(t);
        if (spec && t->watch.source && memcmp(spec, &t->watch_spec, sizeof *spec) == 0)
                return 0;
        trigger_drop(&t->watch);
        if (!spec)
                return 0;
        if (!t->host_source)
                return -ENOENT; /* no pressure file took the host trigger */
        fd = t->host_on_proc ? cgfs_open_host_pressure(t->fs, "memory")
                             : cgfs_open_pressure(t->fs, "", "memory.pressure");
        if (fd < 0)
                return fd;
        r = trigger_arm(fd, spec);
        if (r < 0)
                return r;
        r = trigger_attach(t, &t->watch, fd, TRIGGER_HOST_WATCH_KEY);
        if (r < 0)
                return r;
        TAKE_FD(fd);
        (void)sd_event_source_set_description(t->watch.source, "psi-watch");
        t->watch_spec = *spec;
        return 0;
}

bool triggers_host_watched(const struct triggers *t)
{
        return t && t->watch.source;
}

void triggers_mark(struct triggers *t)
{
        for (size_t i = 0; i < t->n_groups; i++)
                t->groups[i]->seen = false;
        t->next = 0;
}

int triggers_add_group(struct triggers *t, const char *key, const char *cgroup_rel)
{
        _cleanup_close_ int fd = -1;
        struct trigger *tr;
        int r;

        /* Groups come in the same order every evaluation: look where the
         * previous key was found first (searching all each time was O(n^2),
         * half a second an evaluation at 10 000 groups). */
        for (size_t k = 0; k < t->n_groups; k++) {
                size_t i = (t->next + k) % t->n_groups;

                if (strcmp(t->groups[i]->key, key) == 0) {
                        t->groups[i]->seen = true;
                        t->next = i + 1;
                        return 0;
                }
        }
        fd = cgfs_open_pressure(t->fs, cgroup_rel, "memory.pressure");
        if (fd < 0)
                return fd;
        r = triggers_arm(t, fd);
        if (r < 0)
                return r;
        if (t->n_groups == t->allocated) {
                size_t n = t->allocated ? t->allocated * 2 : 16;
                struct trigger **p = realloc(t->groups, n * sizeof *p);
                if (!p)
                        return -ENOMEM;
                t->groups = p;
                t->allocated = n;
        }
        tr = calloc(1, sizeof *tr);
        if (!tr)
                return -ENOMEM;
        r = trigger_attach(t, tr, fd, key);
        if (r < 0) {
                free(tr);
                return r;
        }
        TAKE_FD(fd);
        tr->seen = true;
        t->groups[t->n_groups++] = tr;
        return 1;
}

void triggers_sweep(struct triggers *t)
{
        size_t kept = 0;

        for (size_t i = 0; i < t->n_groups; i++) {
                if (t->groups[i]->seen) {
                        t->groups[kept++] = t->groups[i];
                        continue;
                }
                trigger_drop(t->groups[i]);
                free(t->groups[i]);
        }
        t->n_groups = kept;
}
