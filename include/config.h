/* config — the governor's configuration: INI (inih) parsed into typed,
 * validated values.
 *
 * Sources: one main file, then every "*.conf" in the drop-in directory
 * (FILE.d/ beside it) in lexical (strcmp) order; names starting with '.' and
 * names not ending in ".conf" are ignored. Later files override single keys
 * of sections of the same name, and add sections (a new rule goes after all
 * earlier rules; a merged rule keeps its place). "match" and "keep_image"
 * lines accumulate within one file (several = any); the first such line of a
 * section in a later file replaces the list the earlier files built.
 *
 * Syntax: inih, one "key = value" per line (':' works as '=' too); leading
 * blanks are ignored (no continuation lines); '#' or ';' at the start of a
 * line, or after a blank, starts a comment, so a value can not begin with
 * either; lines of more than 199 characters are refused.
 *
 * Errors are reported as "FILE:LINE: message" into the caller's buffer; on any
 * error nothing is returned (the caller keeps its old config). Unknown
 * sections, unknown keys, duplicate keys within one file, malformed or
 * out-of-range values are all errors.
 *
 * config_parse_string() is pure (fuzzable); config_load() reads files. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config-dump.h"
#include "config-load.h"
#include "config-match.h"
#include "config-validate.h"
#include "units.h"
#include "util.h"

/* Where a section or key was set, for FILE:LINE in messages. */
struct config_origin {
        unsigned file; /* index into config.files */
        unsigned line; /* 1-based; 0 = never set from a file (built-in default) */
};

/* Bookkeeping every section carries: where its header was (first seen) and
 * where each key was last set, indexed by config.c's key table for that kind
 * of section. Not for policy use. */
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
        struct config_section_meta meta; /* where it was set (config.c bookkeeping) */
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
        double reclaim_percent;  /* warning: reclaim this share of a group's usage */
        double throttle_percent; /* critical: memory.high = this share of usage */
        usec_t stop_timeout_usec; /* graceful stop before SIGKILL */
        struct config_section_meta meta; /* where it was set (config.c bookkeeping) */
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
        struct config_section_meta meta; /* where it was set (config.c bookkeeping) */
};

struct logs_section {
        char *name;
        char *dir;
        char *pattern; /* glob over the file name */
        usec_t max_age_usec;
        uint64_t max_total_bytes; /* BYTES_MAX = unset */
        bool recursive;
        struct config_section_meta meta; /* where it was set (config.c bookkeeping) */
};

struct journal_section {
        char *journalctl; /* absolute path, run by execve with a fixed argv */
        uint64_t vacuum_size_bytes;
        usec_t vacuum_time_usec;
        struct config_section_meta meta; /* where it was set (config.c bookkeeping) */
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
        struct size_spec memory_low; /* unset = not managed */
        struct size_spec memory_min; /* unset = not managed */
        bool oom_group; /* memory.oom.group = 1; default yes for containers */
        struct config_section_meta meta; /* where it was set (config.c bookkeeping) */
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

/* Parse one file's text into c (which holds defaults or earlier files).
 * file_name is used in messages only. Returns 0, or -EINVAL with
 * "FILE:LINE: message" in err (the first error only). -ENOMEM is fatal.
 * On error c may hold part of the file: it stays valid to free, but must not
 * be used (config_load never hands out such a config). Does not run
 * config_validate (a later drop-in may complete a section). */
int config_parse_string(struct config *c, const char *file_name, const char *text, char *err,
                        size_t err_size);
