/* control_render — see include/control_render.h */
#include "control_render.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <time.h>

#include "units.h"

#define ANSI_RESET  "\033[0m"
#define ANSI_BOLD   "\033[1m"
#define ANSI_RED    "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_GREEN  "\033[32m"

static const char *tier_colour(const char *tier)
{
        if (strcmp(tier, "warning") == 0)
                return ANSI_YELLOW;
        if (strcmp(tier, "critical") == 0)
                return ANSI_RED;
        if (strcmp(tier, "emergency") == 0)
                return ANSI_BOLD ANSI_RED;
        return ANSI_GREEN;
}

static void put_coloured(FILE *f, const struct control_render_options *o, const char *colour,
                         const char *s)
{
        if (o->colour)
                fprintf(f, "%s%s%s", colour, s, ANSI_RESET);
        else
                fputs(s, f);
}

/* Names come from Docker and cgroupfs: never let them drive the terminal. */
static void sanitize(const char *in, char *out, size_t size)
{
        size_t n = 0;

        for (; *in && n + 1 < size; in++)
                out[n++] = ((unsigned char)*in < 0x20 || *in == 0x7f) ? '?' : *in;
        out[n] = '\0';
}

static const char *json_str(const cJSON *o, const char *key)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Responses come from a socket: never cast a number C cannot hold. */
#define RENDER_SECONDS_MAX (UINT64_C(1) << 40) /* Unix seconds: year 36812, and usec fit */

static bool json_number_in(const cJSON *v, double max, uint64_t *ret)
{
        if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0 ||
            v->valuedouble > max)
                return false;
        *ret = (uint64_t)v->valuedouble;
        return true;
}

/* A size member as people read it: "7.5G", "max" for null. */
static const char *json_size(const cJSON *o, const char *key, const char *null_text, char *buf,
                             size_t size)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        uint64_t bytes;

        /* 2^63: well beyond any real size, and exactly castable */
        if (json_number_in(v, 9223372036854775808.0, &bytes))
                return units_format_bytes_human(bytes, buf, size);
        util_strlcpy(buf, null_text, size);
        return buf;
}

/* "1h", "59m58s", "2d3h": the two largest non-zero units, for people. */
static void format_remaining(uint64_t secs, char *buf, size_t size)
{
        static const struct {
                uint64_t secs;
                char unit;
        } units[] = {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}};
        size_t used = 0, shown = 0;

        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(units) && shown < 2; i++) {
                uint64_t n = secs / units[i].secs;
                if (n == 0) {
                        if (shown > 0)
                                break; /* "1h5s" reads oddly: stop at the first gap */
                        continue;
                }
                secs -= n * units[i].secs;
                used += (size_t)snprintf(buf + used, used < size ? size - used : 0, "%" PRIu64 "%c",
                                         n, units[i].unit);
                shown++;
        }
        if (shown == 0)
                snprintf(buf, size, "0s");
}

static void format_time(usec_t unix_seconds, usec_t now_realtime, char *buf, size_t size)
{
        time_t t = (time_t)unix_seconds;
        struct tm tm;
        char when[64] = "";

        if (localtime_r(&t, &tm))
                strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", &tm);
        if (now_realtime > 0 && unix_seconds * USEC_PER_SEC > now_realtime) {
                usec_t left = unix_seconds * USEC_PER_SEC - now_realtime;
                /* Round up to whole seconds so "in 1h" is not shown as "in 59m59s". */
                char dur[48];
                format_remaining((left + USEC_PER_SEC - 1) / USEC_PER_SEC, dur, sizeof dur);
                snprintf(buf, size, "%s (in %s)", when, dur);
        } else
                snprintf(buf, size, "%s", when);
}

static const char *json_expires(const cJSON *o, const char *key,
                                const struct control_render_options *opts, char *buf, size_t size)
{
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

        uint64_t secs;

        if (!json_number_in(v, (double)RENDER_SECONDS_MAX, &secs)) {
                util_strlcpy(buf, "cleared", size);
                return buf;
        }
        format_time(secs, opts->now_realtime, buf, size);
        return buf;
}

