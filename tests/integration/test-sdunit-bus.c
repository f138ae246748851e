/* test-sdunit-bus — sdunit's client against a real dbus-daemon (a private
 * bus, test-sdunit-bus.sh) and a small stand-in for systemd's manager that
 * owns org.freedesktop.systemd1 and serves
 * org.freedesktop.systemd1.Manager.SetUnitProperties(in s name, in b runtime,
 * in a(sv) properties) as systemd does for the calls sdunit makes: an empty
 * reply for a unit it knows, the error org.freedesktop.systemd1.NoSuchUnit
 * for one it does not, and (for "hang.service") no reply at all, as a
 * manager stuck in a reload. Checked: what arrives on the bus (signature,
 * runtime=true, 't' values, UINT64_MAX for infinity), each outcome, and that
 * the event loop keeps running while a call hangs.
 *
 *   test-sdunit-bus BUS_ADDRESS
 *   test-sdunit-bus --serve BUS_ADDRESS LOG CGROUP_ROOT UNIT=PATH...
 *
 * --serve runs only the stand-in manager, for the governor itself
 * (test-sdunit-governor.sh): it knows the units named on the command line,
 * each owning the cgroup PATH below CGROUP_ROOT, and does what systemd does
 * with the properties: writes memory.high, memory.max, memory.swap.max,
 * memory.low, memory.min ("max" for infinity). Every call is one LOG line:
 * "UNIT runtime=B NAME=VALUE ...". It runs until SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "sdunit.h"
#include "../unit/test.h"

#define M (1024ULL * 1024)

struct seen {
        char unit[64];
        int runtime;
        char names[8][32];
        char types[8];
        uint64_t values[8];
        int n;
        int calls;
};
static struct seen seen;

/* --serve */
static FILE *serve_log;
static const char *serve_root;
static char **serve_units; /* "UNIT=PATH" */
static int n_serve_units;

static const char *serve_path(const char *unit)
{
        size_t n = strlen(unit);

        for (int i = 0; i < n_serve_units; i++)
                if (strncmp(serve_units[i], unit, n) == 0 && serve_units[i][n] == '=')
                        return serve_units[i] + n + 1;
        return NULL;
}

static void serve_apply(const char *unit)
{
        static const struct {
                const char *property, *file;
        } files[] = {{"MemoryHigh", "memory.high"},   {"MemoryMax", "memory.max"},
                     {"MemorySwapMax", "memory.swap.max"}, {"MemoryLow", "memory.low"},
                     {"MemoryMin", "memory.min"}};
        const char *path = serve_path(unit);

        fprintf(serve_log, "%s runtime=%d", unit, seen.runtime);
        for (int i = 0; i < seen.n; i++)
                fprintf(serve_log, " %s=%llu", seen.names[i], (unsigned long long)seen.values[i]);
        fputc('\n', serve_log);
        fflush(serve_log);
        for (int i = 0; path && i < seen.n; i++)
                for (size_t k = 0; k < ELEMENTSOF(files); k++) {
                        char file[4096], value[32];
                        int fd;

                        if (strcmp(seen.names[i], files[k].property) != 0)
                                continue;
                        snprintf(file, sizeof file, "%s/%s/%s", serve_root, path, files[k].file);
                        if (seen.values[i] == UINT64_MAX)
                                snprintf(value, sizeof value, "max\n");
                        else
                                snprintf(value, sizeof value, "%llu\n",
                                         (unsigned long long)seen.values[i]);
                        fd = open(file, O_WRONLY | O_TRUNC | O_CLOEXEC);
                        if (fd >= 0) {
                                if (write(fd, value, strlen(value)) < 0)
                                        perror(file);
                                close(fd);
                        }
                }
}

