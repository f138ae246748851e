/* disks-policy — the pure part of include/disks.h: usage from statvfs, the
 * per-disk tier and cooldown decision, and the plan of disk actions, one at a
 * time.
 * Kept apart from disks.c so test-disks links no daemon, Docker or I/O. */
#include "disks.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>

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

const char *disk_action_kind_name(enum disk_action_kind k)
{
        switch (k) {
        case DISK_ACTION_NONE:
                return "none";
        case DISK_ACTION_PRUNE_LOGS:
                return "prune-logs";
        case DISK_ACTION_VACUUM_JOURNAL:
                return "vacuum-journal";
        case DISK_ACTION_PRUNE_CONTAINERS:
                return "prune-containers";
        case DISK_ACTION_PRUNE_IMAGES:
                return "prune-images";
        case DISK_ACTION_PRUNE_BUILD_CACHE:
                return "prune-build-cache";
        case DISK_ACTION_EVICT_IMAGE:
                return "evict-image";
        }
        return "unknown";
}

enum tier disk_action_kind_tier(enum disk_action_kind k)
{
        switch (k) {
        case DISK_ACTION_PRUNE_LOGS:
        case DISK_ACTION_VACUUM_JOURNAL:
                return TIER_WARNING;
        case DISK_ACTION_PRUNE_CONTAINERS:
        case DISK_ACTION_PRUNE_IMAGES:
        case DISK_ACTION_PRUNE_BUILD_CACHE:
                return TIER_CRITICAL;
        case DISK_ACTION_EVICT_IMAGE:
                return TIER_EMERGENCY;
        case DISK_ACTION_NONE:
                break;
        }
        return TIER_NORMAL;
}

static bool plan(enum disk_action_kind k, const char *disk, enum tier tier,
                 const struct disk_usage *fresh, bool force, struct disk_action *ret)
{
        *ret = (struct disk_action){.kind = k, .disk = disk, .tier = tier};
        if (force && !fresh)
                snprintf(ret->reason, sizeof(ret->reason), "operator request");
        else if (force)
                snprintf(ret->reason, sizeof(ret->reason), "operator request; disk %s at %.1f%%",
                         disk, fresh->used_percent);
        else
                snprintf(ret->reason, sizeof(ret->reason), "disk %s at %s, %.1f%% used", disk,
                         tier_name(tier), fresh->used_percent);
        return true;
}

bool disks_next_action(const struct disk_section *cfg, const char *disk, enum tier tier,
                       enum disk_action_kind done, const struct disk_usage *fresh, bool force,
                       bool evict_exhausted, struct disk_action *ret)
{
        bool under_low;

        assert(done <= DISK_ACTION_EVICT_IMAGE);
        assert(ret);

        *ret = (struct disk_action){.kind = DISK_ACTION_NONE, .disk = disk, .tier = tier};
        /* An operator's cleanup takes every rule-based action, whatever the
         * disk shows (and with no disk at all). */
        if (force && done < DISK_ACTION_PRUNE_BUILD_CACHE)
                return plan(done + 1, disk, tier, disk ? fresh : NULL, true, ret);
        if (!cfg || !fresh || !disk)
                return false; /* no disk, or it left the configuration */
        under_low = disks_under_low(cfg, fresh);
        if (under_low && !force)
                return false;

        for (enum disk_action_kind k = done == DISK_ACTION_EVICT_IMAGE ? DISK_ACTION_EVICT_IMAGE
                                                                       : done + 1;
             k <= DISK_ACTION_EVICT_IMAGE; k++) {
                if (disk_action_kind_tier(k) > tier)
                        continue;
                /* Evicting costs a re-pull: even a forced run evicts only
                 * down to the low mark, and stops when nothing evictable is
                 * left. */
                if (k == DISK_ACTION_EVICT_IMAGE && (under_low || evict_exhausted))
                        return false;
                return plan(k, disk, tier, fresh, force, ret);
        }
        return false;
}
