/* disks-cleanup — a cleanup job's lifecycle and sequencing (not a public
 * interface). A run (the watcher's, for a disk at a tier, or the operator's
 * `cleanup`) asks the pure policy for each next action with the disk re-read
 * (disks_next_action) and hands it to the actuator (actuator_run_disk), with
 * the action's stage as the work: prune-logs (disks-logs.c), vacuum-journal
 * (disks-journal.c), prune-containers, prune-images, prune-build-cache
 * (disks-docker.c), evict-image (disks-evict.c). Slices of an action run
 * back to back at idle priority for at most JOB_BURST_USEC, then the loop
 * rests. When no action is left, or a pause comes, the run ends: the report
 * (items, items_left_out, bytes, statvfs) to whoever asked, the disk's
 * cooldown (none after a pause, none for the operator's run), the image LRU
 * file saved. One job at a time (disks->job).
 * Calls go one way: disks.c -> disks-cleanup.c -> the stages -> disks-job.c
 * -> disks-state.c; no stage calls another. */
#pragma once

#include "disks-state.h"

struct job;

/* Start a run on the next loop iteration: manual (the operator's, every
 * disk; disk_path the disk to evict on, or NULL) or automatic (disk_path at
 * tier). done (NULL: none) gets the report once, when the run ends. 0,
 * -EBUSY (a run is on), -ENOMEM, or sd-event's error. */
int disks_job_start(struct disks *disks, bool manual, bool dry_run, const char *disk_path,
                    enum tier tier, disks_cleanup_fn done, void *userdata);

/* disks_free: the job loses its disks. One waiting on Docker lives on,
 * orphaned, until the answer frees it; any other is freed now (a running
 * journalctl is killed). */
void disks_job_orphan(struct job *job);

/* Is job (NULL: none) the automatic run of the disk at path? */
bool disks_job_cleaning(const struct job *job, const char *path);