static void psi_avg10_text(const cJSON *psi, const char *line, char *buf, size_t size)
{
        const cJSON *l = cJSON_GetObjectItemCaseSensitive(psi, line);
        const cJSON *avg = cJSON_GetObjectItemCaseSensitive(l, "avg10");

        if (cJSON_IsNumber(avg))
                snprintf(buf, size, "%.2f%%", avg->valuedouble);
        else
                util_strlcpy(buf, "-", size);
}

enum {
        COL_NAME,
        COL_KIND,
        COL_RULE,
        COL_USAGE,
        COL_MAX,
        COL_HIGH,
        COL_PSI,
        COL_PRIO,
        COL_PROT,
        COL_OOMADJ,
        COL_OVERRIDE,
        COL_COUNT,
};

static const char *const col_titles[COL_COUNT] = {
    "NAME", "KIND", "RULE", "USAGE", "MAX", "HIGH", "PSI10", "PRIO", "PROT", "OOMADJ", "OVERRIDE",
};
/* Numbers are right-aligned so digits line up. */
static const bool col_right[COL_COUNT] = {
    [COL_USAGE] = true, [COL_MAX] = true, [COL_HIGH] = true, [COL_PSI] = true, [COL_PRIO] = true,
    [COL_OOMADJ] = true,
};

#define CELL_MAX 128

/* One table: n_rows rows (the title row first, bold with colour) of n_cols
 * cells each, laid out row after row; columns padded to width, right-aligned
 * where right[col], the last column unpadded. */
static void print_table(FILE *f, const char (*cells)[CELL_MAX], size_t n_cols, size_t n_rows,
                        const size_t *width, const bool *right, bool colour)
{
        for (size_t row = 0; row < n_rows; row++) {
                for (size_t col = 0; col < n_cols; col++) {
                        const char *cell = cells[row * n_cols + col];
                        bool last = col == n_cols - 1;

                        if (row == 0 && colour)
                                fputs(ANSI_BOLD, f);
                        if (right[col])
                                fprintf(f, "%*s", (int)width[col], cell);
                        else if (last)
                                fputs(cell, f);
                        else
                                fprintf(f, "%-*s", (int)width[col], cell);
                        if (row == 0 && colour)
                                fputs(ANSI_RESET, f);
                        if (!last)
                                fputs("  ", f);
                }
                fputc('\n', f);
        }
}

/* "Limits:      memory.high, reclaim, throttle unavailable (REASON)" — what
 * the warning tier cannot do on this host, said where the operator looks. */
static void render_unavailable(const cJSON *st, const struct control_render_options *opts,
                               FILE *f)
{
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(st, "unavailable_actions");
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(st, "unavailable_reason");
        const cJSON *item;
        bool first = true;

        if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0)
                return;
        fputs("Limits:      ", f);
        cJSON_ArrayForEach(item, list)
        {
                char safe[64];

                if (!cJSON_IsString(item))
                        continue;
                sanitize(item->valuestring, safe, sizeof safe);
                fprintf(f, "%s%s", first ? "" : ", ", safe);
                first = false;
        }
        put_coloured(f, opts, ANSI_YELLOW, " unavailable");
        if (cJSON_IsString(reason)) {
                char safe[256];

                sanitize(reason->valuestring, safe, sizeof safe);
                fprintf(f, " (%s)", safe);
        }
        fputc('\n', f);
}

/* "Memory:" and "Pressure:" lines. */
static void render_memory(const cJSON *host, const char *memory_tier,
                          const struct control_render_options *opts, FILE *f)
{
        const cJSON *item, *psi;
        char a[64], b[64], c[64], d[64];

        fputs("Memory:      ", f);
        put_coloured(f, opts, tier_colour(memory_tier), memory_tier);
        item = cJSON_GetObjectItemCaseSensitive(host, "memory_used_percent");
        fprintf(f, " — %.1f%% used, %s available of %s\n",
                cJSON_IsNumber(item) ? item->valuedouble : 0.0,
                json_size(host, "memory_available", "?", a, sizeof a),
                json_size(host, "memory_total", "?", b, sizeof b));
        psi = cJSON_GetObjectItemCaseSensitive(host, "psi");
        if (cJSON_IsObject(psi)) {
                const cJSON *mem = cJSON_GetObjectItemCaseSensitive(psi, "memory");
                const cJSON *io = cJSON_GetObjectItemCaseSensitive(psi, "io");
                psi_avg10_text(mem, "some", a, sizeof a);
                psi_avg10_text(mem, "full", b, sizeof b);
                psi_avg10_text(io, "some", c, sizeof c);
                psi_avg10_text(io, "full", d, sizeof d);
                fprintf(f, "Pressure:    memory some %s full %s, io some %s full %s (avg10)\n", a,
                        b, c, d);
        } else
                fputs("Pressure:    unavailable\n", f);
}

