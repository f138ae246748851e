/* config-section — see include/config-section.h
 *
 * The built-in defaults live here and only here: --dump-config, the man page
 * and conf/governor.conf (every default, commented out) must agree with them. */
#include "config-section.h"

#include <errno.h>
#include <stdlib.h>

#include "config-schema.h"
#include "config-value.h"

int config_section_governor_init(struct governor_section *g)
{
        *g = (struct governor_section){
            .dry_run = false,
            .interval_usec = USEC_PER_SEC,
            .history_size = 1000,
        };
        if (config_value_replace_string(&g->state_dir, "/var/lib/sutazai-governor") < 0 ||
            config_value_replace_string(&g->control_socket, "/run/sutazai-governor/control.sock") <
                0 ||
            config_value_replace_string(&g->docker_socket, "/var/run/docker.sock") < 0 ||
            config_value_replace_string(
                &g->metrics_file, "/var/lib/prometheus/node-exporter/sutazai_governor.prom") < 0 ||
            config_value_replace_string(&g->cgroup_root, "/sys/fs/cgroup") < 0)
                return -ENOMEM;
        return 0;
}

void config_section_governor_done(struct governor_section *g)
{
        free(g->state_dir);
        free(g->control_socket);
        free(g->docker_socket);
        free(g->metrics_file);
        free(g->cgroup_root);
}

void config_section_memory_init(struct memory_section *m)
{
        *m = (struct memory_section){
            .warning_percent = 65,
            .critical_percent = 80,
            .emergency_percent = 90,
            .hysteresis_percent = 5,
            .pressure_warning = {.set = true, .kind = PSI_SOME, .avg10_percent = 10},
            .pressure_critical = {.set = true, .kind = PSI_FULL, .avg10_percent = 20},
            .pressure_emergency = {.set = true, .kind = PSI_FULL, .avg10_percent = 40},
            .hold_usec = 5 * USEC_PER_SEC,
            .emergency_hold_usec =
                0, /* at the mark, act: earlyoom acts at 10% available with no hold */
            .cooldown_usec = 15 * USEC_PER_SEC,
            .trigger = {.kind = PSI_SOME,
                        .stall_usec = 150 * USEC_PER_MSEC,
                        .window_usec = USEC_PER_SEC},
            .reclaim_percent = 5,
            .throttle_percent = 90,
            .stop_timeout_usec = 10 * USEC_PER_SEC,
        };
}

int config_section_journal_init(struct journal_section *j)
{
        *j = (struct journal_section){
            .vacuum_size_bytes = 500 * MIB,
            .vacuum_time_usec = 14 * USEC_PER_DAY,
        };
        return config_value_replace_string(&j->journalctl, "/usr/bin/journalctl");
}

void config_section_journal_done(struct journal_section *j)
{
        free(j->journalctl);
}

void config_section_disk_init(struct disk_section *d)
{
        *d = (struct disk_section){
            .warning_percent = 80,
            .critical_percent = 90,
            .emergency_percent = 95,
            .low_percent = 75,
            .hysteresis_percent = 2,
            .hold_usec = 30 * USEC_PER_SEC,
            .cooldown_usec = 5 * USEC_PER_MINUTE,
            .container_min_age_usec = USEC_PER_HOUR,
            .image_min_age_usec = 24 * USEC_PER_HOUR,
        };
}

int config_section_logs_init(struct logs_section *l)
{
        *l = (struct logs_section){
            .max_age_usec = 7 * USEC_PER_DAY,
            .max_total_bytes = BYTES_MAX,
            .recursive = false,
        };
        return config_value_replace_string(&l->pattern, "*.log");
}

void config_section_rule_init(struct rule *r, enum rule_kind kind)
{
        *r = (struct rule){
            .kind = kind,
            .memory_swap = {.set = true, .bytes = 0},
            .priority = 100,
            /* a container is one service: killing half of it helps no one;
             * a plain cgroup rule may match a whole slice, so it opts in */
            .oom_group = kind == RULE_CONTAINER,
        };
}

void config_section_keep_images_clear(struct disk_section *d)
{
        for (size_t i = 0; i < d->n_keep_images; i++)
                free(d->keep_images[i]);
        free(d->keep_images);
        d->keep_images = NULL;
        d->n_keep_images = 0;
}

void config_section_disk_done(struct disk_section *d)
{
        free(d->path);
        config_section_keep_images_clear(d);
}

void config_section_logs_done(struct logs_section *l)
{
        free(l->name);
        free(l->dir);
        free(l->pattern);
}

void config_section_matches_clear(struct rule *r)
{
        for (size_t i = 0; i < r->n_matches; i++) {
                free(r->matches[i].key);
                free(r->matches[i].glob);
        }
        free(r->matches);
        r->matches = NULL;
        r->n_matches = 0;
}

void config_section_rule_done(struct rule *r)
{
        free(r->name);
        config_section_matches_clear(r);
}

/* Percentage points between a disk's warning mark and the cleanup watermark
 * when the operator sets warning but not low (80% -> 75%, as the defaults). */
#define DISK_LOW_BELOW_WARNING_PERCENT 5.0
#define PERCENT_DECIMALS_SCALE 1e9 /* units.c reads 9 decimals */

/* A low the operator never set follows warning, so "warning = 50%" alone is
 * valid instead of failing on a default (75%) nobody wrote. Run after every
 * file, since a later drop-in may move warning. */
void config_section_derive(struct config *c)
{
        for (size_t i = 0; i < c->n_disks; i++) {
                struct disk_section *d = &c->disks[i];

                if (d->meta.keys[CONFIG_DISK_KEY_LOW].line > 0)
                        continue;
                double low = d->warning_percent > DISK_LOW_BELOW_WARNING_PERCENT
                                     ? d->warning_percent - DISK_LOW_BELOW_WARNING_PERCENT
                                     : d->warning_percent / 2;
                /* To the 1e-9 the parser reads (units_parse_percent): halving
                 * "4.665666667%" gives a tenth decimal, and --dump-config must
                 * print a value that reads back. */
                d->low_percent = (double)(uint64_t)(low * PERCENT_DECIMALS_SCALE + 0.5) /
                                 PERCENT_DECIMALS_SCALE;
        }
}
