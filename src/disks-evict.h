/* disks-evict — a cleanup's evict-image stage (not a public interface),
 * at emergency: the images listed, each container's image marked in use
 * (and used as of now), the pure choice of the least recently used unused
 * image (imagelru_choose: not used by any container, no repo tag matching
 * keep_image, unused for longer than image_min_age), the top candidates
 * logged, and that one image removed ref by ref through the actuator's gate
 * (actuator_remove_image): an image with several tags goes with its last.
 * One image per action; the lifecycle asks the policy again with the disk
 * re-read. An image that refuses removal is not tried again in the run
 * (at most EVICT_SKIP_MAX); none left sets job->evict_exhausted. In dry-run
 * the list down to the low mark, estimated from image sizes, is reported.
 * Called by the lifecycle (disks-cleanup.c); calls disks-job.c,
 * disks-state.c (the disk, the image LRU), imagelru.c, the Docker client's
 * reads and the actuator. */
#pragma once

#include "disks-job.h"

/* The evict-image work: 0 when nothing was started (Docker away, or the
 * list could not be asked for: o says so), ACTUATOR_DISK_PENDING while
 * Docker lists and removes (disks_job_complete follows), -ENOMEM. */
int disks_evict_stage(struct job *job, struct actuator_disk_outcome *o);