/* One "Disk PATH tier" line per disk: from "disks" with their figures, or
 * from tiers.disk alone (an older daemon). 0 or -EINVAL. */
static int render_disks(const cJSON *disks, const cJSON *tiers,
                        const struct control_render_options *opts, FILE *f)
{
        const cJSON *item;
        char a[64], b[64];

        if (cJSON_IsArray(disks) && cJSON_GetArraySize(disks) > 0) {
                cJSON_ArrayForEach(item, disks)
                {
                        const char *path = json_str(item, "path");
                        const char *tier = json_str(item, "tier");
                        const cJSON *used = cJSON_GetObjectItemCaseSensitive(item, "used_percent");
                        char safe[256];

                        if (!path || !tier)
                                return -EINVAL;
                        sanitize(path, safe, sizeof safe);
                        fprintf(f, "Disk %-7s ", safe);
                        put_coloured(f, opts, tier_colour(tier), tier);
                        if (cJSON_IsNumber(used))
                                fprintf(f, " — %.1f%% used, %s available of %s", used->valuedouble,
                                        json_size(item, "available", "?", a, sizeof a),
                                        json_size(item, "size", "?", b, sizeof b));
                        fputc('\n', f);
                }
        } else {
                const cJSON *disk_tiers = cJSON_GetObjectItemCaseSensitive(tiers, "disk");
                cJSON_ArrayForEach(item, disk_tiers)
                {
                        char safe[256];
                        if (!cJSON_IsString(item) || !item->string)
                                return -EINVAL;
                        sanitize(item->string, safe, sizeof safe);
                        fprintf(f, "Disk %-7s ", safe);
                        put_coloured(f, opts, tier_colour(item->valuestring), item->valuestring);
                        fputc('\n', f);
                }
        }
        return 0;
}

/* "Enforcement:" and "Docker:" lines. */
static void render_enforcement(const cJSON *st, const cJSON *docker,
                               const struct control_render_options *opts, FILE *f)
{
        char a[64];

        fputs("Enforcement: ", f);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "paused"))) {
                put_coloured(f, opts, ANSI_YELLOW, "paused");
                fprintf(f, " until %s",
                        cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(st, "paused_until"))
                            ? json_expires(st, "paused_until", opts, a, sizeof a)
                            : "resumed");
        } else
                put_coloured(f, opts, ANSI_GREEN, "active");
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(st, "dry_run")))
                fputs(" (dry-run: actions are logged, not taken)", f);
        fputc('\n', f);
        if (cJSON_IsObject(docker)) {
                const cJSON *ev = cJSON_GetObjectItemCaseSensitive(docker, "version");
                const cJSON *av = cJSON_GetObjectItemCaseSensitive(docker, "api_version");

                fputs("Docker:      ", f);
                if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(docker, "configured")))
                        fputs("not configured", f);
                else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(docker, "connected")))
                        put_coloured(f, opts, ANSI_GREEN, "connected");
                else
                        put_coloured(f, opts, ANSI_RED, "disconnected");
                if (cJSON_IsString(ev) || cJSON_IsString(av))
                        fprintf(f, " — Engine %s, API %s",
                                cJSON_IsString(ev) ? ev->valuestring : "?",
                                cJSON_IsString(av) ? av->valuestring : "none in common");
                fputc('\n', f);
        }
}

/* One container or cgroup of "containers" as a row of the table. 0 or
 * -EINVAL. */
