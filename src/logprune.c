/* logprune — see include/logprune.h */
#include "logprune.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "log.h"

#define LOGPRUNE_BLOCK_BYTES 512ULL /* st_blocks unit, whatever the fs block size */

/* ---- pure part ---------------------------------------------------------- */

bool logprune_name_matches(const char *pattern, const char *name)
{
        assert(pattern);
        assert(name);
        /* FNM_PERIOD: a leading dot must be matched literally, as in the
         * shell, so "*.log" leaves hidden files alone. */
        return fnmatch(pattern, name, FNM_PERIOD) == 0;
}

bool logprune_is_expired(usec_t mtime_realtime_usec, usec_t now_realtime_usec, usec_t max_age_usec)
{
        if (mtime_realtime_usec >= now_realtime_usec)
                return false;
        return now_realtime_usec - mtime_realtime_usec > max_age_usec;
}

static int file_age_cmp(const void *a, const void *b)
{
        const struct logprune_file *x = a, *y = b;
        int r;

        if (x->mtime_realtime_usec != y->mtime_realtime_usec)
                return x->mtime_realtime_usec < y->mtime_realtime_usec ? -1 : 1;
        r = strcmp(x->dir, y->dir);
        if (r != 0)
                return r;
        return strcmp(x->name, y->name);
}

size_t logprune_plan(struct logprune_file *files, size_t n, usec_t max_age_usec,
                     uint64_t max_total_bytes, usec_t now_realtime_usec)
{
        uint64_t kept_bytes = 0;
        size_t marked = 0;

        assert(files || n == 0);
        if (n > 0)
                qsort(files, n, sizeof(files[0]), file_age_cmp);

        for (size_t i = 0; i < n; i++) {
                if (logprune_is_expired(files[i].mtime_realtime_usec, now_realtime_usec,
                                        max_age_usec)) {
                        files[i].reason = LOGPRUNE_AGE;
                        marked++;
                } else {
                        files[i].reason = LOGPRUNE_KEEP;
                        kept_bytes += files[i].disk_bytes;
                }
        }

        if (max_total_bytes == BYTES_MAX)
                return marked;
        /* Oldest first, until what is left fits. */
        for (size_t i = 0; i < n && kept_bytes > max_total_bytes; i++) {
                if (files[i].reason != LOGPRUNE_KEEP)
                        continue;
                files[i].reason = LOGPRUNE_TOTAL;
                kept_bytes -= files[i].disk_bytes;
                marked++;
        }
        return marked;
}

/* ---- the oldest files, bounded (pure) ------------------------------------ */

static void file_free_strings(struct logprune_file *f)
{
        free(f->dir);
        free(f->name);
        f->dir = f->name = NULL;
}

static void oldest_swap(struct logprune_file *a, struct logprune_file *b)
{
        struct logprune_file t = *a;

        *a = *b;
        *b = t;
}

/* A max-heap by age: files[0] is the newest kept, the first to give way. */
static void oldest_sift_down(struct logprune_oldest *o, size_t i)
{
        for (;;) {
                size_t l = 2 * i + 1, r = l + 1, top = i;

                if (l < o->n && file_age_cmp(&o->files[l], &o->files[top]) > 0)
                        top = l;
                if (r < o->n && file_age_cmp(&o->files[r], &o->files[top]) > 0)
                        top = r;
                if (top == i)
                        return;
                oldest_swap(&o->files[i], &o->files[top]);
                i = top;
        }
}

void logprune_oldest_init(struct logprune_oldest *o, size_t max)
{
        assert(o);
        assert(max > 0);
        *o = (struct logprune_oldest){.max = max};
}

int logprune_oldest_offer(struct logprune_oldest *o, struct logprune_file *f)
{
        assert(o);
        assert(f);
        o->bytes += f->disk_bytes;
        if (o->n < o->max) {
                size_t i;

                if (o->n == o->allocated) {
                        size_t n = o->allocated ? o->allocated * 2 : 64;
                        struct logprune_file *p;

                        if (n > o->max)
                                n = o->max;
                        p = reallocarray(o->files, n, sizeof(*p));
                        if (!p) {
                                file_free_strings(f);
                                return -ENOMEM;
                        }
                        o->files = p;
                        o->allocated = n;
                }
                i = o->n++;
                o->files[i] = *f;
                while (i > 0 && file_age_cmp(&o->files[i], &o->files[(i - 1) / 2]) > 0) {
                        oldest_swap(&o->files[i], &o->files[(i - 1) / 2]);
                        i = (i - 1) / 2;
                }
                return 0;
        }
        o->dropped++;
        if (file_age_cmp(f, &o->files[0]) >= 0) {
                file_free_strings(f); /* newer than every file kept */
                return 0;
        }
        file_free_strings(&o->files[0]);
        o->files[0] = *f;
        oldest_sift_down(o, 0);
        return 0;
}

