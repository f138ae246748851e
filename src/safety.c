/* safety — see include/safety.h */
#include "safety.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#define SYMLINKS_MAX    40   /* links followed in one resolution, as the kernel allows */
#define STATE_DIR_MODE  0750 /* owner writes, the sutazai-gov group may read */
#define WRITABLE_BY_ANY (S_IWGRP | S_IWOTH)

struct resolver {
        const char *subject; /* the path the operator named, for messages */
        uid_t trusted_uid;   /* trusted besides root */
        unsigned symlinks;
        char *err;
        size_t size;
};

static void set_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t size, const char *fmt, ...)
{
        va_list ap;

        if (!err || size == 0)
                return;
        va_start(ap, fmt);
        vsnprintf(err, size, fmt, ap);
        va_end(ap);
}

static bool uid_trusted(const struct resolver *rs, uid_t uid)
{
        return uid == 0 || uid == rs->trusted_uid;
}

/* "SUBJECT: refused: this WHAT is ..." when the culprit is the path the
 * operator named, else "SUBJECT: refused: WHAT PATH is ...", so the operator
 * sees which of the files and directories it depends on is at fault. */
static int refuse_owner(struct resolver *rs, const char *what, const char *path, uid_t uid)
{
        bool self = strcmp(path, rs->subject) == 0;
        char trusted[64] = "root";

        if (rs->trusted_uid != 0)
                snprintf(trusted, sizeof trusted, "root or uid %u", (unsigned)rs->trusted_uid);
        set_err(rs->err, rs->size,
                "%s: refused: %s%s%s%s is owned by uid %u, not by %s; fix: chown root %s",
                rs->subject, self ? "this " : "", what, self ? "" : " ", self ? "" : path,
                (unsigned)uid, trusted, path);
        return -EPERM;
}

static int refuse_mode(struct resolver *rs, const char *what, const char *path, mode_t mode)
{
        bool self = strcmp(path, rs->subject) == 0;

        set_err(rs->err, rs->size,
                "%s: refused: %s%s%s%s is writable by group or others (mode %04o); fix: chmod "
                "go-w %s",
                rs->subject, self ? "this " : "", what, self ? "" : " ", self ? "" : path,
                (unsigned)(mode & 07777), path);
        return -EPERM;
}

static int fail_errno(struct resolver *rs, const char *path, int r)
{
        set_err(rs->err, rs->size, "%s: %s: %s", rs->subject, path, strerror(-r));
        return r;
}

/* A directory a name is looked up in: whoever may write it may swap the
 * name. The sticky bit stops others from renaming or replacing entries they
 * do not own, and every entry we use is owner-checked. */
static int check_lookup_dir(struct resolver *rs, const char *dir)
{
        struct stat st;

        if (lstat(dir, &st) < 0)
                return fail_errno(rs, dir, -errno);
        if (!S_ISDIR(st.st_mode))
                return fail_errno(rs, dir, -ENOTDIR);
        if (!uid_trusted(rs, st.st_uid))
                return refuse_owner(rs, "directory", dir, st.st_uid);
        if ((st.st_mode & WRITABLE_BY_ANY) && !(st.st_mode & S_ISVTX))
                return refuse_mode(rs, "directory", dir, st.st_mode);
        return 0;
}

