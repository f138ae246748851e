/* metrics-daemon — metrics_format() and metrics_write_file(): the daemon's
 * state into struct metrics_input (see include/metrics.h). Linked with the
 * control module, not with the pure metrics library, because it reaches into
 * the Docker client and the disk watcher. */
#include "metrics.h"

#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "actuator.h"
#include "daemon.h"
#include "disks.h"
#include "docker.h"
#include "overrides.h"

#define METRICS_MAX_DISKS 64 /* [disk:] sections shown; more is not a real host */

int metrics_format(struct daemon *d, FILE *f)
{
        struct metrics_disk disks[METRICS_MAX_DISKS];
        struct daemon_counters counters = d->counters;
        struct metrics_input in = {
            .version = VERSION,
            .snapshot = &d->snapshot,
            .memory_tier = d->policy.memory.tier,
            .disks = disks,
            .counters = &counters,
            .history = d->history,
            .docker_configured = d->docker != NULL,
            .docker_connected = d->docker && docker_is_connected(d->docker),
            .dry_run = d->dry_run,
            .started_realtime_usec = d->started_realtime_usec,
        };

        assert(d);
        assert(f);
        if (d->actuator) {
                struct actuator_stats st;
                actuator_get_stats(d->actuator, &st);
                counters.actions_failed += st.failed;
        }
        if (d->disks) {
                struct disks_stats ds;
                disks_get_stats(d->disks, &ds);
                counters.actions_failed += ds.failed;
                counters.bytes_freed += ds.bytes_freed;
        }

        if (d->overrides) {
                in.paused = overrides_paused(d->overrides);
                (void)overrides_get(d->overrides, &in.n_overrides);
        }
        for (size_t i = 0; d->disks && i < disks_count(d->disks) && i < METRICS_MAX_DISKS; i++) {
                struct disks_status st;

                if (disks_get_status(d->disks, i, &st) < 0)
                        break;
                disks[in.n_disks++] = (struct metrics_disk){
                    .path = st.path,
                    .tier = st.tier,
                    .sampled = st.sampled,
                    .used_percent = st.usage.used_percent,
                    .size_bytes = st.usage.bytes_total,
                    .avail_bytes = st.usage.bytes_avail,
                };
        }
        return metrics_format_input(&in, f);
}

int metrics_write_file(struct daemon *d, const char *path)
{
        _cleanup_free_ char *buf = NULL;
        char dir[PATH_MAX];
        size_t len = 0;
        struct stat st;
        FILE *f;
        int r;

        assert(d);
        assert(path);

        /* The textfile collector's directory belongs to its package: never create it. */
        util_strlcpy(dir, path, sizeof dir);
        if (stat(dirname(dir), &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;

        f = open_memstream(&buf, &len);
        if (!f)
                return -ENOMEM;
        r = metrics_format(d, f);
        if (fclose(f) != 0 && r == 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        /* every tick: atomic for the collector, no fsync (it would be the
         * daemon's largest idle cost, for a file rewritten a second later) */
        return util_replace_file(path, buf, len, 0644);
}