static int group_row(const cJSON *item, char (*cell)[CELL_MAX])
{
        const char *name = json_str(item, "name");
        const char *kind = json_str(item, "kind");
        const cJSON *prio = cJSON_GetObjectItemCaseSensitive(item, "priority");
        const cJSON *rule = cJSON_GetObjectItemCaseSensitive(item, "rule");
        /* "managed" absent (an older daemon): a rule name means managed */
        const cJSON *managed_item = cJSON_GetObjectItemCaseSensitive(item, "managed");
        bool managed = managed_item ? cJSON_IsTrue(managed_item) : cJSON_IsString(rule);
        /* null means "max" when the group's memory is known, else unknown */
        bool known = cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(item, "memory_current"));
        const cJSON *adj = cJSON_GetObjectItemCaseSensitive(item, "oom_score_adj");

        if (!name || !kind)
                return -EINVAL;
        sanitize(name, cell[COL_NAME], CELL_MAX);
        util_strlcpy(cell[COL_KIND], kind, CELL_MAX);
        if (managed && cJSON_IsString(rule))
                sanitize(rule->valuestring, cell[COL_RULE], CELL_MAX);
        else
                util_strlcpy(cell[COL_RULE], managed ? "?" : "unmanaged", CELL_MAX);
        json_size(item, "memory_current", "-", cell[COL_USAGE], CELL_MAX);
        json_size(item, "memory_max", known ? "max" : "-", cell[COL_MAX], CELL_MAX);
        json_size(item, "memory_high", known ? "max" : "-", cell[COL_HIGH], CELL_MAX);
        psi_avg10_text(cJSON_GetObjectItemCaseSensitive(item, "psi"), "some", cell[COL_PSI],
                       CELL_MAX);
        if (managed && cJSON_IsNumber(prio) && fabs(prio->valuedouble) < 1e9)
                snprintf(cell[COL_PRIO], CELL_MAX, "%d", (int)prio->valuedouble);
        else
                util_strlcpy(cell[COL_PRIO], "-", CELL_MAX);
        util_strlcpy(cell[COL_PROT],
                     !managed ? "-"
                     : cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(item, "protected"))
                         ? "yes"
                         : "no",
                     CELL_MAX);
        if (cJSON_IsNumber(adj) && fabs(adj->valuedouble) <= 1000)
                snprintf(cell[COL_OOMADJ], CELL_MAX, "%d", (int)adj->valuedouble);
        else
                util_strlcpy(cell[COL_OOMADJ], "-", CELL_MAX);
        json_size(item, "override", "-", cell[COL_OVERRIDE], CELL_MAX);
        if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(item, "override")))
                util_strlcpy(cell[COL_OVERRIDE], "-", CELL_MAX);
        return 0;
}

/* The containers and cgroups table. 0, -EINVAL or -ENOMEM. */
static int render_groups(const cJSON *groups, const struct control_render_options *opts, FILE *f)
{
        const cJSON *item;
        size_t width[COL_COUNT], n_rows, row;
        char(*cells)[COL_COUNT][CELL_MAX];

        n_rows = (size_t)cJSON_GetArraySize(groups);
        cells = calloc(n_rows + 1, sizeof *cells);
        if (!cells)
                return -ENOMEM;
        for (size_t col = 0; col < COL_COUNT; col++) {
                util_strlcpy(cells[0][col], col_titles[col], CELL_MAX);
                width[col] = strlen(col_titles[col]);
        }
        row = 1;
        cJSON_ArrayForEach(item, groups)
        {
                if (group_row(item, cells[row]) < 0) {
                        free(cells);
                        return -EINVAL;
                }
                for (size_t col = 0; col < COL_COUNT; col++)
                        if (strlen(cells[row][col]) > width[col])
                                width[col] = strlen(cells[row][col]);
                row++;
        }

        fputc('\n', f);
        print_table(f, &cells[0][0], COL_COUNT, n_rows + 1, width, col_right, opts->colour);
        free(cells);
        if (n_rows == 0)
                fputs("(no containers or cgroups)\n", f);
        return 0;
}

