/* disks-docker — a cleanup's Docker stages (not a public interface), each
 * asynchronous on the event loop, each change through the actuator's gate:
 *   prune-containers   stopped containers created longer ago than
 *                      container_min_age, protected ones left out (and said
 *                      so), removed one by one by id
 *                      (actuator_remove_container): no blanket prune;
 *   prune-images       dangling images (actuator_prune_dangling_images);
 *   prune-build-cache  the builder's unused cache (actuator_prune_build_cache;
 *                      never volumes).
 * In dry-run each lists what would go instead. With Docker disconnected a
 * stage is skipped and the job remembers it (disks_job_docker_ready).
 * Called by the lifecycle (disks-cleanup.c); calls disks-job.c,
 * disks-state.c, the Docker client's reads and the actuator. */
#pragma once

#include "disks-job.h"

/* Each stage's work: 0 when nothing was started (nothing to do, dry-run,
 * Docker away, or it could not start: o says so), ACTUATOR_DISK_PENDING
 * while Docker works (disks_job_complete follows), -ENOMEM. */
int disks_docker_containers_stage(struct job *job, struct actuator_disk_outcome *o);
int disks_docker_dangling_stage(struct job *job, struct actuator_disk_outcome *o);
int disks_docker_build_cache_stage(struct job *job, struct actuator_disk_outcome *o);
