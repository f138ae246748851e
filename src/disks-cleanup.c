/* disks-cleanup — a cleanup job's lifecycle and sequencing: it asks the
 * pure policy for the next disk action with the disk re-read, hands it to
 * the actuator (actuator_run_disk) with its stage as the work, runs the
 * slices, and ends the run; see src/disks-cleanup.h and include/disks.h. */
#include "disks-cleanup.h"

#include "disks-docker.h"
#include "disks-evict.h"
#include "disks-job.h"
#include "disks-journal.h"
#include "disks-logs.h"

/* usec a cleanup's slices may run back to back, then the loop sleeps for
 * JOB_REST_USEC: a cleanup takes at most about half of one CPU */
#define JOB_BURST_USEC (2 * USEC_PER_MSEC)
#define JOB_REST_USEC  (2 * USEC_PER_MSEC)

static void job_schedule(struct job *job);

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
                r = disks_evict_stage(job, ret);
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