static int render_status(const cJSON *st, const struct control_render_options *opts, FILE *f)
{
        const cJSON *tiers = cJSON_GetObjectItemCaseSensitive(st, "tiers");
        const cJSON *host = cJSON_GetObjectItemCaseSensitive(st, "host");
        const cJSON *groups = cJSON_GetObjectItemCaseSensitive(st, "containers");
        const cJSON *overrides = cJSON_GetObjectItemCaseSensitive(st, "overrides");
        const cJSON *item;
        const char *memory_tier;
        char a[64], c[64];
        int r;

        if (!cJSON_IsObject(st) || !cJSON_IsObject(tiers) || !cJSON_IsObject(host) ||
            !cJSON_IsArray(groups) || !cJSON_IsArray(overrides))
                return -EINVAL;
        memory_tier = json_str(tiers, "memory");
        if (!memory_tier)
                return -EINVAL;

        render_memory(host, memory_tier, opts, f);
        r = render_disks(cJSON_GetObjectItemCaseSensitive(st, "disks"), tiers, opts, f);
        if (r < 0)
                return r;
        render_enforcement(st, cJSON_GetObjectItemCaseSensitive(st, "docker"), opts, f);
        render_unavailable(st, opts, f);
        r = render_groups(groups, opts, f);
        if (r < 0)
                return r;

        if (cJSON_GetArraySize(overrides) > 0) {
                fputs("\nOverrides:\n", f);
                cJSON_ArrayForEach(item, overrides)
                {
                        const char *name = json_str(item, "name");
                        char safe[CELL_MAX];
                        if (!name)
                                return -EINVAL;
                        sanitize(name, safe, sizeof safe);
                        fprintf(f, "  %s memory.max %s until %s\n", safe,
                                json_size(item, "memory_max", "max", a, sizeof a),
                                json_expires(item, "expires", opts, c, sizeof c));
                }
        }
        return 0;
}

#define HISTORY_TARGET_WIDTH_MAX 48 /* columns; longer targets push the row out */

static int render_history(const cJSON *arr, const struct control_render_options *opts, FILE *f)
{
        const cJSON *e;
        int target_width = (int)strlen("TARGET");

        (void)opts;
        if (!cJSON_IsArray(arr))
                return -EINVAL;
        if (cJSON_GetArraySize(arr) == 0) {
                fputs("No actions recorded.\n", f);
                return 0;
        }
        cJSON_ArrayForEach(e, arr)
        {
                const char *target = json_str(e, "target");
                int n = target ? (int)strlen(target) : 0;
                if (n > target_width)
                        target_width = n < HISTORY_TARGET_WIDTH_MAX ? n : HISTORY_TARGET_WIDTH_MAX;
        }
        fprintf(f, "%-19s  %-16s  %-*s  %7s  %-7s  %s\n", "TIME", "KIND", target_width, "TARGET",
                "BYTES", "RESULT", "REASON");
        cJSON_ArrayForEach(e, arr)
        {
                const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "time");
                const char *kind = json_str(e, "kind"), *target = json_str(e, "target");
                const char *reason = json_str(e, "reason");
                /* entries from before results existed: done, or dry-run */
                const char *result = json_str(e, "result")
                                         ?: cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(e, "dry_run"))
                                                ? "dry-run"
                                                : "done";
                const char *detail = json_str(e, "error") ?: json_str(e, "why");
                char when[64] = "", bytes[32], safe_target[256], safe_reason[512], safe_detail[512],
                     safe_result[16];
                struct tm tm;
                time_t secs;

                uint64_t t_secs;

                if (!json_number_in(t, (double)RENDER_SECONDS_MAX, &t_secs) || !kind || !target ||
                    !reason)
                        return -EINVAL;
                secs = (time_t)t_secs;
                if (localtime_r(&secs, &tm))
                        strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", &tm);
                json_size(e, "bytes", "-", bytes, sizeof bytes);
                sanitize(target, safe_target, sizeof safe_target);
                sanitize(reason, safe_reason, sizeof safe_reason);
                sanitize(detail ? detail : "", safe_detail, sizeof safe_detail);
                sanitize(result, safe_result, sizeof safe_result);
                fprintf(f, "%-19s  %-16s  %-*s  %7s  %-7s  %s%s%s%s\n", when, kind, target_width,
                        safe_target, bytes, safe_result, safe_reason, detail ? " (" : "",
                        safe_detail, detail ? ")" : "");
        }
        return 0;
}

