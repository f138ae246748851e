/* config-ini — see include/config-ini.h
 *
 * inih splits "key = value" lines; everything around it is ours. Debian's
 * libinih is built without INI_HANDLER_LINENO, so the handler would not know
 * its line: we feed inih through ini_parse_stream() with an in-memory reader
 * that counts lines, trims them, strips inline comments ('#' and ';' after a
 * blank — inih itself only knows ';'), refuses overlong lines instead of
 * letting inih split them, and parses section headers itself (inih truncates
 * section names to 49 characters and never reports an empty section). */
#include "config-ini.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "config-schema.h"
#include "config-section.h"
#include "config-value.h"
#include "config.h"

/* Rule and logs names appear in govctl arguments and JSON: keep them short. */
#define CONFIG_NAME_MAX 64 /* characters */
/* How much of a bad value an error message quotes. */
#define QUOTE_MAX 64 /* characters */

struct parse_ctx {
        struct config *c;
        const char *file_name;
        unsigned file;   /* index into c->files */
        const char *pos; /* next unread character of the text */
        unsigned line;
        size_t line_max; /* longest line inih takes, in characters */
        bool in_section;
        enum config_section_type section;
        size_t index;         /* into disks/logs/rules */
        uint32_t seen_keys;   /* keys set in the current section of this file */
        char **seen_sections; /* headers of this file, for duplicates */
        unsigned *seen_section_lines;
        size_t n_seen_sections;
        char *err;
        size_t err_size;
        int r; /* first error */
};

/* ---- small helpers ---- */

