/* disks-cleanup — one cleanup job: it asks the pure policy for the next disk
 * action (disks_next_action: prune-logs, vacuum-journal, prune-containers,
 * prune-images, prune-build-cache, evict-image) with the disk re-read, and
 * hands it to the actuator (actuator_run_disk), which applies the pause and
 * runs the action's work below, asynchronously on the event loop; see
 * include/disks.h. Every change the work makes passes the actuator's disk
 * gate (actuator.h); each action's outcome goes into the one history. */
#include "disks-cleanup.h"

#include "disks-docker.h"
#include "disks-job.h"
#include "disks-journal.h"
#include "disks-logs.h"

/* usec a cleanup's slices may run back to back, then the loop sleeps for
 * JOB_REST_USEC: a cleanup takes at most about half of one CPU */
#define JOB_BURST_USEC (2 * USEC_PER_MSEC)
#define JOB_REST_USEC  (2 * USEC_PER_MSEC)

static void job_schedule(struct job *job);

/* ---- stages ------------------------------------------------------------- */

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
                disks_outcome_set(&o, result, job->evict_id, 0, false, "%s", job->evict_reason ?: "lru");
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
                        if (disks_job_item_add(job, "evict-image", "image", target, img->size_bytes, true,
                                         reason, 0) < 0)
                                break;
                        used -= (double)img->size_bytes;
                        bytes += img->size_bytes;
                        listed++;
                }
                if (listed > 0)
                        disks_outcome_set(&o, 0, "images", bytes, true,
                                    "%zu least recently used image(s) would be evicted", listed);
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

static int stage_evict(struct job *job, struct actuator_disk_outcome *o)
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

/* ---- the job ------------------------------------------------------------ */

/* Ask the pure policy for the next action, the disk re-read first: each
 * decision needs the effect of the previous action. */
static bool job_next_action(struct job *job, struct disk_action *ret)
{
        struct disks *disks = job->disks;
        const struct disk_section *cfg = NULL;
        const struct disk_usage *fresh = NULL;

        if (job->disk_path) {
                struct disk_watch *w = disks_watch_find(disks, job->disk_path);

                cfg = disks_disk_config(&disks->env, job->disk_path);
                if (cfg && w && disks_watch_sample(w) == 0)
                        fresh = &w->usage;
        }
        return disks_next_action(cfg, job->disk_path, job->manual ? TIER_EMERGENCY : job->tier,
                                 job->stage, fresh, job->manual, job->evict_exhausted, ret);
}

/* The work of one disk action, as the actuator runs it (actuator_run_disk):
 * every change it makes passes the actuator's disk gate with rq. */
static int job_work(const struct actuator_disk_request *rq, const struct disk_action *a,
                    struct actuator_disk_outcome *ret, void *userdata)
{
        struct job *job = userdata;
        int r = 0;

        assert(rq->dry_run == job->dry_run && rq->manual == job->manual);
        (void)rq; /* each change builds the same request (job_request) */
        switch (a->kind) {
        case DISK_ACTION_PRUNE_LOGS:
                r = disks_logs_stage(job, ret);
                break;
        case DISK_ACTION_VACUUM_JOURNAL:
                r = disks_journal_stage(job, ret);
                break;
        case DISK_ACTION_PRUNE_CONTAINERS:
                r = disks_docker_containers_stage(job, ret);
                break;
        case DISK_ACTION_PRUNE_IMAGES:
                r = disks_docker_dangling_stage(job, ret);
                break;
        case DISK_ACTION_PRUNE_BUILD_CACHE:
                r = disks_docker_build_cache_stage(job, ret);
                break;
        case DISK_ACTION_EVICT_IMAGE:
                r = stage_evict(job, ret);
                break;
        case DISK_ACTION_NONE:
                break;
        }
        /* what the action did, as statvfs saw it (asynchronous ones measure
         * when they complete) */
        if (r != ACTUATOR_DISK_PENDING && (ret->target[0] || ret->result < 0))
                disks_job_measure(job, ret);
        return r;
}

static void job_finish(struct job *job)
{
        struct disks *disks = job->disks;
        struct disks_report report = {.dry_run = job->dry_run};
        _cleanup_free_ struct disks_item *items = NULL;
        uint64_t avail = disks_job_avail(job);
        char human[32], measured[32];
        usec_t now = util_now_usec();

        if (job->n_items > 0) {
                items = calloc(job->n_items, sizeof(*items));
                if (items)
                        for (size_t i = 0; i < job->n_items; i++)
                                items[i] = job->items[i].item;
        }
        report.items = items;
        report.n_items = items ? job->n_items : 0;
        report.result = job->n_items > 0 && !items ? -ENOMEM : 0;
        report.bytes_freed = job->bytes_freed;
        report.items_left_out = job->items_left_out;
        report.statvfs_freed = avail > job->avail_start ? avail - job->avail_start : 0;

        log_info("cleanup %s%s done: %zu item(s), %s %s, statvfs +%s",
                 job->manual ? "(manual)" : job->disk_path, job->dry_run ? " (dry-run)" : "",
                 job->n_items + job->items_left_out, units_format_bytes_human(job->bytes_freed, human, sizeof(human)),
                 job->dry_run ? "would be freed" : "freed",
                 units_format_bytes_human(report.statvfs_freed, measured, sizeof(measured)));

        /* a pause ends a run without a cooldown: it goes on once resumed */
        if (!job->manual && !job->paused) {
                struct disk_watch *w = disks_watch_find(disks, job->disk_path);
                if (w) {
                        w->state.last_cleanup_usec = now;
                        w->state.last_cleanup_tier = job->tier;
                        w->last_cleanup_realtime_usec = util_realtime_usec();
                        w->docker_skipped = job->docker_skipped;
                }
        }
        disks_lru_save(disks, now);
        disks->job = NULL;
        if (job->done)
                job->done(&report, job->userdata);
        disks_job_free(job);
}

