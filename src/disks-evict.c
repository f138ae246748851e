/* disks-evict — a cleanup's evict-image stage, least recently used first;
 * see src/disks-evict.h. */
#include "disks-evict.h"

static bool evict_skipped(const struct job *job, const char *id)
{
        for (size_t i = 0; i < job->n_evict_skip; i++)
                if (strcmp(job->evict_skip[i], id) == 0)
                        return true;
        return false;
}

static void evict_skip_add(struct job *job, const char *id)
{
        if (job->n_evict_skip < EVICT_SKIP_MAX) {
                job->evict_skip[job->n_evict_skip] = strdup(id);
                if (job->evict_skip[job->n_evict_skip])
                        job->n_evict_skip++;
        }
}

static void evict_remove_done(int result, const char *id, void *userdata);

/* Remove the next ref of the image being evicted: an image with several
 * tags goes when its last tag is removed (DELETE by id refuses it unforced). */
static void evict_remove_next(struct job *job)
{
        int r;

        struct actuator_disk_request rq = disks_job_request(job);
        r = actuator_remove_image(&rq, job->evict_refs[job->evict_ref_next], evict_remove_done,
                                  job);
        if (r < 0) {
                struct actuator_disk_outcome o = {0};

                disks_outcome_set(&o, r, job->evict_refs[job->evict_ref_next], 0, false, "%s",
                                  job->evict_reason ?: "lru");
                evict_skip_add(job, job->evict_id);
                disks_job_evict_clear(job);
                disks_job_complete(job, &o);
                return;
        }
        job->waiting = true;
}

static void evict_remove_done(int result, const char *id, void *userdata)
{
        struct job *job = userdata;
        struct actuator_disk_outcome o = {0};

        job->waiting = false;
        if (!job->disks) {
                disks_job_free(job);
                return;
        }
        if (result < 0) {
                (void)disks_job_item_add(job, "evict-image", "image", job->evict_id, 0, false,
                                         job->evict_reason ?: "lru", result);
                disks_outcome_set(&o, result, job->evict_id, 0, false, "%s",
                                  job->evict_reason ?: "lru");
                evict_skip_add(job, job->evict_id);
                disks_job_evict_clear(job);
                disks_job_complete(job, &o);
                return;
        }
        job->evict_ref_next++;
        if (job->evict_ref_next < job->n_evict_refs) {
                evict_remove_next(job);
                return;
        }
        char target[400];
        bool tagged = strcmp(job->evict_refs[0], job->evict_id) != 0;

        snprintf(target, sizeof(target), "%s%s%s", job->evict_id, tagged ? " " : "",
                 tagged ? job->evict_refs[0] : "");
        (void)disks_job_item_add(job, "evict-image", "image", target, job->evict_bytes, true,
                                 job->evict_reason ?: "lru", 0);
        disks_outcome_set(&o, 0, target, job->evict_bytes, true, "%s", job->evict_reason ?: "lru");
        disks_job_evict_clear(job);
        disks_job_complete(job, &o);
}

/* "least recently used: unused for 3h (last use or arrival 1732400000)" */
static void evict_reason(const struct imagelru *lru, const struct docker_image *img, usec_t now,
                         char *buf, size_t size)
{
        usec_t ref = imagelru_reference_time(lru, img);
        char idle[UNITS_FORMAT_MAX];

        /* Whole seconds: the exact formatter prints the largest unit that divides. */
        units_format_duration(now > ref ? (now - ref) / USEC_PER_SEC * USEC_PER_SEC : 0, idle,
                              sizeof(idle));
        snprintf(buf, size,
                 "least recently used: idle for %s (since %" PRIu64
                 "), no container uses it, no keep_image match",
                 idle, (uint64_t)(ref / USEC_PER_SEC));
}

