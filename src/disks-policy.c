/* disks-policy — the pure part of include/disks.h: usage from statvfs, the
 * per-disk tier and cooldown decision, and the order of cleanup stages.
 * Kept apart from disks.c so test-disks links no daemon, Docker or I/O. */
#include "disks.h"

#include <assert.h>
#include <math.h>

static double percent_of(uint64_t part, uint64_t whole)
{
        if (whole == 0)
                return 0.0;
        return (double)part * 100.0 / (double)whole;
}

void disks_usage_from_statvfs(const struct statvfs *st, struct disk_usage *ret)
{
        uint64_t frsize, used_blocks, avail_blocks, used_inodes;

        assert(st);
        assert(ret);

        frsize = st->f_frsize ? st->f_frsize : st->f_bsize;
        /* df's arithmetic: blocks reserved for root count neither as used nor
         * as available, so 100% means "full for unprivileged writers". */
        used_blocks = st->f_blocks >= st->f_bfree ? st->f_blocks - st->f_bfree : 0;
        avail_blocks = st->f_bavail;
        used_inodes = st->f_files >= st->f_ffree ? st->f_files - st->f_ffree : 0;

        *ret = (struct disk_usage){
            .bytes_total = (used_blocks + avail_blocks) * frsize,
            .bytes_used = used_blocks * frsize,
            .bytes_avail = avail_blocks * frsize,
            .inodes_total = st->f_files,
            .inodes_used = used_inodes,
            .blocks_percent = percent_of(used_blocks, used_blocks + avail_blocks),
            /* Filesystems without a fixed inode table (btrfs) report 0. */
            .inodes_percent = percent_of(used_inodes, st->f_files),
        };
        ret->used_percent = fmax(ret->blocks_percent, ret->inodes_percent);
}

void disk_state_init(struct disk_state *s)
{
        assert(s);
        tier_tracker_init(&s->tracker);
        s->last_cleanup_usec = USEC_INFINITY;
        s->last_cleanup_tier = TIER_NORMAL;
}

bool disks_under_low(const struct disk_section *cfg, const struct disk_usage *usage)
{
        assert(cfg);
        assert(usage);
        return usage->used_percent <= cfg->low_percent;
}

void disks_decide(const struct disk_section *cfg, struct disk_state *state,
                  const struct disk_usage *usage, usec_t now, bool cleanup_running,
                  struct disk_decision *ret)
{
        const double marks[3] = {cfg->warning_percent, cfg->critical_percent,
                                 cfg->emergency_percent};
        struct tier_conditions c;
        bool cooled;

        assert(cfg);
        assert(state);
        assert(usage);
        assert(ret);

        tier_conditions_from_value(usage->used_percent, marks, cfg->hysteresis_percent, &c);
        ret->previous_tier = state->tracker.tier;
        ret->tier = tier_update(&state->tracker, &c, cfg->hold_usec, now);

        /* After a cleanup the disk needs time to show its effect (and a
         * cleanup that found nothing must not rerun every tick) — unless it
         * got worse: a higher tier unlocks stages the last run did not have. */
        cooled = state->last_cleanup_usec == USEC_INFINITY ||
                 (now >= state->last_cleanup_usec &&
                  now - state->last_cleanup_usec >= cfg->cooldown_usec) ||
                 ret->tier > state->last_cleanup_tier;

        ret->start_cleanup =
            ret->tier >= TIER_WARNING && !cleanup_running && cooled && !disks_under_low(cfg, usage);
}

const char *disks_stage_name(enum disks_stage s)
{
        switch (s) {
        case DISKS_STAGE_START:
                return "start";
        case DISKS_STAGE_LOGS:
                return "logs";
        case DISKS_STAGE_JOURNAL:
                return "journal";
        case DISKS_STAGE_CONTAINERS:
                return "containers";
        case DISKS_STAGE_DANGLING:
                return "dangling-images";
        case DISKS_STAGE_BUILD_CACHE:
                return "build-cache";
        case DISKS_STAGE_EVICT:
                return "evict-images";
        case DISKS_STAGE_DONE:
                return "done";
        }
        return "unknown";
}

enum tier disks_stage_tier(enum disks_stage s)
{
        switch (s) {
        case DISKS_STAGE_LOGS:
        case DISKS_STAGE_JOURNAL:
                return TIER_WARNING;
        case DISKS_STAGE_CONTAINERS:
        case DISKS_STAGE_DANGLING:
        case DISKS_STAGE_BUILD_CACHE:
                return TIER_CRITICAL;
        case DISKS_STAGE_EVICT:
                return TIER_EMERGENCY;
        case DISKS_STAGE_START:
        case DISKS_STAGE_DONE:
                break;
        }
        return TIER_NORMAL;
}

enum disks_stage disks_next_stage(const struct disk_section *cfg, enum tier tier,
                                  enum disks_stage done, const struct disk_usage *fresh, bool force,
                                  bool evict_exhausted)
{
        bool under_low;

        assert(cfg);
        assert(fresh);
        assert(done <= DISKS_STAGE_DONE);

        if (done == DISKS_STAGE_DONE)
                return DISKS_STAGE_DONE;
        under_low = disks_under_low(cfg, fresh);
        if (under_low && !force)
                return DISKS_STAGE_DONE;

        for (enum disks_stage s = done == DISKS_STAGE_EVICT ? DISKS_STAGE_EVICT : done + 1;
             s < DISKS_STAGE_DONE; s++) {
                if (disks_stage_tier(s) > tier)
                        continue;
                if (s == DISKS_STAGE_EVICT) {
                        /* Evicting costs a re-pull: even a forced run evicts
                         * only down to the low mark, and stops when nothing
                         * evictable is left. */
                        if (under_low || evict_exhausted)
                                return DISKS_STAGE_DONE;
                }
                return s;
        }
        return DISKS_STAGE_DONE;
}
