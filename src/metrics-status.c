/* metrics-status — metrics_format() and metrics_write_file(): the published
 * status (include/status.h) into struct metrics_input (include/metrics.h).
 * Linked with the control module, not with the pure metrics library, because
 * it reads the operator's overrides. */
#include "metrics.h"

#include <assert.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>

#include "overrides.h"
#include "status.h"

int metrics_format(const struct status *status, const struct overrides *overrides, FILE *f)
{
        struct metrics_disk disks[STATUS_DISKS_MAX];
        struct metrics_input in = {
            .version = VERSION,
            .snapshot = status->snapshot,
            .memory_tier = status->memory_tier,
            .disks = disks,
            .counters = &status->counters,
            .history = status->history,
            .docker_configured = status->docker_configured,
            .docker_connected = status->docker_connected,
            .dry_run = status->dry_run,
            .started_realtime_usec = status->started_realtime_usec,
        };

        assert(status);
        assert(f);
        if (!status->snapshot)
                return -EAGAIN; /* nothing published yet */
        if (overrides) {
                in.paused = overrides_paused(overrides);
                (void)overrides_get(overrides, &in.n_overrides);
        }
        for (size_t i = 0; i < status->n_disks && i < STATUS_DISKS_MAX; i++) {
                const struct status_disk *sd = &status->disks[i];

                disks[in.n_disks++] = (struct metrics_disk){
                    .path = sd->path,
                    .tier = sd->tier,
                    .sampled = sd->sampled,
                    .used_percent = sd->used_percent,
                    .size_bytes = sd->size_bytes,
                    .avail_bytes = sd->avail_bytes,
                };
        }
        return metrics_format_input(&in, f);
}

int metrics_write_file(const struct status *status, const struct overrides *overrides,
                       const char *path)
{
        _cleanup_free_ char *buf = NULL;
        char dir[PATH_MAX];
        size_t len = 0;
        struct stat st;
        FILE *f;
        int r;

        assert(status);
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
        r = metrics_format(status, overrides, f);
        if (fclose(f) != 0 && r == 0)
                r = -ENOMEM;
        if (r < 0)
                return r;
        /* atomic for the collector, no fsync (it would be the governor's
         * largest idle cost, for a file rewritten seconds later); the
         * previous version is reused (PATH.prev), not a new inode each time */
        return util_replace_file_reuse(path, buf, len, 0644);
}
