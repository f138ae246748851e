/* daemon — the governor process: one sd-event loop that owns every part.
 *
 *   sources: PSI trigger fds (EPOLLPRI), the interval timer, signals
 *            (SIGTERM/SIGINT exit 0, SIGHUP reload), the watchdog, the
 *            Docker connection, the control socket.
 *   each wake-up: sample → policy_evaluate → actuator → journal/history/metrics.
 *
 * The daemon wires the parts and owns the loop. Those who serve operators
 * (control, metrics) never see struct daemon: at the end of each evaluation
 * (and after a reload) it publishes a struct status (include/status.h) they
 * read, and control asks for changes through the struct control_ops the
 * daemon gives it (evaluate, reload, cleanup). Only daemon.c and the
 * actuator change what is below. */
#pragma once

#include <stdbool.h>
#include <systemd/sd-event.h>

#include "cgfs.h"
#include "config.h"
#include "policy.h"
#include "snapshot.h"
#include "status.h"
#include "tier.h"
#include "util.h"

struct docker;
struct history;
struct overrides;
struct control;
struct ticker;
struct triggers;
struct disks;
struct sdunit;
struct oomguard;
struct actuator;

/* Command-line settings; each non-NULL/true one wins over the config file. */
struct daemon_options {
        const char *config_path;
        bool dry_run;
        const char *cgroup_root;
        const char *docker_socket;
        const char *control_socket;
        const char *state_dir;
        const char *proc_root; /* tests only: default "/proc" */
};

struct daemon {
        sd_event *event;
        struct daemon_options options;
        struct config *config;
        struct cgfs_layout_info layout;
        struct cgfs *fs;
        struct docker *docker; /* NULL until configured; attaches when the socket appears */
        struct triggers *triggers;
        struct control *control;
        struct history *history;
        struct overrides *overrides;
        struct disks *disks;
        struct sdunit *sdunit;     /* systemd's manager; NULL: cgroup files only */
        struct oomguard *oomguard; /* oom_score_adj, memory.oom.group/low/min */
        struct actuator *actuator;
        struct ticker *ticker; /* the sampling tick (ticker.h) */
        sd_event_source *cgroup_watch; /* cgfs change events: groups to re-read */
        usec_t control_tick_usec;      /* the tick that last ran control_tick() (0 never) */
        uint64_t control_tick_history; /* history_total() then */
        struct snapshot snapshot; /* the last sample */
        /* host memory as of the last read (a full sample or a tick's host
         * read alone): how long the tick may sleep */
        double host_used_percent;
        uint64_t host_total_bytes;
        /* the host's memory PSI "some" avg10 as last read (psi_known), and
         * until when a calm tick reads it whatever it was (a host trigger
         * fired): see host_psi_needed() */
        struct psi_trigger_spec psi_watch; /* the calm tick's watch (trigger.h) ... */
        bool psi_watch_set;                /* ... when a pressure_* mark is set */
        double host_psi_some_avg10;
        bool host_psi_known;
        usec_t host_psi_read_until;
        usec_t control_tick_sample_usec; /* snapshot.time when metrics were last written */
        struct policy_state policy;
        struct plan plan; /* the last plan */
        bool dry_run;     /* effective: flag or config */
        /* the daemon's own; the actuator and disk cleanup count their
         * failures and bytes themselves, added in when published */
        struct status_counters counters;
        struct status status; /* published once per evaluation, for control and metrics */
        usec_t started_realtime_usec;
        bool evaluating; /* re-entrancy guard */
        usec_t exit_deadline_usec; /* exiting: when to stop waiting for Docker */
        /* The state directory checked at start-up (safety.h) and used until
         * exit, whatever a reload says; "" = refused or none. */
        char *state_dir_checked;
};

/* Parse flags, load config, open everything, run the loop. Returns the exit status. */
int daemon_main(const struct daemon_options *opts);

/* Re-sample and re-evaluate now (called on PSI triggers, Docker events,
 * control requests). reason for debug logs. */
void daemon_evaluate(struct daemon *d, const char *reason);

/* Reload the configuration; on error the old one is kept and err filled. */
int daemon_reload(struct daemon *d, char *err, size_t err_size);
