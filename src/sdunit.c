/* sdunit — see include/sdunit.h */
#include "sdunit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>

#define SYSTEMD_DESTINATION "org.freedesktop.systemd1"
#define SYSTEMD_PATH        "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER     "org.freedesktop.systemd1.Manager"
#define ERROR_NO_SUCH_UNIT  "org.freedesktop.systemd1.NoSuchUnit"

/* ---- which unit owns a cgroup (pure) ------------------------------------ */

static bool unit_char_ok(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               strchr(":-_.\\@", c);
}

static bool has_suffix(const char *s, size_t len, const char *suffix)
{
        size_t n = strlen(suffix);

        return len > n && memcmp(s + len - n, suffix, n) == 0;
}

/* The unit kinds that have a cgroup of their own. */
static bool cgroup_unit_name(const char *s, size_t len)
{
        static const char *const suffixes[] = {".service", ".scope", ".slice",
                                               ".socket",  ".mount", ".swap"};

        if (len == 0 || len >= SDUNIT_NAME_MAX || s[0] == '.')
                return false;
        for (size_t i = 0; i < len; i++)
                if (!unit_char_ok(s[i]))
                        return false;
        for (size_t i = 0; i < ELEMENTSOF(suffixes); i++)
                if (has_suffix(s, len, suffixes[i]))
                        return true;
        return false;
}

/* A slice component: "a-b.slice" directly below "a.slice" (parent "a", its
 * prefix; "" for the root), each dash one level deeper. */
static bool slice_nests(const char *s, size_t len, const char *parent, size_t parent_len)
{
        size_t stem = len - strlen(".slice"); /* callers checked the suffix */
        const char *last;

        if (stem == 0 || (stem == 1 && s[0] == '-') || s[0] == '-' || s[stem - 1] == '-')
                return false;
        if (parent_len == 0)
                return memchr(s, '-', stem) == NULL;
        if (stem <= parent_len + 1 || memcmp(s, parent, parent_len) != 0 || s[parent_len] != '-')
                return false;
        last = s + parent_len + 1;
        return memchr(last, '-', stem - parent_len - 1) == NULL;
}

int sdunit_from_cgroup(const char *rel, char *ret_unit, size_t size)
{
        const char *parent = "", *p = rel;
        size_t parent_len = 0;

        if (!rel || !ret_unit || size == 0)
                return -EINVAL;
        if (rel[0] == '\0' || rel[0] == '/')
                return rel[0] == '\0' ? 0 : -EINVAL; /* the root: "-.slice" owns nothing we set */
        for (;;) {
                const char *slash = strchr(p, '/');
                size_t len = slash ? (size_t)(slash - p) : strlen(p);

                if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && memcmp(p, "..", 2) == 0))
                        return -EINVAL;
                if (!cgroup_unit_name(p, len))
                        return 0;
                if (has_suffix(p, len, ".slice")) {
                        if (!slice_nests(p, len, parent, parent_len))
                                return 0;
                } else if (slash)
                        return 0; /* below a service or scope: delegated, not the manager's */
                if (!slash) {
                        if (len >= size)
                                return -ENAMETOOLONG;
                        memcpy(ret_unit, p, len);
                        ret_unit[len] = '\0';
                        return 1;
                }
                parent = p;
                parent_len = len - strlen(".slice");
                p = slash + 1;
        }
}

static const struct {
        const char *property;
        const char *file;
} memory_props[SDUNIT_MEMORY_PROP_COUNT] = {
    [SDUNIT_MEMORY_MAX] = {"MemoryMax", "memory.max"},
    [SDUNIT_MEMORY_HIGH] = {"MemoryHigh", "memory.high"},
    [SDUNIT_MEMORY_SWAP_MAX] = {"MemorySwapMax", "memory.swap.max"},
    [SDUNIT_MEMORY_LOW] = {"MemoryLow", "memory.low"},
    [SDUNIT_MEMORY_MIN] = {"MemoryMin", "memory.min"},
};

const char *sdunit_memory_prop_name(enum sdunit_memory_prop p)
{
        return p < SDUNIT_MEMORY_PROP_COUNT ? memory_props[p].property : NULL;
}

const char *sdunit_memory_prop_file(enum sdunit_memory_prop p)
{
        return p < SDUNIT_MEMORY_PROP_COUNT ? memory_props[p].file : NULL;
}

/* ---- the bus client ------------------------------------------------------ */

struct call {
        struct sdunit *owner;
        sd_bus_slot *slot;
        sdunit_done_fn cb;
        void *userdata;
        struct call *prev, *next;
};

struct sdunit {
        sd_bus *bus; /* NULL: not connected (the next call tries again) */
        sd_event *event;
        uint64_t next_connect_usec; /* CLOCK_MONOTONIC: no reconnect before */
        char *address; /* NULL: the system bus */
        struct call *calls;
        size_t n_calls;
};

static void call_unlink(struct call *c)
{
        struct sdunit *s = c->owner;

        if (c->prev)
                c->prev->next = c->next;
        else
                s->calls = c->next;
        if (c->next)
                c->next->prev = c->prev;
        s->n_calls--;
}

static int bus_connect(struct sdunit *s)
{
        sd_bus *bus = NULL;
        int r;

        if (!s->address)
                r = sd_bus_open_system(&bus);
        else {
                r = sd_bus_new(&bus);
                if (r >= 0)
                        r = sd_bus_set_address(bus, s->address);
                if (r >= 0)
                        r = sd_bus_set_bus_client(bus, 1);
                if (r >= 0)
                        r = sd_bus_start(bus);
        }
        if (r >= 0)
                r = sd_bus_attach_event(bus, s->event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0) {
                sd_bus_flush_close_unref(bus);
                return r;
        }
        s->bus = bus;
        return 0;
}

