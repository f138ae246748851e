/* actuator — the only module that changes the system, and the one gate every
 * action passes.
 *
 *   actuator_run(act, env, snapshot, plan, policy_state)
 *
 * For each action of the plan, in order, once:
 *   1. pause: an operator pause read fresh (it may have arrived since the
 *      plan) → skipped;
 *   2. structural protection (policy_structural_block): a cgroup that
 *      contains a protected group, or a container's cgroup seen as a plain
 *      cgroup, is never the target → skipped;
 *   3. the re-check: a stop or kill is re-sampled (host memory and the
 *      target) and must pass policy_confirm() → else skipped;
 *   4. dry-run: logged and recorded as it would have been, nothing changed;
 *   5. carried out, kernel first:
 *        kill      cgroup.kill on the group's cgroup2 directory (the whole
 *                  container; on hybrid hosts the unified tree's), written
 *                  synchronously. A container's Docker is told afterwards,
 *                  asynchronously (POST /containers/{id}/kill): dockerd marks
 *                  it stopped by hand, so no restart policy (always,
 *                  unless-stopped, on-failure) brings it back into the same
 *                  pressure. Docker's answer does not change the outcome.
 *                  Without cgroup.kill (kernel < 5.14) a container is killed
 *                  through Docker.
 *        stop      POST /containers/{id}/stop?t=stop_timeout (the grace
 *                  period). If Docker has not confirmed after the grace
 *                  period + ACTUATOR_STOP_MARGIN_USEC, the actuator writes
 *                  cgroup.kill itself: the escalation never waits on dockerd.
 *        throttle  memory.high written; a systemd unit owning the cgroup is
 *                  told the same value afterwards (so daemon-reload keeps it);
 *        reclaim   memory.reclaim;
 *        limit,    containers through Docker's update (Docker keeps its view
 *        high      true); cgroups a systemd unit owns through SetUnitProperties
 *                  (sdunit.h, outcome = the manager's reply); other cgroups
 *                  as memory.max (+ memory.swap.max) / memory.high.
 *   6. the outcome: one journal line (MSGID_ACTION, GOVERNOR_* fields; ERR
 *      and MSGID_ACTION_FAILED when it failed) and one history entry with
 *      its result — done only once the kernel or Docker confirmed it
 *      (an asynchronous request records when it completes), failed with the
 *      error, dry-run, or skipped with why. policy_note_action() paces the
 *      policy for every action tried, skipped ones included.
 * It also logs the candidates the policy considered, before the first
 * destructive action of a plan. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "cgfs.h"
#include "config.h"
#include "docker.h"
#include "policy.h"
#include "snapshot.h"
#include "spawner.h"

/* usec: how long after a stop's grace period Docker may take to confirm
 * before the actuator kills the container through cgroup.kill itself */
#define ACTUATOR_STOP_MARGIN_USEC (2 * USEC_PER_SEC)

struct docker;
struct history;
struct oomguard;
struct overrides;
struct sdunit;
struct actuator;

/* What lives as long as the actuator. history may be NULL (nothing kept). */
struct actuator_deps {
        sd_event *event; /* stop escalation timers */
        struct cgfs *fs;
        const struct cgfs_layout_info *layout;
        struct history *history;
};

/* What may change between runs (reload, Docker attaching). */
struct actuator_env {
        const struct config *config;
        struct docker *docker;       /* NULL: no Docker configured */
        struct overrides *overrides; /* NULL: no pause */
        struct sdunit *sdunit;       /* NULL: no systemd; cgroup files only */
        struct oomguard *oomguard;   /* NULL: no defense in depth pass */
        bool dry_run;
};

int actuator_new(const struct actuator_deps *deps, struct actuator **ret);
/* Pending stop escalations are dropped; free Docker (which completes its
 * requests with -ECANCELED) before the actuator. */
struct actuator *actuator_free(struct actuator *act);

/* Carry out plan, whose action group indices point into snapshot; then
 * the oomguard pass (oomguard.h), which fills snapshot's oom_score_adj
 * status fields. */
void actuator_run(struct actuator *act, const struct actuator_env *env,
                  struct snapshot *snapshot, const struct plan *plan,
                  struct policy_state *policy);

/* Record an outcome in the one history and the counters (failed and
 * skipped count in actuator_stats): an OOM kill the kernel or Docker
 * reported, and every outcome the actuator records itself. result and
 * detail as history.h (HISTORY_RESULT_*; detail: the error or why, else
 * NULL); the caller logs it. */
void actuator_record(struct actuator *act, const char *kind, const char *target,
                     const char *reason, uint64_t bytes, bool has_bytes, int result,
                     const char *detail);

/* why a paused action is skipped, memory and disk alike (history "why") */
#define ACTUATOR_PAUSED_WHY "enforcement is paused"

