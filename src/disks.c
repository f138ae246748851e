/* disks — see include/disks.h. The watching half: statvfs of each
 * [disk:], the tiers (disks-policy.c decides), status, the image LRU file;
 * it starts cleanups, which disks-cleanup.c runs. */
#include "disks-cleanup.h"

void disks_set_env(struct disks *disks, const struct disks_env *env)
{
        assert(disks && env && env->event && env->config);
        disks->env = *env;
}

int disks_new(const struct disks_env *env, struct disks **ret)
{
        struct disks *disks;

        assert(env);
        assert(ret);
        disks = calloc(1, sizeof(*disks));
        if (!disks)
                return -ENOMEM;
        disks_set_env(disks, env);
        imagelru_init(&disks->lru);
        *ret = disks;
        return 0;
}

struct disks *disks_free(struct disks *disks)
{
        if (!disks)
                return NULL;
        disks_job_orphan(disks->job);
        if (disks->lru_loaded)
                disks_lru_save(disks, util_now_usec());
        imagelru_done(&disks->lru);
        for (size_t i = 0; i < disks->n_watches; i++)
                free(disks->watches[i].path);
        free(disks->watches);
        free(disks);
        return NULL;
}

/* Follow the configuration: keep state for paths still configured, add new
 * ones, drop the rest. */
static int watches_reconcile(struct disks *disks)
{
        const struct config *c = disks->env.config;
        struct disk_watch *next;

        next = calloc(c->n_disks ? c->n_disks : 1, sizeof(*next));
        if (!next)
                return -ENOMEM;
        for (size_t i = 0; i < c->n_disks; i++) {
                struct disk_watch *old = disks_watch_find(disks, c->disks[i].path);

                if (old) {
                        next[i] = *old;
                        old->path = NULL; /* moved */
                        continue;
                }
                next[i].path = strdup(c->disks[i].path);
                if (!next[i].path) {
                        for (size_t k = 0; k < i; k++)
                                free(next[k].path);
                        free(next);
                        return -ENOMEM;
                }
                disk_state_init(&next[i].state);
        }
        for (size_t i = 0; i < disks->n_watches; i++)
                free(disks->watches[i].path);
        free(disks->watches);
        disks->watches = next;
        disks->n_watches = c->n_disks;
        return 0;
}

static bool watches_match_config(const struct disks *disks)
{
        const struct config *c = disks->env.config;

        if (disks->n_watches != c->n_disks)
                return false;
        for (size_t i = 0; i < c->n_disks; i++)
                if (strcmp(disks->watches[i].path, c->disks[i].path) != 0)
                        return false;
        return true;
}

static void log_disk_tier(struct disks *disks, const struct disk_watch *w,
                          const struct disk_decision *dec)
{
        char f_disk[4200], f_tier[64], f_prev[64], f_blocks[64], f_inodes[64], f_io[64];
        const char *fields[] = {f_disk, f_tier, f_prev, f_blocks, f_inodes, f_io, NULL};

        snprintf(f_disk, sizeof(f_disk), "GOVERNOR_DISK=%s", w->path);
        snprintf(f_tier, sizeof(f_tier), "GOVERNOR_TIER=%s", tier_name(dec->tier));
        snprintf(f_prev, sizeof(f_prev), "GOVERNOR_PREVIOUS_TIER=%s",
                 tier_name(dec->previous_tier));
        snprintf(f_blocks, sizeof(f_blocks), "GOVERNOR_BLOCKS_USED_PERCENT=%.1f",
                 w->usage.blocks_percent);
        snprintf(f_inodes, sizeof(f_inodes), "GOVERNOR_INODES_USED_PERCENT=%.1f",
                 w->usage.inodes_percent);
        snprintf(f_io, sizeof(f_io), "GOVERNOR_IO_PRESSURE=%.2f", disks_io_pressure(&disks->env));
        log_event(dec->tier > dec->previous_tier ? LOG_WARNING : LOG_NOTICE, MSGID_TIER, fields,
                  "disk %s tier %s -> %s (blocks %.1f%%, inodes %.1f%% used, io pressure %.2f%%)",
                  w->path, tier_name(dec->previous_tier), tier_name(dec->tier),
                  w->usage.blocks_percent, w->usage.inodes_percent, disks_io_pressure(&disks->env));
}

