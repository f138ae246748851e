/* metrics — see include/metrics.h */
#include "metrics.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>

#include "status.h"
#include "history.h"

#define PREFIX "sutazai_governor_"

static void family(FILE *f, const char *name, const char *type, const char *help)
{
        fprintf(f, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n", name, help, name, type);
}

/* Length of the valid UTF-8 sequence at s, 0 if invalid. */
static size_t utf8_len(const unsigned char *s)
{
        size_t n;
        uint32_t cp;

        if (s[0] < 0x80)
                return 1;
        if ((s[0] & 0xe0) == 0xc0) {
                n = 2;
                cp = s[0] & 0x1f;
        } else if ((s[0] & 0xf0) == 0xe0) {
                n = 3;
                cp = s[0] & 0x0f;
        } else if ((s[0] & 0xf8) == 0xf0) {
                n = 4;
                cp = s[0] & 0x07;
        } else
                return 0;
        for (size_t i = 1; i < n; i++) {
                if ((s[i] & 0xc0) != 0x80)
                        return 0;
                cp = (cp << 6) | (s[i] & 0x3f);
        }
        /* overlong forms, surrogates and beyond Unicode are invalid */
        if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
            (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
                return 0;
        return n;
}

/* A label value between the quotes: \\, \" and \n escaped, invalid UTF-8 as '?'. */
static void put_label_value(FILE *f, const char *value)
{
        const unsigned char *p = (const unsigned char *)value;

        while (*p) {
                size_t n = utf8_len(p);
                if (n == 0) {
                        fputc('?', f);
                        p++;
                        continue;
                }
                if (*p == '\\')
                        fputs("\\\\", f);
                else if (*p == '"')
                        fputs("\\\"", f);
                else if (*p == '\n')
                        fputs("\\n", f);
                else
                        fwrite(p, 1, n, f);
                p += n;
        }
}

static void put_double(FILE *f, double v)
{
        if (v == (double)INFINITY)
                fputs("+Inf", f);
        else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53: exact integers */
                fprintf(f, "%.0f", v);
        else
                fprintf(f, "%.6g", v);
}

static void sample_u64(FILE *f, const char *name, uint64_t v)
{
        fprintf(f, PREFIX "%s %" PRIu64 "\n", name, v);
}

static void sample_double(FILE *f, const char *name, double v)
{
        fprintf(f, PREFIX "%s ", name);
        put_double(f, v);
        fputc('\n', f);
}

/* name{k1="v1",k2="v2"} value; labels is NULL-terminated key, value pairs. */
static void sample_labels(FILE *f, const char *name, const char *const *labels, double v)
{
        fprintf(f, PREFIX "%s{", name);
        for (size_t i = 0; labels[i]; i += 2) {
                fprintf(f, "%s%s=\"", i ? "," : "", labels[i]);
                put_label_value(f, labels[i + 1]);
                fputc('"', f);
        }
        fputs("} ", f);
        put_double(f, v);
        fputc('\n', f);
}

static double bytes_value(uint64_t v)
{
        return v == BYTES_MAX ? (double)INFINITY : (double)v;
}

static bool group_is_duplicate(const struct snapshot *s, size_t i)
{
        for (size_t j = 0; j < i; j++)
                if (s->groups[j].kind == s->groups[i].kind &&
                    strcmp(s->groups[j].name, s->groups[i].name) == 0)
                        return true;
        return false;
}

static const char *kind_label(const struct group_sample *g)
{
        return g->kind == GROUP_CONTAINER ? "container" : "cgroup";
}

typedef bool (*group_has_fn)(const struct group_sample *g);
typedef double (*group_value_fn)(const struct group_sample *g);

static bool has_memory(const struct group_sample *g)
{
        return g->has_memory;
}
static bool has_psi(const struct group_sample *g)
{
        return g->has_psi;
}
static bool has_events(const struct group_sample *g)
{
        return g->has_events;
}
static double v_current(const struct group_sample *g)
{
        return bytes_value(g->memory_current);
}
static double v_max(const struct group_sample *g)
{
        return bytes_value(g->memory_max);
}
static double v_high(const struct group_sample *g)
{
        return bytes_value(g->memory_high);
}
static double v_psi_some(const struct group_sample *g)
{
        return g->psi.some.avg10 / 100.0;
}
static double v_psi_full(const struct group_sample *g)
{
        return g->psi.has_full ? g->psi.full.avg10 / 100.0 : 0.0;
}
static double v_oom_kill(const struct group_sample *g)
{
        return (double)g->events.oom_kill;
}

static void group_family(FILE *f, const struct snapshot *s, const char *name, const char *type,
                         const char *help, group_has_fn has, group_value_fn value)
{
        bool any = false;

        for (size_t i = 0; i < s->n_groups; i++)
                if (has(&s->groups[i]) && !group_is_duplicate(s, i))
                        any = true;
        if (!any)
                return;
        family(f, name, type, help);
        for (size_t i = 0; i < s->n_groups; i++) {
                const struct group_sample *g = &s->groups[i];
                const char *labels[] = {"name", g->name, "kind", kind_label(g), NULL};

                if (has(g) && !group_is_duplicate(s, i))
                        sample_labels(f, name, labels, value(g));
        }
}

static void host_psi(FILE *f, const struct metrics_input *in)
{
        const struct host_sample *h = &in->snapshot->host;
        const struct {
                const char *resource;
                const struct psi_stats *psi;
        } res[] = {{"memory", &h->memory_psi}, {"io", &h->io_psi}};

        if (!h->has_psi)
                return;
        family(f, "host_pressure_avg10_ratio", "gauge",
               "Host PSI avg10: share of the last 10 s some or all tasks stalled on the resource.");
        for (size_t i = 0; i < ELEMENTSOF(res); i++) {
                const char *some[] = {"resource", res[i].resource, "type", "some", NULL};
                const char *full[] = {"resource", res[i].resource, "type", "full", NULL};

                sample_labels(f, "host_pressure_avg10_ratio", some, res[i].psi->some.avg10 / 100.0);
                sample_labels(f, "host_pressure_avg10_ratio", full,
                              res[i].psi->has_full ? res[i].psi->full.avg10 / 100.0 : 0.0);
        }
        family(f, "host_pressure_stall_seconds_total", "counter",
               "Host PSI total stall time since boot.");
        for (size_t i = 0; i < ELEMENTSOF(res); i++) {
                const char *some[] = {"resource", res[i].resource, "type", "some", NULL};
                const char *full[] = {"resource", res[i].resource, "type", "full", NULL};

                sample_labels(f, "host_pressure_stall_seconds_total", some,
                              (double)res[i].psi->some.total_usec / USEC_PER_SEC);
                sample_labels(f, "host_pressure_stall_seconds_total", full,
                              res[i].psi->has_full
                                  ? (double)res[i].psi->full.total_usec / USEC_PER_SEC
                                  : 0.0);
        }
}

static void disk_family(FILE *f, const struct metrics_input *in, const char *name, const char *help,
                        int which)
{
        bool any = false;

        for (size_t i = 0; i < in->n_disks; i++)
                if (which == 0 || in->disks[i].sampled)
                        any = true;
        if (!any)
                return;
        family(f, name, "gauge", help);
        for (size_t i = 0; i < in->n_disks; i++) {
                const struct metrics_disk *dk = &in->disks[i];
                const char *labels[] = {"path", dk->path, NULL};
                double v;

                if (which != 0 && !dk->sampled)
                        continue;
                switch (which) {
                case 0:
                        v = dk->tier;
                        break;
                case 1:
                        v = dk->used_percent / 100.0;
                        break;
                case 2:
                        v = (double)dk->size_bytes;
                        break;
                default:
                        v = (double)dk->avail_bytes;
                        break;
                }
                sample_labels(f, name, labels, v);
        }
}

static void actions(FILE *f, const struct metrics_input *in)
{
        static const char *const kinds[HISTORY_KIND_COUNT] = {HISTORY_KINDS};

        family(
            f, "actions_total", "counter",
            "Actions taken since start, by kind (history kinds; oom counts reported OOM kills).");
        for (size_t i = 0; i < HISTORY_KIND_COUNT; i++) {
                const char *labels[] = {"kind", kinds[i], NULL};
                sample_labels(f, "actions_total", labels,
                              in->history ? (double)history_kind_total(in->history, kinds[i], false)
                                          : 0);
        }
        family(f, "dry_run_actions_total", "counter",
               "Actions planned but not taken because of dry-run, by kind.");
        for (size_t i = 0; i < HISTORY_KIND_COUNT; i++) {
                const char *labels[] = {"kind", kinds[i], NULL};
                sample_labels(f, "dry_run_actions_total", labels,
                              in->history ? (double)history_kind_total(in->history, kinds[i], true)
                                          : 0);
        }
}

int metrics_format_input(const struct metrics_input *in, FILE *f)
{
        const struct snapshot *s;
        const struct status_counters *c;

        assert(in);
        assert(in->snapshot);
        assert(f);
        s = in->snapshot;
        c = in->counters;

        family(f, "info", "gauge", "Version of the running governor (always 1).");
        {
                const char *labels[] = {"version", in->version ? in->version : "", NULL};
                sample_labels(f, "info", labels, 1);
        }
        if (in->started_realtime_usec > 0) {
                family(f, "start_time_seconds", "gauge", "Start time of the governor, Unix time.");
                sample_double(f, "start_time_seconds",
                              (double)(in->started_realtime_usec / USEC_PER_SEC));
        }

        family(f, "memory_tier", "gauge",
               "Memory tier: 0 normal, 1 warning, 2 critical, 3 emergency.");
        sample_u64(f, "memory_tier", (uint64_t)in->memory_tier);
        disk_family(f, in, "disk_tier", "Disk tier per watched path: 0 normal .. 3 emergency.", 0);
        disk_family(f, in, "disk_used_ratio",
                    "Disk usage per watched path, the higher of blocks and inodes (0..1).", 1);
        disk_family(f, in, "disk_size_bytes", "Size of the watched filesystem as df shows it.", 2);
        disk_family(f, in, "disk_available_bytes",
                    "Bytes available to unprivileged users on the watched filesystem.", 3);

        family(f, "host_memory_total_bytes", "gauge", "Host MemTotal.");
        sample_u64(f, "host_memory_total_bytes", s->host.mem.mem_total_bytes);
        family(f, "host_memory_available_bytes", "gauge", "Host MemAvailable.");
        sample_u64(f, "host_memory_available_bytes", s->host.mem.mem_available_bytes);
        family(f, "host_memory_used_ratio", "gauge",
               "Host memory in use, (MemTotal - MemAvailable) / MemTotal.");
        sample_double(f, "host_memory_used_ratio", snapshot_memory_used_percent(s) / 100.0);
        host_psi(f, in);

        group_family(f, s, "group_memory_current_bytes", "gauge",
                     "memory.current of each container or managed cgroup.", has_memory, v_current);
        group_family(f, s, "group_memory_max_bytes", "gauge",
                     "memory.max (hard limit) of each group; +Inf when unlimited.", has_memory,
                     v_max);
        group_family(f, s, "group_memory_high_bytes", "gauge",
                     "memory.high (throttle limit) of each group; +Inf when unlimited.", has_memory,
                     v_high);
        group_family(f, s, "group_memory_pressure_some_avg10_ratio", "gauge",
                     "Group memory PSI some avg10 (0..1).", has_psi, v_psi_some);
        group_family(f, s, "group_memory_pressure_full_avg10_ratio", "gauge",
                     "Group memory PSI full avg10 (0..1).", has_psi, v_psi_full);
        group_family(f, s, "group_oom_kills_total", "counter",
                     "oom_kill count from the group's memory.events.", has_events, v_oom_kill);

        actions(f, in);
        family(f, "actions_failed_total", "counter", "Actions that failed since start.");
        sample_u64(f, "actions_failed_total", c ? c->actions_failed : 0);
        family(f, "oom_events_total", "counter",
               "OOM kills reported by the kernel or Docker since start.");
        sample_u64(f, "oom_events_total", c ? c->oom_events : 0);
        family(f, "freed_bytes_total", "counter", "Bytes freed by disk cleanup since start.");
        sample_u64(f, "freed_bytes_total", c ? c->bytes_freed : 0);
        family(f, "ticks_total", "counter", "Evaluations since start.");
        sample_u64(f, "ticks_total", c ? c->ticks : 0);
        family(f, "trigger_wakeups_total", "counter", "Kernel PSI trigger wake-ups since start.");
        sample_u64(f, "trigger_wakeups_total", c ? c->trigger_wakeups : 0);
        family(f, "tick_duration_seconds", "gauge", "Duration of the last evaluation.");
        sample_double(f, "tick_duration_seconds",
                      c ? (double)c->last_tick_usec / USEC_PER_SEC : 0.0);

        family(f, "docker_connected", "gauge",
               "1 when the Docker Engine event stream is connected, 0 otherwise.");
        sample_u64(f, "docker_connected", in->docker_connected);
        family(f, "dry_run", "gauge", "1 when actions are only logged (dry-run).");
        sample_u64(f, "dry_run", in->dry_run);
        family(f, "paused", "gauge", "1 when enforcement is paused by an operator.");
        sample_u64(f, "paused", in->paused);
        family(f, "overrides", "gauge", "Operator memory overrides in force.");
        sample_u64(f, "overrides", in->n_overrides);

        return ferror(f) ? -EIO : 0;
}
