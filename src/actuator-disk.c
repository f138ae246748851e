/* actuator-disk — the disk cleanup's changes to the system, behind the same
 * gate as the memory actions, and the record of each disk action's outcome
 * (see include/actuator.h, "Disk cleanup"). */
#include "actuator-private.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config-match.h"
#include "disks.h"
#include "docker.h"
#include "history.h"
#include "log.h"
#include "logprune.h"
#include "overrides.h"
#include "spawner.h"
#include "units.h"

bool actuator_container_protected(const struct config *c, const struct docker_container *dc)
{
        int rule = config_rule_find(c, RULE_CONTAINER, dc->name, dc->image,
                                    (const char *const *)dc->labels, NULL);

        return rule >= 0 && c->rules[rule].protect;
}

/* Unknown containers count as protected: nothing is removed that the
 * governor cannot judge. */
static bool container_protected(const struct actuator_disk_request *rq, const char *id)
{
        const struct docker_container *c = docker_container_find(rq->docker, id);

        return !c || actuator_container_protected(rq->config, c);
}

int actuator_disk_gate(const struct actuator_disk_request *rq)
{
        assert(rq && rq->config);
        if (rq->dry_run)
                return -EROFS;
        /* an operator's `cleanup` is their explicit request; pause holds
         * back what the governor does on its own */
        if (!rq->manual && actuator_paused(rq->overrides))
                return -ECANCELED;
        return 0;
}

/* ---- the outcome ----------------------------------------------------------- */

/* Already recorded as skipped in this pause window, with the same plan? */
static bool disk_pause_seen(struct actuator *act, const struct actuator_disk_request *rq,
                            const struct disk_action *a)
{
        usec_t until = overrides_paused_until(rq->overrides);
        const char *disk = a->disk ? a->disk : "";
        struct actuator_disk_paused *e;

        if (act->n_disk_paused > 0 && act->disk_paused_until != until)
                act->n_disk_paused = 0; /* paused anew, for another span */
        act->disk_paused_until = until;
        for (size_t i = 0; i < act->n_disk_paused; i++) {
                e = &act->disk_paused[i];
                if (e->kind == a->kind && strcmp(e->disk, disk) == 0) {
                        if (e->tier == a->tier)
                                return true;
                        e->tier = a->tier; /* the plan changed: a new entry */
                        return false;
                }
        }
        if (act->n_disk_paused == ACTUATOR_DISK_PAUSED_MAX)
                act->n_disk_paused = 0; /* more disks than remembered: start over */
        e = &act->disk_paused[act->n_disk_paused++];
        *e = (struct actuator_disk_paused){.kind = a->kind, .tier = a->tier};
        util_strlcpy(e->disk, disk, sizeof e->disk);
        return false;
}

static void disk_log(int priority, const char *message_id, const struct actuator_disk_request *rq,
                     const struct disk_action *a, const struct actuator_disk_outcome *o,
                     const char *text)
{
        char f_action[64], f_bytes[64], f_measured[64], f_disk[4200], f_dry[32];
        const char *fields[] = {f_action, f_bytes, f_measured, f_disk, f_dry, NULL};

        snprintf(f_action, sizeof f_action, "GOVERNOR_ACTION=%s", disk_action_kind_name(a->kind));
        snprintf(f_bytes, sizeof f_bytes, "GOVERNOR_BYTES=%" PRIu64, o->has_bytes ? o->bytes : 0);
        snprintf(f_measured, sizeof f_measured, "GOVERNOR_STATVFS_FREED=%" PRIu64,
                 o->statvfs_freed);
        snprintf(f_disk, sizeof f_disk, "GOVERNOR_DISK=%s",
                 !rq->manual && a->disk ? a->disk : "(manual)");
        snprintf(f_dry, sizeof f_dry, "GOVERNOR_DRY_RUN=%d", rq->dry_run ? 1 : 0);
        log_event(priority, message_id, fields, "%s", text);
}

/* The action's own target when its work named none (it failed early). */
static const char *disk_default_target(const struct disk_action *a)
{
        switch (a->kind) {
        case DISK_ACTION_PRUNE_LOGS:
                return "logs";
        case DISK_ACTION_VACUUM_JOURNAL:
                return "journal";
        case DISK_ACTION_PRUNE_CONTAINERS:
                return "stopped containers";
        case DISK_ACTION_PRUNE_IMAGES:
                return "dangling images";
        case DISK_ACTION_PRUNE_BUILD_CACHE:
                return "build cache";
        case DISK_ACTION_EVICT_IMAGE:
                return "images";
        case DISK_ACTION_NONE:
                break;
        }
        return "?";
}

/* A disk action not carried out because enforcement is paused: recorded as
 * the memory actions are (skipped, why), once per pause window and plan. */
static void disk_skipped_paused(struct actuator *act, const struct actuator_disk_request *rq,
                                const struct disk_action *a)
{
        const char *target = a->disk ? a->disk : disk_default_target(a);
        struct actuator_disk_outcome none = {0};
        char text[512];

        if (act && disk_pause_seen(act, rq, a)) {
                log_debug("cleanup %s of %s held back: %s", disk_action_kind_name(a->kind),
                          target, ACTUATOR_PAUSED_WHY);
                return;
        }
        snprintf(text, sizeof text, "cleanup %s of %s skipped: %s (%s)",
                 disk_action_kind_name(a->kind), target, ACTUATOR_PAUSED_WHY, a->reason);
        disk_log(LOG_INFO, MSGID_CLEANUP, rq, a, &none, text);
        if (act && !rq->report_only)
                actuator_record(act, disk_action_kind_name(a->kind), target, a->reason, 0, false,
                                HISTORY_RESULT_SKIPPED, ACTUATOR_PAUSED_WHY);
}

