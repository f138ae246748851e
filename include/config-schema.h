/* config-schema — what a configuration file may say: every section, every
 * key, its type, range and place in struct config. Data only: the INI reader
 * (config-ini.c) parses against it, config-value.c turns one value into its
 * field, config-dump.c writes every key back, config-validate.c names the
 * FILE:LINE of a key through the index constants below.
 *
 * Internal to the configuration modules; the rest of the daemon uses the
 * typed fields of config.h. Adding a key: one line in a table of
 * config-schema.c, its default in config-section.c, and the man page. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR   (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY    (24ULL * USEC_PER_HOUR)
#define MIB             (1024ULL * 1024ULL) /* bytes */

enum config_section_type {
        CONFIG_SECTION_GOVERNOR,
        CONFIG_SECTION_MEMORY,
        CONFIG_SECTION_JOURNAL,
        CONFIG_SECTION_DISK,
        CONFIG_SECTION_LOGS,
        CONFIG_SECTION_CONTAINER,
        CONFIG_SECTION_CGROUP,
        CONFIG_SECTION_TYPE_COUNT,
};

enum config_value_type {
        CONFIG_VALUE_BOOL,
        CONFIG_VALUE_DURATION, /* usec_t, range min..max */
        CONFIG_VALUE_PERCENT,  /* double, range min_percent..max_percent */
        CONFIG_VALUE_PATH,     /* char *, absolute */
        CONFIG_VALUE_PATTERN,  /* char *, a glob over a file name (no '/') */
        CONFIG_VALUE_UINT,     /* unsigned, range min..max */
        CONFIG_VALUE_INT,      /* int, range min..max */
        CONFIG_VALUE_BYTES,    /* uint64_t, range min..max; "max" only with CONFIG_KEY_ALLOW_MAX */
        CONFIG_VALUE_SIZE,     /* struct size_spec, bytes >= min unless 0 is allowed */
        CONFIG_VALUE_PSI_THRESHOLD, /* struct psi_threshold */
        CONFIG_VALUE_TRIGGER,       /* struct psi_trigger_spec */
        CONFIG_VALUE_MATCH,         /* appended to rule.matches */
        CONFIG_VALUE_KEEP_IMAGE,    /* appended to disk.keep_images */
};

enum {
        CONFIG_KEY_MULTI = 1 << 0,         /* may repeat within a file; accumulates */
        CONFIG_KEY_ALLOW_MAX = 1 << 1,     /* "max" accepted (BYTES_MAX) */
        CONFIG_KEY_ALLOW_ZERO = 1 << 2,    /* a size of 0 bytes is meaningful */
        CONFIG_KEY_WHOLE_SECONDS = 1 << 3, /* the consumer works in seconds */
};

/* One key: its name, how its value is parsed, and where it is stored (offset
 * into the section's struct). */
struct config_key_def {
        const char *name;
        enum config_value_type type;
        size_t offset;
        uint64_t min, max; /* DURATION (usec), UINT, INT, BYTES, SIZE (min only) */
        double min_percent, max_percent;
        unsigned flags;
};

/* One kind of section: "[word]" or "[word:NAME]", and its keys. The key's
 * position in keys[] indexes config_section_meta.keys. */
struct config_section_def {
        const char *word; /* before the ':' */
        bool named;       /* "[word:NAME]" rather than "[word]" */
        const char *name_what;
        const struct config_key_def *keys;
        size_t n_keys;
};

/* Indexed by enum config_section_type. */
extern const struct config_section_def config_schema_sections[CONFIG_SECTION_TYPE_COUNT];

/* Indexes into the key tables of config-schema.c, for the origins in
 * config_section_meta.keys (validation names the FILE:LINE of a key). The
 * tier keys share indexes 0-2 in the memory and disk tables. test-config
 * checks each against its key's name. */
enum {
        CONFIG_MEMORY_KEY_WARNING = 0,
        CONFIG_MEMORY_KEY_CRITICAL = 1,
        CONFIG_MEMORY_KEY_EMERGENCY = 2,
        CONFIG_MEMORY_KEY_HYSTERESIS = 3,
        CONFIG_DISK_KEY_WARNING = 0,
        CONFIG_DISK_KEY_CRITICAL = 1,
        CONFIG_DISK_KEY_EMERGENCY = 2,
        CONFIG_DISK_KEY_LOW = 3,
        CONFIG_DISK_KEY_HYSTERESIS = 4,
        CONFIG_RULE_KEY_MEMORY_MAX = 1,
        CONFIG_RULE_KEY_MEMORY_HIGH = 3,
        CONFIG_RULE_KEY_PROTECT = 5,
        CONFIG_RULE_KEY_SACRIFICIAL = 6,
        CONFIG_RULE_KEY_MEMORY_LOW = 7,
        CONFIG_RULE_KEY_MEMORY_MIN = 8,
};

/* Where section number index (0 for the unnamed ones) of that type keeps its
 * bookkeeping and its fields; the index must exist. */
struct config_section_meta *config_schema_section_meta(struct config *c,
                                                       enum config_section_type type, size_t index);
void *config_schema_section_base(struct config *c, enum config_section_type type, size_t index);