static void job_rest_or_schedule(struct job *job);

static int job_step(sd_event_source *s, void *userdata)
{
        struct job *job = userdata;
        int r = 0;

        job->defer = sd_event_source_disable_unref(job->defer);
        if (job->burst_start_usec == 0)
                job->burst_start_usec = util_now_usec();
        while (!job->waiting) {
                struct actuator_disk_request rq = disks_job_request(job);
                struct disk_action a;

                if (job->again)
                        /* an action cut into slices goes on where it stopped */
                        a = job->action;
                else if (!job_next_action(job, &a)) {
                        job_finish(job);
                        return 0;
                }
                if (a.kind != job->stage)
                        log_debug("cleanup: %s (%s)", disk_action_kind_name(a.kind), a.reason);
                job->stage = a.kind;
                job->action = a;
                r = actuator_run_disk(job->disks->env.actuator, &rq, &a, job_work, job);
                job->again = r == 1;
                if (r == -ECANCELED) {
                        /* paused: an automatic run ends before its next action
                         * (the actuator recorded it skipped) */
                        job->paused = true;
                        job_finish(job);
                        return 0;
                }
                if (r == 1) {
                        /* a slice of an action is done: let the loop serve
                         * everything else first */
                        job_rest_or_schedule(job);
                        return 0;
                }
                if (r == -ENOMEM) {
                        log_error("cleanup: out of memory");
                        sd_event_exit(job->disks->env.event, 1);
                        job_finish(job);
                        return 0;
                }
        }
        return 0;
}

/* Continue on the next loop iteration: callbacks never recurse into stages.
 * At idle priority: every timer, trigger and client that is ready runs
 * before the next slice. */
static void job_schedule(struct job *job)
{
        int r;

        if (job->defer)
                return;
        r = sd_event_add_defer(job->disks->env.event, &job->defer, job_step, job);
        if (r >= 0)
                (void)sd_event_source_set_priority(job->defer, SD_EVENT_PRIORITY_IDLE);
        if (r < 0) {
                log_error("cleanup: cannot schedule: %s", strerror(-r));
                job_finish(job);
        }
}

static int job_rested(sd_event_source *s, uint64_t usec, void *userdata)
{
        (void)usec;
        return job_step(s, userdata);
}

/* After a slice: the next one at once (at idle priority), unless slices
 * have run back to back for JOB_BURST_USEC: then the loop sleeps for
 * JOB_REST_USEC first. A governor that never sleeps is CPU-bound, and the
 * scheduler then makes its wake-ups (a PSI trigger's among them) wait
 * behind every other runnable task. */
static void job_rest_or_schedule(struct job *job)
{
        usec_t now = util_now_usec();
        int r;

        if (job->defer || now - job->burst_start_usec < JOB_BURST_USEC) {
                job_schedule(job);
                return;
        }
        job->burst_start_usec = 0;
        r = sd_event_add_time_relative(job->disks->env.event, &job->defer, CLOCK_MONOTONIC,
                                       JOB_REST_USEC, 0, job_rested, job);
        if (r < 0)
                job_schedule(job);
}

int disks_job_start(struct disks *disks, bool manual, bool dry_run, const char *disk_path,
                     enum tier tier, disks_cleanup_fn done, void *userdata)
{
        struct job *job;
        int r;

        if (disks->job)
                return -EBUSY;
        job = calloc(1, sizeof(*job));
        if (!job)
                return -ENOMEM;
        job->disks = disks;
        job->manual = manual;
        job->dry_run = dry_run || disks->env.dry_run;
        job->tier = tier;
        job->stage = DISK_ACTION_NONE;
        job->resume = job_schedule;
        job->done = done;
        job->userdata = userdata;
        if (disk_path) {
                job->disk_path = strdup(disk_path);
                if (!job->disk_path) {
                        free(job);
                        return -ENOMEM;
                }
        }
        disks_lru_ensure_loaded(disks);
        job->avail_start = job->avail_stage = disks_job_avail(job);
        r = sd_event_add_defer(disks->env.event, &job->defer, job_step, job);
        if (r < 0) {
                disks_job_free(job);
                return r;
        }
        disks->job = job;
        return 0;
}

void disks_job_orphan(struct job *job)
{
        bool docker_pending;

        if (!job)
                return;
        /* A Docker request or journalctl may still answer: the job
         * lives on, orphaned, until its callback frees it. */
        job->disks = NULL;
        docker_pending = job->waiting && !job->spawn;
        job->defer = sd_event_source_disable_unref(job->defer);
        if (!docker_pending)
                disks_job_free(job); /* also kills a running journalctl */
}

bool disks_job_cleaning(const struct job *job, const char *path)
{
        return job && !job->manual && job->disk_path && strcmp(job->disk_path, path) == 0;
}