static int render_cleanup(const cJSON *res, FILE *f)
{
        const cJSON *items = cJSON_GetObjectItemCaseSensitive(res, "items"), *it;
        bool dry = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "dry_run"));
        char total[32];

        if (!cJSON_IsArray(items))
                return -EINVAL;
        cJSON_ArrayForEach(it, items)
        {
                const char *kind = json_str(it, "kind"), *target = json_str(it, "target");
                char bytes[32], safe[512];
                if (!kind || !target)
                        return -EINVAL;
                sanitize(target, safe, sizeof safe);
                fprintf(f, "%-16s %8s  %s\n", kind,
                        json_size(it, "bytes", "-", bytes, sizeof bytes), safe);
        }
        uint64_t left_out = 0;
        (void)json_number_in(cJSON_GetObjectItemCaseSensitive(res, "left_out"), 1e15, &left_out);
        if (left_out > 0)
                fprintf(f, "... and %" PRIu64 " more not listed (the journal has them at debug "
                           "level).\n",
                        left_out);
        fprintf(f, "%s %s in %" PRIu64 " item%s.\n", dry ? "Would free" : "Freed",
                json_size(res, "bytes", "0", total, sizeof total),
                (uint64_t)cJSON_GetArraySize(items) + left_out,
                cJSON_GetArraySize(items) + left_out == 1 ? "" : "s");
        return 0;
}

/* ---- explain ---- */

static const struct {
        const char *verdict;
        const char *text;
} verdict_texts[] = {
    {"candidate", "candidate"},
    {"unmanaged", "unmanaged: no rule matches, never touched"},
    {"protected", "protected by its rule"},
    {"no-identity", "no container id or cgroup yet: nothing to act on"},
    {"structural", "structurally protected"},
    {"not-running", "not running"},
    {"not-sacrificial", "not sacrificial: critical stops only sacrificial containers"},
    {"no-memory-high", "no memory.high: cannot be reclaimed or throttled (hybrid cgroups)"},
    {"below-usage", "below usage: under one page, nothing to reclaim"},
    {"cooldown", "cooldown"},
};

enum { XCOL_RANK, XCOL_NAME, XCOL_KIND, XCOL_RULE, XCOL_PRIO, XCOL_USAGE, XCOL_WHY, XCOL_COUNT };