int sdunit_open(sd_event *event, const char *bus_address, struct sdunit **ret)
{
        struct sdunit *s;
        int r;

        if (!event || !ret)
                return -EINVAL;
        /* no systemd as init: nobody would keep a unit's properties */
        if (!bus_address && sd_booted() <= 0)
                return -ENOMEDIUM;
        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->event = sd_event_ref(event);
        if (bus_address && !(s->address = strdup(bus_address))) {
                sdunit_free(s);
                return -ENOMEM;
        }
        r = bus_connect(s);
        if (r < 0 && (bus_address || r == -ENOMEM)) {
                sdunit_free(s);
                return r;
        }
        /* systemd runs but its bus does not answer yet: calls reconnect */
        *ret = s;
        return r < 0 ? 0 : 1;
}

bool sdunit_connected(const struct sdunit *s)
{
        return s && s->bus && sd_bus_is_open(s->bus) > 0;
}

struct sdunit *sdunit_free(struct sdunit *s)
{
        if (!s)
                return NULL;
        while (s->calls) {
                struct call *c = s->calls;
                call_unlink(c);
                sd_bus_slot_unref(c->slot);
                c->cb(-ECANCELED, NULL, c->userdata);
                free(c);
        }
        if (s->bus) {
                sd_bus_detach_event(s->bus);
                sd_bus_flush_close_unref(s->bus);
        }
        sd_event_unref(s->event);
        free(s->address);
        free(s);
        return NULL;
}

size_t sdunit_pending(const struct sdunit *s)
{
        return s ? s->n_calls : 0;
}

static int on_reply(sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
        struct call *c = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(m);
        int result = 0;

        (void)ret_error;
        if (e) {
                if (sd_bus_error_has_name(e, ERROR_NO_SUCH_UNIT))
                        result = -ENOENT;
                else if (sd_bus_error_has_name(e, SD_BUS_ERROR_TIMEOUT) ||
                         sd_bus_error_has_name(e, SD_BUS_ERROR_NO_REPLY))
                        result = -ETIMEDOUT;
                else {
                        result = -sd_bus_error_get_errno(e);
                        if (result == 0)
                                result = -EIO;
                }
        }
        call_unlink(c);
        c->slot = sd_bus_slot_unref(c->slot);
        c->cb(result, e ? e->message : NULL, c->userdata);
        free(c);
        return 0;
}

static int append_properties(sd_bus_message *m, const struct sdunit_memory *mem)
{
        int r = sd_bus_message_open_container(m, 'a', "(sv)");

        for (int p = 0; r >= 0 && p < SDUNIT_MEMORY_PROP_COUNT; p++) {
                if (!mem->set[p])
                        continue;
                /* 't': bytes; UINT64_MAX (BYTES_MAX) is "infinity" to systemd */
                r = sd_bus_message_append(m, "(sv)", memory_props[p].property, "t",
                                          mem->bytes[p]);
        }
        return r < 0 ? r : sd_bus_message_close_container(m);
}

int sdunit_set_memory(struct sdunit *s, const char *unit, const struct sdunit_memory *mem,
                      sdunit_done_fn cb, void *userdata)
{
        sd_bus_message *m = NULL;
        struct call *c;
        bool any = false;
        int r;

        if (!s || !unit || !mem || !cb || !cgroup_unit_name(unit, strlen(unit)))
                return -EINVAL;
        for (int p = 0; p < SDUNIT_MEMORY_PROP_COUNT; p++)
                any = any || mem->set[p];
        if (!any)
                return -EINVAL;
        if (s->bus && !sd_bus_is_open(s->bus)) {
                /* the bus went away (dbus restarted): drop it, reconnect below */
                sd_bus_detach_event(s->bus);
                s->bus = sd_bus_flush_close_unref(s->bus);
        }
        if (!s->bus) {
                uint64_t now = 0;

                /* at most one connection attempt per SDUNIT_RECONNECT_USEC:
                 * meanwhile the caller writes the files */
                (void)sd_event_now(s->event, CLOCK_MONOTONIC, &now);
                if (now < s->next_connect_usec)
                        return -ENOTCONN;
                s->next_connect_usec = now + SDUNIT_RECONNECT_USEC;
                if (bus_connect(s) < 0)
                        return -ENOTCONN;
        }
        c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        r = sd_bus_message_new_method_call(s->bus, &m, SYSTEMD_DESTINATION, SYSTEMD_PATH,
                                           SYSTEMD_MANAGER, "SetUnitProperties");
        if (r >= 0)
                r = sd_bus_message_append(m, "sb", unit, 1); /* runtime: gone at reboot */
        if (r >= 0)
                r = append_properties(m, mem);
        if (r >= 0)
                r = sd_bus_call_async(s->bus, &c->slot, m, on_reply, c, SDUNIT_CALL_TIMEOUT_USEC);
        sd_bus_message_unref(m);
        if (r < 0) {
                free(c);
                return r == -ENOTCONN || r == -ECONNRESET ? -ENOTCONN : r;
        }
        c->owner = s;
        c->cb = cb;
        c->userdata = userdata;
        c->next = s->calls;
        if (s->calls)
                s->calls->prev = c;
        s->calls = c;
        s->n_calls++;
        return 0;
}
