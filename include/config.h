/* config — the governor's configuration: typed, validated values, and the
 * one place that creates and frees them (config_new_default, config_free).
 *
 * Everything else reads these structs; nothing but the configuration modules
 * writes them. Each job stands in a module of its own, with its contract in
 * its header; a caller includes the header of the part it uses:
 *   config-load.h      the main file and its drop-ins, then validation (I/O)
 *   config-ini.h       one file's text parsed and merged, FILE:LINE errors (pure)
 *   config-validate.h  checks across keys, sections and this host's memory
 *   config-dump.h      the effective configuration written back as INI
 *   config-match.h     which rule governs a container or a cgroup
 *   config-lint.h      warnings about a config that loads but may mislead
 * and, internal to those modules: config-schema.h (every section and key),
 * config-value.h (one value parsed into its field), config-section.h (a
 * section's defaults and lifecycle).
 *
 * Loading or parsing returns nothing on any error: the caller keeps its old
 * config. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "units.h"
#include "util.h"

/* Where a section or key was set, for FILE:LINE in messages. */
struct config_origin {
        unsigned file; /* index into config.files */
        unsigned line; /* 1-based; 0 = never set from a file (built-in default) */
};

/* Bookkeeping every section carries: where its header was (first seen) and
 * where each key was last set, indexed by the key table of config-schema.c
 * for that kind of section. Not for policy use. */
#define CONFIG_KEYS_MAX 16
struct config_section_meta {
        struct config_origin origin;
        struct config_origin keys[CONFIG_KEYS_MAX];
};

enum psi_kind {
        PSI_SOME = 0,
        PSI_FULL = 1,
};

/* "some 10%": a PSI avg10 threshold. */
struct psi_threshold {
        bool set;
        enum psi_kind kind;
        double avg10_percent;
};

/* "some 150ms 1s": a kernel PSI trigger (stall threshold within a window). */
struct psi_trigger_spec {
        enum psi_kind kind;
        usec_t stall_usec;
        usec_t window_usec;
};

struct governor_section {
        bool dry_run;
        usec_t interval_usec;
        char *state_dir;
        char *control_socket;
        char *docker_socket;
        char *metrics_file;
        char *cgroup_root; /* "/sys/fs/cgroup" */
        unsigned history_size;
        struct config_section_meta meta; /* where it was set (config-ini.c bookkeeping) */
};

struct memory_section {
        double warning_percent; /* host memory in use, MemTotal - MemAvailable */
        double critical_percent;
        double emergency_percent;
        double hysteresis_percent; /* a tier clears below threshold - hysteresis */
        struct psi_threshold pressure_warning;
        struct psi_threshold pressure_critical;
        struct psi_threshold pressure_emergency;
        usec_t hold_usec;           /* warning and critical */
        usec_t emergency_hold_usec; /* emergency: the OOM killer is seconds away */
        usec_t cooldown_usec;
        struct psi_trigger_spec trigger; /* host and per-group kernel PSI trigger */
        double reclaim_percent;          /* warning: reclaim this share of a group's usage */
        double throttle_percent;         /* critical: memory.high = this share of usage */
        usec_t stop_timeout_usec;        /* graceful stop before SIGKILL */
        struct config_section_meta meta; /* where it was set (config-ini.c bookkeeping) */
};

struct disk_section {
        char *path; /* mount point watched, from [disk:PATH] */
        double warning_percent;
        double critical_percent;
        double emergency_percent;
        double low_percent; /* cleanup runs down to this watermark */
        double hysteresis_percent;
        usec_t hold_usec;
        usec_t cooldown_usec;
        usec_t container_min_age_usec; /* stopped containers younger are kept */
        usec_t image_min_age_usec;     /* images younger are never evicted */
        char **keep_images;            /* globs over repo:tag; NULL-terminated */
        size_t n_keep_images;
        struct config_section_meta meta; /* where it was set (config-ini.c bookkeeping) */
};

struct logs_section {
        char *name;
        char *dir;
        char *pattern; /* glob over the file name */
        usec_t max_age_usec;
        uint64_t max_total_bytes; /* BYTES_MAX = unset */
        bool recursive;
        struct config_section_meta meta; /* where it was set (config-ini.c bookkeeping) */
};

struct journal_section {
        char *journalctl; /* absolute path, run by execve with a fixed argv */
        uint64_t vacuum_size_bytes;
        usec_t vacuum_time_usec;
        struct config_section_meta meta; /* where it was set (config-ini.c bookkeeping) */
};

enum match_kind {
        MATCH_NAME,  /* name:GLOB over the container name (no leading '/') */
        MATCH_LABEL, /* label:KEY=VALUE (VALUE may be a glob) */
        MATCH_IMAGE, /* image:GLOB over the image reference */
        MATCH_PATH,  /* path:GLOB over the cgroup path relative to the root */
};

struct match {
        enum match_kind kind;
        char *key;  /* label key for MATCH_LABEL, else NULL */
        char *glob; /* pattern (label value for MATCH_LABEL) */
};

enum rule_kind {
        RULE_CONTAINER,
        RULE_CGROUP,
};

/* [container:NAME] and [cgroup:NAME] */
struct rule {
        enum rule_kind kind;
        char *name;
        struct match *matches;
        size_t n_matches;
        struct size_spec memory_max;  /* unset (.set false) = not managed */
        struct size_spec memory_swap; /* swap beyond memory_max; default set, 0 bytes */
        struct size_spec memory_high;
        int priority; /* lower is sacrificed first; default 100 */
        bool protect;
        bool sacrificial; /* may be stopped at critical */
        /* defense in depth: the kernel's side (oomguard.h) */
        struct size_spec memory_low;     /* unset = not managed */
        struct size_spec memory_min;     /* unset = not managed */
        bool oom_group;                  /* memory.oom.group = 1; default yes for containers */
        struct config_section_meta meta; /* where it was set (config-ini.c bookkeeping) */
};

struct config {
        char *path; /* main file */
        struct governor_section governor;
        struct memory_section memory;
        struct journal_section journal;
        struct disk_section *disks;
        size_t n_disks;
        struct logs_section *logs;
        size_t n_logs;
        struct rule *rules; /* in file order; first match wins */
        size_t n_rules;
        char **files; /* every file parsed, in order; config_origin.file indexes it */
        size_t n_files;
};

struct config *config_new_default(void);
void config_free(struct config *c);