static bool streq(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static bool is_blank(char c)
{
        return c == ' ' || c == '\t';
}

/* A value as an error message may quote it: bounded, printable. */
static const char *quote(const char *s, char buf[static QUOTE_MAX + 4])
{
        size_t i;

        for (i = 0; s[i] && i < QUOTE_MAX; i++)
                buf[i] = isprint((unsigned char)s[i]) ? s[i] : '?';
        if (s[i])
                buf[i++] = '.', buf[i++] = '.', buf[i++] = '.';
        buf[i] = '\0';
        return buf;
}

static int parse_error(struct parse_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int parse_error(struct parse_ctx *ctx, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (ctx->r < 0)
                return ctx->r; /* only the first error is reported */
        ctx->r = -EINVAL;
        if (!ctx->err || ctx->err_size == 0)
                return ctx->r;
        n = snprintf(ctx->err, ctx->err_size, "%s:%u: ", ctx->file_name, ctx->line);
        if (n >= 0 && (size_t)n < ctx->err_size) {
                va_start(ap, fmt);
                vsnprintf(ctx->err + n, ctx->err_size - (size_t)n, fmt, ap);
                va_end(ap);
        }
        return ctx->r;
}

static int oom(struct parse_ctx *ctx)
{
        if (ctx->r == 0 || ctx->r == -EINVAL) {
                ctx->r = -ENOMEM;
                if (ctx->err && ctx->err_size > 0)
                        snprintf(ctx->err, ctx->err_size, "%s:%u: out of memory", ctx->file_name,
                                 ctx->line);
        }
        return -ENOMEM;
}

static bool name_is_valid(const char *name)
{
        size_t n = strlen(name);

        if (n == 0 || n > CONFIG_NAME_MAX)
                return false;
        for (const char *s = name; *s; s++)
                if (!isalnum((unsigned char)*s) && !strchr("-_.@+", *s))
                        return false;
        return true;
}

/* ---- sections ---- */

/* Find or append the named section; *ret_index is its place. */
static int section_lookup(struct parse_ctx *ctx, enum config_section_type type, const char *name,
                          size_t *ret_index)
{
        struct config *c = ctx->c;
        size_t i;

        switch (type) {
        case CONFIG_SECTION_DISK:
                for (i = 0; i < c->n_disks; i++)
                        if (streq(c->disks[i].path, name))
                                break;
                if (i == c->n_disks) {
                        struct disk_section *n = reallocarray(c->disks, i + 1, sizeof(*n));
                        if (!n)
                                return oom(ctx);
                        c->disks = n;
                        config_section_disk_init(&n[i]);
                        n[i].path = strdup(name);
                        c->n_disks++; /* counted first: config_free frees it either way */
                        if (!n[i].path)
                                return oom(ctx);
                        n[i].meta.origin = (struct config_origin){ctx->file, ctx->line};
                }
                break;
        case CONFIG_SECTION_LOGS:
                for (i = 0; i < c->n_logs; i++)
                        if (streq(c->logs[i].name, name))
                                break;
                if (i == c->n_logs) {
                        struct logs_section *n = reallocarray(c->logs, i + 1, sizeof(*n));
                        if (!n)
                                return oom(ctx);
                        c->logs = n;
                        int r = config_section_logs_init(&n[i]);
                        n[i].name = strdup(name);
                        c->n_logs++;
                        if (r < 0 || !n[i].name)
                                return oom(ctx);
                        n[i].meta.origin = (struct config_origin){ctx->file, ctx->line};
                }
                break;
        default: {
                enum rule_kind kind = type == CONFIG_SECTION_CGROUP ? RULE_CGROUP : RULE_CONTAINER;

                for (i = 0; i < c->n_rules; i++)
                        if (streq(c->rules[i].name, name))
                                break;
                if (i < c->n_rules && c->rules[i].kind != kind)
                        /* One name space: govctl set-limit NAME must be unambiguous. */
                        return parse_error(ctx, "rule name \"%s\" is already used by [%s:%s]", name,
                                           kind == RULE_CGROUP ? "container" : "cgroup", name);
                if (i == c->n_rules) {
                        struct rule *n = reallocarray(c->rules, i + 1, sizeof(*n));
                        if (!n)
                                return oom(ctx);
                        c->rules = n;
                        config_section_rule_init(&n[i], kind);
                        n[i].name = strdup(name);
                        c->n_rules++;
                        if (!n[i].name)
                                return oom(ctx);
                        n[i].meta.origin = (struct config_origin){ctx->file, ctx->line};
                }
                break;
        }
        }
        *ret_index = i;
        return 0;
}

/* header is the cleaned line, starting with '['. */
static int section_begin(struct parse_ctx *ctx, char *header)
{
        char *end = strchr(header, ']');
        char *full, *colon;
        const char *name = NULL;
        size_t word_len;
        enum config_section_type type;
        int r;

        ctx->in_section = false;
        if (!end)
                return parse_error(ctx, "malformed section header: missing ']'");
        if (end[1] != '\0')
                return parse_error(ctx, "unexpected text after section header");
        *end = '\0';
        full = header + 1;

        colon = strchr(full, ':');
        word_len = colon ? (size_t)(colon - full) : strlen(full);
        for (type = 0; type < CONFIG_SECTION_TYPE_COUNT; type++)
                if (strlen(config_schema_sections[type].word) == word_len &&
                    strncmp(config_schema_sections[type].word, full, word_len) == 0)
                        break;
        if (type == CONFIG_SECTION_TYPE_COUNT) {
                char q[QUOTE_MAX + 4];
                return parse_error(ctx,
                                   "unknown section [%s] (known: governor, memory, journal, "
                                   "disk:PATH, logs:NAME, container:NAME, cgroup:NAME)",
                                   quote(full, q));
        }
        const struct config_section_def *def = &config_schema_sections[type];
        if (!def->named && colon)
                return parse_error(ctx, "section [%s] takes no name", def->word);
        if (def->named) {
                if (!colon || colon[1] == '\0')
                        return parse_error(ctx, "section name is empty: write [%s:%s]", def->word,
                                           def->name_what);
                name = colon + 1;
                if (type == CONFIG_SECTION_DISK) {
                        if (!config_value_path_is_valid(name, true)) {
                                char q[QUOTE_MAX + 4];
                                return parse_error(ctx,
                                                   "[disk:%s]: the path must be absolute and "
                                                   "canonical (no '.', '..', '//' or "
                                                   "trailing '/')",
                                                   quote(name, q));
                        }
                } else if (!name_is_valid(name)) {
                        char q[QUOTE_MAX + 4];
                        return parse_error(ctx,
                                           "[%s:%s]: a name is 1-%d characters of letters, "
                                           "digits and -_.@+",
                                           def->word, quote(name, q), CONFIG_NAME_MAX);
                }
        }

        for (size_t i = 0; i < ctx->n_seen_sections; i++)
                if (streq(ctx->seen_sections[i], full))
                        return parse_error(ctx, "duplicate section [%s] (first at line %u)", full,
                                           ctx->seen_section_lines[i]);
        char **ns = reallocarray(ctx->seen_sections, ctx->n_seen_sections + 1, sizeof(*ns));
        if (!ns)
                return oom(ctx);
        ctx->seen_sections = ns;
        unsigned *nl = reallocarray(ctx->seen_section_lines, ctx->n_seen_sections + 1, sizeof(*nl));
        if (!nl)
                return oom(ctx);
        ctx->seen_section_lines = nl;
        ns[ctx->n_seen_sections] = strdup(full);
        if (!ns[ctx->n_seen_sections])
                return oom(ctx);
        nl[ctx->n_seen_sections++] = ctx->line;

        ctx->index = 0;
        if (def->named) {
                r = section_lookup(ctx, type, name, &ctx->index);
                if (r < 0)
                        return r;
        } else {
                struct config_section_meta *meta = config_schema_section_meta(ctx->c, type, 0);
                if (meta->origin.line == 0)
                        meta->origin = (struct config_origin){ctx->file, ctx->line};
        }
        ctx->section = type;
        ctx->in_section = true;
        ctx->seen_keys = 0;
        return 0;
}

/* ---- keys ---- */

static int value_error(struct parse_ctx *ctx, const struct config_key_def *key, const char *value,
                       const char *what)
{
        char q[QUOTE_MAX + 4];

        return parse_error(ctx, "%s = \"%s\": %s", key->name, quote(value, q), what);
}

/* Before the first multi-value line of a section in a file: the file's list
 * replaces what earlier files built. */
static void multi_reset(const struct config_key_def *key, void *base)
{
        if (key->type == CONFIG_VALUE_MATCH)
                config_section_matches_clear(base);
        else if (key->type == CONFIG_VALUE_KEEP_IMAGE)
                config_section_keep_images_clear(base);
}

static int handle_key(struct parse_ctx *ctx, const char *name, const char *value)
{
        const struct config_section_def *def;
        const struct config_key_def *key = NULL;
        struct config_section_meta *meta;
        char q[QUOTE_MAX + 4], what[256];
        size_t k;
        void *base;
        int r;

        if (!ctx->in_section)
                return parse_error(ctx, "\"%s\" is outside of any [section]", quote(name, q));
        def = &config_schema_sections[ctx->section];
        if (!*name)
                return parse_error(ctx, "missing key name before '='");
        for (k = 0; k < def->n_keys; k++)
                if (streq(def->keys[k].name, name)) {
                        key = &def->keys[k];
                        break;
                }
        if (!key)
                return parse_error(ctx, "unknown key \"%s\" in [%s]", quote(name, q), def->word);
        meta = config_schema_section_meta(ctx->c, ctx->section, ctx->index);
        if ((ctx->seen_keys & (1U << k)) && !(key->flags & CONFIG_KEY_MULTI))
                return parse_error(ctx, "duplicate key \"%s\" (first at line %u)", name,
                                   meta->keys[k].line);
        if (!*value)
                return parse_error(ctx, "%s: empty value", name);
        /* config_dump writes "key = value": it must fit on a line too. */
        if (strlen(name) + strlen(" = ") + strlen(value) > ctx->line_max)
                return parse_error(ctx, "line too long as \"%s = VALUE\" (at most %zu characters)",
                                   name, ctx->line_max);
        /* What the reader leaves of "key = #x" would not survive a dump. */
        if (value[0] == '#' || value[0] == ';')
                return parse_error(ctx, "%s: a value can not start with '%c' (it starts a comment)",
                                   name, value[0]);

        base = config_schema_section_base(ctx->c, ctx->section, ctx->index);
        if ((key->flags & CONFIG_KEY_MULTI) && !(ctx->seen_keys & (1U << k)))
                multi_reset(key, base);
        r = config_value_parse(key, base, value, what, sizeof(what));
        if (r == -ENOMEM)
                return oom(ctx);
        if (r < 0)
                return value_error(ctx, key, value, what);
        ctx->seen_keys |= 1U << k;
        meta->keys[k] = (struct config_origin){ctx->file, ctx->line};
        return 0;
}

/* inih's callback: nonzero to go on. */
static int handler(void *user, const char *inih_section, const char *name, const char *value)
{
        struct parse_ctx *ctx = user;

        (void)inih_section; /* section_begin() tracks sections, untruncated */
        if (ctx->r < 0)
                return 0;
        return handle_key(ctx, name, value) >= 0;
}

/* ---- the line reader ---- */

/* Cut an inline comment: '#' or ';' after a blank. */
static void strip_inline_comment(char *s)
{
        for (char *p = s; *p; p++)
                if ((*p == '#' || *p == ';') && p > s && is_blank(p[-1])) {
                        *p = '\0';
                        return;
                }
}

static char *reader(char *str, int num, void *stream)
{
        struct parse_ctx *ctx = stream;
        const char *line = ctx->pos, *eol, *b, *e;
        size_t len;

        if (ctx->r < 0 || !*line)
                return NULL;
        eol = strchrnul(line, '\n');
        ctx->pos = *eol ? eol + 1 : eol;
        ctx->line++;

        b = line;
        e = eol;
        /* A UTF-8 byte order mark from an editor is not part of the text. */
        if (ctx->line == 1 && strncmp(b, "\xEF\xBB\xBF", 3) == 0)
                b += 3;
        while (b < e && (is_blank(*b) || *b == '\r'))
                b++;
        if (b == e || *b == '#' || *b == ';') {
                str[0] = '\0';
                return str;
        }
        len = (size_t)(e - b);
        ctx->line_max = (size_t)num - 1;
        if (len >= (size_t)num) {
                parse_error(ctx, "line too long (at most %d characters)", num - 1);
                return NULL;
        }
        memcpy(str, b, len);
        str[len] = '\0';
        strip_inline_comment(str);
        /* rstrip, including a '\r' of CRLF files */
        for (len = strlen(str); len > 0 && (is_blank(str[len - 1]) || str[len - 1] == '\r');)
                str[--len] = '\0';

        if (str[0] == '[') {
                if (section_begin(ctx, str) < 0)
                        return NULL;
                str[0] = '\0'; /* handled: inih sees an empty line */
                return str;
        }
        if (!strpbrk(str, "=:")) {
                parse_error(ctx, "expected \"key = value\" or \"[section]\"");
                return NULL;
        }
        return str;
}

int config_parse_string(struct config *c, const char *file_name, const char *text, char *err,
                        size_t err_size)
{
        struct parse_ctx ctx = {
            .c = c,
            .file_name = file_name,
            .pos = text,
            .err = err,
            .err_size = err_size,
        };
        char **files;
        int r;

        assert(c);
        assert(file_name);
        assert(text);

        if (err && err_size > 0)
                err[0] = '\0';
        files = reallocarray(c->files, c->n_files + 1, sizeof(*files));
        if (!files)
                return oom(&ctx);
        c->files = files;
        files[c->n_files] = strdup(file_name);
        if (!files[c->n_files])
                return oom(&ctx);
        ctx.file = (unsigned)c->n_files++;

        r = ini_parse_stream(reader, &ctx, handler, &ctx);
        if (ctx.r == 0 && r != 0) {
                /* inih saw something the reader let through; report its line. */
                ctx.line = r > 0 ? (unsigned)r : ctx.line;
                parse_error(&ctx, "syntax error");
        }

        for (size_t i = 0; i < ctx.n_seen_sections; i++)
                free(ctx.seen_sections[i]);
        free(ctx.seen_sections);
        free(ctx.seen_section_lines);
        if (ctx.r == 0)
                config_section_derive(c);
        return ctx.r;
}
