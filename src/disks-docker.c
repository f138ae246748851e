/* disks-docker — a cleanup's Docker stages (stopped containers, dangling
 * images, build cache); see src/disks-docker.h. */
#include "disks-docker.h"

/* The container minimum age of the disk, or for a manual run the most
 * conservative of all disks. */
static usec_t container_min_age(struct job *job)
{
        const struct config *c = job->disks->env.config;
        usec_t age = 0;

        if (!job->manual) {
                const struct disk_section *s = disks_disk_config(&job->disks->env, job->disk_path);
                return s ? s->container_min_age_usec : USEC_INFINITY;
        }
        for (size_t i = 0; i < c->n_disks; i++)
                if (c->disks[i].container_min_age_usec > age)
                        age = c->disks[i].container_min_age_usec;
        return age;
}

static void prune_done(int result, uint64_t reclaimed, const char *const *deleted, void *userdata)
{
        struct job *job = userdata;
        const char *history_kind, *item_kind, *target;
        struct actuator_disk_outcome o = {0};
        size_t n = 0;

        job->waiting = false;
        if (!job->disks) {
                disks_job_free(job);
                return;
        }
        /* images and build cache: containers are removed one by one */
        switch (job->stage) {
        case DISK_ACTION_PRUNE_IMAGES:
                history_kind = "prune-images";
                item_kind = "image";
                target = "dangling images";
                break;
        default:
                history_kind = "prune-build-cache";
                item_kind = "build-cache";
                target = "build cache";
                break;
        }
        if (result < 0) {
                disks_outcome_set(&o, result, target, 0, false, "disk cleanup");
                disks_job_complete(job, &o);
                return;
        }
        for (const char *const *p = deleted; p && *p; p++, n++)
                if (disks_job_item_add(job, history_kind, item_kind, *p, 0, false, target, 0) < 0)
                        break;
        /* The Engine's SpaceReclaimed covers the whole prune. */
        job->bytes_freed += reclaimed;
        disks_outcome_set(&o, 0, target, reclaimed, true,
                          "%zu %s removed, Engine reclaimed %" PRIu64 " bytes", n, target,
                          reclaimed);
        disks_job_complete(job, &o);
}

static void container_remove_next(struct job *job);

static void container_remove_done(int result, const char *id, void *userdata)
{
        struct job *job = userdata;
        const char *target = job->rm_targets[job->rm_next];

        (void)id;
        job->waiting = false;
        if (!job->disks) {
                disks_job_free(job);
                return;
        }
        if (result < 0) {
                if (job->rm_result == 0)
                        job->rm_result = result;
        } else
                job->rm_done++;
        (void)disks_job_item_add(job, "prune-containers", "container", target, 0, false,
                                 job->rm_reasons[job->rm_next], result);
        job->rm_next++;
        container_remove_next(job);
}

/* One container at a time, by id: a blanket prune could take a protected one. */
static void container_remove_next(struct job *job)
{
        struct actuator_disk_outcome o = {0};
        int r;

        while (job->rm_next < job->n_rm) {
                struct actuator_disk_request rq = disks_job_request(job);
                r = actuator_remove_container(&rq, job->rm_ids[job->rm_next], container_remove_done,
                                              job);
                if (r >= 0) {
                        job->waiting = true;
                        return;
                }
                (void)disks_job_item_add(job, "prune-containers", "container",
                                         job->rm_targets[job->rm_next], 0, false,
                                         job->rm_reasons[job->rm_next], r);
                if (job->rm_result == 0)
                        job->rm_result = r;
                job->rm_next++;
        }
        /* done when any went; failed (with the first error) when none did */
        disks_outcome_set(&o, job->rm_done > 0 ? 0 : job->rm_result, "stopped containers", 0, false,
                          "%zu of %zu stopped container(s) removed by id", job->rm_done, job->n_rm);
        disks_job_rm_clear(job);
        disks_job_complete(job, &o);
}

static int rm_add(struct job *job, const char *id, const char *target, const char *reason)
{
        char **ids = reallocarray(job->rm_ids, job->n_rm + 1, sizeof(*ids));
        char **targets, **reasons;

        if (!ids)
                return -ENOMEM;
        job->rm_ids = ids;
        targets = reallocarray(job->rm_targets, job->n_rm + 1, sizeof(*targets));
        if (!targets)
                return -ENOMEM;
        job->rm_targets = targets;
        reasons = reallocarray(job->rm_reasons, job->n_rm + 1, sizeof(*reasons));
        if (!reasons)
                return -ENOMEM;
        job->rm_reasons = reasons;
        ids[job->n_rm] = strdup(id);
        targets[job->n_rm] = strdup(target);
        reasons[job->n_rm] = strdup(reason);
        if (!ids[job->n_rm] || !targets[job->n_rm] || !reasons[job->n_rm]) {
                free(ids[job->n_rm]);
                free(targets[job->n_rm]);
                free(reasons[job->n_rm]);
                return -ENOMEM;
        }
        job->n_rm++;
        return 0;
}

