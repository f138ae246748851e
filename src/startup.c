/* startup — see include/startup.h. */
#include "startup.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Append to buf at *used, never past size (snprintf truncates). */
static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t size, size_t *used, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (*used >= size)
                return;
        va_start(ap, fmt);
        n = vsnprintf(buf + *used, size - *used, fmt, ap);
        va_end(ap);
        if (n > 0)
                *used += (size_t)n;
}

const char *startup_config_warning(const struct config *c)
{
        assert(c);
        for (size_t i = 0; i < c->n_rules; i++)
                if (c->rules[i].kind == RULE_CONTAINER)
                        return NULL;
        return "no [container:] rule: no container is limited, throttled, stopped or killed; "
               "add rules in governor.conf.d/ (an example: "
               "/usr/share/doc/sutazai-governor/examples/sutazai.conf)";
}

size_t startup_rule_matches(const struct snapshot *s, size_t i)
{
        size_t n = 0;

        assert(s);
        for (size_t k = 0; k < s->n_groups; k++)
                if (s->groups[k].rule >= 0 && (size_t)s->groups[k].rule == i)
                        n++;
        return n;
}

void startup_summary(const struct config *c, const struct snapshot *s, bool dry_run, char *buf,
                     size_t size)
{
        size_t used = 0, unmanaged = 0;

        assert(c && s && buf && size > 0);
        buf[0] = '\0';
        append(buf, size, &used, "%s; memory marks %g/%g/%g%%",
               dry_run ? "dry-run (nothing is changed)" : "enforcing", c->memory.warning_percent,
               c->memory.critical_percent, c->memory.emergency_percent);
        if (c->n_disks == 0)
                append(buf, size, &used, "; no disk watched");
        for (size_t i = 0; i < c->n_disks; i++)
                append(buf, size, &used, "%s %s %g/%g/%g%%", i == 0 ? "; disks" : ",",
                       c->disks[i].path, c->disks[i].warning_percent,
                       c->disks[i].critical_percent, c->disks[i].emergency_percent);
        if (c->n_rules == 0)
                append(buf, size, &used, "; no rules");
        for (size_t i = 0; i < c->n_rules && i < STARTUP_RULES_SHOWN; i++)
                append(buf, size, &used, "%s %s %zu", i == 0 ? "; rules (groups matched)" : ",",
                       c->rules[i].name, startup_rule_matches(s, i));
        if (c->n_rules > STARTUP_RULES_SHOWN)
                append(buf, size, &used, ", +%zu more", c->n_rules - STARTUP_RULES_SHOWN);
        for (size_t k = 0; k < s->n_groups; k++)
                if (s->groups[k].rule < 0)
                        unmanaged++;
        append(buf, size, &used, "; %zu unmanaged group%s", unmanaged, unmanaged == 1 ? "" : "s");
}

size_t startup_unmatched_rules(const struct config *c, const struct snapshot *s,
                               bool containers_known, char *buf, size_t size)
{
        size_t used = 0, n = 0;

        assert(c && s && buf && size > 0);
        buf[0] = '\0';
        for (size_t i = 0; i < c->n_rules; i++) {
                if (c->rules[i].kind == RULE_CONTAINER && !containers_known)
                        continue;
                if (startup_rule_matches(s, i) > 0)
                        continue;
                append(buf, size, &used, "%s%s", n == 0 ? "" : ", ", c->rules[i].name);
                n++;
        }
        return n;
}

int startup_check_writable(const char *dir)
{
        assert(dir);
        return access(dir, W_OK) < 0 ? -errno : 0;
}

void startup_readonly_hint(const char *dir, char *buf, size_t size)
{
        assert(dir && buf);
        snprintf(buf, size,
                 "under systemd add it with a drop-in (systemctl edit sutazai-governor: "
                 "[Service] ReadWritePaths=%s) and restart; a directory created after the "
                 "service started also needs a restart",
                 dir);
}
