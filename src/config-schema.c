/* config-schema — see include/config-schema.h */
#include "config-schema.h"

#define K_BOOL(s, n, f)                                                                            \
        {                                                                                          \
                n, CONFIG_VALUE_BOOL, offsetof(s, f), 0, 0, 0, 0, 0                                \
        }
#define K_DURATION(s, n, f, lo, hi, fl)                                                            \
        {                                                                                          \
                n, CONFIG_VALUE_DURATION, offsetof(s, f), lo, hi, 0, 0, fl                         \
        }
#define K_PERCENT(s, n, f, lo, hi)                                                                 \
        {                                                                                          \
                n, CONFIG_VALUE_PERCENT, offsetof(s, f), 0, 0, lo, hi, 0                           \
        }
#define K_PATH(s, n, f)                                                                            \
        {                                                                                          \
                n, CONFIG_VALUE_PATH, offsetof(s, f), 0, 0, 0, 0, 0                                \
        }
#define K_TYPED(s, n, t, f, lo, hi, fl)                                                            \
        {                                                                                          \
                n, t, offsetof(s, f), lo, hi, 0, 0, fl                                             \
        }

static const struct config_key_def governor_keys[] = {
    K_BOOL(struct governor_section, "dry_run", dry_run),
    K_DURATION(struct governor_section, "interval", interval_usec, 100 * USEC_PER_MSEC,
               USEC_PER_HOUR, 0),
    K_PATH(struct governor_section, "state_dir", state_dir),
    K_PATH(struct governor_section, "control_socket", control_socket),
    K_PATH(struct governor_section, "docker_socket", docker_socket),
    K_PATH(struct governor_section, "metrics_file", metrics_file),
    K_PATH(struct governor_section, "cgroup_root", cgroup_root),
    K_TYPED(struct governor_section, "history_size", CONFIG_VALUE_UINT, history_size, 1, 100000, 0),
};

static const struct config_key_def memory_keys[] = {
    K_PERCENT(struct memory_section, "warning", warning_percent, 0, 100),
    K_PERCENT(struct memory_section, "critical", critical_percent, 0, 100),
    K_PERCENT(struct memory_section, "emergency", emergency_percent, 0, 100),
    K_PERCENT(struct memory_section, "hysteresis", hysteresis_percent, 0, 50),
    K_TYPED(struct memory_section, "pressure_warning", CONFIG_VALUE_PSI_THRESHOLD, pressure_warning,
            0, 0, 0),
    K_TYPED(struct memory_section, "pressure_critical", CONFIG_VALUE_PSI_THRESHOLD,
            pressure_critical, 0, 0, 0),
    K_TYPED(struct memory_section, "pressure_emergency", CONFIG_VALUE_PSI_THRESHOLD,
            pressure_emergency, 0, 0, 0),
    K_DURATION(struct memory_section, "hold", hold_usec, 0, 10 * USEC_PER_MINUTE, 0),
    K_DURATION(struct memory_section, "emergency_hold", emergency_hold_usec, 0,
               10 * USEC_PER_MINUTE, 0),
    K_DURATION(struct memory_section, "cooldown", cooldown_usec, 0, USEC_PER_HOUR, 0),
    K_TYPED(struct memory_section, "trigger", CONFIG_VALUE_TRIGGER, trigger, 0, 0, 0),
    /* Reclaiming more than half a group's usage at once is a kill in disguise. */
    K_PERCENT(struct memory_section, "reclaim", reclaim_percent, 0, 50),
    /* memory.high far below usage stalls a group solid; keep some room. */
    K_PERCENT(struct memory_section, "throttle", throttle_percent, 10, 100),
    K_DURATION(struct memory_section, "stop_timeout", stop_timeout_usec, 0, 10 * USEC_PER_MINUTE,
               CONFIG_KEY_WHOLE_SECONDS),
};

static const struct config_key_def journal_keys[] = {
    K_PATH(struct journal_section, "journalctl", journalctl),
    K_TYPED(struct journal_section, "vacuum_size", CONFIG_VALUE_BYTES, vacuum_size_bytes, MIB,
            BYTES_MAX - 1, 0),
    K_DURATION(struct journal_section, "vacuum_time", vacuum_time_usec, USEC_PER_HOUR,
               3650 * USEC_PER_DAY, CONFIG_KEY_WHOLE_SECONDS),
};

static const struct config_key_def disk_keys[] = {
    K_PERCENT(struct disk_section, "warning", warning_percent, 0, 100),
    K_PERCENT(struct disk_section, "critical", critical_percent, 0, 100),
    K_PERCENT(struct disk_section, "emergency", emergency_percent, 0, 100),
    K_PERCENT(struct disk_section, "low", low_percent, 0, 100),
    K_PERCENT(struct disk_section, "hysteresis", hysteresis_percent, 0, 50),
    K_DURATION(struct disk_section, "hold", hold_usec, 0, USEC_PER_HOUR, 0),
    K_DURATION(struct disk_section, "cooldown", cooldown_usec, 0, USEC_PER_DAY, 0),
    K_DURATION(struct disk_section, "container_min_age", container_min_age_usec, 0,
               365 * USEC_PER_DAY, CONFIG_KEY_WHOLE_SECONDS),
    K_DURATION(struct disk_section, "image_min_age", image_min_age_usec, 0, 365 * USEC_PER_DAY,
               CONFIG_KEY_WHOLE_SECONDS),
    K_TYPED(struct disk_section, "keep_image", CONFIG_VALUE_KEEP_IMAGE, keep_images, 0, 0,
            CONFIG_KEY_MULTI),
};