void actuator_disk_complete(struct actuator *act, const struct actuator_disk_request *rq,
                            const struct disk_action *a, const struct actuator_disk_outcome *o)
{
        const char *kind = disk_action_kind_name(a->kind);
        const char *target = o->target[0] ? o->target : disk_default_target(a);
        char reason[600], text[1400], human[32], measured[32], where[300];
        const char *error = o->detail[0] ? o->detail : strerror(o->result < 0 ? -o->result : 0);

        assert(rq && a && o);
        if (o->result == 0 && !o->target[0])
                return; /* nothing to do: nothing done */
        if (o->result == -ECANCELED) {
                disk_skipped_paused(act, rq, a);
                return;
        }
        units_format_bytes_human(o->bytes, human, sizeof human);
        units_format_bytes_human(o->statvfs_freed, measured, sizeof measured);
        if (rq->manual)
                snprintf(where, sizeof where, "operator request");
        else
                snprintf(where, sizeof where, "disk %s at %s", a->disk ? a->disk : "?",
                         tier_name(a->tier));
        snprintf(reason, sizeof reason, "%s%s%s; statvfs +%s", o->what, o->what[0] ? "; " : "",
                 where, measured);
        if (o->result < 0) {
                snprintf(text, sizeof text, "cleanup %s of %s failed: %s (%s)", kind, target,
                         error, reason);
                disk_log(LOG_WARNING, MSGID_ACTION_FAILED, rq, a, o, text);
        } else {
                snprintf(text, sizeof text, "cleanup %s%s: %s, %s freed", kind,
                         rq->dry_run ? " (dry-run)" : "", reason,
                         o->has_bytes ? human : "size unknown");
                disk_log(LOG_NOTICE, MSGID_CLEANUP, rq, a, o, text);
        }
        if (!act)
                return;
        if (o->result == 0 && !rq->dry_run && o->has_bytes)
                act->stats.bytes_freed += o->bytes;
        /* A manual dry-run answers the operator only; the daemon's own
         * dry-run is history ("would have been taken"). */
        if (rq->report_only)
                return;
        actuator_record(act, kind, target, reason, o->bytes, o->has_bytes,
                        o->result < 0  ? HISTORY_RESULT_FAILED
                        : rq->dry_run ? HISTORY_RESULT_DRY_RUN
                                      : HISTORY_RESULT_DONE,
                        o->result < 0 ? error : NULL);
}

/* ---- the one entry point ----------------------------------------------------- */

int actuator_disk_admit(struct actuator *act, const struct actuator_disk_request *rq,
                        const struct disk_action *a)
{
        assert(rq && rq->config);
        assert(a && a->kind != DISK_ACTION_NONE);
        /* pause stops disk cleanup as it stops memory actions: an automatic
         * run does not start its next action */
        if (!actuator_paused(rq->overrides)) {
                actuator_disk_pause_over(act);
                return 0;
        }
        if (rq->manual)
                return 0;
        disk_skipped_paused(act, rq, a);
        return -ECANCELED;
}

int actuator_run_disk(struct actuator *act, const struct actuator_disk_request *rq,
                      const struct disk_action *a, actuator_disk_work_fn work, void *userdata)
{
        struct actuator_disk_outcome o = {0};
        int r;

        assert(work);
        r = actuator_disk_admit(act, rq, a);
        if (r < 0)
                return r;
        r = work(rq, a, &o, userdata);
        if (r == ACTUATOR_DISK_PENDING || r == -ENOMEM)
                return r;
        if (r < 0)
                o.result = r;
        actuator_disk_complete(act, rq, a, &o);
        return r;
}

int actuator_unlink_log(const struct actuator_disk_request *rq, const struct logprune_scan *scan,
                        const struct logprune_file *f, uint64_t *ret_freed)
{
        int r = actuator_disk_gate(rq);

        return r < 0 ? r : logprune_delete_file(scan, f, ret_freed);
}

int actuator_vacuum_journal(const struct actuator_disk_request *rq, sd_event *event,
                            const char *journalctl, char *const argv[], usec_t timeout_usec,
                            size_t output_max, spawner_done_fn done, void *userdata,
                            struct spawner **ret)
{
        int r = actuator_disk_gate(rq);

        return r < 0 ? r
                     : spawner_run(event, journalctl, argv, timeout_usec, output_max, done,
                                   userdata, ret);
}

int actuator_remove_container(const struct actuator_disk_request *rq, const char *id,
                              docker_done_fn done, void *userdata)
{
        int r = actuator_disk_gate(rq);

        if (r < 0)
                return r;
        if (!rq->docker)
                return -ENOTCONN;
        if (container_protected(rq, id))
                return -EPERM;
        return docker_container_remove(rq->docker, id, done, userdata);
}

int actuator_prune_dangling_images(const struct actuator_disk_request *rq, docker_prune_fn done,
                                   void *userdata)
{
        int r = actuator_disk_gate(rq);

        if (r < 0)
                return r;
        return rq->docker ? docker_prune_dangling_images(rq->docker, done, userdata) : -ENOTCONN;
}

int actuator_prune_build_cache(const struct actuator_disk_request *rq, docker_prune_fn done,
                               void *userdata)
{
        int r = actuator_disk_gate(rq);

        if (r < 0)
                return r;
        return rq->docker ? docker_prune_build_cache(rq->docker, done, userdata) : -ENOTCONN;
}

int actuator_remove_image(const struct actuator_disk_request *rq, const char *ref,
                          docker_done_fn done, void *userdata)
{
        int r = actuator_disk_gate(rq);

        if (r < 0)
                return r;
        return rq->docker ? docker_image_remove(rq->docker, ref, done, userdata) : -ENOTCONN;
}
