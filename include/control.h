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
 * Daemon integration (the only calls daemon.c needs):
 *   control_state_open(d)   at start-up, after d->history exists: creates
 *                           d->overrides, restores overrides.json and
 *                           history.json from the state directory;
 *   control_new(...)        opens the socket and the override expiry timer;
 *   control_reload(c)       on SIGHUP: looks the control group up again;
 *   control_tick(c)         every tick: saves history when it changed and
 *                           writes metrics_file;
 *   control_free(c)         saves history, closes everything (unlinks the
 *                           socket it created).
 * Policy input: overrides_get(d->overrides, ...) and overrides_paused(). */
#pragma once

#include <stdbool.h>
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

struct daemon;
struct control;

/* Create d->overrides and restore overrides and history from the state
 * directory (created 0750 if missing). A missing or corrupt file is logged
 * and the daemon starts clean. 0, or -ENOMEM. */
int control_state_open(struct daemon *d);

/* Listen on path (or a socket passed by systemd). 0 or -errno. */
int control_new(sd_event *event, const char *path, struct daemon *d, struct control **ret);
struct control *control_free(struct control *c);

/* Persist history when it changed; write the metrics file. Never fails. */
void control_tick(struct control *c);

/* Look CONTROL_GROUP up again (on SIGHUP): who may read changes only here. */
void control_reload(struct control *c);

/* Re-arm the expiry timer after overrides changed outside the control socket. */
void control_overrides_changed(struct control *c);
