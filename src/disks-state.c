/* disks-state — the disk module's shared state and the helpers both halves
 * use (src/disks-state.h): finding and sampling a watched disk, the request
 * the actuator judges, I/O pressure, the image LRU file. Below both
 * disks.c (watching) and disks-cleanup.c (a cleanup job), so neither calls
 * back into the other's file. */
#include "disks-state.h"

struct actuator_disk_request disks_request(const struct disks *disks, bool manual, bool dry_run)
{
        return (struct actuator_disk_request){
            .config = disks->env.config,
            .docker = disks->env.docker,
            .overrides = disks->env.overrides,
            .dry_run = dry_run,
            .manual = manual,
            /* an operator's dry-run answers them; the daemon's is history */
            .report_only = manual && dry_run && !disks->env.dry_run,
        };
}

static const char *state_dir(const struct disks_env *env)
{
        return env->state_dir && env->state_dir[0] ? env->state_dir : NULL;
}

const struct disk_section *disks_disk_config(const struct disks_env *d, const char *path)
{
        for (size_t i = 0; i < d->config->n_disks; i++)
                if (strcmp(d->config->disks[i].path, path) == 0)
                        return &d->config->disks[i];
        return NULL;
}

struct disk_watch *disks_watch_find(struct disks *disks, const char *path)
{
        for (size_t i = 0; i < disks->n_watches; i++)
                if (strcmp(disks->watches[i].path, path) == 0)
                        return &disks->watches[i];
        return NULL;
}

static int sample_path(const char *path, struct disk_usage *ret_usage, dev_t *ret_dev)
{
        struct statvfs sv;
        struct stat st;

        if (statvfs(path, &sv) < 0 || stat(path, &st) < 0)
                return -errno;
        disks_usage_from_statvfs(&sv, ret_usage);
        if (ret_dev)
                *ret_dev = st.st_dev;
        return 0;
}

int disks_watch_sample(struct disk_watch *w)
{
        struct disk_usage u;
        dev_t dev = 0;
        int r = sample_path(w->path, &u, &dev);

        if (r < 0) {
                if (!w->sample_failed_logged)
                        log_warning("disk %s: cannot sample: %s", w->path, strerror(-r));
                w->sample_failed_logged = true;
                w->sampled = false;
                return r;
        }
        w->sample_failed_logged = false;
        w->usage = u;
        w->dev = dev;
        w->sampled = true;
        return 0;
}

double disks_io_pressure(const struct disks_env *env)
{
        return env->io_pressure_some_avg10;
}

void disks_lru_ensure_loaded(struct disks *disks)
{
        char path[4096];
        int r;

        if (disks->lru_loaded)
                return;
        disks->lru_loaded = true;
        if (!state_dir(&disks->env))
                return;
        snprintf(path, sizeof(path), "%s/%s", state_dir(&disks->env), IMAGELRU_FILE);
        r = imagelru_load(&disks->lru, path);
        if (r == -EINVAL)
                log_warning("%s is corrupt; image last-use starts afresh", path);
        else if (r < 0 && r != -ENOENT)
                log_warning("cannot read %s: %s", path, strerror(-r));
}

void disks_lru_save(struct disks *disks, usec_t now)
{
        char path[4096];
        int r;

        if (!disks->lru.dirty || !state_dir(&disks->env))
                return;
        snprintf(path, sizeof(path), "%s/%s", state_dir(&disks->env), IMAGELRU_FILE);
        r = imagelru_save(&disks->lru, path);
        if (r < 0)
                log_warning("cannot save %s: %s", path, strerror(-r));
        disks->lru_saved_usec = now;
}