/* ---- Disk cleanup ---------------------------------------------------------
 * The pure disk policy plans one disk action at a time (disks_next_action,
 * disks.h: prune-logs, vacuum-journal, prune-containers, prune-images,
 * prune-build-cache, evict-image); disks-cleanup.c re-reads the disk after
 * each and hands the next to actuator_run_disk, the one entry point for
 * every disk action:
 *   pause    the governor's own cleanup (manual = false) does not start an
 *            action while enforcement is paused (actuator_disk_admit):
 *            -ECANCELED, the action's work never starts, and the action is
 *            in history as skipped (why: ACTUATOR_PAUSED_WHY) once per
 *            action kind, disk and tier per pause window — not once per
 *            tick; an operator's `cleanup` is their explicit request;
 *   work     the action's work (listing logs, stopped containers, images,
 *            and choosing among them) runs with the same request, so every
 *            change it makes passes one gate (actuator_disk_gate):
 *     dry-run  -EROFS: nothing is changed (the work lists instead);
 *     pause    -ECANCELED: a pause that arrives while an action runs stops
 *              its remaining changes (the work reports -ECANCELED);
 *     protect  a container a protect rule matches (or one Docker does not
 *              know) is never removed: -EPERM.
 *   outcome  the work returns what it did (struct actuator_disk_outcome);
 *            the actuator alone records it: one history entry (kind =
 *            disk_action_kind_name; done, failed + error, dry-run, or
 *            skipped + why), one journal summary line (MSGID_CLEANUP, or
 *            MSGID_ACTION_FAILED) and the counters (actuator_stats). A
 *            manual dry-run (report_only) answers the operator only: logged,
 *            not in history. */
struct logprune_file;
struct logprune_scan;
struct actuator_disk_request {
        const struct config *config;
        struct docker *docker;             /* NULL: Docker steps fail -ENOTCONN */
        const struct overrides *overrides; /* NULL: never paused */
        bool dry_run;                      /* the daemon's or the request's */
        bool manual;                       /* `sutazai-govctl cleanup` */
        bool report_only;                  /* a manual dry-run: nothing into history */
};

/* What one disk action did, as its work reports it. */
struct actuator_disk_outcome {
        int result;         /* 0 done (dry-run: planned), -ECANCELED paused midway,
                             * other -errno failed */
        char target[256];   /* "logs:app", "journal", an image...; "" nothing to record
                             * (result 0: the action found nothing to do) */
        char what[160];     /* "12 file(s) removed in /var/log/app" */
        char detail[128];   /* failed: the error as said ("journalctl status 1");
                             * "" = strerror(-result) */
        uint64_t bytes;     /* freed (or would be) */
        bool has_bytes;     /* false: size unknown */
        uint64_t statvfs_freed; /* measured: avail after - before the action */
};

/* Does a protect rule match this container (config_rule_find lets a protect
 * rule win over an earlier unprotected one)? */
bool actuator_container_protected(const struct config *c, const struct docker_container *dc);
/* The pause every action honours, memory and disk alike. */
bool actuator_paused(const struct overrides *overrides);
/* 0 go, -EROFS dry-run, -ECANCELED paused. */
int actuator_disk_gate(const struct actuator_disk_request *rq);
struct disk_action;
/* The work ran and reports through actuator_disk_complete (now or later). */
#define ACTUATOR_DISK_PENDING 2
/* An action's work: 0 (over: ret is recorded), 1 (a slice done: ret, if it
 * names a target, is recorded, and the same action runs again on a later
 * loop iteration, so a big directory never holds the loop),
 * ACTUATOR_DISK_PENDING (asynchronous: ret is not looked at), -ENOMEM, or
 * another -errno (failed before any change: recorded failed). */
typedef int (*actuator_disk_work_fn)(const struct actuator_disk_request *rq,
                                     const struct disk_action *a,
                                     struct actuator_disk_outcome *ret, void *userdata);
/* May the governor's own cleanup start action a now? 0 yes, -ECANCELED
 * paused (recorded skipped, as above). act may be NULL (nothing recorded). */
int actuator_disk_admit(struct actuator *act, const struct actuator_disk_request *rq,
                        const struct disk_action *a);
/* Carry out one planned disk action: actuator_disk_admit, then work, then
 * the outcome recorded. -ECANCELED (paused, work not called), or what work
 * returned. act may be NULL: the outcome is logged only. */
int actuator_run_disk(struct actuator *act, const struct actuator_disk_request *rq,
                      const struct disk_action *a, actuator_disk_work_fn work, void *userdata);
/* The outcome of an action whose work returned ACTUATOR_DISK_PENDING. */
void actuator_disk_complete(struct actuator *act, const struct actuator_disk_request *rq,
                            const struct disk_action *a, const struct actuator_disk_outcome *o);
/* f: a file scan found (logprune_delete_file) */
int actuator_unlink_log(const struct actuator_disk_request *rq, const struct logprune_scan *scan,
                        const struct logprune_file *f, uint64_t *ret_freed);
int actuator_vacuum_journal(const struct actuator_disk_request *rq, sd_event *event,
                            const char *journalctl, char *const argv[], usec_t timeout_usec,
                            size_t output_max, spawner_done_fn done, void *userdata,
                            struct spawner **ret);
int actuator_remove_container(const struct actuator_disk_request *rq, const char *id,
                              docker_done_fn done, void *userdata);
int actuator_prune_dangling_images(const struct actuator_disk_request *rq, docker_prune_fn done,
                                   void *userdata);
int actuator_prune_build_cache(const struct actuator_disk_request *rq, docker_prune_fn done,
                               void *userdata);
int actuator_remove_image(const struct actuator_disk_request *rq, const char *ref,
                          docker_done_fn done, void *userdata);

struct actuator_stats {
        uint64_t failed;  /* actions that failed, memory and disk */
        uint64_t skipped; /* actions the gate refused */
        uint64_t bytes_freed; /* what disk actions done reported freed */
        uint64_t pending; /* asynchronous actions not yet confirmed */
        uint64_t docker_in_flight; /* of those, requests Docker has not answered
                                    * (a kill's tell included): the daemon
                                    * waits a moment for them at exit */
};
void actuator_get_stats(const struct actuator *act, struct actuator_stats *ret);