static int set_unit_properties(sd_bus_message *m, void *userdata, sd_bus_error *error)
{
        const char *unit;
        int runtime, r;

        (void)userdata;
        seen.calls++;
        if (strcmp(sd_bus_message_get_signature(m, true), "sba(sv)") != 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS, "bad signature");
        r = sd_bus_message_read(m, "sb", &unit, &runtime);
        if (r < 0)
                return r;
        snprintf(seen.unit, sizeof seen.unit, "%s", unit);
        seen.runtime = runtime;
        seen.n = 0;
        r = sd_bus_message_enter_container(m, 'a', "(sv)");
        while (r >= 0 && (r = sd_bus_message_enter_container(m, 'r', "sv")) > 0) {
                const char *name, *contents;
                char type;

                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = sd_bus_message_peek_type(m, &type, &contents);
                if (r < 0)
                        return r;
                if (seen.n < 8) {
                        snprintf(seen.names[seen.n], sizeof seen.names[0], "%s", name);
                        seen.types[seen.n] = contents[0];
                        if (contents[0] == 't')
                                r = sd_bus_message_read(m, "v", "t", &seen.values[seen.n]);
                        else
                                r = sd_bus_message_skip(m, "v");
                        seen.n++;
                } else
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        }
        if (r < 0)
                return r;
        if (serve_log) {
                serve_apply(unit);
                if (!serve_path(unit))
                        return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit",
                                                 "Unit %s not loaded.", unit);
                return sd_bus_reply_method_return(m, NULL);
        }
        if (strcmp(unit, "hang.service") == 0)
                return 1; /* handled, never answered */
        if (strcmp(unit, "docker-0123.scope") != 0 && strcmp(unit, "db.service") != 0)
                return sd_bus_error_setf(error, "org.freedesktop.systemd1.NoSuchUnit",
                                         "Unit %s not loaded.", unit);
        return sd_bus_reply_method_return(m, NULL);
}

static const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("SetUnitProperties", "sba(sv)", "", set_unit_properties,
                  SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};

struct outcome {
        int result;
        int done;
};

static void on_done(int result, const char *message, void *userdata)
{
        struct outcome *o = userdata;

        (void)message;
        o->result = result;
        o->done++;
}

static unsigned ticks;
static int on_tick(sd_event_source *s, uint64_t usec, void *userdata)
{
        (void)userdata;
        ticks++;
        sd_event_source_set_time(s, usec + 100000);
        return sd_event_source_set_enabled(s, SD_EVENT_ON);
}

/* Run the loop until o is answered or limit_usec passes. */
static void run_until(sd_event *e, const struct outcome *o, uint64_t limit_usec)
{
        uint64_t start, now;

        sd_event_now(e, CLOCK_MONOTONIC, &start);
        do {
                sd_event_run(e, 100000);
                sd_event_now(e, CLOCK_MONOTONIC, &now);
        } while (!o->done && now < start + limit_usec);
}

/* The stand-in manager on the bus at ADDRESS, served on the loop E: its
 * connection in *ret_manager (set on failure too: the caller unrefs it). */
static int manager_start(sd_event *e, const char *address, sd_bus **ret_manager)
{
        sd_bus *bus = NULL;
        int r;

        r = sd_bus_new(&bus);
        if (r >= 0)
                r = sd_bus_set_address(bus, address);
        if (r >= 0)
                r = sd_bus_set_bus_client(bus, 1);
        if (r >= 0)
                r = sd_bus_start(bus);
        if (r >= 0)
                r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", manager_vtable,
                                             NULL);
        if (r >= 0)
                r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
        if (r >= 0)
                r = sd_bus_attach_event(bus, e, 0);
        *ret_manager = bus;
        return r;
}