/* Stopped containers old enough, protected ones left out (and said so). */
int disks_docker_containers_stage(struct job *job, struct actuator_disk_outcome *o)
{
        struct disks_env *d = &job->disks->env;
        usec_t min_age = container_min_age(job);
        const struct docker_container *cs;
        usec_t now = util_realtime_usec();
        char age[32];
        size_t n, n_planned = 0;
        int r;

        if (!disks_job_docker_ready(job, "container prune"))
                return 0;
        cs = docker_containers(d->docker, &n);
        units_format_duration(min_age, age, sizeof(age));
        disks_job_rm_clear(job);
        for (size_t i = 0; i < n; i++) {
                char reason[128], target[300];

                if (cs[i].running || cs[i].created_realtime_usec > now ||
                    now - cs[i].created_realtime_usec < min_age)
                        continue;
                snprintf(target, sizeof(target), "%s (%.12s)", cs[i].name ?: "?", cs[i].id);
                if (actuator_container_protected(d->config, &cs[i])) {
                        log_info("cleanup: stopped container %s is protected, kept", target);
                        continue;
                }
                if (min_age > 0)
                        snprintf(reason, sizeof(reason), "stopped, created more than %s ago", age);
                else
                        snprintf(reason, sizeof(reason), "stopped");
                if (job->dry_run)
                        r = disks_job_item_add(job, "prune-containers", "container", target, 0,
                                               false, reason, 0);
                else
                        r = rm_add(job, cs[i].id, target, reason);
                if (r < 0)
                        return r;
                n_planned++;
        }
        if (n_planned == 0)
                return 0; /* nothing to remove: nothing to record */
        if (job->dry_run) {
                disks_outcome_set(o, 0, "stopped containers", 0, false,
                                  "%zu stopped container(s) would be removed by id", n_planned);
                return 0;
        }
        job->waiting = true; /* until the last removal answers */
        container_remove_next(job);
        return ACTUATOR_DISK_PENDING;
}

static bool image_in_use(struct disks_env *d, const char *id)
{
        size_t n;
        const struct docker_container *cs = docker_containers(d->docker, &n);

        for (size_t i = 0; i < n; i++)
                if (cs[i].image_id && strcmp(cs[i].image_id, id) == 0)
                        return true;
        return false;
}

static bool image_untagged(const struct docker_image *img)
{
        if (!img->repo_tags)
                return true;
        for (char **t = img->repo_tags; *t; t++)
                if (strcmp(*t, "<none>:<none>") != 0)
                        return false;
        return true;
}

static void dangling_list_done(int result, const struct docker_image *images, size_t n,
                               void *userdata)
{
        struct job *job = userdata;
        struct actuator_disk_outcome o = {0};
        uint64_t bytes = 0;
        size_t listed = 0;

        job->waiting = false;
        if (!job->disks) {
                disks_job_free(job);
                return;
        }
        if (result < 0)
                disks_outcome_set(&o, result, "dangling images", 0, false, "cannot list images");
        for (size_t i = 0; result >= 0 && i < n; i++) {
                if (!image_untagged(&images[i]) || image_in_use(&job->disks->env, images[i].id))
                        continue;
                if (disks_job_item_add(job, "prune-images", "image", images[i].id,
                                       images[i].size_bytes, true, "dangling (untagged, unused)",
                                       0) < 0)
                        break;
                bytes += images[i].size_bytes;
                listed++;
        }
        if (listed > 0)
                disks_outcome_set(&o, 0, "dangling images", bytes, true,
                                  "%zu dangling image(s) would be removed", listed);
        disks_job_complete(job, &o);
}

int disks_docker_dangling_stage(struct job *job, struct actuator_disk_outcome *o)
{
        struct disks_env *d = &job->disks->env;
        int r;

        if (!disks_job_docker_ready(job, "image prune"))
                return 0;
        if (job->dry_run)
                r = docker_images_list(d->docker, dangling_list_done, job);
        else {
                struct actuator_disk_request rq = disks_job_request(job);
                r = actuator_prune_dangling_images(&rq, prune_done, job);
        }
        if (r < 0) {
                disks_outcome_set(o, r, "dangling images", 0, false, "prune not started");
                return r == -ENOMEM ? r : 0;
        }
        job->waiting = true;
        return ACTUATOR_DISK_PENDING;
}

int disks_docker_build_cache_stage(struct job *job, struct actuator_disk_outcome *o)
{
        int r;

        if (!disks_job_docker_ready(job, "build cache prune"))
                return 0;
        if (job->dry_run) {
                disks_outcome_set(o, 0, "build cache", 0, false,
                                  "unused build cache would be pruned");
                return disks_job_item_add(job, "prune-images", "build-cache", "build cache", 0,
                                          false, "unused build cache", 0);
        }
        struct actuator_disk_request rq = disks_job_request(job);
        r = actuator_prune_build_cache(&rq, prune_done, job);
        if (r < 0) {
                disks_outcome_set(o, r, "build cache", 0, false, "prune not started");
                return r == -ENOMEM ? r : 0;
        }
        job->waiting = true;
        return ACTUATOR_DISK_PENDING;
}
