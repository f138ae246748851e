/* startup — what the governor says when it starts: one summary line (mode,
 * marks, disks, rules and how many groups each matches) and the warnings
 * that make a governor that governs nothing, or cannot write where it must,
 * loud instead of silent.
 *
 * startup_summary() and startup_unmatched_rules() are pure (config and a
 * snapshot in, text out); startup_check_writable() asks the kernel (access
 * W_OK, no writes). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "snapshot.h"

/* A rule list longer than this is cut to "+N more": the line stays readable. */
#define STARTUP_RULES_SHOWN 8
/* usec: a rule that matched nothing this long after start-up is a warning
 * (Docker's first listing and the first ticks come well within it) */
#define STARTUP_UNMATCHED_GRACE_USEC (120ULL * 1000 * 1000)

/* NULL, or why this configuration governs no container (no [container:]
 * rule), as one sentence for the journal and --check-config. */
const char *startup_config_warning(const struct config *c);

/* Groups of the snapshot matched by rule index i. */
size_t startup_rule_matches(const struct snapshot *s, size_t i);

/* "enforcing; memory marks 65/80/90%; disks / 80/90/95%; rules ollama 1,
 * backend 0 (2 unmanaged groups)" into buf (truncated to size). */
void startup_summary(const struct config *c, const struct snapshot *s, bool dry_run, char *buf,
                     size_t size);

/* Names of the rules that match no group, ", "-separated, into buf; returns
 * how many. Container rules are counted only when containers_known (Docker
 * answered): before that every container rule would look unmatched. */
size_t startup_unmatched_rules(const struct config *c, const struct snapshot *s,
                               bool containers_known, char *buf, size_t size);

/* Is the governor allowed to write into dir? 0 yes; -EROFS (outside the
 * unit's ReadWritePaths=, or created after the service started), -EACCES,
 * -ENOENT... otherwise. */
int startup_check_writable(const char *dir);

/* The fix for a directory the unit keeps read-only, as one sentence. */
void startup_readonly_hint(const char *dir, char *buf, size_t size);
