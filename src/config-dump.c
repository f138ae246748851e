/* config-dump — see include/config-dump.h
 *
 * One writer per value type, the mirror of the value parsers: what is
 * written here must parse back to the same field (the config fuzz target
 * checks the round trip). */
#include "config-dump.h"

#include <assert.h>
#include <errno.h>

#include "config-schema.h"
#include "config.h"

static const char *psi_kind_name(enum psi_kind k)
{
        return k == PSI_FULL ? "full" : "some";
}

static void dump_value(FILE *f, const struct config_key_def *key, const void *base)
{
        const void *field = (const char *)base + key->offset;
        char buf[UNITS_FORMAT_MAX], buf2[UNITS_FORMAT_MAX];

        switch (key->type) {
        case CONFIG_VALUE_BOOL:
                fprintf(f, "%s = %s\n", key->name, *(const bool *)field ? "yes" : "no");
                break;
        case CONFIG_VALUE_DURATION:
                fprintf(f, "%s = %s\n", key->name,
                        units_format_duration(*(const usec_t *)field, buf, sizeof(buf)));
                break;
        case CONFIG_VALUE_PERCENT:
                fprintf(f, "%s = %s\n", key->name,
                        units_format_percent(*(const double *)field, buf, sizeof(buf)));
                break;
        case CONFIG_VALUE_PATH:
        case CONFIG_VALUE_PATTERN: {
                const char *s = *(char *const *)field;
                if (s)
                        fprintf(f, "%s = %s\n", key->name, s);
                else
                        fprintf(f, "# %s = (not set)\n", key->name);
                break;
        }
        case CONFIG_VALUE_UINT:
                fprintf(f, "%s = %u\n", key->name, *(const unsigned *)field);
                break;
        case CONFIG_VALUE_INT:
                fprintf(f, "%s = %d\n", key->name, *(const int *)field);
                break;
        case CONFIG_VALUE_BYTES:
                fprintf(f, "%s = %s\n", key->name,
                        units_format_bytes_exact(*(const uint64_t *)field, buf, sizeof(buf)));
                break;
        case CONFIG_VALUE_SIZE: {
                const struct size_spec *spec = field;
                if (spec->set)
                        fprintf(f, "%s = %s\n", key->name,
                                units_format_size(spec, buf, sizeof(buf)));
                else
                        fprintf(f, "# %s = (not set)\n", key->name);
                break;
        }
        case CONFIG_VALUE_PSI_THRESHOLD: {
                const struct psi_threshold *t = field;
                if (t->set)
                        fprintf(f, "%s = %s %s\n", key->name, psi_kind_name(t->kind),
                                units_format_percent(t->avg10_percent, buf, sizeof(buf)));
                else
                        fprintf(f, "%s = off\n", key->name);
                break;
        }
        case CONFIG_VALUE_TRIGGER: {
                const struct psi_trigger_spec *t = field;
                fprintf(f, "%s = %s %s %s\n", key->name, psi_kind_name(t->kind),
                        units_format_duration(t->stall_usec, buf, sizeof(buf)),
                        units_format_duration(t->window_usec, buf2, sizeof(buf2)));
                break;
        }
        case CONFIG_VALUE_MATCH: {
                const struct rule *r = base;
                static const char *const words[] = {
                    [MATCH_NAME] = "name",
                    [MATCH_LABEL] = "label",
                    [MATCH_IMAGE] = "image",
                    [MATCH_PATH] = "path",
                };
                if (r->n_matches == 0)
                        fprintf(f, "# %s = (not set)\n", key->name);
                for (size_t i = 0; i < r->n_matches; i++) {
                        const struct match *m = &r->matches[i];
                        if (m->kind == MATCH_LABEL)
                                fprintf(f, "%s = label:%s=%s\n", key->name, m->key, m->glob);
                        else
                                fprintf(f, "%s = %s:%s\n", key->name, words[m->kind], m->glob);
                }
                break;
        }
        case CONFIG_VALUE_KEEP_IMAGE: {
                const struct disk_section *d = base;
                if (d->n_keep_images == 0)
                        fprintf(f, "# %s = (not set)\n", key->name);
                for (size_t i = 0; i < d->n_keep_images; i++)
                        fprintf(f, "%s = %s\n", key->name, d->keep_images[i]);
                break;
        }
        }
}

static void dump_section(FILE *f, const char *word, const char *name, enum config_section_type type,
                         const void *base)
{
        const struct config_section_def *def = &config_schema_sections[type];

        if (name)
                fprintf(f, "\n[%s:%s]\n", word, name);
        else
                fprintf(f, "\n[%s]\n", word);
        for (size_t k = 0; k < def->n_keys; k++)
                dump_value(f, &def->keys[k], base);
}

int config_dump(const struct config *c, FILE *f)
{
        assert(c);
        assert(f);

        fprintf(f, "# sutazai-governor: effective configuration\n");
        dump_section(f, "governor", NULL, CONFIG_SECTION_GOVERNOR, &c->governor);
        dump_section(f, "memory", NULL, CONFIG_SECTION_MEMORY, &c->memory);
        dump_section(f, "journal", NULL, CONFIG_SECTION_JOURNAL, &c->journal);
        for (size_t i = 0; i < c->n_disks; i++)
                dump_section(f, "disk", c->disks[i].path, CONFIG_SECTION_DISK, &c->disks[i]);
        for (size_t i = 0; i < c->n_logs; i++)
                dump_section(f, "logs", c->logs[i].name, CONFIG_SECTION_LOGS, &c->logs[i]);
        for (size_t i = 0; i < c->n_rules; i++) {
                const struct rule *r = &c->rules[i];
                bool cgroup = r->kind == RULE_CGROUP;
                dump_section(f, cgroup ? "cgroup" : "container", r->name,
                             cgroup ? CONFIG_SECTION_CGROUP : CONFIG_SECTION_CONTAINER, r);
        }
        if (fflush(f) != 0 || ferror(f))
                return -EIO;
        return 0;
}