static int render_explain(const cJSON *ex, const struct control_render_options *opts, FILE *f)
{
        static const char *const titles[XCOL_COUNT] = {"RANK", "NAME", "KIND", "RULE",
                                                       "PRIO", "USAGE", "WHY"};
        static const bool right[XCOL_COUNT] = {[XCOL_PRIO] = true, [XCOL_USAGE] = true};
        const cJSON *marks = cJSON_GetObjectItemCaseSensitive(ex, "marks");
        const cJSON *actions = cJSON_GetObjectItemCaseSensitive(ex, "actions");
        const cJSON *groups = cJSON_GetObjectItemCaseSensitive(ex, "groups");
        const cJSON *used = cJSON_GetObjectItemCaseSensitive(ex, "memory_used_percent");
        const cJSON *cool = cJSON_GetObjectItemCaseSensitive(ex, "host_cooldown_left");
        const char *tier = json_str(ex, "tier"), *prev = json_str(ex, "previous_tier");
        const char *judged = json_str(ex, "judged_action");
        const cJSON *item;
        size_t width[XCOL_COUNT], n_rows, row = 1;
        char(*cells)[XCOL_COUNT][CELL_MAX];
        char buf[64];
        bool first = true, held = false;

        if (!tier || !prev || !judged || !cJSON_IsObject(marks) || !cJSON_IsArray(actions) ||
            !cJSON_IsArray(groups) || !cJSON_IsNumber(used))
                return -EINVAL;

        fputs("Memory:     ", f);
        put_coloured(f, opts, tier_colour(tier), tier);
        if (strcmp(tier, prev) != 0)
                fprintf(f, " (the governor is at %s until its next evaluation)", prev);
        fprintf(f, " — %.1f%% used; marks", used->valuedouble);
        cJSON_ArrayForEach(item, marks)
        {
                if (!cJSON_IsNumber(item) || !item->string)
                        return -EINVAL;
                fprintf(f, "%s %s %g%%", first ? "" : ",", item->string, item->valuedouble);
                first = false;
        }
        fputc('\n', f);

        fputs("Would do:   ", f);
        if (cJSON_GetArraySize(actions) == 0)
                fprintf(f, "nothing%s\n",
                        strcmp(tier, "normal") == 0 ? " (at warning: reclaim the candidates below)"
                                                    : "");
        first = true;
        cJSON_ArrayForEach(item, actions)
        {
                const char *kind = json_str(item, "kind"), *target = json_str(item, "target");
                const char *reason = json_str(item, "reason");
                char safe_target[CELL_MAX], safe_reason[512];

                if (!kind || !target || !reason)
                        return -EINVAL;
                sanitize(target, safe_target, sizeof safe_target);
                sanitize(reason, safe_reason, sizeof safe_reason);
                fprintf(f, "%s%s %s — %s\n", first ? "" : "            ", kind, safe_target,
                        safe_reason);
                first = false;
        }
        fputs("Held back:  ", f);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ex, "paused"))) {
                put_coloured(f, opts, ANSI_YELLOW, "enforcement paused");
                fputs(": none of this is done", f);
                held = true;
        }
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ex, "dry_run"))) {
                fputs(held ? "; " : "", f);
                fputs("dry-run: actions are logged, not taken", f);
                held = true;
        }
        if (cJSON_IsNumber(cool) && cool->valuedouble >= 1 && cool->valuedouble < 1e12) {
                format_remaining((uint64_t)cool->valuedouble, buf, sizeof buf);
                fprintf(f, "%s%s in host-wide cooldown for %s", held ? "; " : "", judged, buf);
                held = true;
        }
        fputs(held ? "\n" : "nothing\n", f);
        fprintf(f, "Judged for: %s (the %s tier's action)\n", judged, tier);

        n_rows = (size_t)cJSON_GetArraySize(groups);
        cells = calloc(n_rows + 1, sizeof *cells);
        if (!cells)
                return -ENOMEM;
        for (size_t col = 0; col < XCOL_COUNT; col++) {
                util_strlcpy(cells[0][col], titles[col], CELL_MAX);
                width[col] = strlen(titles[col]);
        }
        cJSON_ArrayForEach(item, groups)
        {
                const char *name = json_str(item, "name"), *kind = json_str(item, "kind");
                const char *verdict = json_str(item, "verdict");
                const cJSON *rank = cJSON_GetObjectItemCaseSensitive(item, "rank");
                const cJSON *prio = cJSON_GetObjectItemCaseSensitive(item, "priority");
                const cJSON *rule = cJSON_GetObjectItemCaseSensitive(item, "rule");
                const cJSON *left = cJSON_GetObjectItemCaseSensitive(item, "cooldown_left");
                char(*cell)[CELL_MAX] = cells[row];
                const char *text = NULL;

                if (!name || !kind || !verdict) {
                        free(cells);
                        return -EINVAL;
                }
                if (cJSON_IsNumber(rank) && rank->valuedouble >= 1 && rank->valuedouble < 1e9)
                        snprintf(cell[XCOL_RANK], CELL_MAX, "%u", (unsigned)rank->valuedouble);
                else
                        util_strlcpy(cell[XCOL_RANK], "-", CELL_MAX);
                sanitize(name, cell[XCOL_NAME], CELL_MAX);
                util_strlcpy(cell[XCOL_KIND], kind, CELL_MAX);
                if (cJSON_IsString(rule))
                        sanitize(rule->valuestring, cell[XCOL_RULE], CELL_MAX);
                else
                        util_strlcpy(cell[XCOL_RULE], "-", CELL_MAX);
                if (cJSON_IsNumber(prio) && fabs(prio->valuedouble) < 1e9)
                        snprintf(cell[XCOL_PRIO], CELL_MAX, "%d", (int)prio->valuedouble);
                else
                        util_strlcpy(cell[XCOL_PRIO], "-", CELL_MAX);
                json_size(item, "memory_current", "-", cell[XCOL_USAGE], CELL_MAX);
                for (size_t i = 0; i < ELEMENTSOF(verdict_texts); i++)
                        if (strcmp(verdict_texts[i].verdict, verdict) == 0)
                                text = verdict_texts[i].text;
                const cJSON *detail = cJSON_GetObjectItemCaseSensitive(item, "detail");

                if (strcmp(verdict, "structural") == 0 && cJSON_IsString(detail)) {
                        /* the cell is CELL_MAX; the detail is cut to fit after the label */
                        char safe[CELL_MAX - sizeof("structural: ") + 1];

                        sanitize(detail->valuestring, safe, sizeof safe);
                        snprintf(cell[XCOL_WHY], CELL_MAX, "structural: %s", safe);
                } else if (strcmp(verdict, "cooldown") == 0 && cJSON_IsNumber(left) &&
                    left->valuedouble >= 0 && left->valuedouble < 1e12) {
                        format_remaining((uint64_t)left->valuedouble, buf, sizeof buf);
                        snprintf(cell[XCOL_WHY], CELL_MAX, "cooldown: acted on recently, %s left",
                                 buf);
                } else if (text)
                        util_strlcpy(cell[XCOL_WHY], text, CELL_MAX);
                else
                        sanitize(verdict, cell[XCOL_WHY], CELL_MAX); /* a newer daemon's */
                for (size_t col = 0; col < XCOL_COUNT; col++)
                        if (strlen(cell[col]) > width[col])
                                width[col] = strlen(cell[col]);
                row++;
        }
        fputc('\n', f);
        print_table(f, &cells[0][0], XCOL_COUNT, n_rows + 1, width, right, opts->colour);
        free(cells);
        if (n_rows == 0)
                fputs("(no containers or cgroups)\n", f);
        return 0;
}

