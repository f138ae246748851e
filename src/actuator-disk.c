/* actuator-disk — the disk cleanup's changes to the system, behind the same
 * gate as the memory actions (see include/actuator.h, "Disk cleanup"). */
#include "actuator.h"

#include <assert.h>
#include <errno.h>

#include "config-match.h"
#include "disks.h"
#include "docker.h"
#include "log.h"
#include "logprune.h"
#include "overrides.h"
#include "spawner.h"

bool actuator_paused(const struct overrides *overrides)
{
        return overrides && overrides_paused(overrides);
}

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

int actuator_run_disk(const struct actuator_disk_request *rq, const struct disk_action *a,
                      actuator_disk_work_fn work, void *userdata)
{
        assert(rq && rq->config);
        assert(a && a->kind != DISK_ACTION_NONE);
        assert(work);

        /* pause stops disk cleanup as it stops memory actions: an automatic
         * run ends before its next action */
        if (!rq->manual && actuator_paused(rq->overrides)) {
                log_event(LOG_NOTICE, MSGID_CLEANUP, NULL,
                          "cleanup of %s stopped before %s: enforcement paused",
                          a->disk ?: "(manual)", disk_action_kind_name(a->kind));
                return -ECANCELED;
        }
        return work(rq, a, userdata);
}

int actuator_unlink_log(const struct actuator_disk_request *rq, struct logprune_scan *scan,
                        size_t i, uint64_t *ret_freed)
{
        int r = actuator_disk_gate(rq);

        return r < 0 ? r : logprune_delete(scan, i, ret_freed);
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
