/* actuator-record — what the memory half (actuator.c) and the disk half
 * (actuator-disk.c) of the actuator share: whether enforcement is paused,
 * the pause window's memory of disk actions already recorded as skipped, and
 * the record of every outcome (history entry and counters). It calls
 * neither half, so the actuator's files depend one way. */
#include "actuator-private.h"

#include <assert.h>

#include "history.h"
#include "log.h"
#include "overrides.h"
#include "util.h"

bool actuator_paused(const struct overrides *overrides)
{
        return overrides && overrides_paused(overrides);
}

void actuator_disk_pause_over(struct actuator *act)
{
        if (act)
                act->n_disk_paused = 0;
}

void actuator_record(struct actuator *act, const char *kind, const char *target,
                     const char *reason, uint64_t bytes, bool has_bytes, int result,
                     const char *detail)
{
        struct history_entry e = {
                .time_realtime_usec = util_realtime_usec(),
                .bytes = bytes,
                .has_bytes = has_bytes,
                .dry_run = result == HISTORY_RESULT_DRY_RUN,
                .result = (enum history_result)result,
        };

        assert(act && kind && target && reason);
        /* the counters, for every outcome recorded: memory and disk alike */
        if (result == HISTORY_RESULT_FAILED)
                act->stats.failed++;
        else if (result == HISTORY_RESULT_SKIPPED)
                act->stats.skipped++;
        if (!act->deps.history)
                return;
        util_strlcpy(e.kind, kind, sizeof e.kind);
        util_strlcpy(e.target, target, sizeof e.target);
        util_strlcpy(e.reason, reason, sizeof e.reason);
        util_strlcpy(e.detail, detail ? detail : "", sizeof e.detail);
        if (history_add(act->deps.history, &e) < 0)
                log_warning("history full and out of memory; entry dropped");
}
