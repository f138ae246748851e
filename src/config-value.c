/* config-value — see include/config-value.h */
#include "config-value.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Where a parser writes why a value was refused: the part after
 * "KEY = \"VALUE\": " of the message the reader builds. */
struct value_reason {
        char *buf;
        size_t size;
};

static int reason(struct value_reason *why, const char *what)
{
        if (why->buf && why->size > 0)
                snprintf(why->buf, why->size, "%s", what);
        return -EINVAL;
}

int config_value_replace_string(char **dst, const char *value)
{
        char *copy = strdup(value);

        if (!copy)
                return -ENOMEM;
        free(*dst);
        *dst = copy;
        return 0;
}

static int parse_boolean(const char *s, bool *ret)
{
        static const char *const yes[] = {"yes", "true", "on", "1"};
        static const char *const no[] = {"no", "false", "off", "0"};

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static bool has_control_chars(const char *s)
{
        for (; *s; s++)
                if (iscntrl((unsigned char)*s))
                        return true;
        return false;
}

/* Absolute, no ".." component, no control characters. strict additionally
 * wants the canonical spelling (no "//", no "." component, no trailing '/'
 * except for "/" itself), for paths that name a section. */
bool config_value_path_is_valid(const char *p, bool strict)
{
        if (p[0] != '/' || has_control_chars(p) || strlen(p) >= 4096)
                return false;
        for (const char *s = p; *s;) {
                const char *e;
                size_t n;

                while (*s == '/')
                        s++;
                e = strchrnul(s, '/');
                n = (size_t)(e - s);
                if (n == 2 && s[0] == '.' && s[1] == '.')
                        return false;
                if (strict && n == 1 && s[0] == '.')
                        return false;
                s = e;
        }
        if (strict && (strstr(p, "//") || (p[1] && p[strlen(p) - 1] == '/')))
                return false;
        return true;
}

static int parse_psi_kind(const char *word, size_t n, enum psi_kind *ret)
{
        if (n == 4 && strncmp(word, "some", 4) == 0) {
                *ret = PSI_SOME;
                return 0;
        }
        if (n == 4 && strncmp(word, "full", 4) == 0) {
                *ret = PSI_FULL;
                return 0;
        }
        return -EINVAL;
}

/* Split at the first run of blanks: *ret_rest points past it. */
static size_t first_word(const char *s, const char **ret_rest)
{
        size_t n = strcspn(s, " \t");
        const char *rest = s + n;

        while (*rest == ' ' || *rest == '\t')
                rest++;
        *ret_rest = rest;
        return n;
}

static int range_error_duration(struct value_reason *why, const struct config_key_def *key)
{
        char lo[UNITS_FORMAT_MAX], hi[UNITS_FORMAT_MAX], what[128];

        snprintf(what, sizeof(what), "out of range (%s..%s)",
                 units_format_duration(key->min, lo, sizeof(lo)),
                 units_format_duration(key->max, hi, sizeof(hi)));
        return reason(why, what);
}

static int parse_duration_value(struct value_reason *why, const struct config_key_def *key,
                                const char *value, usec_t *ret)
{
        usec_t usec;
        int r = units_parse_duration(value, &usec);

        if (r == -ERANGE)
                return range_error_duration(why, key);
        if (r < 0)
                return reason(why, "expected a duration such as 250ms, 5s, 10m, 1h or 7d");
        if (usec < key->min || usec > key->max)
                return range_error_duration(why, key);
        if ((key->flags & CONFIG_KEY_WHOLE_SECONDS) && usec % USEC_PER_SEC != 0)
                return reason(why, "must be whole seconds");
        *ret = usec;
        return 0;
}

static int parse_percent_value(struct value_reason *why, const struct config_key_def *key,
                               const char *value, double *ret)
{
        double percent;
        int r = units_parse_percent(value, &percent);

        if (r == -EINVAL)
                return reason(why, "expected a percentage such as 65%");
        if (r < 0 || percent < key->min_percent || percent > key->max_percent) {
                char lo[UNITS_FORMAT_MAX], hi[UNITS_FORMAT_MAX], what[128];

                snprintf(what, sizeof(what), "out of range (%s..%s)",
                         units_format_percent(key->min_percent, lo, sizeof(lo)),
                         units_format_percent(key->max_percent, hi, sizeof(hi)));
                return reason(why, what);
        }
        *ret = percent;
        return 0;
}

static int parse_psi_threshold(struct value_reason *why, const struct config_key_def *key,
                               const char *value, struct psi_threshold *ret)
{
        const char *rest;
        size_t n = first_word(value, &rest);
        struct psi_threshold t = {.set = true};
        int r;

        if (strcmp(value, "off") == 0) {
                *ret = (struct psi_threshold){.set = false};
                return 0;
        }
        if (parse_psi_kind(value, n, &t.kind) < 0 || !*rest)
                return reason(why, "expected \"some N%\", \"full N%\" or \"off\"");
        r = units_parse_percent(rest, &t.avg10_percent);
        if (r == -EINVAL)
                return reason(why, "expected \"some N%\", \"full N%\" or \"off\"");
        if (r < 0 || t.avg10_percent <= 0)
                return reason(why, "out of range (above 0%, at most 100%)");
        *ret = t;
        return 0;
}

/* One trigger figure: a bare number is microseconds, as the kernel takes it. */
static int parse_trigger_time(const char *word, size_t n, usec_t *ret)
{
        char buf[32];
        uint64_t v;

        if (n == 0 || n >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, word, n);
        buf[n] = '\0';
        if (strspn(buf, "0123456789") == n) {
                int r = util_parse_u64(buf, n, &v);
                if (r < 0)
                        return r;
                *ret = v;
                return 0;
        }
        return units_parse_duration(buf, ret);
}

static int parse_trigger(struct value_reason *why, const struct config_key_def *key,
                         const char *value, struct psi_trigger_spec *ret)
{
        /* The kernel's limits for a trigger window (kernel/sched/psi.c). */
        static const usec_t window_min_usec = 500 * USEC_PER_MSEC;
        static const usec_t window_max_usec = 10 * USEC_PER_SEC;
        static const char syntax[] =
            "expected \"some|full STALL WINDOW\" such as \"some 150ms 1s\" or \"some 150000 "
            "1000000\" (microseconds)";
        struct psi_trigger_spec t;
        const char *stall, *window, *end;
        size_t n;

        n = first_word(value, &stall);
        if (parse_psi_kind(value, n, &t.kind) < 0)
                return reason(why, syntax);
        n = first_word(stall, &window);
        if (parse_trigger_time(stall, n, &t.stall_usec) < 0)
                return reason(why, syntax);
        n = first_word(window, &end);
        if (parse_trigger_time(window, n, &t.window_usec) < 0 || *end)
                return reason(why, syntax);
        if (t.window_usec < window_min_usec || t.window_usec > window_max_usec)
                return reason(why, "window out of range (500ms..10s)");
        if (t.stall_usec == 0 || t.stall_usec > t.window_usec)
                return reason(why, "stall must be above 0 and at most the window");
        *ret = t;
        return 0;
}

static int parse_match(struct value_reason *why, const struct config_key_def *key,
                       const char *value, struct rule *rule)
{
        const char *colon = strchr(value, ':');
        struct match m = {};
        size_t word_len = colon ? (size_t)(colon - value) : 0;
        const char *pattern = colon ? colon + 1 : NULL;
        bool container = rule->kind == RULE_CONTAINER;
        int kind = -1;

#define WORD_IS(w) (colon && word_len == strlen(w) && strncmp(value, w, word_len) == 0)
        if (container && WORD_IS("name"))
                kind = MATCH_NAME;
        else if (container && WORD_IS("label"))
                kind = MATCH_LABEL;
        else if (container && WORD_IS("image"))
                kind = MATCH_IMAGE;
        else if (!container && WORD_IS("path"))
                kind = MATCH_PATH;
#undef WORD_IS
        if (kind < 0)
                return reason(why, container ? "expected name:GLOB, label:KEY=VALUE or image:GLOB"
                                             : "expected path:GLOB (a cgroup path relative to "
                                               "cgroup_root)");
        m.kind = (enum match_kind)kind;
        if (!*pattern || has_control_chars(pattern))
                return reason(why, "the pattern is empty");
        if (m.kind == MATCH_LABEL) {
                const char *eq = strchr(pattern, '=');
                if (!eq || eq == pattern)
                        return reason(why, "expected label:KEY=VALUE");
                m.key = strndup(pattern, (size_t)(eq - pattern));
                m.glob = strdup(eq + 1);
        } else {
                if (m.kind == MATCH_PATH && pattern[0] == '/')
                        return reason(why, "the path is relative to cgroup_root: drop the "
                                           "leading '/'");
                m.glob = strdup(pattern);
        }
        if (!m.glob || (m.kind == MATCH_LABEL && !m.key)) {
                free(m.key);
                free(m.glob);
                return -ENOMEM;
        }

        struct match *n = reallocarray(rule->matches, rule->n_matches + 1, sizeof(*n));
        if (!n) {
                free(m.key);
                free(m.glob);
                return -ENOMEM;
        }
        rule->matches = n;
        n[rule->n_matches++] = m;
        return 0;
}

static int parse_keep_image(struct value_reason *why, const struct config_key_def *key,
                            const char *value, struct disk_section *d)
{
        char **n;

        if (has_control_chars(value))
                return reason(why, "control characters in a pattern");
        /* NULL-terminated for the consumer: one more slot than entries. */
        n = reallocarray(d->keep_images, d->n_keep_images + 2, sizeof(*n));
        if (!n)
                return -ENOMEM;
        d->keep_images = n;
        n[d->n_keep_images] = strdup(value);
        if (!n[d->n_keep_images]) {
                n[d->n_keep_images] = NULL;
                return -ENOMEM;
        }
        n[++d->n_keep_images] = NULL;
        return 0;
}

static int parse_value(struct value_reason *why, const struct config_key_def *key, void *base,
                       const char *value)
{
        void *field = (char *)base + key->offset;
        uint64_t u;
        int r;

        switch (key->type) {
        case CONFIG_VALUE_BOOL:
                if (parse_boolean(value, field) < 0)
                        return reason(why, "expected yes or no");
                return 0;
        case CONFIG_VALUE_DURATION:
                return parse_duration_value(why, key, value, field);
        case CONFIG_VALUE_PERCENT:
                return parse_percent_value(why, key, value, field);
        case CONFIG_VALUE_PATH:
                if (!config_value_path_is_valid(value, false))
                        return reason(why, "expected an absolute path (without '..')");
                return config_value_replace_string(field, value) < 0 ? -ENOMEM : 0;
        case CONFIG_VALUE_PATTERN:
                if (strchr(value, '/') || has_control_chars(value))
                        return reason(why, "a pattern over file names can not contain '/'");
                return config_value_replace_string(field, value) < 0 ? -ENOMEM : 0;
        case CONFIG_VALUE_UINT:
        case CONFIG_VALUE_INT:
                r = util_parse_u64(value, strlen(value), &u);
                if (r == -EINVAL)
                        return reason(why, "expected a whole number");
                if (r < 0 || u < key->min || u > key->max) {
                        char what[64];
                        snprintf(what, sizeof(what), "out of range (%" PRIu64 "..%" PRIu64 ")",
                                 key->min, key->max);
                        return reason(why, what);
                }
                if (key->type == CONFIG_VALUE_INT)
                        *(int *)field = (int)u;
                else
                        *(unsigned *)field = (unsigned)u;
                return 0;
        case CONFIG_VALUE_BYTES:
                r = units_parse_bytes(value, &u);
                if (r == -EINVAL || (u == BYTES_MAX && !(key->flags & CONFIG_KEY_ALLOW_MAX)))
                        return reason(why, "expected a size such as 512M or 8G");
                if (r < 0 || u < key->min || u > key->max) {
                        char lo[UNITS_FORMAT_MAX], what[64];
                        snprintf(what, sizeof(what), "out of range (at least %s)",
                                 units_format_bytes_exact(key->min, lo, sizeof(lo)));
                        return reason(why, what);
                }
                *(uint64_t *)field = u;
                return 0;
        case CONFIG_VALUE_SIZE: {
                struct size_spec spec;

                r = units_parse_size(value, &spec);
                if (r == -EINVAL)
                        return reason(why, "expected a size such as 512M, 8G, max, or a "
                                           "percentage of host memory such as 25%");
                if (r < 0)
                        return reason(why, "out of range");
                if (!spec.is_percent && spec.bytes < key->min &&
                    !(spec.bytes == 0 && (key->flags & CONFIG_KEY_ALLOW_ZERO))) {
                        char lo[UNITS_FORMAT_MAX], what[64];
                        snprintf(what, sizeof(what), "out of range (at least %s)",
                                 units_format_bytes_exact(key->min, lo, sizeof(lo)));
                        return reason(why, what);
                }
                *(struct size_spec *)field = spec;
                return 0;
        }
        case CONFIG_VALUE_PSI_THRESHOLD:
                return parse_psi_threshold(why, key, value, field);
        case CONFIG_VALUE_TRIGGER:
                return parse_trigger(why, key, value, field);
        case CONFIG_VALUE_MATCH:
                return parse_match(why, key, value, base);
        case CONFIG_VALUE_KEEP_IMAGE:
                return parse_keep_image(why, key, value, base);
        }
        return -EINVAL; /* not reached: every type is handled above */
}

int config_value_parse(const struct config_key_def *key, void *base, const char *value, char *what,
                       size_t what_size)
{
        struct value_reason why = {what, what_size};

        return parse_value(&why, key, base, value);
}
