/* sdunit — systemd units that own cgroups, and the one client of systemd's
 * manager on the system bus.
 *
 * systemd owns the attributes of its units' cgroups: on `systemctl
 * daemon-reload`, on a scope change (runc's systemd driver, behind every
 * `docker update` with Docker's systemd cgroup driver) it writes back what
 * the unit's properties say, e.g. MemoryHigh=infinity over a memory.high
 * written by anyone else. So where a unit owns a group's cgroup, memory.max,
 * memory.high, memory.swap.max, memory.low and memory.min are set through
 * the manager (SetUnitProperties, runtime), which both writes the file and
 * keeps the value; the file is written directly only where no unit owns the
 * cgroup or no manager answers (hybrid test hosts without systemd as PID 1).
 *
 * sdunit_from_cgroup() is pure. The client is asynchronous on the daemon's
 * sd-event loop: a call is queued, its reply (or its timeout) arrives later
 * through a callback, so a slow or hung systemd never stalls the loop. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "util.h"

/* bytes: a unit name is at most 255 characters (systemd's UNIT_NAME_MAX) */
#define SDUNIT_NAME_MAX 256
/* usec: a SetUnitProperties call not answered within this counts as failed */
#define SDUNIT_CALL_TIMEOUT_USEC (5 * USEC_PER_SEC)

/* Pure: the systemd unit whose own cgroup is rel (relative to the cgroup2
 * root, no leading '/'), written to ret_unit. A unit owns rel when its last
 * component is a unit name of a kind that has a cgroup (.service, .scope,
 * .slice, .socket, .mount, .swap) and every component above it is a slice
 * nested the way systemd nests them ("a.slice/a-b.slice/x.service"). Below a
 * service or scope (a delegated subtree: "docker-<id>.scope/init",
 * "user@1000.service/app.slice/x.service", which belong to another manager)
 * and outside slices ("docker/<id>" of Docker's cgroupfs driver) no unit of
 * the system manager owns the cgroup. 1 owned, 0 not owned, -EINVAL rel
 * malformed, -ENAMETOOLONG the name does not fit. */
int sdunit_from_cgroup(const char *rel, char *ret_unit, size_t size);

/* The memory properties a call sets; each only when its set[] is true. */
enum sdunit_memory_prop {
        SDUNIT_MEMORY_MAX,      /* MemoryMax */
        SDUNIT_MEMORY_HIGH,     /* MemoryHigh */
        SDUNIT_MEMORY_SWAP_MAX, /* MemorySwapMax */
        SDUNIT_MEMORY_LOW,      /* MemoryLow */
        SDUNIT_MEMORY_MIN,      /* MemoryMin */
        SDUNIT_MEMORY_PROP_COUNT,
};

struct sdunit_memory {
        bool set[SDUNIT_MEMORY_PROP_COUNT];
        uint64_t bytes[SDUNIT_MEMORY_PROP_COUNT]; /* BYTES_MAX = "infinity" */
};

/* "MemoryHigh", ... */
const char *sdunit_memory_prop_name(enum sdunit_memory_prop p);
/* The cgroup file a property sets: "memory.high", ... */
const char *sdunit_memory_prop_file(enum sdunit_memory_prop p);

struct sdunit;

/* usec: a lost or refused bus connection is tried again at most this often */
#define SDUNIT_RECONNECT_USEC (5 * USEC_PER_SEC)

/* Connect to the system bus and attach to event. 1 connected; 0 systemd is
 * the init system but its bus did not answer (the object is returned and
 * calls reconnect, meanwhile they fail -ENOTCONN); -ENOMEDIUM where systemd
 * is not the init system (sd_booted()): the caller then writes cgroup files
 * itself. bus_address NULL: the system bus; otherwise that address (tests;
 * any failure to connect is returned). */
int sdunit_open(sd_event *event, const char *bus_address, struct sdunit **ret);
bool sdunit_connected(const struct sdunit *s);
struct sdunit *sdunit_free(struct sdunit *s);

/* result: 0 done; -ENOENT the manager has no such unit (write the file
 * instead); -ETIMEDOUT no reply within SDUNIT_CALL_TIMEOUT_USEC; other
 * -errno with message (the bus error's, may be NULL). Called exactly once
 * per accepted call, from the event loop (or from sdunit_free() with
 * -ECANCELED). */
typedef void (*sdunit_done_fn)(int result, const char *message, void *userdata);

/* Queue SetUnitProperties(unit, runtime=true, props). 0 queued (cb will be
 * called), -EINVAL nothing set or a bad name, -ENOTCONN the bus is gone (a
 * later call reconnects, at most every SDUNIT_RECONNECT_USEC), other
 * -errno. On error cb is not called. */
int sdunit_set_memory(struct sdunit *s, const char *unit, const struct sdunit_memory *m,
                      sdunit_done_fn cb, void *userdata);
/* Calls queued and not yet answered. */
size_t sdunit_pending(const struct sdunit *s);
