/* disks-logs — a cleanup's prune-logs stage (not a public interface):
 * every [logs:] section whose directory is on the filesystem under pressure
 * (by st_dev; every section for the operator's run), in slices (issue 13):
 * a slice of directory entries read, its expired files removed a bounded
 * number at a time; once the walk is over, the oldest of the rest while the
 * section's files exceed max_total. A directory of 100,000 logs never holds
 * the loop, and memory holds one slice and a bounded set of the oldest.
 * Every unlink passes the actuator's gate (actuator_unlink_log); in dry-run
 * the files are listed instead. Its progress lives in struct job
 * (disks-job.h). Called by the lifecycle (disks-cleanup.c); calls
 * disks-job.c, disks-state.c, logprune.c and the actuator. */
#pragma once

#include "disks-job.h"

/* The prune-logs work. 0 when every section is done (o: empty, or the pause
 * that stopped it, -ECANCELED), 1 when a slice is done or a section's
 * outcome is in o (the action runs again; job->logs_section says where it
 * goes on), -ENOMEM. */
int disks_logs_stage(struct job *job, struct actuator_disk_outcome *o);