static int serve(int argc, char **argv)
{
        sd_event *e = NULL;
        sd_bus *manager = NULL;
        sigset_t mask;
        int r;

        if (argc < 5) {
                fprintf(stderr, "usage: test-sdunit-bus --serve ADDRESS LOG ROOT UNIT=PATH...\n");
                return 2;
        }
        serve_log = fopen(argv[3], "a");
        serve_root = argv[4];
        serve_units = argv + 5;
        n_serve_units = argc - 5;
        if (!serve_log)
                return 1;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        r = sd_event_new(&e);
        if (r >= 0)
                r = sd_event_add_signal(e, NULL, SIGTERM, NULL, NULL);
        if (r >= 0)
                r = manager_start(e, argv[2], &manager);
        if (r >= 0) {
                fprintf(serve_log, "ready\n");
                fflush(serve_log);
                r = sd_event_loop(e);
        }
        if (r < 0)
                fprintf(stderr, "stand-in manager: %s\n", strerror(-r));
        sd_bus_flush_close_unref(manager);
        sd_event_unref(e);
        fclose(serve_log);
        return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
        sd_event *e = NULL;
        sd_bus *manager = NULL;
        struct sdunit *s = NULL;
        struct sdunit_memory mem = {0};
        struct outcome o = {0}, hang = {0}, cancel = {0};
        uint64_t now;
        int r;

        if (argc > 1 && strcmp(argv[1], "--serve") == 0)
                return serve(argc, argv);
        if (argc < 2) {
                fprintf(stderr, "usage: %s BUS_ADDRESS\n", argv[0]);
                return 2;
        }
        CHECK(sd_event_new(&e) >= 0);
        /* the stand-in manager: its own connection on the same loop */
        r = manager_start(e, argv[1], &manager);
        if (r < 0) {
                fprintf(stderr, "stand-in manager: %s\n", strerror(-r));
                return 1;
        }
        CHECK_EQ_INT(sdunit_open(e, argv[1], &s), 1);
        CHECK(sdunit_connected(s));
        if (!s)
                return TEST_RESULT();
        sd_event_now(e, CLOCK_MONOTONIC, &now);
        CHECK(sd_event_add_time(e, NULL, CLOCK_MONOTONIC, now + 100000, 0, on_tick, NULL) >= 0);

        /* 1. a unit the manager knows: what arrives, and done */
        mem.set[SDUNIT_MEMORY_HIGH] = true;
        mem.bytes[SDUNIT_MEMORY_HIGH] = 123 * M;
        mem.set[SDUNIT_MEMORY_SWAP_MAX] = true;
        mem.bytes[SDUNIT_MEMORY_SWAP_MAX] = BYTES_MAX;
        CHECK_EQ_INT(sdunit_set_memory(s, "docker-0123.scope", &mem, on_done, &o), 0);
        CHECK_EQ_INT(sdunit_pending(s), 1);
        run_until(e, &o, 10 * USEC_PER_SEC);
        CHECK_EQ_INT(o.done, 1);
        CHECK_EQ_INT(o.result, 0);
        CHECK_STREQ(seen.unit, "docker-0123.scope");
        CHECK_EQ_INT(seen.runtime, 1);
        CHECK_EQ_INT(seen.n, 2);
        CHECK_STREQ(seen.names[0], "MemoryHigh");
        CHECK_EQ_INT(seen.types[0], 't');
        CHECK_EQ_U64(seen.values[0], 123 * M);
        CHECK_STREQ(seen.names[1], "MemorySwapMax");
        CHECK_EQ_U64(seen.values[1], UINT64_MAX); /* "infinity" */
        CHECK_EQ_INT(sdunit_pending(s), 0);

        /* 2. memory.low/min of a service */
        memset(&mem, 0, sizeof mem);
        mem.set[SDUNIT_MEMORY_LOW] = mem.set[SDUNIT_MEMORY_MIN] = true;
        mem.bytes[SDUNIT_MEMORY_LOW] = 256 * M;
        mem.bytes[SDUNIT_MEMORY_MIN] = 64 * M;
        o = (struct outcome){0};
        CHECK_EQ_INT(sdunit_set_memory(s, "db.service", &mem, on_done, &o), 0);
        run_until(e, &o, 10 * USEC_PER_SEC);
        CHECK(o.done == 1 && o.result == 0);
        CHECK(seen.n == 2 && strcmp(seen.names[0], "MemoryLow") == 0 &&
              strcmp(seen.names[1], "MemoryMin") == 0 && seen.values[1] == 64 * M);

        /* 3. a unit systemd does not have: -ENOENT (the caller writes the file) */
        o = (struct outcome){0};
        CHECK_EQ_INT(sdunit_set_memory(s, "nosuch.scope", &mem, on_done, &o), 0);
        run_until(e, &o, 10 * USEC_PER_SEC);
        CHECK(o.done == 1 && o.result == -ENOENT);

        /* 4. nothing to set, a name that is no unit: refused, no callback */
        struct sdunit_memory none = {0};
        CHECK_EQ_INT(sdunit_set_memory(s, "db.service", &none, on_done, &o), -EINVAL);
        CHECK_EQ_INT(sdunit_set_memory(s, "docker/0123", &mem, on_done, &o), -EINVAL);

        /* 5. a manager that never answers: -ETIMEDOUT after the call's
         * timeout, and the loop ran its timer meanwhile */
        unsigned ticks_before = ticks;
        CHECK_EQ_INT(sdunit_set_memory(s, "hang.service", &mem, on_done, &hang), 0);
        run_until(e, &hang, SDUNIT_CALL_TIMEOUT_USEC + 10 * USEC_PER_SEC);
        CHECK(hang.done == 1 && hang.result == -ETIMEDOUT);
        CHECK(ticks > ticks_before + 5);

        /* 6. freed with a call in flight: told -ECANCELED, once */
        CHECK_EQ_INT(sdunit_set_memory(s, "hang.service", &mem, on_done, &cancel), 0);
        s = sdunit_free(s);
        CHECK(cancel.done == 1 && cancel.result == -ECANCELED);

        sd_bus_flush_close_unref(manager);
        sd_event_unref(e);
        return TEST_RESULT();
}