/* A cleanup starts only if the actuator admits its first action, as
 * planned: not while enforcement is paused (the actuator records that action
 * as skipped, once per pause window). No cooldown follows a refusal. */
static bool cleanup_admitted(struct disks *disks, const struct disk_watch *w,
                             const struct disk_section *cfg, enum tier tier)
{
        struct actuator_disk_request rq = disks_request(disks, false, disks->env.dry_run);
        struct disk_action a;

        if (!disks_next_action(cfg, w->path, tier, DISK_ACTION_NONE, &w->usage, false, false, &a))
                return true; /* nothing to act on: the job finds that too */
        return actuator_disk_admit(disks->env.actuator, &rq, &a) == 0;
}

int disks_evaluate(struct disks *disks, usec_t now)
{
        const struct config *c;
        int r;

        assert(disks);
        c = disks->env.config;
        if (!watches_match_config(disks)) {
                r = watches_reconcile(disks);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < disks->n_watches; i++) {
                struct disk_watch *w = &disks->watches[i];
                const struct disk_section *cfg = &c->disks[i];
                struct disk_decision dec;

                if (disks_watch_sample(w) < 0)
                        continue;
                disks_decide(cfg, &w->state, &w->usage, now, disks->job != NULL, &dec);
                if (dec.tier != dec.previous_tier)
                        log_disk_tier(disks, w, &dec);
                /* Docker stages that were skipped while it was away run once
                 * it is back, without waiting out the cooldown. */
                if (!dec.start_cleanup && w->docker_skipped && !disks->job &&
                    dec.tier >= TIER_CRITICAL && !disks_under_low(cfg, &w->usage) &&
                    disks->env.docker && docker_is_connected(disks->env.docker))
                        dec.start_cleanup = true;
                if (dec.tier < TIER_CRITICAL)
                        w->docker_skipped = false;
                if (!dec.start_cleanup)
                        continue;
                if (!cleanup_admitted(disks, w, cfg, dec.tier))
                        continue;
                log_info("disk %s at %s (%.1f%% used): cleanup down to %.1f%%", w->path,
                         tier_name(dec.tier), w->usage.used_percent, cfg->low_percent);
                r = disks_job_start(disks, false, false, w->path, dec.tier, NULL, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0)
                        log_warning("disk %s: cannot start cleanup: %s", w->path, strerror(-r));
        }

        if (disks->lru.dirty &&
            (disks->lru_saved_usec == 0 || now - disks->lru_saved_usec >= IMAGELRU_SAVE_USEC))
                disks_lru_save(disks, now);
        return 0;
}

size_t disks_count(const struct disks *disks)
{
        assert(disks);
        return disks->n_watches;
}

int disks_get_status(const struct disks *disks, size_t i, struct disks_status *ret)
{
        const struct disk_watch *w;

        assert(disks);
        assert(ret);
        if (i >= disks->n_watches)
                return -ENOENT;
        w = &disks->watches[i];
        *ret = (struct disks_status){
            .path = w->path,
            .tier = w->state.tracker.tier,
            .sampled = w->sampled,
            .usage = w->usage,
            .io_pressure_some_avg10 = disks_io_pressure(&disks->env),
            .cleaning = disks_job_cleaning(disks->job, w->path),
            .last_cleanup_realtime_usec = w->last_cleanup_realtime_usec,
        };
        return 0;
}

void disks_image_used(struct disks *disks, const char *image_id, usec_t now_realtime_usec)
{
        if (!disks || !image_id || !image_id[0])
                return;
        disks_lru_ensure_loaded(disks);
        if (imagelru_touch(&disks->lru, image_id, now_realtime_usec) == -ENOMEM)
                log_warning("out of memory recording image use");
}

int disks_cleanup_now(struct disks *disks, bool dry_run, disks_cleanup_fn done, void *userdata)
{
        const char *evict_disk = NULL;

        assert(done);
        if (!disks)
                return -ENOTCONN;
        /* Eviction only where a disk is at emergency (the worst first). */
        for (size_t i = 0; i < disks->n_watches; i++) {
                const struct disk_watch *w = &disks->watches[i];
                if (w->state.tracker.tier == TIER_EMERGENCY) {
                        evict_disk = w->path;
                        break;
                }
        }
        return disks_job_start(disks, true, dry_run, evict_disk, TIER_EMERGENCY, done, userdata);
}