size_t logprune_oldest_plan(struct logprune_oldest *o, uint64_t max_total_bytes)
{
        uint64_t total = o->bytes;
        size_t marked = 0;

        assert(o);
        if (o->n > 0)
                qsort(o->files, o->n, sizeof(o->files[0]), file_age_cmp);
        for (size_t i = 0; i < o->n; i++) {
                if (max_total_bytes != BYTES_MAX && total > max_total_bytes) {
                        o->files[i].reason = LOGPRUNE_TOTAL;
                        total -= o->files[i].disk_bytes;
                        marked++;
                } else
                        o->files[i].reason = LOGPRUNE_KEEP;
        }
        o->short_of_total = max_total_bytes != BYTES_MAX && total > max_total_bytes;
        return marked;
}

void logprune_oldest_done(struct logprune_oldest *o)
{
        if (!o)
                return;
        for (size_t i = 0; i < o->n; i++)
                file_free_strings(&o->files[i]);
        free(o->files);
        *o = (struct logprune_oldest){0};
}

const char *logprune_reason_name(enum logprune_reason r)
{
        switch (r) {
        case LOGPRUNE_KEEP:
                return "keep";
        case LOGPRUNE_AGE:
                return "age";
        case LOGPRUNE_TOTAL:
                return "total";
        }
        return "?";
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_sequence_length(const unsigned char *s)
{
        unsigned char c = s[0];
        size_t len;

        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                len = 2;
        else if (c >= 0xe0 && c <= 0xef)
                len = 3;
        else if (c >= 0xf0 && c <= 0xf4)
                len = 4;
        else
                return 0;

        for (size_t i = 1; i < len; i++)
                if ((s[i] & 0xc0) != 0x80)
                        return 0; /* also stops at the NUL terminator */
        if (c == 0xe0 && s[1] < 0xa0)
                return 0;
        if (c == 0xed && s[1] >= 0xa0)
                return 0;
        if (c == 0xf0 && s[1] < 0x90)
                return 0;
        if (c == 0xf4 && s[1] >= 0x90)
                return 0;
        return len;
}

struct out {
        char *buf;
        size_t size;
        size_t used;
        bool full;
};

static void out_put(struct out *o, const char *p, size_t len)
{
        const size_t ellipsis = 3;

        if (o->full)
                return;
        /* Keep room for "..." and the NUL so truncation is visible. */
        if (o->used + len + ellipsis + 1 > o->size) {
                o->full = true;
                if (o->size > ellipsis + o->used) {
                        memcpy(o->buf + o->used, "...", ellipsis);
                        o->used += ellipsis;
                }
                return;
        }
        memcpy(o->buf + o->used, p, len);
        o->used += len;
}

static void escape_into(struct out *o, const char *name)
{
        const unsigned char *s = (const unsigned char *)name;

        while (*s) {
                char tmp[8];
                size_t len = utf8_sequence_length(s);

                if (len == 1) {
                        switch (*s) {
                        case '\n':
                                out_put(o, "\\n", 2);
                                break;
                        case '\t':
                                out_put(o, "\\t", 2);
                                break;
                        case '\\':
                                out_put(o, "\\\\", 2);
                                break;
                        case '"':
                                out_put(o, "\\\"", 2);
                                break;
                        default:
                                if (*s < 0x20 || *s == 0x7f) {
                                        snprintf(tmp, sizeof(tmp), "\\x%02x", *s);
                                        out_put(o, tmp, 4);
                                } else
                                        out_put(o, (const char *)s, 1);
                        }
                        s++;
                } else if (len > 1) {
                        out_put(o, (const char *)s, len);
                        s += len;
                } else {
                        snprintf(tmp, sizeof(tmp), "\\x%02x", *s);
                        out_put(o, tmp, 4);
                        s++;
                }
        }
}

char *logprune_escape(const char *name, char *buf, size_t size)
{
        struct out o = {.buf = buf, .size = size};

        assert(name);
        assert(buf);
        assert(size > 0);
        escape_into(&o, name);
        buf[o.used < size ? o.used : size - 1] = '\0';
        return buf;
}

char *logprune_file_display(const struct logprune_file *f, char *buf, size_t size)
{
        struct out o = {.buf = buf, .size = size};

        assert(f);
        assert(buf);
        assert(size > 0);
        if (f->dir[0]) {
                escape_into(&o, f->dir);
                out_put(&o, "/", 1);
        }
        escape_into(&o, f->name);
        buf[o.used < size ? o.used : size - 1] = '\0';
        return buf;
}

/* ---- I/O ---------------------------------------------------------------- */

struct entry_stat {
        mode_t mode;
        dev_t dev;
        ino_t ino;
        uint64_t mnt_id;
        bool has_mnt_id;
        uint64_t blocks;
        uint64_t nlink;
        usec_t mtime_usec;
};

/* lstat semantics by directory fd; name "" with AT_EMPTY_PATH stats dfd
 * itself. statx for the mount id: a bind mount from the same filesystem has
 * the same st_dev, only the mount id tells it apart. */
static int entry_stat_at(int dfd, const char *name, struct entry_stat *ret)
{
        struct statx stx;
        int flags = AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | (name[0] ? 0 : AT_EMPTY_PATH);

        if (statx(dfd, name, flags,
                  STATX_TYPE | STATX_MODE | STATX_INO | STATX_NLINK | STATX_MTIME | STATX_BLOCKS |
                      STATX_MNT_ID,
                  &stx) < 0)
                return -errno;
        *ret = (struct entry_stat){
            .mode = stx.stx_mode,
            .dev = makedev(stx.stx_dev_major, stx.stx_dev_minor),
            .ino = stx.stx_ino,
            .mnt_id = stx.stx_mnt_id,
            .has_mnt_id = (stx.stx_mask & STATX_MNT_ID) != 0,
            .blocks = stx.stx_blocks,
            .nlink = stx.stx_nlink,
            .mtime_usec =
                (usec_t)stx.stx_mtime.tv_sec * USEC_PER_SEC + stx.stx_mtime.tv_nsec / 1000,
        };
        if (stx.stx_mtime.tv_sec < 0)
                ret->mtime_usec = 0;
        return 0;
}

/* One directory open in the walk: the top, or a subdirectory below it. */
struct walk_dir {
        DIR *dir;
        char *rel; /* relative to the top: "" or "a/b" */
        unsigned depth;
};

/* The walk's state between slices: a stack of open directories, deepest
 * last (depth-first, as a recursive walk would go). */
struct logprune_walk {
        char *pattern;
        bool recursive;
        uint64_t top_mnt_id;
        bool top_has_mnt_id;
        struct walk_dir stack[LOGPRUNE_DEPTH_MAX + 1];
        size_t depth; /* directories open */
};

static bool same_mount(const struct logprune_scan *s, const struct entry_stat *st)
{
        const struct logprune_walk *w = s->walk;

        if (st->dev != s->top_dev)
                return false;
        if (w->top_has_mnt_id && st->has_mnt_id && st->mnt_id != w->top_mnt_id)
                return false;
        return true;
}

static int scan_add(struct logprune_scan *s, const char *dir, const char *name,
                    const struct entry_stat *st)
{
        struct logprune_file *f;

        if (s->n_files >= LOGPRUNE_FILES_MAX) {
                s->truncated = true;
                return 0;
        }
        if (s->n_files == s->allocated) {
                size_t n = s->allocated ? s->allocated * 2 : 64;
                struct logprune_file *p = reallocarray(s->files, n, sizeof(*p));
                if (!p)
                        return -ENOMEM;
                s->files = p;
                s->allocated = n;
        }
        f = &s->files[s->n_files];
        *f = (struct logprune_file){
            .dev = st->dev,
            .ino = st->ino,
            .disk_bytes = st->blocks * LOGPRUNE_BLOCK_BYTES,
            .sole_link = st->nlink == 1,
            .mtime_realtime_usec = st->mtime_usec,
        };
        f->dir = strdup(dir);
        f->name = strdup(name);
        if (!f->dir || !f->name) {
                free(f->dir);
                free(f->name);
                return -ENOMEM;
        }
        s->n_files++;
        return 0;
}

/* Open directory fd (owned: closed here, or by the walk) as the walk's
 * deepest directory. */
static int walk_push(struct logprune_walk *w, int fd, char *rel, unsigned depth)
{
        DIR *d;

        assert(w->depth < LOGPRUNE_DEPTH_MAX + 1);
        d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                free(rel);
                return r;
        }
        w->stack[w->depth++] = (struct walk_dir){.dir = d, .rel = rel, .depth = depth};
        return 0;
}

