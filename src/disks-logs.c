/* disks-logs — a cleanup's prune-logs stage, in slices; see
 * src/disks-logs.h. */
#include "disks-logs.h"

/* files a [logs:] stage deletes (or lists, in dry-run) per loop iteration */
#define LOGS_SLICE_FILES 64
/* directory entries a [logs:] scan reads (one statx each) per loop
 * iteration: well under 1 ms, so a 100k-file directory never holds the loop */
#define LOGS_SCAN_SLICE_ENTRIES 128
/* files kept for max_total per section (the oldest); a section needing
 * more goes on at the next cleanup. ~100 bytes each. */
#define LOGS_TOTAL_KEEP 4096

static bool logs_on_disk(const struct logs_section *l, dev_t dev)
{
        struct stat st;

        return stat(l->dir, &st) == 0 && st.st_dev == dev;
}

/* Remove (dry-run: list) the marked files of files[job->logs_next..n), at
 * most LOGS_SLICE_FILES of them. 0, or -ENOMEM. */
static int logs_remove(struct job *job, const struct logs_section *l, struct logprune_file *files,
                       size_t n)
{
        char age[32], total[32];
        size_t budget = LOGS_SLICE_FILES;
        int r;

        units_format_duration(l->max_age_usec, age, sizeof(age));
        if (l->max_total_bytes != BYTES_MAX)
                units_format_bytes_exact(l->max_total_bytes, total, sizeof(total));
        for (; job->logs_next < n; job->logs_next++) {
                const struct logprune_file *f = &files[job->logs_next];
                char shown[1024], path[1400], reason[256];
                uint64_t freed = f->sole_link ? f->disk_bytes : 0;
                int result = 0;

                if (f->reason == LOGPRUNE_KEEP)
                        continue;
                if (budget-- == 0)
                        return 0; /* the rest in the next loop iteration */
                logprune_file_display(f, shown, sizeof(shown));
                snprintf(path, sizeof(path), "%s/%s", l->dir, shown);
                if (f->reason == LOGPRUNE_AGE)
                        snprintf(reason, sizeof(reason), "logs:%s: older than %s (%s)", l->name,
                                 age, l->pattern);
                else
                        snprintf(reason, sizeof(reason),
                                 "logs:%s: oldest while %s files exceed max_total %s", l->name,
                                 l->pattern, total);
                if (!job->dry_run) {
                        struct actuator_disk_request rq = disks_job_request(job);
                        result = actuator_unlink_log(&rq, &job->logs_scan, f, &freed);
                        if (result == -ENOENT)
                                continue; /* gone by itself */
                        if (result == -ECANCELED) {
                                /* a pause came: the section's other files stay */
                                job->logs_result = result;
                                job->logs_next = n;
                                return 0;
                        }
                        if (result == -ESTALE)
                                log_warning("logs:%s: %s changed since the scan (now a symlink, "
                                            "another file or mount): left alone",
                                            l->name, path);
                }
                if (result == 0) {
                        job->logs_removed++;
                        job->logs_freed += freed;
                } else {
                        job->logs_failed++;
                        if (job->logs_result == 0)
                                job->logs_result = result;
                }
                r = disks_job_item_add(job, "prune-logs", "file", path, freed, true, reason,
                                       result);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Read the next slice of the section's directory: expired files stay in
 * the scan to be removed; the others are offered to the bounded set of the
 * oldest (max_total) or dropped at once. 0, or -ENOMEM. */
static int logs_read_slice(struct job *job, const struct logs_section *l)
{
        struct logprune_scan *scan = &job->logs_scan;
        usec_t now = util_realtime_usec();
        size_t kept = 0;
        int r;

        logprune_scan_drop_files(scan);
        r = logprune_scan_step(scan, LOGS_SCAN_SLICE_ENTRIES);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                log_warning("logs:%s: cannot read %s: %s", l->name, l->dir, strerror(-r));
        job->logs_walk_over = r <= 0;
        for (size_t i = 0; i < scan->n_files; i++) {
                struct logprune_file *f = &scan->files[i];

                if (logprune_is_expired(f->mtime_realtime_usec, now, l->max_age_usec)) {
                        f->reason = LOGPRUNE_AGE;
                        scan->files[kept++] = *f;
                        continue;
                }
                f->reason = LOGPRUNE_KEEP;
                if (l->max_total_bytes == BYTES_MAX) {
                        free(f->dir);
                        free(f->name);
                } else if (logprune_oldest_offer(&job->logs_oldest, f) < 0) {
                        for (size_t k = i + 1; k < scan->n_files; k++) {
                                free(scan->files[k].dir);
                                free(scan->files[k].name);
                        }
                        scan->n_files = kept;
                        return -ENOMEM;
                }
        }
        scan->n_files = kept;
        job->logs_next = 0;
        return 0;
}

static void logs_section_close(struct job *job)
{
        logprune_oldest_done(&job->logs_oldest);
        logprune_scan_done(&job->logs_scan);
        job->logs_scan_open = false;
}

/* One [logs:] section, in slices (issue 13): a slice of directory entries
 * read, its expired files removed, LOGS_SLICE_FILES at a time; once the walk
 * is over, the oldest of the rest while the total exceeds max_total. A
 * directory of 100,000 logs never holds the loop, and memory holds one
 * slice and LOGS_TOTAL_KEEP files. 0 when the section is over (o: its
 * outcome, if any), 1 when a slice is done and the rest waits for the next
 * iteration, -ENOMEM. */
static int stage_logs_section(struct job *job, const struct logs_section *l,
                              struct actuator_disk_outcome *o)
{
        struct logprune_scan *scan = &job->logs_scan;
        int r;

        if (!job->logs_scan_open) {
                r = logprune_scan_open(l->dir, l->pattern, l->recursive, scan);
                if (r < 0) {
                        log_warning("logs:%s: cannot open %s: %s%s", l->name, l->dir, strerror(-r),
                                    r == -ELOOP || r == -ENOTDIR
                                        ? " (a symlink or not a directory: refused)"
                                        : "");
                        return r == -ENOMEM ? r : 0;
                }
                job->logs_scan_open = true;
                logprune_oldest_init(&job->logs_oldest, LOGS_TOTAL_KEEP);
                job->logs_walk_over = job->logs_total_planned = false;
                job->logs_next = job->logs_removed = job->logs_failed = 0;
                job->logs_freed = 0;
                job->logs_result = 0;
        }
        if (job->logs_result != -ECANCELED) {
                if (job->logs_next < scan->n_files) {
                        r = logs_remove(job, l, scan->files, scan->n_files);
                        return r < 0 ? r : 1;
                }
                if (!job->logs_walk_over) {
                        r = logs_read_slice(job, l);
                        return r < 0 ? r : 1;
                }
                if (!job->logs_total_planned) {
                        if (scan->skipped_mounts || scan->skipped_symlinks)
                                log_info("logs:%s: %u symlink(s) not followed, %u mount point(s) "
                                         "not crossed",
                                         l->name, scan->skipped_symlinks, scan->skipped_mounts);
                        (void)logprune_oldest_plan(&job->logs_oldest, l->max_total_bytes);
                        if (job->logs_oldest.short_of_total)
                                log_info("logs:%s: more files than the %d oldest kept for "
                                         "max_total: the next cleanup goes on",
                                         l->name, LOGS_TOTAL_KEEP);
                        job->logs_total_planned = true;
                        job->logs_next = 0;
                }
                if (job->logs_next < job->logs_oldest.n) {
                        r = logs_remove(job, l, job->logs_oldest.files, job->logs_oldest.n);
                        return r < 0 ? r : 1;
                }
        }
        logs_section_close(job);

        if (job->logs_removed > 0 || job->logs_failed > 0 || job->logs_result == -ECANCELED) {
                char target[300];

                snprintf(target, sizeof(target), "logs:%s", l->name);
                disks_outcome_set(
                    o,
                    job->logs_result == -ECANCELED || job->logs_removed == 0 ? job->logs_result : 0,
                    target, job->logs_freed, true, "%zu file(s) %s in %s%s", job->logs_removed,
                    job->dry_run ? "would be removed" : "removed", l->dir,
                    job->logs_failed > 0 ? ", some could not be" : "");
        }
        return 0;
}

/* 0 all [logs:] sections done, 1 a slice done or a section's outcome in o
 * (job->logs_section says where to go on), -ENOMEM. */
int disks_logs_stage(struct job *job, struct actuator_disk_outcome *o)
{
        struct disks_env *d = &job->disks->env;
        struct disk_watch *w = job->manual ? NULL : disks_watch_find(job->disks, job->disk_path);

        for (; job->logs_section < d->config->n_logs; job->logs_section++) {
                const struct logs_section *l = &d->config->logs[job->logs_section];
                int r;

                /* Automatic runs prune only logs on the filesystem under
                 * pressure: deleting elsewhere would not help it. */
                if (!job->logs_scan_open && !job->manual &&
                    (!w || !w->sampled || !logs_on_disk(l, w->dev)))
                        continue;
                r = stage_logs_section(job, l, o);
                if (r != 0)
                        return r;
                if (o->result == -ECANCELED) {
                        job->logs_section = 0;
                        return 0; /* paused: no other section either */
                }
                if (o->target[0]) {
                        job->logs_section++;
                        return 1; /* the section's outcome, then the next section */
                }
        }
        job->logs_section = 0;
        return 0;
}
