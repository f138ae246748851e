/* disks-journal — a cleanup's vacuum-journal stage (not a public
 * interface): journalctl --vacuum-size= --vacuum-time= with the [journal]
 * section's limits, run through the actuator's gate
 * (actuator_vacuum_journal) as a child with a time limit, never waited on:
 * the loop goes on and the exit completes the action, with the bytes
 * journalctl says it freed. In dry-run the command line is reported
 * instead. Called by the lifecycle (disks-cleanup.c); calls disks-job.c,
 * logprune.c (escaping) and the actuator. */
#pragma once

#include "disks-job.h"

/* The vacuum-journal work: 0 when nothing runs (no journalctl configured,
 * dry-run, or it could not start: o says so), ACTUATOR_DISK_PENDING while
 * journalctl runs (disks_job_complete follows), -ENOMEM. */
int disks_journal_stage(struct job *job, struct actuator_disk_outcome *o);
