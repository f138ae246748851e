/* config — see include/config.h */
#include "config.h"

#include <stdlib.h>

#include "config-section.h"

struct config *config_new_default(void)
{
        struct config *c = calloc(1, sizeof(*c));

        if (!c)
                return NULL;
        config_section_memory_init(&c->memory);
        if (config_section_governor_init(&c->governor) < 0 ||
            config_section_journal_init(&c->journal) < 0) {
                config_free(c);
                return NULL;
        }
        return c;
}

void config_free(struct config *c)
{
        if (!c)
                return;
        free(c->path);
        config_section_governor_done(&c->governor);
        config_section_journal_done(&c->journal);
        for (size_t i = 0; i < c->n_disks; i++)
                config_section_disk_done(&c->disks[i]);
        free(c->disks);
        for (size_t i = 0; i < c->n_logs; i++)
                config_section_logs_done(&c->logs[i]);
        free(c->logs);
        for (size_t i = 0; i < c->n_rules; i++)
                config_section_rule_done(&c->rules[i]);
        free(c->rules);
        for (size_t i = 0; i < c->n_files; i++)
                free(c->files[i]);
        free(c->files);
        free(c);
}