static int join(char *buf, size_t size, const char *dir, const char *name)
{
        int n = snprintf(buf, size, "%s%s%s", dir, strcmp(dir, "/") == 0 ? "" : "/", name);

        return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Drop the last component of an absolute real path ("/a/b" → "/a", "/a" → "/"). */
static void parent_of(char *path)
{
        char *slash = strrchr(path, '/');

        if (!slash || slash == path)
                strcpy(path, "/");
        else
                *slash = '\0';
}

/* Resolve path as the kernel would, following symlinks, and check every
 * directory a name is looked up in and every symlink followed. ret_real gets
 * the path reached (no symlinks, absolute), ret_st its lstat(). -ENOENT
 * (err filled) when a component is missing. */
static int resolve_checked(struct resolver *rs, const char *path, char ret_real[PATH_MAX],
                           struct stat *ret_st)
{
        char cur[PATH_MAX] = "/"; /* real path of the directory reached so far */
        char todo[2 * PATH_MAX];  /* what is left to resolve */
        char next[2 * PATH_MAX];
        char cand[PATH_MAX], target[PATH_MAX];
        const char *p;
        struct stat st;
        int r;

        if (!path[0])
                return fail_errno(rs, path, -ENOENT);
        if (path[0] == '/') {
                if (util_strlcpy(todo, path, sizeof todo) >= sizeof todo)
                        return fail_errno(rs, path, -ENAMETOOLONG);
        } else {
                /* The working directory's own chain is part of a relative path. */
                char cwd[PATH_MAX];

                if (!getcwd(cwd, sizeof cwd))
                        return fail_errno(rs, ".", -errno);
                if (snprintf(todo, sizeof todo, "%s/%s", cwd, path) >= (int)sizeof todo)
                        return fail_errno(rs, path, -ENAMETOOLONG);
        }

        p = todo;
        for (;;) {
                char name[NAME_MAX + 1];
                size_t len;
                bool more;

                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                len = strcspn(p, "/");
                if (len > NAME_MAX)
                        return fail_errno(rs, path, -ENAMETOOLONG);
                memcpy(name, p, len);
                name[len] = '\0';
                p += len;

                if (strcmp(name, ".") == 0)
                        continue;
                if (strcmp(name, "..") == 0) {
                        /* cur is real, so its lexical parent is its real parent,
                         * and was itself checked on the way down. */
                        parent_of(cur);
                        continue;
                }

                r = check_lookup_dir(rs, cur);
                if (r < 0)
                        return r;
                r = join(cand, sizeof cand, cur, name);
                if (r < 0)
                        return fail_errno(rs, path, r);
                if (lstat(cand, &st) < 0)
                        return fail_errno(rs, cand, -errno);

                if (S_ISLNK(st.st_mode)) {
                        ssize_t n;

                        if (!uid_trusted(rs, st.st_uid))
                                return refuse_owner(rs, "symlink", cand, st.st_uid);
                        if (++rs->symlinks > SYMLINKS_MAX)
                                return fail_errno(rs, cand, -ELOOP);
                        n = readlink(cand, target, sizeof target);
                        if (n < 0)
                                return fail_errno(rs, cand, -errno);
                        if ((size_t)n >= sizeof target)
                                return fail_errno(rs, cand, -ENAMETOOLONG);
                        target[n] = '\0';
                        /* the link's target, then whatever followed the link */
                        if (snprintf(next, sizeof next, "%s/%s", target, p) >= (int)sizeof next)
                                return fail_errno(rs, cand, -ENAMETOOLONG);
                        memcpy(todo, next, sizeof todo);
                        p = todo;
                        if (target[0] == '/')
                                strcpy(cur, "/");
                        continue;
                }

                more = p[strspn(p, "/")] != '\0';
                if (!more) {
                        memcpy(ret_real, cand, PATH_MAX);
                        *ret_st = st;
                        return 0;
                }
                if (!S_ISDIR(st.st_mode))
                        return fail_errno(rs, cand, -ENOTDIR);
                memcpy(cur, cand, sizeof cur);
        }

        /* the path ended in a directory reached through "." or ".." (or is "/") */
        if (lstat(cur, &st) < 0)
                return fail_errno(rs, cur, -errno);
        memcpy(ret_real, cur, PATH_MAX);
        *ret_st = st;
        return 0;
}

/* A file the governor reads and obeys. */
static int check_file(struct resolver *rs, const char *what, const char *real,
                      const struct stat *st)
{
        if (!S_ISREG(st->st_mode)) {
                set_err(rs->err, rs->size, "%s: refused: %s %s is not a regular file", rs->subject,
                        what, real);
                return -EINVAL;
        }
        if (!uid_trusted(rs, st->st_uid))
                return refuse_owner(rs, what, real, st->st_uid);
        if (st->st_mode & WRITABLE_BY_ANY)
                return refuse_mode(rs, what, real, st->st_mode);
        return 0;
}

/* Must match config-load.c's choice of drop-ins: "*.conf", not hidden. */
static bool dropin_name_wanted(const char *name)
{
        size_t n = strlen(name);

        return name[0] != '.' && n > 5 && strcmp(name + n - 5, ".conf") == 0;
}

static int check_dropins(struct resolver *rs, const char *config_path)
{
        char dir[PATH_MAX], real_dir[PATH_MAX], entry[PATH_MAX], real[PATH_MAX];
        struct stat st;
        struct dirent *de;
        DIR *d;
        int r;

        if (snprintf(dir, sizeof dir, "%s.d", config_path) >= (int)sizeof dir)
                return fail_errno(rs, config_path, -ENAMETOOLONG);
        r = resolve_checked(rs, dir, real_dir, &st);
        if (r == -ENOENT || (r == 0 && !S_ISDIR(st.st_mode))) {
                /* no drop-ins; a non-directory is config_load()'s to report */
                set_err(rs->err, rs->size, "%s", "");
                return 0;
        }
        if (r < 0)
                return r;
        if (!uid_trusted(rs, st.st_uid))
                return refuse_owner(rs, "drop-in directory", real_dir, st.st_uid);
        /* strict: no sticky-bit allowance for a directory of files we obey */
        if (st.st_mode & WRITABLE_BY_ANY)
                return refuse_mode(rs, "drop-in directory", real_dir, st.st_mode);

        d = opendir(real_dir);
        if (!d)
                return fail_errno(rs, real_dir, -errno);
        r = 0;
        while ((errno = 0, de = readdir(d))) {
                if (!dropin_name_wanted(de->d_name))
                        continue;
                r = join(entry, sizeof entry, real_dir, de->d_name);
                if (r < 0) {
                        r = fail_errno(rs, real_dir, r);
                        break;
                }
                r = resolve_checked(rs, entry, real, &st);
                if (r == -ENOENT) {
                        /* a dangling link: config_load() reports it */
                        r = 0;
                        continue;
                }
                if (r < 0)
                        break;
                if (S_ISDIR(st.st_mode)) /* config_load() skips "x.conf/" too */
                        continue;
                r = check_file(rs, "drop-in", real, &st);
                if (r < 0)
                        break;
        }
        if (r == 0 && errno != 0)
                r = fail_errno(rs, real_dir, -errno);
        closedir(d);
        if (r == 0)
                set_err(rs->err, rs->size, "%s", "");
        return r;
}

int safety_check_config_file_trusting(const char *path, uid_t trusted_uid, char *err, size_t size)
{
        struct resolver rs = {
            .subject = path,
            .trusted_uid = trusted_uid,
            .err = err,
            .size = size,
        };
        char real[PATH_MAX];
        struct stat st;
        int r;

        assert(path);
        set_err(err, size, "%s", "");

        r = resolve_checked(&rs, path, real, &st);
        if (r == -ENOENT) {
                /* config_load() reports a missing file in its own words */
                set_err(err, size, "%s", "");
                return 0;
        }
        if (r < 0)
                return r;
        r = check_file(&rs, strcmp(real, path) == 0 ? "file" : "symlink target", real, &st);
        if (r < 0)
                return r;
        return check_dropins(&rs, path);
}

int safety_check_config_file(const char *path, char *err, size_t size)
{
        return safety_check_config_file_trusting(path, geteuid(), err, size);
}

int safety_check_state_dir_owner(const char *dir, uid_t owner_uid, char *err, size_t size)
{
        struct resolver rs = {
            .subject = dir,
            .trusted_uid = owner_uid,
            .err = err,
            .size = size,
        };
        char copy[PATH_MAX], parent[PATH_MAX], real_parent[PATH_MAX], path[PATH_MAX];
        const char *base;
        char *slash;
        struct stat st;
        size_t len;
        int r;

        assert(dir);
        set_err(err, size, "%s", "");

        len = util_strlcpy(copy, dir, sizeof copy);
        if (len >= sizeof copy)
                return fail_errno(&rs, dir, -ENAMETOOLONG);
        while (len > 1 && copy[len - 1] == '/')
                copy[--len] = '\0';
        slash = strrchr(copy, '/');
        if (!slash) {
                strcpy(parent, ".");
                base = copy;
        } else {
                *slash = '\0';
                util_strlcpy(parent, slash == copy ? "/" : copy, sizeof parent);
                base = slash + 1;
        }
        if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
                set_err(err, size, "state directory %s: give a path that names a directory", dir);
                return -EINVAL;
        }

        /* Whoever may write the parent may swap the state directory. */
        r = resolve_checked(&rs, parent, real_parent, &st);
        if (r < 0)
                return r;
        r = check_lookup_dir(&rs, real_parent);
        if (r < 0)
                return r;
        r = join(path, sizeof path, real_parent, base);
        if (r < 0)
                return fail_errno(&rs, dir, r);

        if (lstat(path, &st) < 0) {
                _cleanup_close_ int fd = -1;

                if (errno != ENOENT)
                        return fail_errno(&rs, path, -errno);
                if (mkdir(path, STATE_DIR_MODE) < 0 && errno != EEXIST)
                        return fail_errno(&rs, path, -errno);
                /* the umask must not decide what the group may read */
                fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd >= 0 && fstat(fd, &st) == 0 && st.st_uid == owner_uid)
                        (void)fchmod(fd, STATE_DIR_MODE);
                if (lstat(path, &st) < 0)
                        return fail_errno(&rs, path, -errno);
        }
        if (S_ISLNK(st.st_mode)) {
                set_err(err, size,
                        "state directory %s: refused: is a symlink; fix: make it a real "
                        "directory (mkdir -m 0750)",
                        dir);
                return -EPERM;
        }
        if (!S_ISDIR(st.st_mode)) {
                set_err(err, size, "state directory %s: refused: not a directory", dir);
                return -ENOTDIR;
        }
        if (st.st_uid != owner_uid) {
                set_err(err, size,
                        "state directory %s: refused: owned by uid %u, not by uid %u; fix: chown "
                        "%u %s",
                        dir, (unsigned)st.st_uid, (unsigned)owner_uid, (unsigned)owner_uid, path);
                return -EPERM;
        }
        if (st.st_mode & WRITABLE_BY_ANY) {
                set_err(err, size,
                        "state directory %s: refused: writable by group or others (mode %04o); "
                        "fix: chmod go-w %s",
                        dir, (unsigned)(st.st_mode & 07777), path);
                return -EPERM;
        }
        return 0;
}

int safety_check_state_dir(const char *dir, char *err, size_t size)
{
        return safety_check_state_dir_owner(dir, geteuid(), err, size);
}
