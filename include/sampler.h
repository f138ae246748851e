/* sampler — take one snapshot of everything the policy looks at:
 *   - host: /proc/meminfo, host memory and io PSI;
 *   - plain cgroups: every cgroup under the root that a [cgroup:NAME] rule
 *     matches (path:GLOB);
 *   - containers: every running container in the Docker cache, matched
 *     against [container:NAME] rules (name, label, image) or unmanaged.
 * Reads only; a group that vanishes mid-sample is left out.
 *
 * On demand: a group is read in full when it is new, when its directory
 * raised a change event (cgfs_watch_*: memory.events, cgroup.events, a write
 * to a limit), and by a slow refresh (every 30 s, at most 256 groups a
 * sample); otherwise its figures are the previous sample's, with
 * memory.current re-read whenever a decision may rank groups by use
 * (usage_needed, or host memory near the marks). Host memory is read on every
 * sample.
 *
 * Cheap when idle: the cgroup tree is walked again only when the root's
 * cgroup.stat count changed or the last walk is 5 s old (cgfs_walk_cached),
 * the files read stay open from one sample to the next (cgfs.h), and each
 * sampler_take() ends with cgfs_kept_sweep(), closing the files of groups it
 * no longer read. */
#pragma once

#include "cgfs.h"
#include "config.h"
#include "snapshot.h"

struct docker;

struct sampler_context {
        const struct config *config;
        struct cgfs *fs;
        const struct cgfs_layout_info *layout;
        const struct docker *docker; /* NULL: cgroups only */
        /* The previous sample (indexed, as sampler_take leaves it): groups
         * that raised no change event since and are not due for the slow
         * refresh carry their figures over. NULL: read every group. */
        const struct snapshot *previous;
        /* A decision will rank groups by use (memory above normal, a PSI
         * trigger): read memory.current of every group. The sampler also
         * sets this itself when host memory is near the marks. */
        bool usage_needed;
};

/* Fill snap (initialised, empty). 0, -ENOMEM, or -errno if host memory
 * cannot be read (the only input without which nothing can be decided). */
int sampler_take(const struct sampler_context *ctx, usec_t now, struct snapshot *snap);

/* Re-read one group in place (before a destructive action). 0, -ENOENT if gone. */
int sampler_refresh_group(const struct sampler_context *ctx, struct group_sample *g);