static const struct config_key_def logs_keys[] = {
    K_PATH(struct logs_section, "dir", dir),
    K_TYPED(struct logs_section, "pattern", CONFIG_VALUE_PATTERN, pattern, 0, 0, 0),
    K_DURATION(struct logs_section, "max_age", max_age_usec, USEC_PER_MINUTE, 3650 * USEC_PER_DAY,
               0),
    K_TYPED(struct logs_section, "max_total", CONFIG_VALUE_BYTES, max_total_bytes, MIB, BYTES_MAX,
            CONFIG_KEY_ALLOW_MAX),
    K_BOOL(struct logs_section, "recursive", recursive),
};

/* [container:NAME] and [cgroup:NAME] share keys; match kinds differ. */
static const struct config_key_def rule_keys[] = {
    K_TYPED(struct rule, "match", CONFIG_VALUE_MATCH, matches, 0, 0, CONFIG_KEY_MULTI),
    /* Docker refuses limits below 6 MiB; below 1 MiB nothing runs at all. */
    K_TYPED(struct rule, "memory_max", CONFIG_VALUE_SIZE, memory_max, MIB, 0, 0),
    K_TYPED(struct rule, "memory_swap", CONFIG_VALUE_SIZE, memory_swap, 0, 0,
            CONFIG_KEY_ALLOW_ZERO),
    K_TYPED(struct rule, "memory_high", CONFIG_VALUE_SIZE, memory_high, MIB, 0, 0),
    K_TYPED(struct rule, "priority", CONFIG_VALUE_INT, priority, 0, 1000, 0),
    K_BOOL(struct rule, "protect", protect),
    K_BOOL(struct rule, "sacrificial", sacrificial),
    /* defense in depth (issue 14): what the kernel keeps for the group
     * (memory.low, memory.min) and whether its OOM killer takes the whole
     * group (memory.oom.group) */
    K_TYPED(struct rule, "memory_low", CONFIG_VALUE_SIZE, memory_low, MIB, 0, 0),
    K_TYPED(struct rule, "memory_min", CONFIG_VALUE_SIZE, memory_min, MIB, 0, 0),
    K_BOOL(struct rule, "oom_group", oom_group),
};

const struct config_section_def config_schema_sections[CONFIG_SECTION_TYPE_COUNT] = {
    [CONFIG_SECTION_GOVERNOR] = {"governor", false, NULL, governor_keys, ELEMENTSOF(governor_keys)},
    [CONFIG_SECTION_MEMORY] = {"memory", false, NULL, memory_keys, ELEMENTSOF(memory_keys)},
    [CONFIG_SECTION_JOURNAL] = {"journal", false, NULL, journal_keys, ELEMENTSOF(journal_keys)},
    [CONFIG_SECTION_DISK] = {"disk", true, "PATH", disk_keys, ELEMENTSOF(disk_keys)},
    [CONFIG_SECTION_LOGS] = {"logs", true, "NAME", logs_keys, ELEMENTSOF(logs_keys)},
    [CONFIG_SECTION_CONTAINER] = {"container", true, "NAME", rule_keys, ELEMENTSOF(rule_keys)},
    [CONFIG_SECTION_CGROUP] = {"cgroup", true, "NAME", rule_keys, ELEMENTSOF(rule_keys)},
};

/* Key tables index config_section_meta.keys and a 32-bit "seen" mask. */
_Static_assert(ELEMENTSOF(memory_keys) <= CONFIG_KEYS_MAX, "memory keys");
_Static_assert(ELEMENTSOF(governor_keys) <= CONFIG_KEYS_MAX, "governor keys");
_Static_assert(ELEMENTSOF(disk_keys) <= CONFIG_KEYS_MAX, "disk keys");
_Static_assert(ELEMENTSOF(journal_keys) <= CONFIG_KEYS_MAX, "journal keys");
_Static_assert(ELEMENTSOF(logs_keys) <= CONFIG_KEYS_MAX, "logs keys");
_Static_assert(ELEMENTSOF(rule_keys) <= CONFIG_KEYS_MAX, "rule keys");
_Static_assert(CONFIG_KEYS_MAX <= 32, "seen mask");

struct config_section_meta *config_schema_section_meta(struct config *c,
                                                       enum config_section_type type, size_t index)
{
        switch (type) {
        case CONFIG_SECTION_GOVERNOR:
                return &c->governor.meta;
        case CONFIG_SECTION_MEMORY:
                return &c->memory.meta;
        case CONFIG_SECTION_JOURNAL:
                return &c->journal.meta;
        case CONFIG_SECTION_DISK:
                return &c->disks[index].meta;
        case CONFIG_SECTION_LOGS:
                return &c->logs[index].meta;
        default:
                return &c->rules[index].meta;
        }
}

void *config_schema_section_base(struct config *c, enum config_section_type type, size_t index)
{
        switch (type) {
        case CONFIG_SECTION_GOVERNOR:
                return &c->governor;
        case CONFIG_SECTION_MEMORY:
                return &c->memory;
        case CONFIG_SECTION_JOURNAL:
                return &c->journal;
        case CONFIG_SECTION_DISK:
                return &c->disks[index];
        case CONFIG_SECTION_LOGS:
                return &c->logs[index];
        default:
                return &c->rules[index];
        }
}
