/* actuator-private — the actuator's state, shared by actuator.c (memory
 * actions), actuator-disk.c (disk actions) and actuator-record.c (pause and
 * the outcome record, which both halves use); not a public interface. */
#pragma once

#include "actuator.h"
#include "disks.h"

/* disk actions remembered as skipped in the current pause window */
#define ACTUATOR_DISK_PAUSED_MAX 16

struct actuator_disk_paused {
        enum disk_action_kind kind;
        enum tier tier;
        char disk[256]; /* "" for an operator's run */
};

struct pending;
struct actuator {
        struct actuator_deps deps;
        struct pending *pending; /* list head */
        struct actuator_stats stats;
        /* the pause window the entries below belong to: its end (0 = until
         * resumed); the list is emptied whenever enforcement is not paused */
        usec_t disk_paused_until;
        struct actuator_disk_paused disk_paused[ACTUATOR_DISK_PAUSED_MAX];
        size_t n_disk_paused;
};

/* Forget the disk actions skipped in a pause window: a new window (or a
 * changed plan in it) records them again. */
void actuator_disk_pause_over(struct actuator *act);
