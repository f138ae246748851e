/* control — the control socket server (on the daemon's sd-event loop) and
 * the operator state it manages: overrides, pause, history persistence and
 * the metrics file.
 *
 * Socket: a SOCK_STREAM unix socket, either passed by systemd
 * (sd_listen_fds(), units/sutazai-governor.socket) or created at path: its
 * directory is created 0755 if missing and must be a real directory (not a
 * symlink) owned by us and not writable by group or others; a stale socket
 * is replaced, a live one (another governor) is refused with -EADDRINUSE.
 * The socket is mode 0660, group CONTROL_GROUP when that group exists.
 * Protocol: include/control_proto.h.
 *
 * Access by SO_PEERCRED / SO_PEERGROUPS: uid 0 may do everything; members of
 * CONTROL_GROUP (primary or supplementary) the reading verbs; others are
 * refused with an error response.
 *
 * Robustness: non-blocking; root is always served (issue 13): the backlog
 * is drained at once, and a client without a slot is answered "busy" and
 * closed instead of waiting there ahead of root. Unprivileged clients share
 * CONTROL_CLIENTS_MAX slots, CONTROL_CLIENTS_PER_UID_MAX per uid; root has
 * CONTROL_ROOT_CLIENTS_MAX of its own, and past those the oldest
 * unprivileged client is dropped to make room; root's clients are served
 * before others that are ready at the same time. A client's request buffer is
 * allocated once it sends something: idle connections cost little. CONTROL_GROUP is looked up at start-up and by
 * control_reload(), never per connection (NSS may be slow). Each client has
 * CONTROL_CLIENT_TIMEOUT_USEC to send its request and again to read the
 * response, else it is dropped. A bad request gets an error response; a
 * client that misbehaves is dropped; neither affects governing.
 *
 * Seam with its owner (no call back into the daemon, no daemon.h): control
 * reads a struct status (include/status.h) that the owner publishes once per
 * evaluation and hands over by const pointer; it owns the operator's state
 * (struct overrides: set-limit, clear, pause, resume change it here, saved
 * before they are acknowledged), and asks for everything else through the
 * struct control_ops table given at control_new: re-evaluate after a change,
 * reload the configuration, start a disk cleanup.
 *   control_state_open(...) at start-up: creates the overrides and restores
 *                           overrides.json and history.json from the state
 *                           directory;
 *   control_new(...)        opens the socket and the override expiry timer;
 *   control_reload(c)       on SIGHUP: looks the control group up again;
 *   control_tick(c)         every tick: saves history when it changed and
 *                           writes metrics_file;
 *   control_free(c)         saves history, closes everything (unlinks the
 *                           socket it created).
 * Policy input: overrides_get(overrides, ...) and overrides_paused(). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <systemd/sd-event.h>

#include "util.h"

#define CONTROL_CLIENTS_MAX         32 /* concurrent connections of unprivileged clients */
#define CONTROL_CLIENTS_PER_UID_MAX 8  /* of those, from one uid */
#define CONTROL_ROOT_CLIENTS_MAX    128 /* root's own slots, beside the shared ones */
#define CONTROL_ACCEPT_BATCH        64 /* connections accepted per loop wake-up */
#define CONTROL_ROOT_PRIORITY       (SD_EVENT_PRIORITY_NORMAL - 1) /* root's clients before others */
#define CONTROL_CLIENT_TIMEOUT_USEC (2 * USEC_PER_SEC)   /* per phase: request, response */
#define CONTROL_BACKLOG             256                  /* connections not yet accepted */
#define CONTROL_MIN_LIMIT_BYTES     (6ULL * 1024 * 1024) /* Docker refuses less than 6 MiB */

struct control;
struct disks_report;
struct history;
struct overrides;
struct status;

/* What control asks of its owner. Each is called on the loop, from a
 * request's handler; userdata is passed back as given. */
struct control_ops {
        void *userdata;
        /* Re-sample and re-evaluate now (an override or pause changed); the
         * status is published again before this returns. Required. */
        void (*evaluate)(void *userdata, const char *reason);
        /* Reload the configuration; on refusal < 0 with err filled and the
         * running configuration kept. Required. */
        int (*reload)(void *userdata, char *err, size_t err_size);
        /* Start a disk cleanup now (disks_cleanup_now()'s contract: done is
         * called once, later, unless it returns < 0). NULL: not available. */
        int (*cleanup)(void *userdata, bool dry_run,
                       void (*done)(const struct disks_report *report, void *done_userdata),
                       void *done_userdata);
};

/* Create the overrides (*ret, owned by the caller: overrides_free()) and
 * restore them and history from state_dir (created 0750 if missing; NULL or
 * "": nothing kept). A missing or corrupt file is logged and the governor
 * starts clean. 0, or -ENOMEM (*ret may be set then too). */
int control_state_open(const char *state_dir, struct history *history, struct overrides **ret);

/* Listen on path (or a socket passed by systemd). status and overrides must
 * outlive the control; ops is copied. 0 or -errno. */
int control_new(sd_event *event, const char *path, const struct status *status,
                struct overrides *overrides, const struct control_ops *ops,
                struct control **ret);
struct control *control_free(struct control *c);

/* Persist history when it changed; write the metrics file. Never fails. */
void control_tick(struct control *c);

/* Look CONTROL_GROUP up again (on SIGHUP): who may read changes only here. */
void control_reload(struct control *c);

/* Re-arm the expiry timer after overrides changed outside the control socket. */
void control_overrides_changed(struct control *c);
