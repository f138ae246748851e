/* config-validate — see include/config-validate.h */
#include "config-validate.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "config-schema.h"
#include "config.h"

static const char *origin_file(const struct config *c, struct config_origin o)
{
        if (o.line > 0 && o.file < c->n_files)
                return c->files[o.file];
        return c->path ? c->path : "(defaults)";
}

/* The origin an operator most likely has to change: the one set last. */
static struct config_origin origin_latest(struct config_origin a, struct config_origin b)
{
        if (a.line == 0)
                return b;
        if (b.line == 0)
                return a;
        if (a.file != b.file)
                return a.file > b.file ? a : b;
        return a.line > b.line ? a : b;
}

static int validate_error(const struct config *c, struct config_origin o, char *err,
                          size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int validate_error(const struct config *c, struct config_origin o, char *err,
                          size_t err_size, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (!err || err_size == 0)
                return -EINVAL;
        if (o.line > 0)
                n = snprintf(err, err_size, "%s:%u: ", origin_file(c, o), o.line);
        else
                n = snprintf(err, err_size, "%s: ", origin_file(c, o));
        if (n >= 0 && (size_t)n < err_size) {
                va_start(ap, fmt);
                vsnprintf(err + n, err_size - (size_t)n, fmt, ap);
                va_end(ap);
        }
        return -EINVAL;
}

/* warning < critical < emergency, hysteresis < warning, [low < warning]. */
static int validate_tiers(const struct config *c, const char *section,
                          const struct config_section_meta *meta, const double marks[3],
                          double hysteresis, const double *low, char *err, size_t err_size)
{
        static const char *const names[3] = {"warning", "critical", "emergency"};
        char a[UNITS_FORMAT_MAX], b[UNITS_FORMAT_MAX];

        for (int i = 0; i < 2; i++)
                if (!(marks[i] < marks[i + 1]))
                        return validate_error(
                            c, origin_latest(meta->keys[i], meta->keys[i + 1]), err, err_size,
                            "[%s] %s (%s) must be below %s (%s)", section, names[i],
                            units_format_percent(marks[i], a, sizeof(a)), names[i + 1],
                            units_format_percent(marks[i + 1], b, sizeof(b)));
        /* Tier keys share indexes 0-2 in both tables; hysteresis and low differ. */
        size_t hyst_key = low ? CONFIG_DISK_KEY_HYSTERESIS : CONFIG_MEMORY_KEY_HYSTERESIS;
        if (!(hysteresis < marks[0]))
                return validate_error(c, origin_latest(meta->keys[0], meta->keys[hyst_key]), err,
                                      err_size, "[%s] hysteresis (%s) must be below warning (%s)",
                                      section, units_format_percent(hysteresis, a, sizeof(a)),
                                      units_format_percent(marks[0], b, sizeof(b)));
        if (low && !(*low < marks[0]))
                return validate_error(c,
                                      origin_latest(meta->keys[0], meta->keys[CONFIG_DISK_KEY_LOW]),
                                      err, err_size, "[%s] low (%s) must be below warning (%s)",
                                      section, units_format_percent(*low, a, sizeof(a)),
                                      units_format_percent(marks[0], b, sizeof(b)));
        return 0;
}

/* memory_low and memory_min: never "max" (the kernel would keep all of the
 * host for one group), memory_min not above memory_low when both are sizes
 * of the same kind. Against the host's memory: config_validate_host(). */
static int validate_protection(const struct config *c, const struct rule *rule, const char *word,
                               char *err, size_t err_size)
{
        char a[UNITS_FORMAT_MAX], b[UNITS_FORMAT_MAX];
        const struct size_spec *low = &rule->memory_low, *min = &rule->memory_min;

        if (low->set && !low->is_percent && low->bytes == BYTES_MAX)
                return validate_error(c, rule->meta.keys[CONFIG_RULE_KEY_MEMORY_LOW], err, err_size,
                                      "[%s:%s] memory_low can not be max", word, rule->name);
        if (min->set && !min->is_percent && min->bytes == BYTES_MAX)
                return validate_error(c, rule->meta.keys[CONFIG_RULE_KEY_MEMORY_MIN], err, err_size,
                                      "[%s:%s] memory_min can not be max", word, rule->name);
        if (low->set && min->set && low->is_percent == min->is_percent &&
            (low->is_percent ? min->percent > low->percent : min->bytes > low->bytes))
                return validate_error(c,
                                      origin_latest(rule->meta.keys[CONFIG_RULE_KEY_MEMORY_LOW],
                                                    rule->meta.keys[CONFIG_RULE_KEY_MEMORY_MIN]),
                                      err, err_size,
                                      "[%s:%s] memory_min (%s) is above memory_low (%s)", word,
                                      rule->name, units_format_size(min, a, sizeof(a)),
                                      units_format_size(low, b, sizeof(b)));
        return 0;
}

int config_validate_host(const struct config *c, uint64_t mem_total_bytes, char *err,
                         size_t err_size)
{
        assert(c);

        if (mem_total_bytes == 0)
                return 0;
        for (size_t i = 0; i < c->n_rules; i++) {
                const struct rule *rule = &c->rules[i];
                const char *word = rule->kind == RULE_CGROUP ? "cgroup" : "container";
                const struct {
                        const struct size_spec *spec;
                        const char *name;
                        size_t key;
                } keys[] = {{&rule->memory_low, "memory_low", CONFIG_RULE_KEY_MEMORY_LOW},
                            {&rule->memory_min, "memory_min", CONFIG_RULE_KEY_MEMORY_MIN}};
                uint64_t resolved[2];

                for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                        char a[UNITS_FORMAT_MAX], b[UNITS_FORMAT_MAX];

                        resolved[k] = keys[k].spec->set
                                          ? units_size_resolve(keys[k].spec, mem_total_bytes)
                                          : 0;
                        /* memory kept for one group must leave the host some */
                        if (resolved[k] >= mem_total_bytes)
                                return validate_error(
                                    c, rule->meta.keys[keys[k].key], err, err_size,
                                    "[%s:%s] %s (%s) is not below the host's memory (%s)", word,
                                    rule->name, keys[k].name,
                                    units_format_size(keys[k].spec, a, sizeof(a)),
                                    units_format_bytes_exact(mem_total_bytes, b, sizeof(b)));
                }
                if (rule->memory_low.set && rule->memory_min.set && resolved[1] > resolved[0]) {
                        char a[UNITS_FORMAT_MAX], b[UNITS_FORMAT_MAX];
                        return validate_error(
                            c,
                            origin_latest(rule->meta.keys[CONFIG_RULE_KEY_MEMORY_LOW],
                                          rule->meta.keys[CONFIG_RULE_KEY_MEMORY_MIN]),
                            err, err_size,
                            "[%s:%s] memory_min (%s) is above memory_low (%s) on this host", word,
                            rule->name, units_format_size(&rule->memory_min, a, sizeof(a)),
                            units_format_size(&rule->memory_low, b, sizeof(b)));
                }
        }
        return 0;
}