static void walk_pop(struct logprune_walk *w)
{
        struct walk_dir *top = &w->stack[--w->depth];

        closedir(top->dir);
        free(top->rel);
}

static void walk_free(struct logprune_walk *w)
{
        if (!w)
                return;
        while (w->depth > 0)
                walk_pop(w);
        free(w->pattern);
        free(w);
}

/* A subdirectory of top seen as st: enter it (recursive, not too deep, the
 * one we looked at, on the same mount). 0 entered or left alone, -ENOMEM. */
static int walk_enter(struct logprune_scan *s, struct walk_dir *top, const char *name,
                      const struct entry_stat *st)
{
        struct logprune_walk *w = s->walk;
        struct entry_stat opened;
        char *sub = NULL;
        int fd, r;

        if (!w->recursive || top->depth >= LOGPRUNE_DEPTH_MAX)
                return 0;
        fd = openat(dirfd(top->dir), name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return 0; /* swapped for a symlink or gone: skip */
        /* The directory we opened must be the one we looked at. */
        if (entry_stat_at(fd, "", &opened) < 0 || opened.ino != st->ino ||
            !same_mount(s, &opened)) {
                close(fd);
                return 0;
        }
        if (asprintf(&sub, "%s%s%s", top->rel, top->rel[0] ? "/" : "", name) < 0) {
                close(fd);
                return -ENOMEM;
        }
        r = walk_push(w, fd, sub, top->depth + 1);
        return r == -ENOMEM ? r : 0;
}

/* One directory entry of the deepest open directory. 0, or -ENOMEM. */
static int walk_entry(struct logprune_scan *s, struct walk_dir *top, const char *name)
{
        struct logprune_walk *w = s->walk;
        char shown[512];
        struct entry_stat st;
        int r;

        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                return 0;
        r = entry_stat_at(dirfd(top->dir), name, &st);
        if (r == -ENOENT)
                return 0; /* removed while we looked: nothing to do */
        if (r < 0) {
                log_warning("logs: cannot stat \"%s\" in \"%s\": %s",
                            logprune_escape(name, shown, sizeof(shown)), top->rel, strerror(-r));
                return 0;
        }
        if (S_ISLNK(st.mode)) {
                s->skipped_symlinks++;
                return 0;
        }
        if (!same_mount(s, &st)) {
                s->skipped_mounts++;
                return 0;
        }
        if (S_ISDIR(st.mode))
                return walk_enter(s, top, name, &st);
        if (!S_ISREG(st.mode) || !logprune_name_matches(w->pattern, name))
                return 0;
        return scan_add(s, top->rel, name, &st);
}

int logprune_scan_step(struct logprune_scan *s, size_t budget)
{
        struct logprune_walk *w;
        int r;

        assert(s);
        w = s->walk;
        if (!w)
                return 0;
        while (w->depth > 0 && budget > 0) {
                struct walk_dir *top = &w->stack[w->depth - 1];
                struct dirent *de;

                errno = 0;
                de = readdir(top->dir);
                if (!de) {
                        r = -errno;
                        if (r < 0 && w->depth == 1)
                                return r; /* the top itself cannot be read */
                        if (r < 0)
                                log_warning("logs: cannot read \"%s\": %s", top->rel,
                                            strerror(-r));
                        walk_pop(w);
                        continue;
                }
                budget--;
                r = walk_entry(s, top, de->d_name);
                if (r < 0)
                        return r;
        }
        if (w->depth > 0)
                return 1;
        walk_free(w);
        s->walk = NULL;
        return 0;
}

int logprune_scan_open(const char *dir, const char *pattern, bool recursive,
                       struct logprune_scan *ret)
{
        struct logprune_scan s = {.top_fd = -1};
        struct entry_stat top;
        int fd, r;

        assert(dir);
        assert(pattern);
        assert(ret);

        /* O_NOFOLLOW: the configured directory itself must not be a symlink. */
        s.top_fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (s.top_fd < 0)
                return -errno;
        r = entry_stat_at(s.top_fd, "", &top);
        if (r < 0)
                goto fail;
        s.top_dev = top.dev;
        s.walk = calloc(1, sizeof(*s.walk));
        if (!s.walk) {
                r = -ENOMEM;
                goto fail;
        }
        s.walk->recursive = recursive;
        s.walk->top_mnt_id = top.mnt_id;
        s.walk->top_has_mnt_id = top.has_mnt_id;
        s.walk->pattern = strdup(pattern);
        char *rel = strdup("");
        if (!s.walk->pattern || !rel) {
                free(rel);
                r = -ENOMEM;
                goto fail;
        }
        fd = fcntl(s.top_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
                free(rel);
                r = -errno;
                goto fail;
        }
        r = walk_push(s.walk, fd, rel, 0);
        if (r < 0)
                goto fail;
        *ret = s;
        return 0;
fail:
        logprune_scan_done(&s);
        return r;
}

int logprune_scan(const char *dir, const char *pattern, bool recursive, struct logprune_scan *ret)
{
        struct logprune_scan s;
        int r;

        r = logprune_scan_open(dir, pattern, recursive, &s);
        if (r < 0)
                return r;
        do
                r = logprune_scan_step(&s, SIZE_MAX);
        while (r > 0);
        if (r < 0) {
                logprune_scan_done(&s);
                return r;
        }
        *ret = s;
        return 0;
}

void logprune_scan_drop_files(struct logprune_scan *s)
{
        assert(s);
        for (size_t i = 0; i < s->n_files; i++) {
                free(s->files[i].dir);
                free(s->files[i].name);
        }
        s->n_files = 0;
        s->truncated = false;
}

void logprune_scan_done(struct logprune_scan *s)
{
        if (!s)
                return;
        logprune_scan_drop_files(s);
        walk_free(s->walk);
        free(s->files);
        if (s->top_fd >= 0)
                close(s->top_fd);
        *s = (struct logprune_scan){.top_fd = -1};
}

/* Re-open the directory chain of rel from the top, component by component,
 * never following a symlink and never leaving the top's filesystem. Returns
 * an owned fd, or -ESTALE / -errno. */
static int reopen_dir(const struct logprune_scan *s, uint64_t top_mnt_id, bool top_has_mnt_id,
                      const char *rel)
{
        _cleanup_free_ char *copy = strdup(rel);
        _cleanup_close_ int cur = -1;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        cur = fcntl(s->top_fd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;

        for (char *c = strtok_r(copy, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                struct entry_stat st;
                int next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

                if (next < 0)
                        return errno == ENOENT ? -ENOENT : -ESTALE;
                close(cur);
                cur = next;
                if (entry_stat_at(cur, "", &st) < 0)
                        return -ESTALE;
                if (st.dev != s->top_dev ||
                    (top_has_mnt_id && st.has_mnt_id && st.mnt_id != top_mnt_id))
                        return -ESTALE;
        }
        return TAKE_FD(cur);
}

int logprune_delete(struct logprune_scan *s, size_t i, uint64_t *ret_freed)
{
        assert(s);
        assert(i < s->n_files);
        return logprune_delete_file(s, &s->files[i], ret_freed);
}

int logprune_delete_file(const struct logprune_scan *s, const struct logprune_file *f,
                         uint64_t *ret_freed)
{
        _cleanup_close_ int dfd = -1;
        struct entry_stat top, now;
        int r;

        assert(s);
        assert(f);

        r = entry_stat_at(s->top_fd, "", &top);
        if (r < 0)
                return r;
        if (f->dir[0]) {
                r = reopen_dir(s, top.mnt_id, top.has_mnt_id, f->dir);
                if (r < 0)
                        return r;
                dfd = r;
        }
        int at = dfd >= 0 ? dfd : s->top_fd;

        r = entry_stat_at(at, f->name, &now);
        if (r < 0)
                return r;
        /* Same regular file as scanned, on the same mount: otherwise leave it. */
        if (!S_ISREG(now.mode) || now.dev != f->dev || now.ino != f->ino)
                return -ESTALE;
        if (top.has_mnt_id && now.has_mnt_id && now.mnt_id != top.mnt_id)
                return -ESTALE;
        /* unlinkat() without AT_REMOVEDIR never follows: had the name become a
         * symlink after this check, the link itself would go, not its target. */
        if (unlinkat(at, f->name, 0) < 0)
                return -errno;
        if (ret_freed)
                *ret_freed = now.nlink == 1 ? now.blocks * LOGPRUNE_BLOCK_BYTES : 0;
        return 0;
}
