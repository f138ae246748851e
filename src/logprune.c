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

struct walk {
        struct logprune_scan *scan;
        const char *pattern;
        bool recursive;
        uint64_t top_mnt_id;
        bool top_has_mnt_id;
};

static bool same_mount(const struct walk *w, const struct entry_stat *st)
{
        if (st->dev != w->scan->top_dev)
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

/* Walk the directory open at dfd (owned: closed here). rel is its path
 * relative to the top, for the record. */
static int walk_dir(struct walk *w, int dfd, const char *rel, unsigned depth)
{
        char shown[512];
        DIR *d;
        struct dirent *de;
        int r = 0;

        d = fdopendir(dfd);
        if (!d) {
                r = -errno;
                close(dfd);
                return r;
        }

        while ((errno = 0, de = readdir(d))) {
                struct entry_stat st;

                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;

                r = entry_stat_at(dirfd(d), de->d_name, &st);
                if (r == -ENOENT)
                        continue; /* removed while we looked: nothing to do */
                if (r < 0) {
                        log_warning("logs: cannot stat \"%s\" in \"%s\": %s",
                                    logprune_escape(de->d_name, shown, sizeof(shown)), rel,
                                    strerror(-r));
                        r = 0;
                        continue;
                }
                if (S_ISLNK(st.mode)) {
                        w->scan->skipped_symlinks++;
                        continue;
                }
                if (!same_mount(w, &st)) {
                        w->scan->skipped_mounts++;
                        continue;
                }

                if (S_ISDIR(st.mode)) {
                        _cleanup_free_ char *sub = NULL;
                        struct entry_stat opened;
                        int fd;

                        if (!w->recursive || depth >= LOGPRUNE_DEPTH_MAX)
                                continue;
                        fd = openat(dirfd(d), de->d_name,
                                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (fd < 0)
                                continue; /* swapped for a symlink or gone: skip */
                        /* The directory we opened must be the one we looked at. */
                        if (entry_stat_at(fd, "", &opened) < 0 || opened.ino != st.ino ||
                            !same_mount(w, &opened)) {
                                close(fd);
                                continue;
                        }
                        if (asprintf(&sub, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) < 0) {
                                close(fd);
                                r = -ENOMEM;
                                break;
                        }
                        r = walk_dir(w, fd, sub, depth + 1);
                        if (r == -ENOMEM)
                                break;
                        r = 0;
                        continue;
                }

                if (!S_ISREG(st.mode))
                        continue;
                if (!logprune_name_matches(w->pattern, de->d_name))
                        continue;
                r = scan_add(w->scan, rel, de->d_name, &st);
                if (r < 0)
                        break;
        }
        if (r == 0 && errno != 0)
                r = -errno;
        closedir(d);
        return r;
}

int logprune_scan(const char *dir, const char *pattern, bool recursive, struct logprune_scan *ret)
{
        struct logprune_scan s = {.top_fd = -1};
        struct entry_stat top;
        struct walk w = {.scan = &s, .pattern = pattern, .recursive = recursive};
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
        w.top_mnt_id = top.mnt_id;
        w.top_has_mnt_id = top.has_mnt_id;

        fd = fcntl(s.top_fd, F_DUPFD_CLOEXEC, 3);
        if (fd < 0) {
                r = -errno;
                goto fail;
        }
        r = walk_dir(&w, fd, "", 0);
        if (r < 0)
                goto fail;
        *ret = s;
        return 0;
fail:
        logprune_scan_done(&s);
        return r;
}

void logprune_scan_done(struct logprune_scan *s)
{
        if (!s)
                return;
        for (size_t i = 0; i < s->n_files; i++) {
                free(s->files[i].dir);
                free(s->files[i].name);
        }
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
        _cleanup_close_ int dfd = -1;
        struct entry_stat top, now;
        const struct logprune_file *f;
        int r;

        assert(s);
        assert(i < s->n_files);
        f = &s->files[i];

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
