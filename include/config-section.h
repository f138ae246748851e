/* config-section — one section's lifecycle: constructors that fill in the
 * built-in defaults, destructors, and the defaults that follow other keys.
 *
 * The INI reader (config-ini.c) constructs a [disk:], [logs:] or rule section
 * the first time its header appears; config.c constructs the unnamed ones
 * and frees everything. *_init returns 0 or -ENOMEM (the section is then
 * still safe to pass to *_done); the void ones can not fail. */
#pragma once

#include "config.h"

int config_section_governor_init(struct governor_section *g);
void config_section_governor_done(struct governor_section *g);
void config_section_memory_init(struct memory_section *m);
int config_section_journal_init(struct journal_section *j);
void config_section_journal_done(struct journal_section *j);
void config_section_disk_init(struct disk_section *d);
void config_section_disk_done(struct disk_section *d);
int config_section_logs_init(struct logs_section *l);
void config_section_logs_done(struct logs_section *l);
/* A container rule takes oom_group = yes by default, a cgroup rule no. */
void config_section_rule_init(struct rule *r, enum rule_kind kind);
void config_section_rule_done(struct rule *r);

/* Empty a list that a later file's first line replaces ("match",
 * "keep_image"); the list is valid and empty afterwards. */
void config_section_matches_clear(struct rule *r);
void config_section_keep_images_clear(struct disk_section *d);

/* Derived defaults, after every file (a later drop-in may move what they
 * follow): a disk's low, where no file set it, follows its warning mark. */
void config_section_derive(struct config *c);