static void evict_list_done(int result, const struct docker_image *images, size_t n, void *userdata)
{
        struct job *job = userdata;
        struct disks *disks = job->disks;
        struct actuator_disk_outcome o = {0};
        _cleanup_free_ size_t *order = NULL;
        _cleanup_free_ const char **in_use = NULL;
        const struct disk_section *cfg;
        const struct docker_container *cs;
        size_t n_cs, n_order = 0, n_in_use = 0;
        usec_t now = util_realtime_usec();
        int r;

        job->waiting = false;
        if (!disks) {
                disks_job_free(job);
                return;
        }
        cfg = job->disk_path ? disks_disk_config(&disks->env, job->disk_path) : NULL;
        if (result < 0 || !cfg) {
                if (result < 0)
                        disks_outcome_set(&o, result, "images", 0, false, "cannot list images");
                job->evict_exhausted = true;
                disks_job_complete(job, &o);
                return;
        }

        /* Every container, running or stopped, pins its image; it is also a
         * use as of now. */
        cs = docker_containers(disks->env.docker, &n_cs);
        in_use = calloc(n_cs + 1, sizeof(*in_use));
        order = calloc(n + 1, sizeof(*order));
        if (!in_use || !order)
                goto oom;
        for (size_t i = 0; i < n_cs; i++)
                if (cs[i].image_id) {
                        in_use[n_in_use++] = cs[i].image_id;
                        (void)imagelru_touch(&disks->lru, cs[i].image_id, now);
                }
        if (imagelru_note_images(&disks->lru, images, n, now) < 0)
                goto oom;
        r = imagelru_choose(&disks->lru, images, n, in_use, n_in_use, cfg->keep_images,
                            cfg->n_keep_images, cfg->image_min_age_usec, now, order, &n_order);
        if (r < 0)
                goto oom;

        /* Log the candidates considered, best first, as systemd-oomd does. */
        for (size_t k = 0, shown = 0; k < n_order && shown < 3; k++) {
                const struct docker_image *img = &images[order[k]];
                if (evict_skipped(job, img->id))
                        continue;
                log_event(LOG_INFO, MSGID_CANDIDATES, NULL,
                          "eviction candidate %zu: %s %s, %" PRIu64 " bytes, last used %" PRIu64,
                          ++shown, img->id,
                          img->repo_tags && img->repo_tags[0] ? img->repo_tags[0] : "<none>",
                          img->size_bytes,
                          (uint64_t)(imagelru_reference_time(&disks->lru, img) / USEC_PER_SEC));
        }

        if (job->dry_run) {
                /* Nothing is freed: estimate from image sizes how far down the
                 * list eviction would go to reach the low mark. */
                struct disk_watch *w = disks_watch_find(disks, job->disk_path);
                double total = w && w->sampled ? (double)w->usage.bytes_total : 0;
                double used = w && w->sampled ? (double)w->usage.bytes_used : 0;
                uint64_t bytes = 0;
                size_t listed = 0;

                for (size_t k = 0; k < n_order; k++) {
                        const struct docker_image *img = &images[order[k]];
                        char reason[256], target[400];

                        if (total > 0 && used * 100.0 / total <= cfg->low_percent)
                                break;
                        evict_reason(&disks->lru, img, now, reason, sizeof(reason));
                        snprintf(target, sizeof(target), "%s %s", img->id,
                                 img->repo_tags && img->repo_tags[0] ? img->repo_tags[0]
                                                                     : "<none>");
                        if (disks_job_item_add(job, "evict-image", "image", target, img->size_bytes,
                                               true, reason, 0) < 0)
                                break;
                        used -= (double)img->size_bytes;
                        bytes += img->size_bytes;
                        listed++;
                }
                if (listed > 0)
                        disks_outcome_set(&o, 0, "images", bytes, true,
                                          "%zu least recently used image(s) would be evicted",
                                          listed);
                job->evict_exhausted = true;
                disks_job_complete(job, &o);
                return;
        }

        for (size_t k = 0; k < n_order; k++) {
                const struct docker_image *img = &images[order[k]];
                char reason[256];
                size_t n_tags = 0;

                if (evict_skipped(job, img->id))
                        continue;
                util_strlcpy(job->evict_id, img->id, sizeof(job->evict_id));
                job->evict_bytes = img->size_bytes;
                evict_reason(&disks->lru, img, now, reason, sizeof(reason));
                job->evict_reason = strdup(reason);
                for (char **t = img->repo_tags; t && *t; t++)
                        if (strcmp(*t, "<none>:<none>") != 0)
                                n_tags++;
                job->evict_refs = calloc(n_tags ? n_tags : 1, sizeof(char *));
                if (!job->evict_reason || !job->evict_refs)
                        goto oom;
                for (char **t = img->repo_tags; t && *t; t++)
                        if (strcmp(*t, "<none>:<none>") != 0) {
                                job->evict_refs[job->n_evict_refs] = strdup(*t);
                                if (!job->evict_refs[job->n_evict_refs])
                                        goto oom;
                                job->n_evict_refs++;
                        }
                if (job->n_evict_refs == 0) {
                        job->evict_refs[0] = strdup(img->id);
                        if (!job->evict_refs[0])
                                goto oom;
                        job->n_evict_refs = 1;
                }
                evict_remove_next(job);
                return;
        }
        job->evict_exhausted = true;
        log_info("cleanup: no image left to evict on %s", job->disk_path);
        disks_job_complete(job, &o);
        return;
oom:
        disks_job_evict_clear(job);
        log_error("cleanup: out of memory choosing an image to evict");
        job->evict_exhausted = true;
        disks_job_complete(job, &o);
}

int disks_evict_stage(struct job *job, struct actuator_disk_outcome *o)
{
        struct disks_env *d = &job->disks->env;
        int r;

        if (!disks_job_docker_ready(job, "image eviction")) {
                job->evict_exhausted = true;
                return 0;
        }
        r = docker_images_list(d->docker, evict_list_done, job);
        if (r < 0) {
                disks_outcome_set(o, r, "images", 0, false, "cannot list images");
                job->evict_exhausted = true;
                return r == -ENOMEM ? r : 0;
        }
        job->waiting = true;
        return ACTUATOR_DISK_PENDING;
}
