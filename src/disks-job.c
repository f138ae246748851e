/* disks-job — a cleanup job's state and record; see src/disks-job.h. */
#include "disks-job.h"

#include <stdarg.h>

void disks_job_rm_clear(struct job *job)
{
        for (size_t i = 0; i < job->n_rm; i++) {
                free(job->rm_ids[i]);
                free(job->rm_targets[i]);
                free(job->rm_reasons[i]);
        }
        free(job->rm_ids);
        free(job->rm_targets);
        free(job->rm_reasons);
        job->rm_ids = job->rm_targets = job->rm_reasons = NULL;
        job->n_rm = job->rm_next = job->rm_done = 0;
        job->rm_result = 0;
}

struct actuator_disk_request disks_job_request(const struct job *job)
{
        return disks_request(job->disks, job->manual, job->dry_run);
}

static const char *job_disk(const struct job *job)
{
        return job->manual ? NULL : job->disk_path;
}

/* Record one removal (or planned removal): report item + one journal entry. */
int disks_job_item_add(struct job *job, const char *action, const char *kind, const char *target,
                       uint64_t bytes, bool has_bytes, const char *reason, int result)
{
        char f_action[64], f_target[600], f_bytes[64], f_reason[600], f_disk[4200], f_dry[32],
            f_io[64], human[32];
        const char *fields[] = {f_action, f_target, f_bytes, f_reason, f_disk, f_dry, f_io, NULL};
        struct job_item *it;

        if (job->n_items >= DISKS_REPORT_ITEMS_MAX) {
                /* a bounded report: the rest is counted, logged at debug */
                job->items_left_out++;
                if (result == 0 && has_bytes)
                        job->bytes_freed += bytes;
                log_debug("cleanup: %s %s %s: %s", job->dry_run ? "would remove" : "removed", kind,
                          target, result < 0 ? strerror(-result) : reason);
                return 0;
        }
        if (job->n_items == job->allocated) {
                size_t n = job->allocated ? job->allocated * 2 : 16;
                struct job_item *p = reallocarray(job->items, n, sizeof(*p));
                if (!p)
                        return -ENOMEM;
                job->items = p;
                job->allocated = n;
        }
        it = &job->items[job->n_items];
        *it = (struct job_item){0};
        it->target = strdup(target);
        it->reason = strdup(reason);
        it->disk = job_disk(job) ? strdup(job_disk(job)) : NULL;
        if (!it->target || !it->reason || (job_disk(job) && !it->disk)) {
                free(it->target);
                free(it->reason);
                free(it->disk);
                return -ENOMEM;
        }
        it->item = (struct disks_item){
            .kind = kind,
            .target = it->target,
            .reason = it->reason,
            .disk = it->disk,
            .bytes = bytes,
            .has_bytes = has_bytes,
            .result = result,
        };
        job->n_items++;
        if (result == 0 && has_bytes)
                job->bytes_freed += bytes;

        snprintf(f_action, sizeof(f_action), "GOVERNOR_ACTION=%s", action);
        snprintf(f_target, sizeof(f_target), "GOVERNOR_TARGET=%s", target);
        snprintf(f_bytes, sizeof(f_bytes), "GOVERNOR_BYTES=%" PRIu64, has_bytes ? bytes : 0);
        snprintf(f_reason, sizeof(f_reason), "GOVERNOR_REASON=%s", reason);
        snprintf(f_disk, sizeof(f_disk), "GOVERNOR_DISK=%s", job_disk(job) ?: "(manual)");
        snprintf(f_dry, sizeof(f_dry), "GOVERNOR_DRY_RUN=%d", job->dry_run ? 1 : 0);
        snprintf(f_io, sizeof(f_io), "GOVERNOR_IO_PRESSURE=%.2f",
                 job->disks ? disks_io_pressure(&job->disks->env) : 0.0);
        if (has_bytes)
                units_format_bytes_human(bytes, human, sizeof(human));
        else
                util_strlcpy(human, "size unknown", sizeof(human));
        /* detail of the report: the action's outcome, which the actuator
         * records, is the notice (or the warning) */
        if (result < 0)
                log_event(LOG_INFO, MSGID_CLEANUP, fields, "cleanup: cannot remove %s %s: %s", kind,
                          target, strerror(-result));
        else
                /* one file among thousands is detail */
                log_event(strcmp(kind, "file") == 0 ? LOG_DEBUG : LOG_NOTICE, MSGID_CLEANUP, fields,
                          "cleanup: %s %s %s (%s): %s", job->dry_run ? "would remove" : "removed",
                          kind, target, human, reason);
        return 0;
}

uint64_t disks_job_avail(struct job *job)
{
        struct disks *disks = job->disks;
        uint64_t sum = 0;

        if (!disks)
                return 0;
        for (size_t i = 0; i < disks->n_watches; i++) {
                struct disk_watch *w = &disks->watches[i];
                if (!job->manual && strcmp(w->path, job->disk_path) != 0)
                        continue;
                if (disks_watch_sample(w) == 0)
                        sum += w->usage.bytes_avail;
        }
        return sum;
}

/* What statvfs saw the action free: the outcome carries it. */
void disks_job_measure(struct job *job, struct actuator_disk_outcome *o)
{
        uint64_t avail = disks_job_avail(job);

        o->statvfs_freed = avail > job->avail_stage ? avail - job->avail_stage : 0;
        job->avail_stage = avail;
}

void disks_job_complete(struct job *job, struct actuator_disk_outcome *o)
{
        struct actuator_disk_request rq = disks_job_request(job);

        disks_job_measure(job, o);
        actuator_disk_complete(job->disks->env.actuator, &rq, &job->action, o);
        job->waiting = false;
        job->resume(job);
}

void disks_outcome_set(struct actuator_disk_outcome *o, int result, const char *target,
                       uint64_t bytes, bool has_bytes, const char *fmt, ...)
{
        va_list ap;

        o->result = result;
        util_strlcpy(o->target, target, sizeof(o->target));
        o->bytes = bytes;
        o->has_bytes = has_bytes;
        va_start(ap, fmt);
        vsnprintf(o->what, sizeof(o->what), fmt, ap);
        va_end(ap);
}

bool disks_job_docker_ready(struct job *job, const char *what)
{
        struct docker *docker = job->disks->env.docker;

        if (docker && docker_is_connected(docker))
                return true;
        log_info("cleanup: Docker not connected, %s skipped", what);
        /* Retried as soon as Docker connects, not after the cooldown. */
        job->docker_skipped = docker != NULL;
        return false;
}

void disks_job_evict_clear(struct job *job)
{
        for (size_t i = 0; i < job->n_evict_refs; i++)
                free(job->evict_refs[i]);
        free(job->evict_refs);
        job->evict_refs = NULL;
        job->n_evict_refs = job->evict_ref_next = 0;
        free(job->evict_reason);
        job->evict_reason = NULL;
}

void disks_job_free(struct job *job)
{
        if (!job)
                return;
        job->defer = sd_event_source_disable_unref(job->defer);
        job->spawn = spawner_free(job->spawn);
        for (size_t i = 0; i < job->n_items; i++) {
                free(job->items[i].target);
                free(job->items[i].reason);
                free(job->items[i].disk);
        }
        free(job->items);
        for (size_t i = 0; i < job->n_evict_skip; i++)
                free(job->evict_skip[i]);
        disks_job_evict_clear(job);
        disks_job_rm_clear(job);
        if (job->logs_scan_open) {
                logprune_oldest_done(&job->logs_oldest);
                logprune_scan_done(&job->logs_scan);
        }
        free(job->disk_path);
        free(job);
}