int control_render(enum control_verb verb, const cJSON *result,
                   const struct control_render_options *opts, FILE *f)
{
        char a[64], b[128], safe[GROUP_NAME_MAX];
        const char *name;

        assert(opts);
        assert(f);

        switch (verb) {
        case CONTROL_VERB_STATUS:
                return render_status(result, opts, f);
        case CONTROL_VERB_HISTORY:
                return render_history(result, opts, f);
        case CONTROL_VERB_SET_LIMIT:
                name = json_str(result, "name");
                if (!name)
                        return -EINVAL;
                sanitize(name, safe, sizeof safe);
                fprintf(f, "%s: memory.max override %s until %s\n", safe,
                        json_size(result, "memory_max", "max", a, sizeof a),
                        json_expires(result, "expires", opts, b, sizeof b));
                return 0;
        case CONTROL_VERB_CLEAR:
                name = json_str(result, "name");
                if (!name)
                        return -EINVAL;
                sanitize(name, safe, sizeof safe);
                fprintf(f, "%s: override cleared\n", safe);
                return 0;
        case CONTROL_VERB_PAUSE:
                fprintf(f, "Enforcement paused until %s\n",
                        cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(result, "expires"))
                            ? json_expires(result, "expires", opts, b, sizeof b)
                            : "resumed");
                return 0;
        case CONTROL_VERB_RESUME:
                fputs("Enforcement resumed\n", f);
                return 0;
        case CONTROL_VERB_CLEANUP:
                return render_cleanup(result, f);
        case CONTROL_VERB_EXPLAIN:
                return render_explain(result, opts, f);
        case CONTROL_VERB_RELOAD:
                fputs("Configuration reloaded\n", f);
                return 0;
        case CONTROL_VERB_METRICS:
                if (!cJSON_IsString(result))
                        return -EINVAL;
                fputs(result->valuestring, f);
                return 0;
        default:
                return -EINVAL;
        }
}
