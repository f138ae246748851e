/* control_ops — what the control plane asks of its owner (the daemon): the
 * one seam through which a request reaches beyond the operator's state.
 * Given to control_new() (control.h), used by the verbs (control_verbs.h);
 * no call goes the other way into the daemon. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct disks_report;

/* What control asks of its owner. Each is called on the loop, from a
 * request's handler; userdata is passed back as given. */
struct control_ops {
        void *userdata;
        /* Re-sample and re-evaluate now (an override or pause changed); the
         * status is published again before this returns. Required. */
        void (*evaluate)(void *userdata, const char *reason);
        /* Reload the configuration; on refusal < 0 with err filled and the
         * running configuration kept. Required. */
        int (*reload)(void *userdata, char *err, size_t err_size);
        /* Start a disk cleanup now (disks_cleanup_now()'s contract: done is
         * called once, later, unless it returns < 0). NULL: not available. */
        int (*cleanup)(void *userdata, bool dry_run,
                       void (*done)(const struct disks_report *report, void *done_userdata),
                       void *done_userdata);
};