int config_validate(const struct config *c, char *err, size_t err_size)
{
        int r;

        assert(c);

        const struct memory_section *m = &c->memory;
        const double memory_marks[3] = {m->warning_percent, m->critical_percent,
                                        m->emergency_percent};
        r = validate_tiers(c, "memory", &m->meta, memory_marks, m->hysteresis_percent, NULL, err,
                           err_size);
        if (r < 0)
                return r;

        for (size_t i = 0; i < c->n_disks; i++) {
                const struct disk_section *d = &c->disks[i];
                const double marks[3] = {d->warning_percent, d->critical_percent,
                                         d->emergency_percent};
                char section[4200];

                snprintf(section, sizeof(section), "disk:%s", d->path);
                r = validate_tiers(c, section, &d->meta, marks, d->hysteresis_percent,
                                   &d->low_percent, err, err_size);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < c->n_logs; i++)
                if (!c->logs[i].dir)
                        return validate_error(c, c->logs[i].meta.origin, err, err_size,
                                              "[logs:%s] needs dir = /absolute/path",
                                              c->logs[i].name);

        for (size_t i = 0; i < c->n_rules; i++) {
                const struct rule *rule = &c->rules[i];
                const char *word = rule->kind == RULE_CGROUP ? "cgroup" : "container";

                if (rule->n_matches == 0)
                        return validate_error(c, rule->meta.origin, err, err_size,
                                              "[%s:%s] has no match line", word, rule->name);
                if (rule->memory_max.set && !rule->memory_max.is_percent &&
                    rule->memory_max.bytes != BYTES_MAX && rule->memory_high.set &&
                    !rule->memory_high.is_percent && rule->memory_high.bytes != BYTES_MAX &&
                    rule->memory_high.bytes > rule->memory_max.bytes) {
                        char a[UNITS_FORMAT_MAX], b[UNITS_FORMAT_MAX];
                        return validate_error(
                            c,
                            origin_latest(rule->meta.keys[CONFIG_RULE_KEY_MEMORY_MAX],
                                          rule->meta.keys[CONFIG_RULE_KEY_MEMORY_HIGH]),
                            err, err_size, "[%s:%s] memory_high (%s) is above memory_max (%s)",
                            word, rule->name,
                            units_format_bytes_exact(rule->memory_high.bytes, a, sizeof(a)),
                            units_format_bytes_exact(rule->memory_max.bytes, b, sizeof(b)));
                }
                r = validate_protection(c, rule, word, err, err_size);
                if (r < 0)
                        return r;
                if (rule->protect && rule->sacrificial)
                        return validate_error(
                            c,
                            origin_latest(rule->meta.keys[CONFIG_RULE_KEY_PROTECT],
                                          rule->meta.keys[CONFIG_RULE_KEY_SACRIFICIAL]),
                            err, err_size, "[%s:%s] can not be both protect and sacrificial", word,
                            rule->name);
        }
        return 0;
}
