/* control — the control plane's owner: wires the socket server
 * (control_server.h) to the verbs (control_verbs.h), and keeps the
 * operator's state: overrides, pause, history persistence and the metrics
 * file. Protocol: include/control_proto.h.
 *
 * It dispatches each request a peer may make (the server already refused
 * peers that may not read): parses it, refuses a changing verb to anyone
 * but root, and hands it to its verb. A change to the overrides is saved
 * before it is acknowledged, and re-arms the override expiry timer.
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

#include "control_ops.h"
#include "util.h"

struct control;
struct history;
struct overrides;
struct status;

/* Create the overrides (*ret, owned by the caller: overrides_free()) and
 * restore them and history from state_dir (created 0750 if missing; NULL or
 * "": nothing kept). A missing or corrupt file is logged and the governor
 * starts clean. 0, or -ENOMEM (*ret may be set then too). */
int control_state_open(const char *state_dir, struct history *history, struct overrides **ret);

/* Listen on path (or a socket passed by systemd). status and overrides must
 * outlive the control; ops is copied. 0 or -errno. */
int control_new(sd_event *event, const char *path, const struct status *status,
                struct overrides *overrides, const struct control_ops *ops, struct control **ret);
struct control *control_free(struct control *c);

/* Persist history when it changed; write the metrics file. Never fails. */
void control_tick(struct control *c);

/* Look CONTROL_GROUP up again (on SIGHUP): who may read changes only here. */
void control_reload(struct control *c);

/* Re-arm the expiry timer after overrides changed outside the control socket. */
void control_overrides_changed(struct control *c);
